"""Near clones (type 3): the pairs of defs whose shingle sets are similar enough, found
by an exact all-pairs similarity join, and the clusters those pairs make."""

from __future__ import annotations

import ast
import copy
import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

from auditor.analysis.clone_groups import DuplicateSettings
from auditor.parse.summary import Shape
from auditor.parse.token_stream import CHECK_PREFIXES, RAISE_CHECKS

MAX_PARTNERS = 64
"""Near partners kept per def. A def with more is one of a crowd of look-alikes: its group
is reported from the partners found, marked as cut short, and the search stays linear
(generated suites of thousands of almost-equal tests made it quadratic)."""


def near_pairs(
    shapes: Sequence[Shape], settings: DuplicateSettings, capped: set[int] | None = None
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, similarity), i < j indices into `shapes` of at least
    `settings.min_tokens`, whose shingle sets have Jaccard >= `settings.near_similarity`
    and whose token counts are within that ratio: an exact all-pairs similarity join,
    sorted.

    Shingles are ranked rarest first (``count << 32 | shingle``, so the rank is also a
    unique key); sets are visited smallest first, each probing the index with its prefix
    of rarest ranks, then adding that prefix to it. A shingle no other set has matches
    nothing: it counts in the prefix but is never indexed, and a set whose prefix holds
    only such shingles is skipped without sorting anything.

    At most ``MAX_PARTNERS`` partners per def are kept; the defs that had more are added
    to ``capped`` when given."""
    threshold = settings.near_similarity - 1e-9
    records = sorted(
        (len(shape.shingles), n, shape.shingles)
        for n, shape in enumerate(shapes)
        if shape.size >= settings.min_tokens and shape.shingles
    )
    frequency = Counter(chain.from_iterable(r[2] for r in records))
    rank = {shingle: count << 32 | shingle for shingle, count in frequency.items() if count > 1}
    shared = rank.keys()
    index: dict[int, list[int]] = defaultdict(list)
    sets: dict[int, frozenset[int]] = {}
    pairs: list[tuple[int, int, float]] = []
    partners: Counter[int] = Counter()
    for position, (size, unit, shingles) in enumerate(records):
        common_shingles = shared & shingles
        prefix = len(common_shingles) - math.ceil(threshold * size) + 1
        if prefix <= 0:
            continue
        seen: set[int] = set()
        for key in sorted(map(rank.__getitem__, common_shingles))[:prefix]:
            postings = index[key]
            for other in postings:
                if other in seen:
                    continue
                seen.add(other)
                other_size = records[other][0]
                if other_size < threshold * size or not _comparable(
                    shapes[unit].size, shapes[records[other][1]].size, threshold
                ):
                    continue
                mine = _set(sets, position, shingles)
                common = len(mine & _set(sets, other, records[other][2]))
                similarity = common / (size + other_size - common)
                if similarity >= threshold:
                    first, second = sorted((records[other][1], unit))
                    if partners[first] >= MAX_PARTNERS or partners[second] >= MAX_PARTNERS:
                        if capped is not None:
                            capped.update((first, second))
                        continue
                    partners[first] += 1
                    partners[second] += 1
                    pairs.append((first, second, similarity))
            postings.append(position)
    pairs.sort()
    return pairs


MAX_STEP_CELLS = 250_000
"""Above this many step pairs (a giant def), the check comparison is skipped."""


def same_checks(steps: tuple[int, ...], other: tuple[int, ...]) -> bool:
    """Whether two near clones check the same things after the same steps: more than half
    of the checks of the one with fewer checks are shared checks made after the same
    statements since the previous shared check (no statement added or dropped in between
    on one side; as many changed on both sides are the same steps over other data). Tests
    that share only their arrange steps and then do something more before a check of the
    same form (insert vs update, add vs remove, a refresh dropped) test different
    operations: they are not near clones. Defs without checks on either side are left to
    the token similarity alone."""
    checks = min(sum(step & 1 for step in steps), sum(step & 1 for step in other))
    if checks == 0 or len(steps) * len(other) > MAX_STEP_CELLS:
        return True
    same = 0
    dirty = False
    previous = (-1, -1)
    for i, j in _aligned(steps, other):
        mine, theirs = steps[previous[0] + 1 : i], other[previous[1] + 1 : j]
        dirty = dirty or _other_operations(mine, theirs)
        previous = (i, j)
        if steps[i] & 1:
            same += not dirty
            dirty = False
    return same * 2 > checks


def _other_operations(mine: tuple[int, ...], theirs: tuple[int, ...]) -> bool:
    """Whether the unmatched statements of a gap do something more or less: a statement
    added or dropped on one side. As many statements changed on both sides are the same
    steps over other data (other arguments, another model, another module imported);
    unmatched checks are extra checks."""
    return sum(not step & 1 for step in mine) != sum(not step & 1 for step in theirs)


def _aligned(a: tuple[int, ...], b: tuple[int, ...]) -> list[tuple[int, int]]:
    """The index pairs of a longest common subsequence of `a` and `b`, in order."""
    n, m = len(a), len(b)
    lengths = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = lengths[i], lengths[i + 1]
        for j in range(m - 1, -1, -1):
            row[j] = below[j + 1] + 1 if a[i] == b[j] else max(below[j], row[j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            pairs.append((i, j))
            i += 1
            j += 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _set(
    sets: dict[int, frozenset[int]], position: int, shingles: tuple[int, ...]
) -> frozenset[int]:
    found = sets.get(position)
    if found is None:
        found = sets[position] = frozenset(shingles)
    return found


def _comparable(size: int, other: int, threshold: float) -> bool:
    """Token counts within the threshold's ratio (an upper bound of the similarity of
    the token multisets)."""
    return min(size, other) >= threshold * max(size, other)


def clusters(pairs: list[tuple[int, int, float]]) -> list[tuple[list[int], float]]:
    """Near pairs merged, most similar first, into groups in which every pair is near;
    a def left out of every group is paired with its most similar partner. Each group
    comes with the lowest similarity inside it."""
    edges = {(a, b): s for a, b, s in pairs}
    ranked = sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))
    cluster_of: dict[int, tuple[int, ...]] = {}
    for a, b, _ in ranked:
        left, right = cluster_of.get(a, (a,)), cluster_of.get(b, (b,))
        if left != right and all(ordered_pair(x, y) in edges for x in left for y in right):
            merged = tuple(sorted(left + right))
            for member in merged:
                cluster_of[member] = merged
    clusters = set(cluster_of.values())
    for a, b, _ in ranked:
        if a not in cluster_of or b not in cluster_of:
            pair = (a, b)
            clusters.add(pair)
            cluster_of.setdefault(a, pair)
            cluster_of.setdefault(b, pair)
    return [
        (list(c), min(edges[ordered_pair(x, y)] for n, x in enumerate(c) for y in c[n + 1 :]))
        for c in sorted(clusters)
    ]


def ordered_pair(x: int, y: int) -> tuple[int, int]:
    return (x, y) if x < y else (y, x)


# -- what two near clones check, values included ---------------------------------------


@dataclass(frozen=True, slots=True)
class CheckedValues:
    """The checks of a def as code, its own names renamed in order of appearance:
    `exact` keeps literals and every other name (``assert _v0["enum"] == enum_of("pet")``),
    `loose` sets literals aside; `raises` when it expects an exception."""

    exact: Counter[str]
    loose: Counter[str]
    raises: bool


def checked_values(node: ast.FunctionDef | ast.AsyncFunctionDef) -> CheckedValues:
    """The checks of `node`'s body (an ``assert``, a call of an ``assert*``/``check*``
    function, a ``with pytest.raises(...)`` header), in the spelling
    `same_checked_values` compares; nested defs are not read."""
    renamed = _locals_renamed(node)
    exact: Counter[str] = Counter()
    loose: Counter[str] = Counter()
    raises = False
    for statement, is_check, expects in _statements(renamed.body):
        raises = raises or expects
        if is_check:
            exact[ast.unparse(statement)] += 1
            loose[ast.unparse(_LiteralsAside().visit(copy.deepcopy(statement)))] += 1
    return CheckedValues(exact, loose, raises)


def same_checked_values(one: CheckedValues, other: CheckedValues) -> bool:
    """Whether two near clones check the same values: more than half of the checks of the
    one with fewer checks are, literals and names included, checks of the other. Tests
    that run alike steps and then compare other values or other attributes
    (``res["enum"]`` / ``res["description"]``, a count of 3 / 4) test two behaviours
    that share a shape; so do a test that expects an exception and one that does not
    (the failure and the success of one call). Tests that both expect an exception may
    differ in the literals of their checks: the bad inputs and their messages are the
    cases of one table. Defs without checks on either side are left to the other
    tests."""
    fewer = min(sum(one.exact.values()), sum(other.exact.values()))
    if fewer == 0:
        return True
    if one.raises != other.raises:
        return False
    if sum((one.exact & other.exact).values()) * 2 > fewer:
        return True
    return one.raises and other.raises and sum((one.loose & other.loose).values()) * 2 > fewer


def _statements(body: list[ast.stmt]) -> Iterator[tuple[ast.AST, bool, bool]]:
    """(statement or `with` header, is a check, expects an exception) in order, through
    compound statements but not into nested defs or classes. The statements under a
    ``pytest.raises`` are the case's input, not checks: its header is the check."""
    for statement in body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if isinstance(statement, ast.With | ast.AsyncWith):
            expects = any(_expects_raise(item.context_expr) for item in statement.items)
            if expects:
                yield ast.Tuple([i.context_expr for i in statement.items]), True, True
            yield from _statements(statement.body)
        elif isinstance(statement, ast.If | ast.For | ast.AsyncFor | ast.While):
            yield from _statements(statement.body)
            yield from _statements(statement.orelse)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _statements(block)
            for handler in statement.handlers:
                yield from _statements(handler.body)
        else:
            yield statement, _is_check(statement), False


