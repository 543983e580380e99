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
    wide = tidy.set_index(
        ["level", "unit", "parent", "audience", "questionnaire", "question", "value"]
    )["n"].unstack("value")
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
        mine = wide[wide.index.get_level_values("questionnaire") == questionnaire.id]
        if mine.empty:
            continue
        for indicator_id, items in sorted(uses.items()):
            indicator = defined.get(indicator_id)
            if indicator is None:
                continue
            parts = []
            for use in items:
                if use.variable not in mine.index.get_level_values("question"):
                    continue
                block = mine.xs(use.variable, level="question")
                counted = _sum(block, [str(c) for c in use.codes])
                base = block[ALL] if ALL in block else pd.Series(np.nan, index=block.index)
                if kinds[use.variable] == "code" and offers_dont_know[use.variable]:
                    base = base - block[str(DONT_KNOW)]
                parts.append(pd.DataFrame({"counted": counted, "base": base}))
            if not parts:
                continue
            # pooled over items; a unit missing an item is pooled over the others, a hidden
            # figure (NaN) hides the share
            stacked = pd.concat(parts)
            pooled = stacked.groupby(level=[0, 1, 2, 3, 4], sort=True).sum(min_count=1)
            hidden = stacked.isna().any(axis=1).groupby(level=[0, 1, 2, 3, 4], sort=True).any()
            # whole columns at once (a row at a time took most of the indicators' time)
            hide = hidden.reindex(pooled.index).to_numpy(dtype=bool)
            counted = pooled["counted"].to_numpy(dtype=float)
            base = pooled["base"].to_numpy(dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = counted / base * 100
            # Python's round (correctly rounded), as a row at a time did: numpy's differs
            shares = [
                np.nan if out else round(x, 1)
                for x, out in zip(ratio.tolist(), (hide | ~(base > 0)).tolist(), strict=True)
            ]
            bases = np.where(hide, np.nan, base)
            for (level, unit, parent, audience, qid), share, n in zip(
                pooled.index, shares, bases.tolist(), strict=True
            ):
                rows.append(
                    (level, unit, parent, audience, qid, indicator_id, indicator.theme,
                     indicator.kind, indicator.label, share, n)
                )  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def _sum(block: pd.DataFrame, codes: list[str]) -> pd.Series:
    present = [c for c in codes if c in block]
    if not present:
        return pd.Series(0.0, index=block.index)
    # a hidden counted code hides the sum (min_count: NaN stays NaN)
    return block[present].sum(axis=1, min_count=len(present))


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
