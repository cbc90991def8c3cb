"""Configuration: one settings object, read from the environment and then .streamlit/secrets.toml.

Every name the app reads is a field below, with its type and limits, so a bad value (SMTP_PORT=abc,
BOOKING_DESK_IDLE_MINUTES=-5) stops the app at start-up with a message naming the setting, instead of
failing when it is first used. `settings()` re-reads only when the environment changes (tests change
it between cases; a running server never does), so asking for a setting costs a dictionary lookup.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

ROOT = Path(__file__).resolve().parents[2]
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'data' / 'booking_desk.db'}"


class Settings(BaseSettings):
    """Every setting, by the name it has in the environment and in .streamlit/secrets.toml."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore",
                                      toml_file=SECRETS_FILE)

    DATABASE_URL: str = DEFAULT_DATABASE_URL
    BOOKING_DESK_SECRET: str | None = None
    APP_BASE_URL: str = "http://localhost:8501"
    # email
    SMTP_HOST: str | None = None
    SMTP_PORT: int | None = Field(default=None, ge=1, le=65535)
    SMTP_TLS: Literal["ssl", "starttls", "none"] = "starttls"
    SMTP_USER: str | None = None
    SMTP_PASSWORD: str | None = None
    MAIL_FROM: str | None = None
    # SMS
    TWILIO_ACCOUNT_SID: str | None = None
    TWILIO_AUTH_TOKEN: str | None = None
    TWILIO_FROM_NUMBER: str | None = None
    TWILIO_API_BASE: str | None = None
    # the worker beside the pages
    BOOKING_DESK_DISPATCHER: bool = True
    BOOKING_DESK_DISPATCH_SECONDS: float = Field(default=5.0, gt=0)
    # keys
    BOOKING_CHANNEL_SECRET: str | None = None
    BOOKING_CHANNEL_RATE_LIMIT: int = Field(default=120, ge=1)
    BOOKING_DESK_ENCRYPTION_KEYS: str | None = None
    BOOKING_DESK_BACKUP_KEY: str | None = None
    # sign-in and figures
    BOOKING_DESK_IDLE_MINUTES: float = Field(default=30.0, gt=0)
    BOOKING_DESK_BCRYPT_ROUNDS: int = Field(default=12, ge=4, le=31)
    BOOKING_DESK_METRICS_MAX_AGE: float = Field(default=300.0, ge=0)
    # therapists' own calendars: read every 15 minutes by the app server (off: only when saved)
    BOOKING_DESK_CALENDAR_SYNC: bool = True
    # tests only: a therapist's calendar may be read from a loopback address
    BOOKING_DESK_CALENDAR_ALLOW_LOOPBACK: bool = False

    @field_validator("SMTP_TLS", mode="before")
    @classmethod
    def _lower(cls, value):
        return value.lower() if isinstance(value, str) else value

    @field_validator("BOOKING_DESK_DISPATCHER", mode="before")
    @classmethod
    def _on_off(cls, value):
        if isinstance(value, str) and value.strip().lower() in ("on", "off"):
            return value.strip().lower() == "on"
        return value

    @field_validator("APP_BASE_URL", "TWILIO_API_BASE")
    @classmethod
    def _no_trailing_slash(cls, value):
        return value.rstrip("/") if value else value

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource):
        # the environment wins over .streamlit/secrets.toml (Streamlit's own secrets file, same names)
        return init_settings, env_settings, _SecretsToml(settings_cls)


class _SecretsToml(TomlConfigSettingsSource):
    """secrets.toml values as strings, so "" means unset there too and numbers are checked the same way."""

    def __call__(self):
        return {k: v for k, v in super().__call__().items() if v not in (None, "")}


class BadSetting(Exception):
    """A setting has a value the app cannot use; the message names it and says what it must be."""


@lru_cache(maxsize=8)
def _load(environment: tuple) -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise BadSetting(f"Booking Desk cannot start: a setting is wrong. {problems}.") from None


def settings() -> Settings:
    """The current settings (validated). Raises BadSetting, naming the setting, if one is wrong."""
    return _load(tuple(os.environ.get(name) for name in Settings.model_fields))


def check() -> str | None:
    """At start-up: None if every setting is usable, else the message that names the bad one."""
    try:
        settings()
    except BadSetting as exc:
        return str(exc)
    return None


def database_url() -> str:
    url = settings().DATABASE_URL
    # The contract's relative default ("sqlite:///data/booking_desk.db") means the project folder.
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        rel = url[len("sqlite:///"):]
        if rel and rel != ":memory:" and not rel.startswith("/"):
            url = f"sqlite:///{ROOT / rel}"
    return url


def app_base_url() -> str:
    return settings().APP_BASE_URL


def session_url(booking_id: int) -> str:
    """The address of a session page, for links in emails and SMS."""
    return f"{app_base_url()}/session?id={booking_id}"
