"""Flyers per school and audience: QR code, typed link, purpose, time, anonymity, whom to ask.

A flyer page is drawn on an A4 canvas; the A5 version is the same page at 1/√2 scale,
two of them on one A4 sheet (landscape, to be cut in half). A page holds one language,
or a family language and German side by side: the family language leads, on the side
its readers start from (left for Turkish, right for Arabic and Farsi). Each column
carries its own QR code, which opens the survey in that column's language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from flask_babel import force_locale, get_translations, pgettext
from flask_babel import gettext as _
from reportlab.lib.colors import Color, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from survey.i18n.locale import SOURCE_LANGUAGE, direction, native_name
from survey.pdf.document import Target, new_canvas
from survey.pdf.qr import draw_qr
from survey.pdf.text import (
    Style,
    draw_text,
    fit_on_one_line,
    has_rtl,
    ltr_island,
    text_height,
)

ACCENT = Color(0.05, 0.36, 0.45)
PALE = Color(0.91, 0.95, 0.96)
GREYISH = Color(0.35, 0.45, 0.5)
A4_WIDTH, A4_HEIGHT = A4


@dataclass(frozen=True)
class FlyerLink:
    """What a flyer points to, independent of its language."""

    school: str
    audience: str
    #: the link as typed from paper (no language parameter: the browser's language is chosen)
    url: str
    #: how long answering takes, as the questionnaire promises it: (15, 20) or (10, 10)
    minutes: tuple[int, int]
    closes_on: date | None = None
    #: whom to ask, as the school writes it ("Frau Yılmaz, Schulsozialarbeit, 0209 123456")
    contact: str | None = None
    #: the short form to type from paper, ``host/k/abcd-efgh-jkmn`` (distribution.links)
    short: str = ""

    def url_in(self, language: str) -> str:
        """The QR code's link: opens the survey in the flyer's language."""
        return f"{self.url}?lang={language}"


@dataclass(frozen=True)
class FlyerText:
    language: str
    rtl: bool
    audience: str
    call: str
    purpose: str
    time: str
    how: str
    promise: tuple[str, ...]
    ask: str
    until: str | None


def flyer_text(link: FlyerLink, language: str) -> FlyerText:
    """The flyer's words in ``language`` (interface catalog; needs an app context)."""
    with force_locale(language):
        children = link.audience == "children"
        audience = {
            "families": _("Befragung für Familien"),
            "staff": _("Befragung für das Team der Schule"),
            "partners": _("Befragung für Partner im Stadtteil"),
            "children": pgettext("children", "Umfrage für Kinder"),
        }[link.audience]
        if children:
            call = pgettext("children", "Deine Meinung zählt!")
            purpose = pgettext(
                "children",
                "Wir möchten wissen, wie es dir in der Schule und in deinem Stadtteil geht.",
            )
            how = pgettext("children", "Scanne den QR-Code oder tippe den Link ein.")
            promise = (
                _("Wir fragen nicht nach deinem Namen."),
                _("Deine Lehrerinnen und Lehrer und deine Eltern sehen nicht, was du antwortest."),
                _("Du musst nicht mitmachen. Du kannst jede Frage auslassen."),
            )
        else:
            call = _("Ihre Meinung zählt!")
            purpose = _(
                "Die Schule und die Stadt möchten wissen, was Familien, Kinder und Schulen im "
                "Stadtteil brauchen. Ihre Antworten helfen, Angebote zu verbessern."
            )
            how = _(
                "So machen Sie mit: Scannen Sie den QR-Code mit der Kamera Ihres Handys oder "
                "tippen Sie den Link ein."
            )
            promise = (
                _(
                    "Anonym und freiwillig: Wir fragen nicht nach Ihrem Namen. Niemand an der "
                    "Schule erfährt, was Sie geantwortet haben."
                ),
            )
        time = takes(link.minutes)
        # translators: Shown before the school's contact (name, role, phone) as the school typed it.
        if link.contact:
            rtl = direction(language) == "rtl"
            latin = rtl and not has_rtl(link.contact)
            contact = ltr_island(link.contact) if latin else link.contact
            ask = _("Fragen? %(contact)s", contact=contact)
        else:
            ask = _("Fragen? Das Sekretariat der Schule hilft gern weiter.")
        until = None
        if link.closes_on is not None:
            until = _(
                "Mitmachen bis %(date)s", date=format_date(link.closes_on, "long", locale=language)
            )
        return FlyerText(
            language,
            direction(language) == "rtl",
            audience,
            call,
            purpose,
            time,
            how,
            promise,
            ask,
            until,
        )


