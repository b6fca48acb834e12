"""gunicorn's settings for the portal, read when gunicorn starts in this directory (or with -c PATH).

The settings are checked in the master before it binds the port or starts a worker, so an unsafe one
(a weak SECRET_KEY, demo mode, debug, no DATABASE_URL in production) gives one line on stderr and
gunicorn exits at once with status 4 (learning.config.CONFIG_ERROR_EXIT). Each worker checks them
again when it loads app.py, with the same status, which stops the master too.
"""

import os

# For the deadline week (README, "Under load"): threads, so that a download waiting for its slot
# (learning/web/heavy.py) or streaming holds a thread rather than a whole worker; as many workers as cores.
# The command line (--workers, -k, --threads) and WEB_CONCURRENCY / PORTAL_THREADS still decide.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("PORTAL_THREADS", "32"))
timeout = 60


def post_worker_init(worker):
    """A worker's threads share one interpreter lock: a thread writing a download holds it for Python's
    switch interval (5 ms) before a waiting page thread gets it, on each of that page's database round trips.
    1 ms keeps pages quick beside downloads (README, "Under load", for the figures)."""
    import sys

    sys.setswitchinterval(float(os.environ.get("PORTAL_SWITCH_INTERVAL", "0.001")))


def on_starting(server):
    from learning.config import ConfigError, load_settings, refuse_to_start

    try:
        load_settings()
    except ConfigError as exc:
        if server.pidfile is not None:  # made just before this hook; the master's own exit would remove it
            server.pidfile.unlink()
        refuse_to_start(exc)
