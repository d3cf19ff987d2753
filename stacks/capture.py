"""Run a Pulumi program in-process under the SDK's mocks and capture its whole resource graph.

This is how Pulumi tells users to unit-test programs (`pulumi.runtime.set_mocks`), extended with a
monitor that records each raw registration request, so parent, dependencies, protect,
ignore_changes and the other options are captured along with the inputs. Nothing is deployed and
no cloud is called. `synth`, the policy checks, manifest export and the tests all use it.

The mocks answer with plausible provider outputs (ids, ARNs, URLs, DNS names) so programs that
build policies or environment from outputs run their real code paths.
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pulumi
from pulumi.runtime import mocks as pmocks
from pulumi.runtime import rpc
from pulumi.runtime.sync_await import _ensure_event_loop

from blueprints import progress
from stacks.graph import SECRET_MARKER, CapturedResource, ResourceGraph, normalise

ACCOUNT = "123456789012"
MOCK_REGION = "us-east-1"


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _service(type_token: str) -> str:
    # aws:sqs/queue:Queue -> sqs
    return type_token.split(":")[1].split("/")[0] if ":" in type_token else "resource"


class AgentMocks(pmocks.Mocks):
    """Provider answers for resources and data-source calls, deterministic by name."""

    def __init__(self) -> None:
        self.last = threading.local()
        """The inputs of the registration this thread is answering (the monitor's RPCs run on worker
        threads): the capture keeps them instead of deserialising the request a second time."""
        self.switch_plans: dict[str, dict[str, Any]] = {}
        """Region switch plan ARN -> its inputs, so the vended health checks can be answered."""

    def new_resource(self, args: pmocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.last.inputs = args.inputs
        inputs = dict(args.inputs)
        typ = args.typ
        name = args.name
        rid = f"{name}-{_short_hash(typ + name)}"
        out: dict[str, Any] = dict(inputs)
        if typ.startswith("aws:"):
            region = inputs.get("region", MOCK_REGION)
            service = _service(typ)
            physical = inputs.get("name") or rid
            out.setdefault("arn", f"arn:aws:{service}:{region}:{ACCOUNT}:{physical}")
            out.setdefault("name", physical)
            out.setdefault("region", region)
            if typ == "aws:sqs/queue:Queue":
                out["url"] = f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/{physical}"
            elif typ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
                out["dnsName"] = f"{physical}.{region}.elb.amazonaws.com"
                out["zoneId"] = "Z35SXDOTRQ7X7K"
                out["arnSuffix"] = f"app/{physical}/{_short_hash(physical)}"
            elif typ in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
                out["arnSuffix"] = f"targetgroup/{physical}/{_short_hash(physical)}"
            elif typ == "aws:dynamodb/table:Table":
                out["streamArn"] = f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{physical}/stream/mock"
            elif typ == "aws:rds/cluster:Cluster":
                out["endpoint"] = f"{physical}.cluster-mock.{region}.rds.amazonaws.com"
                out["readerEndpoint"] = f"{physical}.cluster-ro-mock.{region}.rds.amazonaws.com"
                out["clusterResourceId"] = f"cluster-{_short_hash(physical).upper()}"
            elif typ == "aws:kms/key:Key":
                out["keyId"] = rid
            elif typ == "aws:dsql/cluster:Cluster":
                # The cluster's own PrivateLink connection service (GetVpcEndpointServiceName's shape).
                out["vpcEndpointServiceName"] = f"com.amazonaws.{region}.dsql-{_short_hash(physical)[:4]}"
            elif typ == "aws:acm/certificate:Certificate":
                domain = inputs.get("domainName", "example.com")
                out["domainValidationOptions"] = [
                    {
                        "domainName": domain,
                        "resourceRecordName": f"_mock.{domain}.",
                        "resourceRecordType": "CNAME",
                        "resourceRecordValue": "_mock.acm-validations.aws.",
                    }
                ]
            elif typ == "aws:route53/healthCheck:HealthCheck":
                out["id"] = rid
            elif typ == "aws:ec2/vpc:Vpc":
                out["defaultSecurityGroupId"] = f"sg-{_short_hash(rid)}"
                out["mainRouteTableId"] = f"rtb-{_short_hash(rid)}"
            elif typ == "aws:ec2/eip:Eip":
                out["allocationId"] = f"eipalloc-{_short_hash(rid)}"
            elif typ == "aws:route53/record:Record":
                out["fqdn"] = str(inputs.get("name", "")).rstrip(".")
            elif typ == "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup":
                # ElastiCache prefixes the suffix with a per-region code.
                out["globalReplicationGroupId"] = f"ldgnf-{inputs.get('globalReplicationGroupIdSuffix', rid)}"
            elif typ == "aws:elasticache/replicationGroup:ReplicationGroup":
                out["primaryEndpointAddress"] = f"master.{physical}.mock.{region}.cache.amazonaws.com"
            elif typ == "aws:arcregionswitch/plan:Plan":
                # Global: arn:<partition>:arc-region-switch::<account>:plan/<name>:<6 chars> (API Plan.arn).
                out["arn"] = f"arn:aws:arc-region-switch::{ACCOUNT}:plan/{physical}:{_short_hash(physical)[:6]}"
                self.switch_plans[out["arn"]] = inputs
            elif typ == "aws:ec2/vpcEndpoint:VpcEndpoint" and inputs.get("vpcEndpointType") == "Gateway":
                # The service's AWS-managed prefix list (pl-...), what security group rules name.
                out["prefixListId"] = f"pl-{_short_hash(str(inputs.get('serviceName', rid)))}"
            elif typ == "aws:cloudwatch/logGroup:LogGroup":
                out["arn"] = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{physical}"
        return rid, out

    def call(self, args: pmocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        token = args.token
        data = dict(args.args)
        if token == "aws:route53/getZone:getZone":
            name = str(data.get("name", "example.com")).rstrip(".")
            return {
                **data,
                "zoneId": f"Z{_short_hash(name).upper()}",
                "id": f"Z{_short_hash(name).upper()}",
                "name": name + ".",
            }, []
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "id": ACCOUNT, "userId": ACCOUNT}, []
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        if token == "aws:secretsmanager/getSecret:getSecret":
            # A secret the user created by name: its ARN ends in -<6 random characters>.
            name = str(data.get("name", "secret"))
            region = str(data.get("region", "us-east-1"))
            arn = f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{name}-{_short_hash(name + region)[:6]}"
            return {**data, "arn": arn, "id": arn, "name": name}, []
        if token == "aws:ec2/getVpc:getVpc":
            vpc_id = str(data.get("id") or "vpc-mock")
            return {
                **data,
                "id": vpc_id,
                "cidrBlock": "10.99.0.0/16",
                "arn": f"arn:aws:ec2::{ACCOUNT}:vpc/{vpc_id}",
            }, []
        if token == "aws:arcregionswitch/getRoute53HealthChecks:getRoute53HealthChecks":
            # One vended check per region of the plan for each record name its Route 53 blocks name.
            arn = str(data.get("planArn", ""))
            plan = self.switch_plans.get(arn, {})
            records = {
                (c["hostedZoneId"], c["recordName"])
                for w in plan.get("workflows", [])
                for step in w.get("steps", [])
                for c in step.get("route53HealthCheckConfigs", [])
            }
            checks = [
                {
                    "healthCheckId": f"rs-{_short_hash(arn + record + region)}",
                    "hostedZoneId": zone,
                    "recordName": record,
                    "region": region,
                    "status": "healthy",
                }
                for zone, record in sorted(records)
                for region in plan.get("regions", [])
            ]
            return {"planArn": arn, "healthChecks": checks, "region": data.get("region") or MOCK_REGION}, []
        if token == "aws:index/getRegion:getRegion":
            region = data.get("region") or data.get("name") or MOCK_REGION
            return {"name": region, "region": region, "id": region}, []
        return data, []


PROGRESS_EVERY = 25
"""Registrations between two progress updates (a spinner refreshes ~12 times a second anyway)."""


class CapturingMonitor(pmocks.MockMonitor):
    """A mock monitor that captures each registration (options included) and component outputs.

    Each registration is turned into a `CapturedResource` as it arrives, from the inputs the mocks
    were given, and its request is let go: keeping every raw request until the program ends held a
    second copy of every input (protobuf structs) at the moment memory peaks.
    """

    def __init__(self, mocks: AgentMocks) -> None:
        super().__init__(mocks)
        self.agent_mocks = mocks
        self.captured: dict[str, CapturedResource] = {}
        self.component_outputs: dict[str, dict[str, Any]] = {}

    def Invoke(self, request: Any) -> Any:
        response = super().Invoke(request)
        _remember_loop()
        return response

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        _remember_loop()
        if request.type != "pulumi:pulumi:Stack":
            inputs = self.agent_mocks.last.inputs
            self.agent_mocks.last.inputs = None
            # The SDK's mock monitor keeps every resource's mocked state (a dict over the deserialised
            # inputs) for `exists_resource`, which no program here calls: the capture holds what it needs.
            self.resources.pop(response.urn, None)
            self.captured[response.urn] = _to_resource(response.urn, request, inputs)
            count = len(self.captured)
            if count % PROGRESS_EVERY == 0 and progress.active():
                progress.phase(f"building resources: {count:,} registered (now {request.type})")
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        _ensure_event_loop()
        _remember_loop()
        outputs = rpc.deserialize_properties(request.outputs, keep_unknowns=True)
        self.component_outputs[request.urn] = _plain(outputs)
        return super().RegisterResourceOutputs(request)


def _plain(value: Any) -> Any:
    """Deserialised engine values as plain JSON-ready data; secrets replaced by a marker."""
    if isinstance(value, dict):
        if rpc._special_sig_key in value:  # a secret or another special value
            return SECRET_MARKER
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.Resource):
        return f"<resource {type(value).__name__}>"
    if value is None or isinstance(value, str | int | float | bool):
        return normalise(value)
    if isinstance(value, pulumi.asset.Asset | pulumi.asset.Archive):
        return _asset(value)
    return str(value)


def _asset(value: pulumi.asset.Asset | pulumi.asset.Archive) -> dict[str, Any]:
    """An asset or archive by what it holds (its repr carries a memory address: not reproducible)."""
    a = pulumi.asset
    if isinstance(value, a.StringAsset):
        return {"stringAsset": value.text}
    if isinstance(value, a.FileAsset):
        return {"fileAsset": value.path}
    if isinstance(value, a.RemoteAsset):
        return {"remoteAsset": value.uri}
    if isinstance(value, a.AssetArchive):
        return {"assetArchive": {str(k): _plain(v) for k, v in sorted(value.assets.items())}}
    if isinstance(value, a.FileArchive):
        return {"fileArchive": value.path}
    if isinstance(value, a.RemoteArchive):
        return {"remoteArchive": value.uri}
    return {type(value).__name__: None}


def _provider_urn(ref: str) -> str | None:
    """A provider reference is `<urn>::<id>`; keep the URN."""
    return ref.rsplit("::", 1)[0] if ref else None


def _strip_stack(urn: str) -> str:
    return urn.replace("pulumi:pulumi:Stack$", "")


def _to_resource(urn: str, request: Any, deserialized: dict[str, Any]) -> CapturedResource:
    """A registration request as captured; `deserialized` is its object as the mocks received it."""
    inputs = _plain(deserialized)
    prop_deps = {k: tuple(sorted(_strip_stack(u) for u in v.urns)) for k, v in request.propertyDependencies.items()}
    provider = _provider_urn(request.provider)
    return CapturedResource(
        urn=_strip_stack(urn),
        type=request.type,
        name=request.name,
        custom=bool(request.custom),
        parent=_strip_stack(request.parent)
        if request.parent and "pulumi:pulumi:Stack::" not in request.parent
        else None,
        provider=_strip_stack(provider) if provider else None,
        inputs=inputs,
        dependencies=tuple(sorted(_strip_stack(u) for u in request.dependencies)),
        property_dependencies=dict(sorted(prop_deps.items())),
        protect=bool(request.protect),
        retain_on_delete=bool(request.retainOnDelete),
        delete_before_replace=bool(request.deleteBeforeReplace),
        ignore_changes=tuple(request.ignoreChanges),
        replace_on_changes=tuple(request.replaceOnChanges),
        aliases=tuple(sorted(a.urn or a.spec.name for a in request.aliases)) if request.aliases else (),
        additional_secret_outputs=tuple(request.additionalSecretOutputs),
    )


def _with_regions(resources: list[CapturedResource]) -> list[CapturedResource]:
    """Fill `region`: the `region` input (pulumi-aws v7), else the explicit provider's region or context."""
    by_urn = {r.urn: r for r in resources}
    out = []
    for r in resources:
        region = r.inputs.get("region") if isinstance(r.inputs.get("region"), str) else None
        if region is None and r.provider:
            provider = by_urn.get(r.provider)
            if provider is not None:
                region = provider.inputs.get("region") or provider.inputs.get("context")
        if region is None and r.is_provider:
            region = r.inputs.get("region") or r.inputs.get("context")
        out.append(r if region is None else CapturedResource(**{**r.__dict__, "region": region}))
    return out


