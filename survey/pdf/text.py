"""Text in any of our languages, laid out by hand: shaped, wrapped, ordered, drawn.

reportlab from PyPI neither joins Arabic letters nor orders right-to-left text. So a
paragraph is shaped first (arabic-reshaper: the contextual letter forms), wrapped in
*logical* order (the order it is read in, so that the first words stay on the first
line), and only then each line is put into visual order with the Unicode bidi
algorithm (``bidi.algorithm.get_display`` with the paragraph's base direction: the
package-level ``bidi.get_display`` mirrors brackets wrongly in our use). A German
school name, a URL or a phone number inside Arabic text then keeps its own
left-to-right order in the right place. Every run of a line is drawn with the first
face of the font set that has its letters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.lib.colors import Color, black
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from survey.pdf.fonts import Face, FontSet, fonts

#: Letters of right-to-left scripts (Hebrew, Arabic with its supplements and presentation forms).
_RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
Align = Literal["start", "end", "center"]
#: A space between digits (a phone number "0201 123456") or after a short prefix never breaks.
_KEEP_TOGETHER = re.compile(r"(?<=\d) (?=\d)")
NBSP = "\u00a0"
#: Left-to-right embedding: wraps a German name or a phone number inserted into Arabic text,
#: so that its own commas stay inside it (``ltr_island``). python-bidi's algorithm module
#: knows embeddings, not isolates.
LRE, PDF = "\u202a", "\u202c"
_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: what stands for a character that no installed face can draw (an emoji without
#: fonts-symbola, a rare script): visible and searchable, unlike a font's empty box
MISSING = "\ufffd"


@dataclass(frozen=True)
class Style:
    size: float = 10
    #: Distance between baselines; default 1.35 times the size (Arabic needs the room).
    leading: float | None = None
    bold: bool = False
    color: Color = black
    #: start: left in left-to-right text, right in right-to-left text.
    align: Align = "start"
    #: Space below the paragraph.
    space_after: float = 0

    @property
    def line_height(self) -> float:
        return self.leading if self.leading is not None else self.size * 1.35

    def but(self, **changes) -> Style:
        return replace(self, **changes)


@dataclass(frozen=True)
class Run:
    text: str
    face: Face
    width: float


@dataclass(frozen=True)
class Line:
    """One line in visual order (left to right, as drawn)."""

    runs: tuple[Run, ...]
    width: float
    #: the line's text in logical order, shaped (kept for tests and text search)
    logical: str = field(default="", compare=False)


def has_rtl(text: str) -> bool:
    return _RTL_CHARS.search(text) is not None


def ltr_island(text: str) -> str:
    """``text`` kept in left-to-right order as a whole when it stands in right-to-left text."""
    return f"{LRE}{text}{PDF}"


def shape(text: str) -> str:
    """Arabic and Farsi letters in their joined forms; other text unchanged."""
    return arabic_reshaper.reshape(text) if has_rtl(text) else text


@lru_cache(maxsize=65536)
def _face_for(char: str, chain: tuple[Face, ...]) -> Face | None:
    return next((f for f in chain if f.has(char)), None)


_SKIN_TONE = re.compile("[\U0001f3fb-\U0001f3ff]")


@lru_cache(maxsize=65536)
def _drawable(char: str, chain: tuple[Face, ...]) -> str:
    """``char`` if a face of ``chain`` has it; else nothing for an invisible format
    character (a joiner or variation selector of an emoji) and for a skin tone, the
    placeholder otherwise."""
    if "\U0001f3fb" <= char <= "\U0001f3ff":
        # a skin tone: a colour font tints the emoji before it; a black-and-white face
        # (Symbola) would draw it as a swatch of its own, which reads as a broken box
        return ""
    if _face_for(char, chain) is not None:
        return char
    if unicodedata.category(char) in ("Cf", "Mn") or "\ufe00" <= char <= "\ufe0f":
        return ""
    return MISSING


def runs_of(text: str, chain: tuple[Face, ...], size: float) -> tuple[Run, ...]:
    """Split ``text`` into runs that one face each can draw (the first in ``chain`` that can);
    a character none can draw becomes ``MISSING``."""
    if chain[0].chars.issuperset(map(ord, text)) and not _SKIN_TONE.search(text):
        # the usual case (a German sentence in the Latin face): one run, without a cache
        # lookup per character (hashing the chain for each was a tenth of a school report)
        return (_run(text, chain[0], size),) if text else ()
    runs: list[Run] = []
    current: list[str] = []
    current_face: Face | None = None
    for char in "".join(_drawable(c, chain) for c in text):
        face = _face_for(char, chain) or chain[0]
        if char == " " and current_face is not None:
            face = current_face  # a space never starts a new run
        if face is not current_face and current:
            runs.append(_run("".join(current), current_face, size))  # type: ignore[arg-type]
            current = []
        current_face = face
        current.append(char)
    if current:
        runs.append(_run("".join(current), current_face, size))  # type: ignore[arg-type]
    return tuple(runs)


def _run(text: str, face: Face, size: float) -> Run:
    return Run(text, face, stringWidth(text, face.name, size))


def layout(
    text: str, width: float, style: Style, rtl: bool, font_set: FontSet | None = None
) -> list[Line]:
    """Wrap ``text`` into lines no wider than ``width``; a newline starts a new paragraph."""
    return list(_layout(text, width, style.size, style.bold, rtl, font_set or fonts()))


# Flyers for a hundred schools repeat the same sentences: lines are immutable, so they are
# laid out once and shared.
@lru_cache(maxsize=8192)
def _layout(
    text: str, width: float, size: float, bold: bool, rtl: bool, font_set: FontSet
) -> tuple[Line, ...]:
    chain = font_set.chain(rtl, bold)
    measure = _Measure(chain, size)
    lines: list[Line] = []
    for paragraph in text.split("\n"):
        words = [w for w in _KEEP_TOGETHER.sub(NBSP, shape(paragraph)).split(" ") if w]
        if not words:
            lines.append(Line((), 0.0, ""))
            continue
        current: list[str] = []
        current_width = 0.0
        for word in words:
            for piece in measure.pieces(word, width):
                piece_width = measure(piece)
                extra = piece_width + (measure.space if current else 0.0)
                if current and current_width + extra > width:
                    line = " ".join(current)
                    lines.append(_visual(line, rtl, chain, size))
                    if line.count(LRE) > line.count(PDF):
                        piece = LRE + piece  # the embedding goes on on the next line
                    current, current_width = [piece], piece_width
                else:
                    current.append(piece)
                    current_width += extra
        lines.append(_visual(" ".join(current), rtl, chain, size))
    return tuple(lines)


class _Measure:
    def __init__(self, chain: tuple[Face, ...], size: float) -> None:
        self.chain, self.size = chain, size
        self.space = stringWidth(" ", chain[0].name, size)
        self._cache: dict[str, float] = {}

    def __call__(self, word: str) -> float:
        if word not in self._cache:
            visible = _CONTROLS.sub("", word)
            self._cache[word] = sum(r.width for r in runs_of(visible, self.chain, self.size))
        return self._cache[word]

    def pieces(self, word: str, width: float) -> Iterable[str]:
        """A word wider than the line (a long URL) is broken where it must be."""
        if self(word) <= width:
            yield word
            return
        piece = ""
        for char in word:
            if piece and self(piece + char) > width:
                yield piece
                piece = ""
            piece += char
        if piece:
            yield piece


def _visual(logical: str, rtl: bool, chain: tuple[Face, ...], size: float) -> Line:
    if rtl or has_rtl(logical):
        visual = get_display(logical, base_dir="R" if rtl else "L")
    else:
        visual = logical
    visual = _CONTROLS.sub("", visual)
    runs = runs_of(visual, chain, size)
    return Line(runs, sum(r.width for r in runs), logical)


def draw_line(canvas: Canvas, line: Line, x: float, y: float, size: float) -> None:
    """Draw ``line`` with its left end at ``x`` and its baseline at ``y``."""
    for run in line.runs:
        canvas.setFont(run.face.name, size)
        canvas.drawString(x, y, run.text)
        x += run.width


def line_x(line: Line, left: float, width: float, align: Align, rtl: bool) -> float:
    if align == "center":
        return left + (width - line.width) / 2
    at_right = (align == "start") == rtl
    return left + width - line.width if at_right else left


def draw_text(
    canvas: Canvas,
    text: str,
    left: float,
    top: float,
    width: float,
    style: Style,
    rtl: bool,
) -> float:
    """Draw a paragraph into the box starting at ``top``; returns the height it took."""
    lines = layout(text, width, style, rtl)
    canvas.setFillColor(style.color)
    y = top
    for line in lines:
        y -= style.line_height
        draw_line(
            canvas,
            line,
            line_x(line, left, width, style.align, rtl),
            y + style.size * 0.3,
            style.size,
        )
    return top - y + style.space_after


def fit_on_one_line(text: str, width: float, style: Style, rtl: bool, smallest: float = 6) -> Style:
    """``style``, made smaller where needed so that ``text`` (a link to type) is never broken."""
    size = style.size
    while size > smallest and len(layout(text, width, style.but(size=size), rtl)) > 1:
        size -= 0.5
    return style.but(size=size)


def text_height(text: str, width: float, style: Style, rtl: bool) -> float:
    return len(layout(text, width, style, rtl)) * style.line_height + style.space_after


class Paragraph(Flowable):
    """A platypus flowable for ``layout``: wraps, splits across pages, draws in either direction."""

    def __init__(self, text: str, style: Style, rtl: bool, lines: list[Line] | None = None):
        super().__init__()
        self.text, self.style, self.rtl = text, style, rtl
        self._lines = lines
        self._width = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._lines is None or self._width != availWidth:
            self._lines = layout(self.text, availWidth, self.style, self.rtl)
            self._width = availWidth
        return availWidth, len(self._lines) * self.style.line_height + self.style.space_after

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        self.wrap(availWidth, availHeight)
        assert self._lines is not None
        fit = int(availHeight // self.style.line_height)
        if fit <= 0:
            return []
        if fit >= len(self._lines):
            # every line fits, only the space after does not: the same lines without it
            # (returning itself would make platypus fail with a LayoutError)
            whole = Paragraph(self.text, self.style.but(space_after=0), self.rtl, self._lines)
            whole._width = availWidth
            return [whole]
        first = Paragraph(self.text, self.style.but(space_after=0), self.rtl, self._lines[:fit])
        rest = Paragraph(self.text, self.style, self.rtl, self._lines[fit:])
        first._width = rest._width = availWidth
        return [first, rest]

    def draw(self) -> None:
        assert self._lines is not None
        canvas, style = self.canv, self.style
        canvas.setFillColor(style.color)
        y = len(self._lines) * style.line_height + style.space_after
        for line in self._lines:
            y -= style.line_height
            x = line_x(line, 0, self._width, style.align, self.rtl)
            draw_line(canvas, line, x, y + style.size * 0.3, style.size)
