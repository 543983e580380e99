"""``show_if``: a small, safe expression language, parsed here and never ``eval``'d.

Grammar (lowest precedence first)::

    expr    := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := value (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") value)?
             | ("answered" | "unanswered") "(" NAME ")"
             | "(" expr ")"
    value   := NUMBER | STRING | NAME | "[" literal ("," literal)* "]"

Semantics: a NAME is a variable (question id, or ``matrix_item``). Any comparison
that involves an unanswered variable is false; ``answered(x)`` and
``unanswered(x)`` test for that explicitly. ``a in [1, 2]`` is true when the
answer is one of the listed values; ``3 in x`` is true when the multiple-choice
answer ``x`` includes 3. "Don't know" (99) and "other" (98) have no place on a
scale: ``x >= 3`` is false for them, while ``x == 99`` still finds "don't know".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


class Unordered(int):
    """A code with no place on a scale ("don't know", "other"): it equals its code,
    but every ordered comparison (<, <=, >, >=) with it is false."""


class ConditionError(ValueError):
    """A condition that is not part of the language; ``column`` is 1-based."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message if column is None else f"{message} (at character {column})")
        self.column = column


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d{1,15}(?:\.\d{1,15})?)
      | (?P<string>'[^'\\]*'|"[^"\\]*")
      | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "answered", "unanswered", "true", "false"}


@dataclass(frozen=True)
class _Tok:
    kind: str  # number | string | op | name | kw | end
    text: str
    pos: int


