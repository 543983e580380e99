"""Flowables for forms on paper: answers with boxes to tick, grids, lines to write on.

Each one lays out in either direction: in right-to-left languages the box stands at the
right, before its label, and a grid's first answer is its rightmost column. The code
that is keyed in for an answer stands small beside its box.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from survey.pdf.text import Line, Style, draw_line, fit_on_one_line, layout, line_x

GREY = Color(0.42, 0.42, 0.42)
BOX = 3.8 * mm
CODE = Style(size=6, color=GREY)


#: The outer margin the variable names stand in (see questionnaire.CODE_MARGIN).
MARGIN = 24 * mm


def margin_code(text: str, margin: float = MARGIN) -> tuple[Line, Style]:
    """A variable name for the outer margin: 3 mm from the text and at least 3 mm from the
    paper's edge (smaller type for a long name, never cut off by the printer)."""
    style = fit_on_one_line(text, margin - 6 * mm, CODE, False, smallest=4)
    return layout(text, margin - 6 * mm, style, False)[0], style


def _tick_box(canvas, x: float, y: float, size: float = BOX) -> None:
    canvas.setStrokeColor(black)
    canvas.setLineWidth(0.8)
    canvas.rect(x, y, size, size, stroke=1, fill=0)


def _draw(
    canvas, line: Line, left: float, width: float, y: float, style: Style, rtl: bool, align="start"
):
    canvas.setFillColor(style.color)
    draw_line(canvas, line, line_x(line, left, width, align, rtl), y, style.size)


@dataclass(frozen=True)
class Option:
    code: int
    label: str
    #: "anderes, und zwar:" gets a line to write on
    write_in: bool = False
    #: a smiley scale's face beside the label: -1 saddest … 1 happiest (None: no face)
    mood: float | None = None


FACE = 4.6 * mm


def _face(canvas, x: float, y: float, mood: float, size: float = FACE) -> None:
    """A simple face, as on the tablet: the mouth curves with the mood."""
    r = size / 2
    cx, cy = x + r, y + r
    canvas.saveState()
    canvas.setStrokeColor(black)
    canvas.setFillColor(black)
    canvas.setLineWidth(0.6)
    canvas.circle(cx, cy, r, stroke=1, fill=0)
    for dx in (-0.35 * r, 0.35 * r):
        canvas.circle(cx + dx, cy + 0.25 * r, 0.09 * r, stroke=0, fill=1)
    bend = 0.45 * r * mood
    path = canvas.beginPath()
    path.moveTo(cx - 0.45 * r, cy - 0.3 * r)
    path.curveTo(
        cx - 0.2 * r,
        cy - 0.3 * r - bend,
        cx + 0.2 * r,
        cy - 0.3 * r - bend,
        cx + 0.45 * r,
        cy - 0.3 * r,
    )
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()


class Options(Flowable):
    """One answer per row: a box, its code, the label (mirrored for right-to-left)."""

    GAP = 2.2 * mm

    def __init__(self, options: list[Option], style: Style, rtl: bool) -> None:
        super().__init__()
        self.options, self.style, self.rtl = options, style, rtl
        #: room for the faces of a smiley scale between box and label
        self._face_room = FACE + 1.5 * mm if any(o.mood is not None for o in options) else 0.0
        self._rows: list[list[Line]] = []
        self._columns = 1
        self._width = 0.0

    def _label_width(self, width: float) -> float:
        return width - BOX - 7 * mm - self._face_room

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._width = availWidth
        # Short answers of a scale side by side in columns; long ones one per row.
        for columns in (len(self.options), 2, 1):
            if columns > 5 or columns < 1:
                continue
            if any(o.write_in for o in self.options) and columns > 1:
                continue
            width = self._label_width(availWidth / columns)
            rows = [layout(o.label, width, self.style, self.rtl) for o in self.options]
            if columns == 1 or all(len(r) <= (2 if columns > 2 else 1) for r in rows):
                self._columns, self._rows = columns, rows
                break
        return availWidth, self._height()

    def _row_height(self, lines: list[Line], option: Option) -> float:
        height = max(len(lines) * self.style.line_height, BOX + 1.5 * mm)
        return height + (7 * mm if option.write_in else 0) + 1.2 * mm

    def _height(self) -> float:
        if self._columns == 1:
            return sum(
                self._row_height(r, o) for r, o in zip(self._rows, self.options, strict=True)
            )
        heights = [self._row_height(r, o) for r, o in zip(self._rows, self.options, strict=True)]
        rows = [heights[i : i + self._columns] for i in range(0, len(heights), self._columns)]
        return sum(max(r) for r in rows)

    def draw(self) -> None:
        canvas, style, rtl = self.canv, self.style, self.rtl
        column_width = self._width / self._columns
        y = self._height()
        for start in range(0, len(self.options), self._columns):
            chunk = list(zip(self._rows, self.options, strict=True))[start : start + self._columns]
            row_height = max(self._row_height(r, o) for r, o in chunk)
            for index, (lines, option) in enumerate(chunk):
                column = self._columns - 1 - index if rtl else index
                left = column * column_width
                self._draw_option(canvas, option, lines, left, column_width, y, style, rtl)
            y -= row_height

    def _draw_option(self, canvas, option, lines, left, width, top, style, rtl) -> None:
        label_width = self._label_width(width)
        box_x = left + width - BOX if rtl else left
        box_y = top - BOX - 0.6 * mm
        _tick_box(canvas, box_x, box_y)
        code = layout(str(option.code), 6 * mm, CODE, False)[0]
        code_x = box_x - 0.8 * mm - code.width if rtl else box_x + BOX + 0.8 * mm
        _draw(canvas, code, code_x, code.width, box_y - 0.2 * mm, CODE, False)
        offset = BOX + 7 * mm + self._face_room
        label_left = left + width - offset - label_width if rtl else left + offset
        if option.mood is not None:
            face_x = left + width - BOX - 6 * mm - FACE if rtl else left + BOX + 6 * mm
            _face(canvas, face_x, box_y - 0.4 * mm, option.mood)
        y = top
        for line in lines:
            y -= style.line_height
            _draw(canvas, line, label_left, label_width, y + style.size * 0.3, style, rtl)
        if option.write_in:
            canvas.setStrokeColor(GREY)
            canvas.setLineWidth(0.5)
            y -= 6 * mm
            canvas.line(label_left, y, label_left + label_width, y)


