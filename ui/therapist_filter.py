"""A manager's therapist filter: a button naming the choice, opening a searchable list of every therapist.

The list is drawn only while it is open: a practice's thousands of names are not sent (nor read) on every
view, which cost the dashboard a tenth of a second a click at 2,000 therapists. The choice lives in the
address (?therapist=N), so a view of one therapist can be shared, on the dashboard as on /metrics.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui import format as fmt

PARAM = "therapist"


def chosen_id() -> int | None:
    """The therapist in the address, if it names one (whether they may be seen is the service's to say)."""
    asked_for = st.query_params.get(PARAM)
    return int(asked_for) if asked_for and asked_for.isdigit() else None


def forget() -> None:
    st.query_params.pop(PARAM, None)


def draw(container, key: str, current: int | None, current_name: str | None,
         names: Callable[[], dict[int, str]], width: str = "stretch") -> None:
    """The button (in `container`) and, while it is open, the list; picking a name closes it."""
    label = f"Therapist: {fmt.md_escape(current_name) if current is not None and current_name else 'All therapists'}"
    chooser = container.popover(label, icon=":material/person_search:", key=f"{key}_filter", on_change="rerun",
                                width=width)
    if not chooser.open:
        return
    people = names()
    options = [None, *people]

    def picked() -> None:
        if (choice := st.session_state[key]) is None:
            forget()
        else:
            st.query_params[PARAM] = str(choice)
        st.session_state[f"{key}_filter"] = False  # close the list: the page now shows the choice

    chooser.selectbox("Therapist", options, index=options.index(current) if current in people else 0,
                      format_func={None: "All therapists", **people}.__getitem__, key=key, on_change=picked,
                      placeholder="Type a name")
