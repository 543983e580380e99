"""The loaded questionnaire: the validated file plus what every user of it needs.

Choice lists are resolved (named lists, "don't know", yes/no and smiley labels),
conditions are parsed once, and the content hash names the version.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from survey.questionnaires import conditions
from survey.questionnaires.model import (
    DONT_KNOW,
    LANGUAGE_VARIABLE,
    NO,
    OTHER,
    YES,
    Choice,
    CountRule,
    IndicatorRef,
    MatrixQuestion,
    MultiQuestion,
    NumberQuestion,
    Page,
    Question,
    QuestionnaireFile,
    ReportLevel,
    ScaleQuestion,
    SingleQuestion,
    SmileyQuestion,
    TextQuestion,
    ThemesFile,
    YesNoQuestion,
)


def N_(text: str) -> str:
    """Marks a text for extraction into the user-interface catalog; translated where shown."""
    return text


# Source-language labels of the built-in answers; survey.i18n translates them when shown.
DONT_KNOW_LABEL = N_("weiß nicht / trifft nicht zu")
YESNO_LABELS = {YES: N_("ja"), NO: N_("nein")}
SMILEY_LABELS = {
    3: (N_("nicht gut"), N_("mittel"), N_("gut")),
    5: (N_("gar nicht gut"), N_("nicht so gut"), N_("mittel"), N_("gut"), N_("sehr gut")),
}
OTHER_LABEL = N_("anderes, und zwar:")

#: code: a single code; codes: a set of codes (multiple choice); number; text
VariableKind = Literal["code", "codes", "number", "text"]


def resolve_choices(question: Any, named: Mapping[str, tuple[Choice, ...]]) -> tuple[Choice, ...]:
    """Every answer a choice-like question offers, in order, "don't know" last."""
    if isinstance(question, YesNoQuestion):
        base: tuple[Choice, ...] = tuple(
            Choice(value=v, label=lbl) for v, lbl in YESNO_LABELS.items()
        )
    elif isinstance(question, SmileyQuestion) and question.choices is None:
        base = tuple(
            Choice(value=i + 1, label=lbl) for i, lbl in enumerate(SMILEY_LABELS[question.points])
        )
    elif isinstance(getattr(question, "choices", None), str):
        base = tuple(named.get(question.choices, ()))
    else:
        base = tuple(getattr(question, "choices", None) or ())
    if getattr(question, "other", False):
        base += (Choice(value=OTHER, label=OTHER_LABEL),)
    if getattr(question, "dont_know", False):
        base += (Choice(value=DONT_KNOW, label=DONT_KNOW_LABEL),)
    return base


def variables_of(question: Any) -> list[str]:
    """The variable names a question stores: a matrix one per item, "other" its own."""
    if isinstance(question, MatrixQuestion):
        return [f"{question.id}_{item.id}" for item in question.items]
    names = [question.id]
    if isinstance(question, SingleQuestion | MultiQuestion) and question.other:
        names.append(f"{question.id}_other")
    return names


def measured(question: Any) -> list[tuple[str, str | None, tuple[IndicatorRef, ...]]]:
    """(variable, theme, indicator refs) for each variable a question measures."""
    if isinstance(question, MatrixQuestion):
        return [
            (
                f"{question.id}_{item.id}",
                item.theme or question.theme,
                indicator_refs(item.indicator) or indicator_refs(question.indicator),
            )
            for item in question.items
        ]
    return [(question.id, question.theme, indicator_refs(question.indicator))]


def variable_kind(question: Any, variable: str) -> VariableKind:
    if (
        isinstance(question, TextQuestion)
        or variable.endswith("_other")
        and variable != question.id
    ):
        return "text"
    if isinstance(question, NumberQuestion):
        return "number"
    if isinstance(question, MultiQuestion):
        return "codes"
    return "code"


def indicator_refs(value: Any) -> tuple[IndicatorRef, ...]:
    """The item's ``indicator`` field, in its one long form."""
    if value is None:
        return ()
    items = value if isinstance(value, tuple) else (value,)
    return tuple(IndicatorRef(id=v) if isinstance(v, str) else v for v in items)


ORDERED = (ScaleQuestion, MatrixQuestion, SmileyQuestion)


def scale_type(question: Any) -> str:
    """What kind of answer an item gives, for comparing the items of one indicator.

    A named list is its name (agree4 and quality4 differ, though both have four
    points); an inline list is its length and ends; a matrix item answers on a scale like a
    scale question; "don't know" does not change the type.
    """
    if isinstance(question, YesNoQuestion):
        return "yes/no"
    if isinstance(question, SmileyQuestion):
        return f"smiley with {question.points} faces"
    if isinstance(question, NumberQuestion | TextQuestion):
        return question.type
    kind = {"scale": "scale", "matrix": "scale", "single": "single choice"}.get(
        question.type, "multiple choice"
    )
    choices = question.choices
    if isinstance(choices, str):
        return f"{kind} '{choices}'"
    labels = [c.label for c in choices]
    span = " / ".join(labels) if len(labels) <= 3 else f"{labels[0]} / … / {labels[-1]}"
    return f"{kind} of {len(labels)} own answers ({span})"


