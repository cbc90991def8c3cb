"""Configuration from the environment, falling back to .streamlit/secrets.toml."""
from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'data' / 'booking_desk.db'}"


@lru_cache(maxsize=1)
def _secrets() -> dict:
    path = ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def get(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value not in (None, ""):
        return value
    value = _secrets().get(name)
    return str(value) if value not in (None, "") else default


def database_url() -> str:
    url = get("DATABASE_URL", DEFAULT_DATABASE_URL)
    # The contract's relative default ("sqlite:///data/booking_desk.db") means the project folder.
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        rel = url[len("sqlite:///"):]
        if rel and rel != ":memory:" and not rel.startswith("/"):
            url = f"sqlite:///{ROOT / rel}"
    return url


def app_base_url() -> str:
    return (get("APP_BASE_URL", "http://localhost:8501") or "").rstrip("/")


def session_url(booking_id: int) -> str:
    """The address of a session page, for links in emails and SMS."""
    return f"{app_base_url()}/session?id={booking_id}"
