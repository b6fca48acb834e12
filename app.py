"""`gunicorn app:app` in production; `python app.py` for a first run on SQLite with demo data.

Settings that production refuses end the process with one line naming the setting and the fix, and the
exit status that makes gunicorn stop rather than start worker after worker (learning.config.refuse_to_start).
Under gunicorn, gunicorn.conf.py checks them once in the master, before it binds the port.
"""

import os

from learning.app import create_app
from learning.config import ConfigError, refuse_to_start

try:
    app = create_app()
except ConfigError as exc:
    refuse_to_start(exc)

if __name__ == "__main__":
    from learning.firstrun import first_run

    first_run(app)
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")))
