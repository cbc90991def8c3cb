"""The dashboard's words: a greeting for the hour, a due badge that says when and why, links that name people."""
from datetime import datetime, timedelta

from ui.queue_words import due_badge, greeting, names, open_label

NOW = datetime(2026, 12, 7, 22, 30)  # Monday evening, GMT


def test_the_greeting_fits_the_hour():
    assert [greeting(h) for h in (2, 6, 13, 19, 23)] == [
        "Hello", "Good morning", "Good afternoon", "Good evening", "Hello"]


def test_the_badge_counts_down_when_close_and_otherwise_says_when_and_why():
    start = NOW + timedelta(days=3)
    assert due_badge(datetime(2026, 12, 8, 13, 0), start, NOW, "Europe/London", 4) == \
        "Due 13:00 tomorrow (4 business hours)"
    assert due_badge(NOW + timedelta(minutes=45), start, NOW, "Europe/London", 4) == "Due in 45 min"
    assert due_badge(datetime(2026, 12, 10, 9, 0), datetime(2026, 12, 10, 9, 0), NOW, "Europe/London", 4) == \
        "Due 09:00 Thu 10 Dec (when the session starts)"


def test_links_name_whose_request_they_open_and_stay_short():
    assert open_label(["Hannah Whitfield"]) == "Open Hannah Whitfield's request"
    assert names(["Tomás Ferreira", "Inês Ferreira"]) == "Tomás Ferreira and Inês Ferreira"
    assert open_label(["Priya Raman", "Arjun Raman", "Meera Raman"]) == "Open Priya Raman and 2 others' request"
