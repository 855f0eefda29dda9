"""Network: subnets, NAT layout, endpoints, closed default security group and flow logs."""

from __future__ import annotations

import json

import pulumi_aws as aws
import pytest

from components.network import Network, NetworkArgs
from mlinfra.mocks import ACCOUNT_ID

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ROUTE = "aws:ec2/route:Route"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
ROLE = "aws:iam/role:Role"
COMPONENT = "mlinfra:network:Network"
ZONES3 = ["us-east-1a", "us-east-1b", "us-east-1c"]


def _build(run, zones=ZONES3, **kw):
    created = {}

    def program():
        key = aws.kms.Key("logs-key")
        created["network"] = Network("net", NetworkArgs(cidr="10.30.0.0/16", availability_zones=zones,
                                                        flow_log_key=key, **kw))

    run(program)
    return created["network"]


def _subnets(monitor, kind):
    """Subnets of one kind in zone order (registration order is not deterministic)."""
    return sorted((s for s in monitor.by_type(SUBNET) if s.name.startswith(f"net-{kind}-")), key=lambda s: s.name)


@pytest.mark.parametrize("zones", [ZONES3[:2], ZONES3])
@pytest.mark.parametrize("nat, nats_for", [("per-az", len), ("single", lambda zones: 1)])
def test_subnet_and_nat_counts(monitor, run, zones, nat, nats_for):
    network = _build(run, zones=zones, nat=nat)
    assert len(_subnets(monitor, "private")) == len(_subnets(monitor, "public")) == len(zones)
    assert len(monitor.by_type(NAT)) == len(monitor.by_type(EIP)) == nats_for(zones)
    assert network.availability_zones == zones
    # Every private subnet egresses through a NAT gateway; which one depends on the mode.
    nat_ids = {n.id for n in monitor.by_type(NAT)}
    egress = [r for r in monitor.by_type(ROUTE) if r.name.endswith("-egress")]
    assert len(egress) == len(zones)
    assert {r.inputs["natGatewayId"] for r in egress} == nat_ids


def test_nat_gateways_sit_in_public_subnets_with_elastic_ips(monitor, run):
    _build(run)
    public_ids = {s.id for s in _subnets(monitor, "public")}
    eip_ids = {e.id for e in monitor.by_type(EIP)}
    for nat in monitor.by_type(NAT):
        assert nat.inputs["subnetId"] in public_ids
        assert nat.inputs["allocationId"] in eip_ids
    assert all(e.inputs["domain"] == "vpc" for e in monitor.by_type(EIP))


def test_subnets_follow_the_cidr_plan_zones_and_elb_tags(monitor, run):
    _build(run)
    private = _subnets(monitor, "private")
    public = _subnets(monitor, "public")
    assert [s.inputs["availabilityZone"] for s in private] == ZONES3
    assert [s.inputs["cidrBlock"] for s in private] == ["10.30.0.0/18", "10.30.64.0/18", "10.30.128.0/18"]
    assert [s.inputs["cidrBlock"] for s in public] == ["10.30.192.0/20", "10.30.208.0/20", "10.30.224.0/20"]
    assert all(s.inputs["tags"]["kubernetes.io/role/internal-elb"] == "1" for s in private)
    assert all(s.inputs["tags"]["kubernetes.io/role/elb"] == "1" for s in public)
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in private + public)


def test_vpc_has_dns_on(monitor, run):
    _build(run)
    (vpc,) = monitor.by_type(VPC)
    assert vpc.inputs["cidrBlock"] == "10.30.0.0/16"
    assert vpc.inputs["enableDnsHostnames"] is True and vpc.inputs["enableDnsSupport"] is True


def test_default_security_group_is_closed(monitor, run):
    _build(run)
    (sg,) = monitor.by_type(DEFAULT_SG)
    assert sg.inputs["vpcId"] == monitor.by_type(VPC)[0].id
    assert not sg.inputs.get("ingress") and not sg.inputs.get("egress")


