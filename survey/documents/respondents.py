"""How many responded per unit and audience, protected like every other figure, and the
response rate against the numbers the schools expected (the report's cover).

Each audience's counts of every school, district and the municipality form one system
of sums, protected by the engine's ``suppress.protect`` exactly as the engine protects
how many answered a question: a count of 1 to k-1 shows "weniger als k", and more are
hidden until none can be worked out from the others. No total over the audiences is
published (it would give a hidden audience back from the shown ones).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core.suppress import ALL, LEVELS, Hierarchy, Status, frequency_system, protect
from survey.distribution.models import Campaign, CampaignSchool, ExpectedCount
from survey.reports import aggregate


@dataclass(frozen=True)
class Count:
    #: None when hidden
    n: int | None
    status: str
    #: the sum of the expected numbers of the unit's schools; None unless every school of
    #: the campaign in the unit gave one
    expected: int | None = None


@dataclass(frozen=True)
class Respondents:
    #: (level, unit, audience) -> the count as it may be shown
    counts: dict[tuple[str, str, str], Count]
    #: the raw counts per school unit and audience: only for deciding which free-text
    #: answers may be listed, never shown
    per_school: dict[tuple[str, str], int]
    #: (level, unit) -> its schools' units
    schools_of: dict[tuple[str, str], frozenset[str]]

    def get(self, level: str, unit: str, audience: str) -> Count:
        return self.counts.get((level, unit, audience), Count(0, Status.PUBLISHED.value))


def compute(session: Session, campaign: Campaign, k: int) -> Respondents:
    places = aggregate.places(session, campaign)
    by_id = {p.school_id: p for p in places}
    municipality = campaign.municipality.name
    hierarchy = Hierarchy({p.unit: p.district for p in places}, municipality)
    schools_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p in places:
        for level in LEVELS:
            schools_of[(level, hierarchy.unit_at(p.unit, level))].add(p.unit)
    people = aggregate.respondent_counts(session, campaign.id)
    per_school: dict[tuple[str, str], int] = {}
    for school_id, audience, n in people[["school_id", "audience", "n"]].itertuples(
        index=False, name=None
    ):
        if school_id in by_id:
            per_school[(by_id[school_id].unit, str(audience))] = int(n)
    expected = _expected(session, campaign, by_id, hierarchy)
    counts: dict[tuple[str, str, str], Count] = {}
    for audience in sorted({a for _u, a in per_school}):
        given = {(u, None, ALL): n for (u, a), n in per_school.items() if a == audience and n}
        table = frequency_system(given, hierarchy, [ALL], total=False, k=k)
        result = protect(table.system, k)
        for (level, unit, group, _value), i in table.index.items():
            if group is not None:
                continue
            status = result.status[i]
            n = table.system.cells[i].n if status is Status.PUBLISHED else None
            counts[(level, unit, audience)] = Count(
                n, status.value, expected.get((level, unit, audience))
            )
    # units of the campaign without any response of an audience: a published 0
    for level_unit in schools_of:
        for audience in {a for _l, _u, a in counts} | {a for *_x, a in expected}:
            key = (*level_unit, audience)
            if key not in counts:
                counts[key] = Count(0, Status.PUBLISHED.value, expected.get(key))
    return Respondents(counts, per_school, {u: frozenset(s) for u, s in schools_of.items()})


def _expected(session, campaign, by_id, hierarchy) -> dict[tuple[str, str, str], int]:
    """Sum of the expected numbers per unit and audience, where every school of the
    campaign in that unit gave one (a partial sum would make a wrong rate)."""
    in_campaign = {
        sid
        for sid in session.scalars(
            select(CampaignSchool.school_id).where(CampaignSchool.campaign_id == campaign.id)
        )
        if sid in by_id
    }
    given: dict[tuple[int, str], int] = {
        (sid, audience): n
        for sid, audience, n in session.execute(
            select(ExpectedCount.school_id, ExpectedCount.audience, ExpectedCount.expected).where(
                ExpectedCount.campaign_id == campaign.id
            )
        )
        if sid in in_campaign and n
    }
    sums: dict[tuple[str, str, str], int] = defaultdict(int)
    missing: set[tuple[str, str, str]] = set()
    for audience in {a for _s, a in given}:
        for sid in in_campaign:
            for level in LEVELS:
                key = (level, hierarchy.unit_at(by_id[sid].unit, level), audience)
                if (sid, audience) in given:
                    sums[key] += given[(sid, audience)]
                else:
                    missing.add(key)
    return {key: n for key, n in sums.items() if key not in missing}
