"""A KubeRay RayCluster for distributed training, written with plain camelCase dicts and a helper."""
import pulumi
import pulumi_kubernetes as k8s

NAMESPACE = "ray"
IMAGE = "rayproject/ray-ml:2.9.3-py310-gpu"

ns = k8s.core.v1.Namespace("ray", metadata={"name": NAMESPACE,
                                             "labels": {"pod-security.kubernetes.io/enforce": "restricted"}})
k8s.networking.v1.NetworkPolicy("ray-default-deny", metadata={"namespace": NAMESPACE},
                                spec={"podSelector": {}, "policyTypes": ["Ingress"]},
                                opts=pulumi.ResourceOptions(depends_on=[ns]))


def ray_container(name, cpu, memory, gpus=0):
    limits = {"cpu": cpu, "memory": memory}
    if gpus:
        limits["nvidia.com/gpu"] = str(gpus)
    return {
        "name": name,
        "image": IMAGE,
        "imagePullPolicy": "Always",
        "resources": {"requests": dict(limits), "limits": dict(limits)},
        "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True, "runAsUser": 1000,
                            "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, {"name": "shm", "mountPath": "/dev/shm"}],
    }


def pod(container, gpu=False, service_account=None):
    spec = {
        "containers": [container],
        "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "shm", "emptyDir": {"medium": "Memory"}}],
    }
    if service_account:  # the head's autoscaler calls the Kubernetes API with this account's token
        spec["serviceAccountName"] = service_account
    else:
        spec["automountServiceAccountToken"] = False
    if gpu:
        spec["tolerations"] = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    return {"spec": spec}


# The autoscaler's own account and least-privilege role (KubeRay's autoscaler RBAC: pods and the RayCluster).
k8s.core.v1.ServiceAccount("ray-head", metadata={"name": "ray-head", "namespace": NAMESPACE},
                           opts=pulumi.ResourceOptions(depends_on=[ns]))
k8s.rbac.v1.Role("ray-autoscaler", metadata={"name": "ray-autoscaler", "namespace": NAMESPACE}, rules=[
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch", "patch"]},
    {"apiGroups": ["ray.io"], "resources": ["rayclusters"], "verbs": ["get", "patch"]},
], opts=pulumi.ResourceOptions(depends_on=[ns]))
k8s.rbac.v1.RoleBinding("ray-autoscaler", metadata={"name": "ray-autoscaler", "namespace": NAMESPACE},
                        role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "ray-autoscaler"},
                        subjects=[{"kind": "ServiceAccount", "name": "ray-head"}],
                        opts=pulumi.ResourceOptions(depends_on=[ns]))

k8s.apiextensions.CustomResource(
    "train-cluster",
    api_version="ray.io/v1",
    kind="RayCluster",
    metadata={"name": "train", "namespace": NAMESPACE},
    spec={
        "rayVersion": "2.9.3",
        "enableInTreeAutoscaling": True,
        "headGroupSpec": {
            "serviceType": "ClusterIP",
            "rayStartParams": {"dashboard-host": "0.0.0.0", "num-gpus": "0"},
            "template": pod(ray_container("ray-head", "4", "16Gi"), service_account="ray-head"),
        },
        "workerGroupSpecs": [{
            "groupName": "gpu-workers",
            "replicas": 2, "minReplicas": 0, "maxReplicas": 8,
            "rayStartParams": {},
            "template": pod(ray_container("ray-worker", "8", "64Gi", gpus=1), gpu=True),
        }],
    },
    opts=pulumi.ResourceOptions(depends_on=[ns]),
)