def synthesize(
    program: Callable[[], Any], *, project: str, stack: str, config: Mapping[str, str] | None = None
) -> ResourceGraph:
    """Run `program` under mocks and return every resource it registered.

    `config` keys are full config keys (`project:key` or `aws:region`); values are strings, as the
    engine passes them. Any exception the program raises propagates unchanged.
    """
    from pulumi.runtime import settings
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    pulumi.runtime.set_all_config(dict(config or {}))
    _close_event_loop_at_exit()
    monitor = CapturingMonitor(AgentMocks())
    settings.ROOT.set(None)  # a fresh root stack (and so fresh exports) per run
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=False, monitor=monitor)
    # The SDK keeps outstanding RPCs and outputs in its settings bag; start each run with none.
    sdk_settings: Any = settings.SETTINGS
    sdk_settings.rpc_manager.clear()
    sdk_settings.outputs.clear()
    progress.phase("building resources under Pulumi mocks")
    with _no_stack_traces(), _fewer_young_collections():
        _sync_await(run_pulumi_func(program))
    progress.phase(f"capturing the graph of {len(monitor.captured):,} resources")
    exports = _exports()
    outputs = monitor.component_outputs
    resources = [
        dataclasses.replace(r, outputs=outputs[urn]) if urn in outputs else r for urn, r in monitor.captured.items()
    ]
    resources = _with_regions(sorted(resources, key=lambda r: r.urn))
    return ResourceGraph(project=project, stack=stack, resources=resources, exports=exports)


