"""VPC layout: no default VPC in the program, no subnet that hands every instance a public address, and
no peering route to the whole internet.

- ``aws.ec2.DefaultVpc``/``DefaultSubnet`` adopt the account's default VPC, whose subnets are public
  and map public IPs on launch (EC2 User Guide, "Default VPCs"); workloads belong in a VPC of their
  own. Checkov CKV_AWS_148.
- ``aws.ec2.Subnet`` ``mapPublicIpOnLaunch`` true gives every instance launched there a public IPv4
  address (pulumi-aws ec2/subnet.py; default false). Load balancers and NAT gateways, the usual tenants
  of public subnets, get their own addresses without it, so a public subnet needs it only where
  instances are meant to be reachable, which a team allows with ``allowPublicIpOnLaunch``. Checkov
  CKV_AWS_130, AWS Security Hub EC2.15. (``subnet-public-ip-only-in-public-subnets`` separately catches
  the worse case, a private subnet that maps public IPs.)
- A route through a VPC peering connection to ``0.0.0.0/0`` or ``::/0`` (an ``aws.ec2.Route``, or an
  inline route of an ``aws.ec2.RouteTable``) sends all traffic to the peer; routes through a peering
  connection name the peer's CIDR. Checkov CKV2_AWS_44.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._props import as_bool, as_list, describe, get, is_unknown

DEFAULT_VPC_TYPES = ("aws:ec2/defaultVpc:DefaultVpc", "aws:ec2/defaultSubnet:DefaultSubnet")
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
EVERYWHERE = ("0.0.0.0/0", "::/0")


def _default_vpc(args: ResourceValidationArgs, report: ReportViolation) -> None:
    kind = "default VPC" if args.resource_type == DEFAULT_VPC_TYPES[0] else "a default subnet"
    report(f"{describe(args)} brings the account's {kind} into the program: its subnets are public and give every "
           "instance a public IP; create an aws.ec2.Vpc with private subnets instead")


no_default_vpc = ResourceValidationPolicy(
    name="no-default-vpc",
    description="Programs do not adopt the account's default VPC or its default subnets (aws.ec2.DefaultVpc, "
                "aws.ec2.DefaultSubnet).",
    validate=applies_to(DEFAULT_VPC_TYPES, _default_vpc),
    severity=Severity.MEDIUM,
    remediation_steps="Declare an aws.ec2.Vpc with private subnets (and public ones only for load balancers and NAT "
                      "gateways) and place workloads there; delete the default VPC in each region from the "
                      "account's baseline rather than adopting it.",
    **frameworks({"nist-800-53": "SC-7, CM-7", "pci-dss": "1.2.1"}),
)

SUBNET_SCHEMA = config_schema(
    allowPublicIpOnLaunch={
        "type": "boolean", "default": False,
        "description": "Allow subnets to map public IPs on launch (a team whose public subnets host instances meant "
                       "to be reachable); subnet-public-ip-only-in-public-subnets still judges private subnets.",
    },
)


def _public_ip_on_launch(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if as_bool(get(args.props, "mapPublicIpOnLaunch")) is not True:
        return
    if as_bool(policy_config(args, SUBNET_SCHEMA)["allowPublicIpOnLaunch"]) is True:
        return
    report(f"{describe(args)} maps a public IP to every instance launched in it (mapPublicIpOnLaunch is true): an "
           "instance placed there is reachable from the internet without asking for it")


subnet_no_public_ip_on_launch = ResourceValidationPolicy(
    name="subnet-no-public-ip-on-launch",
    description="Subnets do not assign a public IP to every instance launched in them (mapPublicIpOnLaunch).",
    validate=applies_to((SUBNET,), _public_ip_on_launch),
    config_schema=SUBNET_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Leave map_public_ip_on_launch unset (false) on every subnet; load balancers and NAT gateways "
                      "get their own addresses, and an instance that must be public asks for one "
                      "(associate_public_ip_address or an Elastic IP).",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.4.4", "hipaa": "164.312(e)(1)"}),
)


def _peering_routes(args: ResourceValidationArgs) -> list[dict[str, Any]]:
    """Each route as ``{peering, cidr, ipv6}``: the resource itself (a Route) or a table's inline routes."""
    if args.resource_type == ROUTE:
        return [{"peering": get(args.props, "vpcPeeringConnectionId"), "cidr": get(args.props, "destinationCidrBlock"),
                 "ipv6": get(args.props, "destinationIpv6CidrBlock")}]
    routes = as_list(get(args.props, "routes"))
    return [{"peering": route.get("vpcPeeringConnectionId"), "cidr": route.get("cidrBlock"),
             "ipv6": route.get("ipv6CidrBlock")}
            for route in (routes if isinstance(routes, list) else []) if isinstance(route, dict)]


def _peering(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for route in _peering_routes(args):
        peering = route["peering"]  # an unknown connection id (a preview) is still a peering connection
        if not is_unknown(peering) and not (isinstance(peering, str) and peering):
            continue
        for destination in (route["cidr"], route["ipv6"]):
            if isinstance(destination, str) and not is_unknown(destination) and destination in EVERYWHERE:
                report(f"{describe(args)} routes {destination} through a VPC peering connection: all traffic goes to "
                       "the peer; route only the peer's CIDR")


vpc_peering_routes_scoped = ResourceValidationPolicy(
    name="vpc-peering-routes-scoped",
    description="Routes through a VPC peering connection name the peer's CIDR, not 0.0.0.0/0 or ::/0.",
    validate=applies_to((ROUTE, ROUTE_TABLE), _peering),
    severity=Severity.HIGH,
    remediation_steps="Set destination_cidr_block (cidr_block inline) of the peering route to the peer VPC's CIDR "
                      "(or the subnets that need it); send internet traffic through a NAT or internet gateway.",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.3.1", "cis-aws": "5.5"}),
)

SECURITY = [no_default_vpc, subnet_no_public_ip_on_launch, vpc_peering_routes_scoped]
PRIVACY: list = []
COMPLIANCE: list = []
