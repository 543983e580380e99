"""``survey codebook``: one row per variable, as Markdown or CSV."""

from __future__ import annotations

import csv
import io

import pytest

from survey.config import Defaults

SHIPPED = Defaults.QUESTIONNAIRE_DIR


def test_csv_has_one_row_per_variable_with_codes_and_labels(app):
    result = app.test_cli_runner().invoke(args=["codebook", "families", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["variable", "question", "type", "values", "notes"]
    by_variable = {row["variable"]: row for row in rows}
    assert list(by_variable) == [
        "welcome",
        "info_channel",
        "info_channel_other",
        "info_enough",
        "info_topics",
        "info_topics_other",
        "events_parents_evening",
        "events_school_party",
        "events_talk",
        "children_count",
        "wish",
    ]
    assert by_variable["welcome"]["type"] == "scale"
    assert by_variable["welcome"]["values"] == (
        "1=stimme gar nicht zu; 2=stimme eher nicht zu; 3=stimme eher zu; 4=stimme voll zu; "
        "99=weiß nicht / trifft nicht zu"
    )
    assert by_variable["info_enough"]["values"] == "1=ja; 0=nein; 99=weiß nicht / trifft nicht zu"
    assert by_variable["events_talk"]["type"] == "matrix"
    assert by_variable["events_talk"]["question"].endswith("– Gespräch mit der Lehrkraft")
    assert by_variable["info_channel"]["values"].endswith("98=anderes, und zwar:")
    assert by_variable["info_channel_other"]["type"] == "text"
    assert by_variable["children_count"]["values"] == "whole number 1..9 (Kinder)"


def test_markdown_is_a_table(app):
    result = app.test_cli_runner().invoke(args=["codebook", "children"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "| variable | question | type | values | notes |" in lines
    assert any(line.startswith("| `feel_school` | ") and "| smiley |" in line for line in lines)


def test_unknown_questionnaire_is_a_clear_error(app):
    result = app.test_cli_runner().invoke(args=["codebook", "nope"])
    assert result.exit_code == 1
    assert (
        "unknown questionnaire 'nope' (known: children, families, partners, staff)" in result.output
    )


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
def test_notes_name_priorities_and_identifying_variables(app):
    result = app.test_cli_runner().invoke(args=["codebook", "families", "--format", "csv"])
    notes = {r["variable"]: r["notes"] for r in csv.DictReader(io.StringIO(result.stdout))}
    assert notes["support_wish"].startswith("priorities: up to 3 answers")
    assert "identifying" in notes["home_language"] and "district level" in notes["home_language"]
    assert notes["info_well"] == ""
    result = app.test_cli_runner().invoke(args=["codebook", "partners", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    coded = [r for r in rows if r["type"] != "text"]
    assert coded and all("results at district level or above only" in r["notes"] for r in coded)
