"""Breakdowns of the figures by answer language, school type and Sozialindex level.

A breakdown group (the families of a school who answered in Turkish, the Grundschulen
of a district, the schools of Sozialindex 7) is identifying when it is small, and its
figures are part of the same system of sums as the unit figures they break down: the
unit's row is the sum of its groups' rows, a district's group the sum of its schools'
(groups), and so on. For each question this module builds that joint system over the
finest cells it implies (school x answer language x answer value) and protects it
with ``survey.core.suppress``:

* the unit figures keep the status they have without breakdowns (``settled``): only
  breakdown cells are hidden further, so the tidy CSV is the same with or without
  breakdowns. That is always possible, because hiding every breakdown cell leaves the
  unit figures alone, which are protected; the joint system is then checked
  (``leaks``: the rank test over every published cell, unit figures included, what
  "weniger als k" tells, and sums that pin hidden members below k). Should a leak
  remain (the bounds that "weniger als k" of the groups gives can narrow a hidden unit
  figure, which no further hiding undoes), the question is published without that
  breakdown (fail closed).
* a group with fewer than k respondents, or fewer than k who answered the question,
  shows nothing but "weniger als k"; a group's figure that holds its whole row is
  hidden (group disclosure, ``suppress`` module docstring).
* identifying variables (``identifying`` in the questionnaires) are never broken down
  by the answer language, which counts as identifying itself; no breakdown is shown
  below the lowest level a variable is shown at.
* school type and Sozialindex are properties of schools: their groups are sums of
  whole schools. They are published (at the district and the municipality) only for
  variables that are shown at the school level too, so that every school's figure is
  a cell of the system and the rank test sees any school that a group's figure would
  give away (a district-only questionnaire would otherwise show its single Gymnasium).

Cells of a unit figure that is a published 0 pin every finer cell below it to 0: they
are left out of the system (known zeros, as the unit figures treat them).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from babel import Locale, UnknownLocaleError

from survey.core.suppress import (
    ALL,
    LEVELS,
    Cell,
    Hierarchy,
    Incidence,
    Links,
    Protection,
    Relation,
    Status,
    System,
    narrowed_to_one,
    pinned_sums,
    recoverable_blocks,
    relation_map,
    unlabelled_in,
)
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.model import LANGUAGE_VARIABLE
from survey.reports import aggregate, stored
from survey.reports.figures import Figures, _small_units, _values, shown_levels

#: the breakdowns, in the order the outputs show them
BREAKDOWNS = ("language", "school_type", "sozialindex")
#: properties of a school (the others belong to each response)
SCHOOL_BREAKDOWNS = ("school_type", "sozialindex")
BREAKDOWN_COLUMNS = [
    "level",
    "unit",
    "parent",
    "breakdown",
    "group",
    "audience",
    "questionnaire",
    "question",
    "value",
    "n",
    "percent",
]

#: (level, unit, breakdown, group); breakdown and group None for the unit's own row
Row = tuple[str, str, str | None, str | None]


@dataclass
class BreakdownFigures:
    """The suppressed breakdown figures of a campaign."""

    #: BREAKDOWN_COLUMNS + status; n and percent NaN when hidden
    frame: pd.DataFrame
    #: (audience, questionnaire, variable, breakdown) left out because the joint system
    #: could not be protected with the unit figures as they are (fail closed)
    withheld: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: the joint systems and their protection (only when asked for: tests, the audit)
    systems: list[tuple[tuple, JointTable, Protection]] = field(default_factory=list)


@dataclass
class JointTable:
    system: System
    #: (level, unit, breakdown, group, value) -> cell index
    index: dict[tuple, int]
    #: cells of a unit figure (breakdown None): their status is the unit figures'
    settled: dict[int, Status]
    #: breakdown cells left out of the system: known to be 0 -> hidden with their row?
    known_zero: dict[tuple, bool]
    #: hidden cells that the unit figures give away already (not a leak of breakdowns)
    exempt: set[int] = field(default_factory=set)
    #: the system as matrices for the rank test and the bounds, made once: the cells and
    #: sums stay the same while only their status changes (``_protect_rows`` checks a
    #: system several times, ``_leaking_breakdowns`` once more)
    _incidence: Incidence | None = field(default=None, repr=False)
    _links: Links | None = field(default=None, repr=False)
    #: the last ``leaks`` of this table: (status, found); the check after
    #: ``_protect_rows`` asks again for the status its last round checked
    _last_leaks: tuple[tuple, list[int]] | None = field(default=None, repr=False)
    #: hidden cells the last rank test found not recoverable, and what was published
    #: then (see ``leaks`` below)
    _not_recoverable: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def incidence(self) -> Incidence:
        if self._incidence is None:
            self._incidence = Incidence(self.system)
        return self._incidence

    def links(self) -> Links:
        if self._links is None:
            self._links = Links(self.system)
        return self._links

    def leaks(self, protection: Protection) -> list[int]:
        """``leaks`` of this table's system (remembered for the same status).

        The rounds of ``_protect_rows`` only hide: the published cells of a round are a
        subset of the round's before, so their span (with the inner cells their zeros
        pin) is a subspace of the one before. A hidden cell outside the span stays
        outside: only the cells the last round found recoverable, and those hidden
        since, are tested again (the rank test of the other hidden rows was most of the
        time of a 100-school campaign). Should anything be published again, every
        hidden cell is tested."""
        if self._last_leaks is not None and self._last_leaks[0] == protection.status:
            return list(self._last_leaks[1])
        published = np.array([s is Status.PUBLISHED for s in protection.status], dtype=bool)
        only = None
        if self._not_recoverable is not None:
            before, outside = self._not_recoverable
            if not (published & ~before).any():  # nothing published that was hidden
                only = ~outside
        found, tested, recovered = _leaks(
            self.system,
            protection,
            self.exempt,
            incidence=self.incidence(),
            links=self.links(),
            only=only,
        )
        outside = tested & ~recovered
        if only is not None:  # the cells not tested were outside before, and stay so
            outside |= self._not_recoverable[1]
        self._not_recoverable = (published, outside)
        self._last_leaks = (protection.status, list(found))
        return found


def breakdowns_of(questionnaire: Questionnaire, variable: str) -> dict[str, tuple[str, ...]]:
    """breakdown -> the levels its groups of ``variable`` are published at."""
    levels = shown_levels(questionnaire, variable)
    found: dict[str, tuple[str, ...]] = {}
    if variable not in questionnaire.identifying or variable == LANGUAGE_VARIABLE:
        language_from = max(
            LEVELS.index(levels[0]),
            LEVELS.index(questionnaire.identifying.get(LANGUAGE_VARIABLE, "school")),
        )
        found["language"] = LEVELS[language_from:]
    if "school" in levels:
        for name in SCHOOL_BREAKDOWNS:
            found[name] = ("district", "municipality")
    return found


def compute(
    session,
    campaign,
    questionnaires: Mapping[str, Questionnaire],
    figures: Figures,
    *,
    frozen: bool = False,
    keep_systems: bool = False,
    store: Path | None = None,
    stored_only: bool = False,
    only: tuple[str, str] | None = None,
) -> BreakdownFigures:
    """The breakdown figures of ``campaign`` beside its unit ``figures`` (read-only).

    ``store``: a folder where they are kept once computed (``survey.reports.stored``);
    with ``stored_only`` a miss raises ``NotStored`` instead of computing (the web asks
    so, and has them computed outside the request), and ``only`` (level, unit) reads
    just that unit's rows."""
    inputs = _Inputs.read(session, campaign, figures, frozen=frozen)
    if store is None or keep_systems:
        return _compute(inputs, questionnaires, figures.k, keep_systems=keep_systems)
    key = inputs.fingerprint(questionnaires, figures)
    if stored_only:
        where = {"level": only[0], "unit": only[1]} if only else None
        found = stored.load(store, campaign.id, key, where)
        if found is None:
            raise NotStored(key)
    else:
        found = stored.compute_once(
            store, campaign.id, key, lambda: _pair(_compute(inputs, questionnaires, figures.k))
        )
    frame, withheld = found
    return BreakdownFigures(frame, withheld)


