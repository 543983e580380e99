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
from dataclasses import dataclass, field
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
    """A count as shown: ``value`` is None when it is hidden, either because it is small
    (0 < n < k) or, ``secondary``, because a small one could be worked out from it."""

    value: int | None
    hidden: bool = False
    secondary: bool = False

    @classmethod
    def of(cls, count: int, hide_below: int | None, secondary: bool = False) -> Figure:
        if hide_below is not None and 0 < count < hide_below:
            return cls(None, True)
        if secondary:
            return cls(None, True, True)
        return cls(count)


def protect(values: list[int], k: int, hidden: set[int] | None = None) -> tuple[set[int], bool]:
    """Secondary suppression for parts published with their total.

    Returns the parts to hide (the small ones and, if needed, one more) and whether the
    total must be hidden too. Small parts alone under a published total can be pinned:
    one hidden part is the total minus the others, and n hidden parts summing to n or
    to n*(k-1) must each be 1 or k-1. Hiding the smallest part that is not small as well
    adds an unknown of at least k, so no hidden part is determined any more. If every
    part that is not zero is small, the total is hidden instead when it would pin them.
    """
    hide = set(hidden or ()) | {i for i, v in enumerate(values) if 0 < v < k}
    small = [i for i in hide if 0 < values[i] < k]
    if not small or any(values[i] >= k for i in hide):
        return hide, False  # nothing small, or an unknown of at least k is already hidden
    others = sorted((v, i) for i, v in enumerate(values) if i not in hide and v >= k)
    if others:
        return hide | {others[0][1]}, False
    n, total = len(small), sum(values[i] for i in small)
    return hide, n == 1 or total in (n, n * (k - 1))


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
class CodeRow:
    """One-time access codes of a school and audience: issued (all batches), used, open.
    Used codes count answers: coordinators see them as hidden as the responses."""

    number: str
    name: str
    audience: str
    required: bool
    issued: int
    used: Figure
    open: int


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
    #: True when the days are left out because the total would give small ones away
    days_withheld: bool = False
    #: where codes are on or were issued, by school number and audience
    codes: list[CodeRow] = field(default_factory=list)


def _rate(count: int, expected: int | None, figure: Figure) -> float | None:
    if figure.hidden or not expected:
        return None
    return count / expected


