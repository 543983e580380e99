"""A canvas or a platypus document with the metadata every printed thing carries."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from reportlab.pdfgen.canvas import Canvas

from survey.pdf.fonts import fonts

Target = str | Path | BinaryIO | BytesIO


def new_canvas(target: Target, pagesize: tuple[float, float], title: str, language: str) -> Canvas:
    """A canvas whose fonts are known to exist (FontsMissing otherwise, before any work)."""
    font_set = fonts()
    canvas = Canvas(
        target if not isinstance(target, Path) else str(target),
        pagesize=pagesize,
        lang=language,
        # Same input, same bytes: no creation time or random id in the file.
        invariant=1,
        pageCompression=1,
        # Otherwise every page names Helvetica, a font that is never embedded.
        initialFontName=font_set.latin.name,
    )
    canvas.setTitle(title)
    canvas.setAuthor("Mitwirken")
    canvas.setCreator("Mitwirken")
    return canvas
