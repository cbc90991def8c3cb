"""AppTest helpers: the real app script, logged in the way the login gate leaves a browser session."""
from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "streamlit_app.py")


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def logged_in_app(username: str) -> AppTest:
    """An AppTest whose session is already logged in as `username` (as after the login form)."""
    from lib.people.auth import actor_for
    from ui import visit

    actor = actor_for(username)
    session_id = _signed_in(actor.id) if actor else None
    at = app()
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["name"] = actor.name if actor else username
    at.session_state["roles"] = [actor.role] if actor else []
    at.session_state[visit.KEY] = visit.Visit(checked=True, username=username, last_seen=time.time(),
                                                 sign_in_session=session_id)
    return at


def _signed_in(user_id: int) -> int:
    """The server's record of a sign-in that happened earlier (not audited again: it is not a new sign-in)."""
    from lib.core import clock
    from lib.core.db import unit_of_work
    from lib.core.models import SignInSession

    with unit_of_work(write=True) as s:
        row = SignInSession(user_id=user_id, started_at=clock.now(), last_seen_at=clock.now(), browser="Test browser",
                            address="127.0.0.1")
        s.add(row)
        s.flush()
        return row.id


def switch_page(at: AppTest, page: str) -> AppTest:
    """at.switch_page for our function pages: go to pages/<page> if this run registered it.

    AppTest.switch_page matches page files, and ours are registered as functions (ui.nav), so this
    goes by address; like AppTest's own, it raises for a page the user's role did not register.
    """
    from streamlit.util import calc_hash

    from ui.nav import BY_FILE

    wanted = calc_hash(BY_FILE[page].url)  # st.Page hashes the url_path it was given
    if wanted not in at._registered_pages:
        raise ValueError(f"Could not find a navigation page for {page!r}")
    at._page_hash = wanted
    return at


def open_page(username: str, page: str, **query) -> AppTest:
    """Logged in, on pages/<page> with the given query parameters, after one run."""
    at = logged_in_app(username)
    at.run()
    switch_page(at, page)
    for k, v in query.items():
        at.query_params[k] = str(v)
    at.run()
    return at


def texts(at: AppTest) -> str:
    """Everything a user would read on the page, as one string (for 'is X shown' assertions)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "text", "caption", "info", "success", "warning",
                 "error", "metric"):
        for el in getattr(at, kind):
            parts.append(str(getattr(el, "value", "")) + " " + str(getattr(el, "label", "") or ""))
    parts += [html_text(el.value) for el in at.html]
    return "\n".join(parts)


def html_text(markup: str) -> str:
    """What a reader sees of an st.html block: its text, without tags or styles, entities undone."""
    import html
    import re

    markup = re.sub(r"(?s)<style>.*?</style>", "", markup)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def tiles(at: AppTest) -> dict[str, dict[str, str]]:
    """The figure tiles (st.metric, ui.tiles) on the page: {label: {"value": …, "delta": …}}."""
    found = {}
    for m in at.metric:
        found[m.label] = {"value": m.value} | ({"delta": m.delta} if m.delta else {})
    return found


def md_table(at: AppTest, first_header: str) -> list[dict[str, str]]:
    """The rows of the markdown table (ui.format.md_table) whose first heading is `first_header`, unescaped."""
    import re

    def cells(line: str) -> list[str]:
        return [re.sub(r"\\(.)", r"\1", c.strip()) for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]

    for el in at.markdown:
        lines = str(el.value).splitlines()
        for i, line in enumerate(lines[:-1]):
            if line.startswith("|") and lines[i + 1].startswith("|--") and cells(line)[0] == first_header:
                headers, rows = cells(line), []
                for row in lines[i + 2:]:
                    if not row.startswith("|"):
                        break
                    rows.append(dict(zip(headers, cells(row))))
                return rows
    raise AssertionError(f"no table headed {first_header!r} on the page")
