"""WTForms built from a questionnaire step.

Plain ``wtforms.Form`` for the questions: CSRF is checked for every POST by
Flask-WTF's ``CSRFProtect``, and the templates render each field by hand so
that choices sit in a fieldset with a legend and errors are tied to fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import MultiDict
from wtforms import Form, IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from survey.i18n.locale import format_count, lazy_count_message
from survey.i18n.texts import QuestionnaireTexts
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.model import (
    OTHER,
    MatrixQuestion,
    MultiQuestion,
    NumberQuestion,
    Question,
    SingleQuestion,
    TextQuestion,
)
from survey.respond.answers import (
    MAX_NUMBER,
    OTHER_MAX_LENGTH,
    normalize,
    parse_integer,
)

REQUIRED = _l("Bitte beantworten Sie diese Frage.")


class _Messages:
    """WTForms' own messages, from our catalogs in the page's language.

    WTForms asks its translations object for its built-in (English) messages, such
    as "Not a valid choice." for a value that is not one of the answers. Each is
    mapped to a German source text; anything else WTForms might ask gets a general
    request to check the answer, never English.
    """

    KNOWN = {
        "Not a valid integer value.": _l("Bitte die Zahl in Ziffern schreiben, zum Beispiel 3."),
        "Not a valid choice.": _l("Bitte wählen Sie eine der Antworten."),
        "Invalid Choice: could not coerce.": _l("Bitte wählen Sie eine der Antworten."),
        "'%(value)s' is not a valid choice for this field.": _l(
            "Bitte wählen Sie nur unter den angebotenen Antworten."
        ),
        "'%(value)s' are not valid choices for this field.": _l(
            "Bitte wählen Sie nur unter den angebotenen Antworten."
        ),
        "Invalid choice(s): one or more data inputs could not be coerced.": _l(
            "Bitte wählen Sie nur unter den angebotenen Antworten."
        ),
    }
    OTHER = _l("Bitte prüfen Sie diese Antwort.")

    def gettext(self, string: str) -> str:
        # WTForms may %-format the result with a mapping; ours hold no placeholders.
        return str(self.KNOWN.get(string, self.OTHER))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular)


_MESSAGES = _Messages()
#: "1,5", "2.5", Arabic "١٫٥"; and "1 200" with spaces between digit groups.
_DECIMAL = re.compile(r"\d+\s*[.,\u066b\u066c]\s*\d+")
_SPACED = re.compile(r"\d+(?:[\s\u00a0\u202f]+\d+)+")


def _presence(required: bool):
    return InputRequired(message=REQUIRED) if required else Optional()


class _MaxChoices:
    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, _form: Form, field: SelectMultipleField) -> None:
        if field.data and len(field.data) > self.limit:
            raise ValidationError(
                lazy_count_message(
                    "Bitte wählen Sie höchstens %(num)s aus.",
                    "Bitte wählen Sie höchstens %(num)s aus.",
                    self.limit,
                )
            )


class _IntegerField(IntegerField):
    """Reads a number exactly as storage and conditions do (``parse_integer``):
    digits of any script with an optional sign; not ``1_000``, not ``1e3``."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        self.data = parse_integer(text)
        if self.data is None:  # say what to type instead
            if _DECIMAL.fullmatch(text):
                raise ValueError(
                    _l("Bitte eine ganze Zahl ohne Komma oder Punkt schreiben, zum Beispiel 2.")
                )
            if _SPACED.fullmatch(text):
                raise ValueError(_l("Bitte die Zahl ohne Leerzeichen schreiben."))
            raise ValueError(_Messages.KNOWN["Not a valid integer value."])


class _Exclusive:
    """ "Nichts davon" and a real answer contradict each other: ask which is meant."""

    def __init__(self, codes: dict[str, str]) -> None:
        self.codes = codes  # code -> label

    def __call__(self, _form: Form, field: SelectMultipleField) -> None:
        chosen = field.data or []
        alone = [c for c in chosen if c in self.codes]
        if alone and len(chosen) > 1:
            raise ValidationError(
                _l("„%(label)s“ passt nicht zu den anderen Antworten.", label=self.codes[alone[0]])
            )


class _OtherNeedsText:
    """ "Other" ticked means the text field must say what."""

    def __init__(self, choice_field: str) -> None:
        self.choice_field = choice_field

    def __call__(self, form: Form, field: StringField) -> None:
        chosen = form[self.choice_field].data
        ticked = str(OTHER) in (chosen if isinstance(chosen, list) else [chosen])
        if ticked and not (field.data or "").strip():
            raise ValidationError(_l("Bitte schreiben Sie kurz, was Sie meinen."))


