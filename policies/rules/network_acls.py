"""Network ACLs: no rule lets the internet reach an admin port (SSH, RDP) or every port.

A network ACL is the subnet's stateless firewall, judged apart from the security groups (CIS AWS
Foundations 5.1; Checkov CKV_AWS_229-232, CKV_AWS_352). Inputs are pulumi-aws 7's
(``ec2/_inputs.py`` ``NetworkAclIngressArgs``/``DefaultNetworkAclIngressArgs``: ``action``,
``cidrBlock``, ``ipv6CidrBlock``, ``protocol``, ``fromPort``, ``toPort``, ``ruleNo``;
``aws.ec2.NetworkAclRule``: ``egress`` (default false), ``ruleAction``, the same fields). The EC2 API
evaluates a network ACL's entries in ``ruleNo`` order and the first entry that matches a packet
decides (EC2 User Guide, "Network ACL rules"): so, for an inline list, an admin port is open only if
the first internet-wide entry covering it allows; a deny from ``0.0.0.0/0`` numbered lower closes it.
A separate ``NetworkAclRule`` is judged on its own (a deny in another resource is not seen).
``protocol`` ``-1``/``all`` ignores the ports (every port). A range that includes an admin port opens it:
the common ephemeral return range 1024-65535 includes RDP's 3389 (as CIS 5.1 and Security Hub
EC2.21 read it), unless a lower-numbered deny for 3389 precedes it.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks, policy_config
from policies.rules._props import as_bool, as_int, as_list, describe, get, is_unknown
from policies.rules.network import ALL_PROTOCOLS, INGRESS_SCHEMA, PUBLIC_CIDRS, PORTED_PROTOCOLS, _protocol

NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NETWORK_ACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NETWORK_ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"


def _entry(props: Any, action_key: str) -> Optional[dict[str, Any]]:
    """An ingress entry as ``{action, public, protocol, from, to, number}``; None if it is not judgeable."""
    action = get(props, action_key)
    cidrs = [get(props, "cidrBlock"), get(props, "ipv6CidrBlock")]
    protocol = _protocol(get(props, "protocol"))
    if is_unknown(action) or is_unknown(protocol) or any(is_unknown(c) for c in cidrs):
        return None
    return {"action": str(action or "").lower(), "public": any(c in PUBLIC_CIDRS for c in cidrs),
            "protocol": protocol, "from": as_int(get(props, "fromPort")), "to": as_int(get(props, "toPort")),
            "number": as_int(get(props, "ruleNo", default=get(props, "ruleNumber")))}


def _covers(entry: dict[str, Any], port: int) -> Any:
    """True/False whether the entry matches TCP/UDP traffic to ``port``; None if its ports are not known."""
    if entry["protocol"] in ALL_PROTOCOLS:
        return True
    if entry["protocol"] not in PORTED_PROTOCOLS:
        return False
    low, high = entry["from"], entry["to"]
    if not isinstance(low, int) or not isinstance(high, int):
        return None
    return low <= port <= high


def _ingress(args: ResourceValidationArgs) -> Iterator[dict[str, Any]]:
    if args.resource_type == NETWORK_ACL_RULE:
        egress = as_bool(get(args.props, "egress"))
        if egress is True or is_unknown(egress):
            return
        entry = _entry(args.props, "ruleAction")
        if entry:
            yield entry
        return
    entries = as_list(get(args.props, "ingress"))
    for item in entries if isinstance(entries, list) else []:
        entry = _entry(item, "action") if isinstance(item, dict) else None
        if entry:
            yield entry


def _open_ports(entries: list[dict[str, Any]], ports: list[int], ordered: bool) -> list[str]:
    """The admin ports (or "all ports") the internet reaches through ``entries``."""
    public = [e for e in entries if e["public"]]
    if ordered:
        public.sort(key=lambda e: e["number"] if isinstance(e["number"], int) else 32767)
    found = []
    if any(e["action"] == "allow" and e["protocol"] in ALL_PROTOCOLS for e in public) and not any(
            e["action"] == "deny" for e in public):
        return ["all ports"]
    for port in ports:
        for entry in public:
            matched = _covers(entry, port)
            if matched is None:
                break  # an unknown port range: the port is not judged
            if matched:
                if entry["action"] == "allow":
                    found.append(str(port))
                break
    return found


def _nacl_admin_ingress(args: ResourceValidationArgs, report: ReportViolation) -> None:
    ports = [p for p in (as_int(p) for p in policy_config(args, INGRESS_SCHEMA)["adminPorts"]) if isinstance(p, int)]
    opened = _open_ports(list(_ingress(args)), ports, ordered=args.resource_type != NETWORK_ACL_RULE)
    if opened:
        what = "every port" if opened == ["all ports"] else f"admin port(s) {', '.join(opened)}"
        report(f"{describe(args)} allows ingress from the internet (0.0.0.0/0 or ::/0) to {what}")


nacl_no_public_admin_ingress = ResourceValidationPolicy(
    name="nacl-no-public-admin-ingress",
    description="No network ACL allows ingress from 0.0.0.0/0 or ::/0 to admin ports (SSH, RDP) or to every port.",
    validate=applies_to((NETWORK_ACL, DEFAULT_NETWORK_ACL, NETWORK_ACL_RULE), _nacl_admin_ingress),
    config_schema=INGRESS_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Allow only the ports the subnet serves from 0.0.0.0/0 and ::/0 in the ACL's ingress rules "
                      "(aws.ec2.NetworkAcl ingress, aws.ec2.NetworkAclRule rule_action/from_port/to_port); an "
                      "ephemeral return range 1024-65535 includes 3389, so put a lower-numbered deny for 22 and 3389 "
                      "first; reach instances through SSM Session Manager instead of SSH/RDP.",
    **frameworks({"cis-aws": "5.1", "nist-800-53": "SC-7, CM-7", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)"}),
)

SECURITY = [nacl_no_public_admin_ingress]
PRIVACY: list = []
COMPLIANCE: list = []
