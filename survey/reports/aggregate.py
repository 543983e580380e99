"""Counts computed in the database: one ``GROUP BY`` per kind of figure, the same SQL on
SQLite and PostgreSQL, shaped with pandas.

Nothing here loads answers into Python: every query returns one row per school,
audience, variable and value (or number), so memory grows with the number of
distinct figures, never with the number of answers. Free text is never counted.

A closed campaign's answers were counted once when it closed
(``survey.distribution.frozen``): with ``frozen`` the same queries read those counts
(a few hundred thousand rows at most, however many answers there are) instead of
every answer, and return the same frames. Without, they count the answers live (an
open campaign's preview, or a campaign closed before the counts existed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from survey.distribution.models import (
    Campaign,
    District,
    FrozenCount,
    FrozenRespondents,
    Municipality,
    School,
)
from survey.respond.models import Answer, Response

#: Breakdowns: name -> the column that says which group a response belongs to. The
#: Sozialindex level comes with the staff area (issue 11): add
#: ``"sozialindex": lambda: School.sozialindex`` here and nothing else changes.
BREAKDOWNS: dict[str, Callable[[], ColumnElement]] = {
    "language": lambda: Response.language,
    "school_type": lambda: School.school_type,
}
#: the same breakdowns in the frozen counts
FROZEN_BREAKDOWNS: dict[str, Callable[[], ColumnElement]] = {
    "language": lambda: FrozenCount.language,
    "school_type": lambda: School.school_type,
}

KEYS = ["school_id", "audience", "questionnaire_id", "variable"]


def school_unit(number: str) -> str:
    """What names a school in reports: its six-digit school number (unique, and what
    schools and offices know it by; names repeat across districts)."""
    return number


@dataclass(frozen=True)
class Place:
    school_id: int
    unit: str
    name: str
    school_type: str
    district: str
    municipality: str
    #: the school's Sozialindex level (1 to 9), None where it is not known
    sozialindex: int | None = None


def places(session: Session, campaign: Campaign) -> list[Place]:
    """Every school of the campaign's municipality, with its district."""
    rows = session.execute(
        select(
            School.id,
            School.number,
            School.name,
            School.school_type,
            District.name,
            Municipality.name,
            School.sozialindex,
        )
        .join(District, School.district_id == District.id)
        .join(Municipality, District.municipality_id == Municipality.id)
        .where(Municipality.id == campaign.municipality_id)
        .order_by(School.id)
    )
    return [
        Place(sid, school_unit(number), name, kind, dist, muni, index)
        for sid, number, name, kind, dist, muni, index in rows
    ]


def parents(places: list[Place], municipality: str) -> dict[tuple[str, str], str]:
    """(level, unit) -> the unit one level up ("" for the municipality)."""
    found = {("school", p.unit): p.district for p in places}
    found.update({("district", p.district): municipality for p in places})
    found[("municipality", municipality)] = ""
    return found


def add_units(places: list[Place], *frames: pd.DataFrame) -> None:
    """Each count frame's schools as report units (the ``unit`` column)."""
    unit_of = {p.school_id: p.unit for p in places}
    for frame in frames:
        frame["unit"] = frame["school_id"].map(unit_of)


def _base(campaign_id: int, *columns, breakdown: str | None) -> Select:
    group = [BREAKDOWNS[breakdown]().label("grp")] if breakdown else []
    query = (
        select(
            Response.school_id,
            Response.audience,
            Response.questionnaire_id,
            Answer.variable,
            *group,
            *columns,
            func.count().label("n"),
        )
        .join(Response, Answer.response_id == Response.id)
        .where(Response.campaign_id == campaign_id)
    )
    if breakdown == "school_type":
        query = query.join(School, Response.school_id == School.id)
    return query


