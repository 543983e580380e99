"""The app's questionnaires, loaded once on first use.

Loading lazily keeps ``survey check`` usable when a file is broken; serving
refuses to start instead (``survey serve`` checks first).
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from survey.core.errors import QuestionnaireInvalid
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.loader import load_directory


class Registry:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._loaded: dict[str, Questionnaire] | None = None
        self._lock = threading.Lock()

    def all(self) -> dict[str, Questionnaire]:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    found, problems = load_directory(self.directory)
                    if problems:
                        raise QuestionnaireInvalid([str(p) for p in problems])
                    self._loaded = found
        return self._loaded

    def get(self, questionnaire_id: str) -> Questionnaire | None:
        return self.all().get(questionnaire_id)


def init_app(app: Flask) -> None:
    app.extensions["questionnaires"] = Registry(Path(app.config["QUESTIONNAIRE_DIR"]))


def registry() -> Registry:
    return current_app.extensions["questionnaires"]