class NotStored(LookupError):
    """The breakdowns of these inputs are not computed yet (``args[0]``: their key)."""


def _pair(found: BreakdownFigures) -> tuple[pd.DataFrame, list]:
    return found.frame, found.withheld


@dataclass
class _Inputs:
    """What a campaign's breakdowns are computed from, read from the database."""

    places: list
    hierarchy: Hierarchy
    attributes: dict[str, dict[str, str]]
    parents: dict[tuple[str, str], str]
    #: counts by school and answer language: of each answer, of those who answered each
    #: question, of respondents
    codes: pd.DataFrame
    answered: pd.DataFrame
    people: pd.DataFrame
    tidy: pd.DataFrame

    @classmethod
    def read(cls, session, campaign, figures: Figures, *, frozen: bool) -> _Inputs:
        places = aggregate.places(session, campaign)
        municipality = campaign.municipality.name
        hierarchy = Hierarchy({p.unit: p.district for p in places}, municipality)
        attributes = {
            "school_type": {p.unit: p.school_type for p in places},
            "sozialindex": {
                p.unit: str(p.sozialindex) for p in places if p.sozialindex is not None
            },
        }
        codes, numbers = aggregate.value_counts(session, campaign.id, "language", frozen=frozen)
        answered = aggregate.answered_counts(codes, numbers)
        people = aggregate.respondent_counts(session, campaign.id, "language", frozen=frozen)
        aggregate.add_units(places, codes, answered, people)
        return cls(
            places,
            hierarchy,
            attributes,
            aggregate.parents(places, municipality),
            codes,
            answered,
            people,
            figures.tidy,
        )

    def fingerprint(self, questionnaires: Mapping[str, Questionnaire], figures: Figures) -> str:
        """The key of these inputs in the store: the counts, the unit figures with their
        status, the schools' places and attributes, the questionnaires and k."""
        used = sorted({str(q) for q in self.answered["questionnaire_id"].unique()})
        facts = {
            "k": figures.k,
            "municipality": self.hierarchy.municipality,
            "districts": sorted((p.unit, p.district) for p in self.places),
            "attributes": self.attributes,
            "questionnaires": [
                [qid, questionnaires[qid].version, questionnaires[qid].file.model_dump_json()]
                for qid in used
                if qid in questionnaires
            ],
        }
        return stored.fingerprint((self.codes, self.answered, self.people, self.tidy), facts)