def takes(minutes: tuple[int, int]) -> str:
    """ "Das dauert etwa 15–20 Minuten." in the current language (plural form of the upper end)."""
    low, high = minutes
    span = str(high) if low == high else f"{low}–{high}"
    # flask_babel's ngettext fills %(num)s with the count itself: a span needs the raw form.
    form = get_translations().ngettext(
        "Das dauert etwa %(num)s Minute.", "Das dauert etwa %(num)s Minuten.", high
    )
    return form % {"num": span}


def pages_for(languages: list[str], side_by_side: bool = True) -> list[tuple[str, ...]]:
    """Which languages each page holds: with German among several languages, every family
    language next to German (and German alone first); otherwise one language a page."""
    if not side_by_side or SOURCE_LANGUAGE not in languages or len(languages) == 1:
        return [(language,) for language in languages]
    family = [language for language in languages if language != SOURCE_LANGUAGE]
    return [(SOURCE_LANGUAGE,)] + [(language, SOURCE_LANGUAGE) for language in family]


def write_flyers(
    out: Target,
    link: FlyerLink,
    pages: list[tuple[str, ...]],
    two_up: bool = False,
) -> None:
    """One flyer page per entry of ``pages``; ``two_up``: A5, two per A4 sheet."""
    texts = {language: flyer_text(link, language) for page in pages for language in page}
    first = pages[0][0] if pages else SOURCE_LANGUAGE
    title = f"{texts[first].audience if pages else ''} · {link.school}"
    size = landscape(A4) if two_up else A4
    canvas = new_canvas(out, size, title, first)
    for page in pages:
        columns = [texts[language] for language in page]
        if two_up:
            scale = 1 / math.sqrt(2)
            for half in (0, 1):
                canvas.saveState()
                canvas.translate(half * size[0] / 2, 0)
                canvas.scale(scale, scale)
                draw_flyer_page(canvas, link, columns)
                canvas.restoreState()
            _cut_line(canvas, size)
        else:
            draw_flyer_page(canvas, link, columns)
        canvas.showPage()
    canvas.save()


def _cut_line(canvas: Canvas, size: tuple[float, float]) -> None:
    canvas.saveState()
    canvas.setStrokeColor(Color(0.6, 0.6, 0.6))
    canvas.setDash(4, 4)
    canvas.setLineWidth(0.5)
    canvas.line(size[0] / 2, 8 * mm, size[0] / 2, size[1] - 8 * mm)
    canvas.restoreState()


def draw_flyer_page(canvas: Canvas, link: FlyerLink, columns: list[FlyerText]) -> None:
    """An A4 flyer page (0, 0)–(A4) with one column per language, leading language first."""
    margin, gap = 14 * mm, 10 * mm
    if len(columns) == 2 and columns[0].rtl:
        columns = [columns[1], columns[0]]  # a right-to-left language leads from the right
    width = (A4_WIDTH - 2 * margin - gap * (len(columns) - 1)) / len(columns)
    narrow = len(columns) > 1
    # Measured first, so that the QR codes of both languages stand at the same height.
    spans = [_column(_Dry(), link, text, 0, width, narrow, True) for text in columns]
    middle = (
        min(span[0] for span in spans),
        max(span[1] for span in spans),
        max(span[2] for span in spans),
    )
    for index, text in enumerate(columns):
        left = margin + index * (width + gap)
        leading = len(columns) == 1 or text.language != SOURCE_LANGUAGE
        _column(canvas, link, text, left, width, narrow, leading, middle)
    if narrow:
        canvas.setStrokeColor(Color(0.75, 0.75, 0.75))
        canvas.setLineWidth(0.5)
        x = margin + width + gap / 2
        canvas.line(x, 20 * mm, x, A4_HEIGHT - 20 * mm)


