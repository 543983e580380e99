"""The shared catalogue of themes and indicators, and how questionnaires refer to it."""

from __future__ import annotations

import textwrap

import pytest

from survey.questionnaires.loader import ProblemList, load_paths, load_themes

THEMES = """\
themes:
  - {id: welcome, label: Willkommen}
  - {id: support, label: Unterstützung}
indicators:
  - {id: feel_welcome, theme: welcome, kind: strength, label: fühlen sich willkommen, counts: top2}
  - {id: wants_help, theme: support, kind: need, label: wünschen sich Hilfe}
"""

HEAD = """\
id: q
audience: families
title: T
intro: I
choices:
  agree4:
    - {value: 1, label: a}
    - {value: 2, label: b}
    - {value: 3, label: c}
    - {value: 4, label: d}
pages:
  - id: p
    questions:
"""


def write(tmp_path, questions: str, themes: str = THEMES):
    (tmp_path / "themes.yaml").write_text(themes, encoding="utf-8")
    path = tmp_path / "q.yaml"
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(questions), "      "), "utf-8")
    return path


def test_indicators_resolve_to_the_codes_that_count(tmp_path):
    path = write(
        tmp_path,
        """\
        - {id: welcome, type: scale, label: W, choices: agree4, dont_know: true,
           theme: welcome, indicator: feel_welcome}
        - id: help
          type: multi
          label: H
          theme: support
          choices: [{value: 1, label: x}, {value: 2, label: y}]
          indicator: {id: wants_help, counts: [2]}
        - id: m
          type: matrix
          label: M
          choices: agree4
          theme: welcome
          items:
            - {id: a, label: A, indicator: {id: feel_welcome, counts: bottom1}}
            - {id: b, label: B, theme: support}
        """,
    )
    found, problems = load_paths([path])
    assert problems == []
    q = found["q"]
    assert [(u.indicator, u.variable, u.codes) for u in q.indicators] == [
        ("feel_welcome", "welcome", (3, 4)),
        ("wants_help", "help", (2,)),
        ("feel_welcome", "m_a", (1,)),
    ]
    assert q.themes == {"welcome": "welcome", "help": "support", "m_a": "welcome", "m_b": "support"}


@pytest.mark.parametrize(
    ("questions", "line", "message"),
    [
        ("- {id: a, type: yesno, label: A, theme: nothing}\n", 14, "unknown theme 'nothing'"),
        ("- {id: a, type: yesno, label: A, indicator: nope}\n", 14, "unknown indicator 'nope'"),
        (
            "- {id: a, type: yesno, label: A, indicator: wants_help}\n",
            14,
            "say which answers count",
        ),
        (
            "- {id: a, type: yesno, label: A, indicator: feel_welcome}\n",
            14,
            "'top2' needs an ordered scale",
        ),
        (
            "- {id: a, type: scale, label: A, choices: agree4, indicator: {id: wants_help, counts: yes}}\n",
            14,
            "'yes' fits only yes/no questions",
        ),
        (
            "- {id: a, type: scale, label: A, choices: agree4, indicator: {id: wants_help, counts: [7]}}\n",
            14,
            "has no answer 7 to count",
        ),
        (
            "- {id: a, type: multi, label: A, choices: agree4, "
            "indicator: {id: wants_help, counts: [3, 4]}}\n",
            14,
            "counts several answers of a multiple choice",
        ),
        (
            "- id: m\n  type: matrix\n  label: M\n  choices: agree4\n  items:\n"
            "    - {id: a, label: A, theme: gone}\n",
            19,
            "'a': unknown theme 'gone'",
        ),
    ],
)
def test_undefined_themes_and_unfitting_indicators_are_refused(tmp_path, questions, line, message):
    path = write(tmp_path, questions)
    _found, problems = load_paths([path])
    assert [str(p) for p in problems if message in str(p)] == [
        f"{path}:{line}: " + next(p.message for p in problems if message in p.message)
    ]


