"""The suppressed figures of a campaign at every level: the frames every output renders.

For each audience, questionnaire and variable the counts of every school, district and
the municipality form one system of sums (``suppress.frequency_system``), protected
as a whole. Derived figures (percentages, means, top-box shares, quartiles and the
indicators) are published only where every count they are computed from is
published, so they can never give a hidden count back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from survey.core.suppress import (
    ALL,
    LEVELS,
    FrequencyTable,
    Hierarchy,
    Protection,
    Status,
    frequency_system,
    protect,
)
from survey.questionnaires.definition import ORDERED, Questionnaire
from survey.questionnaires.model import DONT_KNOW, OTHER
from survey.reports import aggregate

TIDY_COLUMNS = [
    "level",
    "unit",
    "parent",
    "audience",
    "questionnaire",
    "question",
    "value",
    "n",
    "percent",
]
STAT_COLUMNS = [
    "level",
    "unit",
    "parent",
    "audience",
    "questionnaire",
    "question",
    "statistic",
    "value",
    "n",
]


@dataclass
class Figures:
    """Everything a report of one campaign shows, already suppressed."""

    #: TIDY_COLUMNS + status (published/primary/secondary); n and percent NaN when hidden
    tidy: pd.DataFrame
    #: means, top-box shares and quartiles (STAT_COLUMNS), only where computable from
    #: published counts
    stats: pd.DataFrame
    k: int
    #: unit -> display name, and the parent of every unit
    names: dict[tuple[str, str], str]
    #: the systems and their protection, kept for the audit (only when asked for)
    systems: list[tuple[tuple[str, str, str], FrequencyTable, Protection]] = field(
        default_factory=list
    )
    #: what outputs derive from these figures once for all units (the indicators of a
    #: workbook: computing them again for each of a hundred schools took most of its time)
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def suppressed(self) -> pd.DataFrame:
        """How many cells primary and secondary suppression hide, per level."""
        counts = self.tidy.groupby(["level", "status"]).size().unstack(fill_value=0)
        return counts.reindex(index=list(LEVELS), columns=[s.value for s in Status], fill_value=0)


def compute(
    session,
    campaign,
    questionnaires: Mapping[str, Questionnaire],
    k: int,
    *,
    keep_systems: bool = False,
    frozen: bool = False,
) -> Figures:
    """The suppressed figures of ``campaign`` at every level (read-only); from the counts
    frozen when it closed if ``frozen``, else from its answers."""
    places = aggregate.places(session, campaign)
    municipality = campaign.municipality.name
    hierarchy = Hierarchy({p.unit: p.district for p in places}, municipality)
    names = {("school", p.unit): p.name for p in places}
    names.update({("district", p.district): p.district for p in places})
    names[("municipality", municipality)] = municipality
    parents = aggregate.parents(places, municipality)

    codes, numbers = aggregate.value_counts(session, campaign.id, frozen=frozen)
    answered = aggregate.answered_counts(codes, numbers)
    people = aggregate.respondent_counts(session, campaign.id, frozen=frozen)
    aggregate.add_units(places, codes, answered, numbers, people)
    small = _small_units(people, hierarchy, k)

    # the rows as columns of plain lists, one frame made at the end (a small frame per
    # question, hundreds of them, spent most of a small campaign's time in pandas)
    tidy_columns: dict[str, list] = {c: [] for c in (*_TIDY_FIELDS, "percent", "parent")}
    tidy_columns.update(_order=[], _qorder=[])
    #: rows in the order of STAT_COLUMNS (tuples: tens of thousands of dicts weighed much)
    stat_rows: list[tuple] = []
    systems = []
    # each question's rows by their positions, taken out one question at a time: a
    # frame per question held at once for every question cost more memory than the rest
    code_groups = _Groups(codes)
    answered_groups = _Groups(answered)
    number_groups = _Groups(numbers)
    for audience, questionnaire_id, variable in sorted(answered_groups.positions):
        questionnaire = questionnaires.get(questionnaire_id)
        kind_of = (
            {v: (q, kind) for v, q, kind in questionnaire.variables()} if questionnaire else {}
        )
        if variable not in kind_of:
            continue  # a variable of an older version that the current one no longer has
        question, kind = kind_of[variable]
        key = (audience, questionnaire_id, variable)
        levels = shown_levels(questionnaire, variable)
        units_small = small.get(audience, set())
        all_rows = answered_groups[key]
        if kind == "code":
            rows = code_groups.get(key, all_rows.iloc[0:0])
            values = _values(questionnaire.options.get(question.id, ()), rows["code"])
            counts = {
                (u, None, str(c)): int(n)
                for u, c, n in rows[["unit", "code", "n"]].itertuples(index=False, name=None)
            }
            table = frequency_system(
                counts, hierarchy, values, small_units=units_small, k=k, levels=levels
            )
            result = protect(table.system, k)
            frame = _tidy(table, result, key)
            _percent(frame, frame)
            stat_rows.extend(_scale_stats(frame, question, key, parents))
            parts = [(table, result, frame)]
        elif kind == "codes":
            rows = code_groups.get(key, all_rows.iloc[0:0])
            values = _values(questionnaire.options.get(question.id, ()), rows["code"])
            total = _all_system(all_rows, hierarchy, units_small, k, levels)
            total_frame = _tidy(total[0], total[1], key)
            # fewer than k answered the question in a unit: its ticks show nothing, not
            # even a 0
            few = {
                cell.key[:2]
                for cell in total[0].system.cells
                if 0 < cell.n < k and cell.key[2] is None
            }
            frames = []
            parts = [(*total, total_frame)]
            # the rows of each option by position, found once (a comparison over the
            # question's rows per option was a tenth of a campaign report's time)
            of_option = rows.groupby(rows["code"].astype(str), sort=False).indices
            units, ns = rows["unit"].to_numpy(), rows["n"].to_numpy()
            none = np.array([], dtype=np.intp)
            answering = all_rows["unit"].tolist()
            for value in values:
                at = of_option.get(value, none)
                counts = {(u, None, value): int(n) for u, n in zip(units[at], ns[at], strict=True)}
                # every unit with an answer has a row, ticked or not: a 0 is a figure too
                for u in answering:
                    counts.setdefault((u, None, value), 0)
                table = frequency_system(
                    counts,
                    hierarchy,
                    [value],
                    total=False,
                    small_units=units_small | few,
                    k=k,
                    levels=levels,
                )
                result = protect(table.system, k)
                frames.append(_tidy(table, result, key))
                parts.append((table, result, frames[-1]))
            frame = _joined([*frames, total_frame])
            _percent(frame, total_frame)
        elif kind == "number":
            table, result = _all_system(all_rows, hierarchy, units_small, k, levels)
            frame = _tidy(table, result, key)
            frame["percent"] = [np.nan] * len(frame["n"])
            stat_rows.extend(_number_stats(frame, number_groups.get(key), hierarchy, key, parents))
            parts = [(table, result, frame)]
        else:
            continue  # free text is never counted
        frame["parent"] = [
            parents[(lv, u)] for lv, u in zip(frame["level"], frame["unit"], strict=True)
        ]
        size = len(frame["n"])
        frame["_order"] = list(range(size))
        frame["_qorder"] = [_question_order(questionnaire, variable)] * size
        for column, values in tidy_columns.items():
            values.extend(frame[column])
        if keep_systems:
            systems.extend((key, t, r) for t, r, _f in parts)
    # the counts are in the systems' rows now: let them go before the frame is made (the
    # peak of a campaign report's memory)
    del code_groups, answered_groups, number_groups, codes, answered, numbers
    tidy = _sorted(tidy_columns) if tidy_columns["n"] else _empty_tidy()[[*TIDY_COLUMNS, "status"]]
    stats = pd.DataFrame(stat_rows, columns=STAT_COLUMNS)
    return Figures(tidy, stats, k, names, systems)


class _Groups:
    """A frame's rows per (audience, questionnaire, variable), sliced when asked for."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.positions = frame.groupby(aggregate.KEYS[1:], sort=True).indices

    def __getitem__(self, key: tuple[str, str, str]) -> pd.DataFrame:
        return self.frame.iloc[self.positions[key]]

    def get(self, key: tuple[str, str, str], default: pd.DataFrame | None = None):
        return self[key] if key in self.positions else default


