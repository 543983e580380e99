"""The JSON Schema of the questionnaire format, generated from the pydantic models.

Published as ``docs/questionnaire.schema.json`` so that editors (VS Code with the
YAML extension) complete and check a questionnaire while it is typed.
"""

from __future__ import annotations

import json
from typing import Any

from survey.questionnaires.model import QuestionnaireFile

SCHEMA_ID = "https://mitwirken.invalid/questionnaire.schema.json"


def json_schema() -> dict[str, Any]:
    schema = QuestionnaireFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "Mitwirken questionnaire"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
