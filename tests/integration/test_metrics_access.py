"""Who may see which response times, and the CSV downloads behind them."""
from __future__ import annotations

import csv
import io

import pytest

from lib.core.db import unit_of_work
from lib.core.errors import Forbidden, InvalidInput, NotFound
from lib.metrics import report as metrics
from lib.metrics.export import rows_csv, table_csv
from tests.integration.metrics_fixtures import build_alice, build_bob


@pytest.fixture
def booked(practice):
    build_alice(practice.alice)
    build_bob(practice.bob)
    return practice


def test_a_therapist_asking_for_another_therapists_figures_is_refused(booked):
    with pytest.raises(Forbidden) as refused:
        metrics.report(booked.alice, therapist_id=booked.bob.id)
    assert "not another therapist's" in refused.value.message
    with pytest.raises(Forbidden):
        rows_csv(booked.alice, therapist_id=booked.bob.id)


def test_a_manager_may_look_at_one_therapist_beside_the_practice(booked):
    r = metrics.report(booked.morgan, therapist_id=booked.bob.id)

    assert r.scope_name == "Bob Okafor" and r.figures.counted == 2
    assert r.practice.counted == 5
    assert [row.name for row in r.therapists] == ["Bob Okafor"]


def test_unknown_therapist_and_session_type_get_clear_messages(booked):
    with pytest.raises(NotFound):
        metrics.report(booked.morgan, therapist_id=booked.morgan.id)  # a manager, not a therapist
    with pytest.raises(NotFound):
        metrics.report(booked.morgan, therapist_id="abc")
    with pytest.raises(InvalidInput):
        metrics.report(booked.morgan, session_type="massage")


def test_session_type_filter_narrows_every_figure(booked):
    r = metrics.report(booked.morgan, session_type="couple")

    assert r.figures.requests == 0 and r.figures.median is None and r.open_now == 0
    assert r.therapists == []


def test_a_therapists_rows_file_holds_only_their_own_requests(booked):
    rows = list(csv.DictReader(io.StringIO(rows_csv(booked.bob))))

    assert {r["Therapist"] for r in rows} == {"Bob Okafor"}
    counted_as = sorted(r["Counted as"] for r in rows)
    assert counted_as == ["cancelled before any answer (left out)", "unanswered past target (miss)",
                          "unanswered past target (miss)", "waiting, not yet due (not counted yet)"]
    assert "client.test" not in rows_csv(booked.morgan)  # no client contact details in the file


def test_downloads_neutralise_a_name_that_a_spreadsheet_would_run(booked):
    from lib.core.models import User

    with unit_of_work(write=True) as s:
        s.get(User, booked.alice.id).name = '=HYPERLINK("http://evil.test","Alice")'
    report = metrics.report(booked.morgan)

    table = list(csv.reader(io.StringIO(table_csv(report))))
    assert [row[0] for row in table if "HYPERLINK" in row[0]] == ["'=HYPERLINK(\"http://evil.test\",\"Alice\")"]
    assert all(not line.startswith("=") for line in rows_csv(booked.morgan).splitlines())
    assert "'=HYPERLINK" in rows_csv(booked.morgan)
