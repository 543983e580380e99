"""The report as a PDF (A4, reportlab), drawn with the PDF toolkit ``survey.pdf``.

Every text goes through the toolkit's ``Paragraph``, which draws plain text and parses
no markup: a respondent's ``<b>``, ``&`` or ``<script>`` is printed as typed. It
shapes Arabic and Farsi and orders them right to left, picks a font that has the
letters, and breaks a word longer than the line. No reportlab markup is used anywhere. Charts are vector drawings (rectangles on
the canvas, no raster) from the model's geometry; nothing is computed here. Fonts are embedded (TrueType subsets),
pages are numbered "Seite x von y", every section is a bookmark, and the table of
contents is built in one pass (its page numbers are drawn when the canvas is saved).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from survey.documents import charts
from survey.documents.maps import MapSection
from survey.documents.model import (
    ChoiceBlock,
    CoverSection,
    FreeTextSection,
    KeyFindingsSection,
    MethodsSection,
    NumberBlock,
    Report,
    ScaleBlock,
    ScaleRow,
    Section,
    ThemeSection,
)
from survey.maps.drawing import drawing as map_drawing
from survey.maps.geometry import hatch_lines
from survey.pdf.fonts import fonts
from survey.pdf.text import Paragraph, Style, draw_text

PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 20 * mm
WIDTH = PAGE_W - 2 * MARGIN_X
GREY = HexColor("#4a4a4a")
RULE = HexColor("#542788")
HEAD_BG = HexColor("#eeece5")
LINE = HexColor("#d9d6cc")

BODY = Style(size=9.5)
SMALL = Style(size=8, color=GREY)
BOLD = Style(size=9.5, bold=True)
TITLE = Style(size=22, bold=True, leading=28)
LEAD = Style(size=11, color=GREY)
H2 = Style(size=15, bold=True, leading=20)
H3 = Style(size=11, bold=True, leading=15)
H4 = Style(size=9.5, bold=True)
FIG = Style(size=9, align="end")
FIG_BOLD = Style(size=9, bold=True, align="end")
#: the place column of a bar row, the rest is the bar
PLACE_W = 42 * mm
ROW_H = 4.6 * mm


def _rtl(text: str) -> bool:
    """The direction of a respondent's text: its first strong letter decides (as
    ``dir="auto"`` does in the browser)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def p(text: str, style: Style = BODY, rtl: bool = False) -> Paragraph:
    return Paragraph(text, style, rtl)


class Heading(Paragraph):
    """A section heading: goes into the table of contents and the PDF's bookmarks."""

    def __init__(self, text: str, style: Style, level: int, key: str) -> None:
        super().__init__(text, style.but(space_after=2 * mm), False)
        self.level, self.key = level, key
        self.keepWithNext = True


class Rule(Flowable):
    def __init__(self, color: Color = RULE, thickness: float = 1.6) -> None:
        super().__init__()
        self.color, self.thickness = color, thickness

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        return availWidth, self.thickness + 2

    def draw(self) -> None:
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, self.thickness, self.width, self.thickness)


class Contents(Flowable):
    """The table of contents, in one pass: the titles are drawn where it stands, each
    page number when the canvas is saved (the numbered canvas knows them by then)."""

    LINE = 6.2 * mm

    def __init__(self, entries: list[tuple[str, str]]) -> None:
        super().__init__()
        self.entries = entries

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.height = len(self.entries) * self.LINE
        return availWidth, self.height

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        self._at = (x, y)  # where on the page: the page numbers are drawn there later
        super().drawOn(canvas, x, y, _sW)

    def draw(self) -> None:
        canvas = self.canv
        x0, y0 = self._at
        for i, (anchor, title) in enumerate(self.entries):
            top = self.height - i * self.LINE
            draw_text(canvas, title, 0, top, self.width - 15 * mm, Style(size=10), False)
            canvas.setStrokeColor(LINE)
            canvas.setLineWidth(0.4)
            canvas.line(0, top - self.LINE + 1.2 * mm, self.width, top - self.LINE + 1.2 * mm)
            canvas.linkRect(
                "", anchor, (0, top - self.LINE + 1.2 * mm, self.width, top), relative=1
            )
            # absolute position of the page number, filled in by the canvas on save
            canvas.contents_slots.append(
                (canvas.getPageNumber(), anchor, x0 + self.width, y0 + top - 10 * 1.35 + 10 * 0.3)
            )


