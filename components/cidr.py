"""Subnet CIDR math for the VPC: per-AZ private (large) and public (small) subnets.

The VPC range is cut into ``2**k`` equal blocks, the smallest power of two with room for one
block per AZ plus one spare. The first blocks (one per AZ, in AZ order) are the private subnets,
where workloads, nodes and endpoints live. The last block is cut again into small public subnets
(for NAT gateways and load balancers only). The same CIDR and AZ count always give the same plan,
and adding an AZ later never moves an existing subnet as long as the block size stays the same.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

#: AWS accepts subnets from /16 (largest) to /28 (smallest).
MAX_SUBNET_PREFIX = 28
MIN_SUBNET_PREFIX = 16


@dataclass(frozen=True)
class SubnetPlan:
    """The subnets of one VPC, one of each kind per AZ, in AZ order."""

    private: list[str]
    public: list[str]


def _bits_for(count: int) -> int:
    """Prefix bits needed to give ``count`` blocks (at least one bit)."""
    return max(1, math.ceil(math.log2(count)))


def plan_subnets(cidr: str, az_count: int) -> SubnetPlan:
    """Split ``cidr`` into ``az_count`` private and ``az_count`` public subnets.

    Raises ``ValueError`` naming the CIDR and AZ count when the CIDR is not an IPv4 network,
    the AZ count is below 1, or the range is too small to give every AZ a public subnet of at
    least /28 (the smallest subnet AWS allows).
    """
    try:
        vpc = ipaddress.IPv4Network(cidr, strict=True)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"VPC CIDR {cidr!r} is not an IPv4 network such as 10.0.0.0/16 ({exc})") from None
    if az_count < 1:
        raise ValueError(f"availability zone count must be at least 1, got {az_count}")
    if vpc.prefixlen < MIN_SUBNET_PREFIX:
        raise ValueError(f"VPC CIDR {cidr} is larger than AWS allows; use a prefix between /16 and /28")

    private_prefix = vpc.prefixlen + _bits_for(az_count + 1)
    # The spare block gives room for at least 4 public subnets, so 2-4 AZs share one layout.
    public_prefix = private_prefix + max(2, _bits_for(az_count))
    if public_prefix > MAX_SUBNET_PREFIX:
        raise ValueError(
            f"VPC CIDR {cidr} is too small for {az_count} availability zones: public subnets would be "
            f"/{public_prefix}, smaller than the /{MAX_SUBNET_PREFIX} AWS allows; use a larger range "
            f"(at most /{vpc.prefixlen - (public_prefix - MAX_SUBNET_PREFIX)})"
        )

    blocks = list(vpc.subnets(new_prefix=private_prefix))
    private = [str(block) for block in blocks[:az_count]]
    public = [str(block) for block in list(blocks[-1].subnets(new_prefix=public_prefix))[:az_count]]
    return SubnetPlan(private=private, public=public)
