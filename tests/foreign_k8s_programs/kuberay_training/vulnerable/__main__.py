"""A KubeRay RayCluster, as a hurried team writes it.
Seeded: head Service of type LoadBalancer (internet-facing dashboard/job API), AWS secret key in env,
hostPath mount of the node's /data, worker without memory limit, GPU workers without the taint toleration."""
import pulumi
import pulumi_kubernetes as k8s

k8s.core.v1.Namespace("ray", metadata={"name": "ray"})

head = {
    "containers": [{
        "name": "ray-head",
        "image": "rayproject/ray-ml:2.9.3-py310-gpu",
        "resources": {"limits": {"cpu": "4", "memory": "16Gi"}, "requests": {"cpu": "4", "memory": "16Gi"}},
        "env": [{"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"},
                {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}],
    }],
}
worker = {
    "containers": [{
        "name": "ray-worker",
        "image": "rayproject/ray-ml:2.9.3-py310-gpu",
        "resources": {"limits": {"nvidia.com/gpu": "1", "cpu": "8"}, "requests": {"cpu": "8"}},
        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
    }],
    "volumes": [{"name": "data", "hostPath": {"path": "/data", "type": "Directory"}}],
}

k8s.apiextensions.CustomResource(
    "train-cluster",
    api_version="ray.io/v1",
    kind="RayCluster",
    metadata={"name": "train", "namespace": "ray"},
    spec={
        "rayVersion": "2.9.3",
        "headGroupSpec": {"serviceType": "LoadBalancer", "rayStartParams": {"dashboard-host": "0.0.0.0"},
                          "template": {"spec": head}},
        "workerGroupSpecs": [{"groupName": "gpu", "replicas": 4, "rayStartParams": {}, "template": {"spec": worker}}],
    },
)
