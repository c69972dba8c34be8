"""`graph` for big suites: fixtures no test uses hidden (unless ``--all``), and above
``--max-nodes`` the Mermaid and DOT texts clustered by folder, the tests of a folder shown
as one node (and, when that is still too many, the fixtures of a folder too). Mermaid
refuses a text over 50,000 characters (``maxTextSize``) or over 500 edges (``maxEdges``)
by default: `limit_warnings` says so.

The whole graph, or a part chosen with ``--test``/``--fixture``, that fits goes through
`FixtureGraph`'s own renderers unchanged."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.analysis.graph import FixtureGraph

MERMAID_MAX_TEXT = 50_000
"""Mermaid's default ``maxTextSize``: a longer diagram shows "Maximum text size in diagram
exceeded" instead of the graph."""
MERMAID_MAX_EDGES = 500
"""Mermaid's default ``maxEdges``."""
OUTSIDE = "builtin and plugin fixtures"


def visible_nodes(graph: FixtureGraph, *, show_all: bool) -> set[str] | None:
    """The tests and the fixtures some test gets (None: every node, with ``--all``)."""
    if show_all:
        return None
    return {
        str(node)
        for node, data in graph.graph.nodes(data=True)
        if data.get("kind") == "test" or graph.used_by(str(node)) > 0
    }


def hidden_count(graph: FixtureGraph, nodes: set[str] | None) -> int:
    return 0 if nodes is None else graph.graph.number_of_nodes() - len(nodes)


@dataclass(frozen=True, slots=True)
class _Node:
    id: str
    label: str
    cluster: str
    test: bool


@dataclass(frozen=True, slots=True)
class Clustered:
    """A graph too big to show node by node, grouped by folder."""

    nodes: tuple[_Node, ...]
    edges: tuple[tuple[str, str, str, bool], ...]
    """(source, target, label, dashed)."""
    shown: int
    """Nodes of the graph it stands for."""
    fixtures_collapsed: bool

    def to_mermaid(self) -> str:
        lines = ["flowchart LR"]
        for number, (cluster, members) in enumerate(_by_cluster(self.nodes)):
            lines.append(f'  subgraph c{number}["{_mermaid_text(cluster)}"]')
            for node in members:
                label = _mermaid_text(node.label)
                lines.append(
                    f'    {node.id}["{label}"]' if node.test else f'    {node.id}(["{label}"])'
                )
            lines.append("  end")
        for source, target, label, dashed in self.edges:
            arrow = "-.->" if dashed else "-->"
            lines.append(f"  {source} {arrow}|{_mermaid_text(label)}| {target}")
        return "\n".join(lines) + "\n"

    def to_dot(self) -> str:
        lines = ["digraph fixtures {", "  rankdir=LR;"]
        for number, (cluster, members) in enumerate(_by_cluster(self.nodes)):
            lines.append(f"  subgraph cluster_{number} {{")
            lines.append(f'    label="{_dot_text(cluster)}";')
            for node in members:
                shape = "box" if node.test else "ellipse"
                lines.append(f'    {node.id} [label="{_dot_text(node.label)}", shape={shape}];')
            lines.append("  }")
        for source, target, label, dashed in self.edges:
            style = ", style=dashed" if dashed else ""
            lines.append(f'  {source} -> {target} [label="{_dot_text(label)}"{style}];')
        lines.append("}")
        return "\n".join(lines) + "\n"