class Legend(Flowable):
    """Swatches with labels, wrapped over as many lines as they need."""

    SIZE = 7.5

    def __init__(self, items: list[tuple[str, charts.Tone]]) -> None:
        super().__init__()
        self.items = items
        self._placed: list[tuple[float, float, str, charts.Tone]] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        from reportlab.pdfbase.pdfmetrics import stringWidth

        face = fonts().latin.name
        x, line = 0.0, 0
        self._placed = []
        for label, tone in self.items:
            w = 4 * mm + stringWidth(label, face, self.SIZE) + 4 * mm
            if x and x + w > availWidth:
                x, line = 0.0, line + 1
            self._placed.append((x, line, label, tone))
            x += w
        self.lines = line + 1
        self.width = availWidth
        self.height = self.lines * 4.2 * mm
        return availWidth, self.height

    def draw(self) -> None:
        canvas = self.canv
        for x, line, label, tone in self._placed:
            y = self.height - (line + 1) * 4.2 * mm + 1.2 * mm
            canvas.setFillColor(HexColor(tone.fill))
            canvas.setStrokeColor(HexColor("#6b6b6b") if tone.outline else HexColor(tone.fill))
            canvas.rect(x, y, 2.8 * mm, 2.8 * mm, stroke=1, fill=1)
            if tone.hatched:
                _hatch(canvas, x, y, 2.8 * mm, 2.8 * mm)
            draw_text(
                canvas, label, x + 3.8 * mm, y + 3.6 * mm, 200 * mm, Style(size=self.SIZE), False
            )


def _hatch(canvas, x: float, y: float, w: float, h: float) -> None:
    """Diagonal lines inside a rectangle (answers hidden one by one, shown together), cut to
    it by computation as the maps' hatch is, so every viewer and printer draws the same."""
    canvas.saveState()
    canvas.setStrokeColor(HexColor(charts.HATCH_COLOUR))
    canvas.setLineWidth(0.6)
    corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    for (x1, y1), (x2, y2) in hatch_lines([corners], charts.HATCH_SPACING):
        canvas.line(x1, y1, x2, y2)
    canvas.restoreState()


class Bar(Flowable):
    """A diverging bar of one row, drawn from the model's geometry (vector rectangles, the
    figures inside in the embedded font)."""

    HEIGHT = ROW_H - 1 * mm

    def __init__(self, row: ScaleRow, geo: charts.Geometry) -> None:
        super().__init__()
        self.row, self.geo = row, geo
        self.width, self.height = geo.width, self.HEIGHT

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        canvas, geo, h = self.canv, self.geo, self.height
        face = fonts().latin.name
        canvas.setLineWidth(0.5)
        for s in self.row.segments:
            if s.x1 > s.x0:
                canvas.setFillColor(HexColor(s.tone.fill))
                canvas.setStrokeColor(HexColor("#6b6b6b") if s.tone.outline else white)
                canvas.rect(geo.x(s.x0), 0, geo.span(s.x0, s.x1), h, stroke=1, fill=1)
                if s.tone.hatched:
                    _hatch(canvas, geo.x(s.x0), 0, geo.span(s.x0, s.x1), h)
                    canvas.setLineWidth(0.5)
        canvas.setStrokeColor(HexColor("#1c1c1c"))
        canvas.setLineWidth(0.8)
        if any(s.labelled and s.tone.outline for s in self.row.segments):
            # a middle point's figure stands on zero: the line marks zero above and below
            # the bar, reaching into it only as far as stays clear of the figure
            canvas.line(geo.zero, -0.6 * mm, geo.zero, 0.8)
            canvas.line(geo.zero, h - 0.8, geo.zero, h + 0.6 * mm)
        else:
            canvas.line(geo.zero, -0.6 * mm, geo.zero, h + 0.6 * mm)
        canvas.setFont(face, 7)
        for s in self.row.segments:
            if s.labelled:
                canvas.setFillColor(HexColor(s.tone.text))
                canvas.drawCentredString(
                    geo.x(s.x0) + geo.span(s.x0, s.x1) / 2, h / 2 - 2.4, s.short
                )
        k = self.row.dont_know
        if k is not None:
            start = geo.dont_know_x(0)
            canvas.setFillColor(HexColor(k.tone.fill))
            canvas.rect(start, 0, geo.span(k.x0, k.x1), h, stroke=0, fill=1)
            if k.labelled:
                canvas.setFillColor(HexColor(k.tone.text))
                canvas.drawCentredString(start + geo.span(k.x0, k.x1) / 2, h / 2 - 2.4, k.short)


