"""Figures reused for a few minutes (lib.metrics.cache): the right ones for each viewer, filter and setting."""
from __future__ import annotations

from datetime import timedelta

import pytest

from lib.core import clock
from lib.core.db import unit_of_work
from lib.metrics import report as metrics
from lib.practice import rules as practice
from tests.conftest import NOW
from tests.integration.metrics_fixtures import answer, build_alice, build_bob, request


@pytest.fixture
def booked(sqlite_practice):
    build_alice(sqlite_practice.alice)
    build_bob(sqlite_practice.bob)
    return sqlite_practice


def test_a_new_answer_shows_after_refresh_and_reused_figures_keep_their_time(booked):
    first = metrics.report(booked.morgan)
    new = request(booked.alice, "2026-11-23 10:00")
    answer(booked.alice, new, "2026-11-23 11:00")
    clock.freeze(NOW + timedelta(minutes=1))  # a minute later

    again = metrics.report(booked.morgan)
    assert again.figures.requests == first.figures.requests == 6
    assert again.worked_out_at == first.worked_out_at == NOW
    fresh = metrics.report(booked.morgan, refresh=True)
    assert fresh.figures.requests == 7 and fresh.worked_out_at == NOW + timedelta(minutes=1)


def test_the_per_therapist_rows_are_worked_out_only_when_asked_for_and_then_reused(booked):
    summary = metrics.report(booked.morgan, table=False)
    assert summary.therapists == [] and summary.table == {}
    clock.freeze(NOW + timedelta(minutes=1))
    with_rows = metrics.report(booked.morgan)  # the table's tab: worked out now, with the rows
    assert {r.name for r in with_rows.therapists} == {"Alice Moreno", "Bob Okafor"}
    assert with_rows.worked_out_at == NOW + timedelta(minutes=1)
    clock.freeze(NOW + timedelta(minutes=2))
    back = metrics.report(booked.morgan, table=False)  # another tab: the figures kept with the rows
    assert back.worked_out_at == NOW + timedelta(minutes=1) and back.figures == with_rows.figures
    # A therapist's own view never comes with anyone's rows.
    assert metrics.report(booked.alice).therapists == []


def test_open_and_overdue_counts_are_always_read_now(booked):
    first = metrics.report(booked.morgan)
    request(booked.bob, "2026-11-24 09:30")  # waiting, not yet due

    assert metrics.report(booked.morgan).open_now == first.open_now + 1


def test_a_therapist_never_gets_the_managers_table_or_another_filters_figures(booked):
    metrics.report(booked.morgan)  # the practice's figures and table, now kept

    mine, bobs = metrics.report(booked.alice), metrics.report(booked.bob)
    assert mine.therapists == [] and mine.scope_name == "Alice Moreno" and mine.figures.counted == 3
    assert bobs.scope_name == "Bob Okafor" and bobs.figures.counted == 2 and mine.figures != bobs.figures
    assert metrics.report(booked.morgan, session_type="couple").figures.requests == 0


def test_changing_the_response_target_works_the_figures_out_again(booked):
    before = metrics.report(booked.morgan)
    with unit_of_work(write=True) as s:
        practice.set_value(s, "response_target_hours", 8)

    after = metrics.report(booked.morgan)
    assert after.target_hours == 8 and after.figures.within_target > before.figures.within_target


def test_max_age_zero_turns_reuse_off(booked, monkeypatch):
    from lib.metrics import cache as metrics_cache

    monkeypatch.setenv("BOOKING_DESK_METRICS_MAX_AGE", "0")
    metrics.report(booked.morgan)
    new = request(booked.alice, "2026-11-23 10:00")
    answer(booked.alice, new, "2026-11-23 11:00")

    assert metrics.report(booked.morgan).figures.requests == 7
    assert metrics.reuse_text() == "" and not metrics_cache._entries and not metrics_cache._working


