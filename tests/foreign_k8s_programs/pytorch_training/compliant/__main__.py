"""A Kubeflow PyTorchJob and a TrainJob, through an explicit provider whose namespace is 'training'."""
import pulumi
import pulumi_kubernetes as k8s

provider = k8s.Provider("training", namespace="training")
opts = pulumi.ResourceOptions(provider=provider)

k8s.core.v1.Namespace("training", metadata=k8s.meta.v1.ObjectMetaArgs(name="training"), opts=opts)
k8s.networking.v1.NetworkPolicy("deny-all", spec={"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
                                opts=opts)
k8s.networking.v1.NetworkPolicy("allow-nccl", spec={
    "podSelector": {"matchLabels": {"training.kubeflow.org/job-name": "llama-ft"}},
    "policyTypes": ["Ingress", "Egress"],
    "ingress": [{"from": [{"podSelector": {"matchLabels": {"training.kubeflow.org/job-name": "llama-ft"}}}]}],
    "egress": [{"to": [{"podSelector": {"matchLabels": {"training.kubeflow.org/job-name": "llama-ft"}}}]}],
}, opts=opts)


def replica(count):
    return {
        "replicas": count,
        "restartPolicy": "OnFailure",
        "template": {"spec": {
            "automountServiceAccountToken": False,
            "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "containers": [{
                "name": "pytorch",
                "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/llama-ft:2024.06.1",
                "imagePullPolicy": "Always",
                "resources": {"requests": {"cpu": "16", "memory": "96Gi", "nvidia.com/gpu": "4"},
                              "limits": {"memory": "96Gi", "nvidia.com/gpu": "4"}},
                "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                    "capabilities": {"drop": ["ALL"]}},
                "volumeMounts": [{"name": "dshm", "mountPath": "/dev/shm"}],
            }],
            "volumes": [{"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "32Gi"}}],
        }},
    }


k8s.apiextensions.CustomResource(
    "llama-ft", api_version="kubeflow.org/v1", kind="PyTorchJob",
    metadata={"name": "llama-ft"},
    spec={"pytorchReplicaSpecs": {"Master": replica(1), "Worker": replica(3)}},
    opts=opts)

k8s.apiextensions.CustomResource(
    "bert-ft", api_version="trainer.kubeflow.org/v1alpha1", kind="TrainJob",
    metadata={"name": "bert-ft"},
    spec={"runtimeRef": {"name": "torch-distributed"},
          "trainer": {"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/bert-ft:0.3.0", "numNodes": 2,
                      "resourcesPerNode": {"requests": {"nvidia.com/gpu": "1", "memory": "32Gi"},
                                           "limits": {"nvidia.com/gpu": "1", "memory": "32Gi"}}}},
    opts=opts)
