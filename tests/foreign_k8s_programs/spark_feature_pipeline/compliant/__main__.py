"""Daily feature computation with the Spark operator: the team's namespace, the driver's ServiceAccount
(IRSA for S3) with the Role Spark's driver needs to run executors, and a ScheduledSparkApplication with
Pod Security Restricted settings on the driver and the executors.
"""
import pulumi
import pulumi_kubernetes as k8s

NS = "features"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/spark-py@sha256:" + "7" * 64
ns = k8s.core.v1.Namespace("features", metadata={"name": NS, "labels": {
    "pod-security.kubernetes.io/enforce": "restricted"}})
opts = pulumi.ResourceOptions(depends_on=[ns])

k8s.networking.v1.NetworkPolicy("default-deny", metadata={"name": "default-deny", "namespace": NS},
                                spec={"podSelector": {}, "policyTypes": ["Ingress"]}, opts=opts)
k8s.networking.v1.NetworkPolicy("spark-internal", metadata={"name": "spark-internal", "namespace": NS}, spec={
    "podSelector": {"matchLabels": {"spark-role": "driver"}}, "policyTypes": ["Ingress"],
    "ingress": [{"from": [{"podSelector": {"matchLabels": {"spark-role": "executor"}}}]}]}, opts=opts)

k8s.core.v1.ServiceAccount("spark", metadata={"name": "spark", "namespace": NS, "annotations": {
    "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/spark-features"}}, opts=opts)
k8s.rbac.v1.Role("spark-driver", metadata={"name": "spark-driver", "namespace": NS}, rules=[
    {"apiGroups": [""], "resources": ["pods", "services", "configmaps", "persistentvolumeclaims"],
     "verbs": ["create", "get", "list", "watch", "delete", "deletecollection"]},
], opts=opts)
k8s.rbac.v1.RoleBinding(
    "spark-driver", metadata={"name": "spark-driver", "namespace": NS},
    role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "spark-driver"},
    subjects=[{"kind": "ServiceAccount", "name": "spark", "namespace": NS}], opts=opts)

RESTRICTED_POD = {"runAsNonRoot": True, "runAsUser": 185, "fsGroup": 185, "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}

k8s.apiextensions.CustomResource(
    "daily-features", api_version="sparkoperator.k8s.io/v1beta2", kind="ScheduledSparkApplication",
    metadata={"name": "daily-features", "namespace": NS},
    spec={
        "schedule": "0 3 * * *",
        "concurrencyPolicy": "Forbid",
        "template": {
            "type": "Python",
            "mode": "cluster",
            "sparkVersion": "3.5.1",
            "image": IMAGE,
            "imagePullPolicy": "Always",
            "mainApplicationFile": "s3a://ml-features-code/jobs/daily_features.py",
            "hadoopConf": {"fs.s3a.aws.credentials.provider":
                           "com.amazonaws.auth.WebIdentityTokenCredentialsProvider"},
            "volumes": [{"name": "scratch", "emptyDir": {"sizeLimit": "100Gi"}}],
            "driver": {"cores": 1, "memory": "4g", "serviceAccount": "spark",
                       "podSecurityContext": RESTRICTED_POD, "securityContext": RESTRICTED},
            "executor": {"cores": 4, "instances": 8, "memory": "16g",
                         "podSecurityContext": RESTRICTED_POD, "securityContext": RESTRICTED,
                         "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}]},
        },
    }, opts=opts)