def counted_codes(question: Any, options: tuple[Choice, ...], rule: CountRule) -> tuple[int, ...]:
    """The codes that count for an indicator; ValueError says why a rule does not fit."""
    points = [c.value for c in options if c.value not in (DONT_KNOW, OTHER)]
    if isinstance(rule, tuple):
        known = {c.value for c in options} - {DONT_KNOW}
        unknown = [code for code in rule if code not in known]
        if unknown:
            raise ValueError(f"has no answer {', '.join(map(str, unknown))} to count")
        if isinstance(question, MultiQuestion) and len(rule) > 1:
            # the share of those who ticked 1 or 2 is not the share of 1 plus the share of
            # 2: one person may tick both (the sum gave a school 111.8 %)
            raise ValueError(
                "counts several answers of a multiple choice: one person may tick several, "
                "so their shares cannot be added (make an indicator per answer)"
            )
        return rule
    if rule in ("yes", "no"):
        if not isinstance(question, YesNoQuestion):
            raise ValueError(f"'{rule}' fits only yes/no questions")
        return (YES,) if rule == "yes" else (NO,)
    if not isinstance(question, ORDERED):
        raise ValueError(f"'{rule}' needs an ordered scale (scale, matrix, smiley)")
    n = int(rule[-1])
    if len(points) <= n:
        raise ValueError(f"'{rule}' would count every point of a {len(points)}-point scale")
    return tuple(points[-n:] if rule.startswith("top") else points[:n])


@dataclass(frozen=True)
class IndicatorUse:
    indicator: str
    variable: str
    codes: tuple[int, ...]
    #: see scale_type(): all uses of one indicator, in every questionnaire, share it
    scale: str = ""
    #: where the item is in the file (pages, i, questions, j[, items, k]), for messages
    loc: tuple[str | int, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Questionnaire:
    file: QuestionnaireFile
    version: str
    path: Path | None
    #: question id -> every answer it offers
    options: Mapping[str, tuple[Choice, ...]] = field(repr=False)
    #: question or page id -> parsed show_if
    conditions: Mapping[str, conditions.Condition] = field(repr=False)
    #: which answers to which variable count for which indicator
    indicators: tuple[IndicatorUse, ...] = field(default=(), repr=False)
    #: variable -> theme
    themes: Mapping[str, str] = field(default_factory=dict, repr=False)
    #: identifying variable -> lowest report level it may be broken down at; never two
    #: of them crossed with each other. The answer language is always one of them.
    identifying: Mapping[str, ReportLevel] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        model: QuestionnaireFile,
        version: str,
        path: Path | None = None,
        catalogue: ThemesFile | None = None,
    ) -> Questionnaire:
        """Resolve choices, parse conditions, link themes and indicators (the file is valid)."""
        options: dict[str, tuple[Choice, ...]] = {}
        conds: dict[str, conditions.Condition] = {}
        uses: list[IndicatorUse] = []
        themes: dict[str, str] = {}
        identifying: dict[str, ReportLevel] = {LANGUAGE_VARIABLE: model.report_level}
        defaults = {i.id: i.counts for i in catalogue.indicators} if catalogue else {}
        for p_index, page in enumerate(model.pages):
            if page.show_if:
                conds["page:" + page.id] = conditions.parse(page.show_if)
            for q_index, question in enumerate(page.questions):
                if not isinstance(question, NumberQuestion | TextQuestion):
                    options[question.id] = resolve_choices(question, model.choices)
                if question.show_if:
                    conds[question.id] = conditions.parse(question.show_if)
                if question.identifying:
                    for variable, _theme, _refs in measured(question):
                        identifying[variable] = question.identifying
                loc: tuple[str | int, ...] = ("pages", p_index, "questions", q_index)
                for i, (variable, theme, refs) in enumerate(measured(question)):
                    if theme:
                        themes[variable] = theme
                    where = loc + ("items", i) if isinstance(question, MatrixQuestion) else loc
                    for ref in refs:
                        rule = ref.counts or defaults.get(ref.id)
                        if rule is not None:
                            codes = counted_codes(question, options[question.id], rule)
                            uses.append(
                                IndicatorUse(ref.id, variable, codes, scale_type(question), where)
                            )
        return cls(
            file=model,
            version=version,
            path=path,
            options=MappingProxyType(options),
            conditions=MappingProxyType(conds),
            indicators=tuple(uses),
            themes=MappingProxyType(themes),
            identifying=MappingProxyType(identifying),
        )

    # Plain accessors keep callers away from the file model's layout.
    @property
    def id(self) -> str:
        return self.file.id

    @property
    def audience(self) -> str:
        return self.file.audience

    @property
    def title(self) -> str:
        return self.file.title

    @property
    def intro(self) -> str:
        return self.file.intro

    @property
    def report_level(self) -> ReportLevel:
        return self.file.report_level

    @property
    def pages(self) -> tuple[Page, ...]:
        return self.file.pages

    def questions(self) -> Iterator[Question]:
        for page in self.file.pages:
            yield from page.questions

    def variables(self) -> Iterator[tuple[str, Question, VariableKind]]:
        return iter(self._variables)

    # Derived once per (immutable) questionnaire: every answer a respondent sends
    # is normalized, typed and checked against these several times per request.
    @cached_property
    def _variables(self) -> tuple[tuple[str, Question, VariableKind], ...]:
        return tuple(
            (variable, question, variable_kind(question, variable))
            for question in self.questions()
            for variable in variables_of(question)
        )

    @cached_property
    def kinds(self) -> Mapping[str, VariableKind]:
        """variable -> how its answer is stored."""
        return MappingProxyType({v: kind for v, _q, kind in self._variables})

    @cached_property
    def owners(self) -> Mapping[str, Question]:
        """variable -> the question it belongs to."""
        return MappingProxyType({v: q for v, q, _kind in self._variables})

    def page_visible(self, page: Page, answers: Mapping[str, Any]) -> bool:
        cond = self.conditions.get("page:" + page.id)
        if cond is not None and not cond.evaluate(dict(answers)):
            return False
        return any(self.question_visible(q, answers) for q in page.questions)

    def question_visible(self, question: Question, answers: Mapping[str, Any]) -> bool:
        cond = self.conditions.get(question.id)
        return cond is None or cond.evaluate(dict(answers))