class ChoiceBars(Flowable):
    """One answer's bars: the unit, its district and the campaign, one above the other."""

    LANE = 2.4 * mm

    def __init__(self, widths: list[float], tones: tuple[charts.Tone, ...], width: float) -> None:
        super().__init__()
        self.widths, self.tones = widths, tones
        self.width, self.height = width, len(widths) * self.LANE

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        for i, share in enumerate(self.widths):
            y = (len(self.widths) - 1 - i) * self.LANE
            self.canv.setFillColor(HexColor(self.tones[i].fill))
            self.canv.rect(0, y + 0.2 * mm, self.width * share / 100, 2 * mm, stroke=0, fill=1)


def _font() -> list[tuple]:
    """Every table names our font: reportlab sets a cell's font even where a flowable
    draws the text, and its default (Helvetica) would be a font not embedded."""
    return [("FONTNAME", (0, 0), (-1, -1), fonts().latin.name)]


def _table(rows, widths, header: bool = True, zebra: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        *_font(),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_BG))
    table.setStyle(TableStyle(style))
    return table


def _fig(shown, bold: bool = False) -> Paragraph:
    style = FIG_BOLD if bold else FIG
    if getattr(shown, "hidden", False) and shown.text:
        style = style.but(color=GREY)
    return p(shown.text, style)


# --- sections ------------------------------------------------------------------------------------


def cover(section: CoverSection, report: Report, geo) -> list[Flowable]:
    story: list[Flowable] = []
    if section.preview:
        story += [_banner(_("Vorschau: Die Befragung läuft noch.")), Spacer(0, 3 * mm)]
    if section.analyst:
        story += [_banner(_("Fassung für die Auswertung")), Spacer(0, 3 * mm)]
    story += [
        Spacer(0, 10 * mm),
        p(section.campaign_title, LEAD.but(space_after=3 * mm)),
        p(section.unit_name, TITLE.but(space_after=4 * mm)),
        Rule(),
        Spacer(0, 4 * mm),
    ]
    level = section.level_label + (
        f" ({_('Sozialraum')} {section.parent_name})" if section.parent_name else ""
    )
    facts = [
        (_("Ebene"), level),
        (_("Befragungszeitraum"), section.period),
        (_("Stand"), section.made_on),
    ]
    story.append(
        _table([[p(a, BOLD), p(b)] for a, b in facts], [45 * mm, WIDTH - 45 * mm], header=False)
    )
    story += [Spacer(0, 8 * mm), p(_("Wer geantwortet hat"), H3.but(space_after=2 * mm))]
    rows = [[p(_("Zielgruppe"), BOLD), p(_("Antworten"), FIG_BOLD), p(_("erwartet"), FIG_BOLD),
             p(_("Rücklauf"), FIG_BOLD)]]  # fmt: skip
    for line in section.audiences:
        rows.append([p(line.label), _fig(line.respondents), _fig(line.expected), _fig(line.rate)])
    story.append(_table(rows, [70 * mm, 30 * mm, 30 * mm, 30 * mm]))
    story.append(Spacer(0, 5 * mm))
    story += [p(note, SMALL.but(space_after=2 * mm)) for note in section.notes]
    toc = Contents(report.contents())
    # the contents on the cover where they fit, else on a page of their own
    story += [
        CondPageBreak(len(report.contents()) * Contents.LINE + 25 * mm),
        Spacer(0, 6 * mm),
        Heading(_("Inhalt"), H2, -1, "inhalt"),
        Rule(),
        Spacer(0, 3 * mm),
        toc,
        PageBreak(),
    ]
    return story


def _banner(text: str) -> Table:
    table = Table([[p(text, BOLD.but(color=HexColor("#4d3800")))]], colWidths=[WIDTH])
    table.setStyle(
        TableStyle([
            *_font(),
            ("BACKGROUND", (0, 0), (-1, -1), HexColor("#fff3cd")),
            ("BOX", (0, 0), (-1, -1), 1.2, HexColor("#8a6d00")),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ])
    )  # fmt: skip
    return table


