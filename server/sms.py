"""POST /sms/inbound — Twilio's inbound SMS webhook: check Twilio's signature, hand the text to
lib.bookings.sms_replies, answer TwiML.

The signature (X-Twilio-Signature) is checked with twilio's own RequestValidator, keyed with
TWILIO_AUTH_TOKEN, over the address Twilio posted to: APP_BASE_URL + /sms/inbound (+ the query, if any),
which is the address to give Twilio. A request that fails the check (or arrives while no auth token is
set) is refused with 403, audited, and acted on in no way.
"""
from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from lib.bookings import sms_replies
from lib.core import config
from lib.core.errors import BookingDeskError
from lib.core.rate_limit import RateLimit

log = logging.getLogger(__name__)
APOLOGY = "Please answer in the app."

PATH = "/sms/inbound"
MAX_BODY = 16 * 1024  # a text and Twilio's fields fit in a few KB
_limit = RateLimit(120, 60.0)  # per server: forged floods can't fill the audit trail fast


def twiml(text: str | None) -> str:
    """A TwiML answer: one message back, or none."""
    from twilio.twiml.messaging_response import MessagingResponse  # imported when a text arrives, not at boot

    answer = MessagingResponse()
    if text:
        answer.message(text)
    return str(answer)


def _answer(text: str | None, status: int = 200) -> Response:
    return Response(twiml(text), status_code=status, media_type="application/xml")


def signed_url(query: str = "") -> str:
    return f"{config.app_base_url()}{PATH}" + (f"?{query}" if query else "")


def genuine(url: str, params: dict, signature: str | None) -> bool:
    from twilio.request_validator import RequestValidator

    token = config.settings().TWILIO_AUTH_TOKEN
    return bool(token and signature) and RequestValidator(token).validate(url, params, signature)


async def inbound(request):
    allowed, wait = _limit.allow()
    if not allowed:
        return Response("Too many requests", status_code=429, headers={"Retry-After": str(wait)})
    declared = request.headers.get("content-length")
    body = b""
    if not (declared and declared.isdigit() and int(declared) > MAX_BODY):
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                break
    if not body or len(body) > MAX_BODY:
        return _answer(None, 413 if body else 400)
    params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    ok = await run_in_threadpool(genuine, signed_url(request.url.query), params,
                                 request.headers.get("x-twilio-signature"))
    if not ok:
        await run_in_threadpool(sms_replies.record_forgery, params.get("From"))
        return _answer(None, 403)
    try:
        reply = await run_in_threadpool(sms_replies.handle, params.get("From"), params.get("Body"))
    except BookingDeskError as exc:  # the database is down, say: nothing was changed, and the sender is told
        log.warning("inbound SMS not handled: %s", exc.message)
        return _answer(f"Booking Desk couldn't take this reply just now, so nothing was changed. {APOLOGY}")
    return _answer(reply.text)
