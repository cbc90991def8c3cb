"""The signing key for login cookies (see lib.signing)."""
from lib.signing import MIN_BYTES, secret_key as cookie_key

__all__ = ["MIN_BYTES", "cookie_key"]
