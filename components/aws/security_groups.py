"""RegionSecurityGroups: one region's security groups, allowing only what the topology needs.

- A load balancer takes HTTPS (443, plus 80 to redirect) from the internet only when the ingress is
  public, otherwise from the VPC; an internal NLB (an agent other agents `call`) takes the agent's
  port only from its callers' tasks.
- Agent tasks take their port only from their own load balancer. They may leave to the stores they
  use and to the port of the load balancer of each agent they call (the model gateway is one). On 443:
  - an agent the plan narrows (`narrow_egress`, blueprints/plan/egress.py: it calls model providers
    only through the gateway, no http-api or mcp-server directly, and Fargate can pull its images from
    ECR) only to the region's interface VPC endpoints (their security group), the S3 gateway
    endpoint's managed prefix list (ECR's image layers) and, when it uses a DynamoDB table,
    DynamoDB's; nothing on the internet;
  - every other task (the model gateway itself, agents calling APIs directly, images Fargate must pull
    from a registry on the internet) to 0.0.0.0/0, as before: AWS APIs through the endpoints,
    everything else through NAT. The plan's `egress-open` finding says why, per agent.
- Aurora and Valkey take their port only from the tasks of the agents that `use` them; so does an Aurora
  DSQL store's connection endpoint (components/aws/dsql_cluster.py).

Rules are separate `vpc.SecurityGroupIngressRule` / `EgressRule` resources (the provider's
recommended form), so one rule changes without replacing the group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pulumi
from pulumi_aws import ec2, vpc

from blueprints.plan import naming
from blueprints.plan.gateway import workload_spec_path
from components.aws.tags import TagContext, spec_path

TOKEN = "agentha:aws:RegionSecurityGroups"

LoadBalancerKind = Literal["alb", "nlb-tls", "nlb"]
STORE_PORTS = {"aurora-postgresql": 5432, "aurora-dsql": 5432, "valkey": 6379}


@dataclass(frozen=True)
class AgentEndpoint:
    """What the security groups need to know about one agent in this region."""

    name: str
    port: int | None
    load_balancer: LoadBalancerKind | None
    public: bool = False
    callers: tuple[str, ...] = ()
    """Agents whose tasks call this one (through its internal NLB)."""
    narrow_egress: bool = False
    """HTTPS only to the VPC endpoints and the gateway endpoints' prefix lists, none to the internet."""
    uses_dynamodb: bool = False
    """Its tasks call DynamoDB (through the gateway endpoint's prefix list when narrowed)."""


@dataclass(frozen=True)
class StoreEndpoint:
    name: str
    port: int
    users: tuple[str, ...]


@dataclass(frozen=True)
class RegionSecurityGroupsArgs:
    region: str
    tags: TagContext
    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    agents: tuple[AgentEndpoint, ...]
    stores: tuple[StoreEndpoint, ...] = field(default=())
    endpoints_security_group_id: pulumi.Input[str] | None = None
    """The interface VPC endpoints' security group (components/aws/network.py)."""
    prefix_list_ids: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    """Managed prefix lists of the gateway endpoints, by service (s3, dynamodb)."""