def _compute(
    inputs: _Inputs,
    questionnaires: Mapping[str, Questionnaire],
    k: int,
    *,
    keep_systems: bool = False,
    jobs: int | None = None,
) -> BreakdownFigures:
    """Every question's joint system protected on its own (they share no cell), in
    ``jobs`` processes (by default every core, up to MAX_JOBS, from
    PARALLEL_FROM_SCHOOLS schools on)."""
    shared = _Shared(
        inputs,
        questionnaires,
        k,
        _small_groups(inputs.people, inputs.hierarchy, inputs.attributes, k),
        _small_units(inputs.people, inputs.hierarchy, k),
        _unit_status(inputs.tidy),
        _positions(inputs.codes),
        _positions(inputs.answered),
        keep_systems,
    )
    keys = sorted(shared.answered_groups)
    if jobs is None:
        many = len(inputs.places) >= PARALLEL_FROM_SCHOOLS
        jobs = min(os.cpu_count() or 1, MAX_JOBS) if many else 1
    if jobs > 1 and not keep_systems and "fork" in multiprocessing.get_all_start_methods():
        found = _in_processes(shared, keys, jobs)
    else:
        found = [_one_question(shared, key) for key in keys]
    rows = [frame for frame, _w, _s in found if frame is not None]
    withheld = [w for _f, ws, _s in found for w in ws]
    systems = [s for _f, _w, ss in found for s in ss]
    frame = pd.concat(rows, ignore_index=True) if rows else _empty()
    frame["parent"] = [
        inputs.parents.get((lv, u), "") for lv, u in zip(frame["level"], frame["unit"], strict=True)
    ]
    frame = _sorted(frame)
    return BreakdownFigures(frame, withheld, systems)


#: from this many schools on, the questions are protected in several processes (the
#: demo's 9 schools take 3.6 s CPU in one; fewer schools are done in well under that)
PARALLEL_FROM_SCHOOLS = 8
MAX_JOBS = 8


@dataclass
class _Shared:
    """What every question's protection reads (made once, shared with forked workers)."""

    inputs: _Inputs
    questionnaires: Mapping[str, Questionnaire]
    k: int
    small_groups: dict[str, set[tuple]]
    #: audience -> units (level, unit) with fewer than k respondents
    small_units: dict[str, set[tuple[str, str]]]
    settled_of: dict[tuple, dict[tuple, Status]]
    code_groups: dict[tuple, np.ndarray]
    answered_groups: dict[tuple, np.ndarray]
    keep_systems: bool


#: the shared inputs of the workers forked by ``_in_processes`` (inherited, not pickled)
_FORKED: _Shared | None = None


def _in_processes(shared: _Shared, keys: list[tuple], jobs: int) -> list:
    """``_one_question`` of each key in ``jobs`` forked processes, in the order of
    ``keys`` (so the frame is the same as one process makes). Fork: the workers
    inherit the inputs instead of unpickling them, and touch no database connection."""
    global _FORKED
    _FORKED = shared
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(_forked_question, keys, chunksize=1)
    finally:
        _FORKED = None


def _forked_question(key: tuple):
    assert _FORKED is not None  # noqa: S101 (set before the fork)
    return _one_question(_FORKED, key)


