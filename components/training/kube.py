"""Kubernetes-side specs of the training cluster as plain data: kubeconfig, node labels and taints,
Helm values, Kueue objects. The component turns them into resources; tests read them directly.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from catalog.eks_registries import eks_image_repository
from components.training.args import GpuNodeGroupArgs, TeamArgs
from components.training.validation import SYSTEM_GROUP

GPU_RESOURCE = "nvidia.com/gpu"
EFA_RESOURCE = "vpc.amazonaws.com/efa"
#: Every GPU node carries this label and a NoSchedule taint of the same key.
GPU_LABEL = GPU_RESOURCE
GPU_TAINT = {"key": GPU_RESOURCE, "value": "true", "effect": "NoSchedule"}
NODE_GROUP_LABEL = "mlinfra.io/node-group"
AMI_FAMILY_LABEL = "mlinfra.io/ami-family"
EFA_LABEL = "vpc.amazonaws.com/efa.present"
#: cluster-autoscaler's AWS GPU label (cloudprovider/aws/aws_cloud_provider.go ``GPULabel``): a node
#: that carries it and no allocatable GPUs yet counts as "GPU not ready", not as a node that does
#: not fit, so the autoscaler does not scale out again while the device plugin starts.
ACCELERATOR_LABEL = "k8s.amazonaws.com/accelerator"
#: Tag prefix of the node template cluster-autoscaler builds for a group at zero nodes.
NODE_TEMPLATE_TAG = "k8s.io/cluster-autoscaler/node-template"

#: Namespace of the GPU device plugins and the exporter (privileged DaemonSets live only here and kube-system).
GPU_SYSTEM_NAMESPACE = "gpu-system"
#: Each team namespace gets this LocalQueue and this service account (bound to the training-job role).
LOCAL_QUEUE = "training"
TRAINING_SERVICE_ACCOUNT = "training-job"
AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler"
EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa"
GPU_FLAVOR = "gpu"
CPU_FLAVOR = "cpu"
KUEUE_API = "kueue.x-k8s.io/v1beta1"

GPU_TOLERATION = {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}


def kubeconfig(*, cluster_name: str, endpoint: str, certificate_authority: str, region: str) -> dict[str, Any]:
    """A kubeconfig that authenticates with ``aws eks get-token`` as the caller's AWS identity."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": {"server": endpoint,
                                                        "certificate-authority-data": certificate_authority}}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": cluster_name,
        "users": [{"name": cluster_name, "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region, "--output", "json"],
        }}}],
    }


def accelerator(group: GpuNodeGroupArgs) -> str:
    """The GPU of a group as a label value: ``NVIDIA L40S`` -> ``nvidia-l40s``."""
    return group.gpu_type.gpu_model.lower().replace(" ", "-")


def gpu_node_labels(group: GpuNodeGroupArgs) -> dict[str, str]:
    labels = {GPU_LABEL: "true", NODE_GROUP_LABEL: group.name, AMI_FAMILY_LABEL: group.ami_family,
              ACCELERATOR_LABEL: accelerator(group)}
    if group.efa:
        labels[EFA_LABEL] = "true"
    return labels


def node_template_tags(group: GpuNodeGroupArgs) -> dict[str, str]:
    """The Auto Scaling group tags cluster-autoscaler reads to picture a node of a group at zero nodes.

    cluster-autoscaler (cloudprovider/aws/aws_manager.go, ``buildNodeFromTemplate``) takes extended
    resources only from ``.../node-template/resources/<name>`` tags of the ASG (quantities), labels
    from ``.../label/<key>`` tags (and the EKS DescribeNodegroup API), taints from ``.../taint/<key>``
    tags whose value is ``<value>:<Effect>`` (and DescribeNodegroup). Without the EFA resource a pod
    that requests ``vpc.amazonaws.com/efa`` never fits the template, so the group never scales up.
    """
    tags = {f"{NODE_TEMPLATE_TAG}/resources/{GPU_RESOURCE}": str(group.gpu_type.gpus)}
    if group.efa:
        tags[f"{NODE_TEMPLATE_TAG}/resources/{EFA_RESOURCE}"] = str(group.efa_interfaces)
    for key, value in gpu_node_labels(group).items():
        tags[f"{NODE_TEMPLATE_TAG}/label/{key}"] = value
    tags[f"{NODE_TEMPLATE_TAG}/taint/{GPU_TAINT['key']}"] = f"{GPU_TAINT['value']}:{GPU_TAINT['effect']}"
    return tags


def _require_gpu_nodes(*extra: Mapping[str, Any]) -> dict[str, Any]:
    expressions = [{"key": GPU_LABEL, "operator": "In", "values": ["true"]}, *extra]
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": expressions}]}}}


def device_plugin_values() -> dict[str, Any]:
    """NVIDIA device plugin on AL2023 GPU nodes only: Bottlerocket's NVIDIA variants run their own."""
    return {
        "affinity": _require_gpu_nodes({"key": AMI_FAMILY_LABEL, "operator": "In", "values": ["al2023"]}),
        "tolerations": [GPU_TOLERATION],
        "priorityClassName": "system-node-critical",
    }


