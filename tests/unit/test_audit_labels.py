"""Every action the code writes to the audit trail has a label a manager can read in /audit."""
import re

from lib.audit.view import ACTION_LABELS
from tests.conftest import ROOT

# audit.record(session, who, "action" [if … else "other"], …), AuditEntry(…, action="…"), action: str = "…"
_RECORDED = re.compile(r'(?:audit|trail)\.record\([^,]+,[^,]+,\s*"([a-z_]+)"(?: if [^,]+ else "([a-z_]+)")?'
                       r'|action="([a-z_]+)"(?: if [^,]+ else "?([a-z_]+)"?)?|action: str = "([a-z_]+)"'
                       r'|cause="([a-z_]+)"')


def test_every_audited_action_has_a_label():
    found = set()
    for path in (ROOT / "lib").rglob("*.py"):
        text = path.read_text()
        for match in _RECORDED.finditer(text):
            found.update(g for g in match.groups() if g and g not in ("action", "cause", "store_true"))
    assert {"login", "login_failed", "two_step_failed", "person_deactivated", "session_ended"} <= found
    assert sorted(a for a in found if a not in ACTION_LABELS) == []
