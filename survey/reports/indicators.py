"""Indicators of ``themes.yaml`` per unit and audience, their context and their ranking.

An indicator's share is the share of answers that count (its counting rule) among the
valid answers to the items that measure it, pooled where a questionnaire measures it
with several items: "weiß nicht" (99) is left out of the base; for a multiple choice
the base is everyone who answered the question. The share is computed only from
published counts (the counted codes, the total and the 99): where one of them is
hidden, so is the share, and it can never give a hidden count back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pandas as pd

from survey.core.suppress import ALL
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.model import DONT_KNOW, ThemesFile
from survey.reports.figures import Figures

COLUMNS = [
    "level",
    "unit",
    "parent",
    "audience",
    "questionnaire",
    "indicator",
    "theme",
    "kind",
    "label",
    "share",
    "n",
]


def compute(
    figures: Figures, questionnaires: Mapping[str, Questionnaire], catalogue: ThemesFile
) -> pd.DataFrame:
    """One row per unit, audience, questionnaire and indicator; share in percent (NaN where
    hidden), n the pooled base."""
    tidy = figures.tidy
    if tidy.empty:
        return pd.DataFrame(columns=COLUMNS)
    defined = {i.id: i for i in catalogue.indicators}
    # (questionnaire, question) -> unit -> value -> n: the tidy rows read once, in plain
    # Python (pandas' per-call overhead, paid for every item of every indicator, was most
    # of a small campaign's engine time)
    cells: dict[tuple[str, str], dict[tuple, dict[str, float]]] = defaultdict(dict)
    columns = ["level", "unit", "parent", "audience", "questionnaire", "question", "value", "n"]
    for level, unit, parent, audience, qid, question, value, n in zip(
        *(tidy[c].tolist() for c in columns), strict=True
    ):
        cells[(qid, question)].setdefault((level, unit, parent, audience, qid), {})[value] = n
    seen_values = set(tidy["value"].tolist())
    rows = []
    for questionnaire in sorted(questionnaires.values(), key=lambda q: q.id):
        kinds = {v: kind for v, _q, kind in questionnaire.variables()}
        offers_dont_know = {
            v: any(c.value == DONT_KNOW for c in questionnaire.options.get(q.id, ()))
            for v, q, _kind in questionnaire.variables()
        }
        uses: dict[str, list] = defaultdict(list)
        for use in questionnaire.indicators:
            uses[use.indicator].append(use)
        for indicator_id, items in sorted(uses.items()):
            indicator = defined.get(indicator_id)
            if indicator is None:
                continue
            pooled: dict[tuple, list] = {}  # unit -> [counted, base, hidden]
            for use in items:
                block = cells.get((questionnaire.id, use.variable))
                if not block:
                    continue
                codes = [str(c) for c in use.codes if str(c) in seen_values]
                less_dont_know = kinds[use.variable] == "code" and offers_dont_know[use.variable]
                for unit, values in block.items():
                    counted = _sum(values, codes)
                    base = values.get(ALL, NAN)
                    if less_dont_know:
                        base = base - values.get(str(DONT_KNOW), NAN)
                    acc = pooled.setdefault(unit, [NAN, NAN, False])
                    # pooled over items; a unit missing an item is pooled over the others, a
                    # hidden figure (NaN) hides the share
                    acc[0] = _add(acc[0], counted)
                    acc[1] = _add(acc[1], base)
                    acc[2] = acc[2] or counted != counted or base != base
            for unit in sorted(pooled):
                counted, base, hide = pooled[unit]
                out = hide or not base > 0
                # Python's round (correctly rounded)
                share = NAN if out else round(counted / base * 100, 1)
                rows.append(
                    (*unit, indicator_id, indicator.theme, indicator.kind, indicator.label,
                     share, NAN if hide else base)
                )  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


NAN = float("nan")


def _sum(values: dict[str, float], codes: list[str]) -> float:
    """The counted codes' sum; a hidden one (NaN) hides it; 0 where none is offered."""
    return float(sum(values.get(c, NAN) for c in codes)) if codes else 0.0


def _add(total: float, x: float) -> float:
    """A sum that skips NaN and stays NaN only while everything added was NaN."""
    if x != x:
        return total
    return x if total != total else total + x


def with_context(indicators: pd.DataFrame) -> pd.DataFrame:
    """Each row with the same indicator's share in its district and in the campaign."""
    keys = ["audience", "questionnaire", "indicator"]
    district = indicators[indicators["level"] == "district"][["unit", *keys, "share"]]
    campaign = indicators[indicators["level"] == "municipality"][[*keys, "share"]]
    found = indicators.merge(
        campaign.rename(columns={"share": "campaign_share"}), on=keys, how="left"
    )
    schools = found["level"] == "school"
    merged = found.merge(
        district.rename(columns={"unit": "parent", "share": "district_share"}),
        on=["parent", *keys],
        how="left",
    )
    merged.loc[~schools.to_numpy(), "district_share"] = np.nan
    return merged


def ranking(indicators: pd.DataFrame, level: str, unit: str) -> pd.DataFrame:
    """The unit's needs and strengths, greatest first (hidden shares left out), with the
    distance to the campaign: what a report opens with."""
    mine = with_context(indicators)
    mine = mine[(mine["level"] == level) & (mine["unit"] == unit) & mine["share"].notna()]
    mine = mine.assign(versus_campaign=(mine["share"] - mine["campaign_share"]).round(1))
    mine = mine.sort_values(
        ["kind", "share", "audience", "indicator"], ascending=[True, False, True, True]
    )
    mine = mine.assign(rank=mine.groupby("kind").cumcount() + 1)
    return mine.reset_index(drop=True)


def perspectives(indicators: pd.DataFrame, level: str, unit: str) -> pd.DataFrame:
    """Per theme and indicator, the share each audience gives, side by side."""
    mine = indicators[(indicators["level"] == level) & (indicators["unit"] == unit)]
    table = mine.pivot_table(
        index=["theme", "indicator", "kind", "label"],
        columns="audience",
        values="share",
        aggfunc="first",
        dropna=False,
    )
    order = [a for a in ("families", "staff", "children", "partners") if a in table.columns]
    return table[order].reset_index()
