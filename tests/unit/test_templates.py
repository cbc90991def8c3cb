"""Every template renders, says only what it should, and never carries clinical content."""
import pytest

from lib.notify import previews
from lib.notify.templates import TEMPLATE_TITLES

CLINICAL = ("PHQ", "GAD", "risk", "self-harm", "depress", "anxiety", "diagnos")


@pytest.mark.parametrize("name", list(TEMPLATE_TITLES))
def test_each_template_previews_without_clinical_content(name):
    shown = previews.preview(name)
    assert shown.template == name and shown.text.strip()
    text = (shown.subject or "") + shown.text + (shown.html or "")
    assert not any(word.lower() in text.lower() for word in CLINICAL), name
    if name.endswith("_sms"):
        assert shown.html is None and "Sample" not in shown.text  # never a client's surname in an SMS
        assert len(shown.text) < 320
    else:
        assert shown.subject and shown.html


def test_client_emails_about_the_time_carry_an_invitation():
    for name in ("confirmed", "rescheduled", "cancelled"):
        assert "BEGIN:VCALENDAR" in previews.preview(name).ics
