"""Read-only AWS checks of a deployment's requirements: capacity, quotas and references.

Every check returns ``CheckResult`` rows; none creates or changes anything. Clients come from the
caller (``Clients``), so tests point them at moto's server or wrap them in botocore's Stubber.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Literal

from botocore.exceptions import ClientError

from components.registry.promotion import (
    ModelPackageLookupError,
    PromotionError,
    latest_approved_model_package,
    resolve_model_package,
)
from catalog.gpu import GPU_INSTANCE_TYPES
from mlinfra.preflight.requirements import (
    AddonNeed, EndpointNeed, ImageRef, ModelPackageRef, NodeGroupNeed, Requirements, ServiceLinkedRoleNeed,
)

Status = Literal["ok", "fail", "warn"]

#: EC2 vCPU quotas (Service Quotas, service code ``ec2``) by instance class and purchase option.
EC2_VCPU_QUOTAS: dict[tuple[str, str], tuple[str, str]] = {
    ("standard", "ON_DEMAND"): ("L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances"),
    ("g-vt", "ON_DEMAND"): ("L-DB2E81BA", "Running On-Demand G and VT instances"),
    ("p", "ON_DEMAND"): ("L-417A185B", "Running On-Demand P instances"),
    ("standard", "SPOT"): ("L-34B43A08", "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests"),
    ("g-vt", "SPOT"): ("L-3819A6DF", "All G and VT Spot Instance Requests"),
    ("p", "SPOT"): ("L-7212CCBC", "All P Spot Instance Requests"),
}
_STANDARD_FAMILIES = tuple("acdhimrtz")
#: Families whose first letter looks standard but which have quotas of their own (Inf, Trn, DL, ...).
_OWN_QUOTA_FAMILIES = ("inf", "trn", "dl", "f", "x", "u", "mac", "hpc")


@dataclass(frozen=True)
class CheckResult:
    """One row of the preflight report."""

    check: str
    resource: str
    status: Status
    detail: str


@dataclass(frozen=True)
class Clients:
    """The boto3 clients preflight uses (ec2, service-quotas, sagemaker, ecr, sts, iam)."""

    ec2: Any
    quotas: Any
    sagemaker: Any
    ecr: Any
    sts: Any
    iam: Any = None
    eks: Any = None


def instance_class(instance_type: str) -> str | None:
    """The vCPU-quota class of an EC2 instance type: ``g-vt``, ``p``, ``standard`` or None (unmapped)."""
    prefix = re.match(r"[a-z-]*", instance_type).group(0)
    if prefix.startswith("g") or prefix == "vt":
        return "g-vt"
    if prefix == "p":
        return "p"
    if prefix and prefix not in _OWN_QUOTA_FAMILIES and prefix.startswith(_STANDARD_FAMILIES):
        return "standard"
    return None


def _error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _quota_unreadable(exc: ClientError) -> bool:
    """No such quota here, or a Service Quotas endpoint that cannot answer (an emulator lacks the API)."""
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return _error_code(exc) in ("NoSuchResourceException", "ResourceNotFoundException") or status >= 500


def _paginate(client: Any, operation: str, key: str, **kwargs) -> Iterable[dict]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


def check_offerings(ec2: Any, groups: list[NodeGroupNeed]) -> list[CheckResult]:
    """Each instance type of each node group is offered in every zone the group's subnets use."""
    wanted = {(t, z) for g in groups for t in g.instance_types for z in g.zones}
    if not wanted:
        return []
    offered = {
        (o["InstanceType"], o["Location"])
        for o in _paginate(ec2, "describe_instance_type_offerings", "InstanceTypeOfferings",
                           LocationType="availability-zone",
                           Filters=[{"Name": "instance-type", "Values": sorted({t for t, _ in wanted})},
                                    {"Name": "location", "Values": sorted({z for _, z in wanted})}])
    }
    results = []
    for group in groups:
        for instance_type in group.instance_types:
            missing = [z for z in group.zones if (instance_type, z) not in offered]
            if missing:
                results.append(CheckResult("instance-offered", group.name, "fail",
                                           f"{instance_type} is not offered in {', '.join(missing)}"))
            else:
                results.append(CheckResult("instance-offered", group.name, "ok",
                                           f"{instance_type} offered in {', '.join(group.zones)}"))
    return results


