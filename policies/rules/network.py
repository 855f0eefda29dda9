"""Networks: no ingress from the internet to admin ports or all ports, closed default security
groups, and VPC flow logs."""

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

from policies.rules._util import (
    applies_to,
    as_int,
    as_list,
    config_schema,
    frameworks,
    get,
    is_unknown,
    of_type,
    policy_config,
    referrers,
)

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
VPC_TYPES = ("aws:ec2/vpc:Vpc", "aws:ec2/defaultVpc:DefaultVpc")
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"

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


def _ingress_entries(args: ResourceValidationArgs) -> Iterator[dict[str, Any]]:
    """Each ingress permission as ``{protocol, from, to, cidrs}``, whatever resource type declares it."""
    props = args.props
    if args.resource_type == SECURITY_GROUP:
        entries = as_list(get(props, "ingress"))
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                cidrs = _known_list(entry.get("cidrBlocks")) + _known_list(entry.get("ipv6CidrBlocks"))
                yield {"protocol": _protocol(entry.get("protocol")), "from": entry.get("fromPort"),
                       "to": entry.get("toPort"), "cidrs": cidrs}
    elif args.resource_type == SECURITY_GROUP_RULE:
        if get(props, "type") == "ingress":
            cidrs = [c for key in ("cidrBlocks", "ipv6CidrBlocks") for c in _known_list(get(props, key))]
            yield {"protocol": _protocol(get(props, "protocol")), "from": get(props, "fromPort"),
                   "to": get(props, "toPort"), "cidrs": cidrs}
    elif args.resource_type == INGRESS_RULE:
        yield {"protocol": _protocol(get(props, "ipProtocol")), "from": get(props, "fromPort"),
               "to": get(props, "toPort"), "cidrs": [get(props, "cidrIpv4"), get(props, "cidrIpv6")]}


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
    validate=applies_to((SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE), _validate_ingress),
    config_schema=INGRESS_SCHEMA,
    severity=Severity.CRITICAL,
    remediation_steps="Restrict the rule's source to known CIDRs or a security group, and reach instances "
                      "through SSM Session Manager or a VPN instead of opening SSH/RDP to the internet.",
    **frameworks({"cis-aws": "5.2, 5.3", "nist-800-53": "SC-7, CM-7", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)"}),
)


def _vpc_label(vpc: PolicyResource) -> str:
    return f"VPC {vpc.name!r}"


def _validate_default_security_group(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = list(args.resources)
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
    validate=_validate_default_security_group,
    severity=Severity.MEDIUM,
    remediation_steps="Declare an aws.ec2.DefaultSecurityGroup with vpc_id set to the VPC and no ingress or "
                      "egress rules; give workloads their own security groups.",
    **frameworks({"cis-aws": "5.4", "nist-800-53": "SC-7, AC-4", "pci-dss": "1.2.1"}),
)


def _validate_flow_logs(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = list(args.resources)
    for vpc in of_type(resources, *VPC_TYPES):
        if not referrers(resources, (FLOW_LOG,), "vpcId", vpc, ("id",)):
            report_violation(f"{_vpc_label(vpc)} has no flow log.", vpc.urn)


vpc_flow_logs = StackValidationPolicy(
    name="vpc-flow-logs",
    description="Every VPC has a flow log.",
    validate=_validate_flow_logs,
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.ec2.FlowLog with vpc_id set to the VPC, traffic_type 'ALL' (or at least "
                      "'REJECT'), delivering to an encrypted CloudWatch log group or S3 bucket.",
    **frameworks({"cis-aws": "3.7", "nist-800-53": "AU-12, SI-4", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)


SECURITY = [security_group_no_public_admin_ingress, vpc_default_security_group_closed]
PRIVACY: list = []
COMPLIANCE = [vpc_flow_logs]
