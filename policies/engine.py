"""Evaluate the rules over a captured resource graph, offline, the way the Pulumi engine would.

For each resource the engine would analyse, build pulumi-policy's own `ResourceValidationArgs`
from the captured inputs (already camelCase, as the engine sends them) and call each matching
resource rule; then build one `StackValidationArgs` of every resource (parents and dependencies
linked) and call each stack rule. Disabled rules are not run, as in the engine. The context (spec
and plan) is set around the evaluation so rules read it through `policies.context.current()`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.policy import _NotApplicableError

from blueprints import progress
from policies.config import PolicyConfig
from policies.context import PolicyContext, using
from policies.model import Level, Report, ResourceRule, Rule, RuleResult, StackRule, Violation
from policies.resources import Subject
from stacks.graph import CapturedResource, ResourceGraph


class Collector:
    """A `report_violation` for one rule and one resource that also keeps the structured parts."""

    def __init__(self, rule: Rule, level: Level, subject: Subject | None, by_urn: dict[str, Subject]) -> None:
        self.rule = rule
        self.level: Level = level
        self.subject = subject
        self.by_urn = by_urn
        self.found: list[Violation] = []

    def __call__(self, message: str, urn: str | None = None) -> None:
        """A plain `report_violation(message, urn)` (rules should prefer `resources.violation`)."""
        subject = self.by_urn.get(urn) if urn else self.subject
        self.structured(subject, message, "", subject.spec_path if subject else None, message)

    def structured(self, subject: Subject | None, problem: str, fix: str, spec_path: str | None, text: str) -> None:
        subject = subject or self.subject
        self.found.append(
            Violation(
                rule_id=self.rule.id,
                level=self.level,
                severity=self.rule.severity,
                topics=self.rule.topics,
                message=text,
                problem=problem,
                fix=fix,
                urn=subject.urn if subject else None,
                resource_name=subject.name if subject else None,
                resource_type=subject.type if subject else None,
                region=subject.region if subject else None,
                spec_path=spec_path,
            )
        )


_NO_TIMEOUTS = PolicyCustomTimeouts(0, 0, 0)


def _options(r: CapturedResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=r.protect,
        ignore_changes=list(r.ignore_changes),
        delete_before_replace=r.delete_before_replace,
        aliases=list(r.aliases),
        custom_timeouts=_NO_TIMEOUTS,
        additional_secret_outputs=list(r.additional_secret_outputs),
        parent=r.parent,
    )


def _providers(graph: ResourceGraph) -> dict[str, PolicyProviderResource]:
    return {r.urn: PolicyProviderResource(r.type, r.inputs, r.urn, r.name) for r in graph if r.is_provider}


def resource_args(
    graph: ResourceGraph, options: dict[str, PolicyResourceOptions] | None = None
) -> list[ResourceValidationArgs]:
    """What the engine's `Analyze` call would receive, for every custom resource of the graph."""
    providers = _providers(graph)
    options = options if options is not None else {r.urn: _options(r) for r in graph}
    return [
        ResourceValidationArgs(
            r.type,
            r.inputs,
            r.urn,
            r.name,
            options[r.urn],
            providers.get(r.provider) if r.provider else None,
        )
        for r in graph
        if r.custom and not r.is_provider
    ]


def stack_args(graph: ResourceGraph, options: dict[str, PolicyResourceOptions] | None = None) -> StackValidationArgs:
    """What the engine's `AnalyzeStack` call would receive: every resource, parents and dependencies linked."""
    providers = _providers(graph)
    options = options if options is not None else {r.urn: _options(r) for r in graph}
    resources: dict[str, PolicyResource] = {}
    for r in graph:
        resources[r.urn] = PolicyResource(
            r.type,
            r.inputs if r.custom else r.outputs,
            r.urn,
            r.name,
            options[r.urn],
            providers.get(r.provider) if r.provider else None,
            None,
            [],
            {},
        )
    for r in graph:
        node = resources[r.urn]
        if r.parent and r.parent in resources:
            node.parent = resources[r.parent]
        node.dependencies = [resources[u] for u in r.dependencies if u in resources]
        node.property_dependencies = {
            k: [resources[u] for u in v if u in resources] for k, v in r.property_dependencies.items()
        }
    return StackValidationArgs(list(resources.values()))


def evaluate(
    graph: ResourceGraph,
    context: PolicyContext,
    config: PolicyConfig | None = None,
    rules: Sequence[Rule] | None = None,
) -> Report:
    """Run every enabled rule over `graph` against `context`; one RuleResult per rule, in id order."""
    from policies.registry import rules as all_rules

    config = config or PolicyConfig()
    chosen = list(rules if rules is not None else all_rules())
    levels: dict[str, Level] = {r.id: config.level(r) for r in chosen}
    by_type: dict[str, list[ResourceRule]] = defaultdict(list)
    for rule in chosen:
        if isinstance(rule, ResourceRule) and levels[rule.id] != "disabled":
            for t in rule.types:
                by_type[t].append(rule)
    found: dict[str, list[Violation]] = defaultdict(list)
    checked: dict[str, int] = defaultdict(int)
    not_applicable: dict[str, str] = {}
    options = {r.urn: _options(r) for r in graph}  # built once, shared by both kinds of arguments

    def run(rule: Rule, args: Any, subject: Subject | None, by_urn: dict[str, Subject]) -> None:
        """One rule on one set of arguments (a resource's, or the stack's): count it, keep what it found."""
        collector = Collector(rule, levels[rule.id], subject, by_urn)
        checked[rule.id] += 1
        try:
            rule.check(args, collector)
        except _NotApplicableError as exc:
            # The first reason stands (a stack rule runs once, so it has only one).
            not_applicable.setdefault(rule.id, exc.reason or "not applicable")
        found[rule.id].extend(collector.found)

    progress.phase(f"evaluating {len(chosen)} policy rules over {len(graph):,} resources")
    with using(context):
        subjects: dict[str, Subject] = {}
        for args in resource_args(graph, options):
            matching = by_type.get(args.resource_type)
            if not matching:
                continue
            subject = Subject.of(args)
            subjects[args.urn] = subject
            for rule in matching:
                run(rule, args, subject, subjects)
        stack_rules = [r for r in chosen if isinstance(r, StackRule) and levels[r.id] != "disabled"]
        if stack_rules:
            sargs = stack_args(graph, options)
            by_urn = {r.urn: Subject.of(r) for r in sargs.resources}
            for rule in stack_rules:
                run(rule, sargs, None, by_urn)
    results = tuple(
        RuleResult(
            rule=r,
            level=levels[r.id],
            checked=checked.get(r.id, 0),
            violations=tuple(_ordered(found.get(r.id, []))),
            not_applicable=not_applicable.get(r.id),
        )
        for r in sorted(chosen, key=lambda r: r.id)
    )
    return Report(
        spec_file=context.spec_file or "",
        environment=context.environment,
        stack=graph.stack,
        resources=len(graph),
        results=results,
    )


def _ordered(violations: list[Violation]) -> list[Violation]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for v in sorted(violations, key=lambda v: (v.urn or "", v.message)):
        key = (v.urn, v.message)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out
