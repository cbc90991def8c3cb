"""The core job: a therapist opens a new session from the dashboard, reads it, and confirms it."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, VIEWPORT, fill_login, running_app, session_ids_in, settle

pytestmark = pytest.mark.e2e

PURPLE = "rgb(107, 63, 160)"  # the theme's primaryColor, #6B3FA0
OPEN = re.compile(r"^Open .+'s request$")  # each card's link names whose request it opens


def client_name(page) -> str:
    """The client's name from the session page's title: "Individual session · Hannah Whitfield"."""
    return page.get_by_role("heading", level=1).first.inner_text().split("·", 1)[1].strip()


def session_id(link) -> str:
    return re.search(r"[?&]id=(\d+)", link.get_attribute("href")).group(1)


def queue_count(page) -> int:
    heading = page.get_by_role("heading", name=re.compile(r"New and unconfirmed sessions · \d+"))
    return int(heading.inner_text().rsplit("·", 1)[1])


def test_alice_confirms_her_most_urgent_session_from_the_dashboard(page, log_in):
    log_in("alice")
    waiting = queue_count(page)
    first = page.get_by_role("link", name=OPEN).first
    booking = session_id(first)
    in_queue = page.locator(f"a[href$='id={booking}']").filter(has_text=re.compile(r"Open .+'s request"))
    expect(in_queue).to_have_count(1)

    first.click()

    expect(page).to_have_url(re.compile(rf"/session\?id={booking}$"))
    expect(page.get_by_role("heading", name="Session details")).to_be_visible()
    for label in ("Date and time:", "Session type:", "Location:", "Name:"):
        expect(page.get_by_text(label, exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Attendees?:$"))).to_be_visible()
    expect(page.get_by_role("heading", name="Self-assessment")).to_be_visible()
    expect(page.get_by_text("PHQ-9 (depression)").first).to_be_visible()
    expect(page.get_by_text("Unconfirmed", exact=True)).to_be_visible()
    client = client_name(page)
    assert client

    button = page.get_by_role("button", name="Confirm Session")
    expect(button).to_have_css("background-color", PURPLE)
    button.click()

    dialog = page.get_by_role("dialog")
    # Honest words: what the dialog and the success message promise depends on whether email is set up here.
    name = re.escape(client)
    preview = re.compile(rf"^({name} will be emailed the confirmation below, with a calendar invitation\.|Email is not "
                         rf"set up on this server, so {name} will not be emailed\. The email that would be sent is "
                         rf"below\.)$")
    expect(dialog.get_by_text(preview)).to_be_visible()
    expect(dialog.get_by_text("Subject:")).to_be_visible()
    expect(dialog.get_by_test_id("stText")).to_contain_text(client.split()[0])
    dialog.get_by_role("button", name="Confirm Session").click()

    done = re.compile(rf"^Session confirmed\. (The confirmation email to {name} is queued; it usually goes out "
                      rf"within a minute\.|Email is not set up on this server, so {name} has not been emailed\.)$")
    expect(page.get_by_text(done)).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Confirm Session")).to_have_count(0)
    settle(page)

    page.get_by_role("link", name="New sessions").click()  # the menu leads back to the dashboard

    expect(page.get_by_text(f"New and unconfirmed sessions · {waiting - 1}")).to_be_visible()
    expect(in_queue).to_have_count(0)


def test_bob_cannot_open_alices_session_by_typing_its_address(page, log_in, session_ids):
    alices = session_ids("alice")[0]

    log_in("bob", f"/session?id={alices}", landing="Session not found")
    # The page's own alert, not the staff banner shown while email or SMS isn't set up on this server.
    alert = page.get_by_test_id("stAlert").filter(has_not_text="not set up on this server")
    not_yours = alert.inner_text()
    expect(page.get_by_role("button", name="Confirm Session")).to_have_count(0)
    expect(page.get_by_text("Self-assessment")).to_have_count(0)

    log_in("bob", "/session?id=999999", landing="Session not found")
    assert alert.inner_text() == not_yours  # "not yours" looks exactly like "no such"


def test_a_logged_out_visitor_following_a_session_link_lands_on_it_after_logging_in(page, log_in, session_ids):
    booking = session_ids("alice")[-1]

    page.goto(f"/session?id={booking}")
    expect(page.get_by_role("textbox", name="Password")).to_be_visible()
    expect(page.get_by_role("heading", name="Session details")).to_have_count(0)
    fill_login(page, "alice", DEMO_PASSWORD)

    expect(page.get_by_role("heading", name="Session details").first).to_be_visible()
    settle(page)
    expect(page.get_by_role("heading", name="Session details")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/session\?id={booking}$"))


def test_a_session_link_works_on_the_first_visit_after_a_restart(browser, tmp_path):
    with running_app(tmp_path) as fresh:
        booking = session_ids_in(fresh.database_url, "alice")[0]
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(5_000)
        try:
            page.goto(f"{fresh.url}/session?id={booking}")
            expect(page.get_by_role("button", name="Log in")).to_be_visible()
            expect(page.get_by_role("dialog")).to_have_count(0, timeout=1_000)  # not "Page not found"
            fill_login(page, "alice", DEMO_PASSWORD)
            expect(page.get_by_role("heading", name="Session details").first).to_be_visible()
        finally:
            page.close()


def test_the_answer_comes_right_after_what_the_client_wants_help_with_on_a_phone_too(page, log_in):
    """One column, read from the top: the client's needs, then Confirm Session, then the details to refer to."""
    log_in("alice")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name=OPEN).first.click()
    order = [page.get_by_role("heading", name=name).first for name in ("Self-assessment", "Your answer")]
    order += [page.get_by_role("button", name="Confirm Session"), page.get_by_role("heading", name="Session details"),
              page.get_by_role("heading", name="History")]
    for element in order:
        expect(element).to_be_attached()
    tops = [element.bounding_box()["y"] for element in order]
    assert tops == sorted(tops), tops
