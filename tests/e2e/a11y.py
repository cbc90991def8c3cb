"""Accessibility checks in the browser (docs/accessibility.md): axe-core, focus rings, reflow.

axe-core is the npm package (package.json; `make node-tools`), injected into every page of a browser
context by Playwright as an init script, so the app's Content-Security-Policy does not stop it.
"""
from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import ROOT, skip_or_fail

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")


@dataclass(frozen=True)
class Exception_:
    """A violation in Streamlit's own markup that the app cannot change: skipped by rule and selector."""
    rule: str
    selector: str  # the offending element matches this (Element.closest)
    upstream: str  # the Streamlit issue it belongs to (listed in docs/accessibility.md)


STREAMLIT_EXCEPTIONS = [
    # The sidebar menu's <ul> holds a <div> around its items (Streamlit's SidebarNav): not a valid list.
    Exception_("list", '[data-testid="stSidebarNavItems"]', "https://github.com/streamlit/streamlit/issues/8399"),
    Exception_("listitem", '[data-testid="stSidebarNavItems"] li', "https://github.com/streamlit/streamlit/issues/8399"),
]


def with_axe(context) -> None:
    """Make every page this browser context opens carry axe-core."""
    if not AXE_JS.exists():
        skip_or_fail(f"axe-core is not installed at {AXE_JS} (make node-tools)")
    context.add_init_script(path=str(AXE_JS))


_RUN = """async ([tags, exceptions]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  const excepted = (rule, node) => exceptions.some(([r, sel]) => {
    if (r !== rule || node.target.length !== 1) return false;
    const el = document.querySelector(node.target[0]);
    return !!(el && el.closest(sel));
  });
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.filter(n => !excepted(v.id, n)).map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                                          why: (n.failureSummary || '').slice(0, 300)}))}))
    .filter(v => v.nodes.length);
}"""


def axe_violations(page, impacts=BLOCKING) -> list[dict]:
    """axe-core's violations on the page as drawn now, at these impacts, less the Streamlit exceptions."""
    found = page.evaluate(_RUN, [TAGS, [[e.rule, e.selector] for e in STREAMLIT_EXCEPTIONS]])
    return [v for v in found if v["impact"] in impacts]


def describe(state: str, violations: list[dict]) -> str:
    lines = [f"{state}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        lines += [f"      {n['target']}  {n['html']!r}  {n['why']}" for n in v["nodes"][:5]]
    return "\n".join(lines)


# The focused element's ring: a solid outline at least 2 px wide on it (or, for a text box, on its frame),
# with the outline colour's contrast against the page.
FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {element: null};
  const frame = el.closest('[data-baseweb="input"],[data-baseweb="textarea"]') ||
                (el.closest('[data-baseweb="select"]') ? el.closest('[data-baseweb="select"]').firstElementChild : null);
  const ringed = (frame && el.matches('input,textarea')) ? frame : el;
  const cs = getComputedStyle(ringed);
  const r = ringed.getBoundingClientRect();
  return {element: el.tagName + ' ' + (el.getAttribute('aria-label') || el.innerText || el.name || '').trim().slice(0, 60),
          focusVisible: el.matches(':focus-visible'), style: cs.outlineStyle, width: parseFloat(cs.outlineWidth),
          colour: cs.outlineColor, shown: r.width > 0 && r.height > 0,
          onScreen: r.bottom > 0 && r.top < window.innerHeight && r.right > 0 && r.left < window.innerWidth};
}"""


def focus_ring(page) -> dict:
    return page.evaluate(FOCUS_RING)


# Horizontal scrolling: the document, or Streamlit's main area (it scrolls inside itself), wider than the window;
# and text of ours cut short with an ellipsis instead of wrapping (content lost at that width).
OVERFLOW = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('[data-testid="stMain"] *')]
    .filter(e => e.getBoundingClientRect().right > doc.clientWidth + 1 && e.getClientRects().length)
    .filter(e => !e.closest('[data-testid="stDataFrame"],[data-testid="stTable"],pre,[data-testid="stVegaLiteChart"]'))
    .slice(0, 3).map(e => e.tagName + '.' + (e.getAttribute('data-testid') || e.className || '').toString().slice(0, 40)
                     + ' ' + JSON.stringify((e.innerText || '').slice(0, 60)));
  const cut = [...document.querySelectorAll('[data-testid="stMain"] *')]
    .filter(e => !e.matches('input,textarea') && getComputedStyle(e).textOverflow === 'ellipsis'
                 && e.scrollWidth > e.clientWidth + 1)
    .slice(0, 3).map(e => e.tagName + ' ' + JSON.stringify((e.innerText || '').slice(0, 60)));
  return {window: doc.clientWidth, document: doc.scrollWidth,
          main: main ? main.scrollWidth - main.clientWidth : 0, wide, cut};
}"""


def overflow(page) -> dict:
    return page.evaluate(OVERFLOW)
