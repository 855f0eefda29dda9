"""Nightly retraining pipeline on Argo Workflows: a WorkflowTemplate (apiextensions.CustomResource) and a
CronWorkflow that runs it (yaml.v2.ConfigGroup), the workflow's ServiceAccount and its RBAC.

Seeded: everything in the default namespace; the workflow ServiceAccount bound to cluster-admin; AWS keys
and a W&B API key as literal env values of the preprocess step; the train step privileged; the raw data
read from a hostPath volume declared at workflow level; the workflow's pods in the host network and run as
root (runAsUser 0 in the workflow securityContext); the evaluate script on python:latest.
"""
import pulumi
import pulumi_kubernetes as k8s

sa = k8s.core.v1.ServiceAccount("argo-workflow", metadata={"name": "argo-workflow"})

k8s.rbac.v1.ClusterRoleBinding(
    "argo-workflow-admin",
    metadata={"name": "argo-workflow-admin"},
    role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
    subjects=[{"kind": "ServiceAccount", "name": "argo-workflow", "namespace": "default"}],
)

TRAINER = "123456789012.dkr.ecr.us-east-1.amazonaws.com/retrain:2024.06.1"

template = k8s.apiextensions.CustomResource(
    "retrain",
    api_version="argoproj.io/v1alpha1",
    kind="WorkflowTemplate",
    metadata={"name": "retrain"},
    spec={
        "entrypoint": "pipeline",
        "serviceAccountName": "argo-workflow",
        "hostNetwork": True,
        "securityContext": {"runAsUser": 0},
        "volumes": [{"name": "raw", "hostPath": {"path": "/mnt/datasets/raw"}}],
        "templates": [
            {"name": "pipeline", "dag": {"tasks": [
                {"name": "preprocess", "template": "preprocess"},
                {"name": "train", "template": "train", "dependencies": ["preprocess"]},
                {"name": "evaluate", "template": "evaluate", "dependencies": ["train"]},
            ]}},
            {"name": "preprocess", "container": {
                "image": TRAINER,
                "command": ["python", "-m", "retrain.preprocess"],
                "env": [
                    {"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"},
                    {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
                    {"name": "WANDB_API_KEY", "value": "0123456789abcdef0123456789abcdef01234567"},
                ],
                "volumeMounts": [{"name": "raw", "mountPath": "/data/raw"}],
                "resources": {"requests": {"cpu": "2", "memory": "8Gi"}, "limits": {"memory": "8Gi"}},
            }},
            {"name": "train", "container": {
                "image": TRAINER,
                "command": ["torchrun", "--nproc_per_node=1", "-m", "retrain.train"],
                "securityContext": {"privileged": True},
                "resources": {"requests": {"cpu": "8", "memory": "48Gi", "nvidia.com/gpu": "1"},
                              "limits": {"memory": "48Gi", "nvidia.com/gpu": "1"}},
            }, "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]},
            {"name": "evaluate", "script": {
                "image": "python:latest",
                "command": ["python"],
                "source": "import json; print(json.dumps({'auc': 0.91}))",
                "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"memory": "2Gi"}},
            }},
        ],
    },
)

k8s.yaml.v2.ConfigGroup("nightly", yaml="""
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly-retrain
spec:
  schedule: "0 2 * * *"
  concurrencyPolicy: Forbid
  workflowSpec:
    workflowTemplateRef:
      name: retrain
""", opts=pulumi.ResourceOptions(depends_on=[template]))

pulumi.export("service_account", sa.metadata.name)