def _section_head(section, level: int = 0) -> list[Flowable]:
    return [CondPageBreak(40 * mm), Heading(section.title, H2, level, section.anchor), Rule(),
            Spacer(0, 2 * mm)]  # fmt: skip


def findings(section: KeyFindingsSection, report: Report, geo) -> list[Flowable]:
    story = _section_head(section)
    story.append(p(section.intro, LEAD.but(size=9.5, space_after=3 * mm)))
    fig_w = 20 * mm
    label_w = WIDTH - 8 * mm - fig_w * (len(section.columns) + 1)
    widths = [8 * mm, label_w] + [fig_w] * (len(section.columns) + 1)
    for heading, rows in ((_("Bedarfe"), section.needs), (_("Stärken"), section.strengths)):
        story.append(p(heading, H3.but(space_after=1.5 * mm)))
        if not rows:
            story.append(p(_("Keine Kennzahl, die gezeigt werden darf."), SMALL))
            continue
        table = [[p("#", BOLD), p(_("Kennzahl"), BOLD)] + [p(c, FIG_BOLD) for c in section.columns]
                 + [p("n", FIG_BOLD)]]  # fmt: skip
        for f in rows:
            cells = [p(str(f.rank)), [p(f.label), p(f"{f.audience} · {f.theme}", SMALL)],
                     _fig(f.share, bold=True)]  # fmt: skip
            if f.district is not None:
                cells.append(_fig(f.district))
            if f.campaign is not None:
                cells.append(_fig(f.campaign))
            cells.append(_fig(f.n))
            table.append(cells)
        story += [_table(table, widths), Spacer(0, 3 * mm)]
    story += [p(note, SMALL) for note in section.notes]
    return story


def _scale(block: ScaleBlock, geo: charts.Geometry) -> list[Flowable]:
    items = list(block.legend)
    if block.has_dont_know:
        items.append((_("weiß nicht (getrennt)"), charts.dont_know_tone()))
    rows: list[list] = []
    spans = []
    for i, row in enumerate(block.rows):
        if row.item and (i == 0 or row.item != block.rows[i - 1].item):
            spans.append(("SPAN", (0, len(rows)), (1, len(rows))))
            spans.append(("TOPPADDING", (0, len(rows)), (1, len(rows)), 3))
            rows.append([p(row.item, Style(size=8.5, bold=True)), ""])
        place = p(f"{row.place} · n = {row.n.text}", Style(size=8))
        rows.append([place, Bar(row, geo) if row.segments else p(row.note, SMALL)])
    table = Table(rows, colWidths=[PLACE_W, WIDTH - PLACE_W], hAlign="LEFT")
    table.setStyle(
        TableStyle([
            *_font(),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0.8),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0.8),
            *spans,
        ])
    )  # fmt: skip
    return [Legend(items), table]


def _choice(block: ChoiceBlock, geo) -> list[Flowable]:
    n_places = len(block.places)
    fig_w = 24 * mm
    bar_w = 38 * mm
    label_w = WIDTH - fig_w * n_places - bar_w
    header = (
        [p(_("Antwort"), BOLD)]
        + [
            [p(place, FIG_BOLD), p(f"n = {n.text}", SMALL.but(align="end"))]
            for place, n in zip(block.places, block.n, strict=True)
        ]
        + [p("", SMALL)]
    )
    rows = [header]
    for row in block.rows:
        cells = [p(row.label)]
        for cell in row.cells:
            if cell.percent.hidden:
                cells.append(_fig(cell.percent))
            else:
                cells.append(p(f"{cell.percent.text} ({cell.n.text})", FIG))
        cells.append(ChoiceBars([c.width for c in row.cells], block.tones, bar_w - 8))
        rows.append(cells)
    legend = Legend([(place, tone) for place, tone in zip(block.places, block.tones, strict=True)])
    return [legend, _table(rows, [label_w] + [fig_w] * n_places + [bar_w])]


def _number(block: NumberBlock, geo) -> list[Flowable]:
    rows = [
        [p("", BOLD), p("n", FIG_BOLD), p(_("Median"), FIG_BOLD), p(_("mittlere Hälfte"), FIG_BOLD)]
    ]
    for row in block.rows:
        median = row.median.text + (
            f" {block.unit}" if block.unit and not row.median.hidden else ""
        )
        middle = f"{row.q1.text} – {row.q3.text}" if not row.q1.hidden else row.q1.text
        rows.append([p(row.place), _fig(row.n), p(median, FIG), p(middle, FIG)])
    return [_table(rows, [WIDTH - 90 * mm, 20 * mm, 35 * mm, 35 * mm])]


