"""A model-serving namespace: guard rails from a YAML file (ConfigFile), the workload in Python."""
import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

TAGS = {"owner": "ranking", "cost-center": "42", "environment": "prod", "data-classification": "internal"}
key = aws.kms.Key("ranker-images", enable_key_rotation=True, deletion_window_in_days=30, tags=TAGS,
                  opts=pulumi.ResourceOptions(protect=True))
# Tags cannot be moved in this repository, so the node's cached image is the tag's (no imagePullPolicy needed).
repo = aws.ecr.Repository("ranker", image_tag_mutability="IMMUTABLE",
                          image_scanning_configuration={"scan_on_push": True},
                          encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}],
                          tags=TAGS, opts=pulumi.ResourceOptions(protect=True))

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
                    image=repo.repository_url.apply(lambda url: f"{url}:3.2.0"),
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
