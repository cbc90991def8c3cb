"""/assessment?token=… — the client fills in or adds to their self-assessment (no login).

One tap per question (a row of choices), topics as tick boxes, and every answer saved as it is given, through
the same lib function as the final button (encrypted, tied to the link): a client who is interrupted, or whose
phone locks, loses nothing they have answered.
"""
import streamlit as st

from lib.bookings import assessments, client_links
from lib.bookings.tokens import BadToken
from lib.core import clock
from lib.core.errors import BookingDeskError
from ui import client_header, current
from ui import format as fmt

SAVED_KEY = "bd_assessment_saved"  # the final button's thank-you, for the next run
AUTOSAVE_KEY = "bd_assessment_autosave"  # what the last answer-by-answer save did
PHQ, GAD, HELP = "phq9_", "gad7_", "help_"


def _values() -> tuple[list, list, list[str], str]:
    ss = st.session_state
    phq9 = [ss.get(f"{PHQ}{i}") for i in range(len(assessments.PHQ9_ITEMS))]
    gad7 = [ss.get(f"{GAD}{i}") for i in range(len(assessments.GAD7_ITEMS))]
    topics = [t for i, t in enumerate(assessments.HELP_TOPICS) if ss.get(f"{HELP}{i}")]
    return phq9, gad7, topics, ss.get("free_text") or ""


def _save(token: str | None) -> str:
    return client_links.save_assessment(token, *_values())


def _autosave() -> None:
    """Each answer's callback: save everything answered so far, and say so (or why not) on the page."""
    try:
        _save(st.query_params.get("token"))
    except BadToken as exc:
        st.session_state[AUTOSAVE_KEY] = ("link", exc.message)
    except BookingDeskError as exc:
        st.session_state[AUTOSAVE_KEY] = ("error", exc.message)
    else:
        st.session_state[AUTOSAVE_KEY] = ("ok", clock.now())


def _autosave_note(tz: str) -> None:
    kind, what = st.session_state.get(AUTOSAVE_KEY, (None, None))
    if kind == "ok":
        st.caption(f":material/cloud_done: Saved at {clock.local(what, tz):%H:%M}. Your answers are saved as you go.")
    elif kind == "link":
        st.info(what, icon=":material/link_off:")
    elif kind == "error":
        st.error(what, icon=":material/warning:")


def render() -> None:
    current.require_app()
    token = st.query_params.get("token")
    brand = client_header.header()
    st.title("Your self-assessment")

    try:
        form = client_links.assessment_for(token)
    except BadToken as exc:
        st.info(exc.message, icon=":material/link_off:")
        st.stop()

    st.markdown(
        f"Hello {fmt.md_escape(form.first_name)}. These questions help your therapist prepare for your first session. "
        "Answer what you can: **each answer is saved as you give it**, and you can come back to this page through "
        "the same link to add more.")
    st.markdown(f"**Who reads your answers:** your therapist, {fmt.md_escape(form.therapist_name)}, and the "
                f"practice team at {fmt.md_escape(brand.name)} if they need to help arrange your care. Nobody else. "
                "Your answers are stored encrypted.")
    st.info("If you are in crisis or thinking about harming yourself, please don't wait for your session: call "
            "999, go to A&E, or call Samaritans on 116 123 (free, any time).", icon=":material/favorite:")

    def question(prefix: str, i: int, item: str, answer: int | None) -> None:
        st.radio(f"**{i + 1}. {item}**", [0, 1, 2, 3], index=answer, format_func=assessments.ANSWERS.__getitem__,
                 horizontal=True, key=f"{prefix}{i}", on_change=_autosave)

    st.subheader("Over the last two weeks, how often have you been bothered by…")
    for i, item in enumerate(assessments.PHQ9_ITEMS):
        question(PHQ, i, item, form.phq9[i])
    st.subheader("…and these?")
    for i, item in enumerate(assessments.GAD7_ITEMS):
        question(GAD, i, item, form.gad7[i])

    st.subheader("What would you like help with?")
    st.caption("Tick any that apply.")
    topics = st.container(horizontal=True, gap="small", key="bd_help_topics")
    for i, topic in enumerate(assessments.HELP_TOPICS):
        topics.checkbox(topic, value=topic in form.help_with, key=f"{HELP}{i}", on_change=_autosave, width=180)
    st.text_area("Anything else you'd like your therapist to know (optional)", value=form.free_text,
                 max_chars=5000, key="free_text", on_change=_autosave)
    _autosave_note(form.client_tz)

    if st.button("Save and finish", type="primary", key="assessment_finish"):
        try:
            status = _save(token)
        except BadToken as exc:
            st.info(exc.message, icon=":material/link_off:")
        except BookingDeskError as exc:
            st.error(exc.message)
        else:
            st.session_state.pop(AUTOSAVE_KEY, None)
            st.session_state[SAVED_KEY] = (
                "Thank you — your self-assessment is complete and your therapist can see it." if status == "complete"
                else "Saved. You can come back through the same link to add more at any time.")
            st.rerun()
    if saved := st.session_state.pop(SAVED_KEY, None):  # beside the button the client just pressed
        st.success(saved, icon=":material/check_circle:")
