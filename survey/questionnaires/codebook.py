"""The codebook: one row per variable, as analysts need it next to the data."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from survey.questionnaires.definition import OTHER_LABEL, Questionnaire
from survey.questionnaires.model import (
    MatrixQuestion,
    MultiQuestion,
    NumberQuestion,
    TextQuestion,
)

COLUMNS = ("variable", "question", "type", "values", "notes")


@dataclass(frozen=True)
class Row:
    variable: str
    question: str
    type: str
    values: str
    #: how reports must label or limit the variable (priorities, identifying)
    notes: str = ""


def rows(questionnaire: Questionnaire) -> list[Row]:
    found: list[Row] = []
    for variable, question, kind in questionnaire.variables():
        if isinstance(question, MatrixQuestion):
            item = next(i for i in question.items if f"{question.id}_{i.id}" == variable)
            label = f"{question.label} – {item.label}"
        else:
            label = question.label
        if kind == "text" and not isinstance(question, TextQuestion):  # "other, please specify"
            found.append(Row(variable, f"{label} – {OTHER_LABEL}", "text", _text_values(200)))
            continue
        found.append(
            Row(
                variable,
                label,
                question.type,
                _values(questionnaire, question),
                _notes(questionnaire, question, variable),
            )
        )
    return found


def _notes(questionnaire: Questionnaire, question, variable: str) -> str:
    notes = []
    if isinstance(question, MultiQuestion) and question.max_choices:
        notes.append(
            f"priorities: up to {question.max_choices} answers; shares show what matters most "
            "to respondents, not how common something is"
        )
    level = questionnaire.identifying.get(variable)
    if level:
        notes.append(
            "identifying: never crossed with another identifying variable or the answer "
            f"language; broken down at {level} level or above only"
        )
    if questionnaire.report_level != "school":
        notes.append(f"results at {questionnaire.report_level} level or above only")
    return "; ".join(notes)


def _values(questionnaire: Questionnaire, question) -> str:
    if isinstance(question, TextQuestion):
        return _text_values(question.max_length)
    if isinstance(question, NumberQuestion):
        low, high = question.min, question.max
        if low is not None and high is not None:
            bounds = f" {low}..{high}"
        elif low is not None or high is not None:
            bounds = f" >= {low}" if low is not None else f" <= {high}"
        else:
            bounds = ""
        return f"whole number{bounds}" + (f" ({question.unit})" if question.unit else "")
    return "; ".join(f"{c.value}={c.label}" for c in questionnaire.options[question.id])


def _text_values(max_length: int) -> str:
    return f"free text, at most {max_length} characters"


def as_csv(questionnaire: Questionnaire) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows(questionnaire):
        writer.writerow((row.variable, row.question, row.type, row.values, row.notes))
    return out.getvalue()


def as_markdown(questionnaire: Questionnaire) -> str:
    lines = [
        f"# Codebook: {questionnaire.title} (`{questionnaire.id}`)",
        "",
        f"Audience: {questionnaire.audience} · version {questionnaire.version}",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + " --- |" * len(COLUMNS),
    ]
    for row in rows(questionnaire):
        cells = (f"`{row.variable}`", row.question, row.type, row.values, row.notes)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