def _one_question(shared: _Shared, key: tuple):
    """(frame or None, withheld, systems) of one (audience, questionnaire, variable)."""
    inputs, questionnaires, k = shared.inputs, shared.questionnaires, shared.k
    hierarchy, attributes = inputs.hierarchy, inputs.attributes
    codes, answered = inputs.codes, inputs.answered
    code_groups, answered_groups = shared.code_groups, shared.answered_groups
    small_groups, settled_of = shared.small_groups, shared.settled_of
    keep_systems = shared.keep_systems
    withheld: list[tuple[str, str, str, str]] = []
    systems: list[tuple[tuple, JointTable, Protection]] = []
    audience, questionnaire_id, variable = key
    questionnaire = questionnaires.get(questionnaire_id)
    kinds = {v: (q, kind) for v, q, kind in questionnaire.variables()} if questionnaire else {}
    if variable not in kinds or kinds[variable][1] == "text":
        return None, [], []
    question, kind = kinds[variable]
    wanted = breakdowns_of(questionnaire, variable)
    if not wanted:
        return None, [], []
    levels = shown_levels(questionnaire, variable)
    all_rows = answered.iloc[answered_groups[key]]
    sizes = {(u, g): int(n) for u, g, n in all_rows[["unit", "group", "n"]].itertuples(index=False)}
    settled = settled_of.get(key, {})
    small = small_groups.get(audience, set())
    if kind == "code":
        mine = codes.iloc[code_groups.get(key, [])]
        values = _values(questionnaire.options.get(question.id, ()), mine["code"])
        counts = {
            (u, g, str(c)): int(n)
            for u, g, c, n in mine[["unit", "group", "code", "n"]].itertuples(index=False)
        }
        parts = [(counts, values, True, False)]
    else:
        totals = {(u, g, ALL): n for (u, g), n in sizes.items()}
        parts = [(totals, [ALL], False, False)]
        if kind == "codes":
            mine = codes.iloc[code_groups.get(key, [])]
            values = _values(questionnaire.options.get(question.id, ()), mine["code"])
            for value in values:
                ticks = mine[mine["code"].astype(str) == value]
                counts = {
                    (u, g, value): int(n)
                    for u, g, n in ticks[["unit", "group", "n"]].itertuples(index=False)
                }
                for u, g in sizes:  # every group with an answer has a row: 0 is a figure
                    counts.setdefault((u, g, value), 0)
                parts.append((counts, [value], False, True))
    names = list(wanted)
    frames = []
    tables = []
    for counts, values, total, few in parts:
        table = joint_system(
            counts,
            values,
            hierarchy,
            {name: wanted[name] for name in names},
            attributes,
            levels,
            total=total,
            few=few,
            sizes=sizes,
            small_groups=small,
            small_units=shared.small_units.get(audience, set()),
            settled=settled,
            k=k,
        )
        tables.append(table)
    names, tables, results, dropped = protect_question(tables, names, k)
    withheld.extend((*key, name) for name in dropped)
    if not names:
        return None, withheld, []
    for table, result in zip(tables, results, strict=True):
        frames.append(_rows(table, result, key, k))
        if keep_systems:
            systems.append((key, table, result))
    frame = pd.concat(frames, ignore_index=True)
    frame = _percent(frame, kind)
    frame["_qorder"] = _question_order(questionnaire, variable)
    return frame, withheld, systems


def group_label(breakdown: str, group: str, language: str = "de") -> str:
    """A group's name for people: the language's own name in ``language`` (Babel), the
    school type from the catalogs (the stored value is its German name), the Sozialindex
    level as it is (1 to 9)."""
    if breakdown == "language":
        try:
            return Locale.parse(group).get_display_name(language) or group
        except (ValueError, UnknownLocaleError):
            return group
    if breakdown == "school_type":
        from flask import has_app_context

        if has_app_context():
            from survey.distribution.labels import SCHOOL_TYPE_LABELS

            return str(SCHOOL_TYPE_LABELS.get(group, group))
    return group


def _positions(frame: pd.DataFrame) -> dict[tuple, np.ndarray]:
    return frame.groupby(aggregate.KEYS[1:], sort=True, observed=True).indices


def _unit_status(tidy: pd.DataFrame) -> dict[tuple, dict[tuple, Status]]:
    """(audience, questionnaire, variable) -> (level, unit, value) -> the unit figure's
    status, with its count: {(level, unit, value): (status, n)}."""
    found: dict[tuple, dict[tuple, Status]] = defaultdict(dict)
    columns = ["audience", "questionnaire", "question", "level", "unit", "value", "status"]
    for audience, qid, variable, level, unit, value, status in tidy[columns].itertuples(
        index=False
    ):
        found[(audience, qid, variable)][(level, unit, value)] = Status(status)
    return found


def _small_groups(
    people: pd.DataFrame, hierarchy: Hierarchy, attributes: dict[str, dict[str, str]], k: int
) -> dict[str, set[tuple]]:
    """audience -> breakdown rows (level, unit, breakdown, group) with fewer than k
    respondents: they show nothing but "weniger als k"."""
    found: dict[str, set[tuple]] = defaultdict(set)
    for audience, mine in people.groupby("audience", observed=True):
        sizes: dict[tuple, int] = defaultdict(int)
        for school, language, n in mine[["unit", "group", "n"]].itertuples(index=False):
            for level in LEVELS:
                unit = hierarchy.unit_at(school, level)
                sizes[(level, unit, "language", language)] += int(n)
                for name, of in attributes.items():
                    if school in of:
                        sizes[(level, unit, name, of[school])] += int(n)
        found[audience] = {row for row, n in sizes.items() if 0 < n < k}
    return found


