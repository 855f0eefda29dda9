"""Kubernetes versions EKS supports, and the add-on and autoscaler versions pinned for each.

How to update (each EKS release, roughly every four months):
1. Add the new minor to ``KUBERNETES_VERSIONS`` with its end of extended support, from the EKS
   Kubernetes version calendar; drop minors whose extended support has ended.
2. For that minor, pin kube-proxy and CoreDNS from
   ``aws eks describe-addon-versions --kubernetes-version <minor> --addon-name kube-proxy``
   (the build marked ``defaultVersion``), and the cluster-autoscaler release of the same minor
   (``registry.k8s.io/autoscaling/cluster-autoscaler:v<minor>.x``).
3. Check the version-independent add-ons in ``SHARED_ADDON_VERSIONS`` list the new minor among their
   compatibilities; bump them if not.
4. Run ``tests/test_training_tables.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping


@dataclass(frozen=True)
class KubernetesVersion:
    """One EKS Kubernetes minor and what is pinned for it."""

    version: str
    end_of_standard_support: date
    end_of_extended_support: date
    kube_proxy: str
    coredns: str
    cluster_autoscaler: str


KUBERNETES_VERSIONS: Mapping[str, KubernetesVersion] = {
    v.version: v
    for v in (
        KubernetesVersion("1.31", date(2025, 11, 26), date(2026, 11, 26),
                          "v1.31.2-eksbuild.3", "v1.11.4-eksbuild.2", "v1.31.4"),
        KubernetesVersion("1.32", date(2026, 3, 23), date(2027, 3, 23),
                          "v1.32.0-eksbuild.2", "v1.11.4-eksbuild.2", "v1.32.3"),
        KubernetesVersion("1.33", date(2026, 7, 29), date(2027, 7, 29),
                          "v1.33.0-eksbuild.2", "v1.12.1-eksbuild.2", "v1.33.1"),
        KubernetesVersion("1.34", date(2026, 12, 2), date(2027, 12, 2),
                          "v1.34.0-eksbuild.4", "v1.12.4-eksbuild.1", "v1.34.0"),
        KubernetesVersion("1.35", date(2027, 3, 27), date(2028, 3, 27),
                          "v1.35.3-eksbuild.2", "v1.13.2-eksbuild.4", "v1.35.0"),
    )
}
SUPPORTED_VERSIONS: tuple[str, ...] = tuple(KUBERNETES_VERSIONS)
DEFAULT_KUBERNETES_VERSION = "1.34"

#: Add-ons whose one pinned build is compatible with every minor above.
SHARED_ADDON_VERSIONS: Mapping[str, str] = {
    "vpc-cni": "v1.21.1-eksbuild.1",
    "eks-pod-identity-agent": "v1.3.8-eksbuild.2",
    "aws-ebs-csi-driver": "v1.57.1-eksbuild.1",
}
#: Every managed add-on the cluster installs.
MANAGED_ADDONS: tuple[str, ...] = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns", "aws-ebs-csi-driver")


class UnsupportedKubernetesVersion(ValueError):
    """A Kubernetes version EKS does not support (or this table does not know yet)."""


def kubernetes_version(version: str) -> KubernetesVersion:
    """The pins for ``version``; ``UnsupportedKubernetesVersion`` naming the supported ones otherwise."""
    try:
        return KUBERNETES_VERSIONS[version]
    except KeyError:
        raise UnsupportedKubernetesVersion(
            f"EKS supports Kubernetes {', '.join(SUPPORTED_VERSIONS)}; {version!r} is not one of them"
        ) from None


def addon_versions(version: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The pinned build of every managed add-on for ``version``, with ``overrides`` applied.

    An override for an add-on the cluster does not install is an error, so a typo cannot
    silently leave the pinned build in place.
    """
    pins = kubernetes_version(version)
    unknown = sorted(set(overrides or {}) - set(MANAGED_ADDONS))
    if unknown:
        raise ValueError(f"unknown add-on(s) {', '.join(unknown)}; the cluster installs {', '.join(MANAGED_ADDONS)}")
    return {**SHARED_ADDON_VERSIONS, "kube-proxy": pins.kube_proxy, "coredns": pins.coredns, **(overrides or {})}
