"""The signing key for login cookies (see lib.practice.signing)."""
from lib.practice.signing import MIN_BYTES
from lib.practice.signing import secret_key as cookie_key

__all__ = ["MIN_BYTES", "cookie_key"]
