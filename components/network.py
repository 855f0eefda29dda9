"""The VPC every workload runs in: private subnets, NAT egress, VPC endpoints and flow logs.

Private subnets (one per AZ) hold workloads, nodes and interface endpoints; public subnets hold
only NAT gateways and load balancers and never assign public IPs on launch. AWS APIs the platform
calls all the time (S3, ECR, STS, CloudWatch Logs, SageMaker) are reached through VPC endpoints,
so that traffic never crosses the internet. The VPC's default security group is taken over with no
rules at all, and every flow is logged to a KMS-encrypted CloudWatch log group.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.cidr import plan_subnets
from components.common import check_log_retention, child_opts

DEFAULT_INTERFACE_ENDPOINTS = ("ecr.api", "ecr.dkr", "sts", "logs", "sagemaker.api", "sagemaker.runtime")
NAT_MODES = ("single", "per-az")
FLOW_LOGS_PRINCIPAL = "vpc-flow-logs.amazonaws.com"

#: Builds a child's tags from its name suffix and extra tags.
TagFn = Callable[..., dict[str, str]]


@dataclass
class NetworkArgs:
    """The VPC layout. Defaults: a NAT gateway per AZ, the ML interface endpoints, flow logs kept a year."""

    #: The VPC range; split into per-AZ private and public subnets by ``components.cidr.plan_subnets``.
    cidr: str
    #: Zones to span, in order; subnet lists follow this order.
    availability_zones: Sequence[str]
    #: The key that encrypts the flow-log group (its policy must admit CloudWatch Logs: purpose "logs").
    flow_log_key: aws.kms.Key
    #: ``per-az`` keeps egress up when a zone fails; ``single`` is one NAT gateway in the first AZ (cheaper).
    nat: Literal["single", "per-az"] = "per-az"
    #: Services reached through interface endpoints (``com.amazonaws.<region>.<service>``), with private DNS.
    interface_endpoints: Sequence[str] = DEFAULT_INTERFACE_ENDPOINTS
    #: Days flow-log events are kept (a CloudWatch retention period).
    flow_log_retention_days: int = 365
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        zones = list(self.availability_zones)
        if not zones:
            raise ValueError("availability_zones must name at least one zone")
        if len(set(zones)) != len(zones):
            raise ValueError(f"availability_zones must not repeat a zone: {zones}")
        if self.nat not in NAT_MODES:
            raise ValueError(f"nat={self.nat!r} is invalid: use one of {', '.join(NAT_MODES)}")
        if len(set(self.interface_endpoints)) != len(self.interface_endpoints):
            raise ValueError(f"interface_endpoints must not repeat a service: {list(self.interface_endpoints)}")
        check_log_retention(self.flow_log_retention_days, "flow_log_retention_days")
        # Fails early, naming the CIDR and zone count, when the range cannot hold the subnets.
        plan_subnets(self.cidr, len(zones))


def flow_log_trust_policy(account_id: str, region: str, partition: str = "aws") -> dict[str, Any]:
    """Who may assume the flow-log role: the VPC Flow Logs service, for this account's flow logs only."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": FLOW_LOGS_PRINCIPAL},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account_id},
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*"},
            },
        }],
    }


