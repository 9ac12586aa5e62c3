"""The sentences a person reads about their case: the same for the window and ``takeback status``."""

from __future__ import annotations

import datetime as dt

from client_api import CaseState, CaseStatus, Feedback, FeedbackValue, Program
from client_api.keys import case_number_check_character
from desktop.messages import describe_status


def _status(**changes: object) -> CaseStatus:
    fields: dict[str, object] = {
        "case_number": "ABC-234-DEF" + case_number_check_character("ABC234DEF"),
        "program": Program.ADULT,
        "state": CaseState.ACTIVE,
        "created_on": dt.date(2026, 11, 20),
        "updated_on": dt.date(2026, 11, 22),
        "item_count": 3,
        "fingerprint_count": 9,
        "feedback": (),
    }
    fields.update(changes)
    return CaseStatus(**fields)  # type: ignore[arg-type]


def test_an_active_case_reads_as_plain_sentences():
    text = describe_status(_status(feedback=(
        Feedback(FeedbackValue.BLOCKED, 2), Feedback(FeedbackValue.PENDING_REVIEW, 1), Feedback(FeedbackValue.NONE, 4),
    )))
    assert text.active
    assert text.summary.startswith("This case is active.") and "3 photos and videos" in text.summary
    assert text.dates == "Opened on 20 November 2026, last changed on 22 November 2026."
    assert text.feedback == (
        "2 websites or apps found a match, checked it, and blocked it.",
        "1 website or app found a possible match and is checking it.",
    )


def test_a_case_without_feedback_gets_a_reassuring_sentence():
    text = describe_status(_status(item_count=1))
    assert "1 photo or video" in text.summary
    assert text.feedback[0].startswith("No website or app has reported a match yet.")


def test_a_withdrawn_case_says_so_and_lists_no_feedback():
    text = describe_status(_status(state=CaseState.WITHDRAWN, feedback=(Feedback(FeedbackValue.WITHDRAWN, 2),)))
    assert not text.active
    assert text.summary.startswith("This case is withdrawn.") and text.feedback == ()
