"""Kubernetes workloads declared in the program: privileged containers only in an allow-list of
system DaemonSets; every workload that asks for GPUs tolerates the GPU taint and sets limits.

Helm releases are opaque to these rules (their manifests are rendered by Helm inside the provider,
not declared as resources), and so are custom resources such as RayJobs: they are reviewed through
the chart values and Kueue's admission instead.
"""

from __future__ import annotations

from typing import Any, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._util import applies_to, as_bool, as_list, config_schema, describe, frameworks, get, is_unknown, policy_config

GPU = "nvidia.com/gpu"
#: Where the pod spec sits in each workload kind.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
DAEMON_SET = "kubernetes:apps/v1:DaemonSet"
_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def pod_spec(args: ResourceValidationArgs) -> Any:
    """The workload's pod spec as plain data (``UNKNOWN`` during preview, ``{}`` when absent)."""
    return get(args.props, *POD_SPEC_PATHS[args.resource_type], default={})


def containers(spec: dict) -> list[dict]:
    found = []
    for key in _CONTAINER_LISTS:
        items = as_list(spec.get(key))
        if not is_unknown(items):
            found.extend(item for item in items if isinstance(item, dict))
    return found


def _workload_name(args: ResourceValidationArgs) -> str:
    namespace = get(args.props, "metadata", "namespace", default="default")
    name = get(args.props, "metadata", "name", default=args.name)
    return f"{namespace}/{name}"


PRIVILEGED_SCHEMA = config_schema(
    allowedPrivilegedDaemonSets={
        "type": "array", "items": {"type": "string"},
        "default": ["kube-system/aws-node", "kube-system/kube-proxy", "kube-system/ebs-csi-node",
                    "kube-system/eks-pod-identity-agent", "gpu-system/nvidia-device-plugin",
                    "gpu-system/dcgm-exporter", "gpu-system/aws-efa-k8s-device-plugin"],
        "description": "DaemonSets ('namespace/name') whose containers may run privileged.",
    },
)


def _privileged(args: ResourceValidationArgs, report: ReportViolation) -> None:
    allowed = policy_config(args, PRIVILEGED_SCHEMA)["allowedPrivilegedDaemonSets"]
    spec = pod_spec(args)
    if is_unknown(spec) or not isinstance(spec, dict):
        return
    privileged = [c.get("name") or "?" for c in containers(spec)
                  if as_bool(get(c, "securityContext", "privileged")) is True]
    if not privileged:
        return
    workload = _workload_name(args)
    if args.resource_type == DAEMON_SET and workload in allowed:
        return
    report(f"{describe(args)} ({workload}) runs privileged container(s) {', '.join(privileged)}: only the system "
           "DaemonSets in allowedPrivilegedDaemonSets may; drop securityContext.privileged")


k8s_no_privileged_containers = ResourceValidationPolicy(
    name="k8s-no-privileged-containers",
    description="Workloads run no privileged containers, except the allow-listed system DaemonSets.",
    validate=applies_to(POD_SPEC_PATHS, _privileged),
    config_schema=PRIVILEGED_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Remove securityContext.privileged (grant only the capabilities needed), or, for a node "
                      "agent DaemonSet, add 'namespace/name' to allowedPrivilegedDaemonSets after review.",
    **frameworks({"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.4"}),
)

GPU_SCHEMA = config_schema(
    taintKey={"type": "string", "default": GPU, "description": "The GPU node taint workloads must tolerate."},
    requiredLimits={
        "type": "array", "items": {"type": "string"}, "default": [GPU, "memory"],
        "description": "Resource limits every GPU container must set.",
    },
)


def _quantity(resources: Any, section: str, name: str) -> Optional[Any]:
    value = get(resources, section, name) if isinstance(resources, dict) else None
    return None if is_unknown(value) else value


def _tolerates(tolerations: list, key: str) -> bool:
    for toleration in tolerations:
        if not isinstance(toleration, dict) or toleration.get("effect") not in (None, "", "NoSchedule"):
            continue
        operator = toleration.get("operator") or "Equal"
        if operator == "Exists" and toleration.get("key") in (None, "", key):
            return True
        if operator == "Equal" and toleration.get("key") == key and toleration.get("value") == "true":
            return True
    return False


def _gpu_workload(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = policy_config(args, GPU_SCHEMA)
    spec = pod_spec(args)
    if is_unknown(spec) or not isinstance(spec, dict):
        return
    gpu_containers = [c for c in containers(spec)
                      if _quantity(c.get("resources"), "requests", GPU) or _quantity(c.get("resources"), "limits", GPU)]
    if not gpu_containers:
        return
    tolerations = as_list(spec.get("tolerations"))
    if not is_unknown(tolerations) and not _tolerates(tolerations, config["taintKey"]):
        report(f"{describe(args)} requests GPUs but does not tolerate the {config['taintKey']}:NoSchedule taint: "
               "its pods would never schedule on GPU nodes")
    for container in gpu_containers:
        missing = [name for name in config["requiredLimits"] if not _quantity(container.get("resources"), "limits", name)]
        if missing:
            report(f"{describe(args)}: GPU container {container.get('name') or '?'!s} sets no limit for "
                   f"{', '.join(missing)}")


k8s_gpu_workloads_tolerate_and_limit = ResourceValidationPolicy(
    name="k8s-gpu-workloads-tolerate-and-limit",
    description="Workloads that request nvidia.com/gpu tolerate the GPU taint and set GPU and memory limits.",
    validate=applies_to(POD_SPEC_PATHS, _gpu_workload),
    config_schema=GPU_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Add tolerations=[{'key': 'nvidia.com/gpu', 'operator': 'Exists', 'effect': 'NoSchedule'}] "
                      "to the pod spec and resources.limits for 'nvidia.com/gpu' and 'memory' to each GPU container "
                      "(or submit through a Kueue LocalQueue, whose GPU flavor adds the toleration).",
    **frameworks({"nist-800-53": "SC-6"}),
)

SECURITY = [k8s_no_privileged_containers]
PRIVACY: list = []
COMPLIANCE = [k8s_gpu_workloads_tolerate_and_limit]