def _values(options, seen: pd.Series) -> list[str]:
    """The codes a question offers, in its order, then any older code still in the data."""
    offered = [str(c.value) for c in options]
    extra = sorted({str(int(c)) for c in seen} - set(offered), key=int)
    return offered + extra


def _small_units(people: pd.DataFrame, hierarchy: Hierarchy, k: int) -> dict[str, set]:
    """audience -> units (level, unit) with fewer than k responses: they show nothing."""
    found: dict[str, set] = defaultdict(set)
    for audience, group in people.groupby("audience"):
        sizes: dict[tuple[str, str], int] = defaultdict(int)
        for unit, n in group[["unit", "n"]].itertuples(index=False, name=None):
            for level in LEVELS:
                sizes[(level, hierarchy.unit_at(unit, level))] += int(n)
        found[audience] = {u for u, n in sizes.items() if 0 < n < k}
    return found


def shown_levels(questionnaire: Questionnaire, variable: str) -> tuple[str, ...]:
    """The levels a variable is published at: from the questionnaire's report level, or an
    identifying variable's own (the instruments' marker), whichever is higher, upwards."""
    lowest = max(
        LEVELS.index(questionnaire.report_level),
        LEVELS.index(questionnaire.identifying.get(variable, "school")),
    )
    return LEVELS[lowest:]


