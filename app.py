"""`gunicorn app:app` in production; `python app.py` for a first run on SQLite with demo data."""

import os

from learning import create_app

app = create_app()

if __name__ == "__main__":
    from learning.firstrun import first_run

    first_run(app)
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")))