async def let_registrations_finish() -> None:
    """A pace for `stacks.program.main`: run the event loop until every registration made so far has
    been answered by the mocks.

    The SDK starts a registration as a task when a resource is constructed; it runs only when the
    program gives the event loop a turn, so a program that builds everything first keeps every
    resource's pending Outputs (futures, tasks, resolvers) alive at once: 89 KB a resource, ~900 MB at
    10,000. Awaited between stages, this keeps what is pending to one stage. `wait_for_rpcs` is what
    the SDK itself awaits when a program ends; it only waits if a registration task has already
    started, so the event loop gets one turn first.
    """
    import asyncio

    from pulumi.runtime.stack import wait_for_rpcs

    await asyncio.sleep(0)
    await wait_for_rpcs(await_all_outstanding_tasks=False)


@contextmanager
def _no_stack_traces() -> Iterator[None]:
    """Skip the SDK's per-registration stack trace while capturing offline.

    The SDK walks the Python stack on every registration (`traceback.extract_stack`, ~30 frames, URI
    conversion) to tell the engine where each resource was declared; the capture never reads it
    (6-10 % of synth at 250-1,400 resources, identical graphs). Only this offline capture skips it: the
    program and its registrations are unchanged, and `pulumi up` runs the SDK as it is.
    """
    from pulumi.runtime import resource as sdk_resource
    from pulumi.runtime.proto import source_pb2

    real = sdk_resource._get_stack_trace
    sdk_resource._get_stack_trace = source_pb2.StackTrace  # an empty trace: no source position
    try:
        yield
    finally:
        sdk_resource._get_stack_trace = real


