"""Kubeflow notebook servers for the applied-science team: a Profile (its namespace), a PodDefault that
hands every notebook the experiment tracker's credentials, and one GPU Notebook per scientist, declared
with apiextensions.CustomResource from a config dict.

Seeded: the PodDefault passes the MLflow token and AWS keys as literal env values; notebooks run as root
(runAsUser 0, NB_GRANT_SUDO), mount the shared datasets from the node (hostPath), use a :latest image, ask
for a GPU without tolerating the GPU taint and set no memory limit; the Profile's namespace has no
NetworkPolicy.
"""
import pulumi
import pulumi_kubernetes as k8s

TEAM = {"namespace": "applied-science", "owner": "lead@example.com", "scientists": ["dana", "eli"]}
NS = TEAM["namespace"]

profile = k8s.apiextensions.CustomResource(
    "profile", api_version="kubeflow.org/v1", kind="Profile",
    metadata={"name": NS},
    spec={"owner": {"kind": "User", "name": TEAM["owner"]}})

k8s.apiextensions.CustomResource(
    "tracking-credentials", api_version="kubeflow.org/v1alpha1", kind="PodDefault",
    metadata={"name": "tracking-credentials", "namespace": NS},
    spec={"desc": "MLflow and S3 access", "selector": {"matchLabels": {"tracking-credentials": "true"}},
          "env": [{"name": "MLFLOW_TRACKING_URI", "value": "https://mlflow.internal.example.com"},
                  {"name": "MLFLOW_TRACKING_TOKEN", "value": "mlf_6c1d0e9a5b7f4e2a8d3c1b0a9f8e7d6c"},
                  {"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"},
                  {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}]},
    opts=pulumi.ResourceOptions(depends_on=[profile]))

for scientist in TEAM["scientists"]:
    k8s.apiextensions.CustomResource(
        f"notebook-{scientist}", api_version="kubeflow.org/v1", kind="Notebook",
        metadata={"name": scientist, "namespace": NS, "labels": {"tracking-credentials": "true"}},
        spec={"template": {"spec": {
            "securityContext": {"runAsUser": 0},
            "containers": [{
                "name": scientist,
                "image": "kubeflownotebookswg/jupyter-pytorch-cuda-full:latest",
                "env": [{"name": "NB_GRANT_SUDO", "value": "yes"}],
                "resources": {"requests": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"},
                              "limits": {"nvidia.com/gpu": "1"}},
                "volumeMounts": [{"name": "datasets", "mountPath": "/home/jovyan/datasets"}],
            }],
            "volumes": [{"name": "datasets", "hostPath": {"path": "/mnt/fsx/datasets"}}],
        }}},
        opts=pulumi.ResourceOptions(depends_on=[profile]))