def _languages(counts: dict[str, int], hide_below: int | None) -> list[tuple[str, Figure]]:
    """Languages by count. For coordinators, those below k go into one unnamed pool; while
    the pool is small (it is the total minus the named ones, so it cannot simply be
    hidden), the least used named language joins it."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if hide_below is None:
        return [(lang, Figure(n)) for lang, n in ranked]
    shown = [(lang, n) for lang, n in ranked if n >= hide_below]
    pooled = sum(n for _lang, n in ranked if n < hide_below)
    while 0 < pooled < hide_below and shown:
        pooled += shown.pop()[1]
    result = [(lang, Figure(n)) for lang, n in shown]
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
    day_counts = list(
        session.execute(
            narrowed(
                select(Response.submitted_on, func.count())
                .group_by(Response.submitted_on)
                .order_by(Response.submitted_on),
                Response.campaign_id,
            )
        )
    )
    expected: dict[int, dict[str, int]] = defaultdict(dict)
    expected_query = select(
        ExpectedCount.school_id, ExpectedCount.audience, ExpectedCount.expected
    ).where(ExpectedCount.campaign_id == campaign.id)
    if scope is not None:
        expected_query = expected_query.where(ExpectedCount.school_id.in_(scope))
    for school_id, audience, n in session.execute(expected_query):
        expected[school_id][audience] = n

    ids = [school_id for school_id, *_rest in schools]
    counts = {sid: {a: by_audience.get(sid, {}).get(a, 0) for a in audiences} for sid in ids}
    hidden = _suppressed(ids, audiences, counts, hide_below)

    def cell(count: int, wanted: int | None, secondary: bool) -> Cell:
        figure = Figure.of(count, hide_below, secondary)
        return Cell(figure, wanted, _rate(count, wanted, figure))

    def total_cell(parts: dict[str, int], wanted: dict[str, int], secondary: bool) -> Cell:
        with_expected = [a for a in audiences if wanted.get(a)]
        expected_sum = sum(wanted[a] for a in with_expected) or None
        figure = Figure.of(sum(parts.values()), hide_below, secondary)
        counted = sum(parts[a] for a in with_expected)
        rate = _rate(counted, expected_sum, figure)
        if hide_below is not None and counted != sum(parts.values()):
            # rate x expected would give the responses of the audiences without an
            # expected number, which may be hidden ones
            rate = None
        return Cell(figure, expected_sum, rate)

    rows: list[Row] = []
    district_sums: dict[str, list[dict[str, int]]] = defaultdict(
        lambda: [defaultdict(int), defaultdict(int)]
    )
    all_counts: dict[str, int] = defaultdict(int)
    all_expected: dict[str, int] = defaultdict(int)
    all_languages: dict[str, int] = defaultdict(int)
    for school_id, number, name, district in schools:
        parts, wanted = counts[school_id], expected.get(school_id, {})
        cells = {a: cell(parts[a], wanted.get(a), (school_id, a) in hidden) for a in audiences}
        total = total_cell(parts, wanted, (school_id, None) in hidden)
        languages = _languages(by_language.get(school_id, {}), hide_below)
        rows.append(Row(school_id, number, name, district, cells, total, languages))
        sums = district_sums[district]
        for a in audiences:
            sums[0][a] += parts[a]
            all_counts[a] += parts[a]
            if wanted.get(a):
                sums[1][a] += wanted[a]
                all_expected[a] += wanted[a]
        for lang, n in by_language.get(school_id, {}).items():
            all_languages[lang] += n

    def totals(label: str, parts: dict[str, int], wanted: dict[str, int], key) -> Totals:
        parts = {a: parts.get(a, 0) for a in audiences}
        cells = {a: cell(parts[a], wanted.get(a), (key, a) in hidden) for a in audiences}
        return Totals(label, total_cell(parts, wanted, (key, None) in hidden), cells)

    days = [(day, n) for day, n in day_counts]
    hidden_days: set[int] = set()
    days_withheld = False
    if hide_below is not None:
        hidden_days, days_withheld = protect([n for _day, n in days], hide_below)
        if days_withheld:  # the total would give the small days away: no days at all
            days, hidden_days = [], set()
    rows.sort(key=_sort_key(sort))
    code_rows = _code_rows(session, campaign, schools, scope, hide_below, hidden)
    return Dashboard(
        campaign=campaign,
        audiences=audiences,
        rows=rows,
        districts=[
            totals(name, c, e, ("district", name)) for name, (c, e) in sorted(district_sums.items())
        ],
        total=totals("", all_counts, all_expected, "all"),
        days=[
            (day, Figure.of(n, hide_below, i in hidden_days and n >= (hide_below or 0)))
            for i, (day, n) in enumerate(days)
        ],
        languages=_languages(dict(all_languages), hide_below),
        hide_below=hide_below,
        days_withheld=days_withheld,
        codes=code_rows,
    )


def _code_rows(session, campaign, schools, scope, hide_below, hidden) -> list[CodeRow]:
    from survey.distribution.codes import counts

    named = {school_id: (number, name) for school_id, number, name, _district in schools}
    rows = []
    for (school_id, audience), c in counts(session, campaign.id, scope).items():
        if school_id not in named:
            continue
        number, name = named[school_id]
        # A used code is a response: hidden wherever that response count is.
        used = Figure.of(c.used, hide_below, (school_id, audience) in hidden)
        rows.append(CodeRow(number, name, audience, c.required, c.issued, used, c.open))
    order = {a: i for i, a in enumerate(AUDIENCES)}
    return sorted(rows, key=lambda r: (r.name.lower(), order.get(r.audience, 9)))


def _suppressed(
    ids: list[int], audiences: list[str], counts: dict[int, dict[str, int]], k: int | None
) -> set:
    """Which figures a coordinator must not see exactly (only small ones are hidden by
    ``Figure.of``; this adds the secondary ones). Keys: (school, audience), (school, None)
    for a school's total, ("all", audience) and ("all", None) for the overall figures."""
    if k is None:
        return set()
    hidden: set = set()
    # Each school: its audiences under the school's total.
    for sid in ids:
        values = [counts[sid][a] for a in audiences]
        parts, pins = protect(values, k)
        hidden |= {(sid, audiences[i]) for i in parts}
        if pins:
            hidden.add((sid, None))
    if len(ids) == 1:  # the overall figures are that school's figures
        sid = ids[0]
        hidden |= {("all", a) for (s, a) in list(hidden) if s == sid}
        return hidden
    # Several schools: each audience's cells under the overall figure for that audience,
    # and the schools' totals under the overall total.
    for a in [*audiences, None]:
        if a is None:
            values = [sum(counts[sid].values()) for sid in ids]
        else:
            values = [counts[sid][a] for sid in ids]
        already = {i for i, sid in enumerate(ids) if (sid, a) in hidden}
        parts, pins = protect(values, k, already)
        hidden |= {(ids[i], a) for i in parts}
        if pins:
            hidden.add(("all", a))
    return hidden


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