def _frame(session: Session, query: Select, columns: list[str]) -> pd.DataFrame:
    """The query's rows as a frame, read in slices straight into columns, each distinct
    text kept once: the rows' own objects (a tuple and fresh strings per row) took more
    memory than everything else a campaign report holds. Not a server-side cursor:
    PostgreSQL plans a cursor for its first rows (nested loops and sorts), which made one
    aggregation over 10 M answers take many minutes; the result itself is small (one row
    per figure)."""
    # on the connection, not the ORM session: the session's result fetches every row
    # before the first slice is handed out
    result = session.connection().execute(query)
    found: dict[str, list] = {c: [] for c in columns}
    texts: dict[str, str] = {}
    # the columns made categorical, as integer codes per distinct text (a list of texts
    # and pandas' conversion of it afterwards were two thirds of the report's reading peak)
    coded: dict[str, dict[str, int]] = {c: {} for c in CATEGORICAL if c in columns}
    for rows in result.partitions(5_000):
        for name, values in zip(columns, zip(*rows, strict=True), strict=True):
            if name in NUMERIC:  # as arrays, slice by slice: no Python object per figure
                found[name].append(_numbers(values))
            elif name in coded:
                seen = coded[name]
                found[name].append(
                    np.fromiter((seen.setdefault(v, len(seen)) for v in values), np.int32)
                )
            elif isinstance(values[0], str):
                found[name].extend(texts.setdefault(v, v) for v in values)
            else:
                found[name].extend(values)
    data = {}
    for name in columns:
        values = found.pop(name)
        if name in coded:
            data[name] = _categorical(values, coded[name])
        elif name in NUMERIC:
            data[name] = np.concatenate(values) if values else []
        else:
            data[name] = values
    frame = pd.DataFrame(data, columns=columns)
    frame["n"] = frame["n"].astype("int64")
    return frame


#: text columns read as categories (few distinct values, many rows)
CATEGORICAL = ("audience", "questionnaire_id", "variable")


def _categorical(parts: list[np.ndarray], seen: dict[str, int]) -> pd.Categorical:
    """Codes in order of first sight as a categorical with sorted categories (what
    ``astype("category")`` makes)."""
    categories = sorted(seen)
    recode = np.empty(len(seen), dtype=np.int32)
    for new, category in enumerate(categories):
        recode[seen[category]] = new
    codes = recode[np.concatenate(parts)] if parts else np.array([], dtype=np.int32)
    return pd.Categorical.from_codes(codes, categories=categories)


#: the columns of ``_frame`` that hold numbers (ids, codes, numbers and counts)
NUMERIC = frozenset({"school_id", "code", "number", "first", "n"})


def _numbers(values: tuple) -> np.ndarray:
    """A slice of a numeric column: whole numbers as int64, with a missing value (None) or
    a decimal sum (PostgreSQL's SUM of a bigint) as float64, as pandas makes them."""
    found = np.array(values)
    if found.dtype == object:
        found = np.array(values, dtype=float)
    return found


