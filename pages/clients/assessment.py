"""/assessment?token=… — the client fills in or adds to their self-assessment (no login)."""
import streamlit as st

from lib.bookings import assessments, client_links
from lib.bookings.tokens import BadToken
from lib.core.errors import BookingDeskError
from ui import current
from ui import format as fmt


def render() -> None:
    current.require_app()
    token = st.query_params.get("token")
    st.title("Your self-assessment")

    try:
        form = client_links.assessment_for(token)
    except BadToken as exc:
        st.info(exc.message, icon=":material/link_off:")
        st.stop()

    if saved := st.session_state.pop("bd_assessment_saved", None):
        st.success(saved, icon=":material/check_circle:")

    st.markdown(f"Hello {fmt.md_escape(form.first_name)}. These questions help your therapist prepare for your "
                "first session. Answer what you can — you can save part-way and come back to this page through the "
                "same link. Only your therapist and the practice team can see your answers.")
    st.info("If you are in crisis or thinking about harming yourself, please don't wait for your session: call "
            "999, go to A&E, or call Samaritans on 116 123 (free, any time).", icon=":material/favorite:")

    OPTIONS = [None, 0, 1, 2, 3]

    def _label(v):
        return "— choose —" if v is None else assessments.ANSWERS[v]

    with st.form("assessment_form"):
        st.subheader("Over the last two weeks, how often have you been bothered by…")
        phq9 = [st.selectbox(f"{i + 1}. {item}", OPTIONS, index=OPTIONS.index(form.phq9[i]), format_func=_label,
                             key=f"phq9_{i}") for i, item in enumerate(assessments.PHQ9_ITEMS)]
        st.subheader("…and these?")
        gad7 = [st.selectbox(f"{i + 1}. {item}", OPTIONS, index=OPTIONS.index(form.gad7[i]), format_func=_label,
                             key=f"gad7_{i}") for i, item in enumerate(assessments.GAD7_ITEMS)]
        st.subheader("What would you like help with?")
        help_with = st.multiselect("Choose any that apply", assessments.HELP_TOPICS, default=form.help_with,
                                   key="help_with")
        free_text = st.text_area("Anything else you'd like your therapist to know (optional)", value=form.free_text,
                                 max_chars=5000, key="free_text")
        submitted = st.form_submit_button("Save my answers", type="primary")

    if submitted:
        try:
            status = client_links.save_assessment(token, phq9, gad7, help_with, free_text)
        except BadToken as exc:
            st.info(exc.message, icon=":material/link_off:")
        except BookingDeskError as exc:
            st.error(exc.message)
        else:
            st.session_state["bd_assessment_saved"] = (
                "Thank you — your self-assessment is complete and your therapist can see it." if status == "complete"
                else "Saved. You can come back through the same link to add more at any time.")
            st.rerun()
