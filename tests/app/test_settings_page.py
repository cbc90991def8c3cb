"""/settings through the real app: field messages, saving, the managers' section."""
from lib.practice import settings
from tests.app.helpers import open_page, texts


def _save(at):
    at.button(key="FormSubmitter:my_settings-Save my settings").click().run()
    return at


def test_bad_mobile_number_is_explained_next_to_the_field_and_nothing_changes(sqlite_practice):
    before = settings.mine(sqlite_practice.alice)
    at = open_page("alice", "settings.py")
    at.text_input(key="s_sms_phone").input("12345")
    _save(at)
    assert not at.exception
    assert any("not a valid phone number" in e.value or "not a phone number" in e.value for e in at.error)
    assert settings.mine(sqlite_practice.alice) == before


def test_saving_good_settings(sqlite_practice):
    at = open_page("alice", "settings.py")
    at.text_input(key="s_hours_sat").input("10:00-13:00")
    at.text_input(key="s_sms_phone").input("07911 123456")
    _save(at)
    assert "saved" in at.success[0].value
    assert settings.mine(sqlite_practice.alice).working_hours["sat"] == [["10:00", "13:00"]]


def test_practice_rules_only_for_managers(sqlite_practice):
    assert "Practice rules" not in texts(open_page("alice", "settings.py"))
    at = open_page("morgan", "settings.py")
    assert "Practice rules" in texts(at)
    at.number_input(key="p_target").set_value(3.0)
    at.button(key="FormSubmitter:practice_settings-Save practice rules").click().run()
    assert not at.exception
    assert "Practice rules saved" in at.success[0].value
    assert settings.practice_settings(sqlite_practice.morgan)["response_target_hours"] == 3.0
