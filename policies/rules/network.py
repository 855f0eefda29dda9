"""Networks: no ingress from the internet to admin ports or all ports, nor to any port but the web
ports; no egress of all ports to the internet; closed default security groups; subnets that map
public IPs only where they route to an internet gateway; and VPC flow logs."""

from __future__ import annotations

from typing import Any, Iterator

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.rules._components import as_built
from policies.rules._declare import applies_to, config_schema, examines, frameworks, policy_config
from policies.rules._index import identifiers, of_type, referrers, stack_resources
from policies.rules._props import _key_value_tags, as_bool, as_int, as_list, get, is_unknown

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
VPC_TYPES = ("aws:ec2/vpc:Vpc", "aws:ec2/defaultVpc:DefaultVpc")
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
#: pulumi-aws-native (CloudFormation AWS::EC2::SecurityGroup, SecurityGroupIngress, SecurityGroupEgress;
#: pulumi-aws-native 1.84 ec2/security_group*.py): rules are ``{ipProtocol, fromPort, toPort, cidrIp, cidrIpv6}``, in
#: the group's ``securityGroupIngress``/``securityGroupEgress`` lists or one per resource. A group declared without
#: ``securityGroupEgress`` gets CloudFormation's allow-all egress rule ("if you do not specify an egress rule, we add
#: egress rules that allow ... traffic on all ports and protocols to any destination"), which a separate
#: SecurityGroupEgress does not remove.
NATIVE_SECURITY_GROUP = "aws-native:ec2:SecurityGroup"
NATIVE_INGRESS = "aws-native:ec2:SecurityGroupIngress"
NATIVE_EGRESS = "aws-native:ec2:SecurityGroupEgress"
#: The egress CloudFormation adds to a native group that declares none.
_DEFAULT_NATIVE_EGRESS = {"protocol": "-1", "from": None, "to": None, "cidrs": ["0.0.0.0/0"], "default": True}

PUBLIC_CIDRS = ("0.0.0.0/0", "::/0")
ALL_PROTOCOLS = ("-1", "all")
PORTED_PROTOCOLS = ("tcp", "udp", "6", "17")
ALL_PORTS = (0, 65535)

INGRESS_SCHEMA = config_schema(
    adminPorts={
        "type": "array", "items": {"type": "integer"}, "default": [22, 3389],
        "description": "Ports that must never be open to 0.0.0.0/0 or ::/0 (SSH and RDP by default).",
    },
)


def _protocol(value: Any) -> Any:
    if is_unknown(value) or value is None:
        return value
    number = as_int(value)
    return str(number) if number is not None else str(value).lower()


def _entries(args: ResourceValidationArgs, direction: str) -> Iterator[dict[str, Any]]:
    """Each ``direction`` (ingress/egress) permission as ``{protocol, from, to, cidrs}``, whatever type declares it."""
    props = args.props
    if args.resource_type == SECURITY_GROUP:
        entries = as_list(get(props, direction))
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                cidrs = _known_list(entry.get("cidrBlocks")) + _known_list(entry.get("ipv6CidrBlocks"))
                yield {"protocol": _protocol(entry.get("protocol")), "from": entry.get("fromPort"),
                       "to": entry.get("toPort"), "cidrs": cidrs}
    elif args.resource_type == SECURITY_GROUP_RULE:
        if get(props, "type") == direction:
            cidrs = [c for key in ("cidrBlocks", "ipv6CidrBlocks") for c in _known_list(get(props, key))]
            yield {"protocol": _protocol(get(props, "protocol")), "from": get(props, "fromPort"),
                   "to": get(props, "toPort"), "cidrs": cidrs}
    elif args.resource_type == (INGRESS_RULE if direction == "ingress" else EGRESS_RULE):
        yield {"protocol": _protocol(get(props, "ipProtocol")), "from": get(props, "fromPort"),
               "to": get(props, "toPort"), "cidrs": [get(props, "cidrIpv4"), get(props, "cidrIpv6")]}
    elif args.resource_type == NATIVE_SECURITY_GROUP:
        key = "securityGroupIngress" if direction == "ingress" else "securityGroupEgress"
        if direction == "egress" and get(props, key) is None:
            yield dict(_DEFAULT_NATIVE_EGRESS)
            return
        entries = as_list(get(props, key))
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                yield _native_entry(entry)
    elif args.resource_type == (NATIVE_INGRESS if direction == "ingress" else NATIVE_EGRESS):
        yield _native_entry(get(props) or {})


