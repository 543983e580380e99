"""The published JSON Schema is the one the models generate, and it accepts the shipped files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from survey.questionnaires.schema import json_schema, json_schema_text

ROOT = Path(__file__).resolve().parents[2]


def test_published_schema_is_up_to_date():
    published = (ROOT / "docs" / "questionnaire.schema.json").read_text(encoding="utf-8")
    assert published == json_schema_text(), "run: survey schema -o docs/questionnaire.schema.json"


@pytest.mark.parametrize("path", sorted((ROOT / "questionnaires").glob("*.yaml")), ids=str)
def test_shipped_files_match_the_schema(path):
    data = json.loads(json.dumps(YAML(typ="safe").load(path.read_text(encoding="utf-8"))))
    jsonschema.validate(data, json_schema())


def test_schema_rejects_an_unknown_question_type():
    bad = {
        "id": "x",
        "audience": "staff",
        "title": "T",
        "intro": "I",
        "pages": [{"id": "p", "questions": [{"id": "a", "type": "slider", "label": "A"}]}],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema())
