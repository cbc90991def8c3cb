"""Assessment answers and free text, encrypted at rest with Fernet keys from the environment.

BOOKING_DESK_ENCRYPTION_KEYS holds one or more Fernet keys separated by commas, newest first: the first
encrypts, every one decrypts (MultiFernet), so a new key can be put in front and `python -m lib rotate-key`
re-encrypts everything to it before the old one is removed. Without a key the app refuses to start; only
the demo practice makes its own, kept in a file beside the demo database, never in the database itself (a
dump or backup of the database alone then shows no answers).
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.types import Text, TypeDecorator

from lib.core import config
from lib.core.errors import BookingDeskError

ENV = "BOOKING_DESK_ENCRYPTION_KEYS"
DEMO_KEY_FILE = config.ROOT / "data" / "demo-encryption.key"
HOW_TO_MAKE_ONE = ('python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"')


class KeyMissing(BookingDeskError):
    message = (f"{ENV} is not set, so the assessment answers can't be read or written. Set it to a Fernet key "
               f"(make one with `{HOW_TO_MAKE_ONE}`) in the environment or .streamlit/secrets.toml.")


class CannotDecrypt(BookingDeskError):
    message = (f"An assessment could not be decrypted with the keys in {ENV}: the key it was written with is "
               "missing. Put the old key back (after the new one) and run `python -m lib rotate-key`.")


def configured_keys() -> list[str]:
    return [k.strip() for k in (config.settings().BOOKING_DESK_ENCRYPTION_KEYS or "").split(",") if k.strip()]


def _demo_key_file() -> Path:
    return DEMO_KEY_FILE


def _keys() -> tuple[str, ...]:
    if keys := configured_keys():
        return tuple(keys)
    path = _demo_key_file()
    if path.exists():
        return (path.read_text().strip(),)
    raise KeyMissing()


def problem(demo_in_use: bool) -> str | None:
    """Why the app must not start, or None. A practice's own data needs its own key; the demo may use its file."""
    keys = configured_keys()
    if keys:
        try:
            _cipher(tuple(keys))
        except ValueError:
            return f"{ENV} holds something that is not a Fernet key (32 url-safe base64-encoded bytes each)."
        return None
    if demo_in_use and _demo_key_file().exists():
        return None
    return KeyMissing.message


def make_demo_key() -> None:
    """The demo practice's own key: made once per install, only when no key is configured."""
    path = _demo_key_file()
    if configured_keys() or path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(Fernet.generate_key().decode() + "\n")


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def cipher() -> MultiFernet:
    return _cipher(_keys())


def encrypt(text: str) -> str:
    return cipher().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CannotDecrypt() from None


def rotate(token: str) -> str:
    """The same value, encrypted with the first key (a no-op in meaning)."""
    try:
        return cipher().rotate(token.encode()).decode()
    except InvalidToken:
        raise CannotDecrypt() from None


class EncryptedText(TypeDecorator):
    """Text stored as a Fernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


class EncryptedJSON(TypeDecorator):
    """A JSON value (a list of answers or topics) stored as a Fernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(decrypt(value))
