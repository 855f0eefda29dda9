"""A JupyterHub-style notebook namespace per user, as the team's own ComponentResource."""
import pulumi
import pulumi_kubernetes as k8s


class NotebookSpace(pulumi.ComponentResource):
    def __init__(self, name, user, image, opts=None):
        super().__init__("acme:notebooks:NotebookSpace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ns_name = f"nb-{user}"
        ns = k8s.core.v1.Namespace(f"{name}-ns", metadata={
            "name": ns_name, "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}, opts=child)
        dep = pulumi.ResourceOptions(parent=self, depends_on=[ns])
        k8s.networking.v1.NetworkPolicy(f"{name}-deny", metadata={"namespace": ns_name},
                                        spec={"pod_selector": {}, "policy_types": ["Ingress"]}, opts=dep)
        sa = k8s.core.v1.ServiceAccount(f"{name}-sa", metadata={"name": "notebook", "namespace": ns_name},
                                        automount_service_account_token=False, opts=dep)
        role = k8s.rbac.v1.Role(f"{name}-role", metadata={"namespace": ns_name}, rules=[
            {"api_groups": [""], "resources": ["pods", "pods/log", "configmaps"], "verbs": ["get", "list", "watch"]},
            {"api_groups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "create", "delete"]},
        ], opts=dep)
        k8s.rbac.v1.RoleBinding(f"{name}-binding", metadata={"namespace": ns_name},
                                role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "Role",
                                          "name": role.metadata["name"]},
                                subjects=[{"kind": "User", "name": f"{user}@example.com",
                                           "api_group": "rbac.authorization.k8s.io"}], opts=dep)
        k8s.apps.v1.StatefulSet(f"{name}-server", metadata={"namespace": ns_name}, spec={
            "service_name": "notebook",
            "replicas": 1,
            "selector": {"match_labels": {"app": "notebook"}},
            "template": {
                "metadata": {"labels": {"app": "notebook"}},
                "spec": {
                    "service_account_name": "notebook",
                    "automount_service_account_token": False,
                    "security_context": {"run_as_non_root": True, "run_as_user": 1000, "fs_group": 100,
                                         "seccomp_profile": {"type": "RuntimeDefault"}},
                    "containers": [{
                        "name": "notebook", "image": image, "image_pull_policy": "Always",
                        "ports": [{"container_port": 8888}],
                        "resources": {"requests": {"cpu": "1", "memory": "4Gi"}, "limits": {"memory": "4Gi"}},
                        "security_context": {"allow_privilege_escalation": False, "read_only_root_filesystem": True,
                                             "capabilities": {"drop": ["ALL"]}},
                        "volume_mounts": [{"name": "home", "mount_path": "/home/jovyan"}],
                    }],
                },
            },
            "volume_claim_templates": [{"metadata": {"name": "home"}, "spec": {
                "access_modes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "20Gi"}}}}],
        }, opts=dep)
        self.register_outputs({"namespace": ns_name, "service_account": sa.metadata["name"]})


for user in ["alice", "bob"]:
    NotebookSpace(user, user=user, image="quay.io/jupyter/scipy-notebook:2024-05-27")
