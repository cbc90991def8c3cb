"""GET /healthz (the process answers) and GET /readyz (ready for traffic: lib.health says what that means)."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from lib import health
from server.lifecycle import current_dispatcher


async def healthz(_request):
    return JSONResponse({"status": "ok"})


async def readyz(_request):
    ready, report = await run_in_threadpool(health.readiness, current_dispatcher())
    return JSONResponse(report, status_code=200 if ready else 503)
