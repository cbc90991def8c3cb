"""The dashboard: new and unconfirmed sessions first (on the left, and at the top on a phone), then the
confirmed sessions of the coming week."""
import streamlit as st

from lib.bookings import dashboard, worklist
from lib.core import clock
from lib.core.access import Actor
from lib.people import directory
from lib.practice import brand as practice_brand
from ui import away_settings, current, nav, queue_words, team_panel, therapist_filter, time_request_panel
from ui import format as fmt
from ui.page_part import page_part


def render() -> None:
    me = current.actor()
    now = clock.now()
    greeting = queue_words.greeting(clock.local(now, me.timezone).hour)
    st.title(f"{greeting}, {fmt.md_escape(me.name.split()[0])}")
    away_settings.banner(me)
    sessions(me)


@page_part
def sessions(me: Actor) -> None:
    """Everything under the greeting. A part of its own: a manager's therapist filter redraws only this."""
    now = clock.now()
    therapist_id = None
    if me.is_manager:  # /?therapist=N: one therapist's sessions (ui.therapist_filter)
        therapist_id = therapist_filter.chosen_id()
        name = directory.name_of(me, therapist_id) if therapist_id is not None else None
        if therapist_id is not None and name is None:
            st.warning("That therapist is not on the practice's list (perhaps no longer active). Showing every "
                       "therapist's sessions.", icon=":material/person_off:")
            therapist_filter.forget()
            therapist_id = None
        therapist_filter.draw(st.container(), "dash_therapist", therapist_id, name,
                              lambda: dict(directory.choices(me)), width="content")

    desk = dashboard.dashboard(me, therapist_id=therapist_id)  # three indexed queries: no spinner needed
    queue = desk.queue
    session_page = nav.page(nav.SESSION)  # one st.Page for every card's link (nav.page makes a new one each call)

    def card(item: dashboard.QueueItem, lines: list[str], link_label: str) -> None:
        """One session as a card. Client-supplied names are escaped: they show as typed, never as markdown."""
        with st.container(border=True):
            if me.is_manager:
                lines.append(f"Therapist: {fmt.md_escape(item.therapist)}")
            st.markdown("  \n".join(lines))
            st.page_link(session_page, label=link_label, icon=":material/arrow_forward:",
                         query_params={"id": str(item.id)})

    if me.is_manager and therapist_id is None:
        team_panel.worklist_section(me, now)

    # The queue is the first column: first on a wide screen, and first when a phone stacks the columns (the
    # confirmed week would otherwise push a risk-flagged request screens down). Also first for a screen reader.
    target = practice_brand.brand().target_hours
    left, right = st.columns([3, 2], gap="large")

    with left:
        time_request_panel.dashboard_section(me, now)  # clients waiting to hear about another time
        st.subheader(f"New and unconfirmed sessions · {queue.total}")
        if queue.overdue:
            st.error(f"**{queue.overdue} overdue** — these clients have waited longer than the response target.",
                     icon=":material/alarm:")
        if queue.items:
            st.caption(queue_words.ORDER_NOTE.format(target=f"{target:g}"))
        else:
            st.success("You're all caught up — no sessions are waiting for an answer. New requests will appear here.",
                       icon=":material/spa:")
        for item in queue.items:
            waiting = f"Waiting {fmt.ago(item.requested_at, now).removesuffix(' ago')}".replace(" ", "\u00a0")
            risk = ":red-badge[:material/warning: Risk flag] " if item.risk else ""
            if item.overdue(now):
                status = f"{risk}:red-badge[Overdue] {waiting} · answer was due {fmt.when(item.response_due_at, me.timezone)}"
            else:
                badge = queue_words.due_badge(item.response_due_at, item.starts_at, now, me.timezone, target)
                status = f"{risk}:violet-badge[{badge}] {waiting}"
            # No-break space: "50 min" never splits across lines.
            card(item, [f"**{fmt.session_type(item.session_type)}** · {fmt.when(item.starts_at, me.timezone)} · "
                        f"{item.duration_minutes}\u00a0min", fmt.md_escape(", ".join(item.attendees)), status],
                 queue_words.open_label(item.attendees))
        if queue.total > len(queue.items):
            st.caption(f"Showing the {len(queue.items)} most urgent of {queue.total}.")
        if desk.awaiting:
            st.subheader(f"Waiting for the client to choose a time · {len(desk.awaiting)}")
            for item in desk.awaiting:
                card(item, [f"**{fmt.session_type(item.session_type)}** · first asked for "
                            f"{fmt.when(item.starts_at, me.timezone)}", fmt.md_escape(", ".join(item.attendees))],
                     f"Details of {queue_words.details_label(item.attendees)}")

        if not me.is_manager:
            closed = worklist.recently_closed(me)
            if closed:
                st.subheader(f"Recently closed · {len(closed)}")
                st.caption("Your requests of the last two weeks that were declined, expired or cancelled. "
                           "Declined and expired ones are with the practice team.")
                for c in closed:
                    with st.container(border=True):
                        st.markdown(f":gray-badge[{dashboard.STATUS_LABELS[c.status]}] "
                                    f"{fmt.ago(c.closed_at, now)}  \n"
                                    f"**{fmt.session_type(c.session_type)}** · {fmt.when(c.starts_at, me.timezone)}"
                                    f"  \n{fmt.md_escape(', '.join(c.attendees))}")
                        st.page_link(session_page, icon=":material/arrow_forward:",
                                     label=f"Details of {queue_words.details_label(c.attendees)}",
                                     query_params={"id": str(c.booking_id)})

    with right:
        st.subheader("Confirmed · next 7 days")
        if not desk.upcoming:
            st.info("No confirmed sessions in the next 7 days.", icon=":material/calendar_month:")
        for item in desk.upcoming:
            card(item, [f"**{fmt.when(item.starts_at, me.timezone)}** · {fmt.session_type(item.session_type)} · "
                        f"{item.duration_minutes}\u00a0min", fmt.md_escape(", ".join(item.attendees))],
                 f"Details of {queue_words.details_label(item.attendees)}")
