"""The login, the dashboard and the session page, driven through the real app script (AppTest)."""
from datetime import timedelta

from lib.bookings import dashboard as bookings
from lib.bookings import detail as session_view
from lib.core import clock
from tests.app.helpers import app, md_table, open_page, texts
from tests.factories import PASSWORD, assess, book


def test_login_with_right_password_shows_the_dashboard(sqlite_practice):
    book(sqlite_practice.alice, "Hannah Whitfield")
    at = app()
    at.run()
    at.text_input[0].input("alice")
    at.text_input[1].input(PASSWORD)
    at.button[0].click()
    at.run()
    assert not at.exception
    page = texts(at)
    assert "Good morning, Alice" in page
    assert "New and unconfirmed sessions · 1" in page
    assert "Hannah Whitfield" in page


def test_wrong_password_gets_a_clear_message_and_no_access(sqlite_practice):
    at = app()
    at.run()
    at.text_input[0].input("alice")
    at.text_input[1].input("not-the-password")
    at.button[0].click()
    at.run()
    assert "don't match" in at.error[0].value
    assert "New and unconfirmed" not in texts(at)


def test_demo_hint_only_when_demo_data_is_in_use(sqlite_url):
    from lib.demo.seed import seed_demo

    at = app()
    at.run()
    assert "booking-desk-demo" not in texts(at)
    seed_demo()
    from ui import shell_state

    shell_state.forget()  # the app re-reads "is demo data in use" every 30 s
    at = app()
    at.run()
    assert "booking-desk-demo" in texts(at)


def test_therapist_queue_shows_own_sessions_most_urgent_first(sqlite_practice):
    book(sqlite_practice.alice, "Zoë Lambert", requested_ago=timedelta(minutes=5))
    book(sqlite_practice.alice, "Daniel Kowalski", requested_ago=timedelta(days=2))
    book(sqlite_practice.bob, "Grace O'Neill")
    at = open_page("alice", "dashboard.py")
    page = texts(at)
    assert page.index("Daniel Kowalski") < page.index("Zoë Lambert")
    assert "Grace O'Neill" not in page
    assert "1 overdue" in page
    assert "Overdue" in page


def test_empty_queue_says_so_kindly(sqlite_practice):
    at = open_page("bob", "dashboard.py")
    assert "all caught up" in texts(at)
    assert "No confirmed sessions in the next 7 days" in texts(at)


def test_manager_sees_all_therapists_and_can_filter(sqlite_practice):
    book(sqlite_practice.alice, "Hannah Whitfield")
    book(sqlite_practice.bob, "Grace O'Neill")
    at = open_page("morgan", "dashboard.py")
    assert "Hannah Whitfield" in texts(at) and "Grace O'Neill" in texts(at)
    assert "dash_therapist" not in [s.key for s in at.selectbox]  # every name is read only once the list opens
    at.session_state["dash_therapist_filter"] = True  # what clicking "Therapist: All therapists" does
    at.run()
    assert at.selectbox(key="dash_therapist").options == ["All therapists", "Alice Moreno", "Bob Okafor"]
    at.selectbox(key="dash_therapist").select(sqlite_practice.bob.id).run()
    assert "Grace O'Neill" in texts(at) and "Hannah Whitfield" not in texts(at)
    assert at.query_params["therapist"] == str(sqlite_practice.bob.id)  # a view that can be shared
    assert "dash_therapist" not in [s.key for s in at.selectbox]  # the list closed once a name was picked


def test_a_dashboard_link_to_a_therapist_who_is_gone_shows_everyone(sqlite_practice):
    book(sqlite_practice.alice, "Hannah Whitfield")
    at = open_page("morgan", "dashboard.py", therapist="99999")
    assert any("not on the practice's list" in w.value for w in at.warning)
    assert "Hannah Whitfield" in texts(at)


def test_session_page_shows_details_assessment_and_risk_flag(sqlite_practice):
    bid = book(sqlite_practice.alice, "Tomás Ferreira", session_type="couple",
               attendees=["Tomás Ferreira", "Inês Ferreira"], delivery="in_person", video_service=None,
               address="12 Harley Street", join_details=None)
    assess(bid, phq9=[1, 1, 0, 1, 0, 1, 1, 0, 2], gad7=[1, 2], help_with=["Relationships"], free_text="We argue")
    at = open_page("alice", "session.py", id=bid)
    assert not at.exception
    page = texts(at)
    for expected in ("Couple session", "Tomás Ferreira, Inês Ferreira", "In person — 12 Harley Street",
                     "50 minutes", "Relationships", "We argue", "Partial", "PHQ-9 (depression): 7 / 27",
                     "GAD-7 (anxiety):** 2 of 7 answered", "Requested"):
        assert expected in page, expected
    assert "Risk flag" in at.error[0].value
    assert at.button(key="confirm_open").label == "Confirm Session"


