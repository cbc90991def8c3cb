"""The figures' rows kept up to date as things happen (lib.bookings.metric_days) equal the figures worked out from
scratch from `bookings` (lib.metrics.query), after a random mix of what a practice does, on both databases."""
from __future__ import annotations

import io
import json
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, select

from lib.bookings import answers, metric_days, metric_digest, reassign
from lib.bookings import dashboard as bookings
from lib.bookings import deadlines as timers
from lib.core import clock
from lib.core.db import engine, reading, unit_of_work
from lib.core.errors import BookingDeskError
from lib.core.models import AwayPeriod, Booking, BookingEvent, MetricDay, MetricPracticeDay
from lib.imports import importer
from lib.metrics import periods
from lib.metrics.kept import figures as kept
from lib.metrics.query import RequestRows, Scope
from lib.metrics.query import figures as from_scratch
from lib.people import auth
from lib.practice.rules import Rules
from tests.conftest import NOW
from tests.factories import PASSWORD, WEEKDAYS, book
from tests.integration.import_data import csv_bytes, row

TYPES = ("individual", "couple", "family", "group")


def _rows_now() -> dict:
    with reading() as conn:
        rows = conn.execute(select(MetricDay.therapist_id, MetricDay.day, MetricDay.facts)).all()
    return {(t, d): json.loads(f) for t, d, f in rows if f != "[]"}  # a day left without requests keeps a row


def _practice_rows_now() -> dict:
    with reading() as conn:
        rows = conn.execute(select(MetricPracticeDay.day, MetricPracticeDay.part, MetricPracticeDay.digest)).all()
    empty = ({}, {"p": [], "r": []}, {"p": [], "r": [], "tp": [], "tr": []})
    return {(d, p): json.loads(text) for d, p, text in rows if json.loads(text) not in empty}


def _version(bid: int) -> int:
    with unit_of_work() as s:
        return s.get(Booking, bid).version


def _book_and_answer(p, rnd: random.Random, therapists: list, n: int, days: float, answered: int,
                     actions: tuple) -> None:
    """`n` requests over the last `days`, at any hour; then `answered` of them each get one of `actions`, at
    some point after they were made."""
    by_id = {t.id: t for t in therapists}
    ids = []
    for i in range(n):
        clock.freeze(NOW - timedelta(days=rnd.uniform(0, days)))
        try:
            ids.append(book(rnd.choice(therapists), email=f"c{i}@client.test", notify=False,
                            requested_ago=timedelta(0), session_type=rnd.choice(TYPES),
                            starts_at=clock.now() + timedelta(days=rnd.uniform(0.2, 12))))
        finally:
            clock.freeze(NOW)
    for bid in rnd.sample(ids, answered):
        with unit_of_work() as s:
            b = s.get(Booking, bid)
            owner = by_id[b.therapist_id]
        action = rnd.choice(actions)
        clock.freeze(min(NOW, b.requested_at + timedelta(hours=rnd.uniform(0.1, 60))))
        try:
            if action == "confirm":
                bookings.confirm(owner, bid, _version(bid))
            elif action == "decline":
                answers.decline_not_fit(owner, bid, _version(bid), "Not my field", "anxiety", "couples work")
            elif action == "cancel":
                answers.cancel(owner, bid, _version(bid), "Ill", full_refund=True)
            elif action == "client_cancels":
                with unit_of_work(write=True) as s:
                    s.get(Booking, bid).status = "cancelled"
                    s.add(BookingEvent(booking_id=bid, kind="cancelled", actor="client", at=clock.now()))
            elif action == "reassign":
                others = [t for t in therapists if t.id != owner.id]
                reassign.reassign(p.morgan, bid, (others[0] if len(others) == 1 else rnd.choice(others)).id)
        except BookingDeskError:
            pass  # a rule said no (too late, a clash): nothing changed, as for a person
        finally:
            clock.freeze(NOW)


