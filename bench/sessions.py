"""Many people at once on one app server process (PostgreSQL), against an empty Streamlit app served the
same way (the same server settings, `streamlit run`, 127.0.0.1), taking turns.

K sessions (BENCH_SESSIONS_K, default 1,10,25,50,100) connect through Streamlit's websocket protocol
(bench.ws_client: no browser per session, which two cores could not run), sign in as therapists of the
demo practice and open a session page with an assessment; then each clicks the answers toggle
BENCH_SESSIONS_CLICKS times, pausing 0–2 × BENCH_SESSIONS_THINK seconds before each click (a person
reading), and the time from the click to the end of the server's answer (`script_finished`) is kept.
Each click reruns the whole page, as Confirm Session, an answer or a filter does. (In the browser the
toggle itself reruns only its fragment, which is lighter; this client does not speak fragments.)
The empty app has one toggle that shows one line. Everything targets 127.0.0.1, and each K ends after
its clicks (the whole suite stops after BENCH_SESSIONS_MAX_SECONDS in any case).

Figures: sessions_<K>_p50_ms / _p95_ms and empty_sessions_<K>_p50_ms / _p95_ms;
capacity_sessions_vs_empty = the largest K with p95 <= 300 ms for the app / the same for the empty app;
memory_per_session_mb (the server's resident memory growth per connected, idle, signed-in session on the
session page, over BENCH_SESSIONS_MEMORY sessions arriving ten at a time) and memory_per_session_vs_empty;
memory_per_session_one_by_one_mb and _vs_empty, the same with sessions arriving one by one (fresh servers).
"""
from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench import data
from bench.ws_client import Session

KS = [int(k) for k in os.environ.get("BENCH_SESSIONS_K", "1,10,25,50,100").split(",")]
CLICKS = int(os.environ.get("BENCH_SESSIONS_CLICKS", "6"))
THINK = float(os.environ.get("BENCH_SESSIONS_THINK", "1.0"))
MEMORY_SESSIONS = int(os.environ.get("BENCH_SESSIONS_MEMORY", "50"))
MAX_SECONDS = float(os.environ.get("BENCH_SESSIONS_MAX_SECONDS", "1800"))
P95_LIMIT_MS = 300
TOGGLE = "Show every answer, item by item"
THERAPISTS = ("alice", "bob")
ROOT = Path(__file__).resolve().parent.parent
EMPTY_APP = f'''import streamlit as st

st.title("Empty")
if st.toggle({TOGGLE!r}, key="answers"):
    st.write("Little interest or pleasure in doing things")
period = st.selectbox("Period", ["Last 30 days", "Last 90 days"], key="period")
st.write(f"Requests made in the {{period.lower()}}")
'''


@contextmanager
def _server(script: Path, cwd: Path, env: dict, log: Path):
    """`streamlit run` on 127.0.0.1 until healthy; (port, pid); stopped on exit."""
    from tests.e2e.conftest import _free_port, _healthy, stop

    port = _free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                                 "--server.address", "127.0.0.1", "--server.headless", "true",
                                 "--server.fileWatcherType", "none"], cwd=cwd, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not _healthy(f"http://127.0.0.1:{port}"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{script.name} did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.2)
            yield port, proc.pid
        finally:
            stop(proc, 15)


