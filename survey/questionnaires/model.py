"""The questionnaire format: one set of pydantic models is the single source of truth.

The same models validate the YAML files and produce the JSON Schema that editors
use. Definitions are frozen: once loaded, nothing changes them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$"),
    Field(description="A stable variable name: lower case letters, digits and _, up to 40."),
]
Audience = Literal["families", "staff", "children", "partners"]
#: Levels of a report, from the smallest group up.
ReportLevel = Literal["school", "district", "municipality"]
REPORT_LEVELS: tuple[ReportLevel, ...] = ("school", "district", "municipality")
#: The answer language is stored with every response: it always counts as identifying.
LANGUAGE_VARIABLE = "language"
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

#: Code stored for "don't know / does not apply"; kept out of means and indicators.
DONT_KNOW = 99
#: Code stored for "other, please specify" (the text goes to the variable ``<id>_other``).
OTHER = 98
#: Codes of the yes/no question.
YES, NO = 1, 0


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(_Frozen):
    value: int = Field(
        ge=-(2**31),
        le=2**31 - 1,
        description="The code stored and exported for this answer (fits a 32-bit integer).",
    )
    label: Text
    exclusive: bool = Field(
        False, description='Multiple choice: an answer like "nichts davon" that stands alone.'
    )
    translator_note: Text | None = None


CountRule = Literal["top1", "top2", "bottom1", "bottom2", "yes", "no"] | tuple[int, ...]


class IndicatorRef(_Frozen):
    """Which answers to an item count for an indicator of the shared catalogue."""

    id: Identifier
    counts: CountRule | None = Field(
        None,
        description="top1/top2/bottom1/bottom2 (points of an ordered scale), yes/no, or a list "
        "of codes (for multiple choice: those ticked). Default: the indicator's own.",
    )


IndicatorRefs = Identifier | IndicatorRef | tuple[Identifier | IndicatorRef, ...]


class MatrixItem(_Frozen):
    id: Identifier
    label: Text
    theme: Identifier | None = Field(None, description="Overrides the matrix's theme.")
    translator_note: Text | None = None
    indicator: IndicatorRefs | None = None


class _Question(_Frozen):
    id: Identifier
    label: Text = Field(description="The question as the respondent reads it.")
    help: Text | None = Field(None, description="A short explanation shown under the question.")
    translator_note: Text | None = Field(
        None, description="A hint for translators, where the meaning is easy to get wrong."
    )
    required: bool = False
    theme: Identifier | None = Field(
        None, description="A theme of themes.yaml: links the same topic across perspectives."
    )
    indicator: IndicatorRefs | None = Field(
        None, description="Indicator(s) of themes.yaml this item measures, and which answers count."
    )
    show_if: str | None = Field(
        None, description="Condition in the small expression language; hidden when false."
    )
    identifying: ReportLevel | None = Field(
        None,
        description="A background answer that, together with others, can single out a person. "
        "Reports never cross two identifying variables (the answer language is always one) "
        "and break down by this one only at this level or above (school, district, "
        "municipality).",
    )


ChoiceRef = Identifier | tuple[Choice, ...]


class SingleQuestion(_Question):
    type: Literal["single"]
    choices: ChoiceRef
    other: bool = Field(False, description='Adds "other, please specify" with a text field.')


class MultiQuestion(_Question):
    type: Literal["multi"]
    choices: ChoiceRef
    other: bool = Field(False, description='Adds "other, please specify" with a text field.')
    max_choices: int | None = Field(None, ge=1)


class ScaleQuestion(_Question):
    type: Literal["scale"]
    choices: ChoiceRef = Field(description="The labelled points, lowest first.")
    dont_know: bool = Field(False, description='Adds a "don\'t know / does not apply" answer.')


class MatrixQuestion(_Question):
    type: Literal["matrix"]
    choices: ChoiceRef
    items: tuple[MatrixItem, ...] = Field(min_length=1)
    dont_know: bool = False


#: Bounds of a number question: what any database column and float holds exactly.
NUMBER_LIMIT = 10**9


class NumberQuestion(_Question):
    type: Literal["number"]
    min: int | None = Field(None, ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)
    max: int | None = Field(None, ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)
    unit: Text | None = None


class TextQuestion(_Question):
    type: Literal["text"]
    multiline: bool = Field(False, description="A larger box for longer answers.")
    max_length: int = Field(200, ge=1, le=5000)


class YesNoQuestion(_Question):
    type: Literal["yesno"]
    dont_know: bool = False


class SmileyQuestion(_Question):
    type: Literal["smiley"]
    points: Literal[3, 5] = 5
    choices: ChoiceRef | None = Field(
        None, description="Optional labels for the faces, saddest first; default labels otherwise."
    )
    dont_know: bool = False


Question = Annotated[
    SingleQuestion
    | MultiQuestion
    | ScaleQuestion
    | MatrixQuestion
    | NumberQuestion
    | TextQuestion
    | YesNoQuestion
    | SmileyQuestion,
    Field(discriminator="type"),
]
QUESTION_TYPES = ("single", "multi", "scale", "matrix", "number", "text", "yesno", "smiley")


class Page(_Frozen):
    id: Identifier
    title: Text | None = None
    intro: Text | None = None
    show_if: str | None = None
    questions: tuple[Question, ...] = Field(min_length=1)


class QuestionnaireFile(_Frozen):
    """The YAML file as written (choice lists still named)."""

    id: Identifier
    audience: Audience
    title: Text
    intro: Text = Field(description="What is asked and why, in plain words, shown before page 1.")
    display: Literal["pages", "one_per_screen"] = Field(
        "pages", description="one_per_screen shows a single question per screen (children)."
    )
    choices: dict[Identifier, tuple[Choice, ...]] = Field(
        default_factory=dict, description="Reusable choice lists, named."
    )
    report_level: ReportLevel = Field(
        "school",
        description="The lowest level at which results of this questionnaire are shown: "
        "district where a school's few respondents (or an organisation's kind and district) "
        "would name them.",
    )
    pages: tuple[Page, ...] = Field(min_length=1)


# --- the shared catalogue of themes and indicators (questionnaires/themes.yaml) ------------


class Theme(_Frozen):
    id: Identifier
    label: Text
    description: Text | None = None


class Indicator(_Frozen):
    id: Identifier
    theme: Identifier
    kind: Literal["need", "strength"] = Field(
        description="need: a high share means something is missing; strength: something works."
    )
    label: Text = Field(description="What the share means, e.g. 'fühlen sich willkommen'.")
    counts: CountRule | None = Field(None, description="Default rule for the items that use it.")


class ThemesFile(_Frozen):
    themes: tuple[Theme, ...] = Field(min_length=1)
    indicators: tuple[Indicator, ...] = ()
