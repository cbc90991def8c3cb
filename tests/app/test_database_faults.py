"""The database has a bad minute: a clear page, no traceback, and recovery by itself."""
import pytest

from lib.core import db
from tests.app.helpers import logged_in_app, texts
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
