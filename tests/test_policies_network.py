"""Network rules: public admin ingress, closed default security groups, VPC flow logs."""

from __future__ import annotations

import copy

import pytest

from policies.rules import network
from policies.rules.network import (
    security_group_no_unrestricted_egress,
    security_group_public_ingress_web_only,
    subnet_public_ip_only_in_public_subnets,
)
from policy_helpers import UNKNOWN, resource_args, stack_args, stack_resource, urn_for, violation_urns, violations

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"

HTTPS_FROM_VPC = {"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": ["10.0.0.0/16"]}


def ingress_violations(type_: str, props: dict, config=None) -> list[str]:
    return violations(network.security_group_no_public_admin_ingress, resource_args(type_, props, config=config))


def test_inline_ingress_from_vpc_passes():
    assert ingress_violations(SG, {"ingress": [HTTPS_FROM_VPC], "egress": []}) == []


def test_inline_ssh_from_internet_fails():
    rule = dict(HTTPS_FROM_VPC, fromPort=22.0, toPort=22.0, cidrBlocks=["0.0.0.0/0"])
    assert ingress_violations(SG, {"ingress": [HTTPS_FROM_VPC, rule]}) == [
        "Ingress from 0.0.0.0/0 (tcp 22) opens admin port(s) 22."]


def test_https_from_internet_is_not_an_admin_port():
    assert ingress_violations(SG, {"ingress": [dict(HTTPS_FROM_VPC, cidrBlocks=["0.0.0.0/0"])]}) == []


def test_port_range_covering_rdp_from_ipv6_internet_fails():
    rule = {"protocol": "tcp", "fromPort": 3000.0, "toPort": 4000.0, "ipv6CidrBlocks": ["::/0"]}
    assert ingress_violations(SG, {"ingress": [rule]}) == ["Ingress from ::/0 (tcp 3000-4000) opens admin port(s) 3389."]


@pytest.mark.parametrize("rule", [
    {"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["0.0.0.0/0"]},
    {"protocol": "tcp", "fromPort": 0.0, "toPort": 65535.0, "cidrBlocks": ["0.0.0.0/0"]},
])
def test_all_ports_from_internet_fails(rule):
    assert "opens all ports" in ingress_violations(SG, {"ingress": [rule]})[0]


def test_security_group_rule_resource():
    rule = {"type": "ingress", "protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"],
            "securityGroupId": "sg-1"}
    assert len(ingress_violations(SG_RULE, rule)) == 1
    assert ingress_violations(SG_RULE, dict(rule, type="egress")) == []


def test_vpc_ingress_rule_resource_and_configured_admin_ports():
    rule = {"ipProtocol": "tcp", "fromPort": 5432.0, "toPort": 5432.0, "cidrIpv4": "0.0.0.0/0", "securityGroupId": "sg"}
    assert ingress_violations(INGRESS, rule) == []
    assert ingress_violations(INGRESS, rule, config={"adminPorts": [22.0, 5432.0]}) == [
        "Ingress from 0.0.0.0/0 (tcp 5432) opens admin port(s) 5432."]
    assert "all ports" in ingress_violations(INGRESS, {"ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"})[0]


def test_unknown_cidr_or_protocol_is_not_judged():
    assert ingress_violations(INGRESS, {"ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrIpv4": UNKNOWN}) == []
    assert ingress_violations(SG, {"ingress": UNKNOWN}) == []


# -- stack rules --------------------------------------------------------------------------------


def network_stack() -> dict:
    return {
        "vpc": (VPC, {"id": "vpc-1", "cidrBlock": "10.0.0.0/16"}),
        "vpc-default-sg": (DEFAULT_SG, {"vpcId": "vpc-1", "ingress": [], "egress": []}),
        "vpc-flow-log": (FLOW_LOG, {"vpcId": "vpc-1", "trafficType": "ALL", "logDestination": "arn:log"}),
    }


def build(spec: dict, deps: dict | None = None):
    return stack_args([stack_resource(t, p, name=n, property_dependencies=(deps or {}).get(n))
                       for n, (t, p) in spec.items()])


