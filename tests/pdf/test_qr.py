from __future__ import annotations

import pdfcheck
from reportlab.lib.pagesizes import A4

from survey.pdf.document import new_canvas
from survey.pdf.qr import draw_qr


def test_the_drawn_qr_code_decodes_to_its_data(tmp_path):
    pdf = tmp_path / "qr.pdf"
    url = "https://mitwirken.example/s/abcdefghjkmn?lang=ar"
    canvas = new_canvas(pdf, A4, "QR", "de")
    draw_qr(canvas, url, 100, 400, 3 * 28.35)  # 3 cm, as on a flyer
    canvas.save()
    (png,) = pdfcheck.pages(pdf, tmp_path, dpi=150)
    assert pdfcheck.qr_codes(png) == [url]
