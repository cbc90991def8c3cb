"""WCAG 2.x contrast between two colours, for checking the theme and our own CSS (docs/accessibility.md).

Colours are "#RRGGBB", "#RGB", "rgb(r, g, b)" or "rgba(r, g, b, a)"; a translucent colour is first laid
over the colour beneath it, as the browser paints it.
"""
from __future__ import annotations

import re

AA_TEXT = 4.5  # WCAG 1.4.3, normal-size text
AA_NON_TEXT = 3.0  # WCAG 1.4.11, borders and marks that carry meaning

_RGBA = re.compile(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)")

RGBA = tuple[float, float, float, float]


def parse(colour: str) -> RGBA:
    c = colour.strip()
    if c.startswith("#"):
        h = c[1:]
        if len(h) == 3:
            h = "".join(ch * 2 for ch in h)
        if len(h) not in (6, 8):
            raise ValueError(f"not a colour: {colour!r}")
        alpha = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha
    m = _RGBA.fullmatch(c)
    if not m:
        raise ValueError(f"not a colour: {colour!r}")
    r, g, b, a = m.groups()
    return float(r), float(g), float(b), float(a) if a is not None else 1.0


def over(top: str | RGBA, beneath: str | RGBA) -> RGBA:
    """`top` painted over `beneath` (itself laid over white first if translucent)."""
    t = parse(top) if isinstance(top, str) else top
    b = parse(beneath) if isinstance(beneath, str) else beneath
    if b[3] < 1:
        b = over(b, (255, 255, 255, 1.0))
    a = t[3]
    return tuple(t[i] * a + b[i] * (1 - a) for i in range(3)) + (1.0,)


def luminance(colour: str | RGBA) -> float:
    r, g, b, _ = over(colour, (255, 255, 255, 1.0))

    def channel(v: float) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ratio(text: str | RGBA, background: str | RGBA) -> float:
    """The contrast ratio (1 to 21) of `text` drawn on `background`."""
    bg = over(background, (255, 255, 255, 1.0))
    lighter, darker = sorted((luminance(over(text, bg)), luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