def flow_log_role_policy(log_group_arn: str) -> dict[str, Any]:
    """What the flow-log role may do: write streams and events to its one log group."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups",
                       "logs:DescribeLogStreams"],
            "Resource": [log_group_arn, f"{log_group_arn}:*"],
        }],
    }


def endpoint_resource_name(service: str) -> str:
    """``ecr.api`` -> ``ecr-api``: resource names may not contain dots."""
    return service.replace(".", "-")


class Network(pulumi.ComponentResource):
    """A VPC over the given AZs with private workload subnets, NAT egress, endpoints and flow logs."""

    vpc: aws.ec2.Vpc
    private_subnets: list[aws.ec2.Subnet]
    public_subnets: list[aws.ec2.Subnet]
    private_subnet_ids: pulumi.Output[list[str]]
    public_subnet_ids: pulumi.Output[list[str]]
    availability_zones: list[str]
    endpoint_security_group: aws.ec2.SecurityGroup
    nat_gateways: list[aws.ec2.NatGateway]
    private_route_tables: list[aws.ec2.RouteTable]
    endpoints: dict[str, aws.ec2.VpcEndpoint]
    flow_log_group: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: NetworkArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("mlinfra:network:Network", name, None, opts)
        self.availability_zones = list(args.availability_zones)
        plan = plan_subnets(args.cidr, len(self.availability_zones))
        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        region = aws.get_region_output(opts=invoke_opts).region
        account_id = aws.get_caller_identity_output(opts=invoke_opts).account_id
        partition = aws.get_partition_output(opts=invoke_opts).partition

        def tags(suffix: str, extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
            return {**args.tags, **(extra or {}), "Name": f"{name}-{suffix}"}

        self.vpc = aws.ec2.Vpc(name, cidr_block=args.cidr, enable_dns_hostnames=True, enable_dns_support=True,
                               tags=tags("vpc"), opts=child_opts(self))
        # Taking over the default security group with no rules closes it: nothing attached to it can talk.
        aws.ec2.DefaultSecurityGroup(f"{name}-default-sg", vpc_id=self.vpc.id, ingress=[], egress=[],
                                     tags=tags("default-closed"), opts=child_opts(self))

        self.public_subnets, self.private_subnets = [], []
        for az, public_cidr, private_cidr in zip(self.availability_zones, plan.public, plan.private):
            self.public_subnets.append(aws.ec2.Subnet(
                f"{name}-public-{az}", vpc_id=self.vpc.id, cidr_block=public_cidr, availability_zone=az,
                map_public_ip_on_launch=False, tags=tags(f"public-{az}", {"kubernetes.io/role/elb": "1"}),
                opts=child_opts(self)))
            self.private_subnets.append(aws.ec2.Subnet(
                f"{name}-private-{az}", vpc_id=self.vpc.id, cidr_block=private_cidr, availability_zone=az,
                map_public_ip_on_launch=False,
                tags=tags(f"private-{az}", {"kubernetes.io/role/internal-elb": "1"}), opts=child_opts(self)))
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in self.private_subnets])
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in self.public_subnets])

        self._public_routing(name, tags)
        self._nat_and_private_routing(name, args.nat, tags)
        self._endpoints(name, args, region, tags)
        self._flow_logs(name, args, account_id, region, partition, tags)

        self.register_outputs({
            "vpcId": self.vpc.id,
            "privateSubnetIds": self.private_subnet_ids,
            "publicSubnetIds": self.public_subnet_ids,
            "availabilityZones": self.availability_zones,
            "endpointSecurityGroupId": self.endpoint_security_group.id,
            "flowLogGroupName": self.flow_log_group.name,
        })

    def _public_routing(self, name: str, tags: TagFn) -> None:
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags=tags("igw"), opts=child_opts(self))
        table = aws.ec2.RouteTable(f"{name}-public", vpc_id=self.vpc.id, tags=tags("public"), opts=child_opts(self))
        aws.ec2.Route(f"{name}-public-internet", route_table_id=table.id, destination_cidr_block="0.0.0.0/0",
                      gateway_id=igw.id, opts=child_opts(self))
        for az, subnet in zip(self.availability_zones, self.public_subnets):
            aws.ec2.RouteTableAssociation(f"{name}-public-{az}", route_table_id=table.id, subnet_id=subnet.id,
                                          opts=child_opts(self))

    def _nat_and_private_routing(self, name: str, nat: str, tags: TagFn) -> None:
        nat_zones = self.availability_zones if nat == "per-az" else self.availability_zones[:1]
        self.nat_gateways = []
        for az, subnet in zip(nat_zones, self.public_subnets):
            eip = aws.ec2.Eip(f"{name}-nat-{az}", domain="vpc", tags=tags(f"nat-{az}"), opts=child_opts(self))
            self.nat_gateways.append(aws.ec2.NatGateway(
                f"{name}-nat-{az}", allocation_id=eip.id, subnet_id=subnet.id, tags=tags(f"nat-{az}"),
                opts=child_opts(self)))
        self.private_route_tables = []
        for index, (az, subnet) in enumerate(zip(self.availability_zones, self.private_subnets)):
            table = aws.ec2.RouteTable(f"{name}-private-{az}", vpc_id=self.vpc.id, tags=tags(f"private-{az}"),
                                       opts=child_opts(self))
            gateway = self.nat_gateways[index if nat == "per-az" else 0]
            aws.ec2.Route(f"{name}-private-{az}-egress", route_table_id=table.id,
                          destination_cidr_block="0.0.0.0/0", nat_gateway_id=gateway.id, opts=child_opts(self))
            aws.ec2.RouteTableAssociation(f"{name}-private-{az}", route_table_id=table.id, subnet_id=subnet.id,
                                          opts=child_opts(self))
            self.private_route_tables.append(table)

    def _endpoints(self, name: str, args: NetworkArgs, region: pulumi.Output[str], tags: TagFn) -> None:
        self.endpoint_security_group = aws.ec2.SecurityGroup(
            f"{name}-endpoints", vpc_id=self.vpc.id, description="HTTPS from the VPC to interface endpoints",
            ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [args.cidr],
                      "description": "HTTPS from the VPC"}],
            egress=[], tags=tags("endpoints"), opts=child_opts(self))
        self.endpoints = {"s3": aws.ec2.VpcEndpoint(
            f"{name}-s3", vpc_id=self.vpc.id, service_name=region.apply(lambda r: f"com.amazonaws.{r}.s3"),
            vpc_endpoint_type="Gateway", route_table_ids=[t.id for t in self.private_route_tables],
            tags=tags("s3"), opts=child_opts(self))}
        for service in args.interface_endpoints:
            self.endpoints[service] = aws.ec2.VpcEndpoint(
                f"{name}-{endpoint_resource_name(service)}", vpc_id=self.vpc.id,
                service_name=region.apply(lambda r, s=service: f"com.amazonaws.{r}.{s}"),
                vpc_endpoint_type="Interface", private_dns_enabled=True,
                subnet_ids=[s.id for s in self.private_subnets],
                security_group_ids=[self.endpoint_security_group.id],
                tags=tags(endpoint_resource_name(service)), opts=child_opts(self))

    def _flow_logs(self, name: str, args: NetworkArgs, account_id: pulumi.Output[str], region: pulumi.Output[str],
                   partition: pulumi.Output[str], tags: TagFn) -> None:
        self.flow_log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs", retention_in_days=args.flow_log_retention_days, kms_key_id=args.flow_log_key.arn,
            tags=tags("flow-logs"), opts=child_opts(self))
        role = aws.iam.Role(
            f"{name}-flow-logs", description="VPC Flow Logs delivery to CloudWatch Logs",
            assume_role_policy=pulumi.Output.all(account_id, region, partition).apply(
                lambda v: json.dumps(flow_log_trust_policy(v[0], v[1], v[2]))),
            tags=tags("flow-logs"), opts=child_opts(self))
        aws.iam.RolePolicy(
            f"{name}-flow-logs", role=role.id,
            policy=self.flow_log_group.arn.apply(lambda arn: json.dumps(flow_log_role_policy(arn))),
            opts=child_opts(self))
        aws.ec2.FlowLog(
            f"{name}-flow-log", vpc_id=self.vpc.id, traffic_type="ALL", log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn, iam_role_arn=role.arn, max_aggregation_interval=60,
            tags=tags("flow-log"), opts=child_opts(self))