def _tokenize(source: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        m = _TOKEN.match(source, pos)
        if not m or m.end() == pos:
            bad = source[pos:].lstrip()[:1]
            raise ConditionError(
                f"unexpected character {bad!r}", len(source) - len(source[pos:].lstrip()) + 1
            )
        kind = m.lastgroup or ""
        text = m.group(kind)
        start = m.start(kind)
        if kind == "name" and text in _KEYWORDS:
            kind = "kw"
        tokens.append(_Tok(kind, text, start + 1))
        pos = m.end()
    tokens.append(_Tok("end", "", len(source) + 1))
    return tokens


# --- syntax tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: int | float | str | tuple[int | float | str, ...]


@dataclass(frozen=True)
class Name:
    name: str
    pos: int


@dataclass(frozen=True)
class Compare:
    op: str
    left: Literal | Name
    right: Literal | Name


@dataclass(frozen=True)
class Answered:
    name: Name
    negate: bool


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Compare | Answered | BoolOp | Not


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Tok:
        return self.tokens[self.i]

    def take(self, kind: str, text: str | None = None) -> _Tok | None:
        tok = self.tok
        if tok.kind == kind and (text is None or tok.text == text):
            self.i += 1
            return tok
        return None

    def expect(self, kind: str, text: str, what: str) -> _Tok:
        tok = self.take(kind, text)
        if tok is None:
            raise ConditionError(f"expected {what}, found {self._describe()}", self.tok.pos)
        return tok

    def _describe(self) -> str:
        return "the end" if self.tok.kind == "end" else repr(self.tok.text)

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise ConditionError("the condition is empty")
        node = self.or_()
        if self.tok.kind != "end":
            raise ConditionError(f"unexpected {self._describe()}", self.tok.pos)
        return node

    def or_(self) -> Node:
        parts = [self.and_()]
        while self.take("kw", "or"):
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def and_(self) -> Node:
        parts = [self.not_()]
        while self.take("kw", "and"):
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def not_(self) -> Node:
        if self.take("kw", "not"):
            with self.nested():
                return Not(self.not_())
        return self.compare()

    @contextmanager
    def nested(self) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(
                f"the condition is nested deeper than {MAX_DEPTH} levels", self.tok.pos
            )
        yield
        self.depth -= 1

    def compare(self) -> Node:
        tok = self.tok
        if tok.kind == "kw" and tok.text in ("answered", "unanswered"):
            self.i += 1
            self.expect("op", "(", "'(' after " + tok.text)
            name_tok = self.take("name")
            if name_tok is None:
                raise ConditionError(f"{tok.text}() needs a question id", self.tok.pos)
            self.expect("op", ")", "')'")
            return Answered(Name(name_tok.text, name_tok.pos), negate=tok.text == "unanswered")
        if self.take("op", "("):
            with self.nested():
                node = self.or_()
            self.expect("op", ")", "')'")
            return node
        left = self.value()
        op_tok = self.tok
        if op_tok.kind == "op" and op_tok.text in ("==", "!=", "<", "<=", ">", ">="):
            self.i += 1
            op = op_tok.text
        elif self.take("kw", "in"):
            op = "in"
        elif op_tok.kind == "kw" and op_tok.text == "not" and self.tokens[self.i + 1].text == "in":
            self.i += 2
            op = "not in"
        else:
            raise ConditionError(
                f"expected a comparison (==, !=, <, <=, >, >=, in) after {_show(left)}, "
                f"found {self._describe()}",
                op_tok.pos,
            )
        right = self.value()
        if isinstance(left, Literal) and isinstance(right, Literal):
            raise ConditionError("a comparison needs at least one question id", op_tok.pos)
        if (
            op in ("in", "not in")
            and isinstance(right, Literal)
            and not isinstance(right.value, tuple)
        ):
            raise ConditionError(
                "'in' needs a list like [1, 2] or a multiple-choice question", op_tok.pos
            )
        return Compare(op, left, right)

    def value(self) -> Literal | Name:
        tok = self.tok
        if tok.kind == "number":
            self.i += 1
            return Literal(float(tok.text) if "." in tok.text else int(tok.text))
        if tok.kind == "string":
            self.i += 1
            return Literal(tok.text[1:-1])
        if tok.kind == "kw" and tok.text in ("true", "false"):
            raise ConditionError("use yes/no questions as x == 1 (yes) or x == 0 (no)", tok.pos)
        if tok.kind == "name":
            self.i += 1
            return Name(tok.text, tok.pos)
        if self.take("op", "["):
            items: list[int | float | str] = []
            while True:
                item = self.value()
                if not isinstance(item, Literal) or isinstance(item.value, tuple):
                    raise ConditionError("a list may hold only numbers and strings", tok.pos)
                items.append(item.value)
                if self.take("op", "]"):
                    return Literal(tuple(items))
                self.expect("op", ",", "',' or ']'")
        raise ConditionError(
            f"expected a value or a question id, found {self._describe()}", tok.pos
        )


def _show(node: Literal | Name) -> str:
    return node.name if isinstance(node, Name) else repr(node.value)


@dataclass(frozen=True)
class Condition:
    """A parsed condition: the source text, its tree and the variables it names."""

    source: str
    tree: Node

    @property
    def names(self) -> tuple[Name, ...]:
        found: list[Name] = []
        _collect(self.tree, found)
        return tuple(found)

    def comparisons(self) -> tuple[Compare, ...]:
        found: list[Compare] = []
        _collect_compares(self.tree, found)
        return tuple(found)

    def evaluate(self, answers: dict[str, Any]) -> bool:
        """True when the condition holds for ``answers`` (variable -> value, list or None)."""
        return _eval(self.tree, answers)


#: Conditions are short; limits keep hostile or broken input from exhausting the parser.
MAX_LENGTH = 500
MAX_DEPTH = 20


def parse(source: str) -> Condition:
    if len(source) > MAX_LENGTH:
        raise ConditionError(f"the condition is longer than {MAX_LENGTH} characters")
    return Condition(source, _Parser(source).parse())


def _collect(node: Node | Literal | Name, out: list[Name]) -> None:
    if isinstance(node, Name):
        out.append(node)
    elif isinstance(node, Compare):
        _collect(node.left, out)
        _collect(node.right, out)
    elif isinstance(node, Answered):
        out.append(node.name)
    elif isinstance(node, BoolOp):
        for part in node.parts:
            _collect(part, out)
    elif isinstance(node, Not):
        _collect(node.part, out)


def _collect_compares(node: Node, out: list[Compare]) -> None:
    if isinstance(node, Compare):
        out.append(node)
    elif isinstance(node, BoolOp):
        for part in node.parts:
            _collect_compares(part, out)
    elif isinstance(node, Not):
        _collect_compares(node.part, out)


def _is_unanswered(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _resolve(node: Literal | Name, answers: dict[str, Any]) -> Any:
    return node.value if isinstance(node, Literal) else answers.get(node.name)


_ORDER = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _eval(node: Node, answers: dict[str, Any]) -> bool:
    if isinstance(node, BoolOp):
        results = (_eval(part, answers) for part in node.parts)
        return all(results) if node.op == "and" else any(results)
    if isinstance(node, Not):
        return not _eval(node.part, answers)
    if isinstance(node, Answered):
        unanswered = _is_unanswered(answers.get(node.name.name))
        return unanswered if node.negate else not unanswered
    left, right = _resolve(node.left, answers), _resolve(node.right, answers)
    if _is_unanswered(left) or _is_unanswered(right):
        return False
    if node.op in ("in", "not in"):
        lefts = left if isinstance(left, list | tuple) else (left,)
        rights = right if isinstance(right, list | tuple) else (right,)
        hit = any(_same(a, b) for a in lefts for b in rights)
        return hit if node.op == "in" else not hit
    if isinstance(left, list | tuple) or isinstance(right, list | tuple):
        return False  # validation rejects this; stay safe for hand-made input
    if node.op == "==":
        return _same(left, right)
    if node.op == "!=":
        return not _same(left, right)
    if isinstance(left, Unordered) or isinstance(right, Unordered):
        return False
    try:
        return _ORDER[node.op](_number(left), _number(right))
    except (TypeError, ValueError, OverflowError):
        return False


def _number(value: Any) -> float:
    return float(value)


def _same(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError, OverflowError):
        return str(a) == str(b)
