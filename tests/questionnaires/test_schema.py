"""The published JSON Schema is the one the models generate, and it accepts the shipped files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from survey.questionnaires.schema import SCHEMAS, json_schema, json_schema_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_published_schemas_are_up_to_date(name):
    published = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert published == json_schema_text(name), "run: survey schema -o docs"


@pytest.mark.parametrize("path", sorted((ROOT / "questionnaires").glob("*.yaml")), ids=str)
def test_shipped_files_match_the_schema(path):
    data = json.loads(json.dumps(YAML(typ="safe").load(path.read_text(encoding="utf-8"))))
    name = "themes.schema.json" if path.name == "themes.yaml" else "questionnaire.schema.json"
    jsonschema.validate(data, json_schema(name))


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