def joint_system(
    counts: dict[tuple[str, str, str], int],
    values: Sequence[str],
    hierarchy: Hierarchy,
    breakdowns: Mapping[str, Sequence[str]],
    attributes: Mapping[str, Mapping[str, str]],
    levels: Sequence[str],
    *,
    total: bool,
    sizes: Mapping[tuple[str, str], int],
    small_groups: set[tuple] = frozenset(),  # type: ignore[assignment]
    small_units: Collection[tuple[str, str]] = frozenset(),
    few: bool = False,
    settled: Mapping[tuple[str, str, str], Status],
    k: int,
) -> JointTable:
    """The system of sums of one variable's unit figures and its breakdowns.

    ``counts`` maps (school, answer language, value) to a count; ``breakdowns`` maps a
    breakdown to the levels it is published at; ``attributes`` holds each school's
    type and Sozialindex; ``sizes`` how many of each (school, language) answered the
    question; ``settled`` the unit figures' status by (level, unit, value).

    A unit's row is shown as the unit figures show it: a unit with fewer than k
    respondents (``small_units``), a row whose total is below k, and, for an option of a
    multiple choice (``few``), a unit where fewer than k answered the question show
    nothing but "weniger als k", which tells a reader 0..k-1 of each figure
    (``hide_group``), not 1..k-1. Seen as 1..k-1, a small school's two hidden figures
    under its hidden total of 2 were both "1", and every breakdown of the question was
    withheld for that."""
    system = System()
    # unit figures published as 0: every finer cell below them is 0, and known
    unit_counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for (school, _language, value), n in counts.items():
        for level in levels:
            unit_counts[(level, hierarchy.unit_at(school, level), value)] += n
    zero_units = {
        (level, unit, value)
        for (level, unit, value), status in settled.items()
        if status is Status.PUBLISHED
        and value in values
        and unit_counts.get((level, unit, value), 0) == 0
    }

    def known_zero(school: str, value: str) -> bool:
        return any((lv, hierarchy.unit_at(school, lv), value) in zero_units for lv in levels)

    def group_of(name: str, school: str, language: str) -> str | None:
        return language if name == "language" else attributes[name].get(school)

    # inner cells: school x language x value for every (school, language) with answers
    pairs = sorted((s, g) for (s, g), n in sizes.items() if n)
    school_of: dict[int, str] = {}
    rows: dict[Row, dict[str, list[int]]] = {}
    for school, language in pairs:
        for value in values:
            row_keys: list[Row] = [(lv, hierarchy.unit_at(school, lv), None, None) for lv in levels]
            for name, at in breakdowns.items():
                group = group_of(name, school, language)
                if group is not None:
                    row_keys += [(lv, hierarchy.unit_at(school, lv), name, group) for lv in at]
            if known_zero(school, value):
                for row in row_keys:
                    rows.setdefault(row, defaultdict(list))[value]  # noqa: B018 (the row exists)
                continue
            x = system.add_inner(counts.get((school, language, value), 0))
            school_of[x] = school
            for row in row_keys:
                rows.setdefault(row, defaultdict(list))[value].append(x)
    index: dict[tuple, int] = {}
    settled_cells: dict[int, Status] = {}
    known: dict[tuple, bool] = {}
    group_size: dict[Row, int] = defaultdict(int)
    unit_answered: dict[tuple[str, str], int] = defaultdict(int)
    for (school, _language), n in sizes.items():
        for lv in levels:
            unit_answered[(lv, hierarchy.unit_at(school, lv))] += n
    for (school, language), n in sizes.items():
        for name, at in breakdowns.items():
            group = group_of(name, school, language)
            if group is not None:
                for lv in at:
                    group_size[(lv, hierarchy.unit_at(school, lv), name, group)] += n
    for row, by_value in sorted(rows.items(), key=lambda kv: _row_order(kv[0])):
        level, unit, name, group = row
        depth = LEVELS.index(level)
        every = tuple(sorted(x for xs in by_value.values() for x in xs))
        row_total = sum(system.inner_values[x] for x in every)
        if name is None:
            hide_row = (
                (level, unit) in small_units
                or (total and row_total < k)
                or (few and 0 < unit_answered.get((level, unit), 0) < k)
            )
        else:
            hide_row = (
                row in small_groups or 0 < group_size.get(row, 0) < k or (total and row_total < k)
            )
        row_cells = []
        for value in [*values, *([ALL] if total else [])]:
            xs = every if value == ALL else tuple(sorted(by_value.get(value, ())))
            key = (level, unit, name, group, value)
            if not xs and (value != ALL or not total):
                known[key] = hide_row
                continue
            n = sum(system.inner_values[x] for x in xs)
            cell = Cell(key, xs, n, depth, hide_row, name is not None and value != ALL)
            index[key] = i = system.add_cell(cell)
            if name is None:
                settled_cells[i] = settled.get((level, unit, value), Status.SECONDARY)
            if value != ALL:
                row_cells.append(i)
        if total and (level, unit, name, group, ALL) in index:
            system.relations.append(
                Relation(index[(level, unit, name, group, ALL)], tuple(row_cells), name is not None)
            )
    # the levels and the breakdowns add up, value by value (and total by total)
    #: (parent, how its members are found) -> members: one relation each
    children: dict[tuple[int, str | None], list[int]] = defaultdict(list)
    for (level, _unit, name, group, value), i in index.items():
        depth = LEVELS.index(level)
        if depth + 1 == len(LEVELS):
            continue
        school = school_of[system.cells[i].inner[0]] if system.cells[i].inner else None
        if school is None:
            continue
        up_level = LEVELS[depth + 1]
        up_unit = hierarchy.unit_at(school, up_level)
        up = [(up_level, up_unit, name, group, value)]
        if name is None and level == "school":  # a school is in its type's group
            up += [
                (up_level, up_unit, b, attributes[b].get(school), value)
                for b in breakdowns
                if b in SCHOOL_BREAKDOWNS
            ]
        for parent in up:
            if parent in index:
                children[(index[parent], "levels")].append(i)
    # a unit's figure is the sum of its groups' (where every school has a group)
    complete = {
        name
        for name in breakdowns
        if name == "language" or all(school in attributes[name] for school, _g in pairs)
    }
    for (level, unit, name, _group, value), i in index.items():
        whole = index.get((level, unit, None, None, value))
        if name in complete and whole is not None:
            children[(whole, name)].append(i)
    for (parent, _how), members in sorted(
        children.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))
    ):
        system.relations.append(Relation(parent, tuple(sorted(members))))
    return _settled_table(JointTable(system, index, settled_cells, known), k)


