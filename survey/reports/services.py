"""Reports of a campaign: which figures may be built, and the files for each unit.

Figures of answers are published only for a closed campaign: its set of responses is
frozen (links answer 410 Gone), so two downloads a day apart cannot be subtracted
into one family's answers. An open campaign's figures are only a preview, built on
request and marked as such in every file name.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core.errors import SurveyError
from survey.core.suppress import LEVELS
from survey.distribution.models import Campaign, CampaignState
from survey.questionnaires.definition import Questionnaire
from survey.reports import aggregate
from survey.reports import figures as figures_module
from survey.reports.figures import Figures

if TYPE_CHECKING:
    from survey.reports.breakdowns import BreakdownFigures
from survey.reports.outputs import breakdowns_csv, tidy_csv

FORMATS = ("csv", "xlsx")


class CampaignUnknown(SurveyError):
    status = 404


class CampaignStillOpen(SurveyError):
    """Figures of an open campaign would change from one download to the next."""

    status = 409


class UnitUnknown(SurveyError):
    status = 404


@dataclass(frozen=True)
class Built:
    campaign: Campaign
    figures: Figures
    preview: bool
    #: the figures by answer language, school type and Sozialindex (``breakdowns``)
    breakdowns: BreakdownFigures | None = None


def build(
    session: Session,
    slug: str,
    questionnaires: Mapping[str, Questionnaire],
    k: int,
    *,
    preview: bool = False,
    keep_systems: bool = False,
    with_breakdowns: bool = False,
    store: Path | None = None,
    stored_only: bool = False,
    breakdowns_of: tuple[str, str] | None = None,
) -> Built:
    """The suppressed figures of the campaign ``slug``; refused while it is open unless
    ``preview`` (for analysts only: the caller checks who asks). ``with_breakdowns``:
    with ``with_breakdowns_of`` too (``store``, ``stored_only``, ``breakdowns_of``: its
    ``store``, ``stored_only`` and ``only``)."""
    campaign = session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise CampaignUnknown(f"no campaign '{slug}'")
    if campaign.is_open and not preview:
        raise CampaignStillOpen(
            f"campaign '{slug}' is still open: its figures are published once it is closed "
            "(an analyst may build a preview with --preview)"
        )
    figures = figures_module.compute(
        session,
        campaign,
        questionnaires,
        k,
        keep_systems=keep_systems,
        frozen=_frozen(session, campaign),
    )
    built = Built(campaign, figures, preview=campaign.is_open)
    if with_breakdowns:
        built = with_breakdowns_of(
            session,
            built,
            questionnaires,
            store=store,
            stored_only=stored_only,
            only=breakdowns_of,
            keep_systems=keep_systems,
        )
    return built


def with_breakdowns_of(
    session: Session,
    built: Built,
    questionnaires: Mapping[str, Questionnaire],
    *,
    store: Path | None = None,
    stored_only: bool = False,
    only: tuple[str, str] | None = None,
    keep_systems: bool = False,
) -> Built:
    """``built`` with the figures by answer language, school type and Sozialindex, for a
    closed campaign only (a preview has none: they are protected once, from the frozen
    answers). They cost ten times the unit figures on a large campaign, and the
    campaign-level figures do not need them. ``store``: the folder where they are kept
    once computed; ``stored_only``: raise ``breakdowns.NotStored`` rather than compute
    them here, and with ``only`` (level, unit) read only that unit's kept breakdowns."""
    campaign = built.campaign
    if campaign.is_open:
        return built
    found = _breakdowns().compute(
        session,
        campaign,
        questionnaires,
        built.figures,
        frozen=_frozen(session, campaign),
        keep_systems=keep_systems,
        store=store,
        stored_only=stored_only,
        only=only,
    )
    return dataclasses.replace(built, breakdowns=found)


def _frozen(session: Session, campaign: Campaign) -> bool:
    """A closed campaign's answers were counted when it closed: its reports read those
    counts. An open campaign (a preview) is counted live, as is one closed before the
    frozen counts existed."""
    return campaign.state == CampaignState.CLOSED and aggregate.is_frozen(session, campaign.id)


def _breakdowns():
    # imported when breakdowns are asked for: the campaign-level figures alone stay
    # within their memory budget (Babel's locale data and the joint systems' code)
    from survey.reports import breakdowns

    return breakdowns


def units(built: Built, level: str) -> list[str]:
    tidy = built.figures.tidy
    return sorted(set(tidy.loc[tidy["level"] == level, "unit"]), key=_natural)


