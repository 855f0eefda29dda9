"""GPU node agents: the NVIDIA device plugin as a DaemonSet (it needs the kubelet's device-plugin
socket directory, a hostPath) and the DCGM exporter from its Helm chart."""
import pulumi
import pulumi_kubernetes as k8s

NS = "gpu-operator"
k8s.core.v1.Namespace("gpu-operator", metadata={"name": NS})
k8s.networking.v1.NetworkPolicy("gpu-deny", metadata={"namespace": NS},
                                spec={"podSelector": {}, "policyTypes": ["Ingress"]})

k8s.apps.v1.DaemonSet(
    "nvidia-device-plugin",
    metadata={"name": "nvidia-device-plugin-daemonset", "namespace": NS},
    spec={
        "selector": {"matchLabels": {"name": "nvidia-device-plugin-ds"}},
        "updateStrategy": {"type": "RollingUpdate"},
        "template": {
            "metadata": {"labels": {"name": "nvidia-device-plugin-ds"}},
            "spec": {
                "priorityClassName": "system-node-critical",
                "automountServiceAccountToken": False,
                "nodeSelector": {"nvidia.com/gpu.present": "true"},
                "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{
                    "name": "nvidia-device-plugin-ctr",
                    "image": "nvcr.io/nvidia/k8s-device-plugin:v0.15.0",
                    "imagePullPolicy": "Always",
                    "env": [{"name": "FAIL_ON_INIT_ERROR", "value": "false"}],
                    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
                    "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                        "capabilities": {"drop": ["ALL"]}},
                    "volumeMounts": [{"name": "device-plugin", "mountPath": "/var/lib/kubelet/device-plugins"}],
                }],
                "volumes": [{"name": "device-plugin", "hostPath": {"path": "/var/lib/kubelet/device-plugins"}}],
            },
        },
    },
)

k8s.helm.v3.Release(
    "dcgm-exporter",
    chart="dcgm-exporter",
    version="3.4.2",
    namespace=NS,
    repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo="https://nvidia.github.io/dcgm-exporter/helm-charts"),
    values={"serviceMonitor": {"enabled": True}, "service": {"type": "ClusterIP"},
            "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}}},
)
