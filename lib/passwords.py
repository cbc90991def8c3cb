"""Rules for new passwords."""
from __future__ import annotations

from lib.errors import InvalidInput

MIN_LENGTH = 12
# The most common passwords that meet the length rule (from public breach lists).
COMMON = {
    "123456789012", "password1234", "qwertyuiopas", "111111111111", "passwordpassword",
    "iloveyou1234", "qwerty123456", "123456123456", "1q2w3e4r5t6y", "abc123abc123",
    "password123!", "welcome12345", "letmein12345", "changeme1234", "administrator",
    "qwertyuiop12", "1234567890ab", "aaaaaaaaaaaa", "000000000000", "passw0rd1234",
    "booking-desk-demo",
}


def check_new_password(password: str) -> None:
    if len(password or "") < MIN_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_LENGTH} characters.", "password")
    lowered = password.lower()
    if lowered in COMMON or len(set(lowered)) <= 2:
        raise InvalidInput("That password is too common; please choose another.", "password")
