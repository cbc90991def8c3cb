"""Alembic environment: the URL comes from lib.core.config (DATABASE_URL) unless the caller set one."""
from alembic import context
from sqlalchemy import create_engine

from lib.core import config as app_config
from lib.core.models import Base

url = context.config.get_main_option("sqlalchemy.url") or app_config.database_url()


def run() -> None:
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
