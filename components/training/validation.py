"""Checks on training-cluster inputs, shared by the config section and the component's Args.

Each function raises ``ValueError`` with a message that says what is wrong and what is allowed;
callers add the key (config) or the node-group name (Args).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Iterable, Optional, Sequence

from catalog.gpu import GpuInstanceType, efa_types, gpu_instance

_PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]{1,512}$")
_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_CAPACITY_RESERVATION = re.compile(r"^cr-[0-9a-f]{8,17}$")
_SECURITY_GROUP = re.compile(r"^sg-[0-9a-f]{8,17}$")
_RESOURCE_GROUP = re.compile(r"^arn:aws[a-z-]*:resource-groups:[a-z0-9-]+:\d{12}:group/[\w.-]+$")


#: The name of the untainted system node group; no GPU group may take it.
SYSTEM_GROUP = "system"


def check_name(name: str) -> str:
    """Node-group names become AWS resource names: lowercase, digits, hyphens, 1-32 characters."""
    if not _NAME.match(name):
        raise ValueError("must be 1-32 lowercase letters, digits or hyphens, starting with a letter")
    if name == SYSTEM_GROUP:
        raise ValueError(f"{SYSTEM_GROUP!r} is reserved for the system node group; choose another name")
    return name


#: Namespaces the cluster itself uses; no team may take one.
RESERVED_NAMESPACES = frozenset({"default", "gpu-system", "kueue-system", "kuberay-system"})


def check_team_name(name: str) -> str:
    """Team names become Kubernetes namespaces (DNS-1123 labels)."""
    if not _DNS_LABEL.match(name) or name.startswith("kube-") or name in RESERVED_NAMESPACES:
        raise ValueError("must be a DNS label (lowercase letters, digits, hyphens; at most 63) and not a system "
                         f"namespace (kube-*, {', '.join(sorted(RESERVED_NAMESPACES))})")
    return name


def gpu_types(instance_types: Sequence[str]) -> list[GpuInstanceType]:
    """The table rows of a GPU group's instance types; refuses non-GPU types and mixed shapes.

    The cluster-autoscaler models a node group as identical nodes, so every type in one group must
    carry the same number and size of GPUs.
    """
    if not instance_types:
        raise ValueError("list at least one GPU instance type")
    rows = [gpu_instance(name) for name in instance_types]
    shapes = {(row.gpus, row.gpu_memory_gib) for row in rows}
    if len(shapes) > 1:
        raise ValueError("all instance types of one group must have the same GPU count and GPU memory "
                         f"(got {', '.join(f'{r.name}: {r.gpus} x {r.gpu_memory_gib} GiB' for r in rows)})")
    return rows


def check_efa(instance_types: Sequence[str]) -> None:
    """EFA needs every instance type of the group to support it."""
    for row in gpu_types(instance_types):
        if not row.supports_efa:
            options = efa_types(row.family)
            hint = f"EFA-capable {row.family} sizes: {', '.join(options)}" if options else f"no {row.family} size has EFA"
            raise ValueError(f"{row.name} does not support EFA ({hint})")


def check_single_zone(*, efa: bool, placement_group: bool, zones: Optional[Sequence[str]]) -> None:
    """A cluster placement group (and EFA traffic) is confined to one availability zone."""
    if not (efa or placement_group):
        return
    what = "a cluster placement group" if placement_group else "EFA"
    if zones is None:
        raise ValueError(f"{what} needs the group pinned to exactly one availability zone: set availabilityZones")
    if len(zones) != 1:
        raise ValueError(f"{what} cannot span availability zones: list exactly one (got {', '.join(zones)})")


def check_sizes(min_size: int, max_size: int) -> None:
    if min_size < 0 or max_size < 0:
        raise ValueError("sizes cannot be negative")
    if min_size > max_size:
        raise ValueError(f"minSize {min_size} is greater than maxSize {max_size}")


def max_gpus(instance_types: Sequence[str], max_size: int) -> int:
    """The most GPUs a group can reach: its largest node times its maximum size."""
    return max(row.gpus for row in gpu_types(instance_types)) * max_size


def check_gpu_cap(groups: Iterable[tuple[str, Sequence[str], int]], cap: int) -> None:
    """The GPU groups together must not be able to exceed the environment's GPU cap."""
    parts = [(name, size, max_gpus(types, 1)) for name, types, size in groups]
    total = sum(size * per_node for _, size, per_node in parts)
    if total > cap:
        detail = ", ".join(f"{name}: {size} nodes x {per_node}" for name, size, per_node in parts)
        raise ValueError(f"the GPU node groups can reach {total} GPUs ({detail}) but the cap is {cap}; "
                         "lower maxSize or raise maxGpus")


