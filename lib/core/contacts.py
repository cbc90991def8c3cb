"""Email addresses and phone numbers, checked before anything is stored or sent."""
from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from lib.core.errors import InvalidInput


def normalise_email(value: str, field: str = "email") -> str:
    try:
        # Lower-cased whole: clients are matched by email, and nobody means Hannah@ and hannah@ to differ.
        return validate_email((value or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput(f"'{value}' is not a valid email address: {exc}", field) from None


def normalise_phone(value: str | None, region: str = "GB", field: str = "phone") -> str | None:
    """E.164 ('+447911123456'), or None for an empty value."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(f"'{value}' is not a phone number.", field) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(f"'{value}' is not a valid phone number.", field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
