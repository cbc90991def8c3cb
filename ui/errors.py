"""Friendly messages instead of tracebacks."""
from __future__ import annotations

import logging
import sqlite3
from contextlib import contextmanager

import psycopg
import streamlit as st
from sqlalchemy.exc import InterfaceError, OperationalError

from lib.core.errors import BookingDeskError, DatabaseUnavailable

log = logging.getLogger("booking_desk")

# What a lost connection can look like if it escapes lib's own translation into DatabaseUnavailable.
_UNREACHABLE = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError,
                sqlite3.OperationalError)


def database_down() -> None:
    """The one database message, said once, everywhere (lib's DatabaseUnavailable carries the words)."""
    headline, _, rest = DatabaseUnavailable.message.partition(". ")
    st.error(f"**{headline}.** {rest}", icon=":material/cloud_off:")


@contextmanager
def friendly_errors():
    """Show a user-facing message for anything a page raises; log the details for us."""
    try:
        yield
    except DatabaseUnavailable:
        database_down()
        if st.button("Try again", key="_db_retry"):
            st.rerun()
    except BookingDeskError as exc:
        st.error(exc.message)
    except _UNREACHABLE:
        log.exception("database error outside lib's translation")
        database_down()
    except Exception:
        log.exception("page failed")
        st.error("Sorry — something went wrong on our side. Nothing was changed. Please reload the page; "
                 "if it keeps happening, tell your practice manager.")