def check_capacity(capacity_type: str, instance_types: Sequence[str], reservation_id: Optional[str],
                   resource_group_arn: Optional[str]) -> None:
    """Capacity reservations: one target, the right format, only with on-demand or capacity blocks."""
    if reservation_id and resource_group_arn:
        raise ValueError("set either capacityReservationId or capacityReservationResourceGroupArn, not both")
    if reservation_id and not _CAPACITY_RESERVATION.match(reservation_id):
        raise ValueError(f"capacityReservationId {reservation_id!r} is not a reservation id such as cr-0123456789abcdef0")
    if resource_group_arn and not _RESOURCE_GROUP.match(resource_group_arn):
        raise ValueError(f"capacityReservationResourceGroupArn {resource_group_arn!r} is not a resource-group ARN")
    if capacity_type == "spot" and (reservation_id or resource_group_arn):
        raise ValueError("a capacity reservation cannot be used with spot capacity")
    if capacity_type == "capacity-block":
        if not reservation_id:
            raise ValueError("a capacity-block group needs the Capacity Block's capacityReservationId")
        if len(instance_types) != 1:
            raise ValueError("a Capacity Block is for one instance type: list exactly one")


def check_public_access(public: bool, cidrs: Sequence[str]) -> list[str]:
    """Public endpoint CIDRs: required when public, refused when private, never the whole internet."""
    if not public:
        if cidrs:
            raise ValueError("publicAccessCidrs is set but endpointPublicAccess is false; remove it or enable public access")
        return []
    if not cidrs:
        raise ValueError("a public endpoint needs publicAccessCidrs (EKS would otherwise allow 0.0.0.0/0)")
    return _cidr_blocks(cidrs, "opens the endpoint to the whole internet; list your networks instead")


def _cidr_blocks(cidrs: Sequence[str], whole_internet: str) -> list[str]:
    """Each CIDR block normalized; a malformed block or one of every address (``/0``) is refused, the
    latter with ``<cidr> <whole_internet>``."""
    normalized = []
    for cidr in cidrs:
        try:
            net = ipaddress.ip_network(cidr, strict=True)
        except ValueError as exc:
            raise ValueError(f"{cidr!r} is not a CIDR block ({exc})") from None
        if net.prefixlen == 0:
            raise ValueError(f"{cidr} {whole_internet}")
        normalized.append(str(net))
    return normalized


def check_deployer_cidrs(cidrs: Sequence[str]) -> list[str]:
    """Networks that reach the private endpoint over VPN, peering or a transit gateway: CIDR blocks,
    never the whole internet (a private endpoint only answers inside the VPC's routing anyway)."""
    normalized = _cidr_blocks(cidrs, "admits every address; list the VPN or peered networks that run pulumi up")
    if len(set(normalized)) != len(normalized):
        raise ValueError("lists a CIDR block more than once")
    return normalized


def check_security_group_ids(ids: Sequence[str]) -> list[str]:
    """Security groups of deployment runners inside the VPC (``sg-`` followed by 8 or 17 hex digits)."""
    for group in ids:
        if not _SECURITY_GROUP.match(group):
            raise ValueError(f"{group!r} is not a security group id such as sg-0123456789abcdef0")
    if len(set(ids)) != len(ids):
        raise ValueError("lists a security group more than once")
    return list(ids)


#: The setting that says where ``pulumi up`` runs, as the stack file spells it.
DEPLOYER_SETTING = "deployerAccess"


def check_deployer_path(*, public: bool, cidrs: Sequence[str], security_groups: Sequence[object]) -> None:
    """The Kubernetes provider (Helm releases, namespaces, Kueue objects) talks to the API endpoint
    from wherever ``pulumi up`` runs; a private endpoint that nothing outside the cluster may reach
    makes every Kubernetes resource time out. One path is required."""
    if not public and not cidrs and not security_groups:
        raise ValueError(
            f"{DEPLOYER_SETTING}: the API endpoint is private and nothing outside the cluster may reach it, so "
            "`pulumi up` cannot create the Kubernetes resources; list the networks that run it "
            f"({DEPLOYER_SETTING}.cidrs: VPN or peered CIDRs) or the security groups of a runner in the VPC "
            f"({DEPLOYER_SETTING}.securityGroupIds); in dev a public endpoint limited to publicAccessCidrs also works")


def check_one_access_entry(admins: Sequence[str], readonly: Sequence[str]) -> None:
    """EKS holds one access entry per principal, so a principal is either an admin or read-only."""
    both = [arn for arn in readonly if arn in admins]
    if both:
        raise ValueError(f"{', '.join(both)}: already in adminPrincipals; EKS allows one access entry per "
                         "principal, so list each in adminPrincipals or readonlyPrincipals, not both")


def check_principal(arn: str) -> str:
    """Access entries take IAM role or user ARNs (not assumed-role session ARNs)."""
    if ":assumed-role/" in arn or ":sts::" in arn:
        raise ValueError(f"{arn!r} is a session ARN; use the role's ARN (arn:aws:iam::<account>:role/<name>)")
    if not _PRINCIPAL.match(arn):
        raise ValueError(f"{arn!r} is not an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admin")
    return arn
