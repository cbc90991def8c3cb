"""GET /calendar/<token>.ics: a therapist's private calendar feed (lib.calendars.feed says what is in it)."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse, Response

from lib.calendars import feed as calendar_feed
from lib.core.errors import BookingDeskError


async def feed(request):
    try:
        body = await run_in_threadpool(calendar_feed.feed_for, request.path_params.get("token"))
    except BookingDeskError as exc:  # the database is down: say so, and let the calendar app try later
        return PlainTextResponse(exc.message, status_code=503, headers={"Retry-After": "300"})
    if body is None:
        return PlainTextResponse("Not found", status_code=404)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow",
                             "Content-Disposition": 'inline; filename="booking-desk.ics"'})
