"""Response times: how quickly session requests are answered — the practice and each therapist for
managers, their own beside the practice for a therapist. Figures come from lib.metrics.report (SQL)."""
from datetime import timedelta

import streamlit as st

from lib.bookings import worklist
from lib.core import clock
from lib.core.access import Actor
from lib.core.errors import NotFound
from lib.metrics import periods, report
from lib.metrics.charts import histogram_chart, trend_charts
from lib.metrics.export import rows_csv, table_csv
from lib.metrics.figures import MIN_REQUESTS, hours_text
from lib.metrics.report import SESSION_TYPES
from ui import current, metrics_table
from ui import format as fmt
from ui import therapist_filter as therapist_filter_ui
from ui import tiles as tiles_ui
from ui.page_part import page_part
from ui.tiles import Tile

ALL_TYPES = "all"
VIEW = "view"  # the tabs' key, and their query parameter
THERAPIST_KEY = "metrics_therapist"  # its list; the button is "metrics_therapist_filter"
TREND, BY_THERAPIST, WAITING, ABOUT = "Week by week", "By therapist", "Waiting times", "How these figures are worked out"


PERIODS = {"Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90, "Last 12 months": 365, "Choose dates": None}


def render() -> None:
    me = current.actor()
    st.title("Response times")
    figures_and_filters(me)


@page_part
def figures_and_filters(me: Actor) -> None:
    """Everything under the title. A part of its own: a filter, a tab or Refresh redraws only this."""
    # --- filters ---
    filters = st.container(horizontal=True, vertical_alignment="bottom")  # one block, not one per column
    choice = filters.selectbox("Period", list(PERIODS), index=1, key="metrics_period")
    if PERIODS[choice] is None:
        today = clock.local(clock.now(), me.timezone).date()
        picked = st.date_input("From – to", value=(today - timedelta(days=29), today), max_value=today,
                               min_value=today - timedelta(days=periods.LONGEST_PERIOD_DAYS - 1), key="metrics_dates",
                               format="DD/MM/YYYY")
        if not isinstance(picked, (tuple, list)) or len(picked) != 2:
            st.info("Pick the last day of the period too.", icon=":material/calendar_month:")
            return
        period = periods.between(picked[0], picked[1], me.timezone)
    else:
        period = periods.last_days(PERIODS[choice])

    refresh = st.session_state.pop("metrics_refresh", False)
    therapist_id = therapist_filter_ui.chosen_id()  # /metrics?therapist=N: a manager's filter, and a deep link
    # "All types" is an option of its own, not the empty choice: the filter can't be emptied into a placeholder.
    session_type = filters.selectbox("Session type", [ALL_TYPES, *SESSION_TYPES], key="metrics_type",
                                      format_func=lambda t: "All types" if t == ALL_TYPES else fmt.session_type(t))
    session_type = None if session_type in (ALL_TYPES, None) else session_type

    def figures(table: bool) -> report.Report:
        return report.report(me, period, therapist_id, session_type, refresh=refresh, table=table,
                              while_working=lambda: st.spinner("Working out response times…"))

    # The per-therapist rows (and their live queue counts) only when their tab is the open one.
    table = st.session_state.get(VIEW, st.query_params.get(VIEW)) == BY_THERAPIST
    try:
        rep = figures(table)
    except NotFound as exc:  # a manager's link to a therapist who is gone (a therapist gets "not yours")
        st.warning(f"{exc.message} Showing the whole practice instead.", icon=":material/person_off:")
        therapist_filter_ui.forget()
        therapist_id = None
        rep = figures(table)
    if me.is_manager:
        therapist_filter(me, filters, rep, refresh)
    draw_header(me, rep, session_type, filters)
    own = "You" if not me.is_manager else rep.scope_name if not rep.is_practice else "Practice"
    target = f"{rep.target_hours:g} business hours"

    # --- one view at a time: only the open tab is worked out and drawn (?view=… opens one) ---
    views = [TREND, BY_THERAPIST, WAITING, ABOUT] if me.is_manager and rep.is_practice else [TREND, WAITING, ABOUT]
    trend_tab, *middle, about_tab = st.tabs(views, key=VIEW, bind="query-params")
    table_tab, waiting_tab = middle if len(middle) == 2 else (None, middle[0])

    if trend_tab.open:
        with trend_tab:
            median_chart, within_chart = trend_charts(rep, own)
            charts = st.container(horizontal=True)
            charts.vega_lite_chart(spec=median_chart, width="stretch")
            charts.vega_lite_chart(spec=within_chart, width="stretch")

    if table_tab is not None and table_tab.open:
        if not rep.table:  # the tab was opened another way than the page expected
            rep = figures(table=True)
        with table_tab:
            if not rep.table.get("Therapist"):
                st.info("No requests in this period.", icon=":material/inbox:")
            else:
                table = metrics_table.readable(rep.table)
                st.dataframe(table, hide_index=True, width="stretch", height="auto" if len(table) <= 10 else 420,
                             placeholder="—", column_config=metrics_table.column_config())
                st.caption(f"Click a column heading to sort. \"—\" where a therapist has fewer than {MIN_REQUESTS} "
                           "counted requests.")
            st.download_button("Download the table (CSV)", data=lambda: table_csv(rep), on_click="ignore",
                               file_name="response-times-by-therapist.csv", mime="text/csv",
                               icon=":material/download:")

    if waiting_tab.open:
        with waiting_tab:
            st.vega_lite_chart(spec=histogram_chart(rep), width="stretch")
            st.download_button("Download the requests behind these figures (CSV)", on_click="ignore",
                               data=lambda: rows_csv(me, rep.period, rep.therapist_id, session_type),
                               file_name="response-times-requests.csv", mime="text/csv", icon=":material/download:")

    if not about_tab.open:
        return
    with about_tab:
        st.markdown(f"""
    - **Response time** is the time from a client's request to the therapist's first answer — confirming, changing
      the date or time, offering other times, or saying it is not the best fit. It is counted in the practice's
      **business hours** (opening hours, without weekends and bank holidays, and right across clock changes); a
      request made outside hours starts the clock at the next opening. The median in calendar hours is in the tile's help.
    - **Within target** means answered within {target}. A request **still unanswered past its due time, or that
      expired with no answer, counts as a miss**, and enters the median and 90th percentile with the business time it
      has waited so far (a lower bound), so slow and ignored requests never drop out of the figures.
    - A request still waiting and not yet due is **not counted yet**. A request the **client cancelled before any
      answer is left out** of every figure; the page says how many there were. A request made **while its therapist
      was away** goes to the practice team: it is left out of that therapist's figures and counted in the practice's.
    - **Median** and **90th percentile**: half of the requests, and 9 in 10, were answered within these times. There is
      no figure ("—") where fewer than {MIN_REQUESTS} requests were answered or overdue.
    - **Open now** and **overdue now** describe the queue at this moment, whatever the period.
    - In the charts, weeks run Monday to Sunday in the practice's time zone; a week with fewer than {MIN_REQUESTS}
      counted requests shows no point.
    """)


def draw_header(me, rep: report.Report, session_type: str | None, filters) -> None:
    """What the figures cover, when they were worked out, the tiles and the notes under them (ui.tiles);
    Refresh sits with the filters."""
    f, practice = rep.figures, rep.practice
    target = f"{rep.target_hours:g} business hours"

    reuse = report.reuse_text()
    if reuse:
        filters.button("Refresh", key="metrics_refresh_button", icon=":material/refresh:",
                       on_click=lambda: st.session_state.update(metrics_refresh=True))
    shared = "" if rep.is_practice else " The practice's figures beside them are shared by everyone's view and " \
        "may be a little older."
    above = [
        f"Requests made in {rep.period.label} ({fmt.when(rep.period.start, me.timezone)} to "
        f"{fmt.when(min(rep.period.end, rep.now), me.timezone)}) · "
        f"{'the whole practice' if rep.is_practice else fmt.md_escape(rep.scope_name)}"
        f"{' · ' + fmt.session_type(session_type) + ' sessions' if session_type else ''} · "
        f"times in business hours; the target is {target}.",
        f"Figures worked out at {fmt.when(rep.worked_out_at, me.timezone)}"
        + (f" and reused for up to {reuse} (Refresh works them out now).{shared}" if reuse else ".")
        + " Open and overdue counts are as of now.",
    ]

    def pct(share: float | None) -> str:
        return "—" if share is None else f"{share * 100:.0f}%"

    def versus(mine: float | None, theirs: float | None, unit: str) -> tuple[str | None, bool | None]:
        """The difference from the practice, and whether it is better (faster, or more within target)."""
        if rep.is_practice or mine is None or theirs is None:
            return None, None
        diff = mine - theirs
        better = None if diff == 0 else (diff < 0 if unit == "time" else diff > 0)
        if unit == "time":
            return f"{'-' if diff < 0 else '+'}{hours_text(abs(diff))} vs practice", better
        return f"{diff * 100:+.0f} points vs practice", better

    tiles = [
        Tile("Median response", hours_text(f.median), "Half of the requests were answered faster than this, counted "
             f"in business hours. In calendar hours: {hours_text(f.median_calendar)}.",
             *versus(f.median, practice.median, "time")),
        Tile("90th percentile", hours_text(f.p90_seconds), "9 in 10 requests were answered within this many "
             "business hours.", *versus(f.p90_seconds, practice.p90_seconds, "time")),
        Tile("Within target", pct(f.within_share), f"Answered within {target}. Requests still unanswered past the "
             "target count as misses.", *versus(f.within_share, practice.within_share, "share")),
        Tile("Requests", f"{f.requests:,}", "Requests made in the period, not counting those the client cancelled "
             "before any answer."),
        Tile("Open now", f"{rep.open_now:,}", "Waiting for a first answer right now, whatever the period."),
        Tile("Overdue now", f"{rep.overdue_now:,}", "Waiting right now and past the time an answer was due."),
        Tile("Declined", pct(f.share(f.declined)), "Share of the period's requests declined as not the best fit."),
        Tile("Expired", pct(f.share(f.expired)), "Share of the period's requests that expired with no answer."),
    ]
    if me.is_manager:  # what waits for the team now: declined, expired, lapsed, late cancellations, failed messages
        team = worklist.waiting(me)
        tiles.append(Tile("For the practice team", f"{team.count:,}", "Requests on the practice team's list right now"
                          + (f"; the oldest has waited {fmt.ago(team.oldest_since, rep.now).removesuffix(' ago')}."
                             if team.oldest_since else ".")))
    info = None if f.has_figures else (f"No median, 90th percentile or share within target — because there are "
                                       f"{f.why_no_figure}. A figure needs at least {MIN_REQUESTS}.")
    notes = []
    if f.cancelled:
        notes.append(f"{f.cancelled:,} request{'s' if f.cancelled != 1 else ''} cancelled by the client before any "
                     "answer {} left out.".format("are" if f.cancelled != 1 else "is"))
    if f.away:  # lib.metrics.query: left out of a therapist's own figures, counted in the practice's
        n = f"{f.away:,} request{'s' if f.away != 1 else ''}"
        who = "you were" if not me.is_manager else f"{fmt.md_escape(rep.scope_name)} was"
        notes.append(f"{n} made while {who} away {'are' if f.away != 1 else 'is'} left out (the "
                     "practice team answered them; they count in the practice's figures)." if not rep.is_practice else
                     f"{n} made while the therapist was away {'are' if f.away != 1 else 'is'} counted here, as the "
                     "practice team's, and left out of each therapist's own figures.")
    if f.waiting:
        notes.append(f"{f.waiting:,} still waiting but not yet due {'are' if f.waiting != 1 else 'is'} not counted yet.")
    if f.unanswered:
        notes.append(f"{f.unanswered:,} unanswered past the target {'count' if f.unanswered != 1 else 'counts'} as "
                     "misses, with the time waited so far.")
    below = [" ".join(notes)] if notes else []
    if not rep.is_practice:
        below.append(f"Practice: median {hours_text(practice.median)}, 90th percentile "
                     f"{hours_text(practice.p90_seconds)}, {pct(practice.within_share)} within target, "
                     f"{practice.requests:,} requests.")
    tiles_ui.draw(tiles, above, info, below)


def therapist_filter(me, row, rep: report.Report, refresh: bool) -> None:
    """A manager's therapist filter (ui.therapist_filter), its names kept as long as the figures are."""
    def names() -> dict[int, str]:
        people = dict(report.therapist_choices(me, refresh=refresh))
        if rep.therapist_id is not None and rep.therapist_id not in people:  # perhaps added since the list was kept
            people = dict(report.therapist_choices(me, refresh=True))
        return people

    therapist_filter_ui.draw(row, THERAPIST_KEY, rep.therapist_id, None if rep.is_practice else rep.scope_name, names)
