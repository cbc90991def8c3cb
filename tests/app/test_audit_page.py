"""/audit: managers read who looked at what; therapists can't; the CSV is spreadsheet-safe."""
import pytest

from lib.audit import view as audit_view
from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.core.errors import Forbidden
from tests.app.helpers import open_page, texts
from tests.factories import book


def test_views_and_changes_are_in_the_trail_and_filterable(sqlite_practice):
    bid = book(sqlite_practice.alice, "Hannah Whitfield", email="hannah@client.example")
    open_page("alice", "session.py", id=bid)
    bookings.confirm(sqlite_practice.alice, bid, 1, "tab-1")
    at = open_page("morgan", "audit.py")
    table = at.dataframe[0].value
    assert list(table["Action"])[:2] == ["Confirmed", "Viewed a session and assessment"]
    assert set(table["Client"]) == {"Hannah Whitfield"}
    at.text_input(key="audit_user").input("morgan").run()
    assert "Nothing matches" in texts(at) or "Hannah Whitfield" not in set(at.dataframe[0].value["Client"])


def test_therapists_cannot_read_the_trail(sqlite_practice):
    with pytest.raises(Forbidden):
        audit_view.entries(sqlite_practice.alice)
    at = open_page("alice", "audit.py")  # the address says the page is for managers, and shows nothing
    assert "This page is for practice managers" in texts(at) and not at.dataframe


def test_csv_neutralises_formula_cells(sqlite_practice):
    bid = book(sqlite_practice.alice, "=HYPERLINK(\"http://evil\")", email="evil@client.example")
    session_view.get_for(sqlite_practice.alice, bid, "b", record_view=True)
    csv_text = audit_view.entries_csv(sqlite_practice.morgan)
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text