def test_the_catalogue_itself_is_checked(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text(
        THEMES + "  - {id: feel_welcome, theme: welcome, kind: strength, label: again}\n"
        "  - {id: orphan, theme: missing, kind: need, label: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(ProblemList) as caught:
        load_themes(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:7: duplicate indicator 'feel_welcome'",
        f"{path}:8: indicator 'orphan': unknown theme 'missing'",
    ]


def test_check_command_reports_catalogue_problems(app, tmp_path):
    from survey.questionnaires.cli import check_command

    path = write(tmp_path, "- {id: a, type: yesno, label: A, theme: nothing}\n")
    result = app.test_cli_runner().invoke(check_command, [str(tmp_path)])
    assert result.exit_code == 1
    assert f"{path}:14: 'a': unknown theme 'nothing'" in result.stdout


def test_without_a_catalogue_every_theme_is_reported(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(HEAD + "      - {id: a, type: yesno, label: A, theme: welcome}\n", "utf-8")
    _found, problems = load_paths([path])
    assert [str(p) for p in problems] == [
        f"{path}:14: 'a': unknown theme 'welcome' (define it in themes.yaml)"
    ]


def test_smiley_labels_must_match_its_faces(tmp_path):
    path = write(
        tmp_path,
        "- {id: s, type: smiley, points: 3, label: S, choices: [{value: 1, label: a}, "
        "{value: 2, label: b}, {value: 7, label: c}]}\n",
    )
    _found, problems = load_paths([path])
    assert any("a smiley with 3 faces needs the codes 1 to 3" in str(p) for p in problems)


# --- one indicator, one scale type --------------------------------------------------------


def test_an_indicators_items_share_a_scale_type(tmp_path):
    path = write(
        tmp_path,
        """\
        - {id: a, type: scale, label: A, choices: agree4, theme: welcome, indicator: feel_welcome}
        - {id: b, type: smiley, label: B, theme: welcome, indicator: feel_welcome}
        - {id: c, type: yesno, label: C, theme: welcome, indicator: {id: feel_welcome, counts: yes}}
        """,
    )
    found, problems = load_paths([path])
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (15, "'b'"),
        (16, "'c'"),
    ]
    assert "mixes scale types: smiley with 5 faces here, scale 'agree4' in q.a" in str(problems[0])
    assert "yes/no here" in str(problems[1])


def test_a_matrix_item_and_a_scale_on_the_same_list_share_a_type(tmp_path):
    path = write(
        tmp_path,
        """\
        - {id: a, type: scale, label: A, choices: agree4, theme: welcome, indicator: feel_welcome}
        - id: m
          type: matrix
          label: M
          choices: agree4
          theme: welcome
          items: [{id: x, label: X, indicator: feel_welcome}]
        """,
    )
    assert load_paths([path])[1] == []


def test_the_scale_type_rule_holds_across_questionnaires(tmp_path):
    first = write(
        tmp_path,
        "- {id: a, type: scale, label: A, choices: agree4, theme: welcome, indicator: feel_welcome}\n",
    )
    other = tmp_path / "r.yaml"
    other.write_text(
        first.read_text(encoding="utf-8")
        .replace("id: q", "id: r")
        .replace("type: scale, label: A, choices: agree4", "type: smiley, label: A, points: 3"),
        encoding="utf-8",
    )
    _found, problems = load_paths([first, other])
    assert len(problems) == 1 and problems[0].path == str(other) and problems[0].line == 14
    assert "smiley with 3 faces here, scale 'agree4' in q.a" in problems[0].message


def test_shipped_indicators_each_measure_on_one_scale_type():
    from pathlib import Path

    from survey.questionnaires.loader import load_directory

    found, problems = load_directory(Path(__file__).parents[2] / "questionnaires")
    assert problems == []
    scales: dict[str, set[str]] = {}
    for questionnaire in found.values():
        for use in questionnaire.indicators:
            scales.setdefault(use.indicator, set()).add(use.scale)
    assert {k: v for k, v in scales.items() if len(v) > 1} == {}
