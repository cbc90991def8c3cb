"""An audit trail nobody can quietly edit: `audit verify` names the first changed, removed or reordered entry."""
from __future__ import annotations

import io
import json

from lib.__main__ import main
from lib.audit import chain as audit_chain
from lib.audit import trail as audit
from lib.core import db
from lib.core.db import unit_of_work


def _entries(count: int = 6) -> None:
    for i in range(count):
        with unit_of_work(write=True) as s:
            audit.record(s, "alice", "view_session", booking_id=100 + i, client_id=7, browser_session=f"tab{i}")


def _sql(url: str, *statements: str) -> None:
    with db.engine(url).begin() as conn:
        for stmt in statements:
            conn.exec_driver_sql(stmt)


def test_an_untouched_trail_verifies_and_the_command_exits_zero(db_url, capsys):
    _entries()
    assert main(["audit", "verify"]) == 0
    assert "6 entries, the chain is intact (up to entry 6)" in capsys.readouterr().out


def test_verify_catches_an_edited_row(db_url, capsys):
    _entries()
    _sql(db_url, "UPDATE audit_log SET username = 'mallory' WHERE seq = 3")
    assert main(["audit", "verify"]) == 1
    assert "entry 3 was changed" in capsys.readouterr().err
    assert audit_chain.verify().verified_up_to == 2


def test_verify_catches_a_deleted_row(db_url, capsys):
    _entries()
    _sql(db_url, "DELETE FROM audit_log WHERE seq = 4")
    assert main(["audit", "verify"]) == 1
    assert "entry 4 was removed" in capsys.readouterr().err


def test_verify_catches_the_last_rows_deleted(db_url, capsys):
    _entries()
    _sql(db_url, "DELETE FROM audit_log WHERE seq >= 5")
    assert main(["audit", "verify"]) == 1
    assert "entries 5 to 6 were removed from the end" in capsys.readouterr().err


def test_verify_catches_a_reordered_pair(db_url, capsys):
    _entries()
    # Swap the stored places (ids) of entries 2 and 3, as a hand in the database would reorder them.
    _sql(db_url, "UPDATE audit_log SET id = -1 WHERE seq = 2", "UPDATE audit_log SET id = id - 1 WHERE seq = 3",
         "UPDATE audit_log SET id = (SELECT id FROM audit_log WHERE seq = 3) + 1 WHERE seq = 2")
    assert main(["audit", "verify"]) == 1
    assert "entries 2 and 3 are out of order" in capsys.readouterr().err


def test_a_rolled_back_action_leaves_no_entry_and_no_gap(db_url):
    _entries(2)
    try:
        with unit_of_work(write=True) as s:
            audit.record(s, "alice", "confirm", booking_id=1)
            raise RuntimeError("the action failed midway")
    except RuntimeError:
        pass
    _entries(1)
    verdict = audit_chain.verify()
    assert verdict.ok and verdict.entries == 3


def test_entries_stream_as_json_lines_and_a_file_carries_on_where_it_stopped(db_url, tmp_path, capsys):
    _entries(3)
    out = io.StringIO()
    audit_chain.stream(out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [e["seq"] for e in lines] == [1, 2, 3]
    assert lines[1]["prev_hash"] == lines[0]["hash"] and lines[0]["action"] == "view_session"
    log = tmp_path / "audit.jsonl"
    assert main(["audit", "stream", "--file", str(log)]) == 0
    _entries(2)
    assert main(["audit", "stream", "--file", str(log)]) == 0
    assert [json.loads(line)["seq"] for line in log.read_text().splitlines()] == [1, 2, 3, 4, 5]
    assert main(["audit", "stream", "--after", "4"]) == 0
    assert [json.loads(line)["seq"] for line in capsys.readouterr().out.splitlines()] == [5]


def test_two_writers_at_once_still_make_one_unbroken_chain(db_url):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: _entries(5), range(4)))
    verdict = audit_chain.verify()
    assert verdict.ok and verdict.entries == 20