def cluster_by_folder(
    graph: FixtureGraph, nodes: set[str] | None, *, collapse_fixtures: bool
) -> Clustered:
    """The tests of each folder as one node; fixtures kept one by one in their folder's
    cluster, or (``collapse_fixtures``) one node per folder too."""
    data = graph.graph.nodes
    chosen = sorted(str(n) for n in graph.graph.nodes) if nodes is None else sorted(nodes)
    group_of: dict[str, str] = {}
    tests_in: Counter[str] = Counter()
    fixtures_in: Counter[str] = Counter()
    singles: dict[str, _Node] = {}
    for node in chosen:
        attrs = data[node]
        folder = _folder(str(attrs.get("path", "")))
        if attrs.get("kind") == "test":
            group_of[node] = f"tests:{folder}"
            tests_in[folder] += 1
        elif attrs.get("origin") in ("builtin", "plugin"):
            group_of[node] = f"fixtures:{OUTSIDE}" if collapse_fixtures else node
            fixtures_in[OUTSIDE] += 1
            singles[node] = _Node(node, _fixture_label(attrs), OUTSIDE, False)
        else:
            group_of[node] = f"fixtures:{folder}" if collapse_fixtures else node
            fixtures_in[folder] += 1
            singles[node] = _Node(node, _fixture_label(attrs), folder, False)
    ids: dict[str, str] = {}
    made: list[_Node] = []

    def node_id(group: str) -> str:
        if group not in ids:
            ids[group] = f"n{len(ids)}"
        return ids[group]

    for folder, count in sorted(tests_in.items()):
        made.append(_Node(node_id(f"tests:{folder}"), _plural(count, "test"), folder, True))
    if collapse_fixtures:
        for folder, count in sorted(fixtures_in.items()):
            made.append(
                _Node(node_id(f"fixtures:{folder}"), _plural(count, "fixture"), folder, False)
            )
    else:
        for key, single in sorted(singles.items(), key=lambda item: (item[1].cluster, item[0])):
            made.append(_Node(node_id(key), single.label, single.cluster, False))
    requests: Counter[tuple[str, str]] = Counter()
    solid: set[tuple[str, str]] = set()
    chosen_set = set(chosen)
    for source, target, attrs in graph.graph.edges(data=True):
        if source not in chosen_set or target not in chosen_set:
            continue
        pair = (node_id(group_of[str(source)]), node_id(group_of[str(target)]))
        if pair[0] == pair[1]:
            continue
        requests[pair] += 1
        if attrs.get("kind") == "argument":
            solid.add(pair)
    edges = tuple(
        (a, b, _plural(count, "request") if count > 1 else "1 request", (a, b) not in solid)
        for (a, b), count in sorted(requests.items(), key=lambda item: _order(item[0]))
    )
    return Clustered(tuple(made), edges, len(chosen), collapse_fixtures)


def limit_warnings(mermaid: str) -> list[str]:
    """Why Mermaid would not draw ``mermaid`` with its default settings (empty: it would)."""
    problems = []
    if len(mermaid) > MERMAID_MAX_TEXT:
        problems.append(
            f"the Mermaid text is {len(mermaid):,} characters, more than the "
            f"{MERMAID_MAX_TEXT:,} Mermaid draws by default (maxTextSize)"
        )
    edges = sum(1 for line in mermaid.splitlines() if "-->" in line or "-.->" in line)
    if edges > MERMAID_MAX_EDGES:
        problems.append(
            f"it has {edges:,} edges, more than the {MERMAID_MAX_EDGES} Mermaid draws by "
            "default (maxEdges)"
        )
    if not problems:
        return []
    return [
        f"warning: {' and '.join(problems)}: it will not render as it is. Show less "
        "(--test NODEID, --fixture NAME, a lower --max-nodes), raise maxTextSize/maxEdges "
        "in your Mermaid configuration, use --format dot, or see the fixture graph of "
        "`scan --format html`"
    ]


def _by_cluster(nodes: Iterable[_Node]) -> list[tuple[str, list[_Node]]]:
    grouped: defaultdict[str, list[_Node]] = defaultdict(list)
    for node in nodes:
        grouped[node.cluster].append(node)
    return sorted(grouped.items(), key=lambda item: (item[0] == OUTSIDE, item[0]))


def _order(pair: tuple[str, str]) -> tuple[int, int]:
    return int(pair[0][1:]), int(pair[1][1:])


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else "."


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _fixture_label(attrs: dict[str, object]) -> str:
    return f"{attrs.get('name')} ({attrs.get('scope')}) {attrs.get('path')}:{attrs.get('line')}"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("|", "#124;")


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
