"""QR codes drawn as vector squares (segno computes the symbol): sharp at any print size."""

from __future__ import annotations

from functools import lru_cache

import segno
from reportlab.lib.colors import black, white
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

#: The quiet zone the standard asks for, in modules, included in the drawn size.
QUIET_ZONE = 4


@lru_cache(maxsize=256)
def _symbol(data: str) -> tuple[int, tuple[bytes, ...]]:
    """Modules across (quiet zone included) and the dark modules; encoding is the slow part,
    and an A5 two-up sheet draws each code twice."""
    qr = segno.make_qr(data, error="m", boost_error=False)
    return qr.symbol_size(scale=1, border=QUIET_ZONE)[0], tuple(bytes(row) for row in qr.matrix)


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of ``data`` as a ``size`` square with its lower left corner at x, y.

    Error correction M (15 %) survives a fold or a smudge on a flyer; the white quiet zone
    is part of ``size``, so nothing printed beside it can spoil the scan.
    """
    modules, matrix = _symbol(data)
    unit = size / modules
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(black)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + QUIET_ZONE) * unit
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                # Runs of dark modules as one rectangle: smaller files, no hairline gaps.
                path.rect(x + (start + QUIET_ZONE) * unit, top - unit, (col - start) * unit, unit)
            else:
                col += 1
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


class QRCode(Flowable):
    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        self.data, self.size = data, size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.data, 0, 0, self.size)
