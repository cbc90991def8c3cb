"""How the practice presents itself: its name and logo on the clients' pages, and its response target.

Read through lib.practice.rules.recent (kept a few seconds per server): every client page and dashboard reads it.
The logo is a small PNG or JPEG kept as a data: address in the practice's settings (the pages' CSP allows
data: images, and no file store is needed).
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

from lib.audit import trail
from lib.core import config
from lib.core.access import Actor, require_manager
from lib.core.db import reading, unit_of_work
from lib.core.errors import InvalidInput
from lib.core.vocabulary import AuditAction
from lib.practice import rules

LOGO_MAX_BYTES = 64 * 1024
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True)
class Brand:
    name: str
    logo: str | None  # a data: address, or None
    target_hours: float


def brand() -> Brand:
    with reading() as conn:
        settings, _ = rules.recent(conn, config.database_url())
    return Brand(settings["practice_name"], settings.get("practice_logo"), float(settings["response_target_hours"]))


def logo_data_url(data: bytes) -> str:
    """A PNG or JPEG of at most 64 KB as a data: address; anything else is refused with the reason."""
    if len(data) > LOGO_MAX_BYTES:
        raise InvalidInput(f"The logo is {len(data) // 1024} KB; please use one of at most "
                           f"{LOGO_MAX_BYTES // 1024} KB (a PNG about 300 pixels wide is plenty).", "logo")
    kind = next((mime for sig, mime in _SIGNATURES.items() if data.startswith(sig)), None)
    if kind is None:
        raise InvalidInput("The logo must be a PNG or JPEG image.", "logo")
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def update(actor: Actor, name: str, logo: bytes | None = None, remove_logo: bool = False,
           browser_session: str | None = None) -> None:
    """A manager changes the name clients see (and the logo). One transaction, audited."""
    require_manager(actor)
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 100:
        raise InvalidInput("The practice's name needs 2 to 100 characters.", "practice_name")
    url = logo_data_url(logo) if logo else None
    with unit_of_work(write=True) as s:
        rules.set_value(s, "practice_name", name)
        if url or remove_logo:
            rules.set_value(s, "practice_logo", url)
        trail.record(s, actor.username, AuditAction.PRACTICE_BRAND_CHANGED, browser_session=browser_session,
                     detail="logo changed" if url else "logo removed" if remove_logo else None)