class Grid(Flowable):
    """A matrix: one row per item, one column per answer, a box in each cell."""

    def __init__(
        self,
        items: list[tuple[str, str]],
        answers: list[Option],
        style: Style,
        rtl: bool,
    ) -> None:
        super().__init__()
        self.items, self.answers, self.style, self.rtl = items, answers, style, rtl
        self.head = style.but(size=max(style.size - 2, 6.5), color=GREY)

    def _geometry(self, width: float) -> tuple[float, float]:
        item_width = width * 0.42
        return item_width, (width - item_width) / len(self.answers)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._width = availWidth
        item_width, cell = self._geometry(availWidth)
        self._heads = [layout(a.label, cell - 1.5 * mm, self.head, self.rtl) for a in self.answers]
        self._rows = [
            layout(label, item_width - 2 * mm, self.style, self.rtl) for label, _ in self.items
        ]
        self._head_height = max(len(h) for h in self._heads) * self.head.line_height + 3.5 * mm
        self._row_heights = [
            max(len(r) * self.style.line_height, BOX + 2 * mm) + 1.5 * mm for r in self._rows
        ]
        return availWidth, self._head_height + sum(self._row_heights)

    def _cell_left(self, index: int, item_width: float, cell: float) -> float:
        if self.rtl:
            return self._width - item_width - (index + 1) * cell
        return item_width + index * cell

    def draw(self) -> None:
        canvas, rtl = self.canv, self.rtl
        item_width, cell = self._geometry(self._width)
        y = self._head_height + sum(self._row_heights)
        for index, (answer, lines) in enumerate(zip(self.answers, self._heads, strict=True)):
            left = self._cell_left(index, item_width, cell)
            line_y = y
            for line in lines:
                line_y -= self.head.line_height
                _draw(canvas, line, left, cell, line_y + 1.5, self.head, rtl, "center")
            code = layout(str(answer.code), cell, CODE, False)[0]
            _draw(canvas, code, left, cell, y - self._head_height + 1.2 * mm, CODE, False, "center")
        y -= self._head_height
        item_left = self._width - item_width if rtl else 0.0
        for row, (lines, height) in enumerate(zip(self._rows, self._row_heights, strict=True)):
            if row % 2 == 0:
                canvas.setFillColor(Color(0.94, 0.94, 0.94))
                canvas.rect(0, y - height, self._width, height, stroke=0, fill=1)
            line_y = y - 0.6 * mm
            for line in lines:
                line_y -= self.style.line_height
                _draw(
                    canvas,
                    line,
                    item_left + (0 if rtl else 1 * mm),
                    item_width - 2 * mm,
                    line_y + self.style.size * 0.3,
                    self.style,
                    rtl,
                )
            # The row's variable name in the margin, as for every other question.
            code, code_style = margin_code(self.items[row][1])
            code_x = self._width + 3 * mm if rtl else -3 * mm - code.width
            _draw(canvas, code, code_x, code.width, y - CODE.size - 2.5, code_style, False)
            for index in range(len(self.answers)):
                left = self._cell_left(index, item_width, cell)
                _tick_box(canvas, left + (cell - BOX) / 2, y - height / 2 - BOX / 2)
            y -= height


class WriteIn(Flowable):
    """Lines to write on (text), or a box with its unit (number)."""

    def __init__(
        self,
        lines: int = 1,
        unit: str = "",
        number: bool = False,
        rtl: bool = False,
        style: Style | None = None,
    ):
        super().__init__()
        self.lines, self.unit, self.number, self.rtl = lines, unit, number, rtl
        self.style = style or Style()

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._width = availWidth
        return availWidth, (9 * mm if self.number else self.lines * 8 * mm + 1 * mm)

    def draw(self) -> None:
        canvas = self.canv
        canvas.setStrokeColor(GREY)
        canvas.setLineWidth(0.6)
        if self.number:
            box_width = 24 * mm
            left = self._width - box_width if self.rtl else 0.0
            canvas.rect(left, 1.5 * mm, box_width, 7 * mm, stroke=1, fill=0)
            if self.unit:
                line = layout(self.unit, self._width - box_width - 3 * mm, self.style, self.rtl)[0]
                x = left - 2 * mm - line.width if self.rtl else left + box_width + 2 * mm
                canvas.setFillColor(black)
                draw_line(canvas, line, x, 3.5 * mm, self.style.size)
            return
        for index in range(self.lines):
            y = (self.lines - index - 1) * 8 * mm + 1 * mm
            canvas.line(0, y, self._width, y)


class MarginNote(Flowable):
    """The variable name, small in the outer margin beside what follows (for keying in)."""

    def __init__(self, text: str, rtl: bool, margin: float) -> None:
        super().__init__()
        self.text, self.rtl, self.margin = text, rtl, margin

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._width = availWidth
        return 0, 0

    def draw(self) -> None:
        line, style = margin_code(self.text, self.margin)
        x = self._width + 3 * mm if self.rtl else -3 * mm - line.width
        self.canv.setFillColor(GREY)
        draw_line(self.canv, line, x, -CODE.size - 2.5, style.size)