def test_endpoints_types_private_dns_and_placement(monitor, run):
    _build(run, nat="single")
    endpoints = {e.name: e for e in monitor.by_type(ENDPOINT)}
    assert sorted(endpoints) == sorted(["net-s3", "net-ecr-api", "net-ecr-dkr", "net-sts", "net-logs",
                                        "net-sagemaker-api", "net-sagemaker-runtime"])
    s3 = endpoints.pop("net-s3")
    assert s3.inputs["vpcEndpointType"] == "Gateway"
    assert s3.inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    private_tables = [t.id for t in sorted(monitor.by_type("aws:ec2/routeTable:RouteTable"), key=lambda t: t.name)
                      if "-private-" in t.name]
    assert s3.inputs["routeTableIds"] == private_tables and len(private_tables) == 3
    private_ids = [s.id for s in _subnets(monitor, "private")]
    sg_id = monitor.named(SG, "net-endpoints").id
    for name, endpoint in endpoints.items():
        assert endpoint.inputs["vpcEndpointType"] == "Interface"
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert endpoint.inputs["subnetIds"] == private_ids
        assert endpoint.inputs["securityGroupIds"] == [sg_id]
    assert endpoints["net-sagemaker-runtime"].inputs["serviceName"] == "com.amazonaws.us-east-1.sagemaker.runtime"


def test_endpoint_list_is_configurable(monitor, run):
    _build(run, interface_endpoints=["sts"])
    assert sorted(e.name for e in monitor.by_type(ENDPOINT)) == ["net-s3", "net-sts"]


def test_endpoint_security_group_allows_https_from_the_vpc_only(monitor, run):
    network = _build(run)
    sg = monitor.named(SG, "net-endpoints")
    assert sg.inputs["ingress"] == [{"protocol": "tcp", "fromPort": 443, "toPort": 443,
                                     "cidrBlocks": ["10.30.0.0/16"], "description": "HTTPS from the VPC"}]
    assert not sg.inputs.get("egress")
    assert isinstance(network.endpoint_security_group, aws.ec2.SecurityGroup)


def test_flow_logs_go_to_an_encrypted_log_group_with_retention(monitor, run):
    _build(run, flow_log_retention_days=90)
    (group,) = monitor.by_type(LOG_GROUP)
    assert group.inputs["kmsKeyId"] == monitor.named("aws:kms/key:Key", "logs-key").outputs["arn"]
    assert group.inputs["retentionInDays"] == 90
    (flow,) = monitor.by_type(FLOW_LOG)
    assert flow.inputs["logDestination"] == group.outputs["arn"]
    assert flow.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow.inputs["trafficType"] == "ALL"
    assert flow.inputs["vpcId"] == monitor.by_type(VPC)[0].id
    role = monitor.named(ROLE, "net-flow-logs")
    assert flow.inputs["iamRoleArn"] == role.outputs["arn"]
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT_ID}
    (grant,) = json.loads(monitor.named("aws:iam/rolePolicy:RolePolicy", "net-flow-logs").inputs["policy"])["Statement"]
    assert grant["Resource"] == [group.outputs["arn"], group.outputs["arn"] + ":*"]


def test_every_child_is_parented_and_outputs_registered(monitor, run):
    _build(run)
    (component,) = monitor.by_type(COMPONENT)
    children = [r for r in monitor.registrations.values() if r.type.startswith("aws:") and r.name != "logs-key"]
    assert len(children) > 30
    assert all(r.parent == component.urn for r in children), [r.name for r in children if r.parent != component.urn]
    outputs = component.outputs
    assert outputs["vpcId"] == monitor.by_type(VPC)[0].id
    assert outputs["privateSubnetIds"] == [s.id for s in _subnets(monitor, "private")]
    assert outputs["availabilityZones"] == ZONES3


@pytest.mark.parametrize("kw, message", [
    ({"availability_zones": []}, "at least one zone"),
    ({"availability_zones": ["us-east-1a", "us-east-1a"]}, "must not repeat a zone"),
    ({"nat": "none"}, "nat='none' is invalid: use one of single, per-az"),
    ({"interface_endpoints": ["sts", "sts"]}, "must not repeat a service"),
    ({"flow_log_retention_days": 0}, "flow_log_retention_days=0 is not a CloudWatch retention period"),
    ({"flow_log_retention_days": 45}, "flow_log_retention_days=45 is not a CloudWatch retention period: use one of 1, 3,"),
    ({"cidr": "10.0.0.0/27"}, "10.0.0.0/27 is too small for 3 availability zones"),
])
def test_bad_args_are_rejected(kw, message):
    args = {"cidr": "10.0.0.0/16", "availability_zones": ZONES3, "flow_log_key": None, **kw}
    with pytest.raises(ValueError, match=message):
        NetworkArgs(**args)