def dcgm_exporter_values() -> dict[str, Any]:
    """DCGM exporter on every GPU node. No ServiceMonitor: the cluster does not assume Prometheus Operator."""
    return {"affinity": _require_gpu_nodes(), "tolerations": [GPU_TOLERATION],
            "serviceMonitor": {"enabled": False}}


def efa_plugin_values(*, region: str) -> dict[str, Any]:
    """EFA device plugin on EFA nodes, its image from the stack's own region (the chart's default
    ``image.repository`` is us-west-2's registry: values.yaml of aws/eks-charts at the pinned version)."""
    return {"image": {"repository": eks_image_repository(region, "aws-efa-k8s-device-plugin")},
            "nodeSelector": {EFA_LABEL: "true"}, "tolerations": [GPU_TOLERATION]}


def cluster_autoscaler_values(*, cluster_name: str, region: str, image_tag: str) -> dict[str, Any]:
    """Auto-discovers this cluster's managed node groups; least-waste picks the cheapest fitting group."""
    return {
        "cloudProvider": "aws",
        "awsRegion": region,
        "autoDiscovery": {"clusterName": cluster_name},
        "image": {"tag": image_tag},
        "fullnameOverride": "cluster-autoscaler",
        "rbac": {"serviceAccount": {"create": True, "name": AUTOSCALER_SERVICE_ACCOUNT}},
        "nodeSelector": {NODE_GROUP_LABEL: SYSTEM_GROUP},
        "extraArgs": {"expander": "least-waste", "balance-similar-node-groups": True,
                      "skip-nodes-with-local-storage": False, "scale-down-unneeded-time": "10m"},
    }


def kuberay_values() -> dict[str, Any]:
    """The KubeRay operator runs on the system group (the chart's top-level ``nodeSelector``)."""
    return {"nodeSelector": {NODE_GROUP_LABEL: SYSTEM_GROUP}}


def kueue_values() -> dict[str, Any]:
    """The Kueue controller runs on the system group (the chart reads ``controllerManager.nodeSelector``;
    a top-level ``nodeSelector`` is ignored)."""
    return {"controllerManager": {"nodeSelector": {NODE_GROUP_LABEL: SYSTEM_GROUP}}}


def gpu_flavor_spec() -> dict[str, Any]:
    """The Kueue ResourceFlavor of GPU nodes: admitted pods get the node label and the taint's toleration."""
    return {"nodeLabels": {GPU_LABEL: "true"}, "tolerations": [GPU_TOLERATION]}


def cpu_flavor_spec() -> dict[str, Any]:
    """The Kueue ResourceFlavor of CPU-only work: the untainted system group's nodes, no GPU toleration.

    Without it every admitted pod got the GPU flavor's node label and toleration, so a CPU-only job
    landed on (and scaled up) a GPU node.
    """
    return {"nodeLabels": {NODE_GROUP_LABEL: SYSTEM_GROUP}}


def cluster_queue_spec(team: TeamArgs, *, efa: bool) -> dict[str, Any]:
    """A team's ClusterQueue: its quota on the CPU and GPU flavors, admitting only its own namespace.

    Kueue gives a pod set the first flavor of the resource group that fits (Kueue docs, "Flavor
    fungibility"): the CPU flavor comes first with no GPU or EFA quota, so only work that requests
    none runs there; GPU work falls through to the GPU flavor. Each flavor has the team's CPU and
    memory quota. No cohort, so no borrowing: the namespace's ResourceQuota caps GPU requests at the
    same number, and borrowed quota would admit pods the API server then refuses.
    """
    resources = [("cpu", str(team.cpus)), ("memory", f"{team.memory_gib}Gi"), (GPU_RESOURCE, str(team.gpus))]
    if efa:
        # EFA interfaces are requested like GPUs; a generous quota keeps them from gating admission.
        resources.append((EFA_RESOURCE, str(max(team.gpus, 1) * 32)))
    cpu_only = [(name, "0" if name in (GPU_RESOURCE, EFA_RESOURCE) else quota) for name, quota in resources]
    return {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": team.name}},
        "queueingStrategy": "BestEffortFIFO",
        "preemption": {"withinClusterQueue": "LowerPriority"},
        "resourceGroups": [{
            "coveredResources": [name for name, _ in resources],
            "flavors": [{"name": flavor, "resources": [{"name": name, "nominalQuota": quota} for name, quota in quotas]}
                        for flavor, quotas in ((CPU_FLAVOR, cpu_only), (GPU_FLAVOR, resources))],
        }],
    }


def local_queue_spec(team: TeamArgs) -> dict[str, Any]:
    return {"clusterQueue": team.name}


def team_namespace_labels(team: TeamArgs) -> dict[str, str]:
    """Pod Security: baseline enforced (no privileged pods), restricted reported as warnings."""
    return {"mlinfra.io/team": team.name,
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted"}


def gpu_quota(team: TeamArgs) -> dict[str, str]:
    return {f"requests.{GPU_RESOURCE}": str(team.gpus)}


def queue_names(teams: Sequence[TeamArgs]) -> dict[str, str]:
    """``namespace/localqueue`` per team, for the ``kueue.x-k8s.io/queue-name`` label of its jobs."""
    return {team.name: f"{team.name}/{LOCAL_QUEUE}" for team in teams}
