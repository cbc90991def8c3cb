"""The signing key for login cookies: required in production, derived for the demo only."""
from __future__ import annotations

import hashlib

from lib import config

MIN_BYTES = 32


def cookie_key(demo_in_use: bool) -> tuple[str | None, str | None]:
    """(key, problem). With no key and no demo data the app must refuse to start."""
    secret = config.get("BOOKING_DESK_SECRET")
    if secret and len(secret.encode()) >= MIN_BYTES:
        return secret, None
    if secret:
        return None, f"BOOKING_DESK_SECRET must be at least {MIN_BYTES} bytes long."
    if demo_in_use:
        # Demo only: a key that is stable across restarts of this install.
        return hashlib.sha256(f"booking-desk-demo:{config.ROOT}".encode()).hexdigest(), None
    return None, ("BOOKING_DESK_SECRET is not set. Set it (32+ random bytes, e.g. `python -c \"import secrets; "
                  "print(secrets.token_urlsafe(48))\"`) in the environment or .streamlit/secrets.toml.")