def block_parts(block, geo) -> list[Flowable]:
    """A question: its label and its chart or table (kept together by the caller)."""
    title = p(block.label, H4.but(space_after=1 * mm))
    if isinstance(block, ScaleBlock):
        body = _scale(block, geo)
    elif isinstance(block, ChoiceBlock):
        body = _choice(block, geo)
    else:
        body = _number(block, geo)
    return [title, *body]


def block_flowables(block, geo, before: list[Flowable] | None = None) -> list[Flowable]:
    # one KeepTogether, never nested: reportlab's KeepTogether always asks to be split,
    # so one inside another pushes the outer one to a new page every time
    return [KeepTogether([*(before or []), *block_parts(block, geo)]), Spacer(0, 3 * mm)]


def theme(section: ThemeSection, report: Report, geo) -> list[Flowable]:
    story = _section_head(section)
    if section.description:
        story.append(p(section.description, LEAD.but(size=9.5, space_after=3 * mm)))
    if section.perspectives:
        story.append(p(_("Die Perspektiven im Vergleich"), H3.but(space_after=1.5 * mm)))
        n = len(section.perspective_audiences)
        fig_w = min(28 * mm, (WIDTH - 60 * mm) / max(n, 1))
        rows = [[p(_("Kennzahl"), BOLD)] + [p(a, FIG_BOLD) for a in section.perspective_audiences]]
        for row in section.perspectives:
            cells = [[p(row.label), p(row.kind, SMALL)]]
            for share, count in row.cells:
                if not share.text:
                    cells.append(p(""))
                elif share.hidden:
                    cells.append(_fig(share))
                else:
                    cells.append(
                        [p(share.text, FIG), p(f"n = {count.text}", SMALL.but(align="end"))]
                    )
            rows.append(cells)
        story += [_table(rows, [WIDTH - fig_w * n] + [fig_w] * n), Spacer(0, 3 * mm)]
    for group in section.groups:
        heading = p(_("Was %(audience)s sagen", audience=group.label), H3.but(space_after=1.5 * mm))
        story += block_flowables(group.blocks[0], geo, [heading])
        for block in group.blocks[1:]:
            story += block_flowables(block, geo)
    return story


def free_text(section: FreeTextSection, report: Report, geo) -> list[Flowable]:
    story = _section_head(section)
    story.append(p(section.intro, SMALL.but(space_after=3 * mm)))
    if not section.questions:
        story.append(p(_("Keine Freitextantworten, die gezeigt werden dürfen."), SMALL))
    for q in section.questions:
        story.append(p(f"{q.label} ({q.audience})", H4.but(space_after=1.5 * mm)))
        for answer in q.answers:
            rtl = _rtl(answer.text)
            story.append(p(("• " if not rtl else "") + answer.text + (" •" if rtl else ""),
                           BODY.but(space_after=1.5 * mm), rtl))  # fmt: skip
        story.append(Spacer(0, 2 * mm))
    return story


def methods(section: MethodsSection, report: Report, geo) -> list[Flowable]:
    story = _section_head(section)
    for i, (heading, paragraphs) in enumerate(section.parts):
        story.append(p(heading, H3.but(space_after=1.5 * mm)))
        story += [p(text, BODY.but(space_after=2 * mm)) for text in paragraphs]
        if i == len(section.parts) - 1 and section.example is not None:
            story += block_flowables(section.example, geo)
    story.append(p(_("Fragebögen"), H3.but(space_after=1.5 * mm)))
    rows = [[p(_("Zielgruppe"), BOLD), p(_("Fragebogen"), BOLD), p(_("Fassung"), BOLD)]]
    rows += [[p(a), p(t), p(v, SMALL)] for a, t, v in section.questionnaires]
    story.append(_table(rows, [45 * mm, WIDTH - 75 * mm, 30 * mm]))
    return story


