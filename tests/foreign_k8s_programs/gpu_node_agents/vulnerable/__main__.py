"""GPU node agents, copied from a blog post.
Seeded: privileged device plugin with hostNetwork and hostPID, hostPath of '/', DCGM exporter chart
with an internet-facing LoadBalancer service, image without a tag."""
import pulumi
import pulumi_kubernetes as k8s

NS = "gpu-operator"
k8s.core.v1.Namespace("gpu-operator", metadata={"name": NS})
k8s.apps.v1.DaemonSet(
    "nvidia-device-plugin",
    metadata={"name": "nvidia-device-plugin-daemonset", "namespace": NS},
    spec={
        "selector": {"matchLabels": {"name": "nvidia-device-plugin-ds"}},
        "template": {
            "metadata": {"labels": {"name": "nvidia-device-plugin-ds"}},
            "spec": {
                "hostNetwork": True,
                "hostPID": True,
                "tolerations": [{"operator": "Exists"}],
                "containers": [{
                    "name": "nvidia-device-plugin-ctr",
                    "image": "nvcr.io/nvidia/k8s-device-plugin",
                    "securityContext": {"privileged": True},
                    "volumeMounts": [{"name": "host", "mountPath": "/host"}],
                }],
                "volumes": [{"name": "host", "hostPath": {"path": "/"}}],
            },
        },
    },
)
k8s.helm.v3.Release(
    "dcgm-exporter", chart="dcgm-exporter", namespace=NS,
    repository_opts={"repo": "https://nvidia.github.io/dcgm-exporter/helm-charts"},
    values={"service": {"type": "LoadBalancer"}},
)
