"""The report as a web page: Jinja templates under ``templates/documents/``.

The page is the staff area's (``staff/layout.html``) or, for files written by
``survey report --format html``, a standalone document with its stylesheet inline.
Charts are inline SVG drawn from the model's geometry; no script. Every text is
escaped by Jinja's autoescaping, respondents' free text included.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup

from survey.documents import charts
from survey.documents.model import Report
from survey.maps.svg import render as map_svg

CSS = (Path(__file__).parent / "report.css").read_text(encoding="utf-8")
#: a bar drawing's geometry in % of its width (the SVG draws in %, report.css sizes it)
BAR_WIDTH = 100.0


def css_hash() -> str:
    """For the Content-Security-Policy of the page that inlines ``CSS``."""
    return "sha256-" + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()


def render(report: Report, *, standalone: bool = False) -> str:
    """The report as a page of the staff area (its frame in the staff member's language),
    or as a standalone document; the report itself is German either way."""
    with force_locale("de"):
        body = Markup(  # noqa: S704 (a rendered template: Jinja escaped every value in it)
            render_template(
                "documents/body.html",
                report=report,
                geo=charts.Geometry(report.axis, BAR_WIDTH),
                dont_know_tone=charts.dont_know_tone(),
                map_svg=map_svg,
            )
        )
        if standalone:
            return _page(report, body, "documents/standalone.html")
    return _page(report, body, "staff/layout.html")


def _page(report: Report, body: Markup, layout: str) -> str:
    return render_template(
        "documents/report.html", layout=layout, report=report, body=body, report_css=CSS
    )
