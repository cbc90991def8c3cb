"""Run Alembic migrations from code (the `migrate` command and the test fixtures)."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from lib.core import config


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(config.ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", (url or config.database_url()).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None) -> None:
    url = url or config.database_url()
    if url.startswith("sqlite:///"):
        (config.ROOT / "data").mkdir(exist_ok=True)
    command.upgrade(alembic_config(url), "head")
