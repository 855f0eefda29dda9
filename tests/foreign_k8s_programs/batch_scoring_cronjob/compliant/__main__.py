"""Nightly batch scoring: a CronJob reading its settings from a ConfigMap and its token from a Secret
that an external secret store fills (the program never holds the value)."""
import pulumi
import pulumi_kubernetes as k8s

NS = "scoring"
k8s.core.v1.Namespace("scoring", metadata={"name": NS, "labels": {"pod-security.kubernetes.io/enforce": "restricted"}})
k8s.networking.v1.NetworkPolicy("scoring-deny", metadata={"namespace": NS},
                                spec={"podSelector": {}, "policyTypes": ["Ingress"]})
settings = k8s.core.v1.ConfigMap("scoring-settings", metadata={"namespace": NS},
                                 data={"MODEL_URI": "s3://models/churn/v7", "BATCH_SIZE": "512"})
# The token comes from AWS Secrets Manager through the External Secrets Operator.
k8s.apiextensions.CustomResource("scoring-token", api_version="external-secrets.io/v1beta1", kind="ExternalSecret",
                                 metadata={"name": "scoring-token", "namespace": NS},
                                 spec={"secretStoreRef": {"name": "aws", "kind": "ClusterSecretStore"},
                                       "target": {"name": "scoring-token"},
                                       "data": [{"secretKey": "token", "remoteRef": {"key": "prod/scoring/token"}}]})

for model in ["churn", "ltv"]:
    k8s.batch.v1.CronJob(
        f"score-{model}",
        metadata={"namespace": NS},
        spec={
            "schedule": "0 3 * * *",
            "concurrencyPolicy": "Forbid",
            "jobTemplate": {"spec": {"backoffLimit": 1, "template": {"spec": {
                "restartPolicy": "Never",
                "automountServiceAccountToken": False,
                "securityContext": {"runAsNonRoot": True, "runAsUser": 1000,
                                    "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{
                    "name": "score",
                    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/scorer@sha256:" + "b" * 64,
                    "args": ["--model", model],
                    "envFrom": [{"configMapRef": {"name": settings.metadata["name"]}}],
                    "env": [{"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "scoring-token", "key": "token"}}}],
                    "resources": {"requests": {"cpu": "2", "memory": "4Gi"}, "limits": {"memory": "4Gi"}},
                    "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                        "capabilities": {"drop": ["ALL"]}},
                }],
            }}}},
        },
    )