@pytest.mark.parametrize("policy", [network.vpc_default_security_group_closed, network.vpc_flow_logs],
                         ids=lambda p: p.name)
def test_compliant_network_passes(policy):
    assert violations(policy, build(network_stack())) == []


def test_vpc_without_flow_log_fails():
    spec = network_stack()
    spec["vpc-flow-log"][1]["vpcId"] = "vpc-other"
    args = build(spec)
    assert violations(network.vpc_flow_logs, args) == ["VPC 'vpc' has no flow log."]
    assert violation_urns(network.vpc_flow_logs, build(spec)) == [urn_for(VPC, "vpc")]


def test_flow_log_joined_by_property_dependency_in_preview():
    spec = network_stack()
    spec["vpc"][1]["id"] = UNKNOWN
    spec["vpc-flow-log"][1]["vpcId"] = UNKNOWN
    spec["vpc-default-sg"][1]["vpcId"] = UNKNOWN
    deps = {"vpc-flow-log": {"vpcId": [urn_for(VPC, "vpc")]}, "vpc-default-sg": {"vpcId": [urn_for(VPC, "vpc")]}}
    assert violations(network.vpc_flow_logs, build(spec, deps)) == []
    assert violations(network.vpc_default_security_group_closed, build(spec, deps)) == []
    assert violations(network.vpc_flow_logs, build(spec)) == ["VPC 'vpc' has no flow log."]


def test_an_awsx_vpc_needs_a_flow_log_of_its_own():
    # awsx's ec2.Vpc builds an aws.ec2.Vpc and no flow log (awsx/ec2/vpc.ts); offline it is one opaque
    # component, and a flow log for it names `vpc.vpc_id`, an output of the component.
    vpc = stack_resource("awsx:ec2:Vpc", {"cidrBlock": "10.0.0.0/16"}, name="net")
    assert violations(network.vpc_flow_logs, stack_args([vpc])) == ["VPC 'net' has no flow log."]
    flow_log = stack_resource(FLOW_LOG, {"vpcId": UNKNOWN, "trafficType": "ALL"}, name="net-flow",
                              property_dependencies={"vpcId": [vpc.urn]})
    assert violations(network.vpc_flow_logs, stack_args([vpc, flow_log])) == []
    other = stack_resource(FLOW_LOG, {"vpcId": "vpc-other", "trafficType": "ALL"}, name="other-flow")
    assert violations(network.vpc_flow_logs, stack_args([vpc, other])) == ["VPC 'net' has no flow log."]


def test_unmanaged_default_security_group_fails():
    spec = network_stack()
    del spec["vpc-default-sg"]
    assert violations(network.vpc_default_security_group_closed, build(spec)) == [
        "VPC 'vpc' does not manage its default security group (declare an aws.ec2.DefaultSecurityGroup without rules)."]


def test_default_security_group_with_rules_fails():
    spec = copy.deepcopy(network_stack())
    spec["vpc-default-sg"][1]["egress"] = [{"protocol": "-1", "fromPort": 0.0, "toPort": 0.0,
                                            "cidrBlocks": ["0.0.0.0/0"]}]
    assert violations(network.vpc_default_security_group_closed, build(spec)) == [
        "Default security group 'vpc-default-sg' has egress rules; it must allow no traffic."]


# --- egress, web-only ingress, subnets mapping public IPs ------------------------------------------
HTTPS_OUT = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}


