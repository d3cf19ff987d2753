"""A picture of the planned system: regions → zones → agents (replicas per zone), stores with their
primary and replication arrows, queues, routing and failover, external dependencies; the standby
marked by its temperature. One graph model, two writers: Mermaid (GitHub renders it in Markdown) and
Graphviz DOT (`dot` turns it into SVG or PNG). Pure and deterministic, from the plan only.

Two parts, so that neither drowns in edges: the placement (one box per region, one per zone inside
it, every store and queue copy at its region) and the flow (who produces and consumes which queue,
uses which store, calls which agent or dependency), drawn once because every serving region runs the
same flow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from blueprints.plan.models import TopologyPlan
from blueprints.plan.naming import zone_suffix
from blueprints.units import format_duration

ENGINES = {
    "dynamodb": "DynamoDB",
    "aurora-postgresql": "Aurora PostgreSQL",
    "valkey": "ElastiCache Valkey",
    "postgres": "CloudNativePG",
    "redis": "Redis + Sentinel",
    "cockroachdb": "CockroachDB",
}


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    shape: str = "box"
    """box, store, queue, round (users, dependencies), hexagon (routing)."""
    style: str = ""
    """primary, standby, replica, fenced, external (a class for colour)."""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    dashed: bool = False


@dataclass
class Cluster:
    id: str
    label: str
    nodes: list[Node] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    style: str = ""
    anchor: str | None = None
    """DOT: the node an edge to this box ends at (Graphviz draws edges between nodes, clipped at the box)."""


@dataclass
class Diagram:
    title: str
    nodes: list[Node] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _id(*parts: str) -> str:
    return "_".join(p.replace("-", "_").replace(".", "_") for p in parts)


def build(plan: TopologyPlan) -> Diagram:
    """The diagram model of a plan."""
    env = f" ({plan.environment})" if plan.environment else ""
    d = Diagram(f"{plan.system}{env}: {plan.target}, {plan.pattern}")
    t = plan.timing
    routing = plan.routing
    if routing is not None:
        d.nodes.append(Node("users", "users", "round", "external"))
        how = {
            "route53-https": "Route 53 HTTPS checks",
            "route53-alarm": "Route 53 on the no-healthy-host alarm",
            "k8gb": "k8gb",
            "none": "one region",
        }[routing.mechanism]
        d.nodes.append(Node("dns", f"{routing.domain}<br/>{routing.mode}: {how}", "hexagon"))
        d.edges.append(Edge("users", "dns"))
    for region in plan.regions:
        role = region.role + (f" ({plan.standby})" if region.role == "standby" and plan.standby else "")
        if region.fenced:
            role += ", fenced"
        rid = _id("r", region.name)
        box = Cluster(rid, f"{region.name} · {role}", style="standby" if region.role == "standby" else "primary")
        for zone in region.zones:
            zbox = Cluster(_id(rid, "z", zone), zone)
            for agent in plan.agents:
                p = agent.placement(region.name)
                if p is None or zone not in p.zones:
                    continue
                count = p.per_zone[p.zones.index(zone)]
                if count:
                    zbox.nodes.append(Node(_id(rid, zone, agent.name), f"{agent.name} ×{count}"))
            if not zbox.nodes:
                zbox.nodes.append(Node(_id(rid, zone, "empty"), "no replicas", style="standby"))
            box.clusters.append(zbox)
            if box.anchor is None and routing is not None:
                box.anchor = next((n.id for n in zbox.nodes if n.id == _id(rid, zone, routing.agent)), None)
        for store in plan.stores:
            if region.name not in store.regions:
                continue
            writer = region.name == store.primary_region or store.multi_writer
            what = "primary" if writer else "replica"
            if store.multi_writer:
                what = "writer"
            zones = "/".join(zone_suffix(z, region.name) for z in store.zones_in(region.name))
            n = store.instances_in(region.name) if store.engine != "dynamodb" else 0
            size = f"{n} × " if n else ""
            box.nodes.append(
                Node(
                    _id(rid, "s", store.name),
                    f"{store.name}<br/>{ENGINES.get(store.engine, store.engine)} · {what}<br/>{size}zones {zones}",
                    "store",
                    "primary" if writer else "replica",
                )
            )
        for queue in plan.queues:
            if region.name in queue.regions:
                kind = "FIFO" if queue.fifo else "queue"
                box.nodes.append(Node(_id(rid, "q", queue.name), f"{queue.name} · {kind} + DLQ", "queue"))
        d.clusters.append(box)
        if routing is not None:
            record = next((r for r in routing.records if r.region == region.name), None)
            if record is not None and record.failover_role == "SECONDARY":
                after = f" after {format_duration(t.region_failover_s)}" if t is not None else ""
                d.edges.append(Edge("dns", rid, f"SECONDARY: on failure{after}", dashed=True))
            elif record is not None:
                d.edges.append(Edge("dns", rid, record.failover_role or "latency"))
    for store in plan.stores:
        source = _id("r", store.primary_region, "s", store.name)
        for other in store.replica_regions:
            kind = {"sync": "synchronous", "async": "asynchronous", "none": "copy"}[store.replication]
            target = _id("r", other, "s", store.name)
            d.edges.append(Edge(source, target, f"{kind} replication", dashed=store.replication != "sync"))
    flow = Cluster("flow", "flow, in every serving region")
    for agent in plan.agents:
        entry = " (ingress)" if routing is not None and agent.name == routing.agent else ""
        flow.nodes.append(Node(_id("f", "a", agent.name), f"{agent.name}{entry}"))
    if any(not q.producers for q in plan.queues):
        flow.nodes.append(Node("f_outside", "producers outside the system", "round", "external"))
    for queue in plan.queues:
        flow.nodes.append(Node(_id("f", "q", queue.name), queue.name, "queue"))
        if not queue.producers:
            d.edges.append(Edge("f_outside", _id("f", "q", queue.name), "produces"))
        for producer in queue.producers:
            d.edges.append(Edge(_id("f", "a", producer), _id("f", "q", queue.name), "produces"))
        for consumer in queue.consumers:
            d.edges.append(Edge(_id("f", "q", queue.name), _id("f", "a", consumer), "consumes"))
    for store in plan.stores:
        flow.nodes.append(Node(_id("f", "s", store.name), store.name, "store"))
    for agent in plan.agents:
        for used in dict.fromkeys((*agent.uses, *((agent.idempotency_store,) if agent.idempotency_store else ()))):
            d.edges.append(Edge(_id("f", "a", agent.name), _id("f", "s", used)))
        for called in agent.calls:
            d.edges.append(Edge(_id("f", "a", agent.name), _id("f", "a", called), "calls"))
    for dep in plan.dependencies:
        flow.nodes.append(Node(_id("f", "d", dep.name), f"{dep.name}<br/>{dep.kind}", "round", "external"))
    fallbacks = {name for dep in plan.dependencies for name in dep.fallback}
    for dep in plan.dependencies:
        if dep.name not in fallbacks:
            for caller in dep.callers:
                d.edges.append(Edge(_id("f", "a", caller), _id("f", "d", dep.name), "calls"))
        for fb in dep.fallback:
            d.edges.append(Edge(_id("f", "d", dep.name), _id("f", "d", fb), "fallback", dashed=True))
    d.clusters.append(flow)
    return d


# --- Mermaid ---------------------------------------------------------------------------------------

_MERMAID_SHAPES = {
    "box": ('["', '"]'),
    "store": ('[("', '")]'),
    "queue": ('[/"', '"/]'),
    "round": ('(["', '"])'),
    "hexagon": ('{{"', '"}}'),
}

_CLASSES = {
    "primary": "fill:#e8f4ea,stroke:#2e7d32",
    "standby": "fill:#f3f3f3,stroke:#888,stroke-dasharray: 4 3",
    "replica": "fill:#eef3fb,stroke:#1565c0",
    "external": "fill:#fff4e0,stroke:#b26a00",
}


def mermaid(d: Diagram) -> str:
    """Mermaid flowchart text (no fences)."""
    # The title sits in YAML front matter: quoted, since it holds a colon.
    lines = ["---", f"title: {json.dumps(d.title, ensure_ascii=False)}", "---", "flowchart LR"]
    for node in d.nodes:
        lines.append("  " + _mnode(node))

    def cluster(c: Cluster, depth: int) -> None:
        pad = "  " * depth
        lines.append(f'{pad}subgraph {c.id}["{c.label}"]')
        lines.append(f"{pad}  direction TB")
        for node in c.nodes:
            lines.append(f"{pad}  " + _mnode(node))
        for inner in c.clusters:
            cluster(inner, depth + 1)
        lines.append(f"{pad}end")

    for c in d.clusters:
        cluster(c, 1)
    for e in d.edges:
        arrow = (
            ("-.->" if not e.label else f'-. "{e.label}" .->')
            if e.dashed
            else ("-->" if not e.label else f'-- "{e.label}" -->')
        )
        lines.append(f"  {e.source} {arrow} {e.target}")
    for name, style in _CLASSES.items():
        lines.append(f"  classDef {name} {style}")
    styled = [(n.id, n.style) for n in _all_nodes(d) if n.style]
    for name in _CLASSES:
        ids = [i for i, s in styled if s == name]
        if ids:
            lines.append(f"  class {','.join(ids)} {name}")
    boxes = [(c.id, c.style) for c in _all_clusters(d) if c.style]
    for name in _CLASSES:
        ids = [i for i, s in boxes if s == name]
        if ids:
            lines.append(f"  class {','.join(ids)} {name}")
    return "\n".join(lines) + "\n"


def _mnode(node: Node) -> str:
    left, right = _MERMAID_SHAPES[node.shape]
    return f"{node.id}{left}{node.label}{right}"


def _all_clusters(d: Diagram) -> list[Cluster]:
    out: list[Cluster] = []

    def walk(c: Cluster) -> None:
        out.append(c)
        for inner in c.clusters:
            walk(inner)

    for c in d.clusters:
        walk(c)
    return out


def _all_nodes(d: Diagram) -> list[Node]:
    return list(d.nodes) + [n for c in _all_clusters(d) for n in c.nodes]


def markdown(d: Diagram) -> str:
    """The Mermaid diagram in a Markdown page (GitHub renders the fenced block)."""
    return (
        f"# {d.title}\n\n"
        "Generated by `agentha-blueprint diagram` from the spec. Placement per region and zone (replicas "
        "per zone, store copies and their primaries, queues), routing and failover, then the flow every "
        "serving region runs.\n\n```mermaid\n" + mermaid(d) + "```\n"
    )


# --- Graphviz DOT ------------------------------------------------------------------------------------

_DOT_SHAPES = {"box": "box", "store": "cylinder", "queue": "parallelogram", "round": "oval", "hexagon": "hexagon"}
_DOT_FILL = {
    "primary": ("#e8f4ea", "#2e7d32"),
    "standby": ("#f3f3f3", "#888888"),
    "replica": ("#eef3fb", "#1565c0"),
    "external": ("#fff4e0", "#b26a00"),
}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("<br/>", "\\n") + '"'


def dot(d: Diagram) -> str:
    """Graphviz DOT text of the same diagram (for `dot -Tsvg` / `-Tpng`)."""
    lines = [
        "digraph agentha {",
        f"  label={_q(d.title)}; labelloc=t; fontname=Helvetica; rankdir=LR;",
        "  node [fontname=Helvetica, fontsize=11, style=filled, fillcolor=white];",
        "  edge [fontname=Helvetica, fontsize=9];",
    ]

    def node(n: Node, pad: str) -> str:
        attrs = [f"label={_q(n.label)}", f"shape={_DOT_SHAPES[n.shape]}"]
        if n.style in _DOT_FILL:
            fill, line = _DOT_FILL[n.style]
            attrs += [f'fillcolor="{fill}"', f'color="{line}"']
        return f"{pad}{n.id} [{', '.join(attrs)}];"

    for n in d.nodes:
        lines.append(node(n, "  "))
    anchors: dict[str, str] = {c.id: c.anchor for c in _all_clusters(d) if c.anchor}

    def cluster(c: Cluster, depth: int) -> str | None:
        pad = "  " * depth
        lines.append(f"{pad}subgraph cluster_{c.id} {{")
        lines.append(f"{pad}  label={_q(c.label)};")
        if c.style in _DOT_FILL:
            fill, line = _DOT_FILL[c.style]
            style = "dashed,filled" if c.style == "standby" else "filled"
            lines.append(f'{pad}  style="{style}"; fillcolor="{fill}"; color="{line}";')
        first = None
        for n in c.nodes:
            lines.append(node(n, pad + "  "))
            first = first or n.id
        for inner in c.clusters:
            inner_first = cluster(inner, depth + 1)
            first = first or inner_first
        lines.append(f"{pad}}}")
        if first:
            anchors.setdefault(c.id, first)
        return first

    for c in d.clusters:
        cluster(c, 1)
    for e in d.edges:
        attrs = []
        source, target = e.source, e.target
        target = anchors.get(target, target)  # to a region: its ingress agent (or its first node)
        if e.label:
            attrs.append(f"label={_q(e.label)}")
        if e.dashed:
            attrs.append("style=dashed")
        lines.append(f"  {source} -> {target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"