def protect_question(
    tables: list[JointTable], names: list[str], k: int
) -> tuple[list[str], list[JointTable], list[Protection], list[str]]:
    """Protect the joint systems of one question (one per part: a multiple choice has a
    system per option) and fail closed, breakdown by breakdown: what cannot be published
    with the unit figures as they are is left out, and the rest protected again without
    it. Returns the breakdowns kept, their tables and protections, and those dropped."""
    names = list(names)
    dropped: list[str] = []
    results: list[Protection] = []
    while names:
        results = [_protect_rows(t, k) for t in tables]
        bad = [
            name
            for t, r in zip(tables, results, strict=True)
            for name in _leaking_breakdowns(t, r, k)
        ]
        if not bad:
            break
        drop = min(bad, key=lambda b: -BREAKDOWNS.index(b))
        dropped.append(drop)
        names.remove(drop)
        tables = [_without_breakdowns(t, names, k) for t in tables]
    return names, tables, results, dropped


def _settled_table(table: JointTable, k: int) -> JointTable:
    """``table`` (cells, sums, the unit figures' status) with the first cut of breakdown
    figures settled: what the units give away, and whole rows with a figure to hide."""
    _settle_what_the_units_tell(table, k)
    _hide_whole_rows(table, k)
    return table


def _without_breakdowns(table: JointTable, names: Sequence[str], k: int) -> JointTable:
    """The joint system of ``table`` with only the breakdowns ``names``, settled afresh.

    The same system as ``joint_system`` builds for those breakdowns (the bench campaign's
    560 builds took 41 s in pure Python, most of them rebuilds after a dropped breakdown):
    the inner cells (school x language x value) do not depend on the breakdowns, and a
    cell belongs to one breakdown (or to the units). A sum is either a row (parent and
    children of one breakdown), a level's sum (a group over the same group below, or a
    district's school type over its schools' unit figures; a unit over units) or a unit
    over its groups of one breakdown. So dropping a breakdown drops its cells and every
    sum that holds one of them, and the rest keeps its order: the cells, the sums and the
    index come out as a rebuild makes them (a check on the bench campaign compared every
    drop). The status of breakdown figures is not carried over: they are settled again,
    as after a rebuild."""
    keep = {None, *names}
    old = table.system
    system = System(inner_values=list(old.inner_values))
    new_of: dict[int, int] = {}
    for i, cell in enumerate(old.cells):
        if cell.key[2] in keep:
            new_of[i] = system.add_cell(cell)
    for rel in old.relations:
        if rel.parent in new_of and all(c in new_of for c in rel.children):
            children = tuple(new_of[c] for c in rel.children)
            system.relations.append(Relation(new_of[rel.parent], children, rel.guards_unanimity))
    index = {key: new_of[i] for key, i in table.index.items() if key[2] in keep}
    # the unit figures' own status, as the unit figures have it (not what settling added)
    settled = {new_of[i]: table.settled[i] for key, i in table.index.items() if key[2] is None}
    known = {key: hidden for key, hidden in table.known_zero.items() if key[2] in keep}
    return _settled_table(JointTable(system, index, settled, known), k)


def _protect_rows(table: JointTable, k: int, max_rounds: int = 60) -> Protection:
    """Secondary suppression of the breakdown rows, a whole row at a time, with the tests
    of ``survey.core.suppress``: while a hidden figure (not a zero) is in the span of the
    published ones (the rank test), is narrowed to one value by what "weniger als k"
    tells, or a published sum pins hidden members to 1..k-1, the smallest published
    group row in a sum with it is hidden as a whole. Unit figures are settled and never
    hidden here. Hiding cell by cell (``protect``) came to the same kind of result through
    a hundred rounds of rank tests per question on a 100-school campaign; rows take a
    few. What still leaks when nothing is left to hide is found by ``leaks``."""
    system = table.system
    cells = system.cells
    rows = _rows_of(table)
    relations = relation_map(system)
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        status = _status(table)
        hidden = [s is not Status.PUBLISHED for s in status]
        exposed = table.leaks(Protection(status, k, rounds))
        pinned = [system.relations[r] for r in pinned_sums(system, hidden, k)]
        candidates: set[tuple] = set()
        for rel_group in [*(relations.get(i, []) for i in exposed), pinned]:
            best = None
            for rel in rel_group:
                for c in (*rel.children, rel.parent):
                    if not hidden[c] and c not in table.settled:
                        key = (c == rel.parent, cells[c].n == 0, cells[c].n, c)
                        best = key if best is None or key < best else best
            if best is not None:
                candidates.add(cells[best[-1]].key[:4])
        if not candidates:
            break
        for row in candidates:
            _hide_row(table, rows[row], k)
    status = _status(table)
    return Protection(status, k, rounds, failed_closed=rounds >= max_rounds)


