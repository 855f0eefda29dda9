"""The ``training`` section: the environment's GPU training cluster (``TrainingCluster``).

Example (``stacks/Pulumi.dev.yaml``)::

    mlinfra:training:
      kubernetesVersion: "1.34"
      adminPrincipals: [arn:aws:iam::123456789012:role/ml-platform-admin]
      maxGpus: 8
      gpuNodeGroups:
        - {name: g6, instanceTypes: [g6.xlarge, g6.2xlarge], maxSize: 4, capacityType: spot}
      teams:
        - {name: research, gpus: 4}

Checks that need only this section live in validators (so the error names the key); checks that
need the tier or the network live in ``mlinfra.config.stack_checks.check_training``, which the stack calls.
"""

from __future__ import annotations

from typing import Optional

from pydantic import Field, ValidationInfo, field_validator

from components.training import validation
from components.training.args import AmiFamily, CapacityType, GpuNodeGroupArgs, SystemNodeGroupArgs, TeamArgs
from catalog.eks import DEFAULT_KUBERNETES_VERSION, MANAGED_ADDONS, kubernetes_version
from components.sections import Section
from catalog.instance_types import ec2_instance_types


class _NodeGroupSizes(Section):
    """A node group's ``min_size``/``max_size`` pair, checked together (``validation.check_sizes``)."""

    @field_validator("max_size", check_fields=False)
    @classmethod
    def _max(cls, value: int, info: ValidationInfo) -> int:
        if "min_size" in info.data:
            validation.check_sizes(info.data["min_size"], value)
        return value