def _random_practice(p, rnd: random.Random) -> None:
    _book_and_answer(p, rnd, [p.alice, p.bob], 40, 50, 30,
                     ("confirm", "decline", "cancel", "client_cancels", "reassign", "leave"))
    with unit_of_work(write=True) as s:  # Bob was away for a few days, three weeks ago (told afterwards)
        s.add(AwayPeriod(therapist_id=p.bob.id, starts_at=NOW - timedelta(days=24), ends_at=NOW - timedelta(days=19),
                         created_by="morgan", created_at=NOW))
    importer.import_csv(p.morgan, io.BytesIO(csv_bytes([
        row(client_email=f"imported{i}@example.org", therapist=rnd.choice(("alice", "bob")),
            starts_at=f"2026-12-{i + 1:02d}T14:00+00:00",
            requested_at=(NOW - timedelta(days=rnd.uniform(0, 20))).strftime("%Y-%m-%dT%H:%M+00:00"))
        for i in range(8)])))
    timers.tick()  # what passed its expiry is closed


def test_kept_rows_and_figures_equal_the_figures_worked_out_from_scratch(practice):
    rnd = random.Random(21)
    _random_practice(practice, rnd)

    kept_rows, kept_practice = _rows_now(), _practice_rows_now()
    with engine().begin() as conn:
        metric_days.rebuild(conn)
    assert kept_rows == _rows_now()
    assert kept_practice == _practice_rows_now() and len(kept_practice) >= 20  # the practice's days, kept as rebuilt
    statuses = {f[3] for facts in kept_rows.values() for f in facts}
    assert {"confirmed", "cancelled", "unconfirmed"} <= statuses and len(statuses) >= 4

    with unit_of_work() as s:
        rules = Rules.load(s)
    year = periods.between(date(2025, 11, 25), date(2026, 11, 24), "Europe/London")
    month = periods.last_days(30, NOW)
    scopes = [Scope(month.start, month.end, NOW), Scope(year.start, year.end, NOW),
              Scope(year.start, year.end, NOW, practice.bob.id), Scope(month.start, month.end, NOW, practice.alice.id),
              Scope(year.start, year.end, NOW, None, "couple"), Scope(month.start, month.end, NOW + timedelta(days=3))]
    with reading() as conn:
        for scope in scopes:
            rows = RequestRows(rules, scope)
            expected = from_scratch(conn, rows)
            assert kept(conn, rows) == expected
            # Without a row per therapist the whole practice's days are read from its own rows.
            without_table = ("all", "week", "bin")
            assert kept(conn, rows, without_table) == from_scratch(conn, rows, without_table)
        # A practice half an hour off UTC: each local week starts within a UTC hour, which goes request by
        # request; the period starts and ends within an hour too.
        kolkata = Rules(rules.settings | {"timezone": "Asia/Kolkata"})
        for scope in (Scope(year.start, year.end, NOW), Scope(month.start, month.end, NOW, practice.bob.id)):
            rows = RequestRows(kolkata, scope)
            assert kept(conn, rows) == from_scratch(conn, rows)
            assert kept(conn, rows, ("all", "week", "bin")) == from_scratch(conn, rows, ("all", "week", "bin"))
        practice_year = from_scratch(conn, RequestRows(rules, scopes[1]))["all"][0]
    assert practice_year["answered"] >= 5 and practice_year["unanswered"] >= 1 and practice_year["away"] >= 1
    assert practice_year["cancelled"] >= 1 and practice_year["p50"] is not None