def test_the_page_says_how_long_figures_are_reused(monkeypatch):
    for seconds, text in (("300", "5 minutes"), ("60", "60 seconds"), ("90", "2 minutes"), ("1", "1 second")):
        monkeypatch.setenv("BOOKING_DESK_METRICS_MAX_AGE", seconds)
        assert metrics.reuse_text() == text


def test_a_therapist_with_only_an_old_open_request_still_gets_a_row_in_the_table(booked):
    from lib.people import auth
    from lib.people.auth import actor_for
    from tests.factories import PASSWORD

    with unit_of_work(write=True) as s:
        auth.add_user(s, "carol", "Carol Adeyemi", "carol@practice.example", "therapist", PASSWORD)
    carol = actor_for("carol")
    request(carol, "2026-10-01 10:00", starts_after=timedelta(days=90))  # before the period

    r = metrics.report(booked.morgan)
    names = [row.name for row in r.therapists]
    assert names == sorted(names) and "Carol Adeyemi" in names
    carol_row = next(row for row in r.therapists if row.name == "Carol Adeyemi")
    assert (carol_row.figures.requests, carol_row.open_now, carol_row.overdue_now) == (0, 1, 1)
    assert r.table["Therapist"] == names and r.table["Overdue now"][names.index("Carol Adeyemi")] == 1
    assert list(r.table) == ["Therapist", "Requests", "Median (h)", "90th percentile (h)", "Within target",
                             "Overdue now", "Faster than practice"]


def test_the_oldest_kept_figures_make_room_for_new_ones():
    from lib.metrics import cache as metrics_cache

    for i in range(metrics_cache.MAX_ENTRIES + 5):
        metrics_cache.get(("filter", i), lambda i=i: i)
    assert len(metrics_cache._entries) == metrics_cache.MAX_ENTRIES and not metrics_cache._working
    assert metrics_cache.get(("filter", 0), lambda: "worked out again").value == "worked out again"
    assert metrics_cache.get(("filter", metrics_cache.MAX_ENTRIES + 4), lambda: "not needed").value \
        == metrics_cache.MAX_ENTRIES + 4


def test_viewers_asking_at_once_wait_for_one_working_out():
    import threading
    import time

    from lib.metrics import cache as metrics_cache

    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return "figures"

    results = []
    threads = [threading.Thread(target=lambda: results.append(metrics_cache.get("same key", slow).value))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["figures"] * 4 and len(calls) == 1


def test_therapists_views_share_one_working_out_of_the_practice_figures(booked, monkeypatch):
    passes = []
    real = metrics.grouped

    def counted(session, rows, groupings=("all",)):
        passes.append((rows.scope.therapist_id, tuple(groupings)))
        return real(session, rows, groupings)

    monkeypatch.setattr(metrics, "grouped", counted)
    alice, bob = metrics.report(booked.alice), metrics.report(booked.bob)

    assert alice.practice == bob.practice and alice.practice.requests == 6
    assert [p for p in passes if p[0] is None] == [(None, ("all",))]  # the practice's pass, once

    passes.clear()
    manager = metrics.report(booked.morgan, session_type="individual")  # a manager's view keeps it too
    therapist = metrics.report(booked.alice, session_type="individual")
    assert therapist.practice == manager.figures
    assert [p for p in passes if p[0] is None] == [(None, ("all", "week", "bin", "therapist_id"))]


def test_practice_settings_for_the_figures_are_read_again_after_a_change(db_url):
    """The figures page keeps the practice's settings for seconds; a change on this server shows at once."""
    from lib.core.db import reading, unit_of_work
    from lib.practice import rules

    with reading() as conn:
        before, key_before = rules.recent(conn, db_url)
    with unit_of_work(write=True) as s:
        rules.set_value(s, "response_target_hours", before["response_target_hours"] + 1)
    with reading() as conn:
        after, key_after = rules.recent(conn, db_url)
    assert after["response_target_hours"] == before["response_target_hours"] + 1 and key_after != key_before