def _native_entry(rule: Any) -> dict[str, Any]:
    get_ = rule.get if isinstance(rule, dict) else (lambda key: None)
    return {"protocol": _protocol(get_("ipProtocol")), "from": get_("fromPort"), "to": get_("toPort"),
            "cidrs": [get_("cidrIp"), get_("cidrIpv6")]}


def _ingress_entries(args: ResourceValidationArgs) -> Iterator[dict[str, Any]]:
    """Each ingress permission as ``{protocol, from, to, cidrs}``, whatever resource type declares it."""
    return _entries(args, "ingress")


def _known_list(value: Any) -> list[Any]:
    items = as_list(value)
    return items if isinstance(items, list) else []


def exposed_ports(entry: dict[str, Any], admin_ports: list[int]) -> Any:
    """``"all ports"``, the admin ports an internet-open entry exposes, or ``None`` if it exposes neither."""
    if not any(cidr in PUBLIC_CIDRS for cidr in entry["cidrs"] if isinstance(cidr, str)):
        return None
    protocol = entry["protocol"]
    if is_unknown(protocol):
        return None
    if protocol in ALL_PROTOCOLS:
        return "all ports"
    if protocol not in PORTED_PROTOCOLS:
        return None
    low, high = as_int(entry["from"]), as_int(entry["to"])
    if not isinstance(low, int) or not isinstance(high, int):
        return None
    if (low, high) == ALL_PORTS or (low <= ALL_PORTS[0] and high >= ALL_PORTS[1]):
        return "all ports"
    hits = [port for port in admin_ports if low <= port <= high]
    return f"admin port(s) {', '.join(map(str, hits))}" if hits else None


def _port_range(entry: dict[str, Any]) -> str:
    low, high = as_int(entry["from"]), as_int(entry["to"])
    return f"{entry['protocol']} {low}" if low == high else f"{entry['protocol']} {low}-{high}"


