"""Figure tiles as one HTML block, in the look of st.metric.

A row of st.metric tiles costs the page one element each (eight on /metrics, with their rows); one block
of HTML costs one. Every text is escaped here: a therapist's name is the only text not our own.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    help: str
    delta: str | None = None
    better: bool | None = None  # the delta's colour: True green, False red, None grey


# Colours from the theme (.streamlit/config.toml), each text at least 4.5:1 on its background (tests/unit/
# test_contrast.py); rem sizes as st.metric. A delta says better or worse in words too, never by colour alone.
STYLE = """<style>
.bd-tiles{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:1rem;margin:0.25rem 0 0.5rem}
@media (max-width:720px){.bd-tiles{grid-template-columns:repeat(2,minmax(0,1fr))}}
.bd-tile{border:1px solid rgba(49,51,63,0.2);border-radius:0.5rem;padding:calc(1em - 1px)}
.bd-tile .bd-label{font-size:0.875rem;color:rgba(21,16,26,0.75);display:flex;gap:0.35rem;align-items:center}
.bd-tile .bd-help{cursor:help;display:inline-flex;width:1rem;height:1rem;border-radius:50%;font-size:0.7rem;
  border:1px solid rgba(21,16,26,0.6);align-items:center;justify-content:center;color:rgba(21,16,26,0.72)}
.bd-tile .bd-value{font-size:2.25rem;line-height:1.3;color:#15101A;white-space:nowrap;overflow:hidden;
  text-overflow:ellipsis}
.bd-tile .bd-delta{display:inline-block;font-size:0.875rem;border-radius:1rem;padding:0 0.5rem;margin-top:0.15rem}
.bd-better{color:#11692C;background:rgba(33,195,84,0.1)}
.bd-worse{color:#A8353A;background:rgba(255,43,43,0.09)}
.bd-same{color:rgba(21,16,26,0.72);background:rgba(49,51,63,0.08)}
.bd-note{font-size:0.875rem;color:rgba(21,16,26,0.72);margin:0.25rem 0}
.bd-info{font-size:0.9rem;background:#F4EFFA;border-radius:0.5rem;padding:0.75rem 1rem;margin:0.5rem 0}
@media (max-width:720px){.bd-tile .bd-value{font-size:1.75rem;white-space:normal}}
</style>"""


def _tile(t: Tile) -> str:
    delta = ""
    if t.delta:
        tone = {True: "bd-better", False: "bd-worse", None: "bd-same"}[t.better]
        word = {True: " · better", False: " · worse", None: ""}[t.better]  # the colour's meaning, in words too
        delta = f'<div class="bd-delta {tone}" data-delta="{escape(t.delta)}">{escape(t.delta)}{word}</div>'
    return (f'<div class="bd-tile" data-label="{escape(t.label)}" data-value="{escape(t.value)}">'
            f'<div class="bd-label">{escape(t.label)}<span class="bd-help" title="{escape(t.help)}" '
            f'aria-label="{escape(t.help)}">?</span></div><div class="bd-value">{escape(t.value)}</div>{delta}</div>')


def tiles_html(tiles: list[Tile], above: list[str] = (), info: str | None = None, below: list[str] = ()) -> str:
    """The tiles with the notes that go with them: plain-text lines above and below, and an info box."""
    parts = [STYLE, *(f'<p class="bd-note">{escape(line)}</p>' for line in above),
             f'<div class="bd-tiles">{"".join(_tile(t) for t in tiles)}</div>']
    if info:
        parts.append(f'<div class="bd-info">{escape(info)}</div>')
    parts += [f'<p class="bd-note">{escape(line)}</p>' for line in below]
    return "".join(parts)