class GpuNodeGroupConfig(_NodeGroupSizes):
    """One managed GPU node group (see ``GpuNodeGroupArgs`` for what each default does).

    Fields are ordered so that each cross-field check runs on a key the user wrote, and the error
    names that key: zones before ``efa``/``placementGroup``, reservations before ``capacityType``.
    """

    name: str
    instance_types: list[str]
    availability_zones: Optional[list[str]] = None
    min_size: int = Field(default=0, ge=0)
    max_size: int = Field(ge=0)
    ami_family: AmiFamily = "al2023"
    capacity_reservation_id: Optional[str] = None
    capacity_reservation_resource_group_arn: Optional[str] = None
    capacity_type: CapacityType = "on-demand"
    efa: bool = False
    placement_group: bool = False
    root_volume_gib: int = Field(default=200, ge=50, le=16384)
    #: The team whose budget this group's instances count against (the team cost-allocation tag);
    #: default ``mlinfra:budgets.defaultTeam``. Must be a team of ``teams`` or the default team.
    team: Optional[str] = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return validation.check_name(value)

    @field_validator("instance_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        validation.gpu_types(value)
        return value

    @field_validator("availability_zones")
    @classmethod
    def _zones(cls, value: Optional[list[str]]) -> Optional[list[str]]:
        if value is not None and (not value or len(set(value)) != len(value)):
            raise ValueError("list one or more distinct availability zones, or leave it out for all of the cluster's")
        return value

    @field_validator("capacity_reservation_id", "capacity_reservation_resource_group_arn")
    @classmethod
    def _reservation(cls, value: Optional[str], info: ValidationInfo) -> Optional[str]:
        if info.field_name == "capacity_reservation_id":
            validation.check_capacity("on-demand", [], value, None)
        else:
            validation.check_capacity("on-demand", [], info.data.get("capacity_reservation_id"), value)
        return value

    @field_validator("capacity_type")
    @classmethod
    def _capacity(cls, value: str, info: ValidationInfo) -> str:
        if "instance_types" in info.data:
            validation.check_capacity(value, info.data["instance_types"], info.data.get("capacity_reservation_id"),
                                      info.data.get("capacity_reservation_resource_group_arn"))
        return value

    @field_validator("efa")
    @classmethod
    def _efa(cls, value: bool, info: ValidationInfo) -> bool:
        if value and "instance_types" in info.data:
            validation.check_efa(info.data["instance_types"])
            validation.check_single_zone(efa=True, placement_group=False, zones=info.data.get("availability_zones"))
        return value

    @field_validator("placement_group")
    @classmethod
    def _placement(cls, value: bool, info: ValidationInfo) -> bool:
        if value:
            validation.check_single_zone(efa=False, placement_group=True, zones=info.data.get("availability_zones"))
        return value

    def to_args(self, tags: Optional[dict[str, str]] = None) -> GpuNodeGroupArgs:
        """The component's args; ``tags`` (e.g. the team tag) go on the group, its template and its nodes."""
        return GpuNodeGroupArgs(**self.model_dump(exclude={"team"}), tags=dict(tags or {}))


class SystemNodeGroupConfig(_NodeGroupSizes):
    """The on-demand system group for add-ons and controllers."""

    instance_types: list[str] = Field(default_factory=lambda: ["m7i.xlarge"], min_length=1)
    min_size: int = Field(default=2, ge=1)
    # Validated also when left out, so minSize above the default maxSize is a config error.
    max_size: int = Field(default=4, ge=1, validate_default=True)
    root_volume_gib: int = Field(default=50, ge=20, le=16384)

    @field_validator("instance_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        # Like the GPU groups' types: a name EC2 does not have fails here, naming the key, not at `pulumi up`.
        known = ec2_instance_types()
        for name in value:
            if name not in known:
                raise ValueError(f"{name!r} is not an EC2 instance type (the EC2 API's InstanceType values, "
                                 "for example m7i.xlarge)")
        return value

    def to_args(self) -> SystemNodeGroupArgs:
        return SystemNodeGroupArgs(**self.model_dump())


class TeamConfig(Section):
    """A team's namespace and quotas: ``gpus`` caps ``requests.nvidia.com/gpu`` and the team's queue."""

    name: str
    gpus: int = Field(ge=0)
    cpus: int = Field(default=96, ge=0)
    memory_gib: int = Field(default=768, ge=0)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return validation.check_team_name(value)

    def to_args(self) -> TeamArgs:
        return TeamArgs(**self.model_dump())


class DeployerAccessConfig(Section):
    """Where ``pulumi up`` runs, so the Kubernetes provider reaches the private API endpoint (TCP 443).

    ``cidrs``: networks routed into the VPC (VPN, peering, transit gateway, Direct Connect);
    ``securityGroupIds``: security groups of deployment runners inside the VPC.
    """

    cidrs: list[str] = Field(default_factory=list)
    security_group_ids: list[str] = Field(default_factory=list)

    @field_validator("cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        return validation.check_deployer_cidrs(value)

    @field_validator("security_group_ids")
    @classmethod
    def _groups(cls, value: list[str]) -> list[str]:
        return validation.check_security_group_ids(value)


class TrainingConfig(Section):
    """The GPU training cluster. ``adminPrincipals``, ``gpuNodeGroups``, ``maxGpus`` and ``teams`` are required."""

    #: EKS Kubernetes minor; must be one EKS supports (see catalog/eks.py).
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION
    #: Networks allowed to reach a public endpoint; required when it is on; never 0.0.0.0/0.
    public_access_cidrs: list[str] = Field(default_factory=list)
    #: Public API endpoint; off by default, refused in prod. The private endpoint is always on.
    endpoint_public_access: bool = False
    #: Where ``pulumi up`` runs (VPN/peered CIDRs, runner security groups); required unless a dev
    #: cluster has a public endpoint.
    deployer_access: DeployerAccessConfig = Field(default_factory=DeployerAccessConfig)
    #: IAM role/user ARNs given cluster-admin through access entries (include the deploying role).
    admin_principals: list[str] = Field(min_length=1)
    #: IAM role/user ARNs given read-only (AmazonEKSViewPolicy) access.
    readonly_principals: list[str] = Field(default_factory=list)
    system_node_group: SystemNodeGroupConfig = Field(default_factory=SystemNodeGroupConfig)
    gpu_node_groups: list[GpuNodeGroupConfig] = Field(min_length=1)
    #: The most GPUs this environment may run: the GPU groups' max sizes times GPUs per node must fit.
    max_gpus: int = Field(ge=1)
    teams: list[TeamConfig] = Field(min_length=1)
    #: Attach AmazonSSMManagedInstanceCore to nodes for Session Manager access (no SSH either way).
    ssm_access: bool = False
    #: Create the account's Auto Scaling service-linked role, which a fresh account lacks until its
    #: first Auto Scaling group (preflight reports it); one per account, kept when the stack is destroyed.
    create_autoscaling_service_role: bool = False
    #: Override pinned managed add-on builds, e.g. ``{coredns: v1.12.4-eksbuild.1}``.
    addon_versions: dict[str, str] = Field(default_factory=dict)

    @field_validator("kubernetes_version")
    @classmethod
    def _version(cls, value: str) -> str:
        kubernetes_version(value)
        return value

    @field_validator("public_access_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        return validation.check_public_access(True, value) if value else value

    @field_validator("endpoint_public_access")
    @classmethod
    def _public(cls, value: bool, info: ValidationInfo) -> bool:
        if "public_access_cidrs" in info.data:
            validation.check_public_access(value, info.data["public_access_cidrs"])
        return value

    @field_validator("admin_principals", "readonly_principals")
    @classmethod
    def _principals(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists a principal more than once")
        if info.field_name == "readonly_principals":
            validation.check_one_access_entry(info.data.get("admin_principals") or [], value)
        return [validation.check_principal(arn) for arn in value]

    @field_validator("gpu_node_groups")
    @classmethod
    def _unique_groups(cls, value: list[GpuNodeGroupConfig]) -> list[GpuNodeGroupConfig]:
        names = [group.name for group in value]
        if len(set(names)) != len(names):
            raise ValueError(f"node group names must be unique (got {', '.join(names)})")
        return value

    @field_validator("max_gpus")
    @classmethod
    def _cap(cls, value: int, info: ValidationInfo) -> int:
        groups = info.data.get("gpu_node_groups") or []
        validation.check_gpu_cap(((g.name, g.instance_types, g.max_size) for g in groups), value)
        return value

    @field_validator("teams")
    @classmethod
    def _teams(cls, value: list[TeamConfig], info: ValidationInfo) -> list[TeamConfig]:
        names = [team.name for team in value]
        if len(set(names)) != len(names):
            raise ValueError(f"team names must be unique (got {', '.join(names)})")
        cap = info.data.get("max_gpus")
        over = [team.name for team in value if cap is not None and team.gpus > cap]
        if over:
            raise ValueError(f"team(s) {', '.join(over)} have a GPU quota above maxGpus {cap}")
        return value

    @field_validator("addon_versions")
    @classmethod
    def _addons(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(MANAGED_ADDONS))
        if unknown:
            raise ValueError(f"unknown add-on(s) {', '.join(unknown)}; the cluster installs {', '.join(MANAGED_ADDONS)}")
        return value
