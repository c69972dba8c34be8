"""The fixture dependency graph: the only module that imports networkx.

Nodes are fixture definitions (keyed by `FixtureDef.key`) and tests (keyed by node id);
edges are resolved requests, with the request kind. Built from a `Resolution`, so an edge
exists only where pytest would resolve one for some test.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.analysis.resolution import Resolution, overrides
from auditor.model.suite import FixtureDef, Origin, Suite

if TYPE_CHECKING:
    import networkx as nx

LOCAL_ORIGINS = frozenset({Origin.CONFTEST, Origin.MODULE, Origin.CLASS})


@dataclass(frozen=True, slots=True)
class Chain:
    keys: tuple[str, ...]
    names: tuple[str, ...]


class FixtureGraph:
    def __init__(self, suite: Suite, resolution: Resolution) -> None:
        import networkx as nx  # imported here: half a second that a cached scan never needs

        self.suite = suite
        self.resolution = resolution
        self.definitions = resolution.definitions
        graph: nx.DiGraph[str] = nx.DiGraph()
        for definition in suite.fixtures:
            graph.add_node(
                definition.key,
                kind="fixture",
                name=definition.name,
                path=definition.path,
                line=definition.line,
                scope=definition.scope.value,
                autouse=definition.autouse,
                origin=definition.origin.value,
            )
        for test in suite.tests:
            graph.add_node(test.nodeid, kind="test", name=test.name, path=test.path, line=test.line)
        for edge in resolution.edges:
            graph.add_edge(edge.source, edge.target, name=edge.name, kind=edge.kind)
        self.graph = graph

    # -- queries ------------------------------------------------------------------

    def is_test(self, node: str) -> bool:
        return bool(self.graph.nodes[node].get("kind") == "test")

    def closure(self, nodeid: str) -> set[str]:
        """A test and everything it reaches."""
        import networkx as nx

        if nodeid not in self.graph:
            return set()
        return {nodeid, *nx.descendants(self.graph, nodeid)}

    def fixture_keys(self, name: str) -> list[str]:
        return [d.key for d in self.suite.fixtures if d.name == name]

    def around_fixture(self, name: str) -> set[str]:
        """Every definition of `name`, what requests it (tests too), what it requests."""
        import networkx as nx

        nodes: set[str] = set()
        for key in self.fixture_keys(name):
            nodes.add(key)
            nodes |= nx.ancestors(self.graph, key)
            nodes |= nx.descendants(self.graph, key)
        return nodes

    def fan_in(self, key: str) -> int:
        """How many distinct tests and fixtures request this definition directly."""
        return int(self.graph.in_degree(key)) if key in self.graph else 0

    def used_by(self, key: str) -> int:
        """How many tests have this definition in their closure."""
        return self.resolution.used_by.get(key, 0)

    def unused(self) -> list[FixtureDef]:
        """Suite-local definitions no test reaches (autouse ones always reach). A def
        registered at several nodes (a fixture method of a base class registers at each
        subclass too) is used when any of its registrations is."""
        used: set[tuple[str, int, str]] = set()
        for d in self.suite.fixtures:
            if self.used_by(d.key) or self.fan_in(d.key):
                used.add((d.path, d.line, d.name))
        return [
            d
            for d in self.suite.fixtures
            if d.origin in LOCAL_ORIGINS and not d.autouse and (d.path, d.line, d.name) not in used
        ]

    def overrides(self) -> list[tuple[FixtureDef, FixtureDef]]:
        """(definition, the definition it overrides) for names defined at nested nodes."""
        return overrides(self.suite)

    def longest_chains(self, limit: int = 5) -> list[Chain]:
        """The longest fixture dependency chains (cycles broken)."""
        import networkx as nx

        # Built in sorted order, so that ties (and the cycle edges removed) are the same on
        # every run: a subgraph view iterates in set order, which changes between processes.
        keys = sorted(n for n, data in self.graph.nodes(data=True) if data.get("kind") == "fixture")
        dag: nx.DiGraph[str] = nx.DiGraph()
        dag.add_nodes_from(keys)
        dag.add_edges_from(sorted((a, b) for a, b in self.graph.subgraph(keys).edges if a != b))
        while not nx.is_directed_acyclic_graph(dag):
            cycle = nx.find_cycle(dag)
            dag.remove_edge(*cycle[-1][:2])
        depth: dict[str, tuple[int, str | None]] = {}
        for node in reversed(list(nx.topological_sort(dag))):
            best: tuple[int, str | None] = (1, None)
            for successor in sorted(dag.successors(node)):
                if depth[successor][0] + 1 > best[0]:
                    best = (depth[successor][0] + 1, successor)
            depth[node] = best
        starts = sorted(
            (n for n in dag if dag.in_degree(n) == 0 and depth[n][0] > 1),
            key=lambda n: (-depth[n][0], n),
        )
        chains: list[Chain] = []
        for start in starts[:limit]:
            keys = [start]
            while (following := depth[keys[-1]][1]) is not None:
                keys.append(following)
            chains.append(Chain(tuple(keys), tuple(self.definitions[k].name for k in keys)))
        return chains

    def cycles(self) -> list[list[str]]:
        import networkx as nx

        fixtures = self.graph.subgraph(
            n for n, data in self.graph.nodes(data=True) if data.get("kind") == "fixture"
        )
        return [list(c) for c in nx.simple_cycles(fixtures)]

    # -- exports --------------------------------------------------------------------

    def subgraph(self, nodes: Iterable[str] | None) -> nx.DiGraph[str]:
        return self.graph if nodes is None else self.graph.subgraph(nodes)

    def to_json(self, nodes: Iterable[str] | None = None) -> str:
        graph = self.subgraph(nodes)
        data = {
            "nodes": [{"id": n, **attrs} for n, attrs in _nodes(graph)],
            "edges": [{"source": a, "target": b, **attrs} for a, b, attrs in _edges(graph)],
        }
        return json.dumps(data, indent=2)

    def to_graphml(self, nodes: Iterable[str] | None = None) -> str:
        import networkx as nx

        buffer = io.BytesIO()
        nx.write_graphml(nx.DiGraph(self.subgraph(nodes)), buffer)
        return buffer.getvalue().decode("utf-8")

    def to_dot(self, nodes: Iterable[str] | None = None) -> str:
        graph = self.subgraph(nodes)
        lines = ["digraph fixtures {", "  rankdir=LR;"]
        ids = {n: f"n{i}" for i, n in enumerate(sorted(graph.nodes))}
        for node, attrs in _nodes(graph):
            label = _label(node, attrs).replace('"', '\\"')
            shape = "box" if attrs.get("kind") == "test" else "ellipse"
            lines.append(f'  {ids[node]} [label="{label}", shape={shape}];')
        for a, b, attrs in _edges(graph):
            style = ", style=dashed" if attrs.get("kind") != "argument" else ""
            lines.append(f'  {ids[a]} -> {ids[b]} [label="{attrs.get("kind")}"{style}];')
        lines.append("}")
        return "\n".join(lines) + "\n"

    def to_mermaid(self, nodes: Iterable[str] | None = None) -> str:
        graph = self.subgraph(nodes)
        lines = ["flowchart LR"]
        ids = {n: f"n{i}" for i, n in enumerate(sorted(graph.nodes))}
        for node, attrs in _nodes(graph):
            label = _label(node, attrs).replace('"', "#quot;")
            if attrs.get("kind") == "test":
                lines.append(f'  {ids[node]}["{label}"]')
            else:
                lines.append(f'  {ids[node]}(["{label}"])')
        for a, b, attrs in _edges(graph):
            arrow = "-->" if attrs.get("kind") == "argument" else "-.->"
            lines.append(f"  {ids[a]} {arrow}|{attrs.get('kind')}| {ids[b]}")
        return "\n".join(lines) + "\n"


def _nodes(graph: nx.DiGraph[str]) -> list[tuple[str, dict[str, object]]]:
    return sorted((str(n), dict(attrs)) for n, attrs in graph.nodes(data=True))


def _edges(graph: nx.DiGraph[str]) -> list[tuple[str, str, dict[str, object]]]:
    edges = [(str(a), str(b), dict(attrs)) for a, b, attrs in graph.edges(data=True)]
    return sorted(edges, key=lambda e: (e[0], e[1]))


def _label(node: str, attrs: dict[str, object]) -> str:
    if attrs.get("kind") == "test":
        return node
    return f"{attrs.get('name')} ({attrs.get('scope')}) {attrs.get('path')}:{attrs.get('line')}"
