"""The report of one unit (school, district, municipality) for a choice of audiences: a
list of typed sections, built once from the engine's suppressed frames and drawn by
``html`` and ``pdf``.

Every figure a reader sees is a ``Shown``: its text ("42,5 %", "weniger als 5", "–")
and the number behind it, which is None whenever the engine hid it. A renderer gets
only these texts and the chart geometry computed here, so it can neither compute a
figure nor show one that the engine suppressed.

Adding a kind of section: a frozen dataclass with a class-level ``kind``, an
``anchor`` and a ``title`` (for the table of contents), put into ``Report.sections``
by ``build``; then a template ``documents/sections/<kind>.html`` and a function in
``pdf.SECTION_DRAWERS``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

import pandas as pd
from flask_babel import format_date
from flask_babel import gettext as _

from survey.core.numbers import number_text, percent_text
from survey.core.suppress import ALL, LEVELS
from survey.distribution.labels import AUDIENCE_LABELS
from survey.distribution.models import AUDIENCES
from survey.documents import charts
from survey.documents.freetext import FreeText
from survey.documents.maps import MapSection, map_section
from survey.documents.respondents import Respondents
from survey.questionnaires.definition import ORDERED, Questionnaire
from survey.questionnaires.model import (
    DONT_KNOW,
    OTHER,
    MatrixQuestion,
    MultiQuestion,
    NumberQuestion,
    ThemesFile,
)
from survey.reports import indicators as indicators_module
from survey.reports.services import Built

HIDDEN_SECONDARY = "–"


# --- figures as shown ----------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A figure as a reader sees it: ``value`` is None when the engine hid it."""

    text: str
    value: float | None = None

    @property
    def hidden(self) -> bool:
        return self.value is None


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def count(value, status: str, k: int) -> Shown:
    if _missing(value):
        return hidden(status, k)
    return Shown(number_text(value), float(value))


def percent(value, status: str, k: int) -> Shown:
    if _missing(value):
        return hidden(status, k)
    return Shown(percent_text(value), float(value))


def hidden(status: str, k: int) -> Shown:
    if status == "primary":
        return Shown(_("weniger als %(k)s", k=k))
    return Shown(HIDDEN_SECONDARY)


# --- the sections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceLine:
    audience: str
    label: str
    respondents: Shown
    expected: Shown
    rate: Shown