def _terminal(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_check(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Assert):
        return True
    value = statement.value if isinstance(statement, ast.Expr) else None
    if isinstance(value, ast.Await):
        value = value.value
    return isinstance(value, ast.Call) and _terminal(value.func).lower().startswith(CHECK_PREFIXES)


def _expects_raise(expression: ast.expr) -> bool:
    """``pytest.raises(...)``, ``self.assertRaises(...)``, Django's
    ``assertRaisesMessage(...)``."""
    if not isinstance(expression, ast.Call):
        return False
    name = _terminal(expression.func)
    return name in RAISE_CHECKS or name.startswith("assertRaises")


def _locals_renamed(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
) -> ast.FunctionDef | ast.AsyncFunctionDef:
    """A copy of `node` whose body names the names it binds ``_v0``, ``_v1``... in order
    of first appearance: two copies that call a local `response` and `resp` read alike."""
    bound: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Load):
            bound.add(child.id)
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if child is not node:
                bound.add(child.name)
        elif isinstance(child, ast.ExceptHandler) and child.name:
            bound.add(child.name)
    names = sorted(
        (n for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in bound),
        key=lambda n: (n.lineno, n.col_offset),
    )
    order: dict[str, str] = {}
    for name in names:
        order.setdefault(name.id, f"_v{len(order)}")
    for child in ast.walk(node):
        if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            order.setdefault(child.name, f"_v{len(order)}")
    return _Renamer(order).visit(copy.deepcopy(node))  # type: ignore[no-any-return]


class _Renamer(ast.NodeTransformer):
    def __init__(self, order: dict[str, str]) -> None:
        self.order = order

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.order.get(node.id, node.id)
        return node


class _LiteralsAside(ast.NodeTransformer):
    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        return ast.copy_location(ast.Constant("?"), node)
