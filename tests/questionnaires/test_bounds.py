"""Codes and number bounds in a questionnaire fit the columns that store answers."""

from __future__ import annotations

import textwrap

import pytest

from survey.questionnaires.loader import ProblemList, load_file

TEMPLATE = """\
id: q
audience: families
title: T
intro: I
pages:
  - id: p
    questions:
      {question}
"""


@pytest.mark.parametrize(
    "question, fragment",
    [
        (
            "- {id: a, type: single, label: A, choices: [{value: 2147483648, label: x}]}",
            "2147483647",
        ),
        ("- {id: a, type: number, label: A, max: 10000000000}", "1000000000"),
        ("- {id: a, type: number, label: A, min: -10000000000}", "-1000000000"),
    ],
)
def test_values_that_no_answer_column_holds_are_refused(tmp_path, question, fragment):
    path = tmp_path / "q.yaml"
    path.write_text(TEMPLATE.format(question=textwrap.dedent(question)), encoding="utf-8")
    with pytest.raises(ProblemList) as info:
        load_file(path)
    messages = [str(p) for p in info.value.problems]
    assert any(fragment in m and ":8:" in m for m in messages), messages
