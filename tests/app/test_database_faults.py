"""The database has a bad minute: a clear page, no traceback, and recovery by itself."""
import pytest

from lib.core import db
from lib.core.db import unit_of_work
from lib.core.models import Booking
from tests.app.helpers import logged_in_app, open_page, texts
from tests.factories import Practice, book
from tests.tcp_proxy import TcpProxy


@pytest.fixture
def proxied_pg(request, monkeypatch):
    url = request.getfixturevalue("pg_url")
    proxy = TcpProxy("127.0.0.1", 5432)
    proxied = url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")
    monkeypatch.setenv("DATABASE_URL", proxied)
    yield proxy
    proxy.close()
    db.dispose_all()


@pytest.mark.postgres
def test_pages_say_the_database_is_unreachable_then_recover(proxied_pg):
    practice = Practice.build()
    book(practice.alice, "Hannah Whitfield")
    at = logged_in_app("alice")
    at.run()
    assert "Hannah Whitfield" in texts(at)

    proxied_pg.cut()
    at.run()
    assert not at.exception
    assert any("can't reach the database" in e.value for e in at.error)
    assert "Traceback" not in texts(at)

    proxied_pg.restore()
    at.run()
    assert not at.exception
    assert "Hannah Whitfield" in texts(at)


def _database_messages(at) -> list[str]:
    return [e.value for e in at.error if "reach the database" in e.value]


def _say_it_once(at) -> None:
    assert not at.exception
    assert len(_database_messages(at)) == 1, [e.value for e in at.error]
    shown = texts(at)
    assert "went wrong" not in shown and "Traceback" not in shown
    assert shown.count("reach the database") == 1 and "be reached" not in shown  # once, not twice in other words


PAGES = [("alice", "dashboard.py", {}), ("alice", "session.py", {"id": "BID"}), ("alice", "metrics.py", {}),
         ("alice", "settings.py", {}), ("morgan", "outbox.py", {}), ("morgan", "audit.py", {}),
         ("morgan", "new_booking.py", {}), ("morgan", "people.py", {}), ("morgan", "clients.py", {})]


@pytest.mark.postgres
@pytest.mark.parametrize(("who", "page", "query"), PAGES, ids=[p for _, p, _ in PAGES])
def test_every_page_says_so_once_with_the_connection_cut_mid_session_and_recovers(proxied_pg, who, page, query):
    practice = Practice.build()
    bid = book(practice.alice, "Hannah Whitfield")
    at = open_page(who, page, **{k: (bid if v == "BID" else v) for k, v in query.items()})
    assert not at.exception and not _database_messages(at)

    proxied_pg.cut()
    at.run()
    _say_it_once(at)

    proxied_pg.restore()
    at.run()
    assert not at.exception and not _database_messages(at)


@pytest.mark.postgres
def test_confirm_with_the_connection_cut_says_so_once_changes_nothing_and_works_after(proxied_pg):
    practice = Practice.build()
    bid = book(practice.alice, "Hannah Whitfield")
    at = open_page("alice", "session.py", id=bid)
    confirm = next(b for b in at.button if b.label == "Confirm Session")

    proxied_pg.cut()
    confirm.click().run()
    if not _database_messages(at):  # the dialog opened from what the page already had: confirm in it
        next(b for b in at.button if b.label.startswith("Confirm") and b.key != confirm.key).click().run()
    _say_it_once(at)

    proxied_pg.restore()
    with unit_of_work() as s:
        assert s.get(Booking, bid).status == "unconfirmed"  # nothing half-done
    at.run()
    assert not at.exception and not _database_messages(at)
