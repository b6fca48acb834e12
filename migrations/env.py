"""Alembic environment, for learning/migrate.py and for the `alembic` command (alembic.ini).

The URL: `-x url=...`, else the one learning/migrate.py put in the config, else the app's own
(DATABASE_URL, or outside production the default SQLite file). The metadata comes from the models.
"""

from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy.engine import make_url

from learning.config import ConfigError, database_url, refuse_to_start
from learning.db import make_engine
from learning.models import metadata
from learning.search.models import is_model_object

config = context.config
if config.config_file_name:  # the `alembic` command; the app keeps its own logging
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    try:
        url = url or database_url()
    except ConfigError as exc:  # production without DATABASE_URL
        refuse_to_start(exc)
    if url.startswith("sqlite") and make_url(url).database:
        Path(make_url(url).database).parent.mkdir(parents=True, exist_ok=True)  # instance/ on a fresh clone
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=is_model_object,  # the search index's FTS5 tables are no models
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
