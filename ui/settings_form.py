"""What both settings forms share (yours and the practice's): field errors, the week of hours, saving."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lib.core.errors import BookingDeskError, InvalidFields
from lib.practice import settings
from lib.practice.business_hours import DAYS


def field_error(errors: dict, name: str) -> None:
    if name in errors:
        st.error(errors[name], icon=":material/warning:")


def week_inputs(prefix: str, week: dict, errors: dict, placeholder: str) -> dict:
    """Seven text boxes of hours such as '09:00-12:30, 13:30-17:00', each with its own error."""
    texts = {}
    for col, day in zip(st.columns(7), DAYS):
        with col:
            texts[day] = st.text_input(day.title(), value=settings.format_hours(week.get(day) or []),
                                       key=f"{prefix}{day}", placeholder=placeholder)
            field_error(errors, f"hours_{day}")
    return texts


def save(action: Callable[[], None], errors_key: str, saved: str) -> None:
    """Run the save; keep its field errors (under `errors_key`) or its success for the rerun that draws them."""
    try:
        action()
    except InvalidFields as exc:
        st.session_state[errors_key] = exc.errors
        st.session_state["bd_settings_error"] = exc.message
    except BookingDeskError as exc:
        st.session_state["bd_settings_error"] = exc.message
    else:
        st.session_state["bd_settings_saved"] = saved
    st.rerun()
