"""The self-assessment questionnaires (PHQ-9, GAD-7): items, scores, bands, completeness."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

PHQ9_ITEMS = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed, or the opposite — being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself",
]
GAD7_ITEMS = [
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
]
ANSWERS = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
HELP_TOPICS = [
    "Anxiety", "Depression", "Stress", "Relationships", "Bereavement", "Trauma",
    "Self-esteem", "Work", "Family", "Sleep", "Anger", "Addiction", "Eating", "Other",
]

PHQ9_BANDS = [(4, "minimal"), (9, "mild"), (14, "moderate"), (19, "moderately severe"), (27, "severe")]
GAD7_BANDS = [(4, "minimal"), (9, "mild"), (14, "moderate"), (21, "severe")]


def band(total: int, bands: list[tuple[int, str]]) -> str:
    for upper, label in bands:
        if total <= upper:
            return label
    raise ValueError(f"score {total} is out of range")


def clean_answers(answers: list | None, count: int) -> list[int | None]:
    """Pad or trim to `count` items; anything not 0-3 counts as unanswered."""
    answers = list(answers or [])[:count]
    answers += [None] * (count - len(answers))
    return [a if isinstance(a, int) and 0 <= a <= 3 else None for a in answers]


@dataclass(frozen=True)
class Score:
    answered: int
    items: int
    total: int | None  # only when every item is answered
    severity: str | None


def score(answers: list | None, count: int, bands) -> Score:
    clean = clean_answers(answers, count)
    answered = sum(a is not None for a in clean)
    if answered < count:
        return Score(answered, count, None, None)
    total = sum(cast("list[int]", clean))  # every item answered: no None left
    return Score(answered, count, total, band(total, bands))


def phq9_score(answers) -> Score:
    return score(answers, 9, PHQ9_BANDS)


def gad7_score(answers) -> Score:
    return score(answers, 7, GAD7_BANDS)


def risk_flag(phq9: list | None) -> bool:
    """PHQ-9 item 9 (thoughts of self-harm) above 0."""
    item9 = clean_answers(phq9, 9)[8]
    return item9 is not None and item9 > 0


def completeness(phq9, gad7, help_with, free_text) -> str:
    """'complete', 'partial' or 'not started'."""
    p, g = clean_answers(phq9, 9), clean_answers(gad7, 7)
    parts = [a is not None for a in p + g] + [bool(help_with), bool((free_text or "").strip())]
    if all(parts[:16]) and parts[16]:
        return "complete"
    if any(parts):
        return "partial"
    return "not started"


@dataclass(frozen=True)
class AssessmentView:
    """What a therapist sees of the assessment; plain data for the page."""

    status: str
    updated_at: datetime | None
    phq9: list[int | None]
    gad7: list[int | None]
    phq9_score: Score
    gad7_score: Score
    help_with: list[str]
    free_text: str
    risk: bool


def view(assessment) -> AssessmentView:
    if assessment is None:
        return AssessmentView("not started", None, [None] * 9, [None] * 7,
                              phq9_score([]), gad7_score([]), [], "", False)
    return AssessmentView(
        status=completeness(assessment.phq9, assessment.gad7, assessment.help_with, assessment.free_text),
        updated_at=assessment.updated_at,
        phq9=clean_answers(assessment.phq9, 9),
        gad7=clean_answers(assessment.gad7, 7),
        phq9_score=phq9_score(assessment.phq9),
        gad7_score=gad7_score(assessment.gad7),
        help_with=list(assessment.help_with or []),
        free_text=assessment.free_text or "",
        risk=risk_flag(assessment.phq9),
    )
