"""Slip sheets: one-time access codes on A4, ten slips a page (2 × 5) with cut lines.

Each slip carries the link's QR code (the link itself, never the code: a code in a URL
would end up in browser histories), the typed short link, the code in large letters and
one line saying what to do, in up to two languages (German and a family language).
A class teacher cuts the sheet and hands out the slips without knowing whose is whose.

The codes are not stored anywhere (only their keyed hashes): this PDF is made once, when
the batch is issued, and is the only copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from survey.core.access_codes import printed
from survey.i18n.locale import direction
from survey.pdf.document import Target, new_canvas
from survey.pdf.qr import draw_qr
from survey.pdf.text import Style, draw_text, fit_on_one_line

COLUMNS, ROWS = 2, 5
SLIP_WIDTH, SLIP_HEIGHT = A4[0] / COLUMNS, A4[1] / ROWS
#: Inside each slip: clear of the cut and of the edge a printer cannot reach.
PAD = 6 * mm
QR_SIZE = 36 * mm
ACCENT = Color(0.05, 0.36, 0.45)
GREY = Color(0.42, 0.42, 0.42)
CUT = Color(0.6, 0.6, 0.6)


@dataclass(frozen=True)
class SlipSheet:
    school: str
    audience: str
    #: the full link (QR code) and its short form to type (survey/distribution/links.py)
    url: str
    short_url: str
    #: the codes, each printed once
    codes: list[str]
    #: at most two: the instruction is printed in each (German first if chosen)
    languages: tuple[str, ...] = ("de",)
    #: printed small on each slip, so that staff know which batch to revoke if a sheet is lost
    batch_label: str = ""


@dataclass(frozen=True)
class _Words:
    language: str
    rtl: bool
    title: str
    label: str
    instruction: str


def _words(sheet: SlipSheet, language: str) -> _Words:
    with force_locale(language):
        title = {
            "families": _("Befragung für Familien"),
            "staff": _("Befragung für das Team der Schule"),
            "partners": _("Befragung für Partner im Stadtteil"),
            "children": pgettext("children", "Umfrage für Kinder"),
        }.get(sheet.audience, "")
        return _Words(
            language,
            direction(language) == "rtl",
            title,
            _("Ihr Code"),
            _(
                "QR-Code scannen oder den Link eintippen, dann diesen Code eingeben. "
                "Er gilt für eine Antwort."
            ),
        )


def write_slips(out: Target, sheet: SlipSheet) -> int:
    """The slip sheet PDF; returns the number of pages."""
    languages = sheet.languages[:2] or ("de",)
    words = [_words(sheet, language) for language in languages]
    canvas = new_canvas(out, A4, f"Zugangscodes · {sheet.school}", languages[0])
    per_page = COLUMNS * ROWS
    pages = 0
    for start in range(0, len(sheet.codes), per_page):
        for index, code in enumerate(sheet.codes[start : start + per_page]):
            column, row = index % COLUMNS, index // COLUMNS
            left = column * SLIP_WIDTH
            bottom = A4[1] - (row + 1) * SLIP_HEIGHT
            _slip(canvas, sheet, words, code, left, bottom)
        _cut_lines(canvas)
        canvas.showPage()
        pages += 1
    canvas.save()
    return pages


def _cut_lines(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setStrokeColor(CUT)
    canvas.setDash(3, 3)
    canvas.setLineWidth(0.4)
    for column in range(1, COLUMNS):
        canvas.line(column * SLIP_WIDTH, 0, column * SLIP_WIDTH, A4[1])
    for row in range(1, ROWS):
        canvas.line(0, row * SLIP_HEIGHT, A4[0], row * SLIP_HEIGHT)
    canvas.restoreState()


def _slip(canvas: Canvas, sheet: SlipSheet, words: list[_Words], code, left, bottom) -> None:
    top = bottom + SLIP_HEIGHT - PAD
    draw_qr(canvas, sheet.url, left + PAD - 2 * mm, top - QR_SIZE + 2 * mm, QR_SIZE)
    text_left = left + PAD + QR_SIZE
    width = SLIP_WIDTH - 2 * PAD - QR_SIZE + 2 * mm
    first = words[0]
    y = top
    y -= draw_text(
        canvas,
        first.title,
        text_left,
        y,
        width,
        fit_on_one_line(first.title, width, Style(size=8.5, bold=True, color=ACCENT), first.rtl),
        first.rtl,
    )
    school = fit_on_one_line(sheet.school, width, Style(size=7.5, color=GREY), False)
    y -= draw_text(canvas, sheet.school, text_left, y, width, school, False) + 1.5 * mm
    label = " · ".join(w.label for w in words)
    y -= draw_text(canvas, label, text_left, y, width, Style(size=7.5, color=GREY), first.rtl)
    # The code: large, bold, left to right in every language.
    code_style = fit_on_one_line(printed(code), width, Style(size=19, bold=True), False)
    y -= draw_text(canvas, printed(code), text_left, y, width, code_style, False) + 0.5 * mm
    link = fit_on_one_line(sheet.short_url, width, Style(size=9, bold=True), False)
    y -= draw_text(canvas, sheet.short_url, text_left, y, width, link, False)
    # One instruction per language below the QR code, across the whole slip.
    y = min(y, top - QR_SIZE + 1 * mm)
    full = SLIP_WIDTH - 2 * PAD
    for word in words:
        y -= draw_text(canvas, word.instruction, left + PAD, y, full, Style(size=7.5), word.rtl)
    if sheet.batch_label:
        draw_text(
            canvas,
            sheet.batch_label,
            left + PAD,
            bottom + PAD - 1.5 * mm,
            full,
            Style(size=5.5, color=GREY, align="end"),
            False,
        )


def slip_file_name(school_key: str, audience: str, batch_id: int) -> str:
    return f"zugangscodes-{school_key}-{audience}-stapel-{batch_id}.pdf"
