"""Per-user notebook servers for the research team, JupyterHub-style: the hub's ServiceAccount and RBAC as
plain objects in a yaml.v2.ConfigGroup (``objs``), the proxy Service, and one notebook Pod per user from
a helper (typed ``PodSpecArgs``), as KubeSpawner makes them. Pod Security Restricted enforced on the
namespace, the hub's Role limited to what KubeSpawner calls, an internal load balancer, per-user PVCs.
"""
import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core.v1 import (
    ContainerArgs, EnvVarArgs, PodSecurityContextArgs, PodSpecArgs, SeccompProfileArgs, SecurityContextArgs,
    VolumeArgs, VolumeMountArgs)

NS = "jhub"
USERS = ["alice", "bob", "chen"]
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/datascience-notebook@sha256:" + "f" * 64

ns = k8s.core.v1.Namespace("jhub", metadata={"name": NS, "labels": {
    "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.31"}})
opts = pulumi.ResourceOptions(depends_on=[ns])

HUB_RBAC = [
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "hub", "namespace": NS}},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "hub", "namespace": NS},
     "rules": [
         {"apiGroups": [""], "resources": ["pods", "persistentvolumeclaims", "services"],
          "verbs": ["get", "watch", "list", "create", "delete"]},
         {"apiGroups": [""], "resources": ["events"], "verbs": ["get", "watch", "list"]},
     ]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "hub", "namespace": NS},
     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "hub"},
     "subjects": [{"kind": "ServiceAccount", "name": "hub", "namespace": NS}]},
    {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "singleuser", "namespace": NS},
     "spec": {"podSelector": {"matchLabels": {"component": "singleuser-server"}}, "policyTypes": ["Ingress"],
              "ingress": [{"from": [{"podSelector": {"matchLabels": {"component": "proxy"}}}],
                           "ports": [{"port": 8888}]}]}},
    {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
     "metadata": {"name": "default-deny", "namespace": NS}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "proxy-public", "namespace": NS, "annotations": {
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
        "service.beta.kubernetes.io/aws-load-balancer-type": "external"}},
     "spec": {"type": "LoadBalancer", "selector": {"component": "proxy"},
              "ports": [{"name": "https", "port": 443, "targetPort": 8443}]}},
]
k8s.yaml.v2.ConfigGroup("hub", objs=HUB_RBAC, opts=opts)


def notebook(user: str) -> k8s.core.v1.Pod:
    claim = k8s.core.v1.PersistentVolumeClaim(
        f"claim-{user}", metadata={"name": f"claim-{user}", "namespace": NS},
        spec={"accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
              "resources": {"requests": {"storage": "20Gi"}}}, opts=opts)
    return k8s.core.v1.Pod(
        f"jupyter-{user}",
        metadata={"name": f"jupyter-{user}", "namespace": NS,
                  "labels": {"component": "singleuser-server", "hub.jupyter.org/username": user}},
        spec=PodSpecArgs(
            automount_service_account_token=False,
            security_context=PodSecurityContextArgs(run_as_non_root=True, run_as_user=1000, fs_group=100,
                                                    seccomp_profile=SeccompProfileArgs(type="RuntimeDefault")),
            containers=[ContainerArgs(
                name="notebook",
                image=IMAGE,
                image_pull_policy="Always",
                args=["start-notebook.sh", "--ServerApp.port=8888"],
                env=[EnvVarArgs(name="JUPYTERHUB_USER", value=user)],
                resources={"requests": {"cpu": "1", "memory": "4Gi"}, "limits": {"memory": "4Gi"}},
                security_context=SecurityContextArgs(allow_privilege_escalation=False, read_only_root_filesystem=True,
                                                     capabilities={"drop": ["ALL"]}),
                volume_mounts=[VolumeMountArgs(name="home", mount_path="/home/jovyan"),
                               VolumeMountArgs(name="tmp", mount_path="/tmp")],
            )],
            volumes=[VolumeArgs(name="home", persistent_volume_claim={"claimName": claim.metadata["name"]}),
                     VolumeArgs(name="tmp", empty_dir={"sizeLimit": "2Gi"})],
        ),
        opts=opts,
    )


servers = [notebook(user) for user in USERS]
pulumi.export("notebooks", [s.metadata["name"] for s in servers])
