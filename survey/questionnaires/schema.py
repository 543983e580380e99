"""The JSON Schema of the questionnaire format, generated from the pydantic models.

Published as ``docs/questionnaire.schema.json`` so that editors (VS Code with the
YAML extension) complete and check a questionnaire while it is typed.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from survey.questionnaires.model import QuestionnaireFile, ThemesFile

#: file name in docs/ -> (model, title)
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "questionnaire.schema.json": (QuestionnaireFile, "Mitwirken questionnaire"),
    "themes.schema.json": (ThemesFile, "Mitwirken themes and indicators"),
}


def json_schema(name: str = "questionnaire.schema.json") -> dict[str, Any]:
    model, title = SCHEMAS[name]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://mitwirken.invalid/{name}"
    schema["title"] = title
    return schema


def json_schema_text(name: str = "questionnaire.schema.json") -> str:
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