def maps(section: MapSection, report: Report, geo) -> list[Flowable]:
    """Two maps side by side, each with its title above and its legend below."""
    story = _section_head(section)
    story.append(p(section.intro, LEAD.but(size=9.5, space_after=3 * mm)))
    gap = 6 * mm
    half = (WIDTH - gap) / 2
    cells = [
        [p(entry.title, H4.but(space_after=1.5 * mm)), map_drawing(entry.chart, half)]
        for entry in section.maps
    ]
    for i in range(0, len(cells), 2):
        pair = cells[i : i + 2]
        if len(pair) == 1:
            pair.append([])
        table = Table([pair], colWidths=[half + gap, half])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    # a table sets its font even with no text in it: never Helvetica
                    ("FONTNAME", (0, 0), (-1, -1), fonts().latin.name),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (0, -1), gap),  # a long title stays in its column
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        story += [table, Spacer(0, 5 * mm)]
    return story


#: how each kind of section is drawn (a new kind of section adds its function here)
SECTION_DRAWERS: dict[str, Callable[[Section, Report, charts.Geometry], list[Flowable]]] = {
    "cover": cover,  # type: ignore[dict-item]
    "findings": findings,  # type: ignore[dict-item]
    "theme": theme,  # type: ignore[dict-item]
    "maps": maps,  # type: ignore[dict-item]
    "freetext": free_text,  # type: ignore[dict-item]
    "methods": methods,  # type: ignore[dict-item]
}


# --- the document --------------------------------------------------------------------------------


class _Doc(BaseDocTemplate):
    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab's hook)
        if isinstance(flowable, Heading):
            key = flowable.key
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.text, key, level=max(0, flowable.level), closed=True)
            self.canv.heading_pages[key] = self.page


def _numbered_canvas(footer_text: str):
    """A canvas that knows the page count when it writes each page's footer."""
    from reportlab.pdfgen.canvas import Canvas

    class Numbered(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            kwargs.setdefault("invariant", 1)
            kwargs.setdefault("pageCompression", 1)
            kwargs["initialFontName"] = fonts().latin.name
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []
            #: (page, anchor, x, y) of each page number of the table of contents
            self.contents_slots: list[tuple[int, str, float, float]] = []
            #: anchor -> the page its heading stands on
            self.heading_pages: dict[str, int] = {}

        def showPage(self) -> None:  # noqa: N802 (reportlab's API)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                self._contents_numbers()
                Canvas.showPage(self)
            Canvas.save(self)

        def _contents_numbers(self) -> None:
            page = self.getPageNumber()
            for on_page, anchor, x, y in self.contents_slots:
                if on_page == page and anchor in self.heading_pages:
                    self.setFont(fonts().latin.name, 10)
                    self.setFillColor(HexColor("#1c1c1c"))
                    self.drawRightString(x, y, str(self.heading_pages[anchor]))

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setStrokeColor(LINE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, 14 * mm, PAGE_W - MARGIN_X, 14 * mm)
            draw_text(
                self,
                footer_text,
                MARGIN_X,
                13 * mm,
                WIDTH * 0.75,
                Style(size=7.5, color=GREY),
                False,
            )
            draw_text(
                self,
                _("Seite %(page)s von %(total)s", page=self.getPageNumber(), total=total),
                MARGIN_X + WIDTH * 0.75,
                13 * mm,
                WIDTH * 0.25,
                Style(size=7.5, color=GREY, align="end"),
                False,
            )
            self.restoreState()

    return Numbered


def render(report: Report) -> bytes:
    """The PDF of ``report``."""
    with force_locale("de"):
        return _render(report)


def _render(report: Report) -> bytes:
    out = io.BytesIO()
    doc = _Doc(
        out,
        pagesize=A4,
        title=report.title,
        author="Mitwirken",
        creator="Mitwirken",
        subject=report.campaign,
        lang="de",
        invariant=1,
        # Otherwise every page names Helvetica, a font that is never embedded.
        initialFontName=fonts().latin.name,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
    )
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, WIDTH, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    doc.addPageTemplates([PageTemplate("page", [frame])])
    geo = charts.Geometry(report.axis, WIDTH - PLACE_W)
    story: list[Flowable] = []
    for section in report.sections:
        story += SECTION_DRAWERS[section.kind](section, report, geo)
    footer = report.title + (" · " + _("Vorschau") if report.preview else "")
    doc.build(story, canvasmaker=_numbered_canvas(footer))
    return out.getvalue()
