"""Notebook namespaces where data scientists 'just get admin'.
Seeded: ClusterRoleBinding of cluster-admin to a group, a Role with wildcard verbs and secrets read,
a binding for system:authenticated, the default service account bound to a role, notebook runs as root,
a pipeline ClusterRole that mints tokens for any service account and creates PersistentVolumes."""
import pulumi
import pulumi_kubernetes as k8s


class NotebookSpace(pulumi.ComponentResource):
    def __init__(self, name, user, image, opts=None):
        super().__init__("acme:notebooks:NotebookSpace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ns_name = f"nb-{user}"
        k8s.core.v1.Namespace(f"{name}-ns", metadata={"name": ns_name}, opts=child)
        role = k8s.rbac.v1.Role(f"{name}-role", metadata={"namespace": ns_name}, rules=[
            {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
            {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]},
        ], opts=child)
        k8s.rbac.v1.RoleBinding(f"{name}-binding", metadata={"namespace": ns_name},
                                role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                          "name": role.metadata["name"]},
                                subjects=[{"kind": "ServiceAccount", "name": "default", "namespace": ns_name},
                                          {"kind": "Group", "name": "system:authenticated",
                                           "apiGroup": "rbac.authorization.k8s.io"}], opts=child)
        k8s.apps.v1.StatefulSet(f"{name}-server", metadata={"namespace": ns_name}, spec={
            "serviceName": "notebook", "replicas": 1,
            "selector": {"matchLabels": {"app": "notebook"}},
            "template": {"metadata": {"labels": {"app": "notebook"}}, "spec": {
                "securityContext": {"runAsUser": 0},
                "containers": [{"name": "notebook", "image": image,
                                "resources": {"requests": {"cpu": "1", "memory": "4Gi"}, "limits": {"memory": "4Gi"}}}],
            }},
        }, opts=child)
        self.register_outputs({})


k8s.rbac.v1.ClusterRoleBinding("data-scientists-admin",
                               role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                         "name": "cluster-admin"},
                               subjects=[{"kind": "Group", "name": "data-scientists",
                                          "apiGroup": "rbac.authorization.k8s.io"}])
k8s.rbac.v1.ClusterRole("pipeline-runner", rules=[
    {"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]},
    {"apiGroups": [""], "resources": ["persistentvolumes", "persistentvolumeclaims"], "verbs": ["get", "create"]},
])
for user in ["alice", "bob"]:
    NotebookSpace(user, user=user, image="quay.io/jupyter/scipy-notebook:2024-05-27")