def _validate_ingress(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    admin_ports = policy_config(args, INGRESS_SCHEMA)["adminPorts"]
    for entry in _ingress_entries(args):
        exposed = exposed_ports(entry, admin_ports)
        if exposed:
            cidrs = ", ".join(c for c in entry["cidrs"] if c in PUBLIC_CIDRS)
            report_violation(f"Ingress from {cidrs} ({_port_range(entry)}) opens {exposed}.")


security_group_no_public_admin_ingress = ResourceValidationPolicy(
    name="security-group-no-public-admin-ingress",
    description="No security group allows ingress from 0.0.0.0/0 or ::/0 to admin ports (SSH, RDP) or to all ports.",
    validate=as_built((SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE, NATIVE_SECURITY_GROUP, NATIVE_INGRESS),
                      _validate_ingress),
    config_schema=INGRESS_SCHEMA,
    severity=Severity.CRITICAL,
    remediation_steps="Restrict the rule's source to known CIDRs or a security group, and reach instances "
                      "through SSM Session Manager or a VPN instead of opening SSH/RDP to the internet.",
    **frameworks({"cis-aws": "5.2, 5.3", "nist-800-53": "SC-7, CM-7", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)"}),
)


def _public_cidrs(entry: dict[str, Any]) -> list[str]:
    return [cidr for cidr in entry["cidrs"] if isinstance(cidr, str) and cidr in PUBLIC_CIDRS]


def _validate_egress(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for entry in _entries(args, "egress"):
        cidrs = _public_cidrs(entry)
        if cidrs and exposed_ports(entry, []) == "all ports":
            default = (" (securityGroupEgress is not set, so CloudFormation adds its allow-all rule; declare the "
                       "egress the workload needs)") if entry.get("default") else ""
            report_violation(f"Egress to {', '.join(cidrs)} allows all ports and protocols "
                             f"({_port_range(entry) if entry['protocol'] not in ALL_PROTOCOLS else 'protocol -1'})"
                             f"{default}: anything on the network can reach, and send data to, the whole internet.")


security_group_no_unrestricted_egress = ResourceValidationPolicy(
    name="security-group-no-unrestricted-egress",
    description="No security group allows egress of all ports and protocols to 0.0.0.0/0 or ::/0.",
    validate=as_built((SECURITY_GROUP, SECURITY_GROUP_RULE, EGRESS_RULE, NATIVE_SECURITY_GROUP, NATIVE_EGRESS),
                      _validate_egress),
    severity=Severity.MEDIUM,
    remediation_steps="Allow only the ports the workload calls out on (e.g. tcp 443), to VPC endpoints, prefix "
                      "lists or known CIDRs; route AWS API traffic through VPC endpoints.",
    **frameworks({"nist-800-53": "SC-7(5), AC-4", "pci-dss": "1.3.2", "cis-aws": "5.4", "hipaa": "164.312(e)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)

WEB_INGRESS_SCHEMA = config_schema(
    publicPorts={
        "type": "array", "items": {"type": "integer"}, "default": [80, 443],
        "description": "The only ports that may be open to 0.0.0.0/0 or ::/0 (a load balancer's HTTP and HTTPS).",
    },
)


def _validate_web_only_ingress(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    allowed = {port for port in policy_config(args, WEB_INGRESS_SCHEMA)["publicPorts"] if isinstance(port, int)}
    for entry in _ingress_entries(args):
        cidrs = _public_cidrs(entry)
        protocol = entry["protocol"]
        if not cidrs or is_unknown(protocol) or protocol is None:
            continue
        if protocol in ALL_PROTOCOLS:
            report_violation(f"Ingress from {', '.join(cidrs)} allows every protocol and port; only "
                             f"{', '.join(map(str, sorted(allowed)))} may be open to the internet.")
            continue
        low, high = as_int(entry["from"]), as_int(entry["to"])
        if not isinstance(low, int) or not isinstance(high, int):
            continue
        if protocol not in PORTED_PROTOCOLS:
            # ICMP and other protocols carry no ports: open to the internet is still more than the web ports.
            report_violation(f"Ingress from {', '.join(cidrs)} allows protocol {protocol}; only tcp "
                             f"{', '.join(map(str, sorted(allowed)))} may be open to the internet.")
            continue
        if high - low > 1024:
            extra = f"{low}-{high}"
        else:
            others = [port for port in range(low, high + 1) if port not in allowed]
            extra = ", ".join(map(str, others[:10])) + (" ..." if len(others) > 10 else "") if others else ""
        if extra:
            report_violation(f"Ingress from {', '.join(cidrs)} ({_port_range(entry)}) opens port(s) {extra}; only "
                             f"{', '.join(map(str, sorted(allowed)))} may be open to the internet.")


security_group_public_ingress_web_only = ResourceValidationPolicy(
    name="security-group-public-ingress-web-only",
    description="Ingress from 0.0.0.0/0 or ::/0 opens only the web ports (80 and 443, for a load balancer).",
    validate=as_built((SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE, NATIVE_SECURITY_GROUP, NATIVE_INGRESS),
                      _validate_web_only_ingress),
    config_schema=WEB_INGRESS_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Put the service behind a load balancer that listens on 443 (and 80 to redirect), and allow "
                      "other ports only from the load balancer's security group or known CIDRs.",
    **frameworks({"nist-800-53": "SC-7, CM-7", "pci-dss": "1.3.1", "cis-aws": "5.2", "hipaa": "164.312(e)(1)"}),
)


# --------------------------------------------------------------------------------------------------
# Subnets that map public IPs


SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
DEFAULT_ROUTE_TABLE = "aws:ec2/defaultRouteTable:DefaultRouteTable"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
#: pulumi-aws-native's AWS::EC2::Subnet, RouteTable, Route, SubnetRouteTableAssociation and InternetGateway: the same
#: inputs (mapPublicIpOnLaunch, destinationCidrBlock, gatewayId, routeTableId, subnetId), named by ``subnetId``,
#: ``routeTableId``, ``internetGatewayId`` (pulumi-aws-native 1.84 ec2/*.py); tags are CloudFormation's list.
NATIVE_SUBNET = "aws-native:ec2:Subnet"
NATIVE_ROUTE_TABLE = "aws-native:ec2:RouteTable"
NATIVE_ROUTE = "aws-native:ec2:Route"
NATIVE_ROUTE_TABLE_ASSOCIATION = "aws-native:ec2:SubnetRouteTableAssociation"
NATIVE_INTERNET_GATEWAY = "aws-native:ec2:InternetGateway"
_NAME_KEYS = ("id", "subnetId", "routeTableId", "internetGatewayId")
_PRIVATE_WORDS = ("private", "internal", "isolated")


def _pointer(resource: PolicyResource, key: str) -> set[str]:
    """What ``resource``'s property ``key`` points at: its known value and the URNs it depends on."""
    found = {getattr(d, "urn", d) for d in (resource.property_dependencies or {}).get(key) or []}
    value = get(resource.props, key)
    if isinstance(value, str) and value and not is_unknown(value):
        found.add(value)
    return found


def _names(resource: PolicyResource) -> set[str]:
    return {resource.urn} | identifiers(resource, _NAME_KEYS)


def _marked_private(subnet: PolicyResource) -> str:
    tags = get(subnet.props, "tags", default={})
    tags = _key_value_tags(tags) if isinstance(tags, list) else tags  # CloudFormation's [{key, value}]
    tags = tags if isinstance(tags, dict) else {}
    if str(tags.get("kubernetes.io/role/internal-elb", "")).strip() in ("1", "true"):
        return "it is tagged kubernetes.io/role/internal-elb"
    label = " ".join(str(v) for v in (tags.get("Name"), tags.get("tier"), tags.get("Tier"), subnet.name) if v).lower()
    for word in _PRIVATE_WORDS:
        if word in label.replace("-", " ").replace("_", " ").split():
            return f"its name or tags say {word!r}"
    return ""


def _validate_public_ip_subnets(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = stack_resources(args)
    gateways: set[str] = set()
    for gateway in of_type(resources, INTERNET_GATEWAY, NATIVE_INTERNET_GATEWAY):
        gateways |= _names(gateway)

    def to_gateway(value: Any, dependencies: set[str]) -> bool:
        return (isinstance(value, str) and value.startswith("igw-")) or bool(dependencies & gateways) or (
            isinstance(value, str) and value in gateways)

    internet_tables: set[str] = set()
    tables: dict[str, PolicyResource] = {}
    for table in of_type(resources, ROUTE_TABLE, DEFAULT_ROUTE_TABLE, NATIVE_ROUTE_TABLE):
        for name in _names(table):
            tables[name] = table
        routes = as_list(get(table.props, "routes"))
        for route in routes if isinstance(routes, list) else []:
            if isinstance(route, dict) and route.get("cidrBlock", route.get("ipv6CidrBlock")) in PUBLIC_CIDRS:
                if to_gateway(route.get("gatewayId"), _pointer(table, "routes")):
                    internet_tables |= _names(table)
    for route in of_type(resources, ROUTE, NATIVE_ROUTE):
        destination = get(route.props, "destinationCidrBlock") or get(route.props, "destinationIpv6CidrBlock")
        if destination in PUBLIC_CIDRS and to_gateway(get(route.props, "gatewayId"), _pointer(route, "gatewayId")):
            internet_tables |= _pointer(route, "routeTableId")
    associated: dict[str, set[str]] = {}
    for association in of_type(resources, ROUTE_TABLE_ASSOCIATION, NATIVE_ROUTE_TABLE_ASSOCIATION):
        for subnet in _pointer(association, "subnetId"):
            associated.setdefault(subnet, set()).update(_pointer(association, "routeTableId"))

    for subnet in of_type(resources, SUBNET, NATIVE_SUBNET):
        if as_bool(get(subnet.props, "mapPublicIpOnLaunch")) is not True:
            continue
        label = f"Subnet {subnet.name!r} maps a public IP to every instance launched in it (mapPublicIpOnLaunch)"
        why = _marked_private(subnet)
        if why:
            report_violation(f"{label}, but {why}.", subnet.urn)
            continue
        routed = set().union(*(associated.get(name, set()) for name in _names(subnet)))
        if not routed:
            continue  # the VPC's main route table decides: not judged
        if any(table in internet_tables for table in routed):
            continue
        if all(table in tables or table.startswith("urn:") for table in routed):
            report_violation(f"{label}, but its route table has no route to an internet gateway: it is not a "
                             "public subnet.", subnet.urn)


subnet_public_ip_only_in_public_subnets = StackValidationPolicy(
    name="subnet-public-ip-only-in-public-subnets",
    description="Only public subnets (a 0.0.0.0/0 or ::/0 route to an internet gateway) map public IPs on launch; "
                "a subnet tagged or named private never does.",
    validate=examines([SUBNET, ROUTE_TABLE, DEFAULT_ROUTE_TABLE, ROUTE, ROUTE_TABLE_ASSOCIATION, INTERNET_GATEWAY,
                       NATIVE_SUBNET, NATIVE_ROUTE_TABLE, NATIVE_ROUTE, NATIVE_ROUTE_TABLE_ASSOCIATION,
                       NATIVE_INTERNET_GATEWAY],
                      _validate_public_ip_subnets),
    severity=Severity.MEDIUM,
    remediation_steps="Set map_public_ip_on_launch=False on private subnets (and on public ones, where only load "
                      "balancers and NAT gateways, which get their own addresses, should live).",
    **frameworks({"nist-800-53": "SC-7", "pci-dss": "1.4.4", "cis-aws": "5.1", "hipaa": "164.312(e)(1)"}),
)


def _vpc_label(vpc: PolicyResource) -> str:
    return f"VPC {vpc.name!r}"


def _validate_default_security_group(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = stack_resources(args)
    for vpc in of_type(resources, *VPC_TYPES):
        if not referrers(resources, (DEFAULT_SECURITY_GROUP,), "vpcId", vpc, ("id",)):
            report_violation(f"{_vpc_label(vpc)} does not manage its default security group (declare an "
                             "aws.ec2.DefaultSecurityGroup without rules).", vpc.urn)
    for group in of_type(resources, DEFAULT_SECURITY_GROUP):
        rules = {key: get(group.props, key) for key in ("ingress", "egress")}
        open_ = [key for key, value in rules.items() if not is_unknown(value) and value]
        if open_:
            report_violation(f"Default security group {group.name!r} has {' and '.join(open_)} rules; "
                             "it must allow no traffic.", group.urn)


vpc_default_security_group_closed = StackValidationPolicy(
    name="vpc-default-security-group-closed",
    description="Every VPC's default security group is managed and allows no inbound or outbound traffic.",
    validate=examines(VPC_TYPES + (DEFAULT_SECURITY_GROUP,), _validate_default_security_group),
    severity=Severity.MEDIUM,
    remediation_steps="Declare an aws.ec2.DefaultSecurityGroup with vpc_id set to the VPC and no ingress or "
                      "egress rules; give workloads their own security groups.",
    **frameworks({"cis-aws": "5.4", "nist-800-53": "SC-7, AC-4", "pci-dss": "1.2.1"}),
)


#: pulumi-aws-native's AWS::EC2::VPC (named by ``vpcId``) and AWS::EC2::FlowLog (``resourceId``, with
#: ``resourceType`` VPC). CloudFormation has no default-security-group resource, so native VPCs are judged for
#: flow logs only.
NATIVE_VPC = "aws-native:ec2:Vpc"
NATIVE_FLOW_LOG = "aws-native:ec2:FlowLog"
#: pulumi-awsx's ec2.Vpc builds an aws.ec2.Vpc with its subnets, routes, gateways and endpoints, and no flow log
#: (awsx/ec2/vpc.ts ``initialize``: no aws.ec2.FlowLog, no VpcArgs input for one). A flow log for it names
#: ``vpc.vpc_id``, an output of the component, so it depends on the component's URN.
AWSX_VPC = "awsx:ec2:Vpc"


def _validate_flow_logs(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = stack_resources(args)
    for vpc in of_type(resources, *VPC_TYPES, NATIVE_VPC, AWSX_VPC):
        keys = ("id", "vpcId")
        if not (referrers(resources, (FLOW_LOG,), "vpcId", vpc, keys)
                or referrers(resources, (NATIVE_FLOW_LOG,), "resourceId", vpc, keys)):
            report_violation(f"{_vpc_label(vpc)} has no flow log.", vpc.urn)


vpc_flow_logs = StackValidationPolicy(
    name="vpc-flow-logs",
    description="Every VPC has a flow log.",
    validate=examines(VPC_TYPES + (FLOW_LOG, NATIVE_VPC, NATIVE_FLOW_LOG, AWSX_VPC), _validate_flow_logs),
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.ec2.FlowLog with vpc_id set to the VPC, traffic_type 'ALL' (or at least "
                      "'REJECT'), delivering to an encrypted CloudWatch log group or S3 bucket.",
    **frameworks({"cis-aws": "3.7", "nist-800-53": "AU-12, SI-4", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)


SECURITY = [security_group_no_public_admin_ingress, security_group_public_ingress_web_only,
            security_group_no_unrestricted_egress, subnet_public_ip_only_in_public_subnets,
            vpc_default_security_group_closed]
PRIVACY: list = []
COMPLIANCE = [vpc_flow_logs]
