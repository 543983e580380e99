"""Breakdowns by answer language, school type and Sozialindex: one system with the units."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_factories import (
    SCHOOLS,
    SIZES,
    make_families,
    make_responses,
    make_world,
    random_family,
)
from sqlalchemy import update

from survey.core.suppress import (
    ALL,
    LEVELS,
    Hierarchy,
    Status,
    exact_recoverable,
    frequency_system,
    protect,
)
from survey.distribution.models import School
from survey.extensions import db
from survey.questionnaires.loader import load_directory
from survey.reports import breakdowns, services
from survey.reports.outputs import breakdowns_csv

FIXTURES = Path(__file__).parent.parent / "fixtures" / "questionnaires"
QUESTIONNAIRES, _problems = load_directory(FIXTURES)
K = 5

SOZIALINDEX = {"Nordschule": 7, "Hafenschule": 7, "Kleine Schule": 9, "Südschule": 3,
               "Bergschule": 3, "Waldschule": 1}  # fmt: skip


@pytest.fixture
def world(app):
    rnd = random.Random(16)
    with app.app_context():
        world = make_world(db.session, SCHOOLS)
        for name, school in world.schools.items():
            school.sozialindex = SOZIALINDEX[name]
        make_families(db.session, world, SIZES, rnd)
        db.session.commit()
        yield world


def build(app, **kwargs):
    with app.app_context():
        return services.build(db.session, "c1", QUESTIONNAIRES, K, with_breakdowns=True, **kwargs)


def independent(world) -> dict[tuple, Counter]:
    """Counts by level, unit, breakdown, group, variable and value, from the answers given."""
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for school, _audience, _qid, language, answers in world.answers:
        district, kind = SCHOOLS[school]
        units = [("school", world.schools[school].number), ("district", district),
                 ("municipality", "Musterstadt")]  # fmt: skip
        groups = [("language", language), ("school_type", kind),
                  ("sozialindex", str(SOZIALINDEX[school]))]  # fmt: skip
        for variable, value in answers.items():
            if isinstance(value, str):
                continue
            for unit in units:
                for group in groups:
                    c = counts[(*unit, *group, variable)]
                    c[ALL] += 1
                    for v in value if isinstance(value, list) else [value]:
                        if isinstance(v, int):
                            c[str(v)] += 1
    return counts


def test_every_published_breakdown_figure_equals_an_independent_count(app, world):
    built = build(app)
    frame = built.breakdowns.frame
    truth = independent(world)
    assert set(frame["breakdown"]) == {"language", "school_type", "sozialindex"}
    assert (frame["status"] == "published").sum() > 50
    for row in frame.itertuples(index=False):
        counted = truth[(row.level, row.unit, row.breakdown, row.group, row.question)]
        true_n = counted[row.value]
        if row.status == "published":
            assert row.n == true_n, row
            if row.value != ALL and not np.isnan(row.percent):
                assert row.percent == round(true_n / counted[ALL] * 100, 1), row
        else:
            assert np.isnan(row.n) and np.isnan(row.percent), row
        if 0 < true_n < K or 0 < counted[ALL] < K:
            assert row.status != "published", row  # a group below k shows nothing
    # school type and Sozialindex are properties of schools: no rows at the school level
    schools = frame[frame["level"] == "school"]
    assert set(schools["breakdown"]) == {"language"}


def test_no_hidden_figure_is_recoverable_from_units_and_breakdowns_together(app, world):
    from survey.core.suppress import exact_recoverable

    built = build(app, keep_systems=True)
    found = built.breakdowns
    assert found.systems
    checked = 0
    for _key, table, protection in found.systems:
        system = table.system
        hidden = [s is not Status.PUBLISHED for s in protection.status]
        # exact rational elimination over the joint system, unit figures included
        exposed = [i for i in exact_recoverable(system, hidden) if system.cells[i].n > 0]
        assert [i for i in exposed if i not in table.exempt] == []
        assert breakdowns.leaks(system, protection, table.exempt) == []
        # the unit figures keep the status they have without breakdowns
        for (level, unit, name, _g, value), i in table.index.items():
            if name is None:
                row = built.figures.tidy
                mine = row[(row.level == level) & (row.unit == unit) & (row.value == value)
                           & (row.question == _key[2])]  # fmt: skip
                if mine.empty:  # a tick no one there gave has no unit row: a hidden 0 here
                    assert system.cells[i].n == 0 and protection.status[i] is not Status.PUBLISHED
                else:
                    assert protection.status[i].value == mine.status.iloc[0]
        checked += 1
    assert checked > 10
    # and the tidy CSV is the same with or without breakdowns
    from survey.reports.outputs import tidy_csv

    with app.app_context():
        alone = services.build(db.session, "c1", QUESTIONNAIRES, K)
    assert tidy_csv(alone.figures.tidy) == tidy_csv(built.figures.tidy)


def test_identifying_variables_are_never_crossed_with_the_answer_language():
    shipped, problems = load_directory(Path(__file__).parent.parent.parent / "questionnaires")
    assert not problems
    seen = 0
    for questionnaire in shipped.values():
        for variable, _question, kind in questionnaire.variables():
            if kind == "text":
                continue
            wanted = breakdowns.breakdowns_of(questionnaire, variable)
            if variable in questionnaire.identifying:
                seen += 1
                assert "language" not in wanted, variable
                lowest = questionnaire.identifying[variable]
            else:
                lowest = questionnaire.report_level
            for levels in wanted.values():
                assert all(LEVELS.index(lv) >= LEVELS.index(lowest) for lv in levels)
    assert seen >= 5


def test_kept_breakdowns_are_the_computed_ones_and_follow_their_inputs(app, world, tmp_path):
    """Kept under a fingerprint of their inputs: the same figures as computed; a school's
    Sozialindex edited after closing computes them again; a damaged file is computed
    again; a miss with ``stored_only`` raises."""
    store = tmp_path / "kept"
    fresh = build(app).breakdowns.frame
    with pytest.raises(breakdowns.NotStored):
        build(app, store=store, stored_only=True)
    first = build(app, store=store).breakdowns
    (kept,) = store.glob("breakdowns-*.csv.gz")
    again = build(app, store=store, stored_only=True).breakdowns
    for found in (first, again):
        pd.testing.assert_frame_equal(found.frame, fresh)
    assert breakdowns_csv(again.frame) == breakdowns_csv(fresh)
    # one unit's rows, as a web download reads them
    school = world.schools["Nordschule"].number
    mine = build(app, store=store, stored_only=True, breakdowns_of=("school", school))
    expected = fresh[(fresh["level"] == "school") & (fresh["unit"] == school)]
    assert len(expected) > 10
    assert breakdowns_csv(mine.breakdowns.frame) == breakdowns_csv(expected)
    nowhere = build(app, store=store, stored_only=True, breakdowns_of=("school", "999999"))
    assert nowhere.breakdowns.frame.empty

    def sozialindex(value: int) -> None:
        with app.app_context():
            school = world.schools["Waldschule"].id
            db.session.execute(update(School).where(School.id == school).values(sozialindex=value))
            db.session.commit()

    sozialindex(2)
    with pytest.raises(breakdowns.NotStored):
        build(app, store=store, stored_only=True)
    edited = build(app, store=store).breakdowns.frame
    assert "2" in set(edited.loc[edited["breakdown"] == "sozialindex", "group"])
    assert len(list(store.glob("breakdowns-*.csv.gz"))) == 2
    sozialindex(SOZIALINDEX["Waldschule"])
    kept.write_bytes(b"not gzip")
    with pytest.raises(breakdowns.NotStored):
        build(app, store=store, stored_only=True)
    pd.testing.assert_frame_equal(build(app, store=store).breakdowns.frame, fresh)
    pd.testing.assert_frame_equal(build(app, store=store, stored_only=True).breakdowns.frame, fresh)
    # a store that cannot be written: computed all the same, not kept
    blocked = tmp_path / "a file"
    blocked.write_text("")
    pd.testing.assert_frame_equal(build(app, store=blocked / "kept").breakdowns.frame, fresh)


def test_questions_protected_in_two_processes_give_the_same_figures(app, world):
    """A large campaign's questions are protected in forked workers: same frame, in the
    same order, as in one process."""
    with app.app_context():
        built = services.build(db.session, "c1", QUESTIONNAIRES, K)
        inputs = breakdowns._Inputs.read(db.session, built.campaign, built.figures, frozen=False)
    one = breakdowns._compute(inputs, QUESTIONNAIRES, K, jobs=1)
    two = breakdowns._compute(inputs, QUESTIONNAIRES, K, jobs=2)
    assert len(one.frame) > 100
    pd.testing.assert_frame_equal(one.frame, two.frame)
    assert one.withheld == two.withheld


def test_weniger_als_k_is_only_said_where_it_is_true(app, world):
    """A unanimous group's figure of k or more is hidden, and shown as "–" (secondary),
    never as "weniger als k"."""
    rnd = random.Random(5)
    with app.app_context():  # seven Ukrainian-speaking families who all say "4"
        families = [{**random_family(rnd), "welcome": 4} for _ in range(7)]
        make_responses(db.session, world, "Nordschule", families, language="uk")
        db.session.commit()
    found = build(app, keep_systems=True).breakdowns
    frame = found.frame
    small = 0
    for key, table, _result in found.systems:
        mine = frame[
            (frame["audience"] == key[0]) & (frame["questionnaire"] == key[1])
            & (frame["question"] == key[2]) & (frame["status"] == "primary")
        ]  # fmt: skip
        for level, unit, name, group, value in mine[
            ["level", "unit", "breakdown", "group", "value"]
        ].itertuples(index=False):
            i = table.index.get((level, unit, name, group, value))
            if i is None:  # a known zero of a hidden row: 0 in a group below k
                continue
            cell = table.system.cells[i]
            assert cell.hide_group or 0 < cell.n < K, (key, cell)
            small += 1
    assert small > 10
    school = world.schools["Nordschule"].number
    (status,) = frame.loc[
        (frame["unit"] == school) & (frame["group"] == "uk") & (frame["question"] == "welcome")
        & (frame["value"] == "4"), "status"]  # fmt: skip
    assert status == "secondary"  # hidden (unanimous), not "weniger als 5"


# --- properties: random hierarchies, school attributes, languages and answers ----------


@st.composite
def joint_worlds(draw):
    schools: dict[str, str] = {}
    for d in range(draw(st.integers(1, 3))):
        for s in range(draw(st.integers(1, 3))):
            schools[f"s{d}{s}"] = f"d{d}"
    school_type = {s: draw(st.sampled_from(["G", "H"])) for s in schools}
    sozialindex = {s: str(draw(st.integers(1, 3))) for s in schools if draw(st.booleans())}
    languages = draw(st.sampled_from([["de", "tr"], ["de", "tr", "ar"]]))
    some = st.one_of(st.integers(0, 4), st.integers(0, 14))
    # a single choice (its answers add up to the (all) row), or one option of a multiple
    # choice (ticks of those who answered the question: no (all) row of its own)
    option = draw(st.booleans())
    values = ["1"] if option else [str(v) for v in range(1, draw(st.integers(2, 3)) + 1)]
    answered = {(s, g): draw(some) for s in schools for g in languages}
    counts = {
        (school, language, value): (
            draw(st.integers(0, answered[(school, language)])) if option else draw(some)
        )
        for school in schools
        for language in languages
        for value in values
    }
    if not option:
        answered = {(s, g): sum(counts[(s, g, v)] for v in values) for s, g in answered}
    # respondents who skipped the question
    people = {key: n + draw(st.integers(0, 3)) for key, n in answered.items()}
    language_from = draw(st.sampled_from(["school", "district", "municipality"]))
    k = draw(st.sampled_from([3, 5]))
    return schools, {"school_type": school_type, "sozialindex": sozialindex}, values, counts, (
        language_from, k, option, answered, people)  # fmt: skip


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(joint_worlds())
def test_units_and_breakdowns_together_give_no_hidden_figure_away(world):
    """Over random worlds (a single choice, or an option of a multiple choice): the unit
    figures protected on their own, then the joint system with every breakdown: no hidden figure (not a zero) in the span of the published ones
    (exact rational elimination), none narrowed to one value by what "weniger als k"
    tells, no published sum that pins hidden members to 1..k-1; every breakdown figure
    below k hidden; the unit figures keep their status."""
    schools, attributes, values, counts, (language_from, k, option, sizes, respondents) = world
    hierarchy = Hierarchy(schools, "M")
    unit_counts: Counter = Counter()
    for (school, _language, value), n in counts.items():
        unit_counts[(school, None, value)] += n

    def below_k(by_school_language) -> set:
        found: Counter = Counter()
        for (school, _language), n in by_school_language.items():
            for level in LEVELS:
                found[(level, hierarchy.unit_at(school, level))] += n
        return {unit for unit, n in found.items() if 0 < n < k}

    small_units = below_k(respondents)  # fewer than k respondents: nothing but "weniger als"
    hidden_units = small_units
    if option:  # every school with an answer has a row: 0 ticks is a figure too
        for (school, _language), n in sizes.items():
            if n:
                unit_counts.setdefault((school, None, "1"), 0)
        hidden_units = small_units | below_k(sizes)  # and fewer than k answered (``figures``)
    units = frequency_system(
        dict(unit_counts), hierarchy, values, total=not option, small_units=hidden_units, k=k
    )
    unit_result = protect(units.system, k)
    settled = {
        (level, unit, value): unit_result.status[i]
        for (level, unit, _group, value), i in units.index.items()
    }
    people = pd.DataFrame(
        [("families", s, g, n) for (s, g), n in respondents.items()],
        columns=["audience", "unit", "group", "n"],
    )
    small = breakdowns._small_groups(people, hierarchy, attributes, k)["families"]
    wanted = {
        "language": LEVELS[LEVELS.index(language_from) :],
        "school_type": ("district", "municipality"),
        "sozialindex": ("district", "municipality"),
    }
    table = breakdowns.joint_system(
        counts, values, hierarchy, wanted, attributes, LEVELS, total=not option, few=option,
        sizes=dict(sizes), small_groups=small, small_units=small_units, settled=settled, k=k,
    )  # fmt: skip
    names, tables, results, _dropped = breakdowns.protect_question([table], list(wanted), k)
    if not names:
        return  # every breakdown withheld: only the unit figures, protected on their own
    (table,), (result,) = tables, results
    system = table.system
    hidden = [s is not Status.PUBLISHED for s in result.status]
    exposed = [i for i in exact_recoverable(system, hidden) if system.cells[i].n > 0]
    assert [system.cells[i] for i in exposed if i not in table.exempt] == []
    assert breakdowns.leaks(system, result, table.exempt) == []
    for key, i in table.index.items():
        cell = system.cells[i]
        if key[2] is None:
            assert result.status[i] is settled.get((key[0], key[1], key[4]), Status.SECONDARY)
        elif 0 < cell.n < k:
            assert hidden[i], cell
