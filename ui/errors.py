"""Friendly messages instead of tracebacks."""
from __future__ import annotations

import logging
from contextlib import contextmanager

import streamlit as st

from lib.core.errors import BookingDeskError, DatabaseUnavailable

log = logging.getLogger("booking_desk")


@contextmanager
def friendly_errors():
    """Show a user-facing message for anything a page raises; log the details for us."""
    try:
        yield
    except DatabaseUnavailable as exc:
        st.error(f"**We can't reach the database just now.** {exc.message}", icon=":material/cloud_off:")
        if st.button("Try again", key="_db_retry"):
            st.rerun()
    except BookingDeskError as exc:
        st.error(exc.message)
    except Exception as exc:  # noqa: BLE001 — last line of defence (st.rerun/st.stop are BaseException)
        from sqlalchemy.exc import OperationalError, InterfaceError

        log.exception("page failed")
        if isinstance(exc, (OperationalError, InterfaceError)):
            st.error("**We can't reach the database just now.** Nothing was changed; please try again in a minute.",
                     icon=":material/cloud_off:")
        else:
            st.error("Sorry — something went wrong on our side. Nothing was changed. Please reload the page; "
                     "if it keeps happening, tell your practice manager.")

