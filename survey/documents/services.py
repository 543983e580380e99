"""Reports as documents: what the staff pages and ``survey report --format pdf|html`` call.

The engine's figures of a campaign are built once (``load``), then any number of
units' reports are built from them and rendered. Whether the campaign may be
reported on at all (closed, or an analyst's preview) is the engine's rule
(``survey.reports.services.build``).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy.orm import Session

from survey.core.suppress import LEVELS
from survey.distribution import outlines
from survey.documents import freetext, model
from survey.documents import respondents as respondents_module
from survey.documents.model import Report, Sources
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.loader import THEMES_FILE, cached_themes
from survey.reports import services as engine

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
    catalogue = cached_themes(themes_path) if themes_path.exists() else None
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
    with force_locale("de"):  # the report's language
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
    jobs: int = 1,
) -> Iterator[Path]:
    """One file per unit of ``level`` (or of ``only``), yielded as each is written.

    The engine's figures are built once (``src``); with ``jobs`` > 1 the reports are built
    and rendered in that many forked processes, which share ``src`` without copying it.
    Everything that needs the database (the free-text listing) is read here first."""
    from flask import current_app

    wanted = list(only) or model.units(src, level)
    for unit in wanted:
        check_unit(src, level, unit)
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen = list(audiences or model.campaign_audiences(src))
    texts = {
        unit: freetext.listing(
            session, src.built.campaign, src.questionnaires, src.respondents, level, unit,
            chosen, src.built.figures.k,
        )
        for unit in (wanted if analyst else [])
    }  # fmt: skip
    global _JOB
    _JOB = _Job(current_app._get_current_object(), src, level, fmt, out_dir, chosen, analyst, texts)  # type: ignore[attr-defined]
    try:
        if jobs <= 1 or len(wanted) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            yield from map(_write_one, wanted)
            return
        from survey.pdf.fonts import fonts

        fonts()  # registered once, before the fork: every worker inherits them
        with multiprocessing.get_context("fork").Pool(min(jobs, len(wanted))) as pool:
            yield from pool.imap(_write_one, wanted)
    finally:
        _JOB = None


@dataclass(frozen=True)
class _Job:
    app: object
    src: Sources
    level: str
    fmt: str
    out_dir: Path
    audiences: list[str]
    analyst: bool
    texts: dict


_JOB: _Job | None = None


def _write_one(unit: str) -> Path:
    job = _JOB
    assert job is not None
    with job.app.app_context(), force_locale("de"):  # type: ignore[attr-defined]
        built = model.build(
            job.src, job.level, unit, job.audiences, analyst=job.analyst,
            free_text=job.texts.get(unit),
        )  # fmt: skip
        path = job.out_dir / file_name(built, job.fmt)
        path.write_bytes(render(built, job.fmt))
    return path