def _column(
    canvas: Canvas,
    link: FlyerLink,
    text: FlyerText,
    left: float,
    width: float,
    narrow: bool,
    leading: bool,
    middle: tuple[float, float, float] | None = None,
) -> tuple[float, float, float]:
    """One language's flyer: what and why at the top, the promise and whom to ask at the
    bottom, the QR code as large as the space between allows (``middle``: that space, when
    several columns share it). Returns the space this column leaves in the middle."""
    rtl = text.rtl
    k = 1.0 if narrow else 1.3
    top, bottom = A4_HEIGHT - 14 * mm, 16 * mm
    # The band: the language (so that each reader finds their column), who is asked, the school.
    inner = width - 8 * mm
    band_lines = [
        (native_name(text.language), Style(size=9 * k, color=white)),
        (text.audience, Style(size=14 * k, bold=True, color=white)),
        (link.school, Style(size=12 * k, color=white)),
    ]
    band = sum(text_height(t, inner, st, rtl) for t, st in band_lines) + 7 * mm
    canvas.setFillColor(ACCENT if leading else GREYISH)
    canvas.roundRect(left, top - band, width, band, 3 * mm, stroke=0, fill=1)
    y = top - 3.5 * mm
    for line, style in band_lines:
        y -= draw_text(canvas, line, left + 4 * mm, y, inner, style, rtl)
    y = top - band - 6 * mm
    y -= draw_text(
        canvas,
        text.call,
        left,
        y,
        width,
        Style(size=(20 if narrow else 30), bold=True, color=ACCENT),
        rtl,
    )
    y -= 2 * mm
    y -= draw_text(
        canvas, text.purpose, left, y, width, Style(size=12 * k, space_after=3 * mm), rtl
    )
    time_style = Style(size=12.5 * k, bold=True, space_after=1 * mm)
    y -= draw_text(canvas, text.time, left, y, width, time_style, rtl)
    if text.until:
        y -= draw_text(canvas, text.until, left, y, width, time_style, rtl)
    # From the bottom up: whom to ask, then the promise of anonymity in a pale box.
    ask_style = Style(size=11.5 * k)
    low = bottom + text_height(text.ask, width, ask_style, rtl)
    draw_text(canvas, text.ask, left, low, width, ask_style, rtl)
    promise_style = Style(size=11.5 * k, space_after=1.5 * mm)
    box = sum(text_height(p, inner, promise_style, rtl) for p in text.promise) + 5 * mm
    low += 5 * mm
    canvas.setFillColor(PALE)
    canvas.roundRect(left, low, width, box, 2.5 * mm, stroke=0, fill=1)
    inner_y = low + box - 3 * mm
    for line in text.promise:
        inner_y -= draw_text(canvas, line, left + 4 * mm, inner_y, inner, promise_style, rtl)
    low += box + 6 * mm
    # Between them, centred: the QR code, the typed link and how to take part.
    url_style = fit_on_one_line(
        link.url, width, Style(size=(9.5 if narrow else 12), align="center"), False
    )
    # The short form (host/k/abcd-efgh-jkmn) is what people type: larger, in the accent colour;
    # on two lines (host, then /k/code) rather than in type too small to read.
    short_style = Style(size=(13 if narrow else 18), bold=True, align="center", color=ACCENT)
    short = short_lines(link.short, width, short_style, smallest=10 if narrow else 13)
    how_style = Style(size=11.5 * k, align="center")
    below_qr = (
        3 * mm
        + sum(text_height(line, width, style, False) for line, style in short)
        + (1.5 * mm if short else 0)
        + text_height(link.url, width, url_style, False)
        + 2 * mm
        + text_height(text.how, width, how_style, rtl)
    )
    if middle is None:
        return y, low, below_qr
    y, low, below_qr = middle
    space = y - low - 8 * mm
    qr = max(min(space - below_qr, width * 0.8, 80 * mm), 30 * mm)
    y -= max((space - qr - below_qr) / 2, 0) + 4 * mm
    draw_qr(canvas, link.url_in(text.language), left + (width - qr) / 2, y - qr, qr)
    y -= qr + 3 * mm
    # A URL reads left to right in every language.
    for line, style in short:
        y -= draw_text(canvas, line, left, y, width, style, False)
    y -= 1.5 * mm if short else 0
    y -= draw_text(canvas, link.url, left, y, width, url_style, False)
    y -= 2 * mm
    draw_text(canvas, text.how, left, y, width, how_style, rtl)
    return middle


def short_lines(short: str, width: float, style: Style, smallest: float) -> list[tuple[str, Style]]:
    """The short link as one line, or split before ``/k/`` where one line would need type
    smaller than ``smallest`` (a long host name)."""
    if not short:
        return []
    one = fit_on_one_line(short, width, style, False)
    if one.size >= smallest or "/k/" not in short:
        return [(short, one)]
    host, code = short.split("/k/", 1)
    parts = [host, "/k/" + code]
    size = min(fit_on_one_line(part, width, style, False).size for part in parts)
    return [(part, style.but(size=size)) for part in parts]


class _Dry:
    """A canvas that draws nothing: for measuring a column before drawing it."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


def flyer_file_name(school_key: str, school: str, audience: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in school.lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    return f"{school_key}-{slug}-{audience}.pdf"
