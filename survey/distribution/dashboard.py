"""The field-phase dashboard: responses, expected numbers, rates, languages and days.

Every figure is counted in the database (GROUP BY); no response row is loaded into
Python. Coordinators see only their schools, and any count from 1 to k-1 (k = the
minimum group size) is hidden from them, the response rate with it (rate and
expected number would give the count back). Languages below k are pooled into
"weitere Sprachen" without naming them: a language used by two families at a
small school would point at those families.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.distribution.models import (
    AUDIENCES,
    Campaign,
    CampaignSchool,
    District,
    ExpectedCount,
    School,
)
from survey.respond.models import Response

OTHER_LANGUAGES = "*"


@dataclass(frozen=True)
class Figure:
    """A count as shown: ``value`` is None when it is hidden (0 < n < k)."""

    value: int | None
    hidden: bool = False

    @classmethod
    def of(cls, count: int, hide_below: int | None) -> Figure:
        if hide_below is not None and 0 < count < hide_below:
            return cls(None, True)
        return cls(count)


@dataclass
class Cell:
    responses: Figure
    expected: int | None
    #: share of the expected number, 0..1+; None if unknown or hidden
    rate: float | None


@dataclass
class Row:
    school_id: int
    number: str
    name: str
    district: str
    cells: dict[str, Cell]
    total: Cell
    languages: list[tuple[str, Figure]]


@dataclass
class Totals:
    name: str
    total: Cell
    cells: dict[str, Cell]


@dataclass
class Dashboard:
    campaign: Campaign
    audiences: list[str]
    rows: list[Row]
    districts: list[Totals]
    total: Totals
    days: list[tuple[date, Figure]]
    languages: list[tuple[str, Figure]]
    hide_below: int | None


def _rate(count: int, expected: int | None, figure: Figure) -> float | None:
    if figure.hidden or not expected:
        return None
    return count / expected


def _cell(count: int, expected: int | None, hide_below: int | None) -> Cell:
    figure = Figure.of(count, hide_below)
    return Cell(figure, expected, _rate(count, expected, figure))


def _languages(counts: dict[str, int], hide_below: int | None) -> list[tuple[str, Figure]]:
    shown = sorted(
        ((lang, n) for lang, n in counts.items() if hide_below is None or n >= hide_below),
        key=lambda item: (-item[1], item[0]),
    )
    result = [(lang, Figure(n)) for lang, n in shown]
    pooled = sum(n for lang, n in counts.items() if hide_below is not None and n < hide_below)
    if pooled:
        result.append((OTHER_LANGUAGES, Figure.of(pooled, hide_below)))
    return result


SORTS = ("rate", "name", "number", "district", "responses")


def build(
    session: Session,
    campaign: Campaign,
    scope: Collection[int] | None,
    hide_below: int | None,
    sort: str = "rate",
) -> Dashboard:
    """The dashboard for the schools in ``scope`` (None: all of the campaign's schools)."""
    audiences = [a for a in AUDIENCES if campaign.questionnaire_for(a)]

    def narrowed(query, column):
        query = query.where(column == campaign.id) if column is not None else query
        return query.where(Response.school_id.in_(scope)) if scope is not None else query

    school_query = (
        select(School.id, School.number, School.name, District.name)
        .join(CampaignSchool, CampaignSchool.school_id == School.id)
        .join(District, District.id == School.district_id)
        .where(CampaignSchool.campaign_id == campaign.id)
    )
    if scope is not None:
        school_query = school_query.where(School.id.in_(scope))
    schools = session.execute(school_query).all()

    # One pass over the covering index gives both breakdowns (at most schools x 4 x
    # languages rows come back); the sums per audience and per language are made from them.
    by_audience: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_language: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for school_id, audience, language, n in session.execute(
        narrowed(
            select(Response.school_id, Response.audience, Response.language, func.count()).group_by(
                Response.school_id, Response.audience, Response.language
            ),
            Response.campaign_id,
        )
    ):
        by_audience[school_id][audience] += n
        by_language[school_id][language] += n
    days = [
        (day, Figure.of(n, hide_below))
        for day, n in session.execute(
            narrowed(
                select(Response.submitted_on, func.count())
                .group_by(Response.submitted_on)
                .order_by(Response.submitted_on),
                Response.campaign_id,
            )
        )
    ]
    expected: dict[int, dict[str, int]] = defaultdict(dict)
    expected_query = select(
        ExpectedCount.school_id, ExpectedCount.audience, ExpectedCount.expected
    ).where(ExpectedCount.campaign_id == campaign.id)
    if scope is not None:
        expected_query = expected_query.where(ExpectedCount.school_id.in_(scope))
    for school_id, audience, n in session.execute(expected_query):
        expected[school_id][audience] = n

    rows: list[Row] = []
    district_sums: dict[str, list[dict[str, int]]] = defaultdict(lambda: [{}, {}])
    all_counts: dict[str, int] = defaultdict(int)
    all_expected: dict[str, int] = defaultdict(int)
    all_languages: dict[str, int] = defaultdict(int)
    for school_id, number, name, district in schools:
        counts, wanted = by_audience.get(school_id, {}), expected.get(school_id, {})
        cells = {a: _cell(counts.get(a, 0), wanted.get(a), hide_below) for a in audiences}
        total_count = sum(counts.get(a, 0) for a in audiences)
        with_expected = [a for a in audiences if wanted.get(a)]
        total_expected = sum(wanted[a] for a in with_expected) or None
        counted = sum(counts.get(a, 0) for a in with_expected)
        figure = Figure.of(total_count, hide_below)
        total = Cell(figure, total_expected, _rate(counted, total_expected, figure))
        rows.append(
            Row(
                school_id,
                number,
                name,
                district,
                cells,
                total,
                _languages(by_language.get(school_id, {}), hide_below),
            )
        )
        sums = district_sums[district]
        for a in audiences:
            sums[0][a] = sums[0].get(a, 0) + counts.get(a, 0)
            all_counts[a] += counts.get(a, 0)
            if wanted.get(a):
                sums[1][a] = sums[1].get(a, 0) + wanted[a]
                all_expected[a] += wanted[a]
        for lang, n in by_language.get(school_id, {}).items():
            all_languages[lang] += n

    def totals(label: str, counts: dict[str, int], wanted: dict[str, int]) -> Totals:
        cells = {a: _cell(counts.get(a, 0), wanted.get(a), hide_below) for a in audiences}
        count = sum(counts.get(a, 0) for a in audiences)
        expected_sum = sum(wanted.values()) or None
        counted = sum(counts.get(a, 0) for a in wanted)
        figure = Figure.of(count, hide_below)
        return Totals(
            label, Cell(figure, expected_sum, _rate(counted, expected_sum, figure)), cells
        )

    rows.sort(key=_sort_key(sort))
    return Dashboard(
        campaign=campaign,
        audiences=audiences,
        rows=rows,
        districts=[totals(name, c, e) for name, (c, e) in sorted(district_sums.items())],
        total=totals("", all_counts, all_expected),
        days=days,
        languages=_languages(dict(all_languages), hide_below),
        hide_below=hide_below,
    )


def _sort_key(sort: str):
    if sort == "name":
        return lambda r: r.name.lower()
    if sort == "number":
        return lambda r: r.number
    if sort == "district":
        return lambda r: (r.district.lower(), r.name.lower())
    if sort == "responses":
        return lambda r: (r.total.responses.value is None, -(r.total.responses.value or 0))
    # The schools that lag behind first; those without expected numbers at the end.
    return lambda r: (r.total.rate is None, r.total.rate or 0.0, r.name.lower())