def test_confirm_through_the_dialog(sqlite_practice):
    bid = book(sqlite_practice.alice, "Hannah Whitfield", email="hannah@client.example")
    at = open_page("alice", "session.py", id=bid)
    at.button(key="confirm_open").click().run()
    dialog_text = texts(at)
    assert "Your therapy session is confirmed" in dialog_text and "48 hours" in dialog_text
    at.button(key="confirm_final").click().run()
    assert not at.exception
    assert "Session confirmed" in at.success[0].value
    assert "Confirmed" in texts(at)
    assert session_view.get_for(sqlite_practice.alice, bid).status == "confirmed"


def test_confirm_in_a_stale_tab_says_reload(sqlite_practice):
    bid = book(sqlite_practice.alice)
    at = open_page("alice", "session.py", id=bid)
    at.button(key="confirm_open").click().run()
    bookings.confirm(sqlite_practice.morgan, bid, 1)  # someone else, meanwhile
    at.button(key="confirm_final").click().run()
    assert not at.exception
    assert any("changed meanwhile" in w.value for w in at.warning)  # (the channel banner may come first)
    assert "Confirm Session" not in [b.label for b in at.button]


def test_clash_blocks_the_button(sqlite_practice):
    start = clock.now().replace(hour=11) + timedelta(days=2)
    first = book(sqlite_practice.alice, "Oliver Bennett", starts_at=start)
    bookings.confirm(sqlite_practice.alice, first, 1)
    second = book(sqlite_practice.alice, "Fatima Zahra", starts_at=start)
    at = open_page("alice", "session.py", id=second)
    assert "Clash" in at.error[0].value
    assert at.button(key="confirm_open").disabled


def test_other_therapists_session_and_bad_ids_look_the_same(sqlite_practice):
    bid = book(sqlite_practice.alice, "Hannah Whitfield")
    outcomes = []
    for value in (bid, 999999, "abc", ""):
        at = open_page("bob", "session.py", id=value)
        assert not at.exception
        page = texts(at)
        assert "Hannah" not in page
        outcomes.append([t.value for t in at.title])
    assert outcomes[0] == outcomes[1] == outcomes[2] == ["Session not found"]
    assert outcomes[3] == ["Session not found"]


def test_manager_can_open_any_session(sqlite_practice):
    bid = book(sqlite_practice.bob, "Grace O'Neill")
    at = open_page("morgan", "session.py", id=bid)
    assert "Grace O'Neill" in texts(at)


def test_logged_out_deep_link_shows_the_login_form(sqlite_practice):
    bid = book(sqlite_practice.alice)
    at = app()
    at.query_params["id"] = str(bid)
    at.run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "Hannah" not in texts(at)


def test_dashboard_marks_the_risk_flag(sqlite_practice):
    risky = book(sqlite_practice.alice, "Daniel Kowalski")
    assess(risky, phq9=[0] * 8 + [2])
    book(sqlite_practice.alice, "Zoë Lambert")
    at = open_page("alice", "dashboard.py")
    flagged = [m.value for m in at.markdown if "Risk flag" in m.value]
    assert len(flagged) == 1


def test_dashboard_lists_sessions_waiting_for_the_client(sqlite_practice):
    from lib.bookings import answers

    bid = book(sqlite_practice.alice, "Priya Raman", starts_at=clock.now().replace(hour=11) + timedelta(days=2))
    answers.offer_times(sqlite_practice.alice, bid, 1, [clock.now().replace(hour=11) + timedelta(days=3)])
    page = texts(open_page("alice", "dashboard.py"))
    assert "Waiting for the client to choose a time · 1" in page and "Priya Raman" in page
    assert "New and unconfirmed sessions · 0" in page


def test_session_page_lists_its_messages_in_plain_words(sqlite_practice):
    bid = book(sqlite_practice.alice, "Hannah Whitfield", email="hannah@client.example")
    at = open_page("alice", "session.py", id=bid)
    table = md_table(at, "Written")
    assert {row["Status"] for row in table} == {"Waiting to send"}
    assert "New session request (therapist, email)" in {row["Message"] for row in table}


def test_every_answer_opens_by_itself_when_there_is_a_risk_flag(sqlite_practice):
    risky = book(sqlite_practice.alice, "Daniel Kowalski")
    assess(risky, phq9=[1, 0, 2, 0, 0, 0, 0, 0, 1], gad7=[3])
    at = open_page("alice", "session.py", id=risky)
    assert at.toggle(key="assessment_items").value is True
    page = texts(at)
    assert "Little interest or pleasure in doing things — **Several days** (1)" in page.replace("\\", "")
    assert ":red[**Several days** (1) — risk flag]" in page  # item 9, marked where the therapist reads it
    assert "Feeling nervous, anxious, or on edge — **Nearly every day** (3)" in page.replace("\\", "")

    calm = book(sqlite_practice.alice, "Zoë Lambert")
    assess(calm, phq9=[0] * 9)
    at = open_page("alice", "session.py", id=calm)
    assert at.toggle(key="assessment_items").value is False
    assert "Little interest or pleasure" not in texts(at)
    at.toggle(key="assessment_items").set_value(True).run()
    assert "Little interest or pleasure in doing things — **Not at all** (0)" in texts(at).replace("\\", "")
    assert "risk flag]" not in texts(at)
