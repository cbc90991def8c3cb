"""Walk every page as another therapist (with the session's id in the address) and logged out."""
import pytest

from tests.app.helpers import app, open_page, switch_page, texts
from tests.factories import assess, book

THERAPIST_PAGES = ["dashboard.py", "session.py", "metrics.py", "settings.py"]
ALL_PAGES = THERAPIST_PAGES + ["new_booking.py", "outbox.py", "audit.py"]


def _everything(at) -> str:
    frames = " ".join(df.value.to_string() for df in at.dataframe)
    return texts(at) + frames + " ".join(str(e.value) for e in at.get("text_area"))


def test_bob_sees_nothing_of_alices_client_anywhere(sqlite_practice):
    bid = book(sqlite_practice.alice, "Hannah Whitfield", email="hannah@client.example")
    assess(bid, phq9=[1] * 9, free_text="private words")
    for page in THERAPIST_PAGES:
        at = open_page("bob", page, id=bid, booking=bid, therapist=sqlite_practice.alice.id)
        assert not at.exception, page
        seen = _everything(at)
        assert "Hannah" not in seen and "private words" not in seen, page


@pytest.mark.parametrize("page", ["new_booking.py", "outbox.py", "audit.py", "people.py", "clients.py"])
def test_a_therapist_at_a_managers_address_is_told_it_is_for_managers(sqlite_practice, page):
    bid = book(sqlite_practice.alice, "Hannah Whitfield", email="hannah@client.example")
    at = open_page("bob", page, id=bid)
    assert not at.exception
    assert "This page is for practice managers" in texts(at)  # said, not a silent jump to the dashboard
    assert "Hannah" not in _everything(at) and not at.text_input and not at.dataframe


@pytest.mark.parametrize("page", ALL_PAGES)
def test_logged_out_visitor_gets_the_login_form_on_every_page(sqlite_practice, page):
    bid = book(sqlite_practice.alice, "Hannah Whitfield")
    at = app()
    at.run()
    switch_page(at, page)
    at.query_params["id"] = str(bid)
    at.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "Hannah" not in _everything(at)