def describe_types(ec2: Any, instance_types: Iterable[str]) -> tuple[dict[str, dict], set[str]]:
    """Instance-type details by name, and the names EC2 does not know."""
    known: dict[str, dict] = {}
    unknown: set[str] = set()
    for instance_type in sorted(set(instance_types)):
        try:
            for info in _paginate(ec2, "describe_instance_types", "InstanceTypes", InstanceTypes=[instance_type]):
                known[info["InstanceType"]] = info
        except ClientError as exc:
            if _error_code(exc) not in ("InvalidInstanceType", "InvalidParameterValue"):
                raise
            unknown.add(instance_type)
    return known, unknown


def check_instance_details(groups: list[NodeGroupNeed], types: dict[str, dict],
                           unknown: set[str]) -> list[CheckResult]:
    """EFA where a group asks for it, GPUs where a group is a GPU group, no unknown types."""
    results = []
    for group in groups:
        for instance_type in group.instance_types:
            if instance_type in unknown:
                results.append(CheckResult("instance-details", group.name, "fail",
                                           f"{instance_type} is not an EC2 instance type in this region"))
                continue
            info = types.get(instance_type, {})
            problems = []
            if group.efa and not info.get("NetworkInfo", {}).get("EfaSupported", False):
                problems.append(f"{instance_type} does not support EFA")
            gpus = sum(g.get("Count", 0) for g in info.get("GpuInfo", {}).get("Gpus", []))
            if group.gpu and gpus == 0:
                problems.append(f"{instance_type} has no GPUs")
            expected = GPU_INSTANCE_TYPES.get(instance_type)
            if expected and gpus and gpus != expected.gpus:
                # The GPU cap and quotas were sized from the table: a wrong row under-counts capacity.
                problems.append(f"EC2 reports {gpus} GPUs per {instance_type} node; the GPU table the config was "
                                f"validated against (catalog/gpu.py) says {expected.gpus}")
            if problems:
                results.append(CheckResult("instance-details", group.name, "fail", "; ".join(problems)))
            else:
                efa = ", EFA" if group.efa else ""
                results.append(CheckResult("instance-details", group.name, "ok",
                                           f"{instance_type}: {info.get('VCpuInfo', {}).get('DefaultVCpus', '?')} vCPUs, "
                                           f"{gpus} GPUs{efa}"))
    return results


def _quota_value(quotas: Any, service: str, code: str) -> tuple[float | None, str]:
    """The applied quota, else AWS's default; None when neither can be read."""
    for getter, source in ((quotas.get_service_quota, "applied"), (quotas.get_aws_default_service_quota, "default")):
        try:
            return float(getter(ServiceCode=service, QuotaCode=code)["Quota"]["Value"]), source
        except ClientError as exc:
            if not _quota_unreadable(exc):
                raise
    return None, "unavailable"


def check_vcpu_quotas(quotas: Any, groups: list[NodeGroupNeed], types: dict[str, dict]) -> list[CheckResult]:
    """On-demand and spot vCPU quotas cover the sum of the node groups' maximum sizes."""
    demand: dict[tuple[str, str], int] = defaultdict(int)
    unmapped = []
    for group in groups:
        if not group.instance_types:
            continue
        # A mixed-type group can grow on its largest type: size the demand for that one.
        vcpus = max(types.get(t, {}).get("VCpuInfo", {}).get("DefaultVCpus", 0) for t in group.instance_types)
        cls = instance_class(group.instance_types[0])
        if cls is None:
            unmapped.append(group.name)
            continue
        demand[(cls, group.capacity_type)] += vcpus * group.max_size
    results = [CheckResult("ec2-vcpu-quota", name, "warn", "no vCPU quota known for this instance family")
               for name in unmapped]
    for key, needed in sorted(demand.items()):
        code, quota_name = EC2_VCPU_QUOTAS[key]
        value, source = _quota_value(quotas, "ec2", code)
        if value is None:
            results.append(CheckResult("ec2-vcpu-quota", quota_name, "warn", f"cannot read quota {code}"))
        elif needed > value:
            results.append(CheckResult("ec2-vcpu-quota", quota_name, "fail",
                                       f"node groups may need {needed} vCPUs at maximum size; quota {code} "
                                       f"({source}) is {value:g}: request an increase"))
        else:
            results.append(CheckResult("ec2-vcpu-quota", quota_name, "ok",
                                       f"{needed} vCPUs needed at maximum size, quota {value:g} ({source})"))
    return results


