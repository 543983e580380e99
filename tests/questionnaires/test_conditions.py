"""The ``show_if`` language: what it parses, how it evaluates, what it refuses."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.questionnaires.conditions import (
    Answered,
    BoolOp,
    Compare,
    Condition,
    ConditionError,
    Literal,
    Name,
    Not,
    parse,
)


def show(node: Any) -> str:
    """The tree as a compact s-expression, without source positions."""
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Literal):
        if isinstance(node.value, tuple):
            return "[" + ", ".join(repr(v) for v in node.value) + "]"
        return repr(node.value)
    if isinstance(node, Compare):
        return f"({node.op} {show(node.left)} {show(node.right)})"
    if isinstance(node, Answered):
        return f"({'unanswered' if node.negate else 'answered'} {node.name.name})"
    if isinstance(node, BoolOp):
        return f"({node.op} " + " ".join(show(p) for p in node.parts) + ")"
    if isinstance(node, Not):
        return f"(not {show(node.part)})"
    raise AssertionError(f"unexpected node {node!r}")


# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("x == 1", "(== x 1)"),
        ("x != 1", "(!= x 1)"),
        ("x < 1", "(< x 1)"),
        ("x <= 1", "(<= x 1)"),
        ("x > 1", "(> x 1)"),
        ("x >= 1", "(>= x 1)"),
        ("x==1", "(== x 1)"),
        ("  x  >=\t1  ", "(>= x 1)"),
        ("1 == x", "(== 1 x)"),
        ("x == y", "(== x y)"),
        ("events_parents_evening in [1, 2]", "(in events_parents_evening [1, 2])"),
        ("x in [1]", "(in x [1])"),
        ("x not in [1, 2, 3]", "(not in x [1, 2, 3])"),
        ("x in ['a', \"b\"]", "(in x ['a', 'b'])"),
        ("3 in x", "(in 3 x)"),
        ("3 not in x", "(not in 3 x)"),
        ("x == 'ja'", "(== x 'ja')"),
        ('x == "ja"', "(== x 'ja')"),
        ("x == 'a \"b\" c'", "(== x 'a \"b\" c')"),
        ('x == "it\'s"', '(== x "it\'s")'),
        ("x == ''", "(== x '')"),
        ("x == -1", "(== x -1)"),
        ("x >= 2.5", "(>= x 2.5)"),
        ("x > -0.5", "(> x -0.5)"),
        ("x in [-1, 2.5, 'z']", "(in x [-1, 2.5, 'z'])"),
        ("answered(x)", "(answered x)"),
        ("unanswered(x)", "(unanswered x)"),
        ("answered( x )", "(answered x)"),
        ("not answered(x)", "(not (answered x))"),
        ("a == 1 and b == 2", "(and (== a 1) (== b 2))"),
        ("a == 1 or b == 2", "(or (== a 1) (== b 2))"),
        ("a == 1 or b == 2 or c == 3", "(or (== a 1) (== b 2) (== c 3))"),
        ("a == 1 and b == 2 and c == 3", "(and (== a 1) (== b 2) (== c 3))"),
        ("a == 1 or b == 2 and c == 3", "(or (== a 1) (and (== b 2) (== c 3)))"),
        ("a == 1 and b == 2 or c == 3", "(or (and (== a 1) (== b 2)) (== c 3))"),
        ("(a == 1 or b == 2) and c == 3", "(and (or (== a 1) (== b 2)) (== c 3))"),
        ("a == 1 and (b == 2 or c == 3)", "(and (== a 1) (or (== b 2) (== c 3)))"),
        ("((a == 1))", "(== a 1)"),
        ("not a == 1", "(not (== a 1))"),
        ("not a == 1 and b == 2", "(and (not (== a 1)) (== b 2))"),
        ("not (a == 1 and b == 2)", "(not (and (== a 1) (== b 2)))"),
        ("not not a == 1", "(not (not (== a 1)))"),
        ("a == 1 or not b == 2 and c == 3", "(or (== a 1) (and (not (== b 2)) (== c 3)))"),
        (
            "answered(a) and (unanswered(b) or 2 in c)",
            "(and (answered a) (or (unanswered b) (in 2 c)))",
        ),
    ],
)
def test_parse(source: str, tree: str):
    condition = parse(source)
    assert isinstance(condition, Condition)
    assert condition.source == source
    assert show(condition.tree) == tree


@pytest.mark.parametrize(
    ("source", "value"),
    [("x == 2", 2), ("x == 2.0", 2.0), ("x == -3", -3), ("x == 0.25", 0.25), ("x == '2'", "2")],
)
def test_literal_types(source: str, value: Any):
    tree = parse(source).tree
    assert isinstance(tree, Compare)
    assert isinstance(tree.right, Literal)
    assert tree.right.value == value
    assert type(tree.right.value) is type(value)


def test_names_and_comparisons():
    condition = parse("a == 1 or (answered(b) and 2 in c) or not d != e")
    assert [(n.name, n.pos) for n in condition.names] == [
        ("a", 1),
        ("b", 21),
        ("c", 33),
        ("d", 43),
        ("e", 48),
    ]
    assert [show(c) for c in condition.comparisons()] == ["(== a 1)", "(in 2 c)", "(!= d e)"]


def test_keywords_need_whole_words():
    # "order", "andrea", "notes", "inx" are plain names, not keywords
    assert show(parse("order == 1 or andrea == 2").tree) == "(or (== order 1) (== andrea 2))"
    assert show(parse("notes in [1] and inx == 2").tree) == "(and (in notes [1]) (== inx 2))"


# --- evaluation ----------------------------------------------------------------------------

EMPTY: list[dict[str, Any]] = [{}, {"x": None}, {"x": ""}, {"x": []}]


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        # equality
        ("x == 1", {"x": 1}, True),
        ("x == 1", {"x": 2}, False),
        ("x == 0", {"x": 0}, True),  # 0 ("nein") is an answer, not "unanswered"
        ("x != 0", {"x": 0}, False),
        ("x != 1", {"x": 2}, True),
        ("x != 1", {"x": 1}, False),
        ("x == 'ja'", {"x": "ja"}, True),
        ("x == 'ja'", {"x": "nein"}, False),
        ("x == y", {"x": 2, "y": 2}, True),
        ("x == y", {"x": 2, "y": 3}, False),
        ("x != y", {"x": 2}, False),
        # int and float compare as numbers
        ("x == 2.0", {"x": 2}, True),
        ("x == 2", {"x": 2.0}, True),
        ("x > 1", {"x": 1.5}, True),
        ("x >= 2.5", {"x": 3}, True),
        ("x >= 2.5", {"x": 2}, False),
        ("x < 2.5", {"x": 2}, True),
        ("x <= -1", {"x": -1}, True),
        ("x > -0.5", {"x": 0}, True),
        # order
        ("x < 3", {"x": 2}, True),
        ("x < 3", {"x": 3}, False),
        ("x <= 3", {"x": 3}, True),
        ("x <= 3", {"x": 4}, False),
        ("x > 3", {"x": 4}, True),
        ("x > 3", {"x": 3}, False),
        ("x >= 3", {"x": 3}, True),
        ("x >= 3", {"x": 2}, False),
        ("3 < x", {"x": 4}, True),
        ("x > 0", {"x": "abc"}, False),  # not a number: false, no error
        # membership of a single answer
        ("x in [1, 2]", {"x": 2}, True),
        ("x in [1, 2]", {"x": 3}, False),
        ("x in [1.0, 2]", {"x": 1}, True),
        ("x not in [1, 2]", {"x": 3}, True),
        ("x not in [1, 2]", {"x": 1}, False),
        ("x in ['a', 'b']", {"x": "b"}, True),
        # membership in a multiple-choice answer
        ("3 in x", {"x": [1, 3]}, True),
        ("3 in x", {"x": [1, 2]}, False),
        ("3 not in x", {"x": [1, 2]}, True),
        ("3 not in x", {"x": [3]}, False),
        ("x in [2, 4]", {"x": [1, 2]}, True),
        ("x in [2, 4]", {"x": [1, 3]}, False),
        # a list is never equal to a code
        ("x == 1", {"x": [1]}, False),
        ("x != 1", {"x": [2]}, False),
        # answered / unanswered
        ("answered(x)", {"x": 0}, True),
        ("answered(x)", {"x": [2]}, True),
        ("answered(x)", {"x": "text"}, True),
        ("unanswered(x)", {"x": 0}, False),
        # and / or / not
        ("x == 1 and y == 1", {"x": 1, "y": 1}, True),
        ("x == 1 and y == 1", {"x": 1, "y": 2}, False),
        ("x == 1 or y == 1", {"x": 2, "y": 1}, True),
        ("x == 1 or y == 1", {"x": 2, "y": 2}, False),
        ("not x == 1", {"x": 2}, True),
        ("not x == 1", {"x": 1}, False),
        ("not x == 1", {}, True),  # not of a false comparison
        ("x == 1 or y == 2 and z == 3", {"x": 1}, True),
        ("x == 1 or y == 2 and z == 3", {"y": 2}, False),
        ("(x == 1 or y == 2) and z == 3", {"x": 1}, False),
        ("(x == 1 or y == 2) and z == 3", {"x": 1, "z": 3}, True),
        ("unanswered(x) or x == 1", {}, True),
    ],
)
def test_evaluate(source: str, answers: dict[str, Any], expected: bool):
    assert parse(source).evaluate(answers) is expected


@pytest.mark.parametrize("answers", EMPTY, ids=["missing", "None", "empty-text", "empty-list"])
@pytest.mark.parametrize(
    "source",
    [
        "x == 1",
        "x != 1",
        "x < 1",
        "x <= 1",
        "x > 1",
        "x >= 1",
        "x == ''",
        "x != ''",
        "x in [1, 2]",
        "x not in [1, 2]",
        "3 in x",
        "3 not in x",
        "x == y",
        "y == x",
        "x != y",
    ],
)
def test_comparison_with_unanswered_is_false(source: str, answers: dict[str, Any]):
    assert parse(source).evaluate({**answers, "y": 1}) is False


@pytest.mark.parametrize("answers", EMPTY, ids=["missing", "None", "empty-text", "empty-list"])
def test_answered_and_unanswered_on_empty(answers: dict[str, Any]):
    assert parse("answered(x)").evaluate(answers) is False
    assert parse("unanswered(x)").evaluate(answers) is True
    assert parse("not answered(x)").evaluate(answers) is True


def test_evaluate_does_not_change_the_answers():
    answers = {"x": [1, 3], "y": 2}
    parse("3 in x and y == 2").evaluate(answers)
    assert answers == {"x": [1, 3], "y": 2}


def test_short_circuit_ignores_names_not_answered():
    assert parse("x == 1 or zz == 5").evaluate({"x": 1}) is True
    assert parse("x == 2 and zz == 5").evaluate({"x": 1}) is False


# --- rejection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "",
        "   ",
        "x",
        "not x",
        "x = 1",
        "x === 1",
        "x <> 1",
        "x =! 1",
        "x is 1",
        "__import__('os')",
        "__import__('os') == 1",
        "open('f') == 1",
        "f(x)",
        "x.y == 1",
        "x.__class__ == 1",
        "x[0] == 1",
        "x + 1 == 2",
        "x - 1 == 2",
        "x * 2 == 2",
        "lambda: 1",
        "x if y else z",
        "1 == 1",
        "'a' == 'b'",
        "[1] == [1]",
        "x in 3",
        "x in 'abc'",
        "x not in 3",
        "1 in 2",
        "in x",
        "x in",
        "x in []",
        "x in [1,]",
        "x in [1 2]",
        "x in [y]",
        "x in [[1]]",
        "x == [1, 2",
        "(x == 1",
        "not (x == 1",
        "x == 1)",
        "()",
        "true",
        "false",
        "x == true",
        "x == false",
        "x == 1 and",
        "x == 1 or",
        "and x == 1",
        "or x == 1",
        "not",
        "x == 1 and and y == 2",
        "x == 1 x == 2",
        "x == 1 == 2",
        "x < y < z",
        "x == 1 AND y == 2",
        "x == 1 && y == 2",
        "x == 1 || y == 2",
        "!x",
        "x not 1",
        "x not",
        "x ==",
        "== 1",
        "answered(1)",
        "answered()",
        "answered x",
        "answered(x",
        "answered(x, y)",
        "answered(x) == 1",
        "unanswered('x')",
        "x == 'unclosed",
        'x == "unclosed',
        "x == 'a\\'b'",
        "x == `1`",
        "x == {1}",
        "x == - 1",
        "x == 1.",
        "x == .5",
        "x == 1e3",
        "x == 0x10",
        "x == 1_000",
        "x == 1; import os",
        "x == 1 # comment",
        "x == ä",
        "größe == 1",
        "\x00",
        "x == 1\\",
    ],
)
def test_rejected(source: str):
    with pytest.raises(ConditionError):
        parse(source)


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("x = 1", "unexpected character '='", 3),
        ("x.y == 1", "unexpected character '.'", 2),
        ("x", "expected a comparison", 2),
        ("(x == 1", "expected ')'", 8),
        ("x == 1)", "unexpected ')'", 7),
        ("1 == 1", "a comparison needs at least one question id", 3),
        ("x in 3", "'in' needs a list", 3),
        ("x == true", "use yes/no questions as x == 1 (yes) or x == 0 (no)", 6),
        ("x == 1 and", "expected a value or a question id, found the end", 11),
        ("answered(1)", "answered() needs a question id", 10),
        ("x in [y]", "a list may hold only numbers and strings", 6),
    ],
)
def test_error_message_and_column(source: str, message: str, column: int):
    with pytest.raises(ConditionError) as info:
        parse(source)
    assert message in str(info.value)
    assert info.value.column == column
    assert str(info.value).endswith(f"(at character {column})")


def test_empty_condition_has_no_column():
    with pytest.raises(ConditionError, match="the condition is empty") as info:
        parse("")
    assert info.value.column is None


def test_condition_error_is_a_value_error():
    assert issubclass(ConditionError, ValueError)


# --- known bugs (see the report): other exceptions than ConditionError ---------------------


def test_huge_number_literal_is_a_condition_error():
    with pytest.raises(ConditionError):
        parse("x == " + "1" * 5000)


@pytest.mark.parametrize(
    "source",
    ["(" * 3000 + "x == 1" + ")" * 3000, "not " * 3000 + "x == 1"],
    ids=["parentheses", "not"],
)
def test_deep_nesting_is_parsed_or_rejected(source: str):
    with contextlib.suppress(ConditionError):
        parse(source)


@pytest.mark.parametrize("source", ["x > 0", "x == 1", "x in [1, 2]"])
def test_huge_answer_evaluates_to_a_bool(source: str):
    assert parse(source).evaluate({"x": 10**400}) in (True, False)


# --- properties ----------------------------------------------------------------------------

FAST = settings(max_examples=300, deadline=None, database=None)


def _parse_or_reject(source: str) -> None:
    try:
        result = parse(source)
    except ConditionError:
        return
    assert isinstance(result, Condition)
    assert result.source == source


@FAST
@given(st.text())
def test_any_text_parses_or_raises_condition_error(source: str):
    _parse_or_reject(source)


TOKENS = [
    "x",
    "y",
    "m_a",
    "1",
    "-2",
    "2.5",
    "'a'",
    '"b"',
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not",
    "and",
    "or",
    "(",
    ")",
    "[",
    "]",
    ",",
    "answered",
    "unanswered",
    "true",
    "=",
    ".",
    "'",
]
token_soup = st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join)

ANSWER = st.one_of(
    st.none(),
    st.integers(-1000, 1000),
    st.floats(-1000, 1000),
    st.text(max_size=3),
    st.lists(st.integers(0, 99), max_size=4),
)


@FAST
@given(token_soup)
def test_token_soup_parses_or_raises_condition_error(source: str):
    _parse_or_reject(source)


@FAST
@given(token_soup, st.dictionaries(st.sampled_from(["x", "y", "m_a"]), ANSWER))
def test_whatever_parses_evaluates_to_a_bool(source: str, answers: dict[str, Any]):
    try:
        condition = parse(source)
    except ConditionError:
        return
    result = condition.evaluate(answers)
    assert result is True or result is False
    assert {n.name for n in condition.names} <= {"x", "y", "m_a"}


def test_dont_know_and_other_have_no_place_on_a_scale():
    from survey.questionnaires.conditions import Unordered

    assert not parse("x >= 3").evaluate({"x": Unordered(99)})
    assert not parse("x < 3").evaluate({"x": Unordered(98)})
    assert parse("x == 99").evaluate({"x": Unordered(99)})
    assert parse("x in [98, 99]").evaluate({"x": Unordered(99)})
    assert parse("x >= 3").evaluate({"x": 4})
