"""What a planned deployment needs from the AWS account, read from the plan itself.

Preflight works from the deployment (the ``mlinfra plan`` output, or any ``pulumi stack export``)
rather than from configuration, so it checks exactly what ``pulumi up`` would create: EKS node
groups with their instance types, zones, maximum sizes and EFA interfaces; SageMaker endpoint
variants with their maximum instance counts; the model packages and ECR images models reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from mlinfra.mocks import ACCOUNT_ID

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
SUBNET = "aws:ec2/subnet:Subnet"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
SCALING_TARGET = "aws:appautoscaling/target:Target"
MODEL = "aws:sagemaker/model:Model"
AWS_PROVIDER = "pulumi:providers:aws"
KMS_GRANT = "aws:kms/grant:Grant"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_ADDON = "aws:eks/addon:Addon"
SERVICE_LINKED_ROLE = "aws:iam/serviceLinkedRole:ServiceLinkedRole"

_SERVICE_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/aws-service-role/([\w.-]+)/([\w+=,.@-]+)$")
_PACKAGE_ARN = re.compile(r"^arn:aws[\w-]*:sagemaker:([\w-]+):(\d{12}):model-package/([\w-]+)/(\d+)$")
_ECR_IMAGE = re.compile(r"^(\d{12})\.dkr\.ecr\.([\w-]+)\.amazonaws\.com(?:\.cn)?/([^:@]+)(?::([^@]+))?(?:@(sha256:[0-9a-f]+))?$")


@dataclass(frozen=True)
class NodeGroupNeed:
    """A node group's demand on EC2: where it runs, on what, and how large it may grow."""

    urn: str
    name: str
    instance_types: tuple[str, ...]
    zones: tuple[str, ...]
    max_size: int
    capacity_type: str  # ON_DEMAND or SPOT
    efa: bool
    gpu: bool


@dataclass(frozen=True)
class EndpointNeed:
    """A SageMaker endpoint variant's demand: instance type and the most instances it may run."""

    urn: str
    name: str
    variant: str
    instance_type: str
    max_instances: int


@dataclass(frozen=True)
class AddonNeed:
    """A pinned EKS managed add-on build and the Kubernetes version of the cluster it goes on."""

    urn: str
    name: str
    addon: str
    version: str
    kubernetes_version: str


@dataclass(frozen=True)
class ServiceLinkedRoleNeed:
    """A service-linked role the plan uses (a KMS grant to it) but does not create."""

    urn: str
    name: str
    role_name: str
    service: str


@dataclass(frozen=True)
class ModelPackageRef:
    """A model package a model deploys. Version 0 means "the newest Approved" (offline placeholder)."""

    urn: str
    model: str
    arn: str
    group: str
    version: int


@dataclass(frozen=True)
class ImageRef:
    """An ECR image a model deploys."""

    urn: str
    model: str
    uri: str
    account: str
    region: str
    repository: str
    tag: Optional[str]
    digest: Optional[str]
    #: In the deploying account's own registry (an offline plan names it by the mock account id).
    own: bool


@dataclass
class Requirements:
    """Everything preflight checks, for one deployment."""

    region: Optional[str] = None
    node_groups: list[NodeGroupNeed] = field(default_factory=list)
    endpoints: list[EndpointNeed] = field(default_factory=list)
    model_packages: list[ModelPackageRef] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)
    service_linked_roles: list[ServiceLinkedRoleNeed] = field(default_factory=list)
    addons: list[AddonNeed] = field(default_factory=list)


def _number(value: Any, default: int = 0) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _name(resource: dict) -> str:
    return resource["urn"].rsplit("::", 1)[-1]


def _by_output_id(resources: Iterable[dict], type_: str) -> dict[str, dict]:
    return {r.get("outputs", {}).get("id"): r for r in resources if r.get("type") == type_ and r.get("outputs", {}).get("id")}


def _efa(template: Optional[dict]) -> bool:
    if not template:
        return False
    interfaces = template.get("inputs", {}).get("networkInterfaces") or []
    return any((i or {}).get("interfaceType") == "efa" for i in interfaces)


def _is_gpu_group(inputs: dict) -> bool:
    """A GPU group by its NVIDIA/GPU AMI type, its ``nvidia.com/gpu`` taint or its label."""
    taints = inputs.get("taints") or []
    return ("NVIDIA" in (inputs.get("amiType") or "") or "GPU" in (inputs.get("amiType") or "")
            or any((t or {}).get("key") == "nvidia.com/gpu" for t in taints)
            or "nvidia.com/gpu" in (inputs.get("labels") or {}))


def _node_groups(resources: list[dict]) -> list[NodeGroupNeed]:
    subnets = _by_output_id(resources, SUBNET)
    templates = _by_output_id(resources, LAUNCH_TEMPLATE)
    needs = []
    for r in resources:
        if r.get("type") != NODE_GROUP:
            continue
        inputs = r.get("inputs", {})
        zones = sorted({subnets[s]["inputs"].get("availabilityZone") for s in inputs.get("subnetIds") or []
                        if s in subnets and subnets[s]["inputs"].get("availabilityZone")})
        template = templates.get((inputs.get("launchTemplate") or {}).get("id"))
        instance_types = tuple(inputs.get("instanceTypes") or ())
        if not instance_types and template:
            instance_types = tuple(filter(None, [template["inputs"].get("instanceType")]))
        needs.append(NodeGroupNeed(
            urn=r["urn"], name=_name(r), instance_types=instance_types, zones=tuple(zones),
            max_size=_number((inputs.get("scalingConfig") or {}).get("maxSize")),
            capacity_type=inputs.get("capacityType") or "ON_DEMAND", efa=_efa(template),
            gpu=_is_gpu_group(inputs)))
    return needs