def test_egress_of_all_ports_to_the_internet_fails_in_every_form():
    rule = security_group_no_unrestricted_egress
    assert violations(rule, resource_args(SG, {"egress": [HTTPS_OUT]})) == []
    everything = {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}
    assert violations(rule, resource_args(SG, {"egress": [everything]})) == [
        "Egress to 0.0.0.0/0 allows all ports and protocols (protocol -1): anything on the network can reach, and "
        "send data to, the whole internet."]
    assert len(violations(rule, resource_args("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
                                              {"ipProtocol": "-1", "cidrIpv6": "::/0"}))) == 1
    assert len(violations(rule, resource_args("aws:ec2/securityGroupRule:SecurityGroupRule",
                                              {"type": "egress", "protocol": "tcp", "fromPort": 0, "toPort": 65535,
                                               "cidrBlocks": ["0.0.0.0/0"]}))) == 1
    assert violations(rule, resource_args("aws:ec2/securityGroupRule:SecurityGroupRule",
                                          {"type": "ingress", "protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]})) == []
    assert violations(rule, resource_args("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
                                          {"ipProtocol": "-1", "referencedSecurityGroupId": "sg-1"})) == []


def test_public_ingress_opens_only_the_web_ports():
    rule = security_group_public_ingress_web_only
    web = [{"protocol": "tcp", "fromPort": port, "toPort": port, "cidrBlocks": ["0.0.0.0/0"]} for port in (80, 443)]
    assert violations(rule, resource_args(SG, {"ingress": web})) == []
    assert violations(rule, resource_args(SG, {"ingress": [{**web[0], "fromPort": 8080, "toPort": 8080}]})) == [
        "Ingress from 0.0.0.0/0 (tcp 8080) opens port(s) 8080; only 80, 443 may be open to the internet."]
    assert len(violations(rule, resource_args("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                                              {"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432,
                                               "cidrIpv4": "0.0.0.0/0"}))) == 1
    assert violations(rule, resource_args(SG, {"ingress": [{**web[0], "fromPort": 5432, "toPort": 5432,
                                                            "cidrBlocks": ["10.0.0.0/8"]}]})) == []
    assert violations(rule, resource_args(SG, {"ingress": [{**web[0], "fromPort": 8443, "toPort": 8443}]},
                                          {"publicPorts": [443, 8443]})) == []


def _network(map_public: bool, internet: bool, name: str = "web") -> list:
    vpc = stack_resource("aws:ec2/vpc:Vpc", {"id": "vpc-1"}, name="vpc")
    igw = stack_resource("aws:ec2/internetGateway:InternetGateway", {"id": "igw-1", "vpcId": "vpc-1"}, name="igw")
    table = stack_resource("aws:ec2/routeTable:RouteTable", {"id": "rtb-1", "vpcId": "vpc-1"}, name="rt")
    subnet = stack_resource("aws:ec2/subnet:Subnet", {"id": "subnet-1", "vpcId": "vpc-1",
                                                      "mapPublicIpOnLaunch": map_public,
                                                      "tags": {"Name": name}}, name=name)
    association = stack_resource("aws:ec2/routeTableAssociation:RouteTableAssociation",
                                 {"subnetId": "subnet-1", "routeTableId": "rtb-1"}, name="assoc")
    resources = [vpc, igw, table, subnet, association]
    if internet:
        resources.append(stack_resource("aws:ec2/route:Route", {"routeTableId": "rtb-1", "gatewayId": "gw",
                                                                "destinationCidrBlock": "0.0.0.0/0"}, name="r",
                                        property_dependencies={"gatewayId": [igw.urn]}))
    return resources


def test_public_ip_subnets_must_route_to_an_internet_gateway():
    rule = subnet_public_ip_only_in_public_subnets
    assert violations(rule, stack_args(_network(True, True))) == []
    assert violations(rule, stack_args(_network(False, False))) == []
    args = stack_args(_network(True, False))
    assert violations(rule, args) == [
        "Subnet 'web' maps a public IP to every instance launched in it (mapPublicIpOnLaunch), but its route table "
        "has no route to an internet gateway: it is not a public subnet."]
    assert violation_urns(rule, args) == [args.resources[3].urn]
    assert violations(rule, stack_args(_network(True, True, name="app-private-a"))) == [
        "Subnet 'app-private-a' maps a public IP to every instance launched in it (mapPublicIpOnLaunch), but its "
        "name or tags say 'private'."]
    # Without an association the VPC's main route table decides: not judged.
    resources = [r for r in _network(True, False) if r.name != "assoc"]
    assert violations(rule, stack_args(resources)) == []