YOUNG_COLLECTION_THRESHOLD = 50_000
"""Allocations between two collections of Python's youngest generation while a program registers.

The default (700) made the cyclic collector run ~1,300 times per 1,000 resources: every Output of the
SDK is a handful of objects (future, task, coroutine, context), so the young generation fills in
microseconds, and survivors age into the older generations, which are scanned again and again. With
50,000, synth of 1,064 resources took 4.9-5.4 s of CPU instead of 7.1-7.5 s, and of 8,711 resources
37.4 s instead of 48.9 s; peak memory 856 -> 862 MB. Cyclic garbage is still collected, in larger
batches. `pulumi up` runs the program under the engine, not here: its settings are untouched."""


@contextmanager
def _fewer_young_collections() -> Iterator[None]:
    """Collect cyclic garbage in larger batches while the program registers, then restore the setting."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(max(before[0], YOUNG_COLLECTION_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the cyclic collector from re-scanning the heap a captured program leaves (the SDK's
    resources and Outputs: millions of objects at 10,000 resources) while what follows allocates.

    Building a 10k graph's JSON-ready dicts triggered a full collection over that heap: 1.6 s of a
    2.3 s output phase. The objects are frozen (`gc.freeze`), not freed, and thawed on the way out.
    """
    import gc

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


