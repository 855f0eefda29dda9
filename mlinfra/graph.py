"""Diagrams of a deployment's components, as Mermaid (GitHub renders it in comments) or Graphviz DOT.

A node per component (the stack, each ``ComponentResource``), labelled with its type, its name and
the number of custom resources directly under it; solid edges from parent to child component,
dotted edges where a component's resources depend on another component's (``dependencies`` and
``propertyDependencies``, like ``pulumi stack graph``). ``mlinfra graph ENV`` draws a whole stack;
``mlinfra diff`` draws only the components a change touches, marked added, changed or removed,
with each new violation attached to the component of its resource.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from mlinfra.review import Resource, urn_name, urn_type

STACK_TYPE = "pulumi:pulumi:Stack"
FORMATS = ("mermaid", "dot")
#: How many new violations a diff diagram shows before "and N more".
MAX_VIOLATION_NODES = 12

_CLASSES = {
    "added": "fill:#e6ffed,stroke:#28a745",
    "changed": "fill:#fff5b1,stroke:#b08800",
    "removed": "fill:#ffeef0,stroke:#d73a49,stroke-dasharray:4",
    "violation": "fill:#ffdce0,stroke:#d73a49,color:#86181d",
}
_DOT_COLOURS = {"added": "#e6ffed", "changed": "#fff5b1", "removed": "#ffeef0", "violation": "#ffdce0"}


@dataclass
class Node:
    urn: str
    label: str
    status: str = ""
    """``added``, ``changed``, ``removed``, ``violation`` or empty."""


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    """Parent to child."""
    depends: list[tuple[str, str]] = field(default_factory=list)
    """Dependent to dependency."""
    notes: list[str] = field(default_factory=list)


def owner_map(resources: Iterable[Resource]) -> dict[str, str]:
    """For every resource URN, the URN of the component it belongs to (itself for a component);
    resources without a component parent (default providers) belong to the stack."""
    resources = list(resources)
    components = {r.urn for r in resources if not r.custom}
    root = next((r.urn for r in resources if r.type == STACK_TYPE), "")
    by_urn = {r.urn: r for r in resources}
    owners: dict[str, str] = {}
    for r in resources:
        if r.urn in components:
            owners[r.urn] = r.urn
            continue
        parent = r.parent
        while parent and parent not in components and parent in by_urn:
            parent = by_urn[parent].parent
        owners[r.urn] = parent if parent in components else root
    return owners


def _label(r: Resource, counts: Counter, extra: str = "") -> str:
    count = counts.get(r.urn, 0)
    kind = "stack" if r.type == STACK_TYPE else r.type.rsplit(":", 1)[-1]
    resources = f"{count} resource{'s' * (count != 1)}"
    return f"{kind} {r.name}\n{resources}{extra}"


def stack_graph(resources: Sequence[Resource], *, include_resources: bool = False) -> Graph:
    """The whole stack: every component, parent edges and dependency edges between components."""
    owners = owner_map(resources)
    counts = Counter(owners[r.urn] for r in resources if r.custom)
    graph = Graph()
    components = [r for r in resources if not r.custom]
    for r in components:
        graph.nodes.append(Node(r.urn, _label(r, counts)))
        if r.parent and r.parent in owners:
            graph.edges.append((owners[r.parent], r.urn))
    if include_resources:
        for r in resources:
            if r.custom:
                graph.nodes.append(Node(r.urn, f"{r.type.rsplit(':', 1)[-1]} {r.name}"))
                graph.edges.append((owners[r.urn], r.urn))
    seen: set[tuple[str, str]] = set()
    for r in resources:
        targets = {*r.dependencies, *(u for urns in r.property_dependencies.values() for u in urns)}
        for target in sorted(targets):
            if target not in owners:
                continue
            a, b = (r.urn, target) if include_resources else (owners[r.urn], owners[target])
            if a != b and (a, b) not in seen and (a, b) not in graph.edges and (b, a) not in graph.edges:
                seen.add((a, b))
                graph.depends.append((a, b))
    return graph


def change_graph(base: Sequence[Resource], head: Sequence[Resource], statuses: Mapping[str, str],
                 violations: Sequence[tuple[str, str]]) -> Graph:
    """The components a change touches.

    ``statuses`` maps a resource URN to ``added``, ``changed`` or ``removed``; ``violations`` are
    ``(label, urn)`` of the new violations. A component is shown if a resource under it changed or
    has a new violation, with its ancestors up to the stack.
    """
    every = {r.urn: r for r in base}
    every.update({r.urn: r for r in head})
    owners = {**owner_map(base), **owner_map(head)}
    touched: Counter = Counter()
    marks: dict[str, Counter] = {}
    for urn, status in statuses.items():
        owner = owners.get(urn)
        if owner:
            marks.setdefault(owner, Counter())[status] += 1
            touched[owner] += 1
    for _, urn in violations:
        if urn in owners:
            touched[owners[urn]] += 1
    shown: list[str] = []

    def add(urn: str) -> None:
        while urn and urn not in shown and urn in every:
            shown.append(urn)
            urn = every[urn].parent
    for urn in sorted(touched):
        add(urn)
    graph = Graph()
    head_urns = {r.urn for r in head}
    counts = Counter(owners[r.urn] for r in head if r.custom)
    base_owners = owner_map(base)
    base_counts = Counter(base_owners[r.urn] for r in base if r.custom)
    for urn in sorted(shown, key=lambda u: (every[u].type != STACK_TYPE, u)):
        r = every[urn]
        status = statuses.get(urn, "")
        if not status:
            status = "changed" if urn in marks else ""
        if urn not in head_urns:
            status = "removed"
        mark = marks.get(urn, Counter())
        extra = "".join(f" {sign}{mark[k]}" for k, sign in (("added", "+"), ("changed", "~"), ("removed", "-"))
                        if mark[k])
        label = _label(r, base_counts if status == "removed" else counts, ("\n" + extra.strip()) if extra else "")
        graph.nodes.append(Node(urn, label, status))
        if r.parent and r.parent in shown:
            graph.edges.append((r.parent, urn))
    for index, (label, urn) in enumerate(violations[:MAX_VIOLATION_NODES]):
        node = f"violation:{index}"
        graph.nodes.append(Node(node, label, "violation"))
        graph.depends.append((node, owners.get(urn, urn)))
    if len(violations) > MAX_VIOLATION_NODES:
        graph.notes.append(f"and {len(violations) - MAX_VIOLATION_NODES} more new violations (listed below)")
    return graph


def _ids(graph: Graph) -> dict[str, str]:
    return {node.urn: f"n{index}" for index, node in enumerate(graph.nodes)}


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", "<br>")


def to_mermaid(graph: Graph) -> str:
    """A Mermaid ``flowchart`` (top-down) of the graph."""
    ids = _ids(graph)
    lines = ["flowchart TD"]
    for node in graph.nodes:
        shape = ('{{"', '"}}') if node.status == "violation" else ('["', '"]')
        lines.append(f"  {ids[node.urn]}{shape[0]}{_mermaid_text(node.label)}{shape[1]}")
    lines += [f"  {ids[a]} --> {ids[b]}" for a, b in graph.edges if a in ids and b in ids]
    lines += [f"  {ids[a]} -.-> {ids[b]}" for a, b in graph.depends if a in ids and b in ids]
    used = {node.status for node in graph.nodes if node.status}
    for status in sorted(used):
        lines.append(f"  classDef {status} {_CLASSES[status]}")
        members = ",".join(ids[n.urn] for n in graph.nodes if n.status == status)
        lines.append(f"  class {members} {status}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def to_dot(graph: Graph, name: str = "stack") -> str:
    """A Graphviz digraph of the graph (``dot -Tsvg``)."""
    ids = _ids(graph)
    lines = [f'digraph "{_dot_text(name)}" {{', "  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];']
    for node in graph.nodes:
        attrs = [f'label="{_dot_text(node.label)}"']
        if node.status:
            attrs += ["style=filled", f'fillcolor="{_DOT_COLOURS[node.status]}"']
        if node.status == "violation":
            attrs.append("shape=hexagon")
        if node.status == "removed":
            attrs.append("style=\"filled,dashed\"")
        lines.append(f"  {ids[node.urn]} [{', '.join(attrs)}];")
    lines += [f"  {ids[a]} -> {ids[b]};" for a, b in graph.edges if a in ids and b in ids]
    lines += [f"  {ids[a]} -> {ids[b]} [style=dashed];" for a, b in graph.depends if a in ids and b in ids]
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(graph: Graph, fmt: str, name: str = "stack") -> str:
    if fmt == "mermaid":
        return to_mermaid(graph)
    if fmt == "dot":
        return to_dot(graph, name)
    raise ValueError(f"unknown graph format {fmt!r} (choose from {', '.join(FORMATS)})")


def describe(urn: str) -> str:
    """``type name`` of a URN, for labels."""
    return f"{urn_type(urn)} {urn_name(urn)}"

