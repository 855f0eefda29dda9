"""A Kubeflow PyTorchJob tuned for NCCL speed at the cost of isolation.
Seeded: hostIPC, added SYS_ADMIN capability, privileged worker, image without a tag, no memory limit."""
import pulumi
import pulumi_kubernetes as k8s

provider = k8s.Provider("training", namespace="training")
opts = pulumi.ResourceOptions(provider=provider)


def replica(count, privileged=False):
    return {
        "replicas": count,
        "template": {"spec": {
            "hostIPC": True,
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "containers": [{
                "name": "pytorch",
                "image": "pytorch/pytorch",
                "resources": {"limits": {"nvidia.com/gpu": "8"}},
                "securityContext": {"privileged": privileged, "capabilities": {"add": ["SYS_ADMIN", "IPC_LOCK"]}},
            }],
        }},
    }


k8s.apiextensions.CustomResource(
    "llama-ft", api_version="kubeflow.org/v1", kind="PyTorchJob",
    metadata={"name": "llama-ft"},
    spec={"pytorchReplicaSpecs": {"Master": replica(1), "Worker": replica(3, privileged=True)}},
    opts=opts)
