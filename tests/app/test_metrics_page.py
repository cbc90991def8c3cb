"""The /metrics page (pages/staff/metrics.py) through the real app script, on the hand-worked requests."""
from datetime import date

import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from tests.app.helpers import open_page, texts
from tests.app.helpers import tiles as all_tiles
from tests.integration.metrics_fixtures import build_alice, build_bob

PAGE = "metrics.py"


@pytest.fixture
def booked(sqlite_practice):
    build_alice(sqlite_practice.alice)
    build_bob(sqlite_practice.bob)
    return sqlite_practice


def tiles(at) -> dict[str, str]:
    return {label: t["value"] for label, t in all_tiles(at).items()}


def column_formats(frame) -> dict[str, str | None]:
    """How the browser is told to write each configured column of an st.dataframe."""
    import json

    config = json.loads(frame.proto.columns)
    return {name: c.get("type_config", {}).get("format") for name, c in config.items()}


def charts(at) -> list:
    return at.get("vega_lite_chart")


def test_manager_sees_practice_tiles_and_the_weekly_trend_first(booked):
    at = open_page("morgan", PAGE)

    assert not at.exception
    t = tiles(at)
    assert t["Median response"] == "5 h" and t["90th percentile"] == "8 h 6 min"
    assert t["Within target"] == "40%" and t["Requests"] == "6"
    assert t["Open now"] == "2" and t["Overdue now"] == "1"
    assert t["Expired"] == "17%" and t["Declined"] == "0%"
    page = texts(at)
    assert "1 request cancelled by the client before any answer is left out." in page
    assert "1 still waiting but not yet due is not counted yet." in page
    assert "2 unanswered past the target count as misses" in page
    assert [tab.label for tab in at.tabs] == ["Week by week", "By therapist", "Waiting times",
                                              "How these figures are worked out"]
    assert len(charts(at)) == 2  # weekly median and weekly share within target; other tabs are drawn when opened
    assert not at.dataframe and not at.get("download_button")


def test_manager_opens_the_table_by_therapist_with_its_download(booked):
    at = open_page("morgan", PAGE)
    at.session_state["view"] = "By therapist"  # what clicking the tab does
    at.run()

    table = at.dataframe[0].value.set_index("Therapist")
    assert table.loc["Alice Moreno", "Median"] == pd.Timedelta(hours=1, minutes=30)  # a duration: sorted by length
    assert table.loc["Alice Moreno", "Faster than practice"] == "✓ Faster"  # a mark, not a tick box
    formats = column_formats(at.dataframe[0])  # written by the browser in the reader's words ("1 hr, 30 min")
    assert formats["Median"] == formats["90th percentile"] == "localized" and formats["Within target"] == "%.0f%%"
    assert table.loc["Bob Okafor", "Overdue now"] == 1
    assert not charts(at) and tiles(at)["Requests"] == "6"
    assert [b.proto.label for b in at.get("download_button")] == ["Download the table (CSV)"]


def test_a_link_opens_a_tab_and_the_other_tabs_show_the_histogram_and_the_definitions(booked):
    at = open_page("morgan", PAGE, view="By therapist")  # /metrics?view=By+therapist
    assert at.dataframe and not charts(at)

    at.query_params["view"] = "Waiting times"  # the address follows the open tab
    at.run()
    assert len(charts(at)) == 1 and not at.dataframe
    assert [b.proto.label for b in at.get("download_button")] == ["Download the requests behind these figures (CSV)"]

    at.query_params["view"] = "How these figures are worked out"
    at.run()
    assert "counts as a miss" in texts(at) and not charts(at)


def test_therapist_with_fewer_than_three_requests_sees_dashes_and_why(booked):
    at = open_page("bob", PAGE)

    t = tiles(at)
    assert t["Median response"] == "—" and t["90th percentile"] == "—" and t["Within target"] == "—"
    assert "fewer than 3 requests answered or overdue (2 so far)" in texts(at)
    assert "By therapist" not in [tab.label for tab in at.tabs] and not at.dataframe
    assert not at.get("popover") and "Therapist" not in [s.label for s in at.selectbox]  # no way to pick anyone else


def test_therapist_sees_own_figures_beside_the_practice_median(booked):
    at = open_page("alice", PAGE)

    median = all_tiles(at)["Median response"]
    assert median["value"] == "1 h 30 min"
    assert median["delta"] == "-3 h 30 min vs practice"  # 1.5 h against the practice's 5 h: faster
    shown = next(m for m in at.metric if m.label == "Median response")
    assert shown.proto.color == MetricProto.MetricColor.GREEN and shown.proto.delta_description == "better"
    assert "Practice: median 5 h, 90th percentile 8 h 6 min, 40% within target, 6 requests." in texts(at)
    assert len(charts(at)) == 2
    assert [tab.label for tab in at.tabs] == ["Week by week", "Waiting times", "How these figures are worked out"]


