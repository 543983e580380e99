"""The maps section of district and municipality reports: one map per indicator and
audience, every district of the municipality classed by its share.

Shares come from the engine's indicators at district level and nowhere else: a share the
engine hid (NaN) is passed on as "suppressed" and drawn hatched without a value; it is
never recomputed. A district whose row says nobody answered (base 0) is drawn empty, one
without a row at all (no school of it in the campaign) too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from flask_babel import gettext as _

from survey.distribution.labels import AUDIENCE_LABELS
from survey.distribution.models import AUDIENCES
from survey.maps import choropleth
from survey.maps.choropleth import Choropleth


@dataclass(frozen=True)
class MapEntry:
    title: str
    audience: str
    indicator: str
    chart: Choropleth


@dataclass(frozen=True)
class MapSection:
    kind: ClassVar[str] = "maps"
    anchor: str
    title: str
    intro: str
    maps: tuple[MapEntry, ...]


def map_section(src, level: str, unit: str, audiences: Sequence[str]) -> MapSection | None:
    """The maps of a district or municipality report; None without outlines or indicators."""
    if level not in ("district", "municipality") or not src.outlines:
        return None
    k = src.built.figures.k
    table = src.indicators
    rows = table[(table["level"] == "district") & table["audience"].isin(list(audiences))]
    if rows.empty:
        return None
    theme_order = {t.id: i for i, t in enumerate(src.catalogue.themes)} if src.catalogue else {}
    indicator_order = (
        {d.id: i for i, d in enumerate(src.catalogue.indicators)} if src.catalogue else {}
    )
    audience_order = {a: i for i, a in enumerate(AUDIENCES)}
    highlight = unit if level == "district" else None
    entries = []
    groups = rows.groupby(["audience", "questionnaire", "indicator"], sort=False)
    for (audience, _questionnaire, indicator), part in sorted(
        groups,
        key=lambda item: (
            theme_order.get(item[1]["theme"].iloc[0], 99),
            indicator_order.get(item[0][2], 999),
            audience_order.get(item[0][0], 9),
        ),
    ):
        shares: dict[str, float] = {}
        suppressed: set[str] = set()
        for r in part.itertuples(index=False):
            if not _missing(r.share):
                shares[r.unit] = float(r.share)
            elif _missing(r.n) or r.n > 0:
                suppressed.add(r.unit)  # hidden by the engine; nothing of it is kept
        label = str(AUDIENCE_LABELS.get(audience, audience))
        title = f"{label}: {part['label'].iloc[0]}"
        chart = choropleth.build(title, src.outlines, shares, suppressed, k, highlight=highlight)
        if chart is not None:
            entries.append(MapEntry(title, str(audience), str(indicator), chart))
    if not entries:
        return None
    intro = _(
        "Jede Karte zeigt eine Kennzahl für alle Sozialräume: je dunkler, desto höher der "
        "Anteil, in fünf festen Stufen zu 20 Prozentpunkten, in allen Karten gleich. "
        "Schraffierte Sozialräume haben keinen Wert: zu wenige Antworten, oder die Zahl ist "
        "zum Schutz kleiner Gruppen gesperrt."
    )
    if highlight:
        intro += " " + _("Der Sozialraum dieses Berichts ist dick umrandet.")
    return MapSection(
        anchor="karten", title=_("Karten der Sozialräume"), intro=intro, maps=tuple(entries)
    )


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