def _status(table: JointTable) -> tuple[Status, ...]:
    return tuple(table.settled.get(i, Status.PUBLISHED) for i in range(len(table.system.cells)))


def _rows_of(table: JointTable) -> dict[tuple, list[int]]:
    rows: dict[tuple, list[int]] = defaultdict(list)
    for key, i in table.index.items():
        rows[key[:4]].append(i)
    return rows


def _primary(table: JointTable, i: int, k: int) -> bool:
    """Hidden whatever else is published: below k, a group below k, or a group's figure
    that holds its whole row (group disclosure)."""
    cells = table.system.cells
    cell = cells[i]
    total = table.index.get((*cell.key[:4], ALL))
    unanimous = (
        cell.unanimity_protected and total is not None and cell.n > 0 and cell.n == cells[total].n
    )
    return cell.hide_group or 0 < cell.n < k or unanimous


def _hide_row(table: JointTable, members: list[int], k: int) -> None:
    for i in members:
        if i not in table.settled:
            table.settled[i] = Status.PRIMARY if _primary(table, i, k) else Status.SECONDARY


def _hide_whole_rows(table: JointTable, k: int) -> None:
    """The first cut: a group whose row has a figure to hide (``_primary``) is hidden as a
    whole, and where that leaves a single hidden group beside a unit's others, or a unit
    with hidden figures beside no hidden group, the smallest other group too (the unit
    minus the others would give it away)."""
    cells = table.system.cells
    rows = _rows_of(table)
    units_hidden = {
        key[:2]
        for key, i in table.index.items()
        if key[2] is None and table.settled.get(i) is not Status.PUBLISHED
    }
    by_unit: dict[tuple, list[tuple]] = defaultdict(list)
    for row in rows:
        if row[2] is not None:
            by_unit[row[:3]].append(row)

    def is_hidden(row: tuple) -> bool:
        return any(table.settled.get(i, Status.PUBLISHED) is not Status.PUBLISHED
                   for i in rows[row])  # fmt: skip

    def size(row: tuple) -> int:
        total = table.index.get((*row, ALL))
        return cells[total].n if total is not None else sum(cells[i].n for i in rows[row])

    for (level, unit, _name), group_rows in sorted(by_unit.items(), key=lambda kv: str(kv[0])):
        for row in group_rows:
            if any(_primary(table, i, k) for i in rows[row] if i not in table.settled):
                _hide_row(table, rows[row], k)
        hidden = [row for row in group_rows if is_hidden(row)]
        wanted = 2 if hidden or (level, unit) in units_hidden else 0
        shown = sorted((row for row in group_rows if not is_hidden(row)),
                       key=lambda row: (size(row), str(row)))  # fmt: skip
        for row in shown[: max(0, wanted - len(hidden))]:
            _hide_row(table, rows[row], k)


def _settle_what_the_units_tell(table: JointTable, k: int) -> None:
    """Breakdown figures that the unit figures give away already (the Gymnasium of a
    district with one Gymnasium is that school) are no secret of the breakdown: they are
    published with the units' own (settled), or, where a group's rule hides them (a
    group below k, a unanimous group), hidden and left out of the leak check
    (``exempt``), since no further hiding of breakdown figures could protect them."""
    system = table.system
    hidden = [
        table.settled[i] is not Status.PUBLISHED if i in table.settled else True
        for i in range(len(system.cells))
    ]
    # the unit figures' own hidden cells are settled already: only breakdown cells tested
    open_cells = np.ones(len(system.cells), dtype=bool)
    open_cells[list(table.settled)] = False
    blocks = recoverable_blocks(system, hidden, table.incidence(), open_cells)
    for i in sorted(i for block in blocks for i in block):
        if i in table.settled:
            continue
        cell = system.cells[i]
        shown = not cell.hide_group and not (0 < cell.n < k)
        table.settled[i] = Status.PUBLISHED if shown else Status.PRIMARY
        if not shown:
            table.exempt.add(i)


def _row_order(row: Row) -> tuple:
    level, unit, name, group = row
    return (-LEVELS.index(level), str(unit), name is not None, str(name), str(group))


def leaks(
    system: System,
    protection: Protection,
    exempt: set[int] = frozenset(),  # type: ignore[assignment]
    *,
    incidence: Incidence | None = None,
    links: Links | None = None,
) -> list[int]:
    """Hidden figures (not zeros) that the published ones give away: in their span (the
    rank test), narrowed to one value with what "weniger als k" tells, or the members
    of a published sum pinned to a total in 1..k-1. ``incidence`` and ``links``: the
    system's matrices, when the caller checks the same system more than once."""
    return _leaks(system, protection, exempt, incidence=incidence, links=links)[0]


