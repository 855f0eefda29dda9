"""The Helm charts the training cluster installs, each pinned to one chart version.

To upgrade a chart: read its release notes for value renames, bump ``version`` here, and re-run
``tests/test_training_cluster.py`` (it asserts every release is pinned). Charts from an OCI
registry carry the full ``oci://`` reference in ``chart`` and no repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class ChartPin:
    """Where a chart comes from and the exact version installed."""

    chart: str
    version: str
    repository: Optional[str] = None
    namespace: str = "kube-system"


NVIDIA_DEVICE_PLUGIN = ChartPin("nvidia-device-plugin", "0.18.0", "https://nvidia.github.io/k8s-device-plugin", "gpu-system")
DCGM_EXPORTER = ChartPin("dcgm-exporter", "4.8.1", "https://nvidia.github.io/dcgm-exporter/helm-charts", "gpu-system")
EFA_DEVICE_PLUGIN = ChartPin("aws-efa-k8s-device-plugin", "0.5.10", "https://aws.github.io/eks-charts", "gpu-system")
CLUSTER_AUTOSCALER = ChartPin("cluster-autoscaler", "9.52.1", "https://kubernetes.github.io/autoscaler", "kube-system")
KUEUE = ChartPin("oci://registry.k8s.io/kueue/charts/kueue", "0.14.3", None, "kueue-system")
KUBERAY_OPERATOR = ChartPin("kuberay-operator", "1.4.2", "https://ray-project.github.io/kuberay-helm/", "kuberay-system")