_CLOSE_REGISTERED = False
_LOOPS: dict[int, Any] = {}
"""Every event loop the SDK made for a thread during a capture (its mock monitor makes one per RPC
worker thread and never closes it), kept until exit so that none is left to the garbage collector."""


def _remember_loop() -> None:
    import asyncio

    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return
    _LOOPS.setdefault(id(loop), loop)


def _close_event_loop_at_exit() -> None:
    """Close the SDK's event loops when the process exits (registered once).

    Left to the garbage collector during interpreter shutdown, a loop's selector was sometimes closed
    after its file descriptors (`Exception ignored in: BaseEventLoop.__del__ … Invalid file
    descriptor: -1` on stderr after a `check`).
    """
    global _CLOSE_REGISTERED
    if not _CLOSE_REGISTERED:
        atexit.register(close_event_loops)
        _CLOSE_REGISTERED = True
    _remember_loop()


def close_event_loops() -> None:
    """Close every remembered loop (and this thread's) that is neither running nor closed."""
    _remember_loop()
    for loop in list(_LOOPS.values()):
        if not loop.is_running() and not loop.is_closed():
            loop.close()
    _LOOPS.clear()


def _exports() -> dict[str, Any]:
    from pulumi.runtime import settings
    from pulumi.runtime.sync_await import _sync_await

    root = settings.get_root_resource()
    outputs = getattr(root, "outputs", None) or {}
    result: dict[str, Any] = {}
    for key, value in outputs.items():
        try:
            resolved = _sync_await(pulumi.Output.from_input(value).future(with_unknowns=True))
        except Exception as exc:  # an export that fails to resolve is reported, not fatal
            resolved = f"<error: {exc}>"
        result[key] = _plain(resolved)
    return dict(sorted(result.items()))