def build_form(
    questionnaire: Questionnaire,
    questions: tuple[Question, ...],
    formdata: MultiDict | None,
    texts: QuestionnaireTexts | None = None,
) -> Form:
    """A form for the visible questions of one step, bound to ``formdata``.

    ``texts`` gives the answer labels in the respondent's language (German without it).
    """

    class StepForm(Form):
        class Meta:
            def get_translations(self, form):
                return _MESSAGES

    for question in questions:
        for name, field in _fields(questionnaire, question, texts):
            setattr(StepForm, name, field)
    # The form sees what the draft keeps and storage reads: one value per single
    # answer, no control characters, nothing longer than a question can hold.
    if formdata is None:
        return StepForm()
    return StepForm(formdata=formdata_from(normalize(questionnaire, questions, formdata)))


def _choice_list(
    questionnaire: Questionnaire, question: Question, texts: QuestionnaireTexts | None
) -> list[SelectChoice]:
    return [
        SelectChoice(str(c.value), texts.option(question, c) if texts else c.label)
        for c in questionnaire.options[question.id]
    ]


def _fields(questionnaire: Questionnaire, q: Question, texts: QuestionnaireTexts | None):
    presence = _presence(q.required)
    if isinstance(q, MatrixQuestion):
        choices = _choice_list(questionnaire, q, texts)
        for item in q.items:
            yield (
                f"{q.id}_{item.id}",
                RadioField(item.label, choices=choices, validators=[presence]),
            )
    elif isinstance(q, MultiQuestion):
        choices = _choice_list(questionnaire, q, texts)
        validators = [presence] + ([_MaxChoices(q.max_choices)] if q.max_choices else [])
        exclusive = {
            str(c.value): texts.option(q, c) if texts else c.label
            for c in questionnaire.options[q.id]
            if c.exclusive
        }
        if exclusive:
            validators.append(_Exclusive(exclusive))
        yield q.id, SelectMultipleField(q.label, choices=choices, validators=validators)
    elif isinstance(q, NumberQuestion):
        yield (
            q.id,
            _IntegerField(
                q.label,
                validators=[
                    presence,
                    NumberRange(
                        -MAX_NUMBER if q.min is None else q.min,
                        MAX_NUMBER if q.max is None else q.max,
                        message=_number_message(q.min, q.max),
                    ),
                ],
            ),
        )
    elif isinstance(q, TextQuestion):
        field_class = TextAreaField if q.multiline else StringField
        yield q.id, field_class(q.label, validators=[presence, _length(q.max_length)])
    else:  # single, scale, yesno, smiley: one answer from a list
        choices = _choice_list(questionnaire, q, texts)
        yield q.id, RadioField(q.label, choices=choices, validators=[presence])
    if isinstance(q, SingleQuestion | MultiQuestion) and q.other:
        yield (
            f"{q.id}_other",
            StringField("", validators=[_OtherNeedsText(q.id), _length(OTHER_MAX_LENGTH)]),
        )


def _length(limit: int) -> Length:
    return Length(
        max=limit,
        message=lazy_count_message(
            "Bitte höchstens %(num)s Zeichen.", "Bitte höchstens %(num)s Zeichen.", limit
        ),
    )


def _number_message(low: int | None, high: int | None):
    if low is not None and high is not None:
        return _l(
            "Bitte eine Zahl von %(min)s bis %(max)s.",
            min=LazyString(format_count, low),
            max=LazyString(format_count, high),
        )
    if low is not None:
        return _l("Bitte eine Zahl ab %(min)s.", min=LazyString(format_count, low))
    if high is not None:
        return _l("Bitte eine Zahl bis %(max)s.", max=LazyString(format_count, high))
    return _l("Bitte eine ganze Zahl.")


def raw_of(form: Form) -> dict[str, list[str]]:
    """The values as typed, for the draft (also when they did not validate)."""
    raw: dict[str, list[str]] = {}
    for field in form:
        raw[field.name] = [str(v) for v in (field.raw_data or [])]
    return raw


def formdata_from(raw: Mapping[str, list[str]]) -> MultiDict:
    return MultiDict([(k, v) for k, values in raw.items() for v in values])