def _leaks(
    system: System,
    protection: Protection,
    exempt: set[int],
    *,
    incidence: Incidence | None = None,
    links: Links | None = None,
    only: np.ndarray | None = None,
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """``leaks``, with the rank test limited to the hidden cells in ``only`` (all by
    default); also the hidden cells the rank test looked at and those it found
    recoverable (masks over the cells)."""
    hidden = [s is not Status.PUBLISHED for s in protection.status]
    cells = system.cells
    # only figures that would be reported are tested: hidden zeros are not protected, and
    # what the unit figures give away (``exempt``) is no leak of the breakdowns
    tested = np.array([h and c.n > 0 for h, c in zip(hidden, cells, strict=True)], dtype=bool)
    if exempt:
        tested[list(exempt)] = False
    if only is not None:
        tested &= only
    blocks = recoverable_blocks(system, hidden, incidence, tested)
    recovered = np.zeros(len(cells), dtype=bool)
    recovered[[i for block in blocks for i in block]] = True
    found = set(np.flatnonzero(recovered).tolist())
    # as a reader sees them: a small figure whose label the unit figures withhold is "–"
    unlabelled = unlabelled_in(system, protection)
    found.update(narrowed_to_one(system, hidden, protection.k, links, unlabelled))
    for r in pinned_sums(system, hidden, protection.k):
        found.update(c for c in system.relations[r].children if hidden[c])
    return sorted(found - exempt), tested, recovered


def _leaking_breakdowns(table: JointTable, result: Protection, k: int) -> list[str]:
    """The breakdowns whose cells take part in a leak of the joint system."""
    found = table.leaks(result)
    if not found:
        return []
    names = {table.system.cells[i].key[2] for i in found} - {None}
    if names:
        return sorted(names)
    # a unit figure leaks: blame every breakdown of this system
    return sorted({key[2] for key in table.index} - {None})


def _rows(table: JointTable, result: Protection, key: tuple, k: int) -> pd.DataFrame:
    """The breakdown cells of one joint system as rows. A hidden figure is "primary"
    (shown as "weniger als k") only where that is true: a unanimous group's figure of k
    or more is hidden as primary, but shown as any other hidden figure."""
    audience, questionnaire_id, variable = key
    found = []
    for (level, unit, name, group, value), i in table.index.items():
        if name is None:
            continue
        status = result.status[i]
        cell = table.system.cells[i]
        n = cell.n
        if status is Status.PRIMARY and not (cell.hide_group or 0 < n < k):
            status = Status.SECONDARY
        found.append(
            (level, unit, name, group, audience, questionnaire_id, variable, value,
             float(n) if status is Status.PUBLISHED else np.nan, status.value)
        )  # fmt: skip
    for (level, unit, name, group, value), hidden in table.known_zero.items():
        if name is None:
            continue
        status = Status.PRIMARY if hidden else Status.PUBLISHED
        found.append(
            (level, unit, name, group, audience, questionnaire_id, variable, value,
             np.nan if hidden else 0.0, status.value)
        )  # fmt: skip
    return pd.DataFrame(
        found,
        columns=[
            "level", "unit", "breakdown", "group", "audience", "questionnaire", "question",
            "value", "n", "status",
        ],
    )  # fmt: skip


def _percent(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Share of the group's (all); only where both counts are published."""
    row = ["level", "unit", "breakdown", "group"]
    totals = frame[frame["value"] == ALL].set_index(row)["n"]
    base = frame.set_index(row).index.map(totals.to_dict()).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.round(frame["n"].to_numpy(dtype=float) / base * 100, 1)
    keep = (frame["value"].to_numpy() != ALL) & (base > 0) & (kind != "number")
    frame["percent"] = np.where(keep, percent, np.nan)
    return frame


def _question_order(questionnaire: Questionnaire, variable: str) -> int:
    for i, (v, _q, _kind) in enumerate(questionnaire.variables()):
        if v == variable:
            return i
    return 10**6


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    level_order = {lv: i for i, lv in enumerate(LEVELS)}
    order = {b: i for i, b in enumerate(BREAKDOWNS)}
    frame = frame.assign(
        _level=frame["level"].map(level_order),
        _breakdown=frame["breakdown"].map(order),
        _group=frame["group"].map(_group_key),
        _value=frame["value"].map(lambda v: (v == ALL, int(v) if str(v).isdigit() else 0)),
    )
    frame = frame.sort_values(
        [
            "_level",
            "unit",
            "_breakdown",
            "_group",
            "audience",
            "questionnaire",
            "_qorder",
            "_value",
        ],
        kind="stable",
    )
    return frame.reset_index(drop=True)[[*BREAKDOWN_COLUMNS, "status"]]


def _group_key(group) -> tuple:
    text = str(group)
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=[*BREAKDOWN_COLUMNS, "status", "_qorder"])