def test_an_hour_cut_by_the_period_or_a_week_counts_each_request_on_its_side(practice):
    # The period starts at 09:30 UTC thirty days ago, halfway through an hour; in Kolkata each week starts
    # at 18:30 UTC on Sunday. A request either side of both, each answered.
    month = periods.last_days(30, NOW - timedelta(minutes=30))
    week_start = clock.to_utc_naive(datetime(2026, 11, 16, tzinfo=ZoneInfo("Asia/Kolkata")))  # a Monday
    times = [month.start - timedelta(minutes=10), month.start + timedelta(minutes=10),
             week_start - timedelta(minutes=10), week_start + timedelta(minutes=10)]
    for i, at in enumerate(times):
        clock.freeze(at)
        try:
            bid = book(practice.alice, email=f"edge{i}@client.test", notify=False, requested_ago=timedelta(0),
                       starts_at=at + timedelta(days=4 + i))
            clock.freeze(at + timedelta(hours=2 + i))
            bookings.confirm(practice.alice, bid, _version(bid))
        finally:
            clock.freeze(NOW)
    with unit_of_work() as s:
        rules = Rules.load(s)
    kolkata = Rules(rules.settings | {"timezone": "Asia/Kolkata"})
    checks = [(rules, Scope(month.start, month.end, NOW)), (kolkata, Scope(month.start, month.end, NOW)),
              (kolkata, Scope(month.start, month.end, NOW, practice.alice.id))]
    with reading() as conn:
        for r, scope in checks:
            rows = RequestRows(r, scope)
            for groupings in (("all", "therapist_id", "week", "bin"), ("all", "week", "bin")):
                got = kept(conn, rows, groupings)
                assert got == from_scratch(conn, rows, groupings)
        weeks = kept(conn, RequestRows(kolkata, checks[1][1]), ("week",))["week"]
    # The first request was made before the period; the others each fall in a week of their own.
    assert sorted(w["answered"] for w in weeks.values() if w["answered"]) == [1, 1, 1]


def _older_shape(text: str) -> str:
    """A digest as the release before migration 0016 wrote it: groups under "s", seconds as lists, no hours."""
    d = json.loads(text)
    return json.dumps({"s": [[*g[:5], list(metric_digest.unpack(g[5])), list(metric_digest.unpack(g[6]))]
                             for g in d.get("p", ())], "r": d.get("r", [])}, separators=(",", ":"))


def test_rows_a_previous_release_writes_during_an_upgrade_are_read_from_bookings_until_rebuilt(practice):
    _random_practice(practice, random.Random(8))
    # A server still on the previous release answers a request: it writes that therapist's day in the older
    # shape, and merges the day's practice part from rows it cannot read (its own shape only).
    with engine().begin() as conn:
        t, day, text = conn.execute(select(MetricDay.therapist_id, MetricDay.day, MetricDay.digest)
                                    .where(MetricDay.digest.like('%"p":[[%')).order_by(MetricDay.day.desc())).first()
        conn.execute(MetricDay.__table__.update().where(MetricDay.therapist_id == t, MetricDay.day == day)
                     .values(digest=_older_shape(text)))
        conn.execute(MetricPracticeDay.__table__.update().where(
            MetricPracticeDay.day == day, MetricPracticeDay.part == t % metric_days.PARTS).values(
                digest=_older_shape(text)))
        # On another day it touched a request still open: its merge of that part keeps no one's settled requests.
        other = conn.scalar(select(MetricPracticeDay.day).where(MetricPracticeDay.day < day,
                                                                MetricPracticeDay.digest.like('%"p":[[%'))
                            .order_by(MetricPracticeDay.day.desc()))
        conn.execute(MetricPracticeDay.__table__.update().where(MetricPracticeDay.day == other)
                     .values(digest='{"s":[],"r":[]}'))
        # A server of the release before 0017 rebuilt a third day's practice parts: as they were, but without
        # saying whose each request is. The By therapist table reads that day from bookings.
        third = conn.scalar(select(MetricPracticeDay.day).where(MetricPracticeDay.day < other,
                                                                MetricPracticeDay.digest.like('%"p":[[%'))
                            .order_by(MetricPracticeDay.day.desc()))
        for part, text in conn.execute(select(MetricPracticeDay.part, MetricPracticeDay.digest)
                                       .where(MetricPracticeDay.day == third)).all():
            before_0017 = {k: v for k, v in json.loads(text).items() if k not in ("tp", "tr")}
            conn.execute(MetricPracticeDay.__table__.update().where(
                MetricPracticeDay.day == third, MetricPracticeDay.part == part).values(digest=json.dumps(before_0017)))
    with unit_of_work() as s:
        rules = Rules.load(s)
    month, year = periods.last_days(30, NOW), periods.between(date(2025, 11, 25), date(2026, 11, 24), "Europe/London")
    scopes = [Scope(month.start, month.end, NOW), Scope(month.start, month.end, NOW, t), Scope(year.start, year.end, NOW)]

    def all_equal() -> None:
        with reading() as conn:
            for scope in scopes:
                rows = RequestRows(rules, scope)
                assert kept(conn, rows) == from_scratch(conn, rows)
                assert kept(conn, rows, ("all", "week", "bin")) == from_scratch(conn, rows, ("all", "week", "bin"))

    all_equal()  # the stale day is read from bookings, exactly
    with engine().begin() as conn:
        assert metric_days.rebuild_stale(conn) >= 3  # `python -m lib migrate` does this once the old servers stop
    assert not any("s" in d or "tp" not in d for d in _practice_rows_now().values())
    with reading() as conn:
        assert not conn.scalar(select(MetricDay.day).where(MetricDay.digest.like('%"s":%')))
    all_equal()