def write(
    built: Built,
    level: str,
    fmt: str,
    out_dir: Path,
    only: Iterable[str] = (),
    language: str = "de",
) -> list[Path]:
    """One file per unit of ``level`` (or of the units in ``only``); returns the paths."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    wanted = list(only) or units(built, level)
    known = set(units(built, level))
    missing = [u for u in wanted if u not in known]
    if missing:
        raise UnitUnknown(f"no {level} with answers in this campaign: {', '.join(missing)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for unit in wanted:
        files = [unit_file(built, level, unit, fmt, language)]
        if fmt == "csv" and built.breakdowns is not None:
            files.append(breakdowns_file(built, level, unit))
        for name, data in files:
            path = out_dir / name
            path.write_bytes(data)
            written.append(path)
    return written


def unit_file(
    built: Built, level: str, unit: str, fmt: str, language: str = "de"
) -> tuple[str, bytes]:
    """The file of one unit: (file name, content). A unit without answers gets a file
    without figures (the CSV's header alone): the web offers every school of a campaign."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    tidy = built.figures.tidy
    name = _stem(built, level, unit)
    if fmt == "csv":
        rows = tidy[(tidy["level"] == level) & (tidy["unit"] == unit)]
        return f"{name}.csv", tidy_csv(rows)
    from survey.reports.workbook import workbook  # xlsxwriter only when asked for

    return f"{name}.xlsx", workbook(built, level, unit, language)


def breakdowns_file(built: Built, level: str, unit: str, language: str = "de") -> tuple[str, bytes]:
    """The breakdowns CSV of one unit, named as its tidy CSV with ``_breakdowns``: the
    figures of its groups by answer language, school type and Sozialindex."""
    if built.breakdowns is None:
        raise ValueError("built without breakdowns")
    frame = built.breakdowns.frame
    rows = frame[(frame["level"] == level) & (frame["unit"] == unit)]
    return f"{_stem(built, level, unit)}_breakdowns.csv", breakdowns_csv(rows, language)


def _stem(built: Built, level: str, unit: str) -> str:
    """A unit's file name without its ending; a preview's says so."""
    name = f"{built.campaign.slug}_{level}_{_slug(unit)}"
    return f"{name}_preview" if built.preview else name


_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


def _slug(text: str) -> str:
    """A file name part: German letters spelled out, other letters kept, the rest a dash."""
    return re.sub(r"[\W_]+", "-", text.translate(_GERMAN)).strip("-").lower() or "unit"


def _natural(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


@dataclass(frozen=True)
class Audit:
    #: level -> status -> cells
    suppressed: dict[str, dict[str, int]]
    systems_audited: int
    #: the narrowest interval an attacker's LP reaches for a hidden count of 1..k-1:
    #: (width, (audience, questionnaire, variable), cell key, true n, low, high)
    narrowest: tuple | None
    #: every system with hidden cells, checked by the rank test, the pinned sums and what
    #: the labels tell (fast: all of them, not a sample)
    systems_checked: int = 0
    #: of those, the systems where a hidden count of 1 or more can be worked out
    systems_exposed: int = 0
    #: the breakdowns (when built with them): level -> status -> cells, the joint systems
    #: checked (units and breakdowns together, as ``breakdowns.leaks`` checks them), those
    #: with a hidden count that can be worked out, and the (question, breakdown) withheld
    breakdowns_suppressed: dict[str, dict[str, int]] = field(default_factory=dict)
    joint_systems_checked: int = 0
    joint_systems_exposed: int = 0
    breakdowns_withheld: int = 0


def audit(built: Built, sample: int = 25) -> Audit:
    """How many cells each kind of suppression hides per level, and what a linear program
    can narrow a primary cell to (every n-th system with hidden cells: an LP per hidden
    cell and bound is slow). ``built`` must have been built with ``keep_systems``."""
    from survey.core.suppress import (
        Status,
        lp_audit,
        narrowed_to_one,
        narrowest,
        pinned_sums,
        recoverable,
        unlabelled_in,
    )

    table = built.figures.suppressed()
    counts = {level: {s: int(table.loc[level, s]) for s in table.columns} for level in table.index}
    systems = [s for s in built.figures.systems if s[2].hidden()]
    best = None
    step = max(1, len(systems) // max(1, sample))
    audited = systems[::step]
    exposed = 0
    for _key, frequency, protection in systems:
        cells, k = frequency.system.cells, protection.k
        hidden = [s is not Status.PUBLISHED for s in protection.status]
        labels = unlabelled_in(frequency.system, protection)
        found_any = (
            any(cells[i].n > 0 for i in recoverable(frequency.system, hidden))
            or pinned_sums(frequency.system, hidden, k)
            or narrowed_to_one(frequency.system, hidden, k, unlabelled=labels)
        )
        exposed += bool(found_any)
    for key, frequency, protection in audited:
        k = protection.k
        primary = [
            iv
            for iv in lp_audit(frequency.system, protection)
            # every hidden count below k, its label shown or withheld; a hidden 0 is not
            # protected from being known as 0: a published 0 above it says so for every
            # member (as statistical offices treat empty cells)
            if 0 < frequency.system.cells[iv.cell].n < k
        ]
        found = narrowest(primary)
        if found is not None and (best is None or found.width < best[0]):
            cell = frequency.system.cells[found.cell]
            best = (
                round(found.width, 3),
                key,
                cell.key,
                cell.n,
                round(found.low, 3),
                round(found.high, 3),
            )
    more = _audit_breakdowns(built.breakdowns) if built.breakdowns is not None else {}
    return Audit(counts, len(audited), best, len(systems), exposed, **more)


def _audit_breakdowns(found: BreakdownFigures) -> dict:
    frame = found.frame
    return {
        "breakdowns_suppressed": {
            level: {s: int(n) for s, n in mine["status"].value_counts().sort_index().items()}
            for level, mine in frame.groupby("level", sort=False)
        },
        "joint_systems_checked": len(found.systems),
        "joint_systems_exposed": sum(
            bool(_breakdowns().leaks(table.system, protection, table.exempt))
            for _key, table, protection in found.systems
        ),
        "breakdowns_withheld": len(found.withheld),
    }