def value_counts(
    session: Session, campaign_id: int, breakdown: str | None = None, *, frozen: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(codes, numbers) from one pass over the answers.

    codes: how often each code was given (single, scale, yes/no, smiley, matrix items and
    the ticks of a multiple choice, one row per tick), and in ``first`` how many of them
    were a response's first (ordinal 0) row of the variable: summed over the codes, that
    is how many answered the variable, also for a multiple choice. numbers: how often each
    number was given (whole and bounded: the rows grow with the distinct values, not with
    the answers); quartiles are computed from these. Free text is not read."""
    keys = [*KEYS, *(["group"] if breakdown else [])]
    if frozen:
        query = _frozen_base(campaign_id, breakdown)
    else:
        first = func.sum(case((Answer.ordinal == 0, 1), else_=0)).label("first")
        query = _base(campaign_id, Answer.code, Answer.number, first, breakdown=breakdown).where(
            Answer.text.is_(None)
        )
    query = query.group_by(*_group_columns(query, len(keys) + 2))
    frame = _frame(session, query, [*keys, "code", "number", "first", "n"])
    coded = frame["code"].notna()
    codes = frame.loc[coded, [*keys, "code", "first", "n"]].reset_index(drop=True)
    codes["code"] = codes["code"].astype("int64")
    codes["first"] = codes["first"].astype("int64")
    numbers = frame.loc[~coded & frame["number"].notna(), [*keys, "number", "n"]]
    return codes, numbers.reset_index(drop=True)


def code_counts(
    session: Session, campaign_id: int, breakdown: str | None = None, *, frozen: bool = False
) -> pd.DataFrame:
    """The codes of ``value_counts``."""
    return value_counts(session, campaign_id, breakdown, frozen=frozen)[0]


def answered_counts(codes: pd.DataFrame, numbers: pd.DataFrame) -> pd.DataFrame:
    """How many answered each coded or numeric variable (from ``value_counts``)."""
    keys = [c for c in codes.columns if c not in ("code", "first", "n")]
    coded = (
        codes.groupby(keys, as_index=False, sort=True)["first"].sum().rename(columns={"first": "n"})
    )
    numeric = numbers.groupby(keys, as_index=False, sort=True)["n"].sum()
    return pd.concat([coded, numeric], ignore_index=True)


def respondent_counts(
    session: Session, campaign_id: int, breakdown: str | None = None, *, frozen: bool = False
) -> pd.DataFrame:
    """Responses per school and audience (the size of each unit's group)."""
    table = FrozenRespondents if frozen else Response
    breakdowns = (
        {**BREAKDOWNS, "language": lambda: FrozenRespondents.language} if frozen else BREAKDOWNS
    )
    group = [breakdowns[breakdown]().label("grp")] if breakdown else []
    count = func.sum(FrozenRespondents.n) if frozen else func.count()
    query = select(table.school_id, table.audience, *group, count.label("n")).where(
        table.campaign_id == campaign_id
    )
    if breakdown == "school_type":
        query = query.join(School, table.school_id == School.id)
    query = query.group_by(*_group_columns(query, 2 + len(group)))
    return _frame(session, query, ["school_id", "audience", *(["group"] if breakdown else []), "n"])


def is_frozen(session: Session, campaign_id: int) -> bool:
    """Whether the campaign's answers were counted when it closed (one without responses,
    or closed before the frozen counts existed, has none and is counted live)."""
    found = select(FrozenRespondents.campaign_id).where(
        FrozenRespondents.campaign_id == campaign_id
    )
    return session.scalar(found.limit(1)) is not None


def _frozen_base(campaign_id: int, breakdown: str | None) -> Select:
    """``value_counts``'s query over the frozen counts: the same columns, summed."""
    group = [FROZEN_BREAKDOWNS[breakdown]().label("grp")] if breakdown else []
    query = select(
        FrozenCount.school_id,
        FrozenCount.audience,
        FrozenCount.questionnaire_id,
        FrozenCount.variable,
        *group,
        FrozenCount.code,
        FrozenCount.number,
        func.sum(FrozenCount.answered).label("first"),
        func.sum(FrozenCount.n).label("n"),
    ).where(FrozenCount.campaign_id == campaign_id)
    if breakdown == "school_type":
        query = query.join(School, FrozenCount.school_id == School.id)
    return query


def _group_columns(query: Select, count: int) -> list:
    return list(query.selected_columns)[:count]


def weighted_quantiles(values: pd.Series, weights: pd.Series, qs=(0.25, 0.5, 0.75)) -> list[float]:
    """Quantiles of the data in which each value occurs ``weight`` times, exactly as
    ``numpy.quantile`` (linear interpolation) computes them on the expanded data."""
    order = values.sort_values().index
    v = values.loc[order].to_numpy(dtype=float)
    w = weights.loc[order].to_numpy(dtype="int64")
    total = int(w.sum())
    if total == 0:
        return [float("nan")] * len(qs)
    ends = w.cumsum()  # the position after the last copy of each value
    found = []
    for q in qs:
        pos = (total - 1) * q
        lo, hi = int(pos // 1), int(-(-pos // 1))
        v_lo = v[int((ends > lo).argmax())]
        v_hi = v[int((ends > hi).argmax())]
        found.append(float(v_lo + (v_hi - v_lo) * (pos - lo)))
    return found
