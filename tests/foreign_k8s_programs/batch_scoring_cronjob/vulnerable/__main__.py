"""Nightly batch scoring, secrets handled carelessly.
Seeded: AWS secret key in a ConfigMap, database password as a Secret literal in the program,
a password as a plain env value, root user, SYS_PTRACE added, no seccomp."""
import pulumi
import pulumi_kubernetes as k8s

NS = "scoring"
k8s.core.v1.Namespace("scoring", metadata={"name": NS})
settings = k8s.core.v1.ConfigMap("scoring-settings", metadata={"namespace": NS},
                                 data={"MODEL_URI": "s3://models/churn/v7",
                                       "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
k8s.core.v1.Secret("scoring-db", metadata={"namespace": NS}, string_data={"password": "Sup3rS3cret!2024"})

for model in ["churn", "ltv"]:
    k8s.batch.v1.CronJob(
        f"score-{model}",
        metadata={"namespace": NS},
        spec={
            "schedule": "0 3 * * *",
            "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "Never",
                "securityContext": {"runAsUser": 0},
                "containers": [{
                    "name": "score",
                    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/scorer:1.0.0",
                    "args": ["--model", model],
                    "envFrom": [{"configMapRef": {"name": settings.metadata["name"]}}],
                    "env": [{"name": "DB_PASSWORD", "value": "Sup3rS3cret!2024"}],
                    "resources": {"requests": {"cpu": "2", "memory": "4Gi"}, "limits": {"memory": "4Gi"}},
                    "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}},
                }],
            }}}},
        },
    )
