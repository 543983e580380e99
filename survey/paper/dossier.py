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

from babel import Locale
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
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
#: What each stored column means, for the head teacher (a column added to the schema without
#: a meaning here makes the dossier say so, and a test fail).
COLUMN_MEANINGS = {
    "response": {
        "id": "eine zufällige Kennung der Antwort (keine laufende Nummer)",
        "campaign_id": "die Befragung",
        "school_id": "die Schule",
        "audience": "die Zielgruppe (Familien, Beschäftigte, Kinder, Partner)",
        "questionnaire_id": "der Fragebogen",
        "questionnaire_version": "die Fassung des Fragebogens",
        "language": "die Sprache, in der geantwortet wurde",
        "submitted_on": "der Tag der Antwort (ohne Uhrzeit)",
        "complete": "ob der Fragebogen bis zum Ende ausgefüllt wurde",
    },
    "answer": {
        "response_id": "die zufällige Kennung der Antwort, zu der sie gehört",
        "variable": "die Frage (ihr Kurzname, z. B. info_enough)",
        "ordinal": "die Reihenfolge bei mehreren angekreuzten Antworten",
        "code": "die angekreuzte Antwort als Zahl",
        "number": "eine eingetragene Zahl",
        "text": "ein geschriebener Text, bereinigt von E-Mail-Adressen und Telefonnummern",
    },
}
#: The staff area's roles (survey.core.permissions.Role), for the section on who sees what.
ROLE_LABELS = {
    "coordinator": (
        "Koordination an der Schule",
        "Links, QR-Codes, Flyer und Briefe der eigenen Schule; Rücklauf der eigenen Schule "
        "(Zahlen unter der Mindestgröße verborgen); keine einzelnen Antworten",
    ),
    "analyst": (
        "Auswertung im Projektteam",
        "alle Schulen und Befragungen, Berichte mit unterdrückten kleinen Gruppen, die "
        "anonymen Antworten ohne Personenbezug; jeder Download wird protokolliert",
    ),
    "admin": (
        "Administration",
        "zusätzlich Konten und Protokoll; Zugriff auf die Datenbank",
    ),
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
                "languages": ", ".join(language_name(code) for code in offered),
            }
        )
        annexes += [Annex(found, lang, f"anlage-{found.id}-{lang}.pdf") for lang in offered]
    columns = stored_columns()
    municipality = campaign.municipality.name
    context = {
        "campaign": {
            "title": campaign.title,
            "municipality": municipality,
            "opens_on": _date(campaign.opens_on),
            "closes_on": _date(campaign.closes_on),
            "state": campaign.state,
            "is_open": campaign.is_open,
        },
        "responsible": config.get("RESPONSIBLE_BODY")
        or f"{municipality} (die Kommune, die die Befragung durchführt)",
        "data_protection_officer": config.get("DATA_PROTECTION_OFFICER")
        or f"die oder der Datenschutzbeauftragte von {municipality}",
        "retention_months": int(config.get("RETENTION_MONTHS", 24)),
        "columns": {
            table: [
                (name, COLUMN_MEANINGS.get(table, {}).get(name, "(ohne Beschreibung)"))
                for name in names
            ]
            for table, names in columns.items()
        },
        "roles": [
            {"name": name, "label": label, "may": may} for name, (label, may) in ROLE_LABELS.items()
        ],
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
            f"{a.file_name}: „{a.questionnaire.title}“ ({a.questionnaire.id}), "
            f"{language_name(a.language)}"
            for a in annexes
        ],
    }
    return context, annexes


def _date(value) -> str | None:
    return value.strftime("%d.%m.%Y") if value else None


def language_name(code: str) -> str:
    """The language's German name ("Arabisch"), as the head teacher reads it."""
    return Locale.parse(code).get_display_name("de") or code


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
        # Columns as wide as their longest text asks, within reason (a language list wider
        # than a column of numbers).
        cells = [[row[i] if i < len(row) else "" for row in rows] for i in range(count)]
        width = A4[0] - 40 * mm
        # Each column at least as wide as its longest word (set bold, as in the head, plus
        # the cell padding); the rest of the width shared by how much text a column holds.
        least = [
            max(
                stringWidth(w, fonts().latin_bold.name, CELL.size)
                for c in col
                for w in c.split() or [""]
            )
            + 13
            for col in cells
        ]
        text = [min(max(len(c) for c in col), 70) for col in cells]
        spare = max(width - sum(least), 0)
        widths = [low + spare * t / (sum(text) or 1) for low, t in zip(least, text, strict=True)]
        widths = [w * width / sum(widths) for w in widths]
        table = Table(
            data,
            repeatRows=1,
            hAlign="LEFT",
            colWidths=widths,
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
            heading = Paragraph(line[3:], HEADING, False)
            heading.keepWithNext = True  # never a heading alone at the foot of a page
            story.append(heading)
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