def _endpoints(resources: list[dict]) -> list[EndpointNeed]:
    max_by_resource_id = {
        r["inputs"].get("resourceId"): _number(r["inputs"].get("maxCapacity"))
        for r in resources if r.get("type") == SCALING_TARGET and r.get("inputs", {}).get("serviceNamespace") == "sagemaker"
    }
    config_names = {r.get("outputs", {}).get("name") or r.get("inputs", {}).get("name"): r
                    for r in resources if r.get("type") == ENDPOINT_CONFIG}
    endpoint_of_config = {}
    for r in resources:
        if r.get("type") == ENDPOINT:
            endpoint_name = r.get("outputs", {}).get("name") or r.get("inputs", {}).get("name") or _name(r)
            endpoint_of_config[r.get("inputs", {}).get("endpointConfigName")] = endpoint_name
    needs = []
    for config_name, r in config_names.items():
        endpoint_name = endpoint_of_config.get(config_name, _name(r))
        for variant in r.get("inputs", {}).get("productionVariants") or []:
            if variant.get("serverlessConfig") or not variant.get("instanceType"):
                continue  # serverless variants use no instances
            variant_name = variant.get("variantName") or "AllTraffic"
            count = _number(variant.get("initialInstanceCount"), 1)
            scaled = max_by_resource_id.get(f"endpoint/{endpoint_name}/variant/{variant_name}", 0)
            needs.append(EndpointNeed(urn=r["urn"], name=endpoint_name, variant=variant_name,
                                      instance_type=variant["instanceType"], max_instances=max(count, scaled)))
    return needs


def _containers(model: dict) -> list[dict]:
    inputs = model.get("inputs", {})
    return [c for c in [inputs.get("primaryContainer"), *(inputs.get("containers") or [])] if c]


def _model_references(resources: list[dict], own_account: Optional[str]) -> tuple[list[ModelPackageRef], list[ImageRef]]:
    packages, images = [], []
    for r in resources:
        if r.get("type") != MODEL:
            continue
        for container in _containers(r):
            arn = container.get("modelPackageName")
            if isinstance(arn, str) and (m := _PACKAGE_ARN.match(arn)):
                packages.append(ModelPackageRef(urn=r["urn"], model=_name(r), arn=arn, group=m.group(3),
                                                version=int(m.group(4))))
            image = container.get("image")
            if isinstance(image, str) and (m := _ECR_IMAGE.match(image)):
                images.append(ImageRef(urn=r["urn"], model=_name(r), uri=image, account=m.group(1), region=m.group(2),
                                       repository=m.group(3), tag=m.group(4), digest=m.group(5),
                                       own=m.group(1) in (ACCOUNT_ID, own_account)))
    return packages, images


def _addons(resources: list[dict]) -> list[AddonNeed]:
    """Pinned add-on builds joined to their cluster's Kubernetes version (by cluster name)."""
    versions = {}
    for r in resources:
        if r.get("type") == EKS_CLUSTER:
            inputs, outputs = r.get("inputs", {}), r.get("outputs", {})
            versions[outputs.get("name") or inputs.get("name")] = inputs.get("version")
    needs = []
    for r in resources:
        inputs = r.get("inputs", {})
        if r.get("type") != EKS_ADDON or not isinstance(inputs.get("addonVersion"), str):
            continue
        version = versions.get(inputs.get("clusterName"))
        if isinstance(version, str) and isinstance(inputs.get("addonName"), str):
            needs.append(AddonNeed(urn=r["urn"], name=_name(r), addon=inputs["addonName"],
                                   version=inputs["addonVersion"], kubernetes_version=version))
    return needs


def _service_linked_roles(resources: list[dict]) -> list[ServiceLinkedRoleNeed]:
    """Service-linked roles KMS grants name as grantee: AWS creates one only on the service's first use
    (Auto Scaling's with the account's first Auto Scaling group), so on a fresh account CreateGrant
    fails. Roles the plan creates itself (``aws.iam.ServiceLinkedRole``) are not needed from the account."""
    created = {r.get("inputs", {}).get("awsServiceName") for r in resources if r.get("type") == SERVICE_LINKED_ROLE}
    needs, seen = [], set()
    for r in resources:
        if r.get("type") != KMS_GRANT:
            continue
        principal = r.get("inputs", {}).get("granteePrincipal")
        match = _SERVICE_ROLE_ARN.match(principal) if isinstance(principal, str) else None
        if match and match.group(1) not in created and match.group(2) not in seen:
            seen.add(match.group(2))
            needs.append(ServiceLinkedRoleNeed(urn=r["urn"], name=_name(r), role_name=match.group(2),
                                               service=match.group(1)))
    return needs


def requirements_of(deployment: dict, own_account: Optional[str] = None) -> Requirements:
    """Read what the deployment needs from the account; tolerant of missing properties.

    ``own_account`` is the deploying account's id, when known: its images are looked up in the
    caller's own registry, as are those under the offline plan's mock account id.
    """
    resources = deployment.get("deployment", {}).get("resources") or []
    region = next((r.get("inputs", {}).get("region") for r in resources if r.get("type") == AWS_PROVIDER
                   and r.get("inputs", {}).get("region")), None)
    packages, images = _model_references(resources, own_account)
    return Requirements(region=region, node_groups=_node_groups(resources), endpoints=_endpoints(resources),
                        model_packages=packages, images=images,
                        service_linked_roles=_service_linked_roles(resources), addons=_addons(resources))
