"""Per-user notebook servers for the research team, JupyterHub-style: the hub's ServiceAccount and RBAC as
plain objects in a yaml.v2.ConfigGroup (``objs``), the proxy Service, and one notebook Pod per user from
a helper (typed ``PodSpecArgs``), as KubeSpawner makes them.

Seeded: the namespace's Pod Security admission label is ``enforce: privileged``; the hub's Role reads
Secrets and execs into pods; its ClusterRole impersonates users and escalates roles; the notebooks' own
ServiceAccount is bound to the built-in ``edit`` ClusterRole (Secrets, exec, tokens); the public proxy is
an internet-facing load balancer (no scheme annotation: the in-tree default); notebooks run as root with
sudo granted, mount the user's home from the node (hostPath), use an untagged image and set no memory
limit; a NetworkPolicy allows all ingress.
"""
import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core.v1 import ContainerArgs, EnvVarArgs, PodSpecArgs, VolumeArgs, VolumeMountArgs

NS = "jhub"
USERS = ["alice", "bob", "chen"]

ns = k8s.core.v1.Namespace("jhub", metadata={"name": NS, "labels": {
    "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/warn": "baseline"}})
opts = pulumi.ResourceOptions(depends_on=[ns])

HUB_RBAC = [
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "hub", "namespace": NS}},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "hub", "namespace": NS},
     "rules": [
         {"apiGroups": [""], "resources": ["pods", "persistentvolumeclaims", "services"],
          "verbs": ["get", "watch", "list", "create", "delete"]},
         {"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]},
         {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]},
         {"apiGroups": [""], "resources": ["events"], "verbs": ["get", "watch", "list"]},
     ]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "hub", "namespace": NS},
     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "hub"},
     "subjects": [{"kind": "ServiceAccount", "name": "hub", "namespace": NS}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "jhub-hub-users"},
     "rules": [
         {"apiGroups": [""], "resources": ["users", "groups", "serviceaccounts"], "verbs": ["impersonate"]},
         {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"],
          "verbs": ["create", "escalate", "bind"]},
     ]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "jhub-hub-users"},
     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "jhub-hub-users"},
     "subjects": [{"kind": "ServiceAccount", "name": "hub", "namespace": NS}]},
    # Notebooks launch their own training Jobs: the users' ServiceAccount gets the built-in edit role.
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "singleuser", "namespace": NS}},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
     "metadata": {"name": "singleuser-edit", "namespace": NS},
     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
     "subjects": [{"kind": "ServiceAccount", "name": "singleuser", "namespace": NS}]},
    {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "singleuser", "namespace": NS},
     "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "proxy-public", "namespace": NS},
     "spec": {"type": "LoadBalancer", "selector": {"component": "proxy"},
              "ports": [{"name": "http", "port": 80, "targetPort": 8000}]}},
]
k8s.yaml.v2.ConfigGroup("hub", objs=HUB_RBAC, opts=opts)


def notebook(user: str) -> k8s.core.v1.Pod:
    return k8s.core.v1.Pod(
        f"jupyter-{user}",
        metadata={"name": f"jupyter-{user}", "namespace": NS,
                  "labels": {"component": "singleuser-server", "hub.jupyter.org/username": user}},
        spec=PodSpecArgs(
            service_account_name="singleuser",
            security_context={"runAsUser": 0, "fsGroup": 100},
            containers=[ContainerArgs(
                name="notebook",
                image="jupyter/datascience-notebook",
                args=["start-notebook.sh", "--ServerApp.port=8888"],
                env=[EnvVarArgs(name="GRANT_SUDO", value="yes"), EnvVarArgs(name="JUPYTERHUB_USER", value=user)],
                resources={"requests": {"cpu": "1", "memory": "4Gi"}},
                volume_mounts=[VolumeMountArgs(name="home", mount_path="/home/jovyan")],
            )],
            volumes=[VolumeArgs(name="home", host_path={"path": f"/mnt/home/{user}", "type": "DirectoryOrCreate"})],
        ),
        opts=opts,
    )


servers = [notebook(user) for user in USERS]
pulumi.export("notebooks", [s.metadata["name"] for s in servers])
