"""The letter to parents before their children answer, and message texts for the school's
messenger app or e-mail (to parents, to the school's staff, to partners in the
neighbourhood): each in German and every family language, each with the link.

The letter tells parents what the children are asked, that it is anonymous and voluntary,
that a child may stop at any time and whom to ask, and invites the parents to their own
questionnaire (the families link, typed and as a QR code). The messages invite with the
audience's own link, as plain text to paste; Arabic and Farsi need no care there beyond
the link on a line of its own (the messenger app lays the text out right to left).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from survey.i18n.locale import direction, native_name
from survey.paper.flyers import ACCENT, FlyerLink, takes
from survey.pdf.document import Target, new_canvas
from survey.pdf.qr import draw_qr
from survey.pdf.text import Style, draw_text, fit_on_one_line, has_rtl, ltr_island


@dataclass(frozen=True)
class LetterText:
    language: str
    rtl: bool
    heading: str
    paragraphs: tuple[str, ...]
    invitation: str
    closing: tuple[str, ...]


def _contact(link: FlyerLink, rtl: bool) -> str:
    if link.contact:
        latin = rtl and not has_rtl(link.contact)
        return _("Fragen? %(contact)s", contact=ltr_island(link.contact) if latin else link.contact)
    return _("Fragen? Das Sekretariat der Schule hilft gern weiter.")


def letter_text(
    children_minutes: tuple[int, int], families: FlyerLink, language: str
) -> LetterText:
    with force_locale(language):
        rtl = direction(language) == "rtl"
        return LetterText(
            language,
            rtl,
            _("Information für Eltern: Befragung der Kinder"),
            (
                _("Liebe Eltern,"),
                _(
                    "in den nächsten Wochen beantworten die Kinder an unserer Schule einen kurzen "
                    "Fragebogen, in der Schule, auf einem Tablet."
                )
                + " "
                + takes(children_minutes),
                _(
                    "Wir fragen zum Beispiel, ob sich die Kinder in der Schule wohlfühlen, ob sie "
                    "Freundinnen und Freunde haben und was sie sich in ihrem Stadtteil wünschen."
                ),
                _(
                    "Die Befragung ist anonym: Die Kinder schreiben ihren Namen nicht auf. Niemand "
                    "an der Schule sieht, was Ihr Kind antwortet. Ergebnisse gibt es nur für "
                    "größere Gruppen."
                ),
                _(
                    "Die Teilnahme ist freiwillig. Ihr Kind kann jede Frage auslassen und "
                    "jederzeit aufhören."
                ),
                _(
                    "Wenn Ihr Kind nicht mitmachen soll, sagen Sie es bitte der Klassenlehrerin "
                    "oder dem Klassenlehrer."
                ),
                _contact(families, rtl),
            ),
            _("Auch Sie als Eltern können mitmachen, mit einem eigenen Fragebogen:"),
            (_("Mit freundlichen Grüßen"), _("Die Schulleitung")),
        )


#: The audiences reached by a message (children answer in class: their parents get the letter).
MESSAGE_AUDIENCES = ("families", "staff", "partners")


def message_text(link: FlyerLink, language: str) -> str:
    """A message for the school's messenger app or e-mail, with the link in the language:
    to parents (families), to the school's staff, or to partners in the neighbourhood."""
    with force_locale(language):
        invitation = {
            "families": _(
                "Liebe Eltern, unsere Schule und die Stadt möchten wissen, wie Familien die "
                "Schule und den Stadtteil erleben. Bitte machen Sie mit! Die Befragung ist "
                "anonym und freiwillig."
            ),
            "staff": _(
                "Liebe Kolleginnen und Kollegen, die Stadt möchte wissen, was unsere Schule und "
                "der Stadtteil brauchen, und fragt dazu alle, die an der Schule arbeiten. Bitte "
                "machen Sie mit! Die Befragung ist anonym und freiwillig."
            ),
            "partners": _(
                "Liebe Partnerinnen und Partner im Stadtteil, die Stadt möchte wissen, wie Sie "
                "die Zusammenarbeit mit unserer Schule erleben und was Familien hier brauchen. "
                "Bitte machen Sie mit! Die Befragung ist anonym und freiwillig."
            ),
        }[link.audience]
        # The link on a line of its own: a paragraph of its own, so that in Arabic and Farsi
        # the bidi algorithm of the reader's app cannot move the colon or "?lang=" around it,
        # and messenger apps recognise it as a whole.
        where = _("Hier geht es zum Fragebogen: %(link)s", link="\n" + link.url_in(language))
        lines = [line.rstrip() for line in where.split("\n")]
        return "\n\n".join([invitation + " " + takes(link.minutes), "\n".join(lines)])


def messages_file(link: FlyerLink, languages: list[str]) -> str:
    """Every language's message, each under its language's name, ready to copy."""
    blocks = []
    for language in languages:
        blocks.append(
            f"=== {native_name(language)} ({language}) ===\n\n{message_text(link, language)}\n"
        )
    return "\n".join(blocks)


def write_letters(
    out: Target,
    school: str,
    children_minutes: tuple[int, int],
    families: FlyerLink,
    languages: list[str],
) -> None:
    """One A4 page per language."""
    canvas = new_canvas(out, A4, f"{school}: Information für Eltern", languages[0])
    width, height = A4
    left, text_width = 22 * mm, width - 44 * mm
    for language in languages:
        text = letter_text(children_minutes, families, language)
        rtl = text.rtl
        y = height - 20 * mm
        y -= draw_text(canvas, school, left, y, text_width, Style(size=10, color=ACCENT), rtl)
        y -= draw_text(canvas, native_name(language), left, y, text_width, Style(size=8), rtl)
        y -= 6 * mm
        y -= draw_text(
            canvas,
            text.heading,
            left,
            y,
            text_width,
            Style(size=15, bold=True, space_after=5 * mm),
            rtl,
        )
        body = Style(size=11, space_after=3.5 * mm)
        for paragraph in text.paragraphs:
            y -= draw_text(canvas, paragraph, left, y, text_width, body, rtl)
        y -= 3 * mm
        y -= draw_text(canvas, text.invitation, left, y, text_width, body.but(bold=True), rtl)
        qr = 32 * mm
        qr_x = left + text_width - qr if rtl else left
        draw_qr(canvas, families.url_in(language), qr_x, y - qr, qr)
        url_left = left if rtl else left + qr + 5 * mm
        url_width = text_width - qr - 5 * mm
        url_style = fit_on_one_line(
            families.url,
            url_width,
            Style(size=12, bold=True, align="end" if rtl else "start"),
            False,
        )
        url_y = y - qr / 2 + (6 * mm if families.short else 3 * mm)
        draw_text(canvas, families.url, url_left, url_y, url_width, url_style, False)
        if families.short:  # the short form to type, as on the flyers
            short_style = fit_on_one_line(
                families.short, url_width, url_style.but(color=ACCENT, size=13), False
            )
            draw_text(
                canvas, families.short, url_left, url_y - 8 * mm, url_width, short_style, False
            )
        y -= qr + 8 * mm
        for line in text.closing:
            y -= draw_text(
                canvas, line, left, y, text_width, Style(size=11, space_after=1 * mm), rtl
            )
        canvas.showPage()
    canvas.save()