def check_endpoint_quotas(quotas: Any, endpoints: list[EndpointNeed]) -> list[CheckResult]:
    """SageMaker's per-instance-type endpoint quotas cover the endpoints' maximum instance counts."""
    needed: dict[str, int] = defaultdict(int)
    for endpoint in endpoints:
        needed[endpoint.instance_type] += endpoint.max_instances
    if not needed:
        return []
    try:
        by_name = {q["QuotaName"]: q for q in _paginate(quotas, "list_service_quotas", "Quotas", ServiceCode="sagemaker")}
    except ClientError as exc:
        if not _quota_unreadable(exc):
            raise
        return [CheckResult("sagemaker-endpoint-quota", t, "warn", "cannot read SageMaker quotas")
                for t in sorted(needed)]
    results = []
    for instance_type, count in sorted(needed.items()):
        quota = by_name.get(f"{instance_type} for endpoint usage")
        if quota is None:
            results.append(CheckResult("sagemaker-endpoint-quota", instance_type, "warn",
                                       f"no '{instance_type} for endpoint usage' quota found"))
        elif count > quota["Value"]:
            results.append(CheckResult("sagemaker-endpoint-quota", instance_type, "fail",
                                       f"endpoints may run {count} instances; quota {quota['QuotaCode']} is "
                                       f"{quota['Value']:g}: request an increase"))
        else:
            results.append(CheckResult("sagemaker-endpoint-quota", instance_type, "ok",
                                       f"{count} instances at most, quota {quota['Value']:g}"))
    return results


def check_model_packages(sagemaker: Any, packages: list[ModelPackageRef]) -> list[CheckResult]:
    """Each referenced model package exists and is Approved (version 0: the group has an Approved one)."""
    results = []
    for ref in packages:
        try:
            if ref.version == 0:
                found = latest_approved_model_package(ref.group, client=sagemaker)
            else:
                found = resolve_model_package(ref.group, ref.version, client=sagemaker)
        except ModelPackageLookupError:
            raise
        except PromotionError as exc:
            results.append(CheckResult("model-package-approved", ref.model, "fail", str(exc)))
            continue
        results.append(CheckResult("model-package-approved", ref.model, "ok",
                                   f"{ref.group} version {found.version} is Approved"))
    return results


def check_images(ecr: Any, images: list[ImageRef]) -> list[CheckResult]:
    """Each referenced ECR image exists (tag or digest) in its repository.

    Images in the deploying account's registry must exist; those in another account's registry
    (AWS's framework images, a shared registry) are checked where readable, else reported as a warning.
    """
    results = []
    for image in images:
        image_id = {"imageDigest": image.digest} if image.digest else {"imageTag": image.tag or "latest"}
        where = {} if image.own else {"registryId": image.account}
        try:
            ecr.describe_images(repositoryName=image.repository, imageIds=[image_id], **where)
        except ClientError as exc:
            code = _error_code(exc)
            if not image.own and code in ("RepositoryNotFoundException", "AccessDeniedException", "AccessDenied"):
                results.append(CheckResult("ecr-image-exists", image.model, "warn",
                                           f"{image.uri}: cannot be read in account {image.account} with these credentials"))
            elif code in ("ImageNotFoundException", "RepositoryNotFoundException"):
                results.append(CheckResult("ecr-image-exists", image.model, "fail", f"{image.uri}: {code}"))
            else:
                raise
            continue
        results.append(CheckResult("ecr-image-exists", image.model, "ok", image.uri))
    return results