def test_therapist_following_a_link_to_another_therapists_figures_is_refused(booked):
    at = open_page("alice", PAGE, therapist=booked.bob.id)

    assert not tiles(at)
    assert "not another therapist's" in at.error[0].value


def filter_label(at) -> str:
    return at.get("popover")[0].proto.popover.label


def test_manager_link_to_one_therapist_shows_them_beside_the_practice(booked):
    at = open_page("morgan", PAGE, therapist=booked.alice.id)

    assert filter_label(at) == "Therapist: Alice Moreno"
    assert tiles(at)["Median response"] == "1 h 30 min"
    assert "By therapist" not in [tab.label for tab in at.tabs]  # the per-therapist table is for the whole practice


def test_a_link_to_a_therapist_who_is_gone_shows_the_practice_and_says_so(booked):
    at = open_page("morgan", PAGE, therapist=999999)

    assert "We couldn't find that therapist. Showing the whole practice instead." in [w.value for w in at.warning]
    assert filter_label(at) == "Therapist: All therapists" and tiles(at)["Requests"] == "6"
    assert "therapist" not in at.query_params


def test_filters_narrow_the_figures(booked):
    at = open_page("morgan", PAGE)
    assert filter_label(at) == "Therapist: All therapists"
    assert "metrics_therapist" not in [s.key for s in at.selectbox]  # the list of names is drawn only when opened
    at.session_state["metrics_therapist_filter"] = True  # what clicking the filter does
    at.run()
    names = at.selectbox(key="metrics_therapist")
    assert names.options == ["All therapists", "Alice Moreno", "Bob Okafor"]
    names.select(booked.bob.id).run()
    assert tiles(at)["Requests"] == "3" and tiles(at)["Median response"] == "—"
    assert at.query_params["therapist"] == str(booked.bob.id) and filter_label(at) == "Therapist: Bob Okafor"
    assert "metrics_therapist" not in [s.key for s in at.selectbox]  # the list closed once a name was picked

    at.session_state["metrics_therapist_filter"] = True
    at.run()
    at.selectbox(key="metrics_therapist").select_index(0).run()  # "All therapists"
    assert "therapist" not in at.query_params and tiles(at)["Requests"] == "6"
    at.selectbox(key="metrics_type").select("couple").run()
    assert tiles(at)["Requests"] == "0"
    at.session_state["view"] = "By therapist"
    at.run()
    assert "No requests in this period." in texts(at)


def test_chosen_dates_cover_the_spring_and_autumn_clock_changes(booked):
    at = open_page("alice", PAGE)
    at.selectbox(key="metrics_period").select("Choose dates").run()
    at.date_input(key="metrics_dates").set_value((date(2026, 3, 1), date(2026, 11, 24))).run()

    assert not at.exception
    t = tiles(at)
    assert t["Median response"] == "2 h" and t["90th percentile"] == "4 h 15 min" and t["Within target"] == "83%"


def test_a_practice_with_no_requests_yet_gets_dashes_not_errors(sqlite_practice):
    at = open_page("morgan", PAGE)

    assert not at.exception and not at.error
    assert tiles(at)["Median response"] == "—" and tiles(at)["Requests"] == "0"
    assert "fewer than 3 requests answered or overdue (0 so far)" in texts(at)


def test_figures_are_reused_for_a_few_minutes_until_refresh_and_the_page_says_when_they_were_worked_out(booked):
    from datetime import timedelta

    from lib.core import clock
    from tests.conftest import NOW
    from tests.integration.metrics_fixtures import answer, request

    at = open_page("morgan", PAGE)
    assert tiles(at)["Requests"] == "6"
    assert "Figures worked out at Tue 24 Nov 2026, 10:00 GMT and reused for up to 5 minutes" in texts(at)

    new = request(booked.alice, "2026-11-23 10:00")  # asked yesterday at 10:00, confirmed at 11:00
    answer(booked.alice, new, "2026-11-23 11:00")
    clock.freeze(NOW + timedelta(minutes=2))
    at.run()
    assert tiles(at)["Requests"] == "6"  # the figures worked out two minutes ago
    assert "Figures worked out at Tue 24 Nov 2026, 10:00 GMT" in texts(at)

    at.button(key="metrics_refresh_button").click().run()
    assert tiles(at)["Requests"] == "7" and "Figures worked out at Tue 24 Nov 2026, 10:02 GMT" in texts(at)
    at.run()
    assert tiles(at)["Requests"] == "7"  # refreshed figures are the ones reused next
