"""The practice team's worklist through the real app: the managers' dashboard, the session it names, the
figures page; a therapist's recently closed requests; and the answers' honest success messages."""
from lib.bookings import answers
from lib.bookings import dashboard as bookings
from lib.bookings import worklist as team_worklist
from tests.app.helpers import open_page, texts, tiles
from tests.factories import assess, book
from tests.integration.test_answers import at11


def _declined(p, client="Hannah Whitfield"):
    bid = book(p.alice, client, starts_at=at11(3))
    assess(bid, phq9=[3, 3, 2, 2, 2, 2, 2, 2, 1], gad7=[1, 1, 1, 1, 1, 1, 1], help_with=["Anxiety"])
    answers.decline_not_fit(p.alice, bid, 1, "Not my area", "Anxiety", "CBT")
    return bid


def test_the_managers_dashboard_lists_what_needs_the_team_with_why_since_when_and_severity(sqlite_practice):
    _declined(sqlite_practice)
    at = open_page("morgan", "dashboard.py")
    assert not at.exception
    shown = texts(at)
    assert "Needs the practice team · 1" in shown
    assert "Declined as not the best fit: find another therapist" in shown and "since Tue 24 Nov 2026, 10:00 GMT (0 min ago)" in shown
    assert "PHQ-9 moderately severe · GAD-7 mild" in shown and "Risk flag" in shown
    assert "Anxiety" not in shown and "Not my area" not in shown  # bands and the flag, never the answers
    assert [link.label for link in at.get("page_link")].count("Open the session to act") == 1


def test_a_long_list_says_how_many_wait_beyond_the_lines_shown(sqlite_practice, monkeypatch):
    monkeypatch.setattr(team_worklist, "SHOWN", 2)
    for client in ("Hannah Whitfield", "Oliver Bennett", "Priya Shah"):
        _declined(sqlite_practice, client)
    shown = texts(open_page("morgan", "dashboard.py"))
    assert "Needs the practice team · 3" in shown
    assert "Showing the 2 oldest of 3. Each one you close makes room for the next." in shown
    assert "Priya Shah" not in shown and "Hannah Whitfield" in shown


def test_a_manager_records_contact_and_the_line_leaves_the_list(sqlite_practice):
    bid = _declined(sqlite_practice)
    at = open_page("morgan", "session.py", id=bid)
    assert "For the practice team" in texts(at)
    at.segmented_control(key="team_action").set_value("Contacted the client").run()
    at.button(key="FormSubmitter:team_form-Record and take it off the list").click().run()
    assert any("agreed" in e.value for e in at.error)  # a note is required
    assert len(team_worklist.worklist(sqlite_practice.morgan)) == 1
    at.text_area(key="team_note").input("Called Hannah; she'd like Bob")
    at.button(key="FormSubmitter:team_form-Record and take it off the list").click().run()
    assert "taken off the team's list" in at.success[0].value
    assert team_worklist.worklist(sqlite_practice.morgan) == []
    assert "Practice team contacted the client" in texts(at)  # in the session's history
    assert "Nothing needs the team" in texts(open_page("morgan", "dashboard.py"))


def test_therapists_see_their_recently_closed_requests_and_not_the_team_list(sqlite_practice):
    _declined(sqlite_practice)
    at = open_page("alice", "dashboard.py")
    shown = texts(at)
    assert "Recently closed · 1" in shown and "Declined" in shown
    assert "Needs the practice team" not in shown
    assert "Recently closed" not in texts(open_page("bob", "dashboard.py"))


def test_metrics_show_what_waits_for_the_team_to_managers(sqlite_practice):
    _declined(sqlite_practice)
    _declined(sqlite_practice, "Oliver Bennett")
    at = open_page("morgan", "metrics.py")
    assert tiles(at)["For the practice team"]["value"] == "2"
    assert "the oldest has waited 0 min." in next(m.help for m in at.metric if m.label == "For the practice team")
    assert "For the practice team" not in tiles(open_page("alice", "metrics.py"))


def test_success_messages_say_whether_the_client_is_really_emailed(sqlite_practice, monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    bid = book(sqlite_practice.alice, starts_at=at11(2))
    at = open_page("alice", "session.py", id=bid)
    at.button(key="confirm_open").click().run()
    assert "will **not** be emailed" in texts(at)  # the dialog says so before confirming
    at.button(key="confirm_final").click().run()
    assert "Email is not set up on this server, so Hannah Whitfield has **not** been emailed." in at.success[0].value

    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    other = book(sqlite_practice.alice, "Oliver Bennett", starts_at=at11(6))
    at = open_page("alice", "session.py", id=other)
    at.button(key="confirm_open").click().run()
    at.button(key="confirm_final").click().run()
    assert ("The confirmation email to Oliver Bennett is queued; it usually goes out within a minute."
            in at.success[0].value)
    assert {i.id for i in bookings.upcoming(sqlite_practice.alice)} == {bid, other}
