"""Settings: each therapist's own, and the practice's (managers only). Bad values change nothing."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays

from lib.core import clock
from lib.core.access import Actor, require_actor, require_manager
from lib.core.contacts import normalise_email, normalise_phone
from lib.core.db import unit_of_work
from lib.core.errors import InvalidFields, InvalidInput
from lib.core.models import User
from lib.practice import rules
from lib.practice.business_hours import DAYS, BusinessCalendar, add_business_seconds

_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def parse_hours(text: str) -> list[list[str]]:
    """'09:00-12:30, 13:30-17:00' → [["09:00","12:30"], ["13:30","17:00"]]; '' → not working."""
    spans = []
    for part in [p for p in (text or "").split(",") if p.strip()]:
        m = _SPAN.match(part)
        if not m:
            raise InvalidInput(f"'{part.strip()}' isn't a time range like 09:00-17:00.")
        h1, m1, h2, m2 = map(int, m.groups())
        if not (0 <= h1 <= 23 and 0 <= h2 <= 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
            raise InvalidInput(f"'{part.strip()}' must start before it ends, within one day.")
        spans.append([f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"])
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]:
            raise InvalidInput("Two time ranges overlap.")
    return spans


def format_hours(spans: list) -> str:
    return ", ".join(f"{a}-{b}" for a, b in spans or [])


def checked_week(texts: dict[str, str], errors: dict[str, str], prefix: str) -> dict:
    week = {}
    for day in DAYS:
        try:
            week[day] = parse_hours(texts.get(day, ""))
        except InvalidInput as exc:
            errors[f"{prefix}{day}"] = exc.message
    return week


def checked_timezone(value: str, errors: dict, field: str = "timezone") -> str:
    try:
        ZoneInfo(value)
        if value not in available_timezones():
            raise ZoneInfoNotFoundError
    except (ZoneInfoNotFoundError, ValueError):
        errors[field] = f"'{value}' isn't a timezone we know (try Europe/London)."
    return value


def _lines(text: str, what: str, errors: dict, field: str) -> list[str]:
    items = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if any(len(i) > 300 for i in items):
        errors[field] = f"Each {what} must be under 300 characters."
    return items


@dataclass(frozen=True)
class MySettings:
    name: str
    email: str
    phone: str | None
    sms_opt_in: bool
    sms_phone: str | None
    timezone: str
    working_hours: dict
    addresses: list[str]
    video_services: list[str]


def mine(actor: Actor) -> MySettings:
    actor = require_actor(actor)
    with unit_of_work() as s:
        u = s.get_one(User, actor.id)
        return MySettings(u.name, u.email, u.phone, u.sms_opt_in, u.sms_phone, u.timezone,
                          u.working_hours or {d: [] for d in DAYS}, u.addresses or [], u.video_services or [])


def update_mine(actor: Actor, *, email: str, phone: str, sms_opt_in: bool, sms_phone: str, timezone: str,
                hours: dict[str, str], addresses: str, video_services: str) -> None:
    """Validate everything first; save all or nothing."""
    actor = require_actor(actor)
    errors: dict[str, str] = {}
    values = {}
    for field, fn in (("email", lambda: normalise_email(email)), ("phone", lambda: normalise_phone(phone)),
                      ("sms_phone", lambda: normalise_phone(sms_phone))):
        try:
            values[field] = fn()
        except InvalidInput as exc:
            errors[field] = exc.message
    if sms_opt_in and not values.get("sms_phone") and "sms_phone" not in errors:
        errors["sms_phone"] = "To get SMS alerts, please give a mobile number."
    tz = checked_timezone(timezone, errors)
    week = checked_week(hours, errors, "hours_")
    addr = _lines(addresses, "address", errors, "addresses")
    services = _lines(video_services, "service", errors, "video_services")
    if errors:
        raise InvalidFields(errors)
    with unit_of_work(write=True) as s:
        u = s.get_one(User, actor.id)
        # email: normalise_email() gave a str (it raised otherwise)
        u.email, u.phone, u.sms_phone = cast(str, values["email"]), values["phone"], values["sms_phone"]
        u.sms_opt_in, u.timezone, u.working_hours = bool(sms_opt_in), tz, week
        u.addresses, u.video_services = addr, services


# --- practice-wide (managers) ---

def practice_settings(actor: Actor) -> dict:
    require_manager(actor)
    with unit_of_work() as s:
        return rules.get_all(s)


def update_practice(actor: Actor, *, timezone: str, hours: dict[str, str], holiday_country: str,
                    holiday_subdiv: str, response_target_hours: float, expiry_schedule: list[dict],
                    minimum_notice_hours: float | None = None) -> None:
    require_manager(actor)
    errors: dict[str, str] = {}
    tz = checked_timezone(timezone, errors)
    week = checked_week(hours, errors, "hours_")
    country = (holiday_country or "").strip().upper()
    subdiv = (holiday_subdiv or "").strip().upper() or None
    supported = holidays.list_supported_countries()
    if country not in supported:
        errors["holiday_country"] = f"'{holiday_country}' isn't a supported country code (e.g. GB, IE, US)."
    elif subdiv and subdiv not in supported[country]:
        errors["holiday_subdiv"] = f"'{holiday_subdiv}' isn't a region of {country} (e.g. {', '.join(supported[country][:4])})."
    try:
        target = float(response_target_hours)
        if not 0.25 <= target <= 72:
            raise ValueError
    except (TypeError, ValueError):
        errors["response_target_hours"] = "The response target must be between 0.25 and 72 business hours."
        target = 4
    schedule = _schedule(expiry_schedule, errors)
    changes = {}
    if minimum_notice_hours is not None:  # left as it is when not given
        try:
            changes["minimum_notice_hours"] = float(minimum_notice_hours)
            if not 0 <= changes["minimum_notice_hours"] <= 24 * 14:
                raise ValueError
        except (TypeError, ValueError):
            errors["minimum_notice_hours"] = "The minimum notice must be between 0 and 336 hours (two weeks)."
    if not errors:
        try:  # a week with no opening hours would make every due time infinite
            add_business_seconds(clock.now(), 3600, BusinessCalendar.from_settings(tz, week, country, subdiv))
        except ValueError:
            errors["hours_mon"] = "The practice needs some business hours."
    if errors:
        raise InvalidFields(errors)
    with unit_of_work(write=True) as s:
        for key, value in (("timezone", tz), ("business_hours", week), ("holiday_country", country),
                           ("holiday_subdiv", subdiv), ("response_target_hours", target),
                           ("expiry_schedule", schedule), *changes.items()):
            rules.set_value(s, key, value)


def _num(value) -> float:
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise ValueError
    return number


def _schedule(rows: list[dict], errors: dict) -> list[dict]:
    """Rows of (lead under N hours → expire M hours before the start); the last row is 'N business hours after
    the request' (a row still in the stored calendar-hours form is read by practice.business_hours_after_request)."""
    out: list[dict[str, float | None]] = []
    last_limit = 0.0
    try:
        for row in rows[:-1]:
            limit, before = _num(row["lead_under_hours"]), _num(row["hours_before_start"])
            if limit <= last_limit or before < 0 or before >= limit:
                raise ValueError
            out.append({"lead_under_hours": limit, "hours_before_start": before})
            last_limit = limit
        after = _num(rules.business_hours_after_request(rows[-1]))
        if after <= 0:
            raise ValueError
        out.append({"lead_under_hours": None, "business_hours_after_request": after})
    except (KeyError, TypeError, ValueError, IndexError):
        errors["expiry_schedule"] = ("Each row's lead time must be larger than the row above, and a session must "
                                     "expire before it starts; the last row needs a positive number of business hours.")
    return out
