"""One vocabulary: every stored word has one label, and a word outside it is refused before it is stored."""
import re

import pytest

from lib.audit.view import ACTION_LABELS
from lib.core.models import AuditEntry, Booking, BookingEvent, Notification
from lib.core.vocabulary import AuditAction, BookingStatus, Channel, EventKind, Labelled, MessageStatus, SessionType
from tests.conftest import ROOT


@pytest.mark.parametrize("vocabulary", [AuditAction, BookingStatus, Channel, EventKind, MessageStatus, SessionType])
def test_every_word_has_a_label_a_person_can_read(vocabulary: type[Labelled]):
    for member in vocabulary:
        assert member.label and member.label != member.value and "_" not in member.label


def test_the_audit_page_labels_every_action():
    assert set(ACTION_LABELS) == {a.value for a in AuditAction}


def test_every_action_the_code_records_is_in_the_vocabulary():
    recorded = set()
    for path in (ROOT / "lib").rglob("*.py"):
        recorded |= set(re.findall(r"AuditAction\.([A-Z_]+)", path.read_text()))
    assert {"LOGIN", "LOGIN_FAILED", "TWO_STEP_FAILED", "PERSON_DEACTIVATED", "SESSION_ENDED"} <= recorded
    assert recorded <= {a.name for a in AuditAction}
    bare = []  # an action written as a bare string would bypass the vocabulary's names
    for path in (ROOT / "lib").rglob("*.py"):
        bare += re.findall(r'trail\.record\([^,()]+,[^,()]+,\s*"([a-z_]+)"', path.read_text())
    assert bare == []


@pytest.mark.parametrize(("make", "word"), [
    (lambda w: AuditEntry(action=w), "import_everything"),
    (lambda w: Booking(status=w), "maybe"),
    (lambda w: BookingEvent(kind=w), "confirmd"),
    (lambda w: Notification(channel=w), "fax"),
    (lambda w: Notification(status=w), "lost"),
])
def test_a_word_outside_the_vocabulary_is_refused_before_it_is_stored(make, word):
    with pytest.raises(ValueError, match=word):
        make(word)


def test_stored_words_are_the_enum_members():
    b = Booking(status="confirmed", session_type="couple", delivery="online")
    assert b.status is BookingStatus.CONFIRMED and b.status.label == "Confirmed" and b.session_type.label == "Couple"
