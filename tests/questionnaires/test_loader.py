"""Loading questionnaire files: the shipped ones, broken ones, versions, resolved answers."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path
from typing import get_args

import pytest
from pydantic import ValidationError

from survey.config import Defaults
from survey.questionnaires.definition import (
    DONT_KNOW_LABEL,
    OTHER_LABEL,
    SMILEY_LABELS,
    Questionnaire,
)
from survey.questionnaires.loader import (
    Problem,
    ProblemList,
    content_version,
    load_directory,
    load_file,
    load_paths,
    questionnaire_files,
)
from survey.questionnaires.model import DONT_KNOW, NO, OTHER, QUESTION_TYPES, YES, Audience

SHIPPED = Path(Defaults.QUESTIONNAIRE_DIR)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "questionnaires"
SHIPPED_FILES = questionnaire_files(SHIPPED)  # themes.yaml is the catalogue, not a questionnaire

#: Lines 1-4 of every broken file; ``pages:`` is always line 5.
HEAD = "id: t\naudience: families\ntitle: T\nintro: I\n"
GOOD = HEAD + textwrap.dedent(
    """\
    pages:
      - id: p
        questions:
          - {id: a, type: yesno, label: A}
    """
)


def write(tmp_path: Path, text: str, name: str = "q.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(ProblemList) as info:
        load_file(path)
    return info.value.problems


def the_problem(problems: list[Problem], fragment: str) -> Problem:
    """The single problem whose message contains ``fragment``."""
    found = [p for p in problems if fragment in p.message]
    assert len(found) == 1, f"{fragment!r} in {[str(p) for p in problems]}"
    return found[0]


def assert_problem(problems: list[Problem], path: Path, line: int, fragment: str) -> None:
    problem = the_problem(problems, fragment)
    assert str(problem).startswith(f"{path}:{line}: "), str(problem)
    assert (problem.path, problem.line) == (str(path), line)


def load_text(tmp_path: Path, text: str, name: str = "q.yaml") -> Questionnaire:
    return load_file(write(tmp_path, text, name))


# --- the shipped files ---------------------------------------------------------------------


def test_the_four_shipped_files_are_there():
    assert [p.name for p in SHIPPED_FILES] == [
        "children.yaml",
        "families.yaml",
        "partners.yaml",
        "staff.yaml",
    ]


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.stem)
def test_shipped_file_loads(path: Path):
    questionnaire = load_file(path)
    assert questionnaire.id == path.stem
    assert questionnaire.path == path
    assert len(questionnaire.version) == 12
    int(questionnaire.version, 16)


def test_shipped_folder_has_no_problems():
    found, problems = load_directory(SHIPPED)
    assert problems == []
    assert sorted(found) == ["children", "families", "partners", "staff"]


def test_shipped_files_use_every_question_type_and_audience():
    found, _ = load_directory(SHIPPED)
    types = {q.type for questionnaire in found.values() for q in questionnaire.questions()}
    assert types == set(QUESTION_TYPES)
    assert len(QUESTION_TYPES) == 8
    assert {q.audience for q in found.values()} == set(get_args(Audience))


def test_conditions_are_parsed():
    families = load_file(FIXTURES / "families.yaml")
    page = next(p for p in families.pages if p.id == "more_info")
    assert families.page_visible(page, {"info_enough": NO})
    assert not families.page_visible(page, {"info_enough": YES})
    assert not families.page_visible(page, {})
    wish = next(q for q in families.questions() if q.id == "wish")
    assert families.question_visible(wish, {"events_parents_evening": 2})
    assert not families.question_visible(wish, {"events_parents_evening": 3})


# --- broken files: one problem each, at the right line -------------------------------------

BROKEN = [
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: slider
                label: A
        """,
        9,  # the line of "type:", not of the question
        "unknown question type 'slider' (known: single, multi, scale, matrix",
        id="unknown-type",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                label: A
        """,
        8,
        "a question needs a type",
        id="missing-type",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: yesno
                label: A
              - id: a
                type: yesno
                label: B
        """,
        11,
        "duplicate id 'a'",
        id="duplicate-question-id",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: yesno
                label: A
          - id: q
            questions:
              - id: a
                type: text
                label: B
        """,
        13,
        "duplicate id 'a'",
        id="duplicate-question-id-across-pages",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: matrix
                label: A
                choices: [{value: 1, label: x}]
                items:
                  - {id: b, label: B}
              - id: a_b
                type: yesno
                label: B
        """,
        14,
        "duplicate id 'a_b'",
        id="question-clashes-with-matrix-variable",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a_b
                type: yesno
                label: B
              - id: a
                type: matrix
                label: A
                choices: [{value: 1, label: x}]
                items:
                  - {id: b, label: B}
        """,
        11,
        "duplicate id 'a_b' (variable of 'a')",
        id="matrix-variable-clashes-with-question",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a_other
                type: text
                label: B
              - id: a
                type: single
                label: A
                choices: [{value: 1, label: x}]
                other: true
        """,
        11,
        "duplicate id 'a_other' (variable of 'a')",
        id="other-variable-clashes-with-question",
    ),
    pytest.param(
        """\
        pages:
          - id: m
            questions:
              - id: m
                type: matrix
                label: M
                choices: [{value: 1, label: x}]
                items:
                  - {id: a, label: A}
                  - {id: a, label: B}
        """,
        14,
        "question 'm': duplicate item id 'a'",
        id="duplicate-matrix-item",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - {id: a, type: yesno, label: A}
          - id: p
            questions:
              - {id: b, type: yesno, label: B}
        """,
        9,
        "duplicate page id 'p'",
        id="duplicate-page-id",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: yesno
                label: A
                show_if: nope == 1
        """,
        11,
        "show_if names unknown question 'nope'",
        id="show-if-unknown-question",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: yesno
                label: A
                show_if: b == 1
          - id: q
            questions:
              - id: b
                type: yesno
                label: B
        """,
        11,
        "show_if names 'b', which comes on a later page",
        id="show-if-later-page",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            show_if: b == 1
            questions:
              - id: a
                type: yesno
                label: A
          - id: q
            questions:
              - id: b
                type: yesno
                label: B
        """,
        7,
        "show_if names 'b', which comes on a later page",
        id="page-show-if-later-page",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: yesno
                label: A
                show_if: b == 1
              - id: b
                type: yesno
                label: B
        """,
        11,
        "later on the same page",
        id="show-if-later-on-same-page",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: yesno
                label: A
                show_if: answered(a)
        """,
        11,
        "show_if names 'a'",
        id="show-if-names-itself",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            show_if: a == 1
            questions:
              - id: a
                type: yesno
                label: A
        """,
        7,
        "show_if names 'a', which comes on the same page",
        id="page-show-if-own-question",
    ),
    pytest.param(
        """\
        choices:
          agree4:
            - {value: 1, label: x}
        pages:
          - id: p
            questions:
              - id: a
                type: single
                label: A
                choices: agree
        """,
        14,
        "question 'a': unknown choice list 'agree' (known: agree4)",
        id="unknown-choice-list",
    ),
    pytest.param(
        "pages:\n  - id: p\n\tquestions: []\n",
        7,
        "bad YAML: found character '\\t'",
        id="yaml-tab",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: single
                label: A
                choices: [{value: 1, label: x}
              - id: b
                type: yesno
                label: B
        """,
        12,
        "bad YAML: expected ',' or ']'",
        id="yaml-unclosed-bracket",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: yesno
                label: A
                label: B
        """,
        11,
        'bad YAML: found duplicate key "label"',
        id="yaml-duplicate-key",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            title: P
        """,
        6,
        "'questions' is missing",
        id="page-without-questions",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions: []
        """,
        7,
        "questions: Tuple should have at least 1 item",
        id="page-with-empty-questions",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: yesno
        """,
        8,
        "question 'a': 'label' is missing",
        id="question-without-label",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: yesno
                label: A
                requried: true
        """,
        11,
        "question 'a': unknown field 'requried'",
        id="unknown-field",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: Info-Kanal
                type: yesno
                label: A
        """,
        8,
        "'id' must be a variable name (lower-case letters, digits and _, starting with a "
        "letter, at most 40 characters), not 'Info-Kanal'",
        id="invalid-id",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: smiley
                label: A
                points: 4
        """,
        11,
        "points: Input should be 3 or 5",
        id="smiley-points",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: yesno
                label: A
              - id: b
                type: yesno
                label: B
                show_if: a = 1
        """,
        14,
        "show_if: unexpected character '=' (at character 3)",
        id="show-if-syntax-error",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: yesno
                label: A
              - id: b
                type: yesno
                label: B
                show_if: a == 5
        """,
        14,
        "'a' has no answer 5 (its codes: 0, 1)",
        id="show-if-unknown-code",
    ),
    pytest.param(
        """\
        choices:
          l:
            - {value: 1, label: x}
            - {value: 2, label: y}
        pages:
          - id: p
            questions:
              - id: a
                type: single
                label: A
                choices: l
              - id: b
                type: yesno
                label: B
                show_if: a in [2, 7]
        """,
        19,
        "'a' has no answer 7 (its codes: 1, 2)",
        id="show-if-unknown-code-in-list",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: multi
                label: A
                choices: [{value: 1, label: x}, {value: 2, label: y}]
              - id: b
                type: yesno
                label: B
                show_if: a == 1
        """,
        15,
        "'a' is a multiple-choice question: write '3 in a', not '=='",
        id="show-if-equals-on-multi",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: text
                label: A
              - id: b
                type: yesno
                label: B
                show_if: a == 'x'
        """,
        14,
        "'a' is free text: a condition can only test answered(a) or unanswered(a)",
        id="show-if-compares-text",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: single
                label: A
                choices: [{value: 1, label: x}]
                other: true
              - id: b
                type: yesno
                label: B
                show_if: a_other == 'x'
        """,
        16,
        "'a_other' is free text",
        id="show-if-compares-other-text",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: number
                label: A
                min: 10
                max: 2
        """,
        11,
        "question 'a': min is above max",
        id="number-min-above-max",
    ),
    pytest.param(
        """\
        choices:
          l:
            - {value: 1, label: x}
            - {value: 99, label: z}
        pages:
          - id: p
            questions:
              - id: a
                type: single
                label: A
                choices: l
        """,
        8,
        'the code 99 is reserved for "don\'t know": use dont_know: true',
        id="reserved-99-in-named-list",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: scale
                label: A
                choices:
                  - {value: 1, label: x}
                  - {value: 99, label: z}
                dont_know: true
        """,
        13,
        "the code 99 is reserved",
        id="reserved-99-in-question",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: single
                label: A
                other: true
                choices:
                  - {value: 1, label: x}
                  - {value: 98, label: y}
        """,
        14,
        "98",
        id="reserved-98-with-other",
    ),
    pytest.param(
        """\
        pages:
          - id: p
            questions:
              - id: a
                type: single
                label: A
                choices:
                  - {value: 1, label: x}
                  - {value: 1, label: y}
        """,
        13,
        "the code 1 is used twice in this choice list",
        id="duplicate-code",
    ),
    pytest.param(
        """\
        choices:
          l:
            - {value: 1, label: x}
            - {value: 2, label: y}
            - {value: 2, label: z}
        pages:
          - id: p
            questions:
              - {id: a, type: single, label: A, choices: l}
        """,
        9,
        "the code 2 is used twice in this choice list",
        id="duplicate-code-in-named-list",
    ),
]


@pytest.mark.parametrize(("body", "line", "fragment"), BROKEN)
def test_broken_file_is_reported_at_its_line(tmp_path: Path, body: str, line: int, fragment: str):
    path = write(tmp_path, HEAD + textwrap.dedent(body))
    assert_problem(problems_of(path), path, line, fragment)


def test_unknown_audience(tmp_path: Path):
    path = write(tmp_path, GOOD.replace("audience: families", "audience: teachers"))
    assert_problem(
        problems_of(path),
        path,
        2,
        "audience: Input should be 'families', 'staff', 'children' or 'partners'",
    )


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just text\n"], ids=repr)
def test_file_that_is_not_a_mapping(tmp_path: Path, text: str):
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert [str(p) for p in problems] == [
        f"{path}:1: the file must be a mapping with id, title, pages…"
    ]


def test_file_that_is_not_utf8(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes((HEAD + "# Übung\n").encode("latin-1"))
    [problem] = problems_of(path)
    assert str(problem).startswith(f"{path}:1: the file is not UTF-8")


def test_problem_list_message_has_one_line_per_problem(tmp_path: Path):
    path = write(
        tmp_path,
        HEAD
        + textwrap.dedent(
            """\
            pages:
              - id: p
                questions:
                  - {id: a, type: number, label: A, min: 3, max: 1}
                  - {id: b, type: yesno, label: B, show_if: zz == 1}
            """
        ),
    )
    with pytest.raises(ProblemList) as info:
        load_file(path)
    assert str(info.value).splitlines() == [str(p) for p in info.value.problems]
    assert len(info.value.problems) == 2


def test_several_schema_problems_are_all_reported(tmp_path: Path):
    path = write(
        tmp_path,
        HEAD
        + textwrap.dedent(
            """\
            pages:
              - id: p
                questions:
                  - id: a
                    type: slider
                    label: A
                  - id: Bad
                    type: yesno
                    label: B
                    requried: true
              - id: q
                questions:
                  - id: c
                    type: text
                  - id: d
                    type: yesno
                    label: D
            """
        ),
    )
    problems = problems_of(path)
    assert_problem(problems, path, 9, "unknown question type 'slider'")
    assert_problem(problems, path, 11, "not 'Bad'")
    assert_problem(problems, path, 14, "unknown field 'requried'")
    assert_problem(problems, path, 17, "question 'c': 'label' is missing")


def test_several_semantic_problems_are_all_reported(tmp_path: Path):
    path = write(
        tmp_path,
        HEAD
        + textwrap.dedent(
            """\
            pages:
              - id: p
                questions:
                  - id: a
                    type: number
                    label: A
                    min: 10
                    max: 2
                  - id: a
                    type: yesno
                    label: B
                    show_if: zz == 1
                  - id: c
                    type: single
                    label: C
                    choices: nowhere
                  - id: d
                    type: single
                    label: D
                    choices:
                      - {value: 1, label: x}
                      - {value: 1, label: y}
            """
        ),
    )
    problems = problems_of(path)
    assert_problem(problems, path, 11, "min is above max")
    assert_problem(problems, path, 13, "duplicate id 'a'")
    assert_problem(problems, path, 16, "unknown question 'zz'")
    assert_problem(problems, path, 20, "unknown choice list 'nowhere'")
    assert_problem(problems, path, 26, "the code 1 is used twice")
    assert len(problems) == 5


def test_show_if_problems_in_one_condition_are_all_reported(tmp_path: Path):
    path = write(
        tmp_path,
        HEAD
        + textwrap.dedent(
            """\
            pages:
              - id: p
                questions:
                  - {id: a, type: yesno, label: A}
                  - {id: m, type: multi, label: M, choices: [{value: 1, label: x}]}
                  - {id: b, type: yesno, label: B, show_if: a == 7 or m == 1 or zz == 1}
            """
        ),
    )
    problems = problems_of(path)
    assert_problem(problems, path, 10, "'a' has no answer 7")
    assert_problem(problems, path, 10, "'m' is a multiple-choice question")
    assert_problem(problems, path, 10, "unknown question 'zz'")


def test_tagged_yaml_node_is_a_problem_not_a_crash(tmp_path: Path):
    path = write(tmp_path, HEAD + "pages: !custom\n  - not a page\n")
    problems = problems_of(path)
    assert all(str(p).startswith(f"{path}:") for p in problems)


def test_yaml_tags_build_no_python_objects(tmp_path: Path):
    marker = tmp_path / "ran"
    path = write(tmp_path, f"id: !!python/object/apply:os.system ['touch {marker}']\n" + HEAD[6:])
    problems = problems_of(path)
    assert not marker.exists()
    assert_problem(problems, path, 1, "id: Input should be a valid string")


# --- several files -------------------------------------------------------------------------


def test_two_files_with_the_same_id(tmp_path: Path):
    first = write(tmp_path, GOOD, "a.yaml")
    second = write(tmp_path, GOOD.replace("title: T", "title: U"), "b.yaml")
    found, problems = load_paths([first, second])
    assert list(found) == ["t"]
    assert found["t"].path == first
    assert [str(p) for p in problems] == [
        f"{second}:1: questionnaire id 't' is also used by {first}"
    ]


def test_a_broken_file_does_not_hide_the_others(tmp_path: Path):
    good = write(tmp_path, GOOD, "a.yaml")
    broken = write(tmp_path, GOOD.replace("type: yesno", "type: slider"), "b.yaml")
    other = write(tmp_path, GOOD.replace("id: t", "id: u", 1), "c.yaml")
    found, problems = load_paths([good, broken, other])
    assert sorted(found) == ["t", "u"]
    assert problems and all(p.path == str(broken) for p in problems)


def test_load_directory_reads_only_yaml_files(tmp_path: Path):
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, "not: [yaml", "notes.yml")
    write(tmp_path, "not: [yaml", "README.md")
    found, problems = load_directory(tmp_path)
    assert list(found) == ["t"]
    assert problems == []


# --- versions ------------------------------------------------------------------------------

BASE = """\
id: v
audience: staff
title: Version
intro: Hallo
choices:
  yn:
    - {value: 1, label: eins}
    - {value: 2, label: zwei}
pages:
  - id: p
    questions:
      - id: a
        type: single
        label: Frage A
        choices: yn
      - id: b
        type: number
        label: Frage B
        min: 0
"""

SAME_CONTENT = """\
# A comment on top
audience: "staff"   # quoted now
id: v

intro: 'Hallo'
title: Version
pages:
- questions:
  - {type: single, id: a, choices: yn, label: Frage A}   # flow style, other order
  - label: Frage B
    min: 0
    type: number
    id: b
  id: p
choices:
  yn:
  - label: eins
    value: 1
  - {label: zwei, value: 2}
"""


def test_version_ignores_comments_whitespace_and_key_order(tmp_path: Path):
    base = load_text(tmp_path, BASE, "base.yaml")
    same = load_text(tmp_path, SAME_CONTENT, "same.yaml")
    assert same.version == base.version


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("label: Frage A", "label: Frage A?"),
        ("label: eins", "label: Eins"),
        ("title: Version", "title: Version 2"),
        ("{value: 2, label: zwei}", "{value: 3, label: zwei}"),
        ("min: 0", "min: 1"),
        ("        choices: yn\n", "        choices: yn\n        required: true\n"),
    ],
    ids=["question-label", "choice-label", "title", "code", "min", "new-field"],
)
def test_version_changes_with_the_content(tmp_path: Path, old: str, new: str):
    assert old in BASE
    base = load_text(tmp_path, BASE, "base.yaml")
    changed = load_text(tmp_path, BASE.replace(old, new), "changed.yaml")
    assert changed.version != base.version


def test_version_changes_with_question_order(tmp_path: Path):
    swapped = BASE.replace(
        "      - id: a\n        type: single\n        label: Frage A\n        choices: yn\n", ""
    ) + ("      - id: a\n        type: single\n        label: Frage A\n        choices: yn\n")
    base = load_text(tmp_path, BASE, "base.yaml")
    other = load_text(tmp_path, swapped, "swapped.yaml")
    assert [q.id for q in other.questions()] == ["b", "a"]
    assert other.version != base.version


def test_content_version_of_plain_data():
    assert content_version({"a": 1, "b": [1, "x"]}) == content_version({"b": [1, "x"], "a": 1})
    assert content_version({"a": 1}) != content_version({"a": 2})
    assert len(content_version({})) == 12


# --- immutability --------------------------------------------------------------------------


@pytest.fixture
def families() -> Questionnaire:
    return load_file(FIXTURES / "families.yaml")


def test_questionnaire_fields_cannot_be_assigned(families: Questionnaire):
    with pytest.raises(dataclasses.FrozenInstanceError):
        families.version = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        families.file = None  # type: ignore[misc]


@pytest.mark.parametrize(
    ("target", "field", "value"),
    [
        (lambda q: q.file, "title", "x"),
        (lambda q: q.file, "pages", ()),
        (lambda q: q.pages[0], "show_if", "welcome == 1"),
        (lambda q: q.pages[0].questions[0], "label", "x"),
        (lambda q: q.pages[0].questions[0], "required", False),
        (lambda q: q.file.choices["agree4"][0], "value", 7),
        (lambda q: q.options["welcome"][0], "label", "x"),
        (lambda q: q.pages[2].questions[0].items[0], "id", "x"),
    ],
    ids=["title", "pages", "page-show-if", "label", "required", "choice", "option", "item"],
)
def test_definition_models_are_frozen(families: Questionnaire, target, field: str, value):
    obj = target(families)
    before = getattr(obj, field)
    with pytest.raises(ValidationError, match="frozen"):
        setattr(obj, field, value)
    assert getattr(obj, field) == before


def test_collections_are_tuples(families: Questionnaire):
    assert isinstance(families.pages, tuple)
    assert isinstance(families.pages[0].questions, tuple)
    assert isinstance(families.file.choices["agree4"], tuple)
    assert all(isinstance(v, tuple) for v in families.options.values())


def test_options_mapping_cannot_be_changed(families: Questionnaire):
    with pytest.raises(TypeError):
        families.options["welcome"] = ()  # type: ignore[index]


# --- resolved answers ----------------------------------------------------------------------

OPTIONS = HEAD + textwrap.dedent(
    """\
    choices:
      three:
        - {value: 1, label: eins}
        - {value: 2, label: zwei}
        - {value: 3, label: drei}
    pages:
      - id: p
        questions:
          - {id: yn, type: yesno, label: Q}
          - {id: yn_dk, type: yesno, label: Q, dont_know: true}
          - {id: sm3, type: smiley, label: Q, points: 3}
          - {id: sm5, type: smiley, label: Q}
          - {id: sm_dk, type: smiley, label: Q, points: 3, dont_know: true}
          - id: sm_own
            type: smiley
            label: Q
            points: 3
            choices: three
          - {id: single_other, type: single, label: Q, choices: three, other: true}
          - {id: multi_other, type: multi, label: Q, choices: three, other: true}
          - {id: single_plain, type: single, label: Q, choices: three}
          - {id: scale_dk, type: scale, label: Q, choices: three, dont_know: true}
          - id: mx
            type: matrix
            label: Q
            choices: three
            dont_know: true
            items:
              - {id: first, label: A}
              - {id: second, label: B}
          - {id: num, type: number, label: Q}
          - {id: txt, type: text, label: Q}
    """
)


@pytest.fixture
def options_q(tmp_path: Path) -> Questionnaire:
    return load_text(tmp_path, OPTIONS)


def pairs(questionnaire: Questionnaire, question_id: str) -> list[tuple[int, str]]:
    return [(c.value, c.label) for c in questionnaire.options[question_id]]


def test_yesno_codes(options_q: Questionnaire):
    assert (YES, NO, DONT_KNOW) == (1, 0, 99)
    assert pairs(options_q, "yn") == [(1, "ja"), (0, "nein")]
    assert pairs(options_q, "yn_dk") == [(1, "ja"), (0, "nein"), (99, DONT_KNOW_LABEL)]


def test_smiley_codes(options_q: Questionnaire):
    assert pairs(options_q, "sm3") == list(zip([1, 2, 3], SMILEY_LABELS[3], strict=True))
    assert pairs(options_q, "sm5") == list(zip([1, 2, 3, 4, 5], SMILEY_LABELS[5], strict=True))
    assert [v for v, _ in pairs(options_q, "sm_dk")] == [1, 2, 3, 99]
    assert pairs(options_q, "sm_own") == [(1, "eins"), (2, "zwei"), (3, "drei")]


def test_other_appends_98(options_q: Questionnaire):
    assert OTHER == 98
    for question_id in ("single_other", "multi_other"):
        assert pairs(options_q, question_id)[-1] == (98, OTHER_LABEL)
        assert [v for v, _ in pairs(options_q, question_id)] == [1, 2, 3, 98]
    assert [v for v, _ in pairs(options_q, "single_plain")] == [1, 2, 3]


def test_dont_know_comes_last(options_q: Questionnaire):
    assert pairs(options_q, "scale_dk") == [
        (1, "eins"),
        (2, "zwei"),
        (3, "drei"),
        (99, DONT_KNOW_LABEL),
    ]
    assert [v for v, _ in pairs(options_q, "mx")] == [1, 2, 3, 99]


def test_number_and_text_have_no_options(options_q: Questionnaire):
    assert "num" not in options_q.options
    assert "txt" not in options_q.options


def test_variables_and_their_kinds(options_q: Questionnaire):
    kinds = {variable: kind for variable, _q, kind in options_q.variables()}
    assert kinds["mx_first"] == kinds["mx_second"] == "code"
    assert "mx" not in kinds
    assert kinds["single_other"] == "code"
    assert kinds["single_other_other"] == "text"
    assert kinds["multi_other"] == "codes"
    assert kinds["multi_other_other"] == "text"
    assert "single_plain_other" not in kinds
    assert kinds["num"] == "number"
    assert kinds["txt"] == "text"
    assert kinds["yn"] == kinds["sm3"] == kinds["scale_dk"] == "code"


def test_matrix_variables_are_id_underscore_item(families: Questionnaire):
    variables = [v for v, q, _k in families.variables() if q.id == "events"]
    assert variables == ["events_parents_evening", "events_school_party", "events_talk"]