def empty_app(workdir: Path, env: dict):
    """The empty app in `workdir`/empty, with our server settings, served on 127.0.0.1: (port, pid)."""
    empty_dir = workdir / "empty"
    (empty_dir / ".streamlit").mkdir(parents=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", empty_dir / ".streamlit" / "config.toml")
    (empty_dir / "empty_app.py").write_text(EMPTY_APP)
    return _server(empty_dir / "empty_app.py", empty_dir, env, workdir / "empty.log")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class _Contender:
    def __init__(self, name: str, port: int, pid: int, booking_ids: dict[str, int] | None):
        self.name, self.port, self.pid, self.booking_ids = name, port, pid, booking_ids

    async def open(self, n: int) -> Session:
        from lib.demo.seed import DEMO_PASSWORD

        s = Session(self.port)
        await s.connect()
        await s.run()
        if self.booking_ids is not None:  # sign in, then the session page
            who = THERAPISTS[n % len(THERAPISTS)]
            s.fill("Username", who)
            s.fill("Password", DEMO_PASSWORD)
            await s.run("Log in")
            await s.cookies_written()
            s.values.clear()
            s.page_hash, s.page_name, s.query = "", "session", f"id={self.booking_ids[who]}"
            await s.run()
        if TOGGLE not in s.widgets:
            raise RuntimeError(f"{self.name}: no answers toggle after opening ({s.texts[:5]})")
        return s

    async def sessions(self, k: int, crowd: int = 10) -> list[Session]:
        opened = []
        for i in range(0, k, crowd):  # `crowd` at a time (ten by default): a crowd arriving, not one instant
            opened += await asyncio.gather(*[self.open(n) for n in range(i, min(k, i + crowd))])
        return opened


async def _clicks(sessions: list[Session], rnd: random.Random) -> list[float]:
    async def one(s: Session) -> list[float]:
        times = []
        for _ in range(CLICKS):
            await asyncio.sleep(rnd.uniform(0, 2 * THINK))
            times.append(await s.flip(TOGGLE))
        return times

    return [t for ts in await asyncio.gather(*[one(s) for s in sessions]) for t in ts]


async def _measure_k(contender: _Contender, k: int, rnd: random.Random) -> tuple[float, float]:
    sessions = await contender.sessions(k)
    try:
        for s in sessions[: min(k, 5)]:
            await s.flip(TOGGLE)  # warm-up
        times = await _clicks(sessions, rnd)
    finally:
        await asyncio.gather(*[s.close() for s in sessions])
    q = statistics.quantiles(times, n=20) if len(times) > 1 else [times[0]] * 19
    return statistics.median(times) * 1000, q[18] * 1000


async def _memory(contender: _Contender, crowd: int = 10) -> float:
    """Resident memory growth per session, MEMORY_SESSIONS sessions arriving `crowd` at a time, left idle."""
    warm = await contender.sessions(2)
    await asyncio.gather(*[s.close() for s in warm])
    await asyncio.sleep(2)
    before = _rss_mb(contender.pid)
    sessions = await contender.sessions(MEMORY_SESSIONS, crowd)
    await asyncio.sleep(3)  # idle
    after = _rss_mb(contender.pid)
    await asyncio.gather(*[s.close() for s in sessions])
    return (after - before) / MEMORY_SESSIONS


def _demo_postgres(workdir: Path) -> tuple[str, dict[str, int]]:
    """A PostgreSQL database with the demo practice, and for each therapist a session with an assessment."""
    from sqlalchemy import select

    from lib.core import db
    from lib.core.models import Assessment, Booking, User
    from tests.e2e.conftest import _lib

    url = data.fresh_postgres()
    env = os.environ | {"DATABASE_URL": url}
    env.pop("BOOKING_DESK_SECRET", None)
    _lib(["seed-demo"], env)
    with db.engine(url).connect() as conn:
        ids = {}
        for who in THERAPISTS:
            ids[who] = conn.scalar(select(Booking.id).join(User, User.id == Booking.therapist_id)
                                   .join(Assessment, Assessment.relationship_id == Booking.relationship_id)
                                   .where(User.username == who, Booking.status == "unconfirmed")
                                   .order_by(Booking.id).limit(1))
    return url, ids


def _memory_one_by_one(report, workdir: Path, env: dict, ids: dict[str, int]) -> None:
    """Memory per idle session with sessions arriving one by one, on servers of their own: what each session
    keeps, without what the allocator holds on to after ten pages ran at once (docs/benchmarks.md)."""
    with ExitStack() as stack:
        app = _Contender("app", *stack.enter_context(_server(ROOT / "streamlit_app.py", ROOT, env,
                                                             workdir / "app-one.log")), ids)
        empty = _Contender("empty", *stack.enter_context(empty_app(workdir / "one", env)), None)
        app_mb, empty_mb = asyncio.run(_memory(app, crowd=1)), asyncio.run(_memory(empty, crowd=1))
    print(f"  the same, arriving one by one: app {app_mb:.2f} MB, empty {empty_mb:.2f} MB", flush=True)
    report("memory_per_session_one_by_one_mb", app_mb)
    report("memory_per_session_one_by_one_vs_empty", app_mb / empty_mb if empty_mb > 0 else float("nan"))


def run(report) -> None:
    started = time.monotonic()
    rnd = random.Random(21)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bd-sessions-")))
        url, ids = _demo_postgres(workdir)
        env = os.environ | {"DATABASE_URL": url, "BOOKING_DESK_DISPATCHER": "off",
                            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
        env.pop("BOOKING_DESK_SECRET", None)  # the demo practice's own
        _memory_one_by_one(report, workdir, env, ids)
        app = _Contender("app", *stack.enter_context(_server(ROOT / "streamlit_app.py", ROOT, env,
                                                             workdir / "app.log")), ids)
        empty = _Contender("empty", *stack.enter_context(empty_app(workdir, env)), None)
        # Memory first, on servers that have not held more sessions yet: memory freed by earlier sessions is
        # kept by the process and reused, and would hide what new ones take.
        app_mb = asyncio.run(_memory(app))
        empty_mb = asyncio.run(_memory(empty))
        print(f"  memory per idle signed-in session: app {app_mb:.2f} MB, empty {empty_mb:.2f} MB", flush=True)
        report("memory_per_session_mb", app_mb)
        report("memory_per_session_vs_empty", app_mb / empty_mb if empty_mb > 0 else float("nan"))
        capacity = {"app": 0, "empty": 0}

        async def all_k():
            for i, k in enumerate(KS):
                if time.monotonic() - started > MAX_SECONDS:
                    print(f"  stopped before K={k}: over {MAX_SECONDS:.0f} s", flush=True)
                    return
                for contender in ((app, empty) if i % 2 == 0 else (empty, app)):  # taking turns
                    p50, p95 = await _measure_k(contender, k, rnd)
                    prefix = "sessions" if contender is app else "empty_sessions"
                    print(f"  {contender.name} K={k}: click to answer p50 {p50:.0f} ms, p95 {p95:.0f} ms",
                          flush=True)
                    report(f"{prefix}_{k}_p50_ms", p50)
                    report(f"{prefix}_{k}_p95_ms", p95)
                    if p95 <= P95_LIMIT_MS:
                        capacity[contender.name] = max(capacity[contender.name], k)

        asyncio.run(all_k())
        print(f"  largest K with p95 <= {P95_LIMIT_MS} ms: app {capacity['app']}, empty {capacity['empty']}",
              flush=True)
        if capacity["empty"]:
            report("capacity_sessions_vs_empty", capacity["app"] / capacity["empty"])
    data.drop_postgres(url)
