"""Coming back to a questionnaire started earlier on this device.

The draft id lives in the browser's session; so does the number of the step last
shown. Whether a found draft is continued at all is one decision, ``may_resume``,
so that an audience can have its own rule (a school tablet shared by a class must
never put the next child into the previous child's answers).
"""

from __future__ import annotations

from survey.questionnaires.definition import Questionnaire, variables_of
from survey.respond import sharing
from survey.respond.answers import typed_answers
from survey.respond.models import Draft
from survey.respond.steps import Step, all_steps, visible_steps


def may_resume(questionnaire: Questionnaire, draft: Draft) -> bool:
    """Whether the draft found in this browser is continued without asking.

    Not on a device shared by an audience (children on class tablets): there the
    intro asks who is at the device first (``sharing``).
    """
    return not sharing.asks_before_resuming(questionnaire.audience)


def resume_step(questionnaire: Questionnaire, draft: Draft, last_shown: int | None) -> Step:
    """Where the respondent stopped: the step last shown if it is still visible (else the
    next visible one), or, without that memory, the first step with nothing saved yet."""
    typed = typed_answers(questionnaire, draft.answers)
    visible = visible_steps(questionnaire, typed) or all_steps(questionnaire)[:1]
    if last_shown:
        for step in visible:
            if step.number >= last_shown:
                return step
        return visible[-1]
    for step in visible:
        if not any(v in draft.answers for q in step.questions for v in variables_of(q)):
            return step
    return visible[-1]
