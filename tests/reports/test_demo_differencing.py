"""The demo campaign's files, read as an attacker reads them: every sum that the tidy CSV
and the breakdowns CSV publish together, differenced.

For each sum (a unit's (all) over its answers, a unit over the units below it, a unit
over its groups of one breakdown, a group over the same group one level down, a
district's school type over its schools of that type) with a published total: the
published members are subtracted, and what is left must give no hidden member away:
not one hidden member alone (unless what is left is 0: a hidden zero is no secret),
and not several hidden members that add up to 1 to k-1. A hidden total whose members
are all published is worked out the same way.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from survey.config import Defaults
from survey.core.suppress import ALL
from survey.questionnaires.loader import load_directory

SHIPPED = pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)
LEVELS = ("school", "district", "municipality")


def _rows(folder: Path) -> list[dict[str, str]]:
    found = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as file:
            found.extend(csv.DictReader(file))
    return found


def _sums(tidy, groups, kinds, attributes):
    """(total, members) for every sum of the published files; a cell is its n ('' when
    hidden) or None when the file has no row for it (a count no one gave: 0)."""
    unit_cell = {}
    children_of = defaultdict(set)
    unit_values = defaultdict(set)
    for r in tidy:
        key = (r["audience"], r["questionnaire"], r["question"])
        unit_cell[(r["level"], r["unit"], *key, r["value"])] = r["n"]
        unit_values[(r["level"], r["unit"], *key)].add(r["value"])
        if r["parent"]:
            up = LEVELS[LEVELS.index(r["level"]) + 1]
            children_of[(up, r["parent"])].add(r["unit"])
    group_cell = {}
    groups_of = defaultdict(set)
    group_values = defaultdict(set)
    for r in groups:
        key = (r["audience"], r["questionnaire"], r["question"])
        group_cell[(r["level"], r["unit"], r["breakdown"], r["group"], *key, r["value"])] = r["n"]
        groups_of[(r["level"], r["unit"], r["breakdown"], *key)].add(r["group"])
        group_values[(r["level"], r["unit"], r["breakdown"], r["group"], *key)].add(r["value"])

    sums = []
    for (level, unit, *key), vs in unit_values.items():
        answers = sorted(vs - {ALL})
        if kinds.get(tuple(key[1:])) == "code" and ALL in vs:  # (all) over the answers
            whole = unit_cell[(level, unit, *key, ALL)]
            sums.append((whole, [unit_cell.get((level, unit, *key, v)) for v in answers]))
        for value in vs:  # a unit over the units below it
            below = LEVELS[LEVELS.index(level) - 1] if level != "school" else None
            if below:
                members = [
                    unit_cell.get((below, u, *key, value)) for u in children_of[(level, unit)]
                ]
                sums.append((unit_cell[(level, unit, *key, value)], members))
    for level, unit, breakdown, *key in groups_of:
        for group in groups_of[(level, unit, breakdown, *key)]:
            prefix = (level, unit, breakdown, group, *key)
            vs = group_values[prefix]
            if kinds.get(tuple(key[1:])) == "code" and ALL in vs:
                sums.append(
                    (group_cell[(*prefix, ALL)], [group_cell.get((*prefix, v)) for v in vs - {ALL}])
                )
            for value in vs:
                total = group_cell[(*prefix, value)]
                if breakdown == "language" and level != "school":  # the same group below
                    below = LEVELS[LEVELS.index(level) - 1]
                    members = [
                        group_cell.get((below, u, breakdown, group, *key, value))
                        for u in children_of[(level, unit)]
                    ]
                    sums.append((total, members))
                if breakdown != "language" and level == "district":  # its schools of the group
                    schools = [
                        u
                        for u in children_of[(level, unit)]
                        if attributes[breakdown].get(u) == group
                    ]
                    members = [unit_cell.get(("school", u, *key, value)) for u in schools]
                    sums.append((total, members))
        # a unit over its groups, where every member of the unit has a group
        complete = breakdown == "language" or all(
            attributes[breakdown].get(s) is not None for s in _schools_in(level, unit, children_of)
        )
        if complete:
            for value in {
                k[-1]
                for k in group_cell
                if k[:3] == (level, unit, breakdown) and tuple(k[4:-1]) == tuple(key)
            }:
                members = [
                    group_cell.get((level, unit, breakdown, g, *key, value))
                    for g in groups_of[(level, unit, breakdown, *key)]
                ]
                sums.append((unit_cell.get((level, unit, *key, value)), members))
    return sums


def _schools_in(level, unit, children_of):
    if level == "school":
        return [unit]
    return [s for u in children_of[(level, unit)] for s in _schools_in(
        LEVELS[LEVELS.index(level) - 1], u, children_of)]  # fmt: skip


@SHIPPED
def test_the_demo_files_survive_differencing_at_every_level(app, tmp_path):
    from survey.distribution.models import School
    from survey.extensions import db

    result = app.test_cli_runner().invoke(args=["demo", "--responses", "3000"])
    assert result.exit_code == 0, result.output
    k = int(app.config["MIN_GROUP_SIZE"])
    runner = app.test_cli_runner()
    for level in LEVELS:
        result = runner.invoke(
            args=["report", "--campaign", "demo", "--level", level, "--format", "csv",
                  "--out", str(tmp_path / level)]
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    tidy = [r for lv in LEVELS for r in _rows(tmp_path / lv) if "breakdown" not in r]
    groups = [r for lv in LEVELS for r in _rows(tmp_path / lv) if "breakdown" in r]
    assert len(groups) > 1000 and {r["breakdown"] for r in groups} == {
        "language", "school_type", "sozialindex"}  # fmt: skip
    questionnaires, _problems = load_directory(Path(Defaults.QUESTIONNAIRE_DIR))
    kinds = {
        (qid, variable): kind
        for qid, q in questionnaires.items()
        for variable, _question, kind in q.variables()
    }
    with app.app_context():
        schools = db.session.query(School).all()
        attributes = {
            "school_type": {s.number: s.school_type for s in schools},
            "sozialindex": {s.number: str(s.sozialindex) for s in schools if s.sozialindex},
        }
    sums = _sums(tidy, groups, kinds, attributes)
    assert len(sums) > 10_000
    checked = 0
    for total, members in sums:
        if total is None:
            continue
        present = [m for m in members if m is not None]
        hidden = [m for m in present if m == ""]
        if total == "":
            if present and not hidden:  # a hidden total of published members
                assert sum(int(m) for m in present) == 0, (members,)
            continue
        rest = int(total) - sum(int(m) for m in present if m != "")
        assert rest >= 0
        if hidden:
            checked += 1
            assert rest == 0 or (len(hidden) >= 2 and rest >= k), (total, members)
    assert checked > 500
