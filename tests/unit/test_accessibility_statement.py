"""docs/accessibility.md lists every violation the browser check skips, with its upstream issue."""
from tests.conftest import ROOT
from tests.e2e.a11y import STREAMLIT_EXCEPTIONS


def test_every_skipped_violation_is_in_the_statement_with_its_upstream_issue():
    statement = (ROOT / "docs" / "accessibility.md").read_text()
    for e in STREAMLIT_EXCEPTIONS:
        assert f"| `{e.rule}` | `{e.selector}` | {e.upstream} |" in statement, e
