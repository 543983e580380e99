"""A questionnaire on paper (A4), in any offered language, for those who will not answer online.

Every question with its answers as boxes to tick, the instructions and the promise of
anonymity, conditions as plain instructions, and the codes small in the margin so that
answers can be keyed in. Texts: the questionnaire's from the ``questionnaires`` catalog,
the form's own from the ``messages`` catalog, both in the printed language.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import force_locale, ngettext, pgettext
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
)

from survey.i18n.locale import direction
from survey.i18n.texts import QuestionnaireTexts
from survey.paper.conditions import Describer, variables_of
from survey.paper.sheets import GREY, MARGIN, Grid, MarginNote, Option, Options, WriteIn
from survey.pdf.document import Target
from survey.pdf.fonts import fonts
from survey.pdf.text import Paragraph, Style, draw_text
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.model import (
    DONT_KNOW,
    OTHER,
    MatrixQuestion,
    MultiQuestion,
    NumberQuestion,
    Question,
    SmileyQuestion,
    TextQuestion,
)

#: The margin that carries the variable names is the wider one (at the left in
#: left-to-right languages, at the right in Arabic and Farsi).
CODE_MARGIN = MARGIN
OTHER_MARGIN = 16 * mm

TITLE = Style(size=17, bold=True, space_after=3 * mm)
HEADING = Style(size=12.5, bold=True, space_after=1.5 * mm)
BODY = Style(size=10, space_after=2 * mm)
LABEL = Style(size=10.5, bold=True, space_after=1.2 * mm)
ANSWER = Style(size=9.5)
HINT = Style(size=8.5, color=GREY, space_after=1 * mm)


def numbered_questions(questionnaire: Questionnaire) -> list[tuple[int, Question]]:
    """Questions numbered 1, 2, … through the whole questionnaire, as printed."""
    return list(enumerate(questionnaire.questions(), start=1))


def printable_questionnaire(
    questionnaire: Questionnaire,
    language: str,
    translations: Path | str,
    min_group_size: int,
    out: Target,
) -> None:
    """Write the printable questionnaire in ``language`` to ``out`` (needs an app context
    for the interface catalog)."""
    with force_locale(language):
        _Builder(questionnaire, language, translations, min_group_size).build(out)


class _Builder:
    def __init__(self, questionnaire, language, translations, min_group_size) -> None:
        self.q = questionnaire
        self.language = language
        self.rtl = direction(language) == "rtl"
        self.t = QuestionnaireTexts(questionnaire, language, translations)
        self.min_group_size = min_group_size
        self.children = questionnaire.audience == "children"
        self.numbered = numbered_questions(questionnaire)
        self.variables = variables_of(
            questionnaire,
            self.numbered,
            lambda question, code: self.t.option(question, _choice(questionnaire, question, code)),
            lambda question, item_id: self.t.item(question, _item(question, item_id)),
        )
        self.describe = Describer(questionnaire, self.variables, children=self.children)
        # An arrow points the way one reads.
        self.arrow = "← " if self.rtl else "→ "

    def para(self, text: str, style: Style) -> Paragraph:
        return Paragraph(text, style, self.rtl)

    def build(self, out: Target) -> None:
        left, right = (OTHER_MARGIN, CODE_MARGIN) if self.rtl else (CODE_MARGIN, OTHER_MARGIN)
        fonts()
        doc = BaseDocTemplate(
            out if not isinstance(out, Path) else str(out),
            pagesize=A4,
            leftMargin=left,
            rightMargin=right,
            topMargin=16 * mm,
            bottomMargin=18 * mm,
            title=self.t.title(),
            author="Mitwirken",
            creator="Mitwirken",
            lang=self.language,
            invariant=1,
            initialFontName=fonts().latin.name,
        )
        frame = Frame(
            left,
            18 * mm,
            A4[0] - left - right,
            A4[1] - 34 * mm,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates([PageTemplate("page", [frame], onPage=self.footer)])
        doc.build(self.story())

    def footer(self, canvas, doc) -> None:
        canvas.saveState()
        number = str(canvas.getPageNumber())
        draw_text(canvas, number, 0, 14 * mm, A4[0], Style(size=9, align="center"), False)
        # The version identifies exactly which questionnaire the keyed answers belong to.
        tag = f"{self.q.id} · {self.language} · {self.q.version[:10]}"
        draw_text(
            canvas,
            tag,
            12 * mm,
            14 * mm,
            A4[0] - 24 * mm,
            Style(size=6.5, color=GREY, align="end" if self.rtl else "start"),
            False,
        )
        canvas.restoreState()

    def story(self) -> list:
        story: list = [self.para(self.t.title(), TITLE)]
        for paragraph in self.t.intro().split("\n\n"):
            story.append(self.para(paragraph, BODY))
        story += self.instructions()
        skips = self.describe.skips(self.numbered)
        numbers = {q.id: n for n, q in self.numbered}
        for page in self.q.pages:
            story.append(CondPageBreak(40 * mm))
            story.append(Spacer(0, 2 * mm))
            heading = [self.para(self.t.page_title(page), HEADING)] if page.title else []
            page_condition = self.q.conditions.get("page:" + page.id)
            if page_condition is not None and (words := self.describe.only_if(page_condition)):
                heading.append(self.para(self.arrow + words, HINT))
            if page.intro:
                heading.append(self.para(self.t.page_intro(page), BODY))
            first, *rest = [
                self.question(numbers[q.id], q, skips.get(q.id)) for q in page.questions
            ]
            story.append(KeepTogether([*heading, *first]))
            story += [KeepTogether(block) for block in rest]
        story.append(Spacer(0, 6 * mm))
        thanks = pgettext("children", "Danke schön!") if self.children else _("Vielen Dank!")
        story.append(self.para(thanks, HEADING.but(align="center")))
        return story

    def instructions(self) -> list:
        if self.children:
            heading = pgettext("children", "So füllst du den Bogen aus")
            how = pgettext(
                "children",
                "Kreuze bei jeder Frage an, was für dich passt. Hast du dich vertan? Dann male "
                "das falsche Kästchen ganz aus und kreuze das richtige an.",
            )
            promise = [
                pgettext("children", "Schreib deinen Namen nicht auf den Bogen."),
                _("Wir fragen nicht nach deinem Namen."),
                _("Deine Lehrerinnen und Lehrer und deine Eltern sehen nicht, was du antwortest."),
                _("Du musst nicht mitmachen. Du kannst jede Frage auslassen."),
            ]
            anonymity = _("Das bleibt geheim")
        else:
            heading = _("So füllen Sie den Bogen aus")
            how = _(
                "Kreuzen Sie bei jeder Frage an, was für Sie passt. Haben Sie sich vertan? Dann "
                "malen Sie das falsche Kästchen ganz aus und kreuzen das richtige an."
            )
            promise = [
                _("Bitte schreiben Sie Ihren Namen nicht auf den Bogen."),
                _("Gespeichert wird nur, was Sie antworten, die Schule und der Tag der Antwort."),
                ngettext(
                    "Ergebnisse zeigen wir nur für Gruppen ab %(num)s Person. So kann niemand "
                    "erkennen, was Sie geantwortet haben.",
                    "Ergebnisse zeigen wir nur für Gruppen ab %(num)s Personen. So kann niemand "
                    "erkennen, was Sie geantwortet haben.",
                    self.min_group_size,
                ),
                _(
                    "Die Teilnahme ist freiwillig. Sie können jede Frage auslassen, die nicht als "
                    "Pflicht markiert ist."
                ),
            ]
            anonymity = _("So bleiben Sie anonym")
        block = [self.para(heading, HEADING), self.para(how, BODY), self.para(anonymity, HEADING)]
        block += [self.para("• " + line, BODY.but(space_after=1 * mm)) for line in promise]
        return [KeepTogether(block), Spacer(0, 2 * mm)]

    def question(self, number: int, question: Question, skip: str | None) -> list:
        block: list = [Spacer(0, 2.5 * mm), MarginNote(question.id, self.rtl, CODE_MARGIN)]
        condition = self.q.conditions.get(question.id)
        if condition is not None and (words := self.describe.only_if(condition)):
            block.append(self.para(self.arrow + words, HINT))
        required = f" ({_('Pflicht')})" if question.required else ""
        block.append(self.para(f"{number}. {self.t.label(question)}{required}", LABEL))
        if question.help:
            block.append(self.para(self.t.help(question), HINT))
        block += self.answers(question)
        if skip:
            block.append(self.para(self.arrow + skip, HINT.but(bold=True)))
        return block

    def answers(self, question: Question) -> list:
        if isinstance(question, NumberQuestion):
            return [WriteIn(number=True, unit=self.t.unit(question), rtl=self.rtl, style=ANSWER)]
        if isinstance(question, TextQuestion):
            hint = self.para(_("Bitte keine Namen, Telefonnummern oder Adressen."), HINT)
            return [hint, WriteIn(lines=4 if question.multiline else 1)]
        choices = self.q.options[question.id]
        points = [c.value for c in choices if c.value not in (OTHER, DONT_KNOW)]
        smiley = isinstance(question, SmileyQuestion) and len(points) > 1

        def mood(code: int) -> float | None:
            if not smiley or code not in points:
                return None
            return -1 + 2 * points.index(code) / (len(points) - 1)

        options = [
            Option(
                c.value, self.t.option(question, c), write_in=c.value == OTHER, mood=mood(c.value)
            )
            for c in choices
        ]
        if isinstance(question, MatrixQuestion):
            items = [
                (self.t.item(question, item), f"{question.id}_{item.id}") for item in question.items
            ]
            return [Grid(items, options, ANSWER, self.rtl)]
        found: list = []
        if isinstance(question, MultiQuestion) and not question.help:
            if question.max_choices:
                hint = ngettext(
                    "Höchstens %(num)s Antwort.",
                    "Höchstens %(num)s Antworten.",
                    question.max_choices,
                )
            else:
                hint = _("Mehrere Antworten möglich.")
            found.append(self.para(hint, HINT))
        found.append(Options(options, ANSWER, self.rtl))
        return found


def _choice(questionnaire: Questionnaire, question: Question, code: int):
    return next(c for c in questionnaire.options[question.id] if c.value == code)


def _item(question: Question, item_id: str):
    assert isinstance(question, MatrixQuestion)
    return next(i for i in question.items if i.id == item_id)
