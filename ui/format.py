"""How times and labels look on screen, always in the viewer's timezone."""
from __future__ import annotations

import re
from datetime import datetime

from lib.core import clock
from lib.notify.templates import TYPE_LABELS


def when(value: datetime | None, tz: str) -> str:
    return clock.fmt_local(value, tz) if value else "—"


def ago(value: datetime, now: datetime | None = None) -> str:
    now = now or clock.now()
    delta = (now - value).total_seconds()
    return f"{clock.humanize_delta(delta)} ago" if delta >= 0 else f"in {clock.humanize_delta(delta)}"


def due(value: datetime, now: datetime | None = None) -> str:
    now = now or clock.now()
    delta = (value - now).total_seconds()
    return f"overdue by {clock.humanize_delta(delta)}" if delta <= 0 else f"due in {clock.humanize_delta(delta)}"


def session_type(value: str) -> str:
    return TYPE_LABELS.get(value, value.title())


def delivery(kind: str, service: str | None, address: str | None) -> str:
    return f"Online · {service or 'video'}" if kind == "online" else f"In person · {address or 'address to follow'}"


_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~:$=&"
_MD_ESCAPED = str.maketrans({ch: "\\" + ch for ch in _MD_SPECIAL})
_ZW = "\u200b"  # zero-width space: invisible, but no pattern matches across it
_LINK_START = re.compile(r"(?i)(?<=:)(?=//)|(?<=\bwww)(?=\.)")  # https://…, www.…
_DIRECTIVE = re.compile(r"(?<=:)(?=[a-z])", re.IGNORECASE)  # :material/icon:, :streamlit:, :red[…]


def md_escape(text: str | None, links: bool = False) -> str:
    """Text shown literally inside st.markdown: no markup, no line breaks, no icons, no links.

    Backslashes stop markdown, but Streamlit still turns web addresses into links and :material/…:
    into icons after unescaping, so those are broken with an invisible zero-width space. `links=True`
    keeps web addresses clickable, for links the practice itself entered (a video call's address).
    """
    text = (text or "").replace("\r", " ").replace("\n", " ")
    if not links and ("://" in text or "." in text):  # (the patterns are skipped where they cannot match:
        text = _LINK_START.sub(_ZW, text)             # a page escapes dozens of short values a run)
    if ":" in text:
        text = _DIRECTIVE.sub(_ZW, text)
    return text.translate(_MD_ESCAPED)


def md_lines(text: str | None) -> str:
    """Like md_escape, but the writer's own line breaks are kept (a client's words in paragraphs)."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "  \n".join(md_escape(line) for line in lines if line.strip())


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    """A small table as markdown, every cell escaped (client text shows literally, "|" cannot end a cell).

    For short lists such as a session's history: an st.dataframe costs the page several milliseconds.
    """
    lines = ["| " + " | ".join(md_escape(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md_escape(c) or "—" for c in row) + " |" for row in rows]
    return "\n".join(lines)
