"""Network: one region's VPC, laid out by the planner (subnets per zone, NAT per zone), or an existing one.

Private subnets hold the agent tasks and stores, public subnets the internet-facing load balancer
and the NAT gateways. Each zone's private route table sends egress through that zone's own NAT
gateway (`nat: per-zone`), so losing a zone never cuts egress in the others; `nat: single` shares
one (the planner reports it as a single point of failure). VPC endpoints for the AWS services the
agents use keep them working without NAT: gateway endpoints for DynamoDB and S3 (ECR image layers,
canary artifacts), interface endpoints for SQS, Secrets Manager, CloudWatch Logs, ECR, X-Ray and
CloudWatch metrics (a private synthetic canary), all with private DNS so the services' usual names resolve
to them. The endpoints' security group and the gateway endpoints' managed prefix lists are outputs: an agent
without internet egress (blueprints/plan/egress.py) may open HTTPS to exactly these. The default
security group is emptied so nothing lands in it by accident.

Bring-your-own VPC: the plan's existing ids are used as they are; no subnets, routes or endpoints
are created (an existing VPC usually has its own endpoints, and a second interface endpoint with
private DNS for the same service would conflict).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_aws import ec2, vpc

from blueprints.plan import naming
from blueprints.plan.models import RegionPlan
from components.aws.tags import TagContext

TOKEN = "agentha:aws:Network"

INTERFACE_SERVICES = ("sqs", "secretsmanager", "logs", "ecr.api", "ecr.dkr", "monitoring", "xray")
GATEWAY_SERVICES = ("dynamodb", "s3")


@dataclass(frozen=True)
class NetworkArgs:
    region: RegionPlan
    tags: TagContext
    endpoints: tuple[str, ...] = ()
    """AWS services to reach privately (names from INTERFACE_SERVICES and GATEWAY_SERVICES)."""
    internet_facing: bool = False
    """A load balancer in this VPC faces the internet (needs the internet gateway even without NAT)."""


class Network(pulumi.ComponentResource):
    """A region's VPC, subnets per zone, NAT, routes and VPC endpoints (or an existing VPC)."""

    vpc_id: pulumi.Output[str]
    cidr: pulumi.Output[str]
    private_subnet_ids: list[pulumi.Output[str]]
    public_subnet_ids: list[pulumi.Output[str]]
    zones: tuple[str, ...]
    endpoints_security_group_id: pulumi.Output[str] | None
    """The interface endpoints' security group (None: no interface endpoint, or an existing VPC)."""
    prefix_list_ids: dict[str, pulumi.Output[str]]
    """Managed prefix list of each gateway endpoint (s3, dynamodb), from the endpoint's own output."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        self._args = args
        net = args.region.network
        self.zones = args.region.zones
        self.endpoints_security_group_id = None
        self.prefix_list_ids = {}
        if net.is_existing:
            self._existing()
        else:
            self._build()
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "cidr": self.cidr,
                "private_subnet_ids": self.private_subnet_ids,
                "public_subnet_ids": self.public_subnet_ids,
                "endpoints_security_group_id": self.endpoints_security_group_id,
                "prefix_list_ids": self.prefix_list_ids,
            }
        )

    # --- bring your own -------------------------------------------------------------------------

    def _existing(self) -> None:
        net = self._args.region.network
        region = self._args.region.name
        assert net.existing_vpc_id is not None
        found = ec2.get_vpc_output(id=net.existing_vpc_id, region=region, opts=pulumi.InvokeOptions(parent=self))
        self.vpc_id = pulumi.Output.from_input(net.existing_vpc_id)
        self.cidr = found.cidr_block
        self.private_subnet_ids = [pulumi.Output.from_input(s) for s in net.existing_private_subnet_ids]
        self.public_subnet_ids = [pulumi.Output.from_input(s) for s in net.existing_public_subnet_ids]

    # --- a new VPC ------------------------------------------------------------------------------

    def _tags(self, role: str, zone: str | None = None) -> dict[str, str]:
        return self._args.tags.tags(
            "network",
            role,
            region=self._args.region.name,
            zone=zone,
            spec_path=f"topology.regions.{self._args.region.name}",
        )

    def _rname(self, role: str, zone: str | None = None) -> str:
        region = self._args.region.name
        place = f"{region}{naming.zone_suffix(zone, region)}" if zone else region
        return naming.resource(self._args.tags.system, "network", role, place)

    def _build(self) -> None:
        args = self._args
        net = args.region.network
        region = args.region.name
        child = pulumi.ResourceOptions(parent=self)
        assert net.cidr is not None
        the_vpc = ec2.Vpc(
            self._rname("vpc"),
            ec2.VpcArgs(
                cidr_block=net.cidr,
                enable_dns_support=True,  # interface endpoints with private DNS need both
                enable_dns_hostnames=True,
                region=region,
                tags=self._tags("vpc"),
            ),
            opts=child,
        )
        self.vpc_id = the_vpc.id
        self.cidr = pulumi.Output.from_input(net.cidr)
        ec2.DefaultSecurityGroup(
            self._rname("default-sg"),
            ec2.DefaultSecurityGroupArgs(vpc_id=the_vpc.id, region=region, tags=self._tags("default-sg")),
            opts=child,
        )

        private: dict[str, ec2.Subnet] = {}
        public: dict[str, ec2.Subnet] = {}
        for subnet in net.subnets:
            kind = "public" if subnet.public else "private"
            created = ec2.Subnet(
                self._rname(f"{kind}-subnet", subnet.zone),
                ec2.SubnetArgs(
                    vpc_id=the_vpc.id,
                    cidr_block=subnet.cidr,
                    availability_zone=subnet.zone,
                    map_public_ip_on_launch=False,  # nothing gets a public IP by accident
                    region=region,
                    tags=self._tags(f"subnet-{kind}", subnet.zone),
                ),
                opts=child,
            )
            (public if subnet.public else private)[subnet.zone] = created
        self.private_subnet_ids = [private[z].id for z in self.zones if z in private]
        self.public_subnet_ids = [public[z].id for z in self.zones if z in public]

        needs_internet = net.nat != "none" or args.internet_facing
        nats: dict[str, ec2.NatGateway] = {}
        if needs_internet and public:
            igw = ec2.InternetGateway(
                self._rname("igw"),
                ec2.InternetGatewayArgs(vpc_id=the_vpc.id, region=region, tags=self._tags("igw")),
                opts=child,
            )
            public_rt = ec2.RouteTable(
                self._rname("public-rt"),
                ec2.RouteTableArgs(vpc_id=the_vpc.id, region=region, tags=self._tags("route-table-public")),
                opts=child,
            )
            ec2.Route(
                self._rname("public-default-route"),
                ec2.RouteArgs(
                    route_table_id=public_rt.id, destination_cidr_block="0.0.0.0/0", gateway_id=igw.id, region=region
                ),
                opts=child,
            )
            for zone, subnet in public.items():
                ec2.RouteTableAssociation(
                    self._rname("public-rta", zone),
                    ec2.RouteTableAssociationArgs(subnet_id=subnet.id, route_table_id=public_rt.id, region=region),
                    opts=child,
                )
            nat_zones = [z for z in self.zones if z in public]
            if net.nat == "single":
                nat_zones = nat_zones[:1]
            elif net.nat == "none":
                nat_zones = []
            for zone in nat_zones:
                eip = ec2.Eip(
                    self._rname("nat-eip", zone),
                    ec2.EipArgs(domain="vpc", region=region, tags=self._tags("nat-eip", zone)),
                    opts=child,
                )
                nats[zone] = ec2.NatGateway(
                    self._rname("nat", zone),
                    ec2.NatGatewayArgs(
                        subnet_id=public[zone].id,
                        allocation_id=eip.allocation_id,
                        connectivity_type="public",
                        region=region,
                        tags=self._tags("nat", zone),
                    ),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )

        private_tables: list[ec2.RouteTable] = []
        for zone in self.zones:
            if zone not in private:
                continue
            table = ec2.RouteTable(
                self._rname("private-rt", zone),
                ec2.RouteTableArgs(vpc_id=the_vpc.id, region=region, tags=self._tags("route-table-private", zone)),
                opts=child,
            )
            private_tables.append(table)
            nat = nats.get(zone) or (next(iter(nats.values())) if nats else None)
            if nat is not None:
                ec2.Route(
                    self._rname("private-default-route", zone),
                    ec2.RouteArgs(
                        route_table_id=table.id,
                        destination_cidr_block="0.0.0.0/0",
                        nat_gateway_id=nat.id,
                        region=region,
                    ),
                    opts=child,
                )
            ec2.RouteTableAssociation(
                self._rname("private-rta", zone),
                ec2.RouteTableAssociationArgs(subnet_id=private[zone].id, route_table_id=table.id, region=region),
                opts=child,
            )
        self._endpoints(the_vpc, private_tables)

    def _endpoints(self, the_vpc: ec2.Vpc, private_tables: list[ec2.RouteTable]) -> None:
        args = self._args
        region = args.region.name
        child = pulumi.ResourceOptions(parent=self)
        wanted = [s for s in args.endpoints if s in GATEWAY_SERVICES + INTERFACE_SERVICES]
        for service in (s for s in wanted if s in GATEWAY_SERVICES):
            endpoint = ec2.VpcEndpoint(
                self._rname(f"{service}-endpoint"),
                ec2.VpcEndpointArgs(
                    vpc_id=the_vpc.id,
                    service_name=f"com.amazonaws.{region}.{service}",
                    vpc_endpoint_type="Gateway",
                    route_table_ids=[t.id for t in private_tables],
                    region=region,
                    tags=self._tags("endpoint"),
                ),
                opts=child,
            )
            self.prefix_list_ids[service] = endpoint.prefix_list_id
        interface = [s for s in wanted if s in INTERFACE_SERVICES]
        if not interface or not self.private_subnet_ids:
            return
        sg = ec2.SecurityGroup(
            self._rname("endpoints-sg"),
            ec2.SecurityGroupArgs(
                vpc_id=the_vpc.id,
                description="VPC interface endpoints: HTTPS from inside the VPC only",
                revoke_rules_on_delete=True,
                region=region,
                tags=self._tags("sg-endpoints"),
            ),
            opts=child,
        )
        self.endpoints_security_group_id = sg.id
        vpc.SecurityGroupIngressRule(
            self._rname("endpoints-https-in"),
            vpc.SecurityGroupIngressRuleArgs(
                security_group_id=sg.id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                cidr_ipv4=self.cidr,
                description="HTTPS from the VPC",
                region=region,
                tags=self._tags("sg-rule"),
            ),
            opts=child,
        )
        for service in interface:
            ec2.VpcEndpoint(
                self._rname(f"{service.replace('.', '-')}-endpoint"),
                ec2.VpcEndpointArgs(
                    vpc_id=the_vpc.id,
                    service_name=f"com.amazonaws.{region}.{service}",
                    vpc_endpoint_type="Interface",
                    private_dns_enabled=True,
                    subnet_ids=self.private_subnet_ids,
                    security_group_ids=[sg.id],
                    region=region,
                    tags=self._tags("endpoint"),
                ),
                opts=child,
            )
