"""The bookings API's routes: read the request within its limits, call lib.booking_api.service, answer JSON."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from lib.booking_api import service
from lib.booking_api.openapi import SPEC
from lib.core import config
from lib.core.rate_limit import RateLimit

_TOO_LARGE = {"error": "too_large", "message": f"The body may be at most {service.MAX_BODY // 1024} KB."}
_limit: list[RateLimit] = []


def _rate_limit() -> RateLimit:
    if not _limit:
        _limit.append(RateLimit(config.settings().BOOKING_CHANNEL_RATE_LIMIT, 60.0))
    return _limit[0]


def _json(answer: service.Answer) -> JSONResponse:
    return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)


async def _too_many(what: str) -> JSONResponse | None:
    allowed, wait = _rate_limit().allow()
    if allowed:
        return None
    return _json(await run_in_threadpool(
        service.refuse, 429, {"error": "rate_limited", "message": f"Too many calls; try again in {wait} s."},
        what, "over the rate limit", {"Retry-After": str(wait)}))


async def _body(request) -> bytes | None:
    """The body, or None when it is larger than the limit (read no further than that)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > service.MAX_BODY:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > service.MAX_BODY:
            return None
    return body


async def post_booking(request):
    what = "POST /api/v1/bookings"
    if refused := await _too_many(what):
        return refused
    body = await _body(request)
    if body is None:
        return _json(await run_in_threadpool(service.refuse, 413, _TOO_LARGE, what, "body over 64 KB"))
    return _json(await run_in_threadpool(service.receive, body, dict(request.headers)))


async def get_booking(request):
    booking_id = request.path_params["booking_id"]
    if refused := await _too_many(f"GET /api/v1/bookings/{booking_id}"):
        return refused
    return _json(await run_in_threadpool(service.booking_status, booking_id, dict(request.headers)))


async def openapi(_request):
    return JSONResponse(SPEC)


async def not_found(_request):
    """Any other /api/ address: a JSON 404, not the app's HTML page."""
    return JSONResponse({"error": "not_found"}, status_code=404)