def test_therapists_who_share_a_practice_row_each_get_their_own_figures(practice):
    # The practice's rows hold PARTS therapists' days each (by id); with eighteen therapists several share one,
    # so their requests sit side by side in one group and the By therapist table must part them again.
    rnd = random.Random(5)
    with unit_of_work(write=True) as s:
        extra = [auth._actor(auth.add_user(s, f"t{i}", f"T {i}", f"t{i}@practice.example", "therapist", PASSWORD,
                                           working_hours=WEEKDAYS)) for i in range(16)]
    therapists = [practice.alice, practice.bob, *extra]
    _book_and_answer(practice, rnd, therapists, 220, 5, 180,
                     ("confirm", "confirm", "decline", "cancel", "client_cancels", "reassign", "leave"))
    with unit_of_work(write=True) as s:
        for t in therapists[::3]:
            s.add(AwayPeriod(therapist_id=t.id, starts_at=NOW - timedelta(days=3), ends_at=NOW - timedelta(days=2),
                             created_by="morgan", created_at=NOW))
    timers.tick()
    shared = [d for d in _practice_rows_now().values()
              if any(len(set(metric_digest.unpack(w))) > 1 for w in d["tp"]) or len(set(d["tr"])) > 1]
    assert len(shared) > 3  # groups and open requests of several therapists in one row

    with unit_of_work() as s:
        rules = Rules.load(s)
    kolkata = Rules(rules.settings | {"timezone": "Asia/Kolkata"})
    month, week = periods.last_days(30, NOW), periods.last_days(7, NOW - timedelta(minutes=30))
    scopes = [Scope(month.start, month.end, NOW), Scope(week.start, week.end, NOW),
              Scope(month.start, month.end, NOW, None, "couple"), Scope(week.start, week.end, NOW + timedelta(days=2)),
              Scope(month.start, month.end, NOW, therapists[9].id)]
    with reading() as conn:
        for r in (rules, kolkata):
            for scope in scopes:
                rows = RequestRows(r, scope)
                for g in (("all", "therapist_id", "week", "bin"), ("all", "therapist_id"), ("therapist_id",)):
                    assert kept(conn, rows, g) == from_scratch(conn, rows, g), (r.calendar.tz, scope, g)


def test_an_answer_reads_its_therapists_day_of_requests_through_an_index_on_both(practice):
    # Every answer rebuilds its therapist's row of that day from `bookings`. Read through the therapist's
    # bookings alone, that grew with all they ever had (SQLite: 1.4 ms an answer at 300,000 bookings, 6.3 at
    # 3,000,000); through an index on therapist and time of request it reads that day's only.
    seen = []

    def day_read(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().startswith("SELECT bookings.therapist_id, bookings.id, bookings.requested_at"):
            seen.append((statement, parameters))

    eng = engine()
    event.listen(eng, "before_cursor_execute", day_read)
    try:
        book(practice.alice, email="day@client.test", notify=False)
    finally:
        event.remove(eng, "before_cursor_execute", day_read)
    assert seen, "booking a session rebuilt no therapist's day"
    statement, parameters = seen[0]
    with eng.connect() as conn:
        if conn.dialect.name == "sqlite":
            plan = " ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
        else:  # the planner would scan a table this small whatever the indexes; ask which index it can use
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # this transaction only
            plan = " ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
    assert "ix_bookings_therapist_requested" in plan, plan
