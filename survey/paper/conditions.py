"""``show_if`` in words, for people filling in a questionnaire on paper.

A condition becomes "Nur beantworten, wenn Sie bei Frage 6 „nein“ angekreuzt haben."
and, where the questions it guards follow the one it asks about, the question asked
about also says where to go on ("Wenn Sie „ja“ angekreuzt haben: weiter mit Frage 9.").
Which answers make a condition true is found by evaluating the condition itself with
each answer, so the words always agree with what the online form does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import pgettext

from survey.questionnaires.conditions import Answered, BoolOp, Compare, Condition, Name, Node, Not
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.model import MatrixQuestion, MultiQuestion, NumberQuestion, Question


@dataclass(frozen=True)
class Variable:
    """Where a variable of a condition is asked: its question's number and its labels."""

    number: int
    question: Question
    #: the row of a matrix ("Elternabend") or None
    item: str | None
    #: code -> label in the printed language
    labels: dict[int, str]


def quote(label: str) -> str:
    # translators: How a ticked answer is quoted in an instruction (German „…“, English "…").
    return _("„%(label)s“", label=label)


def _joined(parts: list[str], word: str) -> str:
    return f" {word} ".join(parts)


class Describer:
    """Renders conditions for one printed questionnaire (numbers and labels known)."""

    def __init__(
        self, questionnaire: Questionnaire, variables: dict[str, Variable], children: bool = False
    ) -> None:
        self.questionnaire = questionnaire
        self.variables = variables
        #: children are addressed as "du" (context "children" in the catalog)
        self.children = children

    # -- "Nur beantworten, wenn ..." ---------------------------------------------------------

    def only_if(self, condition: Condition) -> str | None:
        words = self._node(condition.tree, negate=False)
        if words is None:
            return None
        if self.children:
            return pgettext(
                "children", "Nur beantworten, wenn du %(condition)s hast.", condition=words
            )
        return _("Nur beantworten, wenn Sie %(condition)s haben.", condition=words)

    def _node(self, node: Node, negate: bool) -> str | None:
        if isinstance(node, Not):
            return self._node(node.part, not negate)
        if isinstance(node, BoolOp):
            # De Morgan: "not (a and b)" reads "not a or not b", no nested "not" in words.
            op = node.op if not negate else ("or" if node.op == "and" else "and")
            parts = [self._node(part, negate) for part in node.parts]
            if any(p is None for p in parts):
                return None
            word = pgettext("condition", "und") if op == "and" else pgettext("condition", "oder")
            return _joined([p for p in parts if p], word)
        if isinstance(node, Answered):
            variable = self.variables.get(node.name.name)
            if variable is None:
                return None
            unanswered = node.negate != negate
            num = self._num(variable)
            if self.children:
                if unanswered:
                    return pgettext("children", "Frage %(num)s ausgelassen", num=num)
                return pgettext("children", "Frage %(num)s beantwortet", num=num)
            if unanswered:
                return _("Frage %(num)s ausgelassen", num=num)
            return _("Frage %(num)s beantwortet", num=num)
        return self._compare(node, negate)

    def _compare(self, node: Compare, negate: bool) -> str | None:
        name = node.left if isinstance(node.left, Name) else node.right
        if not isinstance(name, Name) or name.name not in self.variables:
            return None
        variable = self.variables[name.name]
        if isinstance(variable.question, NumberQuestion):
            return self._number(node, variable, negate)
        ticked = self.ticked(Condition("", node), name.name)
        if not ticked:
            return None
        answers = _joined(
            [quote(variable.labels[c]) for c in ticked], pgettext("condition", "oder")
        )
        num = self._num(variable)
        if self.children:
            if negate:
                return pgettext(
                    "children",
                    "bei Frage %(num)s %(answers)s nicht angekreuzt",
                    num=num,
                    answers=answers,
                )
            return pgettext(
                "children", "bei Frage %(num)s %(answers)s angekreuzt", num=num, answers=answers
            )
        if negate:
            return _("bei Frage %(num)s %(answers)s nicht angekreuzt", num=num, answers=answers)
        return _("bei Frage %(num)s %(answers)s angekreuzt", num=num, answers=answers)

    def _number(self, node: Compare, variable: Variable, negate: bool) -> str | None:
        literal = node.right if isinstance(node.left, Name) else node.left
        op = node.op if isinstance(node.left, Name) else _FLIPPED.get(node.op, node.op)
        if negate:
            op = _NEGATED.get(op, "")
        value = getattr(literal, "value", None)
        if op not in _SYMBOLS or isinstance(value, tuple | str) or value is None:
            return None
        comparison = f"{_SYMBOLS[op]} {value}"  # "≥ 3": the same in every language
        if self.children:
            return pgettext(
                "children",
                "bei Frage %(num)s eine Zahl %(comparison)s eingetragen",
                num=self._num(variable),
                comparison=comparison,
            )
        return _(
            "bei Frage %(num)s eine Zahl %(comparison)s eingetragen",
            num=self._num(variable),
            comparison=comparison,
        )

    def ticked(self, condition: Condition, variable: str) -> list[int]:
        """The codes of ``variable`` for which ``condition`` (on it alone) is true."""
        multi = isinstance(self.variables[variable].question, MultiQuestion)
        return [
            code
            for code in self.variables[variable].labels
            if condition.evaluate({variable: [code] if multi else code})
        ]

    def _num(self, variable: Variable) -> str:
        return f"{variable.number} ({variable.item})" if variable.item else str(variable.number)

    # -- "Wenn Sie ... angekreuzt haben: weiter mit Frage N." -----------------------------------

    def skips(self, numbered: list[tuple[int, Question]]) -> dict[str, str]:
        """question id -> the skip instruction printed under it, where one reads naturally:
        the questions that follow it are shown only for some of its answers."""
        found: dict[str, str] = {}
        for index, (_number, question) in enumerate(numbered):
            variable = self.variables.get(question.id)
            if variable is None or isinstance(question, MultiQuestion | NumberQuestion):
                continue
            guarded = self._guarded_run(numbered, index + 1, question.id)
            if guarded is None:
                continue
            condition, after = guarded
            if after >= len(numbered):
                continue
            skipped = [c for c in variable.labels if c not in self.ticked(condition, question.id)]
            if not skipped or len(skipped) == len(variable.labels):
                continue
            answers = _joined(
                [quote(variable.labels[c]) for c in skipped], pgettext("condition", "oder")
            )
            if self.children:
                found[question.id] = pgettext(
                    "children",
                    "Wenn du %(answers)s angekreuzt hast: weiter mit Frage %(num)s.",
                    answers=answers,
                    num=numbered[after][0],
                )
                continue
            found[question.id] = _(
                "Wenn Sie %(answers)s angekreuzt haben: weiter mit Frage %(num)s.",
                answers=answers,
                num=numbered[after][0],
            )
        return found

    def _guarded_run(
        self, numbered: list[tuple[int, Question]], start: int, variable: str
    ) -> tuple[Condition, int] | None:
        """The condition shared by the questions right after ``start`` that ask about
        ``variable`` alone, and the index of the first question after them."""
        condition: Condition | None = None
        index = start
        while index < len(numbered):
            found = self.questionnaire.conditions.get(numbered[index][1].id)
            if found is None or {n.name for n in found.names} != {variable}:
                break
            if condition is not None and found.source != condition.source:
                break
            condition = found
            index += 1
        return (condition, index) if condition is not None else None


_SYMBOLS = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def variables_of(
    questionnaire: Questionnaire,
    numbered: list[tuple[int, Question]],
    label: Callable[[Question, int], str],
    item_label: Callable[[Question, str], str],
) -> dict[str, Variable]:
    """Every variable a condition can name, with its number and translated answer labels."""
    found: dict[str, Variable] = {}
    for number, question in numbered:
        options = questionnaire.options.get(question.id, ())
        labels = {c.value: label(question, c.value) for c in options}
        if isinstance(question, MatrixQuestion):
            for item in question.items:
                found[f"{question.id}_{item.id}"] = Variable(
                    number, question, item_label(question, item.id), labels
                )
        else:
            found[question.id] = Variable(number, question, None, labels)
    return found
