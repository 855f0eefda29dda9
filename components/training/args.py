"""Typed inputs of the training cluster's node groups and teams (plain dataclasses, no Pulumi)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Optional, Sequence

from components.training import validation
from catalog.gpu import GpuInstanceType

AmiFamily = Literal["al2023", "bottlerocket"]
CapacityType = Literal["on-demand", "spot", "capacity-block"]

#: EKS AMI types with the NVIDIA driver and container toolkit, by family.
NVIDIA_AMI_TYPES: dict[str, str] = {"al2023": "AL2023_x86_64_NVIDIA", "bottlerocket": "BOTTLEROCKET_x86_64_NVIDIA"}
#: EKS capacity types, by the config's spelling.
EKS_CAPACITY_TYPES: dict[str, str] = {"on-demand": "ON_DEMAND", "spot": "SPOT", "capacity-block": "CAPACITY_BLOCK"}


@dataclass(frozen=True)
class GpuNodeGroupArgs:
    """A managed GPU node group, tainted ``nvidia.com/gpu=true:NoSchedule``.

    Defaults: AL2023 NVIDIA AMI, on-demand, minimum 0 (scales to zero when idle), 200 GiB encrypted
    gp3 root volume (training images are large), no EFA, spread over the cluster's zones.
    """

    name: str
    instance_types: Sequence[str]
    max_size: int
    min_size: int = 0
    ami_family: AmiFamily = "al2023"
    capacity_type: CapacityType = "on-demand"
    #: Attach EFA interfaces (as many as the instance type allows) for multi-node collectives.
    efa: bool = False
    #: Launch nodes into a cluster placement group (one zone) for low-latency interconnect.
    placement_group: bool = False
    #: Zones to launch in; default all of the cluster's zones. EFA and placement groups need exactly one.
    availability_zones: Optional[Sequence[str]] = None
    root_volume_gib: int = 200
    #: Target an On-Demand Capacity Reservation or a Capacity Block (``cr-...``).
    capacity_reservation_id: Optional[str] = None
    #: Target a resource group of On-Demand Capacity Reservations.
    capacity_reservation_resource_group_arn: Optional[str] = None
    #: Extra tags on the node group, its launch template and the instances it launches (e.g. the
    #: team cost-allocation tag: instance-hours are billed to the instances' tags).
    tags: Mapping[str, str] = field(default_factory=dict)

    def validate(self) -> None:
        """Raise ``ValueError`` prefixed with the group name for the first problem found."""
        try:
            validation.check_name(self.name)
            validation.gpu_types(self.instance_types)
            validation.check_sizes(self.min_size, self.max_size)
            if self.efa:
                validation.check_efa(self.instance_types)
            validation.check_single_zone(efa=self.efa, placement_group=self.placement_group,
                                         zones=self.availability_zones)
            validation.check_capacity(self.capacity_type, self.instance_types, self.capacity_reservation_id,
                                      self.capacity_reservation_resource_group_arn)
        except ValueError as exc:
            raise ValueError(f"GPU node group {self.name!r}: {exc}") from None

    @property
    def gpu_type(self) -> GpuInstanceType:
        """The GPU shape of this group's nodes (all its types share it)."""
        return validation.gpu_types(self.instance_types)[0]

    @property
    def efa_interfaces(self) -> int:
        """EFA interfaces per node: the most every type of the group allows, 0 without EFA."""
        if not self.efa:
            return 0
        return min(row.max_efa_interfaces for row in validation.gpu_types(self.instance_types))


@dataclass(frozen=True)
class SystemNodeGroupArgs:
    """The untainted on-demand group for cluster add-ons and controllers (never scales to zero)."""

    instance_types: Sequence[str] = ("m7i.xlarge",)
    min_size: int = 2
    max_size: int = 4
    root_volume_gib: int = 50

    def validate(self) -> None:
        try:
            if not self.instance_types:
                raise ValueError("list at least one instance type")
            validation.check_sizes(self.min_size, self.max_size)
            if self.min_size < 1:
                raise ValueError("the system group runs CoreDNS and the controllers: minSize must be at least 1")
        except ValueError as exc:
            raise ValueError(f"system node group: {exc}") from None


@dataclass(frozen=True)
class TeamArgs:
    """A team: its namespace, GPU ResourceQuota and Kueue queues.

    ``gpus`` is both the namespace's ``requests.nvidia.com/gpu`` quota and the team ClusterQueue's
    nominal GPU quota; ``cpus`` and ``memory_gib`` are the ClusterQueue's CPU and memory quota.
    """

    name: str
    gpus: int
    cpus: int = 96
    memory_gib: int = 768

    def validate(self) -> None:
        try:
            validation.check_team_name(self.name)
            if self.gpus < 0 or self.cpus < 0 or self.memory_gib < 0:
                raise ValueError("quotas cannot be negative")
        except ValueError as exc:
            raise ValueError(f"team {self.name!r}: {exc}") from None
