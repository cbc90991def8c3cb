"""Response times: how quickly session requests are answered — the practice and each therapist for
managers, their own beside the practice for a therapist. Figures come from lib.metrics (SQL)."""
from datetime import timedelta

import pyarrow as pa
import streamlit as st

from lib import clock, metrics
from lib.metrics import MIN_REQUESTS, SESSION_TYPES, hours_text
from lib.metrics_charts import histogram_chart, trend_charts
from lib.metrics_export import rows_csv, table_csv
from ui import current, format as fmt


def render() -> None:
    me = current.actor()
    PERIODS = {"Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90, "Last 12 months": 365, "Choose dates": None}

    st.title("Response times")

    # --- filters ---
    cols = st.columns([1, 1.3, 1] if me.is_manager else [1, 1])
    choice = cols[0].selectbox("Period", list(PERIODS), index=1, key="metrics_period")
    if PERIODS[choice] is None:
        today = clock.local(clock.now(), me.timezone).date()
        picked = st.date_input("From – to", value=(today - timedelta(days=29), today), max_value=today,
                               min_value=today - timedelta(days=metrics.LONGEST_PERIOD_DAYS - 1), key="metrics_dates",
                               format="DD/MM/YYYY")
        if not isinstance(picked, (tuple, list)) or len(picked) != 2:
            st.info("Pick the last day of the period too.", icon=":material/calendar_month:")
            st.stop()
        period = metrics.between(picked[0], picked[1], me.timezone)
    else:
        period = metrics.last_days(PERIODS[choice])

    refresh = st.session_state.pop("metrics_refresh", False)
    asked_for = st.query_params.get("therapist")  # /metrics?therapist=N (a manager's deep link)
    therapist_id = int(asked_for) if asked_for and asked_for.isdigit() else None
    if me.is_manager:
        people = dict(metrics.therapist_choices(me, refresh=refresh))
        if therapist_id is not None and therapist_id not in people:  # perhaps added since the list was kept
            people = dict(metrics.therapist_choices(me, refresh=True))
        options = [None] + list(people)
        therapist_id = cols[1].selectbox(
            "Therapist", options, index=options.index(therapist_id) if therapist_id in people else 0,
            format_func=lambda t: "All therapists" if t is None else people[t], key="metrics_therapist")
    session_type = cols[-1].selectbox("Session type", [None, *SESSION_TYPES], key="metrics_type",
                                      format_func=lambda t: "All types" if t is None else fmt.session_type(t))

    with st.spinner("Working out response times…"):
        rep = metrics.report(me, period, therapist_id, session_type, refresh=refresh)
    f, practice = rep.figures, rep.practice
    own = "You" if not me.is_manager else rep.scope_name if not rep.is_practice else "Practice"
    target = f"{rep.target_hours:g} business hours"

    st.caption(f"Requests made in {rep.period.label} ({fmt.when(rep.period.start, me.timezone)} to "
               f"{fmt.when(min(rep.period.end, rep.now), me.timezone)}) · "
               f"{'the whole practice' if rep.is_practice else fmt.md_escape(rep.scope_name)}"
               f"{' · ' + fmt.session_type(session_type) + ' sessions' if session_type else ''} · "
               f"times in business hours; the target is {target}.")
    note, again = st.columns([5, 1], vertical_alignment="center")
    reuse = metrics.reuse_text()
    shared = "" if rep.is_practice else " The practice's figures beside them are shared by everyone's view and " \
        "may be a little older."
    note.caption(f"Figures worked out at {fmt.when(rep.worked_out_at, me.timezone)}"
                 + (f" and reused for up to {reuse} (Refresh works them out now).{shared}" if reuse else ".")
                 + " Open and overdue counts are as of now.")
    if reuse:
        again.button("Refresh", key="metrics_refresh_button", icon=":material/refresh:",
                     on_click=lambda: st.session_state.update(metrics_refresh=True))

    def pct(share: float | None) -> str:
        return "—" if share is None else f"{share * 100:.0f}%"

    def versus(mine: float | None, theirs: float | None, unit: str) -> str | None:
        if rep.is_practice or mine is None or theirs is None:
            return None
        diff = mine - theirs
        if unit == "time":
            return f"{'-' if diff < 0 else '+'}{hours_text(abs(diff))} vs practice"
        return f"{diff * 100:+.0f} points vs practice"

    # --- tiles ---
    no_figure = f"— because there are {f.why_no_figure}." if not f.has_figures else None
    a, b, c, d = st.columns(4)
    a.metric("Median response", hours_text(f.median), versus(f.median, practice.median, "time"), delta_color="inverse",
             help="Half of the requests were answered faster than this, counted in business hours. In calendar "
                  f"hours: {hours_text(f.median_calendar)}.", border=True)
    b.metric("90th percentile", hours_text(f.p90_seconds), versus(f.p90_seconds, practice.p90_seconds, "time"),
             delta_color="inverse", help="9 in 10 requests were answered within this many business hours.", border=True)
    c.metric("Within target", pct(f.within_share), versus(f.within_share, practice.within_share, "share"),
             help=f"Answered within {target}. Requests still unanswered past the target count as misses.", border=True)
    d.metric("Requests", f"{f.requests:,}", help="Requests made in the period, not counting those the client "
             "cancelled before any answer.", border=True)
    a, b, c, d = st.columns(4)
    a.metric("Open now", f"{rep.open_now:,}", help="Waiting for a first answer right now, whatever the period.",
             border=True)
    b.metric("Overdue now", f"{rep.overdue_now:,}", help="Waiting right now and past the time an answer was due.",
             border=True)
    c.metric("Declined", pct(f.share(f.declined)), help="Share of the period's requests declined as not the best fit.",
             border=True)
    d.metric("Expired", pct(f.share(f.expired)), help="Share of the period's requests that expired with no answer.",
             border=True)
    if no_figure:
        st.info(f"No median, 90th percentile or share within target {no_figure} "
                f"A figure needs at least {MIN_REQUESTS}.", icon=":material/info:")
    notes = []
    if f.cancelled:
        notes.append(f"{f.cancelled:,} request{'s' if f.cancelled != 1 else ''} cancelled by the client before any "
                     "answer {} left out.".format("are" if f.cancelled != 1 else "is"))
    if f.waiting:
        notes.append(f"{f.waiting:,} still waiting but not yet due {'are' if f.waiting != 1 else 'is'} not counted yet.")
    if f.unanswered:
        notes.append(f"{f.unanswered:,} unanswered past the target {'count' if f.unanswered != 1 else 'counts'} as "
                     "misses, with the time waited so far.")
    if notes:
        st.caption(" ".join(notes))
    if not rep.is_practice:
        st.caption(f"Practice: median {hours_text(practice.median)}, 90th percentile {hours_text(practice.p90_seconds)}, "
                   f"{pct(practice.within_share)} within target, {practice.requests:,} requests.")

    # --- charts ---
    st.subheader("Week by week")
    median_chart, within_chart = trend_charts(rep, own)
    left, right = st.columns(2)
    left.vega_lite_chart(spec=median_chart, width="stretch")
    right.vega_lite_chart(spec=within_chart, width="stretch")
    st.caption("Weeks run Monday to Sunday in the practice's time zone. A week with fewer than "
               f"{MIN_REQUESTS} counted requests shows no point.")

    # --- per-therapist table (managers) ---
    if me.is_manager and rep.is_practice:
        st.subheader("By therapist")
        table = pa.Table.from_pydict(rep.table)  # straight to Arrow, which st.dataframe sends anyway
        if table.num_rows == 0:
            st.info("No requests in this period.", icon=":material/inbox:")
        else:
            st.dataframe(table, hide_index=True, width="stretch", height=min(36 * (len(table) + 1) + 3, 420),
                         placeholder="—",
                         column_config={
                             "Median (h)": st.column_config.NumberColumn(format="%.2f", help="Business hours"),
                             "90th percentile (h)": st.column_config.NumberColumn(format="%.2f", help="Business hours"),
                             "Within target": st.column_config.NumberColumn(format="%.0f%%"),
                             "Faster than practice": st.column_config.CheckboxColumn(
                                 help="Median response faster than the practice median"),
                         })
            st.caption(f"Click a column heading to sort. \"—\" where a therapist has fewer than {MIN_REQUESTS} "
                       "counted requests.")

    # --- histogram ---
    st.subheader("How long requests waited for a first answer")
    st.vega_lite_chart(spec=histogram_chart(rep), width="stretch")

    # --- downloads ---
    left, right = st.columns(2)
    if me.is_manager and rep.is_practice:
        left.download_button("Download the table (CSV)", data=lambda: table_csv(rep), on_click="ignore",
                             file_name="response-times-by-therapist.csv", mime="text/csv", icon=":material/download:")
    right.download_button("Download the requests behind these figures (CSV)", on_click="ignore",
                          data=lambda: rows_csv(me, rep.period, rep.therapist_id, session_type),
                          file_name="response-times-requests.csv", mime="text/csv", icon=":material/download:")

    with st.expander("How these figures are worked out"):
        st.markdown(f"""
    - **Response time** is the time from a client's request to the therapist's first answer — confirming, changing
      the date or time, offering other times, or saying it is not the best fit. It is counted in the practice's
      **business hours** (opening hours, without weekends and bank holidays, and right across clock changes); a
      request made outside hours starts the clock at the next opening. The median in calendar hours is in the tile's help.
    - **Within target** means answered within {target}. A request **still unanswered past its due time, or that
      expired with no answer, counts as a miss**, and enters the median and 90th percentile with the business time it
      has waited so far (a lower bound), so slow and ignored requests never drop out of the figures.
    - A request still waiting and not yet due is **not counted yet**. A request the **client cancelled before any
      answer is left out** of every figure; the page says how many there were.
    - **Median** and **90th percentile**: half of the requests, and 9 in 10, were answered within these times. There is
      no figure ("—") where fewer than {MIN_REQUESTS} requests were answered or overdue.
    - **Open now** and **overdue now** describe the queue at this moment, whatever the period.
    """)
