"""Reports as documents: what the staff pages and ``survey report --format pdf|html`` call.

The engine's figures of a campaign are built once (``load``), then any number of
units' reports are built from them and rendered. Whether the campaign may be
reported on at all (closed, or an analyst's preview) is the engine's rule
(``survey.reports.services.build``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from survey.distribution import outlines
from survey.documents import freetext, model
from survey.documents import respondents as respondents_module
from survey.documents.model import Report, Sources
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.loader import THEMES_FILE, load_themes
from survey.reports import services as engine
from survey.reports.suppress import LEVELS

FORMATS = ("pdf", "html")
MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def load(
    session: Session,
    slug: str,
    questionnaires: Mapping[str, Questionnaire],
    questionnaire_dir: Path,
    k: int,
    today: date,
    *,
    preview: bool = False,
) -> Sources:
    """The engine's figures of campaign ``slug`` and what the reports add to them."""
    built = engine.build(session, slug, questionnaires, k, preview=preview)
    themes_path = Path(questionnaire_dir) / THEMES_FILE
    catalogue = load_themes(themes_path) if themes_path.exists() else None
    counted = respondents_module.compute(session, built.campaign, k)
    drawn = outlines.shapes(session, built.campaign.municipality_id)
    return model.sources(built, questionnaires, catalogue, counted, today, drawn)


def check_unit(src: Sources, level: str, unit: str) -> None:
    if level not in LEVELS:
        raise engine.UnitUnknown(f"no level '{level}'")
    if unit not in model.units(src, level):
        raise engine.UnitUnknown(f"no {level} '{unit}' in this campaign")


def report(
    session: Session,
    src: Sources,
    level: str,
    unit: str,
    audiences: Sequence[str] | None = None,
    *,
    analyst: bool = False,
) -> Report:
    """The report of one unit; ``analyst``: the version with free-text answers (the caller
    checks who asks)."""
    check_unit(src, level, unit)
    chosen = list(audiences or model.campaign_audiences(src))
    texts = None
    if analyst:
        texts = freetext.listing(
            session, src.built.campaign, src.questionnaires, src.respondents, level, unit,
            chosen, src.built.figures.k,
        )  # fmt: skip
    return model.build(src, level, unit, chosen, analyst=analyst, free_text=texts)


def render(report: Report, fmt: str, *, standalone: bool = True) -> bytes:
    if fmt == "pdf":
        from survey.documents import pdf

        return pdf.render(report)
    if fmt == "html":
        from survey.documents import html

        return html.render(report, standalone=standalone).encode("utf-8")
    raise ValueError(f"format must be one of {', '.join(FORMATS)}")


def file_name(report: Report, fmt: str) -> str:
    """Like the engine's files: campaign, level, unit; marked as preview or analysts' version."""
    name = f"{report.campaign}_{report.level}_{engine._slug(report.unit)}_bericht"  # noqa: SLF001 (the engine's file-name rule, reused)
    if report.analyst:
        name += "_auswertung"
    if report.preview:
        name += "_preview"
    return f"{name}.{fmt}"


def write(
    session: Session,
    src: Sources,
    level: str,
    fmt: str,
    out_dir: Path,
    only: Iterable[str] = (),
    audiences: Sequence[str] | None = None,
    *,
    analyst: bool = False,
) -> list[Path]:
    """One file per unit of ``level`` (or of ``only``); returns the paths."""
    wanted = list(only) or model.units(src, level)
    for unit in wanted:
        check_unit(src, level, unit)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for unit in wanted:
        built = report(session, src, level, unit, audiences, analyst=analyst)
        path = out_dir / file_name(built, fmt)
        path.write_bytes(render(built, fmt))
        written.append(path)
    return written
