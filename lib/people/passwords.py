"""Rules for new passwords: 12+ characters and hard to guess, judged by zxcvbn (score 3 or more of 4)."""
from __future__ import annotations

from zxcvbn import zxcvbn

from lib.core.errors import InvalidInput

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", about 10^8 guesses or more
MAX_LENGTH = 200  # bcrypt reads 72 bytes; the rest only slows zxcvbn down


def check_new_password(password: str, about_the_person: tuple[str, ...] = ()) -> None:
    """Raise InvalidInput saying why a password is refused. `about_the_person`: their username, name and
    email, which zxcvbn treats as easy guesses."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_LENGTH} characters.", "password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"A password may have at most {MAX_LENGTH} characters.", "password")
    words = [w for item in about_the_person if item for w in [item, *item.replace("@", " ").replace(".", " ").split()]]
    verdict = zxcvbn(password, user_inputs=words)
    if verdict["score"] < MIN_SCORE:
        feedback = verdict.get("feedback") or {}
        reasons = " ".join(r for r in [feedback.get("warning"), *(feedback.get("suggestions") or [])] if r)
        raise InvalidInput("That password is too easy to guess" + (f": {reasons}" if reasons else ".")
                           + " A few unrelated words together make a strong one.", "password")