#: The stack setting that makes the program create a service-linked role, by service.
SERVICE_ROLE_SETTINGS = {"autoscaling.amazonaws.com": "mlinfra:training.createAutoscalingServiceRole: true"}


def check_service_linked_roles(iam: Any, roles: list[ServiceLinkedRoleNeed]) -> list[CheckResult]:
    """Each service-linked role a KMS grant names exists (``iam:GetRole``); if not, how to create it."""
    results = []
    for need in roles:
        try:
            iam.get_role(RoleName=need.role_name)
        except ClientError as exc:
            if _error_code(exc) != "NoSuchEntity":
                raise
            setting = SERVICE_ROLE_SETTINGS.get(need.service)
            detail = (f"{need.role_name} does not exist in this account yet (AWS creates it only on the first use "
                      f"of {need.service}), so the KMS grant {need.name} fails: create it once with "
                      f"`aws iam create-service-linked-role --aws-service-name {need.service}`"
                      + (f" or set {setting} in the stack file" if setting else ""))
            results.append(CheckResult("service-linked-role", need.role_name, "fail", detail))
            continue
        results.append(CheckResult("service-linked-role", need.role_name, "ok", f"{need.role_name} exists"))
    return results


def check_addon_compatibility(eks: Any, addons: list[AddonNeed]) -> list[CheckResult]:
    """Each pinned add-on build is one EKS offers for the cluster's Kubernetes version
    (``eks:DescribeAddonVersions``); an account or emulator that cannot answer gives a warning."""
    results = []
    offered: dict[tuple[str, str], list[str]] = {}
    for need in addons:
        key = (need.addon, need.kubernetes_version)
        if key not in offered:
            try:
                pages = eks.get_paginator("describe_addon_versions").paginate(
                    addonName=need.addon, kubernetesVersion=need.kubernetes_version)
                offered[key] = [v["addonVersion"] for page in pages for addon in page.get("addons", [])
                                for v in addon.get("addonVersions", [])]
            except ClientError as exc:
                results.append(CheckResult("addon-compatible", need.name, "warn",
                                           f"cannot list {need.addon} builds: {_error_code(exc) or exc}"))
                offered[key] = []
                continue
        builds = offered[key]
        if not builds:
            continue
        if need.version in builds:
            results.append(CheckResult("addon-compatible", need.name, "ok",
                                       f"{need.addon} {need.version} runs on Kubernetes {need.kubernetes_version}"))
        else:
            results.append(CheckResult(
                "addon-compatible", need.name, "fail",
                f"{need.addon} {need.version} is not offered for Kubernetes {need.kubernetes_version}; offered: "
                f"{', '.join(builds[:5])} (pin one in the versions table or addonVersions)"))
    return results


def run_checks(requirements: Requirements, clients: Clients) -> list[CheckResult]:
    """All checks, in report order."""
    groups = requirements.node_groups
    types, unknown = describe_types(clients.ec2, (t for g in groups for t in g.instance_types))
    steps: list[Callable[[], list[CheckResult]]] = [
        lambda: check_offerings(clients.ec2, [g for g in groups if not set(g.instance_types) & unknown]),
        lambda: check_instance_details(groups, types, unknown),
        lambda: check_vcpu_quotas(clients.quotas, [g for g in groups if not set(g.instance_types) & unknown], types),
        lambda: check_endpoint_quotas(clients.quotas, requirements.endpoints),
        lambda: check_model_packages(clients.sagemaker, requirements.model_packages),
        lambda: check_images(clients.ecr, requirements.images),
        lambda: check_service_linked_roles(clients.iam, requirements.service_linked_roles),
        lambda: check_addon_compatibility(clients.eks, requirements.addons) if clients.eks else [],
    ]
    return [row for step in steps for row in step()]
