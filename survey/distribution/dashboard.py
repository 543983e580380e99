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
        # secondary first: a small count whose "weniger als k" the protection withholds
        # (the labels alone would pin it) is shown as any other hidden figure
        if secondary:
            return cls(None, True, True)
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


def _language_groups(counts: dict[str, int], hide_below: int | None) -> list[tuple[str, int]]:
    """Languages by count. For coordinators, those below k go into one unnamed pool; while
    the pool is small (it is the total minus the named ones, so it cannot simply be
    hidden), the least used named language joins it."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if hide_below is None:
        return ranked
    shown = [(lang, n) for lang, n in ranked if n >= hide_below]
    pooled = sum(n for _lang, n in ranked if n < hide_below)
    while 0 < pooled < hide_below and shown:
        pooled += shown.pop()[1]
    return [*shown, (OTHER_LANGUAGES, pooled)] if pooled else shown


def _pool_of(groups: list[tuple[str, int]], language: str) -> str:
    named = {label for label, _n in groups}
    return language if language in named else OTHER_LANGUAGES


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
    triples = session.execute(
        narrowed(
            select(Response.school_id, Response.audience, Response.language, func.count()).group_by(
                Response.school_id, Response.audience, Response.language
            ),
            Response.campaign_id,
        )
    ).all()
    for school_id, audience, language, n in triples:
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
    all_languages: dict[str, int] = defaultdict(int)
    for sid in ids:
        for lang, n in by_language.get(sid, {}).items():
            all_languages[lang] += n
    school_languages = {sid: _language_groups(by_language.get(sid, {}), hide_below) for sid in ids}
    scope_languages = _language_groups(dict(all_languages), hide_below)
    hidden: set = set()
    if hide_below is not None:
        district_of = {sid: district for sid, _number, _name, district in schools}
        hidden = _hidden(
            [t for t in triples if t[0] in district_of and t[1] in audiences],
            district_of,
            audiences,
            school_languages,
            scope_languages,
            hide_below,
        )

    def languages(groups: list[tuple[str, int]], key) -> list[tuple[str, Figure]]:
        return [
            (label, Figure.of(n, hide_below, ("language", key, label) in hidden))
            for label, n in groups
        ]

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
    for school_id, number, name, district in schools:
        parts, wanted = counts[school_id], expected.get(school_id, {})
        cells = {a: cell(parts[a], wanted.get(a), (school_id, a) in hidden) for a in audiences}
        total = total_cell(parts, wanted, (school_id, None) in hidden)
        shown = languages(school_languages[school_id], school_id)
        rows.append(Row(school_id, number, name, district, cells, total, shown))
        sums = district_sums[district]
        for a in audiences:
            sums[0][a] += parts[a]
            all_counts[a] += parts[a]
            if wanted.get(a):
                sums[1][a] += wanted[a]
                all_expected[a] += wanted[a]

    def totals(label: str, parts: dict[str, int], wanted: dict[str, int], key) -> Totals:
        parts = {a: parts.get(a, 0) for a in audiences}
        cells = {a: cell(parts[a], wanted.get(a), (key, a) in hidden) for a in audiences}
        return Totals(label, total_cell(parts, wanted, (key, None) in hidden), cells)

    days = [(day, n) for day, n in day_counts]
    hidden_days: set[int] = set()
    days_withheld = False
    if hide_below is not None:
        hidden_days, days_withheld = _hidden_days([n for _day, n in days], hide_below)
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
        languages=languages(scope_languages, "all"),
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


def _hidden(
    triples: list,
    district_of: dict[int, str],
    audiences: list[str],
    school_languages: dict[int, list[tuple[str, int]]],
    scope_languages: list[tuple[str, int]],
    k: int,
) -> set:
    """Which figures are shown as "verborgen": those a small one could be worked out from,
    by any sum of what the page shows, and small ones whose "weniger als k" would give
    them away (the small ones otherwise show that label by their count) (``survey.core.suppress``: the
    rank test, and what "weniger als k" tells). The page's figures are sums of counts per
    school, audience and answer language; each is a cell of one system:

    - (school, audience), (school, None) for a school's total;
    - (("district", name), audience) and (("district", name), None);
    - ("all", audience) and ("all", None) for the overall figures;
    - ("language", school or "all", language or the pool) for the languages.
    """
    # numpy: loaded by a worker on its first coordinator dashboard, not on start-up
    from survey.core.suppress import Cell, Relation, Status, System, protect

    system = System()
    members: dict = defaultdict(list)
    for school_id, audience, language, n in triples:
        inner = system.add_inner(n)
        district = ("district", district_of[school_id])
        pool = _pool_of(school_languages[school_id], language)
        for key in (
            (school_id, audience),
            (school_id, None),
            (district, audience),
            (district, None),
            ("all", audience),
            ("all", None),
            ("language", school_id, pool),
            ("language", "all", _pool_of(scope_languages, language)),
        ):
            members[key].append(inner)
    index: dict = {}

    def cell(key, level: int) -> int:
        if key not in index:
            inner = tuple(members.get(key, ()))
            n = sum(system.inner_values[i] for i in inner)
            index[key] = system.add_cell(Cell(key, inner, n, level))
        return index[key]

    def relation(parent, children) -> None:
        system.relations.append(Relation(parent, tuple(children)))

    schools = sorted(district_of)
    districts = sorted({("district", d) for d in district_of.values()})
    for unit, level in [*((s, 0) for s in schools), *((d, 1) for d in districts), ("all", 2)]:
        relation(cell((unit, None), level + 1), [cell((unit, a), level) for a in audiences])
    for sid in schools:
        groups = [cell(("language", sid, label), 0) for label, _n in school_languages[sid]]
        relation(cell((sid, None), 1), groups)
    groups = [cell(("language", "all", label), 2) for label, _n in scope_languages]
    relation(cell(("all", None), 3), groups)
    for district in districts:
        own = [sid for sid in schools if ("district", district_of[sid]) == district]
        for a in [*audiences, None]:
            relation(cell((district, a), 1 + (a is None)), [cell((s, a), a is None) for s in own])
    for a in [*audiences, None]:
        relation(
            cell(("all", a), 2 + (a is None)), [cell((d, a), 1 + (a is None)) for d in districts]
        )
    result = protect(system, k)
    return {
        c.key
        for c, status in zip(system.cells, result.status, strict=True)
        if status is Status.SECONDARY
    }


def _hidden_days(values: list[int], k: int) -> tuple[set[int], bool]:
    """The days a coordinator must not see, and whether the days must go altogether: they
    add up to the total the page shows (the same system of sums, with one sum)."""
    from survey.core.suppress import Cell, Relation, Status, System, protect

    system = System()
    days = [system.add_cell(Cell(i, (system.add_inner(n),), n)) for i, n in enumerate(values)]
    total = system.add_cell(Cell("total", tuple(range(len(values))), sum(values), 1))
    system.relations.append(Relation(total, tuple(days)))
    status = protect(system, k).status
    hidden = {i for i in days if status[i] is not Status.PUBLISHED}
    return hidden, status[total] is not Status.PUBLISHED


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
