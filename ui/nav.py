"""Every page: its address, title and icon, and which role may open it.

A page is the `render` function of its file in pages/, grouped by who opens it: staff/ (therapists
and managers), managers/, clients/ (without logging in, from the links we send). Streamlit builds an
st.Page for each page on every run (a function page costs next to nothing; a file page is re-read and
compiled), so pages are registered as functions, and links to a page go through `page()` here.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Entry:
    module: str  # pages/<folder>/<file>.py as folder.file
    title: str
    url: str
    icon: str
    default: bool = False
    hidden: bool = False  # reached by links (a session), not from the menu
    layout: str = "wide"  # "centered" for a page read top to bottom


# Each file is named for its address (pages/staff/metrics.py serves /metrics; the dashboard serves /).
# Streamlit's older multipage mode is switched off in one place: server/app.py.
DASHBOARD = Entry("staff.dashboard", "New sessions", "dashboard", ":material/inbox:", default=True)
SESSION = Entry("staff.session", "Session", "session", ":material/event:", hidden=True, layout="centered")
METRICS = Entry("staff.metrics", "Response times", "metrics", ":material/monitoring:")
SETTINGS = Entry("staff.settings", "Settings", "settings", ":material/settings:")
OUTBOX = Entry("managers.outbox", "Outbox", "outbox", ":material/outgoing_mail:")
AUDIT = Entry("managers.audit", "Audit trail", "audit", ":material/policy:")
NEW_BOOKING = Entry("managers.new_booking", "New booking", "new-booking", ":material/add_circle:")
PEOPLE = Entry("managers.people", "People", "people", ":material/group:")
CLIENTS = Entry("managers.clients", "Clients", "clients", ":material/folder_shared:", layout="centered")
LOG_OUT = Entry("staff.logout", "Log out", "logout", ":material/logout:")
ASSESSMENT = Entry("clients.assessment", "Your self-assessment", "assessment", ":material/assignment:", hidden=True)
RESPOND = Entry("clients.respond", "Choose a time", "respond", ":material/schedule:", hidden=True)
# Opened without logging in, from the emailed link (staff choosing their password; in PUBLIC for that reason).
SET_PASSWORD = Entry("clients.set_password", "Choose your password", "set-password", ":material/password:",
                     hidden=True, layout="centered")

MY_SESSION = Entry("clients.my_session", "Your session", "my-session", ":material/event:", hidden=True,
                   layout="centered")

# The therapist's one-tap page from the new-request alert email (no sign-in; signed in, the session page).
QUICK_CONFIRM = Entry("clients.confirm", "New session request", "confirm", ":material/event_available:",
                      hidden=True, layout="centered")

# Pages opened without logging in, from the links we send.
PUBLIC = [ASSESSMENT, RESPOND, MY_SESSION, SET_PASSWORD, QUICK_CONFIRM]
THERAPIST = [DASHBOARD, SESSION, METRICS, SETTINGS]
MANAGER = [DASHBOARD, SESSION, NEW_BOOKING, METRICS, OUTBOX, AUDIT, PEOPLE, CLIENTS, SETTINGS]
EVERY = list(dict.fromkeys(MANAGER + THERAPIST + PUBLIC + [LOG_OUT]))
BY_FILE = {e.module.rsplit(".", 1)[1] + ".py": e for e in EVERY}  # tests name pages by file
_LAYOUT = {e.url: e.layout for e in EVERY}


def layout(pg: st.Page) -> str:
    return _LAYOUT.get(pg.url_path, "wide")  # the default page's url_path is ""


def page(entry: Entry, title: str | None = None) -> st.Page:
    """A new st.Page for this entry, made on every run (about 20 µs each) and never kept: st.navigation marks
    the page it runs, so one st.Page must not be shared between sessions running at the same time, and one
    kept per session is memory each idle session holds (measured: about 9 KB each, with the menu's pages).
    Links and st.switch_page find a page by its address, so any st.Page for the entry will do.
    `title` replaces the menu's words (the dashboard's count of what waits for the team)."""
    render = importlib.import_module(f"pages.{entry.module}").render
    return st.Page(render, title=title or entry.title, url_path=entry.url, icon=entry.icon, default=entry.default,
                   visibility="hidden" if entry.hidden else "visible")


def pages(entries: list[Entry], titles: dict[Entry, str] | None = None) -> list[st.Page]:
    titles = titles or {}
    return [page(e, titles.get(e)) for e in dict.fromkeys(entries)]
