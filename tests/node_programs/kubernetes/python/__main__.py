"""The program of ../typescript/index.ts, written in Python: tests/test_node_program.py compares their plans."""

import pulumi
import pulumi_kubernetes as k8s

labels = {"app": "ranker"}
ns = k8s.core.v1.Namespace("serving", metadata={"labels": {"pod-security.kubernetes.io/enforce": "restricted"}})
deployment = k8s.apps.v1.Deployment("ranker", metadata={"namespace": ns.metadata.name}, spec={
    "replicas": 2,
    "selector": {"match_labels": labels},
    "template": {
        "metadata": {"labels": labels},
        "spec": {"containers": [{
            "name": "server",
            "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/ranker:1.4.2",
            "ports": [{"container_port": 8080}],
            "security_context": {"privileged": True, "allow_privilege_escalation": True},
            "resources": {"limits": {"cpu": "2", "memory": "4Gi"}, "requests": {"cpu": "1", "memory": "2Gi"}},
        }]},
    },
})
k8s.core.v1.Service("ranker", metadata={"namespace": ns.metadata.name},
                    spec={"selector": labels, "ports": [{"port": 80, "target_port": 8080}]},
                    opts=pulumi.ResourceOptions(depends_on=[deployment]))
pulumi.export("namespace", ns.metadata.name)