def _all_system(all_rows: pd.DataFrame, hierarchy, small, k, levels=LEVELS):
    counts = {
        (u, None, ALL): int(n)
        for u, n in all_rows[["unit", "n"]].itertuples(index=False, name=None)
    }
    table = frequency_system(
        counts, hierarchy, [ALL], total=False, small_units=small, k=k, levels=levels
    )
    return table, protect(table.system, k)


_TIDY_FIELDS = ("level", "unit", "audience", "questionnaire", "question", "value", "n", "status")


def _tidy(table: FrequencyTable, result: Protection, key: tuple[str, str, str]) -> dict[str, list]:
    """One system's rows, as columns (``_TIDY_FIELDS``); n NaN where hidden."""
    audience, questionnaire_id, variable = key
    columns: dict[str, list] = {c: [] for c in _TIDY_FIELDS}
    for (level, unit, group, value), i in table.index.items():
        if group is not None:
            continue  # breakdowns are rendered by the outputs that show them
        status = result.status[i]
        n = table.system.cells[i].n
        row = (level, unit, audience, questionnaire_id, variable, value,
               float(n) if status is Status.PUBLISHED else np.nan, status.value)  # fmt: skip
        for column, x in zip(columns.values(), row, strict=True):
            column.append(x)
    return columns


def _joined(parts: list[dict[str, list]]) -> dict[str, list]:
    return {c: [x for part in parts for x in part[c]] for c in _TIDY_FIELDS}


