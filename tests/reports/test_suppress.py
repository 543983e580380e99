"""Suppression: hand-made tables and property tests over random hierarchies."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.core.suppress import (
    ALL,
    Cell,
    Hierarchy,
    Relation,
    Status,
    System,
    exact_recoverable,
    frequency_system,
    lp_audit,
    narrowed_to_one,
    narrowest,
    pinned_sums,
    protect,
    recoverable,
    relation_map,
    unlabelled_in,
)

FOUR_SCHOOLS = Hierarchy({"s1": "d1", "s2": "d1", "s3": "d2", "s4": "d2"}, "M")
COUNTS = {
    ("s1", None, "1"): 3, ("s1", None, "2"): 10,
    ("s2", None, "1"): 8, ("s2", None, "2"): 9,
    ("s3", None, "1"): 6, ("s3", None, "2"): 7,
    ("s4", None, "1"): 12, ("s4", None, "2"): 1,
}  # fmt: skip


def hidden_of(protection) -> list[bool]:
    return [s is not Status.PUBLISHED for s in protection.status]


def test_a_small_cell_is_hidden_with_a_rectangle_of_partners():
    table = frequency_system(COUNTS, FOUR_SCHOOLS, ["1", "2"], k=5)
    result = protect(table.system, 5)
    status = {table.system.cells[i].key: s for i, s in enumerate(result.status)}
    assert status[("school", "s1", None, "1")] is Status.PRIMARY
    assert status[("school", "s4", None, "2")] is Status.PRIMARY
    # the row alone would give it away (13 - 10): a whole rectangle is hidden
    assert status[("school", "s1", None, "2")] is Status.SECONDARY
    assert status[("school", "s2", None, "1")] is Status.SECONDARY
    assert status[("school", "s2", None, "2")] is Status.SECONDARY
    # totals stay: the school's (all) and every district and municipal figure
    assert status[("school", "s1", None, ALL)] is Status.PUBLISHED
    assert all(s is Status.PUBLISHED for key, s in status.items() if key[0] != "school")
    assert recoverable(table.system, hidden_of(result)) == []
    assert exact_recoverable(table.system, hidden_of(result)) == []


def test_the_rank_test_sees_what_a_row_rule_misses():
    # Three hidden cells, each in a row and a column with another hidden one, yet the
    # sums of a 3x2 table with margins give every one of them back when they form no
    # cycle (a "row rule" would call this safe).
    system = System()
    a, b, c, d = (system.add_inner(v) for v in (2, 7, 6, 9))
    cells = [
        Cell(("a",), (a,), 2), Cell(("b",), (b,), 7), Cell(("c",), (c,), 6), Cell(("d",), (d,), 9),
        Cell(("ab",), (a, b), 9, 1), Cell(("cd",), (c, d), 15, 1),
        Cell(("ac",), (a, c), 8, 1), Cell(("bd",), (b, d), 16, 1),
    ]  # fmt: skip
    for cell in cells:
        system.add_cell(cell)
    hidden = [True, True, True, False, False, False, False, False]
    # a, b and c are hidden, each shares a sum with another hidden cell, but d is
    # published: c = cd - d, then a = ac - c, then b = ab - a.
    assert recoverable(system, hidden) == [0, 1, 2]
    assert exact_recoverable(system, hidden) == [0, 1, 2]


def test_a_published_sum_may_not_pin_its_hidden_members_below_k():
    system = System()
    xs = [system.add_inner(v) for v in (2, 1, 30)]
    parts = [system.add_cell(Cell((i,), (x,), system.inner_values[x])) for i, x in enumerate(xs)]
    total = system.add_cell(Cell(("t",), tuple(xs), 33, 1))
    system.relations.append(Relation(total, tuple(parts)))
    result = protect(system, 5)
    # 2 and 1 alone would be known to add up to 3: the 30 is hidden as well
    assert result.status[parts[2]] is Status.SECONDARY
    assert pinned_sums(system, hidden_of(result), 5) == []


def test_a_unanimous_breakdown_group_is_protected_but_a_unanimous_unit_is_published():
    hierarchy = Hierarchy({"s1": "d1", "s2": "d1"}, "M")
    counts = {
        ("s1", "ar", "0"): 6, ("s1", "de", "0"): 4, ("s1", "de", "1"): 9,
        ("s2", "de", "0"): 8, ("s2", "de", "1"): 7, ("s2", "tr", "1"): 5, ("s2", "tr", "0"): 5,
    }  # fmt: skip
    table = frequency_system(
        counts, hierarchy, ["0", "1"], breakdown_levels=("district", "municipality"), k=5
    )
    result = protect(table.system, 5)
    status = {table.system.cells[i].key: s for i, s in enumerate(result.status)}
    # every Arabic-speaking family said "0": that cell is not shown in the breakdown
    assert status[("district", "d1", "ar", "0")] is Status.PRIMARY
    assert exact_recoverable(table.system, hidden_of(result)) == []
    # a whole school saying the same is its finding: published
    unanimous = {("s1", None, "1"): 12, ("s2", None, "1"): 6, ("s2", None, "0"): 7}
    table = frequency_system(unanimous, hierarchy, ["0", "1"], k=5)
    result = protect(table.system, 5)
    assert result.status[table.index[("school", "s1", None, "1")]] is Status.PUBLISHED


def test_a_unit_below_k_shows_nothing():
    table = frequency_system(COUNTS, FOUR_SCHOOLS, ["1", "2"], small_units=[("school", "s2")])
    result = protect(table.system, 5)
    for value in ("1", "2", ALL):
        assert result.status[table.index[("school", "s2", None, value)]] is Status.PRIMARY


def test_what_fewer_than_k_tells_is_taken_into_account():
    """Two "weniger als 5" under a published 8 are both 4: a third figure is hidden."""
    system = System()
    a, b, c = system.add_inner(4), system.add_inner(4), system.add_inner(9)
    for inner, n in (((a,), 4), ((b,), 4), ((c,), 9), ((a, b, c), 17)):
        system.add_cell(Cell((n, inner), inner, n, level=int(len(inner) > 1)))
    system.relations.append(Relation(3, (0, 1, 2)))
    result = protect(system, 5)
    assert result.status[2] is Status.SECONDARY and result.status[3] is Status.PUBLISHED
    intervals = lp_audit(system, result)
    assert [(iv.low, iv.high) for iv in intervals] == [(1, 4), (1, 4), (9, 15)]
    # without the third, the sums and the labels pin both
    hidden = [True, True, False, False]
    assert narrowed_to_one(system, hidden, 5) == [0, 1]
    assert recoverable(system, hidden) == []  # the rank test alone does not see it


def test_lp_audit_reports_the_interval_an_attacker_can_reach():
    table = frequency_system(COUNTS, FOUR_SCHOOLS, ["1", "2"], k=5)
    result = protect(table.system, 5)
    intervals = lp_audit(table.system, result)
    assert {iv.cell for iv in intervals} == set(result.hidden())
    truth = {i: table.system.cells[i].n for i in result.hidden()}
    for iv in intervals:
        assert iv.low - 1e-9 <= truth[iv.cell] <= iv.high + 1e-9
        assert iv.width > 0
    best = narrowest(intervals)
    assert best is not None and best.width == min(iv.width for iv in intervals)


# --- properties --------------------------------------------------------------------------


@st.composite
def worlds(draw):
    districts = draw(st.integers(1, 3))
    hierarchy = {}
    for d in range(districts):
        for s in range(draw(st.integers(1, 3))):
            hierarchy[f"s{d}{s}"] = f"d{d}"
    values = [str(v) for v in range(draw(st.integers(1, 3)))]
    languages = draw(st.sampled_from([[None], ["de", "ar"], ["de", "tr", "ar"]]))
    small = st.integers(0, 4)
    any_size = st.integers(0, 14)
    counts = {}
    for school in hierarchy:
        for lang in languages:
            for value in values:
                counts[(school, lang, value)] = draw(st.one_of(small, any_size))
    breakdown = (
        ()
        if languages == [None]
        else draw(
            st.sampled_from(
                [
                    ("municipality",),
                    ("district", "municipality"),
                    ("school", "district", "municipality"),
                ]
            )
        )
    )
    k = draw(st.sampled_from([3, 5]))
    return Hierarchy(hierarchy, "M"), values, counts, breakdown, k


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_no_hidden_cell_is_recoverable_and_no_sum_pins_hidden_members(world):
    hierarchy, values, counts, breakdown, k = world
    table = frequency_system(counts, hierarchy, values, breakdown_levels=breakdown, k=k)
    result = protect(table.system, k)
    hidden = hidden_of(result)
    for i, cell in enumerate(table.system.cells):
        if 0 < cell.n < k:
            assert hidden[i], cell
    assert exact_recoverable(table.system, hidden) == []
    assert pinned_sums(table.system, hidden, k) == []
    # with non-negativity and what "weniger als k" tells, a solver narrows a hidden figure
    # to one value only where nothing is left to hide: every sum it is part of is hidden
    # (all the figures are small: three "weniger als 3" for two schools and their town)
    rel_map = relation_map(table.system)
    shown = unlabelled_in(table.system, result)  # labels withheld: as a reader sees them
    pinned = set(narrowed_to_one(table.system, hidden, k, unlabelled=shown))
    pinned |= {iv.cell for iv in lp_audit(table.system, result) if iv.width < 1e-6}
    for i in pinned:
        if table.system.cells[i].n:
            for rel in rel_map.get(i, []):
                assert all(hidden[c] for c in (rel.parent, *rel.children)), table.system.cells[i]
    # every published cell is the sum of its inner cells (the system is consistent)
    for cell in table.system.cells:
        assert cell.n == sum(table.system.inner_values[x] for x in cell.inner)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.randoms(use_true_random=False))
def test_the_fast_rank_test_agrees_with_exact_elimination(world, rnd: random.Random):
    hierarchy, values, counts, breakdown, k = world
    table = frequency_system(counts, hierarchy, values, breakdown_levels=breakdown, k=k)
    share = rnd.random()
    hidden = [rnd.random() < share for _ in table.system.cells]
    assert recoverable(table.system, hidden) == exact_recoverable(table.system, hidden)


@pytest.mark.parametrize("seed", range(5))
def test_larger_tables_are_protected_without_hiding_everything(seed):
    rnd = random.Random(seed)
    hierarchy = Hierarchy({f"s{i}": f"d{i % 8}" for i in range(60)}, "M")
    values = ["1", "2", "3", "4", "99"]
    counts = {
        (s, None, v): rnd.choice([0, 1, 2, 3, 5, 8, 13, 21, 30])
        for s in hierarchy.district_of
        for v in values
    }
    table = frequency_system(counts, hierarchy, values, k=5)
    result = protect(table.system, 5)
    hidden = hidden_of(result)
    assert recoverable(table.system, hidden) == []
    assert pinned_sums(table.system, hidden, 5) == []
    assert not result.failed_closed
    assert result.count(Status.PUBLISHED) > len(table.system.cells) // 2


@pytest.mark.parametrize("seed", range(3))
def test_a_question_of_many_small_answers_settles_in_few_rounds(seed):
    # Eleven answers of very different popularity over a hundred schools of every size
    # (a families' "best channel" question): most school counts are below k. With one
    # helper per cluster and round this took 69 to 161 rounds (in a campaign, one such
    # question ran out of rounds and hid every figure, the municipality's too).
    import numpy as np

    from survey.core.suppress import ONE_PER_CLUSTER_ROUNDS

    rng = np.random.default_rng(seed)
    hierarchy = Hierarchy({f"s{i:03}": f"d{i % 10}" for i in range(100)}, "M")
    values = [str(v) for v in range(1, 12)]
    share = [0.3, 0.2, 0.12, 0.1, 0.08, 0.06, 0.05, 0.04, 0.03, 0.01, 0.01]
    sizes = rng.choice([3, 8, 15, 25, 40, 80], len(hierarchy.district_of))
    counts = {
        (school, None, value): int(n)
        for school, size in zip(sorted(hierarchy.district_of), sizes, strict=True)
        for value, n in zip(values, rng.multinomial(size, share), strict=True)
    }
    table = frequency_system(counts, hierarchy, values, k=5)
    result = protect(table.system, 5)
    hidden = hidden_of(result)
    assert not result.failed_closed
    assert result.rounds <= ONE_PER_CLUSTER_ROUNDS + 30
    assert recoverable(table.system, hidden) == []
    assert pinned_sums(table.system, hidden, 5) == []
    assert (
        narrowed_to_one(table.system, hidden, 5, unlabelled=unlabelled_in(table.system, result))
        == []
    )
    assert result.count(Status.PUBLISHED) > len(table.system.cells) // 3


def test_labels_alone_give_nothing_away():
    # A district's "weniger als 5" above four schools' "weniger als 5": each school has at
    # least 1, so the district has 4 and every school exactly 1, with nothing published
    # that could be hidden instead. The district's label is withheld.
    system = System()
    children = []
    for _ in range(4):
        x = system.add_inner(1)
        children.append(system.add_cell(Cell(("school", str(x), None, "1"), (x,), 1, 0)))
    parent = system.add_cell(Cell(("district", "d", None, "1"), tuple(range(4)), 4, 1))
    system.relations.append(Relation(parent, tuple(children)))
    result = protect(system, 5)
    assert result.status[parent] is Status.SECONDARY
    assert all(result.status[c] is Status.PRIMARY for c in children)
    assert (
        narrowed_to_one(system, hidden_of(result), 5, unlabelled=unlabelled_in(system, result))
        == []
    )
    assert all(interval.width >= 1 for interval in lp_audit(system, result))


def test_failing_closed_still_protects_the_top_level(monkeypatch):
    from survey.core import suppress

    monkeypatch.setattr(suppress, "MAX_ROUNDS", 1)
    counts = {**COUNTS, ("s1", None, "3"): 2, ("s3", None, "3"): 1}
    table = frequency_system(counts, FOUR_SCHOOLS, ["1", "2", "3"], k=5)
    result = protect(table.system, 5)
    assert result.failed_closed
    top = {cell.key[3]: result.status[i] for i, cell in enumerate(table.system.cells)
           if cell.level == 2}  # fmt: skip
    # "3" is 3 in all (primary); the total beside it would give it back, so one more
    # figure of the row is hidden, and the rest stays published
    assert top["3"] is Status.PRIMARY
    assert sum(s is Status.PUBLISHED for s in top.values()) == 2
    assert exact_recoverable(table.system, hidden_of(result)) == []


def test_out_of_rounds_it_fails_closed_to_the_higher_level(monkeypatch):
    from survey.core import suppress

    monkeypatch.setattr(suppress, "MAX_ROUNDS", 1)
    table = frequency_system(COUNTS, FOUR_SCHOOLS, ["1", "2"], k=5)
    result = protect(table.system, 5)
    assert result.failed_closed
    for i, cell in enumerate(table.system.cells):
        assert (result.status[i] is Status.PUBLISHED) == (cell.level == 2)
    assert exact_recoverable(table.system, hidden_of(result)) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.randoms(use_true_random=False))
def test_the_matrix_rank_test_agrees_with_the_plain_one(world, rnd: random.Random):
    from survey.core.suppress import recoverable_blocks, recoverable_blocks_plain

    hierarchy, values, counts, breakdown, k = world
    table = frequency_system(counts, hierarchy, values, breakdown_levels=breakdown, k=k)
    share = rnd.random()
    hidden = [rnd.random() < share for _ in table.system.cells]
    fast = sorted(i for b in recoverable_blocks(table.system, hidden) for i in b)
    plain = sorted(i for b in recoverable_blocks_plain(table.system, hidden) for i in b)
    assert fast == plain


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.randoms(use_true_random=False))
def test_the_sparse_rank_test_agrees_with_the_dense_and_the_plain_one(world, rnd: random.Random):
    from survey.core.suppress import Incidence, recoverable_blocks, recoverable_blocks_plain

    hierarchy, values, counts, breakdown, k = world
    table = frequency_system(counts, hierarchy, values, breakdown_levels=breakdown, k=k)
    share = rnd.random()
    hidden = [rnd.random() < share for _ in table.system.cells]
    dense = Incidence(table.system)
    assert not dense.sparse
    limit, Incidence.DENSE_ENTRIES = Incidence.DENSE_ENTRIES, -1
    try:
        sparse = Incidence(table.system)
    finally:
        Incidence.DENSE_ENTRIES = limit
    assert sparse.sparse
    by_sparse = recoverable_blocks(table.system, hidden, sparse)
    assert by_sparse == recoverable_blocks(table.system, hidden, dense)
    plain = sorted(i for b in recoverable_blocks_plain(table.system, hidden) for i in b)
    assert sorted(i for b in by_sparse for i in b) == plain


def test_protection_is_the_same_with_the_sparse_rank_test(monkeypatch):
    """Whole protections (every round) agree between the two forms of the matrix."""
    from survey.core import suppress

    rnd = random.Random(7)
    schools = {f"s{i}": f"d{i % 4}" for i in range(30)}
    hierarchy = Hierarchy(schools, "M")
    values = [str(v) for v in range(1, 9)]
    counts = {
        (s, None, v): rnd.choice([0, 0, 1, 2, 3, 4, 6, 9, 15]) for s in schools for v in values
    }
    table = frequency_system(counts, hierarchy, values, k=5)
    assert suppress.Incidence(table.system).sparse
    sparse = protect(table.system, 5)
    monkeypatch.setattr(suppress.Incidence, "DENSE_ENTRIES", 10**9)
    assert not suppress.Incidence(table.system).sparse
    dense = protect(table.system, 5)
    assert sparse.status == dense.status and sparse.rounds == dense.rounds
    assert sparse.count(Status.SECONDARY) > 0
    assert exact_recoverable(table.system, hidden_of(sparse)) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.randoms(use_true_random=False))
def test_the_simultaneous_propagation_settles_where_the_sequential_one_does(
    world, rnd: random.Random
):
    """``narrowed`` (every sum at once, in numpy) reaches the bounds that the sum-by-sum
    form reaches when it settles, and never wider ones."""
    from survey.core.suppress import _narrowed_sequential, narrowed

    hierarchy, values, counts, breakdown, k = world
    table = frequency_system(counts, hierarchy, values, breakdown_levels=breakdown, k=k)
    share = rnd.random()
    hidden = [rnd.random() < share for _ in table.system.cells]
    low, high = narrowed(table.system, hidden, k)
    settled = _narrowed_sequential(table.system, hidden, k, rounds=10_000)
    assert (low, high) == settled
    few_low, few_high = _narrowed_sequential(table.system, hidden, k, rounds=1)
    assert all(a >= b for a, b in zip(low, few_low, strict=True))
    assert all(a <= b for a, b in zip(high, few_high, strict=True))
    for i, cell in enumerate(table.system.cells):
        assert low[i] <= cell.n <= high[i]


def test_the_simultaneous_propagation_falls_back_to_the_sequential_one(monkeypatch):
    from survey.core import suppress

    table = frequency_system(COUNTS, FOUR_SCHOOLS, ["1", "2"], k=5)
    hidden = [cell.key[0] == "school" for cell in table.system.cells]
    calls = []
    sequential = suppress._narrowed_sequential
    monkeypatch.setattr(
        suppress, "_narrowed_sequential", lambda *a: calls.append(a) or sequential(*a)
    )
    settled = suppress.narrowed(table.system, hidden, 5)
    assert not calls
    monkeypatch.setattr(suppress, "SIMULTANEOUS_ROUNDS", 0)
    assert suppress.narrowed(table.system, hidden, 5) == settled
    assert len(calls) == 1
