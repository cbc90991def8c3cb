"""CSV files a spreadsheet can't be tricked by.

A cell that starts with = + - @ (or a tab or carriage return) is read by Excel, LibreOffice
and Google Sheets as a formula, so names typed by clients or staff could run one. Such text
cells get a leading apostrophe, which spreadsheets show as plain text. Numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value, made safe to open in a spreadsheet (text only; numbers and None pass through)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text with every text cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return out.getvalue()


def frame_to_csv(frame) -> str:
    """A pandas DataFrame as safe CSV (its index is left out)."""
    return to_csv([str(c) for c in frame.columns], frame.itertuples(index=False, name=None))