def _percent(frame: dict[str, list], totals: dict[str, list]) -> None:
    """Share of the unit's (all); only where both counts are published (into ``frame``)."""
    base = {
        (level, unit): n
        for level, unit, value, n in zip(
            totals["level"], totals["unit"], totals["value"], totals["n"], strict=True
        )
        if value == ALL
    }
    denominators = np.array(
        [base.get(key, np.nan) for key in zip(frame["level"], frame["unit"], strict=True)],
        dtype=float,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.round(np.array(frame["n"], dtype=float) / denominators * 100, 1)
    keep = (np.array(frame["value"], dtype=object) != ALL) & (denominators > 0)
    frame["percent"] = np.where(keep, percent, np.nan).tolist()


def _scale_stats(frame: dict[str, list], question, key, parents) -> list[tuple]:
    """Mean and top-box share of an ordered scale, without "weiß nicht" (99): only for a
    unit whose every count of this question is published."""
    if not isinstance(question, ORDERED):
        return []
    audience, questionnaire_id, variable = key
    # plain Python over the few rows of one question (pandas' per-call overhead, paid for
    # each of hundreds of questions, was most of this): counts are whole numbers, so the
    # sums are exact in any order
    rows = list(zip(frame["level"], frame["unit"], frame["value"], frame["n"], strict=True))
    incomplete = {(level, unit) for level, unit, _v, n in rows if n != n}  # a hidden count
    skipped = {ALL, str(DONT_KNOW), str(OTHER)}
    points = [
        (level, unit, int(value), n)
        for level, unit, value, n in rows
        if (level, unit) not in incomplete and value not in skipped
    ]
    if not points:
        return []
    codes = {code for _l, _u, code, _n in points}
    top = 2 if len(codes) >= 4 else 1
    top_codes = set(sorted(codes)[-top:])
    sums: dict[tuple[str, str], list[float]] = {}
    for level, unit, code, n in points:
        acc = sums.setdefault((level, unit), [0.0, 0.0, 0.0])
        acc[0] += n
        acc[1] += code * n
        acc[2] += n if code in top_codes else 0.0
    found = []
    for (level, unit), (n, weighted, top_n) in sums.items():
        if n <= 0:
            continue
        base = (level, unit, parents[(level, unit)], audience, questionnaire_id, variable)
        found.append((*base, "mean", round(float(weighted / n), 2), int(n)))
        found.append((*base, f"top{top}_percent", round(float(top_n / n * 100), 1), int(n)))
    return found


def _number_stats(frame, numbers, hierarchy: Hierarchy, key, parents) -> list[tuple]:
    """Quartiles of a number question for every unit whose count is published."""
    if numbers is None or numbers.empty:
        return []
    audience, questionnaire_id, variable = key
    found = []
    published = [
        (level, unit, n)
        for level, unit, n in zip(frame["level"], frame["unit"], frame["n"], strict=True)
        if n == n  # published: not NaN
    ]
    pooled: dict[str, pd.DataFrame] = {}
    for level in LEVELS:
        at = numbers.assign(at=numbers["unit"].map(lambda u, lv=level: hierarchy.unit_at(u, lv)))
        pooled[level] = at.groupby(["at", "number"], as_index=False)["n"].sum()
    for level, unit, n in published:
        mine = pooled[level][pooled[level]["at"] == unit]
        q1, median, q3 = aggregate.weighted_quantiles(mine["number"], mine["n"])
        base = (level, unit, parents[(level, unit)], audience, questionnaire_id, variable)
        for name, value in (("q1", q1), ("median", median), ("q3", q3)):
            found.append((*base, name, value, int(n)))
    return found


def _question_order(questionnaire: Questionnaire, variable: str) -> int:
    for i, (v, _q, _kind) in enumerate(questionnaire.variables()):
        if v == variable:
            return i
    return 10**6


def _sorted(columns: dict[str, list]) -> pd.DataFrame:
    """The tidy frame, rows in report order, made from the columns in that order.

    The order comes from integer keys (``np.lexsort``); then one column at a time is put
    in that order and its list let go. A frame made first and sorted afterwards held the
    lists, the frame and its sorted copy at once: the peak of a campaign report's memory."""
    level_order = {lv: i for i, lv in enumerate(LEVELS)}
    keys = [
        np.array([level_order[lv] for lv in columns["level"]]),
        *(_ranks(columns[c]) for c in ("unit", "audience", "questionnaire")),
        np.array(columns["_qorder"]),
        np.array(columns["_order"]),
    ]
    order = np.lexsort(keys[::-1])  # the last key sorts first; lexsort is stable
    del keys
    data = {}
    for name in [*TIDY_COLUMNS, "status"]:
        values = columns.pop(name)
        if name in ("n", "percent"):
            data[name] = np.array(values, dtype=float)[order]
        else:
            data[name] = pd.array(np.array(values, dtype=object)[order], dtype="str")
        del values
    columns.clear()
    return pd.DataFrame(data)


def _ranks(values: list[str]) -> np.ndarray:
    """Each text's rank among the distinct texts (an integer sort key)."""
    return np.unique(np.array(values, dtype=object), return_inverse=True)[1]


def _empty_tidy() -> pd.DataFrame:
    return pd.DataFrame(columns=[*TIDY_COLUMNS, "status", "_order", "_qorder"])
