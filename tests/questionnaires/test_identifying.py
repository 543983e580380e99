"""The identifying-variables marker: what the report engine may never cross or show small."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from survey.questionnaires.loader import load_directory, load_paths
from survey.questionnaires.schema import json_schema_text

ROOT = Path(__file__).parents[2]

HEAD = """\
id: q
audience: families
title: T
intro: I
{extra}pages:
  - id: p
    questions:
"""


def write(tmp_path, questions: str, extra: str = "") -> Path:
    path = tmp_path / "q.yaml"
    body = HEAD.format(extra=extra) + textwrap.indent(textwrap.dedent(questions), "      ")
    path.write_text(body, encoding="utf-8")
    return path


def test_marked_variables_and_the_answer_language_are_identifying(tmp_path):
    path = write(
        tmp_path,
        """\
        - {id: grade, type: single, label: G, choices: [{value: 1, label: a}], identifying: school}
        - {id: years, type: single, label: Y, choices: [{value: 1, label: a}], identifying: district}
        - {id: free, type: text, label: F}
        """,
    )
    found, problems = load_paths([path])
    assert problems == []
    q = found["q"]
    assert dict(q.identifying) == {"language": "school", "grade": "school", "years": "district"}
    assert q.report_level == "school"


def test_a_questionnaire_reported_by_district_makes_the_language_district_level(tmp_path):
    path = write(tmp_path, "- {id: a, type: yesno, label: A}\n", extra="report_level: district\n")
    found, problems = load_paths([path])
    assert problems == [] and dict(found["q"].identifying) == {"language": "district"}


@pytest.mark.parametrize(
    ("question", "extra", "message"),
    [
        ("- {id: f, type: text, label: F, identifying: school}\n", "", "free text is never"),
        (
            "- {id: y, type: yesno, label: Y, identifying: school}\n",
            "report_level: district\n",
            "identifying at school level, but the questionnaire is reported at district",
        ),
        ("- {id: y, type: yesno, label: Y, identifying: class}\n", "", "identifying"),
    ],
)
def test_wrong_markers_are_reported(tmp_path, question, extra, message):
    path = write(tmp_path, question, extra)
    _found, problems = load_paths([path])
    assert len(problems) == 1 and message in problems[0].message, problems


def test_the_json_schema_describes_the_marker():
    schema = json.loads(json_schema_text("questionnaire.schema.json"))
    text = json.dumps(schema)
    assert '"identifying"' in text and '"report_level"' in text
    assert "never cross two identifying variables" in text


def test_shipped_instruments_mark_their_identifying_background():
    found, problems = load_directory(ROOT / "questionnaires")
    assert problems == []
    marked = {qid: dict(q.identifying) for qid, q in found.items()}
    assert marked == {
        "children": {"language": "school", "grade_band": "school"},
        "families": {
            "language": "school",
            "child_grade": "school",
            "home_language": "district",
            "years_in_germany": "district",
        },
        "staff": {"language": "school", "role": "district"},
        "partners": {"language": "district", "org_kind": "municipality"},
    }
    assert found["partners"].report_level == "district"
    staff_role = next(q for q in found["staff"].questions() if q.id == "role")
    assert not staff_role.required and len(found["staff"].options["role"]) == 3
