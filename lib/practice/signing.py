"""The practice's signing key (BOOKING_DESK_SECRET) for login cookies and client links."""
from __future__ import annotations

import hashlib

from lib.core import config
from lib.practice.rules import demo_in_use

MIN_BYTES = 32


def secret_key(demo_in_use: bool) -> tuple[str | None, str | None]:
    """(key, problem). With no key and no demo data the app must refuse to start."""
    secret = config.settings().BOOKING_DESK_SECRET
    if secret and len(secret.encode()) >= MIN_BYTES:
        return secret, None
    if secret:
        return None, f"BOOKING_DESK_SECRET must be at least {MIN_BYTES} bytes long."
    if demo_in_use:
        # Demo only: a key that is stable across restarts of this install.
        return hashlib.sha256(f"booking-desk-demo:{config.ROOT}".encode()).hexdigest(), None
    return None, ("BOOKING_DESK_SECRET is not set. Set it (32+ random bytes, e.g. `python -c \"import secrets; "
                  "print(secrets.token_urlsafe(48))\"`) in the environment or .streamlit/secrets.toml.")


def key_for_links(session=None) -> str:
    """The key for client links; falls back to the demo key only where the demo key is allowed."""
    key, problem = secret_key(demo_in_use(session))
    if key is None:
        raise RuntimeError(problem)
    return key
