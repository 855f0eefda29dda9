"""A model-serving namespace, exposed directly.
Seeded: Service type LoadBalancer without an internal annotation, a Service with externalIPs,
container without requests or memory limit (no LimitRange), a NodePort-style hostPort, root user."""
import pulumi
import pulumi_kubernetes as k8s

guard_rails = k8s.yaml.ConfigFile("serving-guard-rails", file="manifests/serving.yaml")
labels = {"app": "ranker"}
k8s.apps.v1.Deployment(
    "ranker",
    metadata={"name": "ranker", "namespace": "serving", "labels": labels},
    spec={"replicas": 3, "selector": {"matchLabels": labels}, "template": {
        "metadata": {"labels": labels},
        "spec": {"containers": [{
            "name": "ranker", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/ranker:3.2.0",
            "ports": [{"containerPort": 8080, "hostPort": 8080}],
        }]},
    }},
    opts=pulumi.ResourceOptions(depends_on=[guard_rails]),
)
k8s.core.v1.Service("ranker-public", metadata={"name": "ranker-public", "namespace": "serving"},
                    spec={"type": "LoadBalancer", "selector": labels, "ports": [{"port": 80, "targetPort": 8080}]})
k8s.core.v1.Service("ranker-external", metadata={"name": "ranker-external", "namespace": "serving"},
                    spec={"selector": labels, "externalIPs": ["203.0.113.10"], "ports": [{"port": 80}]})
