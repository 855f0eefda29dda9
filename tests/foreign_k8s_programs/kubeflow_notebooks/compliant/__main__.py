"""Kubeflow notebook servers for the applied-science team: a Profile (its namespace), a PodDefault that
hands every notebook the experiment tracker's settings (the token from a Secret), a default-deny
NetworkPolicy with the Kubeflow gateway let in, and one GPU Notebook per scientist, declared with
apiextensions.CustomResource from a config dict. Pod Security Restricted settings on every notebook.
"""
import pulumi
import pulumi_kubernetes as k8s

TEAM = {"namespace": "applied-science", "owner": "lead@example.com", "scientists": ["dana", "eli"]}
NS = TEAM["namespace"]
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/jupyter-pytorch-cuda-full@sha256:" + "9" * 64

profile = k8s.apiextensions.CustomResource(
    "profile", api_version="kubeflow.org/v1", kind="Profile",
    metadata={"name": NS},
    spec={"owner": {"kind": "User", "name": TEAM["owner"]}})
opts = pulumi.ResourceOptions(depends_on=[profile])

k8s.networking.v1.NetworkPolicy("default-deny", metadata={"name": "default-deny", "namespace": NS},
                                spec={"podSelector": {}, "policyTypes": ["Ingress"]}, opts=opts)
k8s.networking.v1.NetworkPolicy("from-gateway", metadata={"name": "from-gateway", "namespace": NS}, spec={
    "podSelector": {"matchLabels": {"notebook": "true"}}, "policyTypes": ["Ingress"],
    "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}}}],
                 "ports": [{"port": 8888}]}]}, opts=opts)

k8s.apiextensions.CustomResource(
    "tracking-credentials", api_version="kubeflow.org/v1alpha1", kind="PodDefault",
    metadata={"name": "tracking-credentials", "namespace": NS},
    spec={"desc": "MLflow access", "selector": {"matchLabels": {"tracking-credentials": "true"}},
          "env": [{"name": "MLFLOW_TRACKING_URI", "value": "https://mlflow.internal.example.com"},
                  {"name": "MLFLOW_TRACKING_TOKEN",
                   "valueFrom": {"secretKeyRef": {"name": "mlflow-token", "key": "token"}}}]},
    opts=opts)

for scientist in TEAM["scientists"]:
    k8s.apiextensions.CustomResource(
        f"notebook-{scientist}", api_version="kubeflow.org/v1", kind="Notebook",
        metadata={"name": scientist, "namespace": NS, "labels": {"tracking-credentials": "true"}},
        spec={"template": {"spec": {
            "serviceAccountName": "default-editor",
            "automountServiceAccountToken": False,
            "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "fsGroup": 100,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "containers": [{
                "name": scientist,
                "image": IMAGE,
                "imagePullPolicy": "Always",
                "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                    "capabilities": {"drop": ["ALL"]}},
                "resources": {"requests": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"},
                              "limits": {"memory": "16Gi", "nvidia.com/gpu": "1"}},
                "volumeMounts": [{"name": "workspace", "mountPath": "/home/jovyan"},
                                 {"name": "tmp", "mountPath": "/tmp"}],
            }],
            "volumes": [{"name": "workspace", "persistentVolumeClaim": {"claimName": f"{scientist}-workspace"}},
                        {"name": "tmp", "emptyDir": {"sizeLimit": "4Gi"}}],
        }}},
        opts=opts)
