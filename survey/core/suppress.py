"""The one suppression module: every figure that leaves the system goes through ``protect``.

All figures published together form one *system of sums*. Each published count is
the sum of some *inner cells*: the finest cross-classification that the published
figures imply (for a report with schools, districts and the municipality and a
breakdown by answer language, an inner cell is school × language × answer value).
An attacker knows the published counts and that counts are never negative; the
inner cells are what must stay unknown where a figure is hidden.

**Primary suppression.** A count with 0 < n < k (k = ``MIN_GROUP_SIZE``) is hidden
and shown as "weniger als k". A unit or breakdown group with fewer than k members
shows nothing else (``hide_group``).

**Secondary suppression.** A hidden cell is recoverable exactly when its vector of
inner cells lies in the span of the published cells' vectors, i.e. when adding it
does not raise the rank of the published system (the test of Statistics Norway's
GaussSuppression). ``recoverable`` computes that for every hidden cell at once:
inner cells that a published figure pins (a published 0 pins all its members, a
published cell whose other members are known pins the last one) are eliminated
first, then the published rows are brought to reduced row echelon form over the
unknown inner cells and each hidden row is tested against them (its residual).
0/1 matrices of this size stay well conditioned under this elimination; the
property tests cross-check every decision against exact rational elimination
(``exact_recoverable``) and against the plain-Python form of the same steps.

While any hidden cell is recoverable, or any published sum pins its hidden members
to a total between 1 and k-1 (``Relation``: a parent and the children that add up
to it), one more cell of that sum is hidden: the smallest positive published
sibling at the lowest level, else the parent (one per cluster of exposed cells for
the first rounds, then one per exposed cell). Hiding only ever grows, so the loop
ends; if it ran out of rounds every cell below the top level is hidden and the
rounds repeated on the top level (fail closed: publish the higher level only, or
nothing).

**Labels.** "weniger als k" tells that a figure is 1..k-1, and labels alone can pin
one: a district's "weniger als 5" above four schools' "weniger als 5" is 4, each
school 1, with nothing published left to hide. Then the label of one small figure
of the cluster is withheld (status secondary: shown as any other hidden figure).

**Group disclosure** (every member of a group gave the same answer). A figure of
n >= k that is the whole of its group is published at the level of a reporting
unit: "all 12 families of this school who answered said no" is the finding the
school needs, and hiding it would not help, because the zeros beside it and the
total give it away unless the whole row is hidden. It is *not* published for a
breakdown group (answer language, school type, Sozialindex, a background
variable): there the group is defined by something a neighbour may know about a
family, so a unanimous answer would tell the neighbour that family's answer.
Cells marked ``unanimity_protected`` are therefore hidden as primary when they
hold every member of their row (``Relation.guards_unanimity``), and secondary
suppression makes sure the zeros and the total do not give them back.

**Zeros.** A published 0 tells that every member is 0, and non-negativity can pin a
hidden 0 too (a hidden row whose total is known to be 0 elsewhere): hidden zeros are
not protected from being known as 0, as statistical offices treat empty cells. Every
hidden count of 1..k-1 is: the property tests assert that a solver never narrows one
to a single value.

**Audit.** ``lp_audit`` solves, for each hidden cell, min and max of the cell
under every published equation and non-negativity (scipy ``linprog``), and
reports the interval an attacker can narrow it to.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

# The rank tests multiply many small matrices. OpenBLAS's threads fight over busy cores
# (an SVD of 60 x 400 took 0.5 s instead of 2 ms on a loaded 2-core machine): one thread
# per process, unless the administrator says otherwise. Read when numpy loads, so it
# takes effect where this module loads numpy first (a web worker's first dashboard);
# the reports set it too, before pandas loads numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402


class Status(StrEnum):
    PUBLISHED = "published"
    #: 0 < n < k, or a member of a group below k
    PRIMARY = "primary"
    #: hidden so that no primary cell can be worked out
    SECONDARY = "secondary"


@dataclass(frozen=True)
class Cell:
    """One published-or-hidden count: the sum of the inner cells ``inner``."""

    key: tuple
    inner: tuple[int, ...]
    n: int
    #: 0 for the finest level (schools); higher for districts, the municipality
    level: int = 0
    #: hidden whatever its size (a unit or breakdown group smaller than k)
    hide_group: bool = False
    #: a breakdown group's figure: hidden when it holds its whole row (group disclosure)
    unanimity_protected: bool = False


@dataclass(frozen=True)
class Relation:
    """``parent`` = sum of ``children`` (cell indices)."""

    parent: int
    children: tuple[int, ...]
    #: the children are a row of a breakdown group's distribution
    guards_unanimity: bool = False


@dataclass
class System:
    cells: list[Cell] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    #: true value of every inner cell (for the audit and for consistency checks)
    inner_values: list[int] = field(default_factory=list)

    def add_inner(self, value: int) -> int:
        self.inner_values.append(int(value))
        return len(self.inner_values) - 1

    def add_cell(self, cell: Cell) -> int:
        self.cells.append(cell)
        return len(self.cells) - 1


@dataclass(frozen=True)
class Protection:
    status: tuple[Status, ...]
    k: int
    rounds: int
    failed_closed: bool = False

    def hidden(self) -> list[int]:
        return [i for i, s in enumerate(self.status) if s is not Status.PUBLISHED]

    def published(self) -> list[int]:
        return [i for i, s in enumerate(self.status) if s is Status.PUBLISHED]

    def count(self, status: Status) -> int:
        return sum(1 for s in self.status if s is status)


MAX_ROUNDS = 200
#: rounds with one new helper per cluster of exposed cells; after them, one per exposed
#: cell (see ``protect``)
ONE_PER_CLUSTER_ROUNDS = 20
#: rows of the matrix updated at once in the elimination (bounds its temporaries)
ELIMINATION_ROWS = 128
#: residual below which a hidden cell's vector counts as lying in the published span
TOLERANCE = 1e-7
#: smaller entries do not make a pivot (the matrices hold 0/1 and sums of a few of them)
PIVOT_TOLERANCE = 1e-9


def protect(system: System, k: int) -> Protection:
    """Primary and secondary suppression of ``system`` for minimum group size ``k``."""
    if k < 1:
        raise ValueError("k must be positive")
    hidden = [False] * len(system.cells)
    primary = [False] * len(system.cells)
    for i, cell in enumerate(system.cells):
        if cell.hide_group or 0 < cell.n < k:
            hidden[i] = primary[i] = True
    for rel in system.relations:
        if rel.guards_unanimity and system.cells[rel.parent].n > 0:
            for child in rel.children:
                c = system.cells[child]
                if c.unanimity_protected and c.n == system.cells[rel.parent].n:
                    hidden[child] = primary[child] = True
    state = _Rounds(
        system,
        k,
        hidden,
        relation_map(system),
        Incidence(system) if Incidence.fits(system) else None,
        Links(system),
        [False] * len(system.cells),
    )
    rounds = 0
    failed = False
    while True:
        rounds += 1
        # One helper per cluster hides little, but a system where most cells are small (a
        # question of eleven answers over a hundred schools) then needs a round for each of
        # hundreds of helpers: the two slowest systems of a 100-school campaign took 310
        # rounds, 40 % of its suppression time, and the slowest ran out of rounds and hid
        # everything. After the first rounds every exposed cell gets a helper at once.
        per_cell = rounds > ONE_PER_CLUSTER_ROUNDS
        if not _one_round(state, per_cell):
            break
        if rounds >= MAX_ROUNDS:
            failed = True
            _fail_closed(state)
            break
    status = tuple(
        Status.PRIMARY
        if primary[i] and not state.unlabelled[i]
        else Status.SECONDARY
        if hidden[i]
        else Status.PUBLISHED
        for i in range(len(system.cells))
    )
    return Protection(status, k, rounds, failed)


@dataclass
class _Rounds:
    """What the rounds of one ``protect`` work on: the system and what is built from it
    once, and what the rounds change (``hidden``, ``unlabelled``)."""

    system: System
    k: int
    hidden: list[bool]
    rel_map: dict[int, list[Relation]]
    #: None: a system too large for the matrix form (the plain rank test serves)
    incidence: Incidence | None
    links: Links
    #: small figures whose "weniger als k" is withheld (shown as any other hidden figure)
    unlabelled: list[bool]


def _fail_closed(state: _Rounds) -> None:
    """Publish the top level only, protected by the same rounds (a small system now), or,
    should even that not settle, nothing."""
    cells, hidden = state.system.cells, state.hidden
    top = max((c.level for c in cells), default=0)
    for i, cell in enumerate(cells):
        if cell.level < top:
            hidden[i] = True
    for _ in range(MAX_ROUNDS + 1):  # the last round only checks
        if not _one_round(state, per_cell=True):
            return
    hidden[:] = [True] * len(hidden)


def _one_round(state: _Rounds, per_cell: bool) -> bool:
    """Hide more cells where needed; True if anything was added. One helper per cluster
    of exposed cells, or with ``per_cell`` one per exposed cell.

    A figure can be narrowed to one value by the labels alone: a district's "weniger als
    5" above four schools' "weniger als 5" (each at least 1) is 4, and each school 1,
    whatever else is hidden. Where no published figure is left to hide, the label of
    one small figure of the cluster is withheld (``unlabelled``): it is shown as any
    other hidden figure, and tells nothing about its size."""
    system, k, hidden, rel_map = state.system, state.k, state.hidden, state.rel_map
    incidence, unlabelled = state.incidence, state.unlabelled
    wanted: set[int] = set()
    fixed: set[int] = set()
    for r in pinned_sums(system, hidden, k):
        helper = _helper_for(system, hidden, r, set(), rel_map)
        wanted.add(helper)
        rel = system.relations[r]
        fixed.update((rel.parent, *rel.children))
    # One more cell per cluster of exposed cells and round: hiding a helper for every
    # exposed cell at once hides far more than needed (two helpers where one closes a
    # cycle). Clusters touched by a pinned sum's new helper wait for the next round.
    blocks = (
        recoverable_blocks(system, hidden, incidence)
        if incidence is not None
        else recoverable_blocks_plain(system, hidden)
    )
    exposed = [i for block in blocks for i in block]
    narrow = narrowed_to_one(system, hidden, k, state.links, unlabelled)
    exposed += sorted(set(narrow) - set(exposed))
    withheld = False
    for cluster in _clusters(exposed, hidden, rel_map):
        if fixed.intersection(cluster):
            continue
        helpers = {
            _helper_for(system, hidden, part, wanted, rel_map)
            for part in ([[i] for i in cluster] if per_cell else [cluster])
        }
        if helpers == {-1}:
            label = _label_to_withhold(system, hidden, cluster, unlabelled, rel_map, k)
            if label >= 0:
                unlabelled[label] = withheld = True
        wanted |= helpers
    wanted.discard(-1)
    for i in wanted:
        hidden[i] = True
    return bool(wanted) or withheld


def _label_to_withhold(
    system: System,
    hidden: Sequence[bool],
    cluster: list[int],
    unlabelled: Sequence[bool],
    rel_map: dict[int, list[Relation]],
    k: int,
) -> int:
    """The small figure of ``cluster`` (or of a sum it is in) whose "weniger als k" to
    withhold: the highest level first (a parent's upper bound against its children's
    lower bounds is what pins them), then the smallest. -1 if there is none."""
    near = set(cluster)
    for i in cluster:
        for rel in rel_map.get(i, []):
            near.update((rel.parent, *rel.children))
    candidates = [
        (-system.cells[i].level, system.cells[i].n, i)
        for i in near
        if hidden[i] and not unlabelled[i] and attacker_bounds(system.cells[i], k)[0] > 0
    ]
    return min(candidates)[-1] if candidates else -1


def _clusters(
    exposed: list[int], hidden: Sequence[bool], rel_map: dict[int, list[Relation]]
) -> list[list[int]]:
    """Exposed cells grouped by chains of relations through hidden cells (a district's
    hidden cells form one cluster): one helper per cluster and round."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # A relation seen before joins nothing new: its hidden members, this exposed cell among
    # them, are one set already. Skipping it leaves every set and its root as they were.
    seen: set[int] = set()
    for i in exposed:
        find(i)
        for rel in rel_map.get(i, []):
            if id(rel) in seen:
                continue
            seen.add(id(rel))
            for j in (rel.parent, *rel.children):
                if hidden[j]:
                    parent[find(j)] = find(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in exposed:
        groups[find(i)].append(i)
    return [sorted(g) for _, g in sorted(groups.items())]


def pinned_sums(system: System, hidden: Sequence[bool], k: int) -> list[int]:
    """Relations whose published parent pins the hidden children to a total in 1..k-1."""
    found = []
    for r, rel in enumerate(system.relations):
        if hidden[rel.parent]:
            continue
        members = [c for c in rel.children if hidden[c]]
        if not members:
            continue
        total = sum(system.cells[c].n for c in members)
        if 0 < total < k:
            found.append(r)
    return found


def narrowed_to_one(
    system: System,
    hidden: Sequence[bool],
    k: int,
    links: Links | None = None,
    unlabelled: Sequence[bool] | None = None,
) -> list[int]:
    """Hidden figures (not zeros) that the sums, with what "weniger als k" tells, narrow to
    one value: two "weniger als 5" under a published 8 are both 4, though neither is in
    the published span."""
    low, high = narrowed(system, hidden, k, links=links, unlabelled=unlabelled)
    return [
        i
        for i, cell in enumerate(system.cells)
        if hidden[i] and cell.n > 0 and high[i] - low[i] < 0.5
    ]


class Links:
    """The relations as flat arrays (one entry per child), built once per ``protect``:
    what the interval propagation of ``narrowed`` runs on."""

    def __init__(self, system: System) -> None:
        rels = system.relations
        self.parent = np.array([rel.parent for rel in rels], dtype=np.int64)
        sizes = [len(rel.children) for rel in rels]
        self.child = np.fromiter(
            (c for rel in rels for c in rel.children), dtype=np.int64, count=sum(sizes)
        )
        self.rel_of = np.repeat(np.arange(len(rels), dtype=np.int64), sizes)
        self.n = np.array([c.n for c in system.cells], dtype=float)


#: rounds of the simultaneous propagation before ``narrowed`` falls back to the sequential
#: form (which stops after its ``rounds``): integer bounds settle long before
SIMULTANEOUS_ROUNDS = 2000


def narrowed(
    system: System,
    hidden: Sequence[bool],
    k: int,
    rounds: int = 50,
    links: Links | None = None,
    unlabelled: Sequence[bool] | None = None,
) -> tuple[list[float], list[float]]:
    """The least and the most each figure can be, for a reader who knows the published
    figures, that counts are not negative and what "weniger als k" says: the bounds are
    carried along every sum until they settle (interval propagation; ``lp_audit`` is the
    exact, slower form of the same question).

    Every sum narrows its members at once, in numpy, round after round, until nothing
    changes. The bounds are whole numbers (or infinite), so they settle, and where they
    have settled they are the widest bounds that no sum narrows further: the same bounds
    that ``_narrowed_sequential`` (one sum after the other, the form this replaced)
    reaches when it settles within its ``rounds``, whatever the order of the sums (each
    step only narrows, and narrower bounds never narrow less). Where it has not settled,
    these bounds are narrower than its, never wider: more is hidden, never less. Should
    the simultaneous form not settle within ``SIMULTANEOUS_ROUNDS``, the sequential one
    answers."""
    links = links if links is not None else Links(system)
    hid = np.asarray(hidden, dtype=bool)
    low = links.n.copy()
    high = links.n.copy()
    for i in np.flatnonzero(hid).tolist():
        low[i], high[i] = attacker_bounds(system.cells[i], k, _labelled(unlabelled, i))
    if not len(links.parent) or not hid.any():
        return low.tolist(), high.tolist()
    # the sums with a hidden member (the others are known exactly and narrow nothing)
    hidden_children = np.bincount(links.rel_of, hid[links.child], len(links.parent))
    touched = hid[links.parent] | (hidden_children > 0)
    at = touched[links.rel_of]
    child, rel_of = links.child[at], links.rel_of[at]
    used = np.flatnonzero(touched)
    parent = links.parent[used]
    # relations renumbered 0..r-1 in their order
    number = np.full(len(links.parent), -1, dtype=np.int64)
    number[used] = np.arange(len(used))
    rel_of = number[rel_of]
    count = len(used)
    for _ in range(SIMULTANEOUS_ROUNDS):
        lo_c, hi_c = low[child], high[child]
        unbounded_c = np.isinf(hi_c)
        finite_c = np.where(unbounded_c, 0.0, hi_c)
        sum_lo = np.bincount(rel_of, lo_c, count)
        sum_finite = np.bincount(rel_of, finite_c, count)
        unbounded = np.bincount(rel_of, unbounded_c, count)
        sum_hi = np.where(unbounded > 0, np.inf, sum_finite)
        others_lo = sum_lo[rel_of] - lo_c
        others_hi = np.where(
            unbounded[rel_of] - unbounded_c > 0, np.inf, sum_finite[rel_of] - finite_c
        )
        new_low, new_high = low.copy(), high.copy()
        np.maximum.at(new_low, parent, sum_lo)
        np.minimum.at(new_high, parent, sum_hi)
        np.maximum.at(new_low, child, low[parent][rel_of] - others_hi)
        np.minimum.at(new_high, child, high[parent][rel_of] - others_lo)
        if np.array_equal(new_low, low) and np.array_equal(new_high, high):
            return low.tolist(), high.tolist()
        low, high = new_low, new_high
    return _narrowed_sequential(system, hidden, k, rounds, unlabelled)


def unlabelled_in(system: System, protection: Protection) -> list[bool]:
    """The small figures of a protection whose "weniger als k" is withheld (what
    ``narrowed`` needs to see the figures as a reader does)."""
    return [
        status is Status.SECONDARY and attacker_bounds(cell, protection.k)[0] > 0
        for cell, status in zip(system.cells, protection.status, strict=True)
    ]


def _labelled(unlabelled: Sequence[bool] | None, i: int) -> bool:
    return unlabelled is None or not unlabelled[i]


def _narrowed_sequential(
    system: System,
    hidden: Sequence[bool],
    k: int,
    rounds: int = 50,
    unlabelled: Sequence[bool] | None = None,
) -> tuple[list[float], list[float]]:
    """``narrowed`` one sum after the other, in plain Python, for at most ``rounds`` passes
    (the form before the simultaneous one; its fallback, and the tests compare them)."""
    inf = float("inf")
    low: list[float] = []
    high: list[float] = []
    for i, cell in enumerate(system.cells):
        lo, hi = (
            attacker_bounds(cell, k, _labelled(unlabelled, i)) if hidden[i] else (cell.n, cell.n)
        )
        low.append(lo)
        high.append(hi)
    rels = [rel for rel in system.relations if any(hidden[c] for c in (rel.parent, *rel.children))]
    for _ in range(rounds):
        changed = False
        for rel in rels:
            p, children = rel.parent, rel.children
            sum_lo = sum(low[c] for c in children)
            finite = [high[c] for c in children if high[c] != inf]
            unbounded = len(children) - len(finite)
            sum_hi = sum(finite) if not unbounded else inf
            if sum_lo > low[p]:
                low[p], changed = sum_lo, True
            if sum_hi < high[p]:
                high[p], changed = sum_hi, True
            for c in children:
                others_lo = sum_lo - low[c]
                if high[c] == inf:
                    others_hi = inf if unbounded > 1 else sum(finite)
                else:
                    others_hi = inf if unbounded else sum(finite) - high[c]
                lo, hi = low[p] - others_hi, high[p] - others_lo
                if lo > low[c]:
                    low[c], changed = lo, True
                if hi < high[c]:
                    high[c], changed = hi, True
        if not changed:
            break
    return low, high


def attacker_bounds(cell: Cell, k: int, labelled: bool = True) -> tuple[int, float]:
    """What a reader knows of a hidden cell from how it is shown: "weniger als k" is 1..k-1
    (0..k-1 inside a group below k, whose zeros are hidden too); any other hidden figure,
    a small one whose label is withheld (``labelled`` False) among them, is only known
    not to be negative."""
    if 0 < cell.n < k and not cell.hide_group and labelled:
        return 1, k - 1
    if cell.hide_group and cell.n < k:
        return 0, k - 1
    return 0, float("inf")


def _helper_for(
    system: System,
    hidden: Sequence[bool],
    index: int | list[int],
    taken: set[int],
    rel_map: dict[int, list[Relation]],
) -> int:
    """The cell to hide next: for a pinned sum (``index`` a relation), a published child or
    the parent of that relation; for a block of recoverable cells, a published cell in a
    relation with one of them."""
    cells = system.cells
    if isinstance(index, int):
        rels = [system.relations[index]]
    else:
        rels = [rel for i in index for rel in rel_map.get(i, [])]
    candidates: list[tuple] = []
    for rel in rels:
        for c in (*rel.children, rel.parent):
            if not hidden[c]:
                cell = cells[c]
                # prefer what others already hide this round, then small positive cells at
                # the lowest level; zeros protect little (a 0 pins its members), parents last
                candidates.append(
                    (
                        c not in taken,
                        c == rel.parent,
                        cell.n == 0,
                        cell.level,
                        cell.n,
                        c,
                    )
                )
    if not candidates:
        return -1 if isinstance(index, int) else _any_published(system, hidden, index)
    return min(candidates)[-1]


def _any_published(system: System, hidden: Sequence[bool], block: list[int]) -> int:
    """Hidden cells in no relation with a published cell, yet recoverable: hide a published
    cell that shares an inner cell with them (smallest first), else nothing can help."""
    mine = {x for i in block for x in system.cells[i].inner}
    best = [
        (c.n == 0, c.level, c.n, i)
        for i, c in enumerate(system.cells)
        if not hidden[i] and mine.intersection(c.inner)
    ]
    return min(best)[-1] if best else -1


def relation_map(system: System) -> dict[int, list[Relation]]:
    """cell -> the relations it takes part in (as parent or child)."""
    found: dict[int, list[Relation]] = defaultdict(list)
    for rel in system.relations:
        found[rel.parent].append(rel)
        for c in rel.children:
            found[c].append(rel)
    return found


# --- the rank test ---------------------------------------------------------------------


def recoverable(system: System, hidden: Sequence[bool]) -> list[int]:
    """Hidden cells whose value follows exactly from the published ones (and from zeros)."""
    return sorted(i for block in recoverable_blocks(system, hidden) for i in block)


class Incidence:
    """The system as a cells x inner-cells 0/1 matrix, built once per ``protect``.

    Small systems (most of them: one school row per value) keep it dense, because
    scipy.sparse's per-call overhead dominates there. Large ones (a dozen values over a
    hundred schools, where secondary suppression runs for many rounds) keep it sparse:
    the dense products over every cell and inner cell, repeated in every round and every
    step of pinning, took most of a campaign report's time. Both paths compute the same
    matrices for the elimination, in the same order, so they decide alike (the tests
    compare them). BLAS runs on one thread (``survey/reports/__init__.py``), because its
    threads stall on busy cores."""

    def __init__(self, system: System) -> None:
        self.n = np.array([c.n for c in system.cells], dtype=np.int64)
        self.shape = (len(system.cells), len(system.inner_values))
        self.sparse = self.shape[0] * self.shape[1] > self.DENSE_ENTRIES
        if self.sparse:
            # one entry per (cell, inner cell): numpy on these beats scipy.sparse's
            # per-call overhead in the many small steps of a round
            columns = [sorted(set(cell.inner)) for cell in system.cells]
            self.row_of = np.repeat(np.arange(self.shape[0]), [len(c) for c in columns])
            self.col_of = np.fromiter((x for c in columns for x in c), dtype=np.int64)
        else:
            self.m = np.zeros(self.shape)
            for i, cell in enumerate(system.cells):
                self.m[i, list(cell.inner)] = 1

    #: larger systems (breakdowns over hundreds of schools) take the plain path
    MAX_ENTRIES = 4_000_000
    #: above this many matrix entries the sparse form is faster
    DENSE_ENTRIES = 40_000
    #: hidden rows tested against the published span at once (bounds the dense residual)
    CHUNK = 64

    @classmethod
    def fits(cls, system: System) -> bool:
        return len(system.cells) * len(system.inner_values) <= cls.MAX_ENTRIES


def recoverable_blocks(
    system: System,
    hidden: Sequence[bool],
    incidence: Incidence | None = None,
    only: np.ndarray | None = None,
) -> list[list[int]]:
    """``recoverable``, as one list (callers group the cells by their relations).

    The same steps as ``recoverable_blocks_plain``, on the whole matrix at once: pin what
    published zeros and last unknown members give away, then reduce the published rows
    over the unknown inner cells and test each hidden row against them. ``only`` (a mask
    over the cells): test just those hidden cells (the others are not reported); testing
    the hidden rows is most of the time of a large system."""
    inc = incidence or Incidence(system)
    hid = np.asarray(hidden, dtype=bool)
    tested = hid if only is None else hid & np.asarray(only, dtype=bool)
    if not tested.any():
        return []
    if inc.sparse:
        return _recoverable_sparse(inc, hid, tested)
    m = inc.m
    pub_rows = np.flatnonzero(~hid)
    hid_rows = np.flatnonzero(tested)
    mp = m[pub_rows]
    known = mp[inc.n[pub_rows] == 0].any(axis=0)
    while True:  # the last unknown member of a published cell is known
        unknown = (~known).astype(float)
        single = (mp @ unknown) == 1
        if not single.any():
            break
        known |= (mp[single] * unknown).any(axis=0)
    unknown = ~known
    mh = m[hid_rows][:, unknown]
    exposed = list(hid_rows[~mh.any(axis=1)])  # every member pinned
    live = mh.any(axis=1)
    a = mp[:, unknown]
    a = a[a.any(axis=1)].astype(float)
    if live.any() and a.size:
        rref, pivots = _reduced_row_echelon(a)
        if pivots:
            b = mh[live].astype(float)
            residual = _minus_span(b, pivots, rref)
            exposed += list(hid_rows[live][np.abs(residual).max(axis=1) < TOLERANCE])
    return [sorted(int(i) for i in exposed)] if exposed else []


def _recoverable_sparse(
    inc: Incidence, hid: np.ndarray, tested: np.ndarray | None = None
) -> list[list[int]]:
    """``recoverable_blocks`` on the entries of the matrix: the same pinning, the same dense
    matrix of published rows over the unknown inner cells they hold (rows and columns in
    ascending order) for the elimination, the same residuals (for the hidden cells in
    ``tested``, all of them by default)."""
    tested = hid if tested is None else tested
    cells, inner = inc.shape
    rows, cols = inc.row_of, inc.col_of
    published = ~hid[rows]
    p_rows, p_cols = rows[published], cols[published]
    known = np.zeros(inner, dtype=bool)
    known[p_cols[inc.n[p_rows] == 0]] = True
    while True:  # the last unknown member of a published cell is known
        unknown = ~known[p_cols]
        missing = np.bincount(p_rows[unknown], minlength=cells)
        last = unknown & (missing[p_rows] == 1)
        if not last.any():
            break
        known[p_cols[last]] = True
    open_entry = ~known[cols]
    missing = np.bincount(rows[open_entry], minlength=cells)
    hid_rows = np.flatnonzero(tested)
    exposed = list(hid_rows[missing[hid_rows] == 0])  # every member pinned
    a_rows = np.flatnonzero(~hid & (missing > 0))
    # Unknown inner cells in no published cell are a column of zeros in the published
    # rows: never a pivot, untouched by the elimination, so leaving them out changes no
    # other entry (and argmax keeps its first maximum). A hidden cell with such a member
    # is not in the span (its residual there is 1); the others are tested without them.
    # In late rounds most unknowns are such: the matrices shrink, and so do time and memory.
    touched = np.zeros(inner, dtype=bool)
    touched[cols[open_entry & published]] = True
    outside = np.bincount(rows[open_entry & ~touched[cols]], minlength=cells) > 0
    b_rows = np.flatnonzero(tested & (missing > 0) & ~outside)
    columns = np.flatnonzero(touched)
    column_at = np.full(inner, -1)
    column_at[columns] = np.arange(len(columns))
    open_entry &= touched[cols]
    if not (len(a_rows) and len(b_rows)):
        return [sorted(int(i) for i in exposed)] if exposed else []

    def dense(which: np.ndarray) -> np.ndarray:
        at = np.full(cells, -1)
        at[which] = np.arange(len(which))
        take = open_entry & (at[rows] >= 0)
        out = np.zeros((len(which), len(columns)))
        out[at[rows[take]], column_at[cols[take]]] = 1.0
        return out

    rref, pivots = _reduced_row_echelon(dense(a_rows), copy=False)
    if pivots:
        for start in range(0, len(b_rows), Incidence.CHUNK):
            part_rows = b_rows[start : start + Incidence.CHUNK]
            part = dense(part_rows)
            # as the dense path: the pivot columns in pivot order
            residual = _minus_span(part, pivots, rref)
            exposed += list(part_rows[np.abs(residual).max(axis=1) < TOLERANCE])
    return [sorted(int(i) for i in exposed)] if exposed else []


def _minus_span(b: np.ndarray, pivots: list[int], rref: np.ndarray) -> np.ndarray:
    """Each 0/1 row of ``b`` minus its part in the published row space: with the reduced
    row echelon form that part is ``b[:, pivots] @ rref``, i.e. the sum of the rows of
    ``rref`` at the row's pivot entries. The hidden rows hold only a few such entries, so
    those rows are added up (in pivot order) rather than multiplied: no BLAS, whose threads
    stall on busy cores, and no scipy.sparse (its import alone weighs about 20 MiB)."""
    rows, at = np.nonzero(b[:, pivots])
    residual = b.copy()
    if rows.size:
        starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        residual[rows[starts]] -= np.add.reduceat(rref[at], starts, axis=0)
    return residual


def recoverable_blocks_plain(system: System, hidden: Sequence[bool]) -> list[list[int]]:
    """The rank test in plain Python loops (kept to cross-check the sparse one)."""
    cells = system.cells
    published = [i for i, h in enumerate(hidden) if not h]
    hidden_ix = [i for i, h in enumerate(hidden) if h]
    if not hidden_ix:
        return []
    known = _known_inner(system, published)
    unknown_pub = {
        i: tuple(x for x in cells[i].inner if x not in known)
        for i in published
        if any(x not in known for x in cells[i].inner)
    }
    blocks: list[list[int]] = []
    unknown_hid: dict[int, tuple[int, ...]] = {}
    for i in hidden_ix:
        rest = tuple(x for x in cells[i].inner if x not in known)
        if rest:
            unknown_hid[i] = rest
        else:
            blocks.append([i])  # every member pinned: known exactly
    for block_pub, block_hid, coords in _blocks(unknown_pub, unknown_hid):
        found = _in_span(block_pub, block_hid, coords, unknown_pub, unknown_hid)
        if found:
            blocks.append(found)
    return blocks


def _known_inner(system: System, published: Iterable[int]) -> set[int]:
    """Inner cells an attacker can pin: members of a published 0, and the last unknown
    member of a published cell (propagated until nothing changes)."""
    cells = system.cells
    known: set[int] = set()
    pub = list(published)
    for i in pub:
        if cells[i].n == 0:
            known.update(cells[i].inner)
    by_inner: dict[int, list[int]] = defaultdict(list)
    missing: dict[int, int] = {}
    for i in pub:
        rest = [x for x in cells[i].inner if x not in known]
        missing[i] = len(rest)
        for x in rest:
            by_inner[x].append(i)
    queue = [i for i, m in missing.items() if m == 1]
    while queue:
        i = queue.pop()
        if missing[i] != 1:
            continue
        last = next((x for x in cells[i].inner if x not in known), None)
        if last is None:
            continue
        known.add(last)
        for j in by_inner[last]:
            missing[j] -= 1
            if missing[j] == 1:
                queue.append(j)
    return known


def _blocks(pub: dict[int, tuple[int, ...]], hid: dict[int, tuple[int, ...]]):
    """Connected blocks of unknown inner cells linked by any cell (sparse graph components)."""
    vectors = [*pub.values(), *hid.values()]
    coords = sorted({x for vec in vectors for x in vec})
    at = {x: j for j, x in enumerate(coords)}
    # each cell links its coordinates: union-find (no scipy.sparse.csgraph to import,
    # about 20 MiB, for what the fail-closed check needs); a block's label is its root
    up = list(range(len(coords)))

    def find(j: int) -> int:
        while up[j] != j:
            up[j] = up[up[j]]
            j = up[j]
        return j

    for vec in vectors:
        first = find(at[vec[0]])
        for x in vec[1:]:
            other = find(at[x])
            if other != first:
                up[other] = first
    label = np.array([find(j) for j in range(len(coords))], dtype=np.int64)
    groups_pub: dict[int, list[int]] = defaultdict(list)
    groups_hid: dict[int, list[int]] = defaultdict(list)
    members: dict[int, list[int]] = defaultdict(list)
    for x, lab in zip(coords, label.tolist(), strict=True):
        members[lab].append(x)
    for i, vec in pub.items():
        groups_pub[int(label[at[vec[0]]])].append(i)
    for i, vec in hid.items():
        groups_hid[int(label[at[vec[0]]])].append(i)
    for root, block in groups_hid.items():
        yield groups_pub.get(root, []), block, members[root]


def _in_span(
    pub: list[int],
    hid: list[int],
    coords: list[int],
    pub_vec: dict[int, tuple[int, ...]],
    hid_vec: dict[int, tuple[int, ...]],
) -> list[int]:
    if not pub:
        return []
    col = {x: j for j, x in enumerate(coords)}
    a = np.zeros((len(pub), len(coords)))
    for r, i in enumerate(pub):
        a[r, [col[x] for x in pub_vec[i]]] = 1.0
    rref, pivots = _reduced_row_echelon(a)
    # A hidden vector minus its part in the published row space: with the reduced row
    # echelon form that part is b[:, pivots] @ rref. The hidden vectors are sparse 0/1
    # rows, so the product is taken row by row over their few pivot entries.
    position = {column: k for k, column in enumerate(pivots)}
    found = []
    for i in hid:
        support = [col[x] for x in hid_vec[i]]
        used = [position[c] for c in support if c in position]
        if not used:
            continue  # no coordinate is a pivot: the vector cannot lie in the span
        residual = rref[used].sum(axis=0)
        residual[support] -= 1.0
        if np.abs(residual).max() < TOLERANCE:
            found.append(i)
    return found


def _reduced_row_echelon(a: np.ndarray, copy: bool = True) -> tuple[np.ndarray, list[int]]:
    """Gauss-Jordan elimination with partial pivoting, in plain numpy array operations.

    Hand-written rather than an SVD: it needs no LAPACK (whose threads fight over busy
    cores: an SVD of a 60 x 400 matrix took 0.5 s instead of 2 ms on a loaded 2-core
    machine), and 0/1 matrices of this size stay well conditioned under this pivoting.
    ``exact_recoverable`` checks the decisions in the tests.
    """
    if copy:  # the sparse path hands over a matrix of its own (the largest one held)
        a = a.copy()
    pivots: list[int] = []
    kept: list[int] = []
    # Row by row (there are far fewer published cells than unknowns): the row's largest
    # entry is its pivot, and that column is cleared from every other row.
    for r in range(a.shape[0]):
        row = a[r]
        c = int(np.argmax(np.abs(row)))
        if abs(row[c]) < PIVOT_TOLERANCE:
            continue  # a combination of the rows before it
        row /= row[c]
        factors = a[:, c].copy()
        factors[r] = 0.0
        nonzero = np.flatnonzero(factors)
        # in slices of rows: the update of a thousand rows at once made two temporaries
        # the size of the matrix (the peak of a campaign report's memory)
        for start in range(0, nonzero.size, ELIMINATION_ROWS):
            rows = nonzero[start : start + ELIMINATION_ROWS]
            a[rows] -= np.multiply.outer(factors[rows], row)
        pivots.append(c)
        kept.append(r)
    return a[kept], pivots


def exact_recoverable(system: System, hidden: Sequence[bool]) -> list[int]:
    """The same test in exact rational arithmetic (slow; for tests and small systems).

    Zeros are used as in ``recoverable``: members of a published 0 are known.
    """
    cells = system.cells
    published = [i for i, h in enumerate(hidden) if not h]
    zero = {x for i in published if cells[i].n == 0 for x in cells[i].inner}
    size = len(system.inner_values)
    rows = [
        [Fraction(1) if x in cells[i].inner else Fraction(0) for x in range(size)]
        for i in published
    ]
    rows += [[Fraction(1) if x == z else Fraction(0) for x in range(size)] for z in zero]
    basis = _echelon(rows)
    found = []
    for i in (j for j, h in enumerate(hidden) if h):
        vec = [Fraction(1) if x in cells[i].inner else Fraction(0) for x in range(size)]
        if _reduces_to_zero(vec, basis):
            found.append(i)
    return found


def _echelon(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    basis: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        row = list(row)
        for pivot, brow in basis:
            if row[pivot]:
                f = row[pivot]
                row = [a - f * b for a, b in zip(row, brow, strict=True)]
        lead = next((j for j, v in enumerate(row) if v), None)
        if lead is None:
            continue
        f = row[lead]
        row = [v / f for v in row]
        new_basis = []
        for pivot, brow in basis:
            if brow[lead]:
                g = brow[lead]
                brow = [a - g * b for a, b in zip(brow, row, strict=True)]
            new_basis.append((pivot, brow))
        basis = [*new_basis, (lead, row)]
    return basis


def _reduces_to_zero(vec: list[Fraction], basis: list[tuple[int, list[Fraction]]]) -> bool:
    for pivot, brow in basis:
        if vec[pivot]:
            f = vec[pivot]
            vec = [a - f * b for a, b in zip(vec, brow, strict=True)]
    return not any(vec)


# --- the attacker's view: linear programming -------------------------------------------


@dataclass(frozen=True)
class Interval:
    cell: int
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


def lp_audit(system: System, protection: Protection) -> list[Interval]:
    """For each hidden cell, the smallest and largest value consistent with every published
    figure, non-negativity and what "weniger als k" says (``attacker_bounds``): what an
    attacker with a solver can narrow it to."""
    from scipy.optimize import linprog  # only the audit needs scipy

    hidden = protection.hidden()
    if not hidden:
        return []
    size = len(system.inner_values)
    pub = protection.published()
    a_eq = np.zeros((len(pub), size))
    b_eq = np.zeros(len(pub))
    for r, i in enumerate(pub):
        a_eq[r, list(system.cells[i].inner)] = 1.0
        b_eq[r] = system.cells[i].n
    # what "weniger als k" tells: 1 <= x <= k-1 (0 <= x inside a group below k)
    shown = {
        i: attacker_bounds(system.cells[i], protection.k, protection.status[i] is Status.PRIMARY)
        for i in hidden
    }
    bounded = [(i, bounds) for i, bounds in shown.items() if bounds[1] != float("inf")]
    a_ub = np.zeros((2 * len(bounded), size))
    b_ub = np.zeros(2 * len(bounded))
    for r, (i, (lo, hi)) in enumerate(bounded):
        a_ub[2 * r, list(system.cells[i].inner)] = 1.0
        b_ub[2 * r] = hi
        a_ub[2 * r + 1, list(system.cells[i].inner)] = -1.0
        b_ub[2 * r + 1] = -lo
    found = []
    for i in hidden:
        c = np.zeros(size)
        c[list(system.cells[i].inner)] = 1.0
        ends = []
        for sign in (1.0, -1.0):
            res = linprog(
                sign * c,
                A_eq=a_eq if len(pub) else None,
                b_eq=b_eq if len(pub) else None,
                A_ub=a_ub if bounded else None,
                b_ub=b_ub if bounded else None,
                bounds=(0, None),
                method="highs",
            )
            ends.append(sign * res.fun if res.status == 0 else (float("inf") if sign < 0 else 0.0))
        found.append(Interval(i, ends[0], ends[1]))
    return found


def narrowest(intervals: Iterable[Interval]) -> Interval | None:
    return min(intervals, key=lambda iv: (iv.width, iv.cell), default=None)


# --- the system of one variable's published table --------------------------------------

#: value of the row total: how many in the unit (or group) answered the question
ALL = "(all)"
LEVELS = ("school", "district", "municipality")


@dataclass(frozen=True)
class Hierarchy:
    """school -> district -> municipality (one municipality per campaign)."""

    district_of: dict[str, str]
    municipality: str

    def unit_at(self, school: str, level: str) -> str:
        if level == "school":
            return school
        if level == "district":
            return self.district_of[school]
        return self.municipality


@dataclass
class FrequencyTable:
    """One variable's published counts, the system they form, and where each cell sits."""

    system: System
    #: (level, unit, group, value) -> cell index; group None is the unit as a whole
    index: dict[tuple[str, str, str | None, str], int]


def frequency_system(
    counts: dict[tuple[str, str | None, str], int],
    hierarchy: Hierarchy,
    values: Sequence[str],
    *,
    total: bool = True,
    breakdown_levels: Sequence[str] = (),
    small_units: Iterable[tuple[str, str]] = (),
    k: int = 5,
    levels: Sequence[str] = LEVELS,
) -> FrequencyTable:
    """The system of sums of one variable published at every level.

    ``counts`` maps (school, group, value) to a count; group is None when there is no
    breakdown, else the breakdown group (an answer language, a school type...), and the
    levels in ``breakdown_levels`` publish a row per group beside the unit's own row.
    ``total`` adds the row total ``(all)`` (not for the ticks of a multiple choice, whose
    total is its own one-value system). A row whose total is below ``k``, and every row of
    a unit in ``small_units`` (level, unit: fewer than k respondents), shows nothing else.
    Only the ``levels`` given are published (a questionnaire or an identifying variable
    shown from the district up has no school rows at all).
    """
    system = System()
    small = set(small_units)
    groups_of_school: dict[str, set[str | None]] = defaultdict(set)
    for (school, group, _value), n in counts.items():
        if n:
            groups_of_school[school].add(group)
    # Inner cells: school x group x value for every (school, group) that has answers. A
    # (school, group) without any answer is left out, i.e. known to be empty: an attacker
    # who is told more than the report says, which only makes the check stricter.
    school_of: list[str] = []
    rows: dict[tuple[str, str, str | None], dict[str, list[int]]] = {}
    for school in sorted(groups_of_school, key=str):
        for group in sorted(groups_of_school[school], key=lambda g: (g is not None, str(g))):
            for value in values:
                x = system.add_inner(counts.get((school, group, value), 0))
                school_of.append(school)
                for level in levels:
                    unit = hierarchy.unit_at(school, level)
                    rows.setdefault((level, unit, None), defaultdict(list))[value].append(x)
                    if group is not None and level in breakdown_levels:
                        rows.setdefault((level, unit, group), defaultdict(list))[value].append(x)
    index: dict[tuple[str, str, str | None, str], int] = {}
    for (level, unit, group), by_value in sorted(rows.items(), key=lambda kv: _row_order(kv[0])):
        depth = LEVELS.index(level)
        every = tuple(sorted(x for xs in by_value.values() for x in xs))
        row_total = sum(system.inner_values[x] for x in every)
        hide_row = (level, unit) in small or (total and row_total < k)
        row_cells = []
        for value in values:
            xs = tuple(sorted(by_value[value]))
            n = sum(system.inner_values[x] for x in xs)
            cell = Cell((level, unit, group, value), xs, n, depth, hide_row, group is not None)
            index[cell.key] = system.add_cell(cell)
            row_cells.append(index[cell.key])
        if total:
            cell = Cell((level, unit, group, ALL), every, row_total, depth, hide_row)
            index[cell.key] = parent = system.add_cell(cell)
            system.relations.append(Relation(parent, tuple(row_cells), group is not None))
    # the levels and the breakdowns add up, value by value (and total by total)
    hierarchy_children: dict[int, list[int]] = defaultdict(list)
    group_children: dict[int, list[int]] = defaultdict(list)
    for (level, unit, group, value), i in index.items():
        depth = LEVELS.index(level)
        if depth + 1 < len(LEVELS):
            school = school_of[system.cells[i].inner[0]]
            up = (LEVELS[depth + 1], hierarchy.unit_at(school, LEVELS[depth + 1]), group, value)
            if up in index:
                hierarchy_children[index[up]].append(i)
        if group is not None:
            group_children[index[(level, unit, None, value)]].append(i)
    for found in (hierarchy_children, group_children):
        for parent, members in sorted(found.items()):
            system.relations.append(Relation(parent, tuple(sorted(members))))
    return FrequencyTable(system, index)


def _row_order(row: tuple) -> tuple:
    level, unit, group = row[:3]
    return (-LEVELS.index(level), str(unit), group is not None, str(group))
