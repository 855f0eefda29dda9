"""Daily feature computation with the Spark operator: the driver's ServiceAccount, bound as the Spark docs
show (``kubectl create rolebinding spark-role --clusterrole=edit``), and a ScheduledSparkApplication.

Seeded: everything in the default namespace; the driver's ServiceAccount bound to the built-in edit role;
the S3 keys as literal hadoopConf properties; executors in the host network with the node's NVMe scratch
mounted (hostPath); the driver runs as root; the image is :latest.
"""
import pulumi
import pulumi_kubernetes as k8s

k8s.core.v1.ServiceAccount("spark", metadata={"name": "spark"})
k8s.rbac.v1.RoleBinding(
    "spark-role", metadata={"name": "spark-role"},
    role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
    subjects=[{"kind": "ServiceAccount", "name": "spark", "namespace": "default"}])

k8s.apiextensions.CustomResource(
    "daily-features", api_version="sparkoperator.k8s.io/v1beta2", kind="ScheduledSparkApplication",
    metadata={"name": "daily-features"},
    spec={
        "schedule": "0 3 * * *",
        "concurrencyPolicy": "Forbid",
        "template": {
            "type": "Python",
            "mode": "cluster",
            "sparkVersion": "3.5.1",
            "image": "apache/spark-py:latest",
            "mainApplicationFile": "s3a://ml-features-code/jobs/daily_features.py",
            "hadoopConf": {
                "fs.s3a.access.key": "AKIAIOSFODNN7EXAMPLE",
                "fs.s3a.secret.key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            },
            "volumes": [{"name": "nvme", "hostPath": {"path": "/mnt/nvme0", "type": "Directory"}}],
            "driver": {"cores": 1, "memory": "4g", "serviceAccount": "spark",
                       "podSecurityContext": {"runAsUser": 0}},
            "executor": {"cores": 4, "instances": 8, "memory": "16g", "hostNetwork": True,
                         "volumeMounts": [{"name": "nvme", "mountPath": "/scratch"}]},
        },
    })
