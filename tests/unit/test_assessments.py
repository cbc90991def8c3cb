import pytest

from lib.bookings import assessments as a


@pytest.mark.parametrize("total, band", [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
                                         (14, "moderate"), (15, "moderately severe"), (19, "moderately severe"),
                                         (20, "severe"), (27, "severe")])
def test_phq9_bands(total, band):
    assert a.band(total, a.PHQ9_BANDS) == band


@pytest.mark.parametrize("total, band", [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
                                         (14, "moderate"), (15, "severe"), (21, "severe")])
def test_gad7_bands(total, band):
    assert a.band(total, a.GAD7_BANDS) == band


def test_scores_sum_items_and_need_every_answer():
    assert a.phq9_score([3] * 9).total == 27
    assert a.phq9_score([3] * 9).severity == "severe"
    partial = a.phq9_score([1, 2, None, 1])
    assert (partial.answered, partial.total, partial.severity) == (3, None, None)
    assert a.gad7_score([1, 1, 1, 1, 1, 0, 0]).total == 5


def test_out_of_range_answers_count_as_unanswered():
    assert a.clean_answers([0, 4, -1, "2", 3], 5) == [0, None, None, None, 3]


def test_risk_flag_is_item_nine_above_zero():
    assert a.risk_flag([0] * 8 + [1])
    assert not a.risk_flag([3] * 8 + [0])
    assert not a.risk_flag([3] * 8)  # unanswered is not a flag (but the assessment is partial)


@pytest.mark.parametrize("phq9, gad7, help_with, text, status", [
    ([], [], [], None, "not started"),
    ([1] * 9, [], [], None, "partial"),
    ([], [], ["Anxiety"], None, "partial"),
    ([1] * 9, [1] * 7, [], "", "partial"),
    ([1] * 9, [1] * 7, ["Anxiety"], None, "complete"),
])
def test_completeness(phq9, gad7, help_with, text, status):
    assert a.completeness(phq9, gad7, help_with, text) == status