class RegionSecurityGroups(pulumi.ComponentResource):
    """Security groups and rules for the load balancers, tasks and stores of one region."""

    load_balancer: dict[str, pulumi.Output[str]]
    task: dict[str, pulumi.Output[str]]
    store: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: RegionSecurityGroupsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        self._args = args
        self.load_balancer = {}
        self.task = {}
        self.store = {}
        for agent in args.agents:
            part = workload_spec_path(agent.name)
            self.task[agent.name] = self._group(agent.name, "task-sg", f"{agent.name} tasks", part)
            if agent.load_balancer is not None and agent.port is not None:
                self.load_balancer[agent.name] = self._group(agent.name, "lb-sg", f"{agent.name} load balancer", part)
        for store in args.stores:
            self.store[store.name] = self._group(
                store.name, "store-sg", f"{store.name} store", spec_path("stores", store.name)
            )

        anywhere = "0.0.0.0/0"
        for agent in args.agents:
            part = workload_spec_path(agent.name)
            task = self.task[agent.name]
            lb = self.load_balancer.get(agent.name)
            if lb is not None and agent.port is not None:
                if agent.load_balancer == "nlb":
                    # Only the tasks of the agents that call it, in both directions of the path.
                    for caller in agent.callers:
                        if caller not in self.task:
                            continue
                        self._rule(
                            "ingress",
                            agent.name,
                            f"lb-from-{caller}",
                            lb,
                            agent.port,
                            part,
                            peer=self.task[caller],
                            why=f"from {caller} tasks (its caller)",
                        )
                        self._rule(
                            "egress",
                            caller,
                            f"to-{agent.name}",
                            self.task[caller],
                            agent.port,
                            workload_spec_path(caller),
                            peer=lb,
                            why=f"to {agent.name}'s load balancer (calls)",
                        )
                else:
                    source = anywhere if agent.public else args.vpc_cidr
                    who = "the internet" if agent.public else "the VPC"
                    ports = {"alb": (443, 80), "nlb-tls": (443,)}[agent.load_balancer or "alb"]
                    for port in ports:
                        self._rule(
                            "ingress",
                            agent.name,
                            f"lb-in-{port}",
                            lb,
                            port,
                            part,
                            cidr=source,
                            why=f"{port} from {who}",
                        )
                self._rule(
                    "egress", agent.name, "lb-to-task", lb, agent.port, part, peer=task, why="to the agent's tasks"
                )
                self._rule(
                    "ingress",
                    agent.name,
                    "task-from-lb",
                    task,
                    agent.port,
                    part,
                    peer=lb,
                    why="from its load balancer only",
                )
            if agent.narrow_egress:
                self._narrow(agent, task, part)
            else:
                self._rule(
                    "egress",
                    agent.name,
                    "task-https-out",
                    task,
                    443,
                    part,
                    cidr=anywhere,
                    why="HTTPS to AWS APIs and models",
                )
        for store in args.stores:
            group = self.store[store.name]
            part = spec_path("stores", store.name)
            for user in store.users:
                if user not in self.task:
                    continue
                self._rule(
                    "ingress",
                    store.name,
                    f"from-{user}",
                    group,
                    store.port,
                    part,
                    peer=self.task[user],
                    why=f"from {user} tasks",
                )
                self._rule(
                    "egress",
                    user,
                    f"to-{store.name}",
                    self.task[user],
                    store.port,
                    workload_spec_path(user),
                    peer=group,
                    why=f"to store {store.name}",
                )
        self.register_outputs({"load_balancer": self.load_balancer, "task": self.task, "store": self.store})

    def _narrow(self, agent: AgentEndpoint, task: pulumi.Output[str], part: str) -> None:
        """HTTPS to the region's AWS endpoints only: what Fargate needs to start the task (ECR, S3 for the
        layers, Secrets Manager, CloudWatch Logs) and what the agent and its collector call (SQS, X-Ray,
        DynamoDB); the gateway, stores and called agents have their own rules."""
        args = self._args
        if args.endpoints_security_group_id is None or "s3" not in args.prefix_list_ids:
            raise ValueError(
                f"agent {agent.name}: narrowed egress needs the region's interface endpoints and the S3 gateway "
                "endpoint (the planner narrows only agents in VPCs this blueprint builds)"
            )
        self._rule(
            "egress",
            agent.name,
            "task-to-endpoints",
            task,
            443,
            part,
            peer=pulumi.Output.from_input(args.endpoints_security_group_id),
            why="HTTPS to the region's interface VPC endpoints",
        )
        self._rule(
            "egress",
            agent.name,
            "task-to-s3",
            task,
            443,
            part,
            prefix_list=args.prefix_list_ids["s3"],
            why="HTTPS to S3 through its gateway endpoint (ECR image layers)",
        )
        if agent.uses_dynamodb and "dynamodb" in args.prefix_list_ids:
            self._rule(
                "egress",
                agent.name,
                "task-to-dynamodb",
                task,
                443,
                part,
                prefix_list=args.prefix_list_ids["dynamodb"],
                why="HTTPS to DynamoDB through its gateway endpoint",
            )

    def _group(self, part: str, role: str, what: str, path: str) -> pulumi.Output[str]:
        args = self._args
        group = ec2.SecurityGroup(
            naming.resource(args.tags.system, part, role, args.region),
            ec2.SecurityGroupArgs(
                vpc_id=args.vpc_id,
                description=f"{args.tags.system}: {what}",
                revoke_rules_on_delete=True,
                region=args.region,
                tags=args.tags.tags(part, role, region=args.region, spec_path=path),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return group.id

    def _rule(
        self,
        direction: Literal["ingress", "egress"],
        part: str,
        role: str,
        group_id: pulumi.Output[str],
        port: int,
        path: str,
        *,
        why: str,
        cidr: pulumi.Input[str] | None = None,
        peer: pulumi.Output[str] | None = None,
        prefix_list: pulumi.Input[str] | None = None,
    ) -> None:
        """One TCP port into (ingress) or out of (egress) `group_id`, from or to a CIDR, a peer group or a
        managed prefix list."""
        args = self._args
        rule = vpc.SecurityGroupIngressRule if direction == "ingress" else vpc.SecurityGroupEgressRule
        rule(
            naming.resource(args.tags.system, part, role, args.region),
            security_group_id=group_id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4=cidr,
            referenced_security_group_id=peer,
            prefix_list_id=prefix_list,
            description=why,
            region=args.region,
            tags=args.tags.tags(part, "sg-rule", region=args.region, spec_path=path),
            opts=pulumi.ResourceOptions(parent=self),
        )
