"""`gunicorn app:app` in production; `python app.py` for a first run on SQLite with demo data."""

import os
import sys

from learning.app import create_app
from learning.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:  # say which setting is wrong, without a stack trace
    sys.exit(f"Configuration error: {exc}")

if __name__ == "__main__":
    from learning.firstrun import first_run

    first_run(app)
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")))