@dataclass(frozen=True)
class CoverSection:
    kind: ClassVar[str] = "cover"
    anchor: str
    title: str
    unit_name: str
    level_label: str
    parent_name: str
    campaign_title: str
    period: str
    made_on: str
    preview: bool
    analyst: bool
    audiences: tuple[AudienceLine, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    rank: int
    label: str
    theme: str
    audience: str
    share: Shown
    district: Shown | None
    campaign: Shown | None
    n: Shown


@dataclass(frozen=True)
class KeyFindingsSection:
    kind: ClassVar[str] = "findings"
    anchor: str
    title: str
    intro: str
    #: headings of the comparison columns: the unit, then district and campaign if shown
    columns: tuple[str, ...]
    needs: tuple[Finding, ...]
    strengths: tuple[Finding, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Segment:
    """One answer's part of a bar; x0..x1 in percentage points on the report's axis."""

    label: str
    percent: Shown
    x0: float
    x1: float
    tone: charts.Tone
    #: wide enough to carry its figure inside
    labelled: bool
    #: the answer codes it shows (several: answers hidden one by one, shown together)
    values: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        """The figure without its unit, as it stands inside a bar."""
        return self.percent.text if self.percent.hidden else number_text(self.percent.value)


@dataclass(frozen=True)
class ScaleRow:
    place: str
    n: Shown
    #: empty when the distribution is not shown; then ``note`` says why
    segments: tuple[Segment, ...]
    dont_know: Segment | None
    note: str = ""
    #: the variable the row shows (a matrix block has one per item)
    variable: str = ""
    #: a matrix item's label; a renderer heads each item's rows with it
    item: str = ""


@dataclass(frozen=True)
class ScaleBlock:
    kind: ClassVar[str] = "scale"
    label: str
    variable: str
    legend: tuple[tuple[str, charts.Tone], ...]
    rows: tuple[ScaleRow, ...]
    has_dont_know: bool


@dataclass(frozen=True)
class ChoiceCell:
    percent: Shown
    n: Shown
    #: bar length, 0..100 (0 when hidden)
    width: float


@dataclass(frozen=True)
class ChoiceRow:
    label: str
    cells: tuple[ChoiceCell, ...]


@dataclass(frozen=True)
class ChoiceBlock:
    kind: ClassVar[str] = "choice"
    label: str
    variable: str
    multiple: bool
    #: the unit, its district, the campaign (as many as the level has)
    places: tuple[str, ...]
    #: how many answered, per place
    n: tuple[Shown, ...]
    tones: tuple[charts.Tone, ...]
    rows: tuple[ChoiceRow, ...]


@dataclass(frozen=True)
class NumberRow:
    place: str
    n: Shown
    q1: Shown
    median: Shown
    q3: Shown


@dataclass(frozen=True)
class NumberBlock:
    kind: ClassVar[str] = "number"
    label: str
    variable: str
    unit: str
    rows: tuple[NumberRow, ...]


Block = ScaleBlock | ChoiceBlock | NumberBlock


@dataclass(frozen=True)
class AudienceGroup:
    audience: str
    label: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class PerspectiveRow:
    label: str
    kind: str
    #: per audience of the section's ``perspective_audiences``: (share, n)
    cells: tuple[tuple[Shown, Shown], ...]


@dataclass(frozen=True)
class ThemeSection:
    kind: ClassVar[str] = "theme"
    anchor: str
    title: str
    description: str
    perspective_audiences: tuple[str, ...]
    perspectives: tuple[PerspectiveRow, ...]
    groups: tuple[AudienceGroup, ...]


@dataclass(frozen=True)
class FreeTextQuestion:
    audience: str
    label: str
    answers: tuple[FreeText, ...]


@dataclass(frozen=True)
class FreeTextSection:
    kind: ClassVar[str] = "freetext"
    anchor: str
    title: str
    intro: str
    questions: tuple[FreeTextQuestion, ...]


@dataclass(frozen=True)
class MethodsSection:
    kind: ClassVar[str] = "methods"
    anchor: str
    title: str
    #: (heading, paragraphs)
    parts: tuple[tuple[str, tuple[str, ...]], ...]
    #: (audience, questionnaire title, version)
    questionnaires: tuple[tuple[str, str, str], ...]
    #: an example bar for the reading aid
    example: Block | None


Section = (
    CoverSection | KeyFindingsSection | ThemeSection | MapSection | FreeTextSection | MethodsSection
)


@dataclass(frozen=True)
class Report:
    campaign: str
    level: str
    unit: str
    title: str
    preview: bool
    analyst: bool
    k: int
    #: the axis of every diverging bar, in percentage points left and right of zero, and
    #: the length of the "weiß nicht" axis beside it
    axis: tuple[int, int, int]
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def contents(self) -> list[tuple[str, str]]:
        """(anchor, title) of every section after the cover."""
        return [(s.anchor, s.title) for s in self.sections if s.kind != "cover"]


# --- what a report is built from ---------------------------------------------------------------


@dataclass(frozen=True)
class CampaignFacts:
    """What a report says about its campaign, read once (no lazy loads from a session that
    may be gone when a report is built)."""

    slug: str
    title: str
    municipality: str
    opens_on: date | None
    closes_on: date | None
    #: audience -> questionnaire id, in the usual order of audiences
    questionnaires: dict[str, str]

    @classmethod
    def of(cls, campaign) -> CampaignFacts:
        given = {q.audience: q.questionnaire_id for q in campaign.questionnaires}
        return cls(
            campaign.slug,
            campaign.title,
            campaign.municipality.name,
            campaign.opens_on,
            campaign.closes_on,
            {a: given[a] for a in AUDIENCES if a in given},
        )


@dataclass(frozen=True)
class Sources:
    """Everything of one campaign that its reports are built from (built once for many units)."""

    built: Built
    campaign: CampaignFacts
    questionnaires: Mapping[str, Questionnaire]
    catalogue: ThemesFile | None
    #: the engine's indicators with their district and campaign (``with_context``)
    indicators: pd.DataFrame
    respondents: Respondents
    today: date
    #: district name -> outline (longitude/latitude) for the maps; empty: no maps
    outlines: Mapping[str, tuple] = field(default_factory=dict)
    _by_unit: dict = field(default_factory=dict, compare=False, repr=False)
    _stats_by_unit: dict = field(default_factory=dict, compare=False, repr=False)

    def rows(self, level: str, unit: str) -> dict[tuple[str, str, str], pd.DataFrame]:
        """The unit's tidy rows per (audience, questionnaire, question), grouped once."""
        key = (level, unit)
        if not self._by_unit:
            tidy = self.built.figures.tidy
            for (lv, u), frame in tidy.groupby(["level", "unit"], sort=False):
                self._by_unit[(lv, u)] = frame
        if isinstance(self._by_unit.get(key), pd.DataFrame):
            frame = self._by_unit[key]
            self._by_unit[key] = {
                (str(a), str(q), str(v)): g
                for (a, q, v), g in frame.groupby(
                    ["audience", "questionnaire", "question"], sort=False
                )
            }
        return self._by_unit.get(key, {})

    def stats(self, level: str, unit: str) -> dict[tuple[str, str, str, str], float]:
        key = (level, unit)
        if key not in self._stats_by_unit:
            frame = self.built.figures.stats
            mine = frame[(frame["level"] == level) & (frame["unit"] == unit)]
            self._stats_by_unit[key] = {
                (r.audience, r.questionnaire, r.question, r.statistic): r.value
                for r in mine.itertuples(index=False)
            }
        return self._stats_by_unit[key]


def sources(
    built: Built,
    questionnaires: Mapping[str, Questionnaire],
    catalogue: ThemesFile | None,
    respondents: Respondents,
    today: date,
    outlines: Mapping[str, tuple] | None = None,
) -> Sources:
    found = (
        indicators_module.compute(built.figures, questionnaires, catalogue)
        if catalogue is not None
        else pd.DataFrame(columns=indicators_module.COLUMNS)
    )
    return Sources(
        built,
        CampaignFacts.of(built.campaign),
        questionnaires,
        catalogue,
        indicators_module.with_context(found),
        respondents,
        today,
        outlines or {},
    )


def campaign_audiences(src: Sources) -> list[str]:
    """The campaign's audiences, in the usual order."""
    return list(src.campaign.questionnaires)


def units(src: Sources, level: str) -> list[str]:
    """Every unit of ``level`` in the campaign's municipality (with or without answers)."""
    return sorted({u for lv, u in src.respondents.schools_of if lv == level})


def unit_name(src: Sources, level: str, unit: str) -> str:
    return src.built.figures.names.get((level, unit), unit)


# --- building ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    level: str
    unit: str
    label: str


def build(
    src: Sources,
    level: str,
    unit: str,
    audiences: Sequence[str],
    *,
    analyst: bool = False,
    free_text: Mapping[tuple[str, str, str], list[FreeText]] | None = None,
) -> Report:
    """The report of ``unit`` at ``level`` for ``audiences``; ``free_text`` (from
    ``freetext.listing``) only in the analysts' version."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    built, k = src.built, src.built.figures.k
    audiences = [a for a in campaign_audiences(src) if a in set(audiences)]
    places = _places(src, level, unit)
    questionnaire_of = {
        audience: src.questionnaires[qid]
        for audience, qid in src.campaign.questionnaires.items()
        if qid in src.questionnaires
    }
    audiences = [a for a in audiences if a in questionnaire_of]
    blocks = _blocks(src, places, audiences, questionnaire_of, k)
    example = _example(k)
    axis = _axis({**blocks, ("", ""): example})
    blocks = {key: _placed(b, axis) for key, b in blocks.items()}
    sections: list[Section] = [
        _cover(src, level, unit, places, audiences, analyst),
        _findings(src, level, unit, places, audiences),
    ]
    sections += _themes(src, level, unit, audiences, questionnaire_of, blocks)
    maps = map_section(src, level, unit, audiences)  # districts and the municipality only
    if maps is not None:
        sections.append(maps)
    if analyst:
        sections.append(_free_text(audiences, questionnaire_of, free_text or {}))
    sections.append(_methods(src, audiences, questionnaire_of, _placed(example, axis)))
    name = unit_name(src, level, unit)
    return Report(
        campaign=src.campaign.slug,
        level=level,
        unit=unit,
        title=_("Bericht: %(name)s", name=name),
        preview=built.preview,
        analyst=analyst,
        k=k,
        axis=axis,
        sections=tuple(sections),
    )


def level_label(level: str) -> str:
    return {"school": _("Schule"), "district": _("Sozialraum"), "municipality": _("Kommune")}[level]


def _places(src: Sources, level: str, unit: str) -> list[_Place]:
    """The unit, then its district and the whole campaign, as far as the level goes."""
    names = src.built.figures.names
    municipality = src.campaign.municipality
    places = [
        _Place(level, unit, _("diese Schule") if level == "school" else unit_name(src, level, unit))
    ]
    if level == "municipality":
        places[0] = _Place(level, unit, _("gesamt"))
        return places
    if level == "school":
        district = next(
            (d for (lv, d), schools in src.respondents.schools_of.items()
             if lv == "district" and unit in schools),
            None,
        )  # fmt: skip
        if district is not None:
            places.append(_Place("district", district, names.get(("district", district), district)))
    places.append(_Place("municipality", municipality, _("gesamt")))
    return places


def _cover(src, level, unit, places, audiences, analyst) -> CoverSection:
    campaign, k = src.campaign, src.built.figures.k
    lines = []
    for audience in audiences:
        c = src.respondents.get(level, unit, audience)
        respondents = count(c.n, c.status, k)
        expected = Shown(number_text(c.expected), float(c.expected)) if c.expected else Shown("–")
        if c.n is not None and c.expected:
            rate = percent(round(c.n / c.expected * 100, 1), "published", k)
        else:
            rate = Shown("–")
        lines.append(
            AudienceLine(audience, str(AUDIENCE_LABELS[audience]), respondents, expected, rate)
        )
    if campaign.opens_on and campaign.closes_on:
        period = _(
            "%(start)s bis %(end)s",
            start=format_date(campaign.opens_on, "d. MMMM y"),
            end=format_date(campaign.closes_on, "d. MMMM y"),
        )
    elif campaign.closes_on:
        period = _("bis %(end)s", end=format_date(campaign.closes_on, "d. MMMM y"))
    else:
        period = "–"
    notes = [
        _(
            "Zahlen aus weniger als %(k)s Antworten werden nicht gezeigt („weniger als %(k)s“); "
            "„–“ steht für eine Zahl, die zusätzlich gesperrt ist, damit man kleine Zahlen "
            "nicht ausrechnen kann.",
            k=k,
        )
    ]
    if src.built.preview:
        notes.insert(
            0,
            _(
                "Vorschau: Die Befragung läuft noch. Die Zahlen ändern sich bis zum Abschluss "
                "und dürfen nicht weitergegeben werden."
            ),
        )
    if analyst:
        notes.append(
            _(
                "Fassung für die Auswertung: enthält Freitextantworten. Nicht an Schulen weitergeben."
            )
        )
    parent = places[1].label if level == "school" and len(places) > 2 else ""
    return CoverSection(
        anchor="deckblatt",
        title=_("Deckblatt"),
        unit_name=unit_name(src, level, unit),
        level_label=level_label(level),
        parent_name=parent,
        campaign_title=campaign.title,
        period=period,
        made_on=format_date(src.today, "d. MMMM y"),
        preview=src.built.preview,
        analyst=analyst,
        audiences=tuple(lines),
        notes=tuple(notes),
    )


def _findings(src, level, unit, places, audiences) -> KeyFindingsSection:
    k = src.built.figures.k
    table = src.indicators
    mine = table[
        (table["level"] == level) & (table["unit"] == unit) & table["audience"].isin(audiences)
    ]
    theme_labels = {t.id: t.label for t in src.catalogue.themes} if src.catalogue else {}
    with_district = level == "school" and len(places) > 2
    with_campaign = level != "municipality"
    shown = mine[mine["share"].notna()].assign(
        _audience=mine["audience"].map({a: i for i, a in enumerate(AUDIENCES)})
    )
    found: dict[str, list[Finding]] = {"need": [], "strength": []}
    for kind in found:
        part = shown[shown["kind"] == kind].sort_values(
            ["share", "_audience", "indicator"], ascending=[False, True, True], kind="stable"
        )
        for rank, r in enumerate(part.itertuples(index=False), start=1):
            found[kind].append(
                Finding(
                    rank=rank,
                    label=r.label,
                    theme=theme_labels.get(r.theme, r.theme),
                    audience=str(AUDIENCE_LABELS.get(r.audience, r.audience)),
                    share=percent(r.share, "published", k),
                    district=_context(r.district_share) if with_district else None,
                    campaign=_context(r.campaign_share) if with_campaign else None,
                    n=count(r.n, "published", k),
                )
            )
    withheld = int(mine["share"].isna().sum())
    notes = []
    if withheld:
        notes.append(
            _(
                "%(n)s Kennzahlen sind hier nicht aufgeführt: zu wenige Antworten oder gesperrt.",
                n=withheld,
            )
        )
    columns = [places[0].label]
    if with_district:
        columns.append(places[1].label)
    if with_campaign:
        columns.append(_("gesamt"))
    return KeyFindingsSection(
        anchor="kernergebnisse",
        title=_("Kernergebnisse"),
        intro=_(
            "Kennzahlen nach Größe geordnet: Bedarfe (ein hoher Anteil zeigt, dass etwas "
            "fehlt) und Stärken (ein hoher Anteil zeigt, was gelingt). n ist die Zahl der "
            "Antworten, auf die sich der Anteil bezieht."
        ),
        columns=tuple(columns),
        needs=tuple(found["need"]),
        strengths=tuple(found["strength"]),
        notes=tuple(notes),
    )


def _context(value) -> Shown:
    """A district's or the campaign's share beside the unit's: hidden shares show a dash."""
    if _missing(value):
        return Shown(HIDDEN_SECONDARY)
    return Shown(percent_text(value), float(value))


def _question_label(question, variable: str) -> str:
    if isinstance(question, MatrixQuestion):
        item = next((i for i in question.items if f"{question.id}_{i.id}" == variable), None)
        if item is not None:
            return f"{question.label} – {item.label}"
    return question.label


def _blocks(src, places, audiences, questionnaire_of, k) -> dict[tuple[str, str], Block]:
    """(audience, variable) -> its block, before the bars are placed on the axis. The items
    of a matrix that measure one theme share one block (keyed by the first item): one
    question, one legend, a heading per item."""
    found: dict[tuple[str, str], Block] = {}
    rows_of = [src.rows(p.level, p.unit) for p in places]
    stats_of = [src.stats(p.level, p.unit) for p in places]
    for audience in audiences:
        q = questionnaire_of[audience]
        options = q.options
        matrix_first: dict[tuple[str, str], str] = {}
        for variable, question, kind in q.variables():
            key = (audience, q.id, variable)
            frames = [rows.get(key) for rows in rows_of]
            if frames[0] is None:
                continue  # not published at this level (or nobody answered it)
            label = _question_label(question, variable)
            choices = options.get(question.id, ())
            labels = {str(c.value): c.label for c in choices}
            if kind == "number":
                found[(audience, variable)] = _number_block(
                    label, variable, question, places, frames, stats_of, key, k
                )
            elif kind == "code" and isinstance(question, ORDERED):
                points = [str(c.value) for c in choices if c.value not in (DONT_KNOW, OTHER)]
                if isinstance(question, MatrixQuestion):
                    item = label.removeprefix(f"{question.label} – ")
                    block = _scale_block(
                        question.label, variable, labels, points, places, frames, k, item
                    )
                    group = (question.id, q.themes.get(variable) or "")
                    first = matrix_first.setdefault(group, variable)
                    if first != variable:
                        found[(audience, first)] = _merged(found[(audience, first)], block)  # type: ignore[arg-type]
                        continue
                    found[(audience, variable)] = block
                else:
                    found[(audience, variable)] = _scale_block(
                        label, variable, labels, points, places, frames, k
                    )
            elif kind in ("code", "codes"):
                values = [str(c.value) for c in choices]
                found[(audience, variable)] = _choice_block(
                    label, variable, labels, values, isinstance(question, MultiQuestion),
                    places, frames, k,
                )  # fmt: skip
    return found


def _merged(block: ScaleBlock, more: ScaleBlock) -> ScaleBlock:
    return ScaleBlock(
        block.label,
        block.variable,
        block.legend + tuple(entry for entry in more.legend if entry not in block.legend),
        block.rows + more.rows,
        block.has_dont_know or more.has_dont_know,
    )


def _by_value(frame: pd.DataFrame | None) -> dict[str, tuple]:
    if frame is None:
        return {}
    # one array of the four columns (pandas' row iteration, per question and place, was a
    # fifth of a school report's model)
    rows = frame[["value", "n", "percent", "status"]].to_numpy(dtype=object).tolist()
    return {str(v): (n, p, s) for v, n, p, s in rows}


def _scale_block(label, variable, labels, points, places, frames, k, item="") -> ScaleBlock:
    place_sides = charts.sides(len(points))
    legend = tuple(
        (labels.get(p, p), charts.tone_of(*side))
        for p, side in zip(points, place_sides, strict=True)
    )
    rows = []
    has_dk = False
    for place, frame in zip(places, frames, strict=True):
        values = _by_value(frame)
        if not values:
            continue
        n_raw, _p, n_status = values.get(ALL, (float("nan"), None, "primary"))
        n = count(n_raw, n_status, k)
        dk = values.get(str(DONT_KNOW))
        has_dk = has_dk or dk is not None
        if n.hidden:
            rows.append(ScaleRow(place.label, n, (), None, n.text, variable, item))
            continue
        together = _hidden_together(values, points, place_sides, dk)
        if together is None:
            why = _("Verteilung gesperrt: einzelne Antworten zu selten")
            rows.append(ScaleRow(place.label, n, (), None, why, variable, item))
            continue
        hidden_points, rest = together
        shares = [float(values[p][1]) if p not in hidden_points else 0.0 for p in points]
        if hidden_points:  # their sum, on the first of them (its span becomes theirs)
            shares[points.index(hidden_points[0])] = rest
        spans = charts.stack(shares, place_sides)
        together_at = [spans[points.index(p)] for p in hidden_points]
        segments = tuple(
            Segment(labels.get(p, p), percent(share, "published", k), x0, x1,
                    charts.tone_of(*side), False, (p,))
            if p not in hidden_points
            else Segment(  # the hidden answers as one part, where the first of them stands
                ", ".join(labels.get(h, h) for h in hidden_points), Shown(HIDDEN_SECONDARY),
                min(a for a, _b in together_at), max(b for _a, b in together_at),
                charts.HIDDEN_TOGETHER, False, tuple(hidden_points),
            )
            for p, share, (x0, x1), side in zip(points, shares, spans, place_sides, strict=True)
            if p not in hidden_points[1:]
        )  # fmt: skip
        dont_know = None
        if dk is not None:
            share = 0.0 if _missing(dk[1]) else float(dk[1])
            dont_know = Segment(
                labels.get(str(DONT_KNOW), "weiß nicht"),
                percent(share, "published", k),
                0.0,
                share,
                charts.dont_know_tone(),
                False,
                (str(DONT_KNOW),),
            )
        rows.append(ScaleRow(place.label, n, segments, dont_know, "", variable, item))
    if any(s.tone.hatched for row in rows for s in row.segments):
        legend += ((_("zusammen, einzeln geschützt"), charts.HIDDEN_TOGETHER),)
    return ScaleBlock(label, variable, legend, tuple(rows), has_dk)


def _hidden_together(values, points, place_sides, dk) -> tuple[list[str], float] | None:
    """The answers of a row whose figures are hidden, and their share together, when they
    can be drawn as one part of the bar: they lie side by side on one side of the middle,
    and everything else of the row (the other answers, "weiß nicht") is published. Their
    share together is the row's 100 % less the published shares: published figures give
    it already (the engine makes sure no such sum pins a small figure). None when the row
    cannot be drawn; ([], 0) when nothing is hidden."""
    if dk is not None and (_missing(dk[0]) or _missing(dk[1])):
        return None
    hidden_points = [p for p in points if p not in values or _missing(values[p][0])]
    if not hidden_points:
        return [], 0.0
    at = [points.index(p) for p in hidden_points]
    sides = {place_sides[i][0] for i in at}
    if len(sides) != 1 or 0 in sides or at != list(range(at[0], at[-1] + 1)):
        return None
    if any(p not in values for p in hidden_points):
        return None
    published = [float(values[p][1]) for p in points if p not in hidden_points]
    if any(_missing(x) for x in published):
        return None
    rest = 100.0 - sum(published) - (float(dk[1]) if dk is not None else 0.0)
    return hidden_points, max(rest, 0.0)


def _axis(blocks: Mapping[tuple[str, str], Block]) -> tuple[int, int, int]:
    left = right = dont_know = 0.0
    for block in blocks.values():
        if isinstance(block, ScaleBlock):
            for row in block.rows:
                for s in row.segments:
                    left, right = max(left, -s.x0), max(right, s.x1)
                if row.dont_know is not None:
                    dont_know = max(dont_know, row.dont_know.x1)
    return (
        charts.axis_end(left),
        charts.axis_end(right),
        charts.axis_end(dont_know, least=10),
    )


def _placed(block: Block, axis: tuple[int, int, int]) -> Block:
    """Segments labelled where they are wide enough on the report's axis."""
    if not isinstance(block, ScaleBlock):
        return block
    least = charts.LABEL_MIN * charts.total_width(axis)

    def labelled(s: Segment | None) -> Segment | None:
        if s is None:
            return None
        fits = s.x1 - s.x0 >= least and not s.tone.hatched  # hidden together: no figure
        return dataclasses.replace(s, labelled=fits)

    rows = tuple(
        dataclasses.replace(
            r, segments=tuple(labelled(s) for s in r.segments), dont_know=labelled(r.dont_know)
        )
        for r in block.rows
    )
    return ScaleBlock(block.label, block.variable, block.legend, rows, block.has_dont_know)


def _choice_block(label, variable, labels, values, multiple, places, frames, k) -> ChoiceBlock:
    columns = [_by_value(f) for f in frames]
    shown_places = [p for p, c in zip(places, columns, strict=True) if c]
    columns = [c for c in columns if c]
    ns = tuple(
        count(c.get(ALL, (float("nan"), None, "primary"))[0],
              c.get(ALL, (None, None, "primary"))[2], k)
        for c in columns
    )  # fmt: skip
    present = [v for v in values if any(v in c for c in columns)]
    present += sorted({v for c in columns for v in c if v != ALL and v not in present}, key=int)
    rows = []
    for value in present:
        cells = []
        for c, n_of_place in zip(columns, ns, strict=True):
            if value not in c:  # the engine published nothing for it here
                gone = n_of_place if n_of_place.hidden else Shown(HIDDEN_SECONDARY)
                cells.append(ChoiceCell(gone, gone, 0.0))
                continue
            n_raw, p_raw, status = c[value]
            share = percent(p_raw, status, k)
            n = count(n_raw, status, k)
            if n.hidden:
                share = n  # a share of a hidden count is hidden the same way
            cells.append(ChoiceCell(share, n, 0.0 if share.value is None else share.value))
        rows.append(ChoiceRow(labels.get(value, value), tuple(cells)))
    tones = tuple(charts.comparison_tone(i) for i in range(len(columns)))
    return ChoiceBlock(
        label, variable, multiple, tuple(p.label for p in shown_places), ns, tones, tuple(rows)
    )


def _number_block(label, variable, question: NumberQuestion, places, frames, stats_of, key, k):
    rows = []
    for place, frame, stats in zip(places, frames, stats_of, strict=True):
        values = _by_value(frame)
        if not values:
            continue
        n_raw, _p, status = values.get(ALL, (float("nan"), None, "primary"))
        n = count(n_raw, status, k)
        q1, median, q3 = (_statistic(stats.get((*key, name)), n) for name in ("q1", "median", "q3"))
        rows.append(NumberRow(place.label, n, q1, median, q3))
    return NumberBlock(label, variable, question.unit or "", tuple(rows))


def _statistic(value, n: Shown) -> Shown:
    """A quartile of a number question; blank where its n is hidden, a dash where the
    engine gave none."""
    if n.hidden:
        return Shown("")
    if _missing(value):
        return Shown(HIDDEN_SECONDARY)
    return Shown(number_text(value), float(value))


def _themes(src, level, unit, audiences, questionnaire_of, blocks) -> list[ThemeSection]:
    catalogue = src.catalogue
    order = [t.id for t in catalogue.themes] if catalogue else []
    labels = {t.id: t for t in catalogue.themes} if catalogue else {}
    used: dict[str, dict[str, list[Block]]] = {}
    for audience in audiences:
        q = questionnaire_of[audience]
        for variable, _question, _kind in q.variables():
            block = blocks.get((audience, variable))
            if block is None:
                continue
            theme = q.themes.get(variable) or ""
            used.setdefault(theme, {}).setdefault(audience, []).append(block)
    k = src.built.figures.k
    table = src.indicators
    mine = table[
        (table["level"] == level) & (table["unit"] == unit) & table["audience"].isin(audiences)
    ]
    sections = []
    ordered = sorted(used, key=lambda t: (t == "", order.index(t) if t in order else len(order), t))
    for i, theme in enumerate(ordered, start=1):
        theme_def = labels.get(theme)
        title = theme_def.label if theme_def else (theme or _("Weitere Fragen"))
        groups = tuple(
            AudienceGroup(a, str(AUDIENCE_LABELS[a]), tuple(used[theme][a]))
            for a in audiences
            if a in used[theme]
        )
        rows_here = mine[mine["theme"] == theme] if theme else mine.iloc[0:0]
        perspective_audiences = tuple(a for a in audiences if a in set(rows_here["audience"]))
        perspectives = []
        for _indicator, part in rows_here.groupby("indicator", sort=True):
            by_audience = {r.audience: r for r in part.itertuples(index=False)}
            cells = []
            for a in perspective_audiences:
                r = by_audience.get(a)
                if r is None:
                    cells.append((Shown(""), Shown("")))
                    continue
                people = src.respondents.get(level, unit, a)
                status = "primary" if people.status == "primary" else "secondary"
                cells.append((percent(r.share, status, k), count(r.n, status, k)))
            first = part.iloc[0]
            perspectives.append(
                PerspectiveRow(
                    first["label"],
                    _("Bedarf") if first["kind"] == "need" else _("Stärke"),
                    tuple(cells),
                )
            )
        sections.append(
            ThemeSection(
                anchor=f"thema-{i}",
                title=title,
                description=(theme_def.description or "") if theme_def else "",
                perspective_audiences=tuple(str(AUDIENCE_LABELS[a]) for a in perspective_audiences),
                perspectives=tuple(perspectives),
                groups=groups,
            )
        )
    return sections


def _free_text(audiences, questionnaire_of, free_text) -> FreeTextSection:
    questions = []
    for audience in audiences:
        q = questionnaire_of[audience]
        for variable, question, kind in q.variables():
            if kind != "text":
                continue
            answers = free_text.get((audience, q.id, variable), [])
            if not answers:
                continue
            label = question.label
            if variable.endswith("_other") and variable != question.id:
                label = _("%(question)s – anderes, und zwar:", question=question.label)
            questions.append(
                FreeTextQuestion(str(AUDIENCE_LABELS[audience]), label, tuple(answers))
            )
    return FreeTextSection(
        anchor="freitext",
        title=_("Freitextantworten"),
        intro=_(
            "Nur in der Fassung für die Auswertung. Antworten in zufälliger Reihenfolge, ohne "
            "E-Mail-Adressen und Telefonnummern; nur aus Schulen mit mindestens so vielen "
            "Antworten, wie die Mindestgruppengröße verlangt. Bitte nicht wörtlich an Schulen "
            "weitergeben: ein Satz kann eine Person erkennbar machen."
        ),
        questions=tuple(questions),
    )


def _methods(src, audiences, questionnaire_of, example) -> MethodsSection:
    k = src.built.figures.k
    parts = (
        (
            _("Wer gefragt wurde"),
            (
                _(
                    "Familien, Schulpersonal, Kinder und Partner im Stadtteil wurden über "
                    "Links und QR-Codes der Schule eingeladen (Elternbriefe, Aushänge, "
                    "Messenger) und konnten den Fragebogen in ihrer Sprache am Handy, am "
                    "Computer oder auf Papier beantworten. Die Teilnahme war freiwillig und "
                    "anonym: gespeichert werden weder Namen noch Adressen, noch die Uhrzeit."
                ),
                _(
                    "Die Rücklaufquote vergleicht die Zahl der Antworten mit der Zahl, die die "
                    "Schule erwartet hat (zum Beispiel die Zahl der Familien). Sie steht nur "
                    "dort, wo alle Schulen eine erwartete Zahl angegeben haben."
                ),
            ),
        ),
        (
            _("Kleine Gruppen sind geschützt"),
            (
                _(
                    "Eine Zahl, hinter der weniger als %(k)s Antworten stehen, wird nie "
                    "gezeigt; an ihrer Stelle steht „weniger als %(k)s“. So kann niemand aus "
                    "dem Bericht ablesen, wie eine einzelne Person geantwortet hat.",
                    k=k,
                ),
                _(
                    "Damit man eine verborgene Zahl auch nicht aus Summen ausrechnen kann (zum "
                    "Beispiel: Sozialraum minus alle anderen Schulen), werden weitere Zahlen "
                    "gesperrt; sie stehen als „–“. Das heißt nicht, dass die Zahl klein ist. "
                    "Anteile und Kennzahlen stehen nur, wenn alle Zahlen, aus denen sie "
                    "berechnet sind, gezeigt werden dürfen."
                ),
                _(
                    "Manche Hintergrundfragen (etwa die Sprache) werden nur für größere "
                    "Einheiten wie den Sozialraum gezeigt. Freitextantworten erscheinen nur "
                    "in der Fassung für die Auswertung."
                ),
            ),
        ),
        (
            _("So lesen Sie die Grafiken"),
            (
                _(
                    "Bei Fragen mit einer Skala zeigt jeder Balken, wie die Antworten verteilt "
                    "sind: Ablehnung links der Mittellinie (orange), Zustimmung rechts davon "
                    "(lila); je dunkler, desto deutlicher. „weiß nicht“ steht getrennt rechts "
                    "daneben (grau). Die Prozente beziehen sich auf alle, die die Frage "
                    "beantwortet haben, „weiß nicht“ eingeschlossen."
                ),
                _(
                    "Jede Zeile vergleicht diese Einheit mit ihrem Sozialraum und der ganzen "
                    "Befragung. n ist die Zahl der Antworten in der Zeile. Kleine Unterschiede "
                    "zwischen Zeilen mit kleinem n sind oft Zufall."
                ),
                _(
                    "Bei Auswahlfragen zeigt ein Balken den Anteil derer, die eine Antwort "
                    "gewählt haben; bei Mehrfachauswahl ergeben die Anteile zusammen mehr "
                    "als 100 %. In Klammern steht die Zahl der Antworten."
                ),
            ),
        ),
    )
    questionnaires = tuple(
        (str(AUDIENCE_LABELS[a]), questionnaire_of[a].title, questionnaire_of[a].version[:12])
        for a in audiences
    )
    return MethodsSection(
        anchor="methoden",
        title=_("Methoden und Lesehilfe"),
        parts=parts,
        questionnaires=questionnaires,
        example=example,
    )


def _example(k) -> ScaleBlock:
    """A made-up bar for the reading aid (its figures are an example, not data)."""
    points = [_("stimme gar nicht zu"), _("stimme eher nicht zu"), _("stimme eher zu"),
              _("stimme voll zu")]  # fmt: skip
    shares = [10.0, 20.0, 40.0, 20.0]
    sides = charts.sides(4)
    spans = charts.stack(shares, sides)
    segments = tuple(
        Segment(p, percent(s, "published", k), x0, x1, charts.tone_of(*side), False)
        for p, s, (x0, x1), side in zip(points, shares, spans, sides, strict=True)
    )
    dk = Segment(
        _("weiß nicht"), percent(10.0, "published", k), 0.0, 10.0, charts.dont_know_tone(), False
    )
    block = ScaleBlock(
        _("Beispiel: Ich fühle mich an der Schule willkommen."),
        "",
        tuple((p, charts.tone_of(*side)) for p, side in zip(points, sides, strict=True)),
        (ScaleRow(_("Beispiel"), Shown("50", 50.0), segments, dk),),
        True,
    )
    return block
