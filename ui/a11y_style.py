"""Page-wide CSS for accessibility (docs/accessibility.md), added once on every run, logged in or not.

Style-only HTML goes to Streamlit's event container: it takes no space and adds no element to the page.
- Focus: every element reached by the keyboard gets a solid ring in the theme's purple (7.4:1 on white;
  Streamlit's own ring is a half-transparent purple shadow, about 2:1, and text inputs show none).
- Reflow at 320 px and at 200% zoom (WCAG 1.4.10): on a narrow screen a table shares the width out
  evenly and a long word (an email address) wraps; tabs wrap onto a second row instead of scrolling sideways;
  a toggle's or checkbox's label wraps (Streamlit keeps it on one line), and so does a link to a page
  ("Open Lewis Grant and 3 others' request"), which Streamlit would cut short with "…".
- Target size: the parts of a date or time box (day, month, hour …) are at least 24 × 24 px (WCAG 2.5.8).
"""
from __future__ import annotations

import streamlit as st

FOCUS = "#6B3FA0"  # the theme's primaryColor (.streamlit/config.toml)

STYLE = f"""<style>
:focus-visible{{outline:2px solid {FOCUS} !important;outline-offset:2px}}
[data-testid="stMain"]:focus-visible{{outline-offset:-2px}}
[data-baseweb="input"]:has(input:focus-visible),[data-baseweb="textarea"]:has(textarea:focus-visible),
[data-baseweb="select"]:has(input:focus-visible) > div{{outline:2px solid {FOCUS};outline-offset:1px}}
[data-baseweb="input"] input:focus-visible,[data-baseweb="textarea"] textarea:focus-visible,
[data-baseweb="select"] input:focus-visible{{outline:none !important}}
[data-testid="stDateInput"] [role="spinbutton"],[data-testid="stTimeInput"] [role="spinbutton"],
[data-testid="stDateTimeInput"] [role="spinbutton"]{{display:inline-block;min-width:24px;min-height:24px;
  text-align:center;line-height:24px}}
@media (max-width:640px){{[data-testid="stMarkdownContainer"] table{{table-layout:fixed;width:100%;font-size:0.875rem}}
  [data-testid="stMarkdownContainer"] td,[data-testid="stMarkdownContainer"] th{{overflow-wrap:anywhere;
  padding:0.375rem 0.5rem}}}}
[data-testid="stTabs"] [role="tablist"]{{flex-wrap:wrap;row-gap:0.25rem}}
[data-testid="stCheckbox"] [data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stCheckbox"] [data-testid="stWidgetLabel"] p{{white-space:normal}}
[data-testid="stPageLink-NavLink"] span,[data-testid="stPageLink-NavLink"] p{{white-space:normal;
  overflow:visible;text-overflow:clip}}
</style>"""


def apply() -> None:
    st.html(STYLE)
