"""The approval dossier per campaign: one PDF for the head teacher and the school conference.

Written from the configuration (campaign, schools, questionnaires, minimum group size) and
from the real schema (what a response stores). The words come from a German template the
project team may edit (``templates/paper/dossier.de.md``, or ``dossier.de.md`` in the
instance folder), in a small markup rendered here. The printable questionnaires of every
audience, in German and every offered language, are written beside it as annexes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core.db import Base
from survey.distribution.models import Campaign, Link
from survey.paper.services import PrintError, minutes
from survey.pdf.document import Target
from survey.pdf.fonts import fonts
from survey.pdf.text import Paragraph, Style, draw_text
from survey.questionnaires.definition import Questionnaire

TEMPLATE = "dossier.de.md"
AUDIENCE_LABELS = {
    "families": "Familien (Eltern und andere Sorgeberechtigte)",
    "staff": "Beschäftigte der Schulen",
    "children": "Kinder (Klassen 3 bis 7)",
    "partners": "Partner im Stadtteil",
}
#: Column names that would identify a person or a moment: none may appear in what a response stores.
IDENTIFYING = re.compile(r"ip|address|agent|token|link|draft|time|email|name|phone", re.I)
#: Tables holding what was answered.
ANSWER_TABLES = ("response", "answer")


@dataclass(frozen=True)
class Annex:
    questionnaire: Questionnaire
    language: str
    file_name: str


def stored_columns() -> dict[str, list[str]]:
    """The columns of the tables that hold answers, read from the models (the real schema)."""
    return {
        name: [column.name for column in Base.metadata.tables[name].columns]
        for name in ANSWER_TABLES
    }


def schema_check() -> str:
    found = [
        f"{table}.{column}"
        for table, columns in stored_columns().items()
        for column in columns
        if IDENTIFYING.search(column)
    ]
    if found:  # never expected: the anonymity tests guard the schema
        return "ACHTUNG, im Schema gefunden: " + ", ".join(found)
    return (
        "Geprüft am Datenbankschema: Keine Spalte der Antworttabellen kann eine Adresse, ein "
        "Gerät, eine Uhrzeit oder einen Link aufnehmen."
    )


def dossier_context(
    session: Session,
    campaign_slug: str,
    questionnaire: Callable[[str], Questionnaire | None],
    languages: Callable[[str], list[str]],
    config: dict,
) -> tuple[dict, list[Annex]]:
    campaign = session.scalar(select(Campaign).where(Campaign.slug == campaign_slug))
    if campaign is None:
        raise PrintError(f"no campaign {campaign_slug!r}")
    schools = sorted(
        {
            link.school
            for link in session.scalars(select(Link).where(Link.campaign_id == campaign.id))
        },
        key=lambda school: (school.district.name, school.name),
    )
    audiences, annexes = [], []
    for entry in sorted(
        campaign.questionnaires, key=lambda q: list(AUDIENCE_LABELS).index(q.audience)
    ):
        found = questionnaire(entry.questionnaire_id)
        if found is None:
            raise PrintError(
                f"campaign {campaign_slug!r}: no questionnaire {entry.questionnaire_id!r}"
            )
        offered = languages(found.id)
        audiences.append(
            {
                "audience": entry.audience,
                "audience_label": AUDIENCE_LABELS.get(entry.audience, entry.audience),
                "questionnaire_id": found.id,
                "title": found.title,
                "questions": sum(1 for _ in found.questions()),
                "minutes": "–".join(dict.fromkeys(map(str, minutes(found)))),
                "languages": ", ".join(offered),
            }
        )
        annexes += [Annex(found, lang, f"anlage-{found.id}-{lang}.pdf") for lang in offered]
    columns = stored_columns()
    context = {
        "campaign": {
            "title": campaign.title,
            "municipality": campaign.municipality.name,
            "closes_on": campaign.closes_on.strftime("%d.%m.%Y") if campaign.closes_on else None,
            "is_open": campaign.is_open,
        },
        "audiences": audiences,
        "audience_list": ", ".join(a["audience_label"] for a in audiences),
        "schools": schools,
        "districts": ", ".join(sorted({s.district.name for s in schools})) or "keine",
        "stored": {
            "response": ", ".join(c for c in columns["response"] if c != "id"),
            "answer": ", ".join(c for c in columns["answer"] if c != "response_id"),
        },
        "schema_check": schema_check(),
        "granularity": "Tag" if config["DATE_GRANULARITY"] == "day" else "Woche",
        "draft_days": config["DRAFT_EXPIRY_DAYS"],
        "min_group_size": config["MIN_GROUP_SIZE"],
        "annexes": [
            f"{a.file_name}: Fragebogen „{a.questionnaire.title}“ ({a.questionnaire.id}), Sprache {a.language}"
            for a in annexes
        ],
    }
    return context, annexes


def render_template(context: dict, instance_path: str | Path) -> str:
    own = Path(instance_path)
    directories = [str(own)] if (own / TEMPLATE).exists() else []
    environment = Environment(
        loader=FileSystemLoader([*directories, str(Path(__file__).parent / "templates" / "paper")]),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 (plain text for a PDF, never HTML)
        keep_trailing_newline=True,
    )
    return environment.get_template(TEMPLATE).render(**context)


TITLE = Style(size=17, bold=True, space_after=2 * mm)
SUBTITLE = Style(size=10, color=Color(0.35, 0.35, 0.35), space_after=5 * mm)
HEADING = Style(size=12.5, bold=True, space_after=2 * mm)
BODY = Style(size=10, space_after=2.5 * mm)
CELL = Style(size=8.5)
CELL_HEAD = Style(size=8.5, bold=True)


def flowables(markup: str) -> list:
    """The template's small markup as flowables (left to right: the dossier is German)."""
    story: list = []
    rows: list[list[str]] = []
    after_title = False

    def flush_table() -> None:
        if not rows:
            return
        count = max(len(r) for r in rows)
        data = [
            [Paragraph(cell, CELL_HEAD if index == 0 else CELL, False) for cell in row]
            + [""] * (count - len(row))
            for index, row in enumerate(rows)
        ]
        table = Table(
            data, repeatRows=1, hAlign="LEFT", colWidths=[(A4[0] - 40 * mm) / count] * count
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    # empty cells are drawn too: never with an unembedded standard font
                    ("FONTNAME", (0, 0), (-1, -1), fonts().latin.name),
                    ("GRID", (0, 0), (-1, -1), 0.4, Color(0.7, 0.7, 0.7)),
                    ("BACKGROUND", (0, 0), (-1, 0), Color(0.92, 0.94, 0.95)),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        story.extend([table, Spacer(0, 3 * mm)])
        rows.clear()

    for raw in markup.splitlines():
        line = raw.strip()
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        flush_table()
        if not line:
            continue
        if line.startswith("# "):
            story.append(Paragraph(line[2:], TITLE, False))
            after_title = True
        elif line.startswith("## "):
            story.append(Spacer(0, 2 * mm))
            story.append(Paragraph(line[3:], HEADING, False))
        elif line.startswith("- "):
            story.append(Paragraph("• " + line[2:], BODY.but(space_after=1.2 * mm), False))
        else:
            story.append(Paragraph(line, SUBTITLE if after_title else BODY, False))
        if not line.startswith("# "):
            after_title = False
    flush_table()
    return story


def write_dossier(markup: str, title: str, out: Target) -> None:
    doc = BaseDocTemplate(
        out if not isinstance(out, Path) else str(out),
        pagesize=A4,
        title=title,
        author="Mitwirken",
        creator="Mitwirken",
        lang="de",
        invariant=1,
        initialFontName=fonts().latin.name,
    )
    frame = Frame(
        20 * mm,
        18 * mm,
        A4[0] - 40 * mm,
        A4[1] - 36 * mm,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )

    def footer(canvas, _doc) -> None:
        canvas.saveState()
        draw_text(
            canvas,
            f"{title} · Seite {canvas.getPageNumber()}",
            20 * mm,
            13 * mm,
            A4[0] - 40 * mm,
            Style(size=8, color=Color(0.4, 0.4, 0.4), align="center"),
            False,
        )
        canvas.restoreState()

    doc.addPageTemplates([PageTemplate("page", [frame], onPage=footer)])
    doc.build(flowables(markup))
