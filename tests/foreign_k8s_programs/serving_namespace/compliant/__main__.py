"""A model-serving namespace: guard rails from a YAML file (ConfigFile), the workload in Python."""
import pulumi
import pulumi_kubernetes as k8s

guard_rails = k8s.yaml.ConfigFile("serving-guard-rails", file="manifests/serving.yaml")

labels = {"app": "ranker"}
k8s.apps.v1.Deployment(
    "ranker",
    metadata=k8s.meta.v1.ObjectMetaArgs(name="ranker", namespace="serving", labels=labels),
    spec=k8s.apps.v1.DeploymentSpecArgs(
        replicas=3,
        selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels),
        template=k8s.core.v1.PodTemplateSpecArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
            spec=k8s.core.v1.PodSpecArgs(
                automount_service_account_token=False,
                security_context=k8s.core.v1.PodSecurityContextArgs(
                    run_as_non_root=True, run_as_user=10001,
                    seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault")),
                containers=[k8s.core.v1.ContainerArgs(
                    name="ranker",
                    image="123456789012.dkr.ecr.us-east-1.amazonaws.com/ranker:3.2.0",
                    image_pull_policy="Always",
                    ports=[k8s.core.v1.ContainerPortArgs(container_port=8080)],
                    # requests and the memory limit come from the namespace's LimitRange
                    security_context=k8s.core.v1.SecurityContextArgs(
                        allow_privilege_escalation=False, read_only_root_filesystem=True,
                        capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"])),
                )],
            ),
        ),
    ),
    opts=pulumi.ResourceOptions(depends_on=[guard_rails]),
)
k8s.core.v1.Service("ranker", metadata={"name": "ranker", "namespace": "serving"},
                    spec={"selector": labels, "ports": [{"port": 80, "targetPort": 8080}]},
                    opts=pulumi.ResourceOptions(depends_on=[guard_rails]))
