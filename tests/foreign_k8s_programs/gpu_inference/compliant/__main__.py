"""A vLLM model server on GPU nodes, behind an internal ALB (typed Args, snake_case)."""
import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.apps.v1 import Deployment, DeploymentSpecArgs
from pulumi_kubernetes.core.v1 import (
    ContainerArgs, ContainerPortArgs, PodSecurityContextArgs, PodSpecArgs, PodTemplateSpecArgs,
    ResourceRequirementsArgs, SecurityContextArgs, SeccompProfileArgs, CapabilitiesArgs, Service, ServiceSpecArgs,
    ServicePortArgs, TolerationArgs, VolumeArgs, VolumeMountArgs, EmptyDirVolumeSourceArgs, ServiceAccount,
    ProbeArgs, HTTPGetActionArgs)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import (
    Ingress, IngressSpecArgs, IngressRuleArgs, HTTPIngressRuleValueArgs, HTTPIngressPathArgs, IngressBackendArgs,
    IngressServiceBackendArgs, ServiceBackendPortArgs, IngressTLSArgs, NetworkPolicy, NetworkPolicySpecArgs)

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/vllm-openai@sha256:" + "a" * 64
labels = {"app": "llm-server", "team": "inference"}

ns = k8s.core.v1.Namespace("inference", metadata=ObjectMetaArgs(
    name="inference", labels={"pod-security.kubernetes.io/enforce": "restricted"}))

NetworkPolicy("default-deny", metadata=ObjectMetaArgs(namespace=ns.metadata.name),
              spec=NetworkPolicySpecArgs(pod_selector=LabelSelectorArgs(), policy_types=["Ingress", "Egress"]))

sa = ServiceAccount("llm-server", metadata=ObjectMetaArgs(namespace=ns.metadata.name),
                    automount_service_account_token=False)

Deployment(
    "llm-server",
    metadata=ObjectMetaArgs(namespace=ns.metadata.name, labels=labels),
    spec=DeploymentSpecArgs(
        replicas=2,
        selector=LabelSelectorArgs(match_labels=labels),
        template=PodTemplateSpecArgs(
            metadata=ObjectMetaArgs(labels=labels),
            spec=PodSpecArgs(
                service_account_name=sa.metadata.name,
                automount_service_account_token=False,
                security_context=PodSecurityContextArgs(
                    run_as_non_root=True, run_as_user=1000, fs_group=1000,
                    seccomp_profile=SeccompProfileArgs(type="RuntimeDefault")),
                tolerations=[TolerationArgs(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")],
                node_selector={"karpenter.k8s.aws/instance-family": "g5"},
                containers=[ContainerArgs(
                    name="vllm",
                    image=IMAGE,
                    image_pull_policy="Always",
                    args=["--model", "/models/llama", "--port", "8000"],
                    ports=[ContainerPortArgs(container_port=8000, name="http")],
                    resources=ResourceRequirementsArgs(
                        requests={"cpu": "4", "memory": "24Gi", "nvidia.com/gpu": "1"},
                        limits={"memory": "24Gi", "nvidia.com/gpu": "1"}),
                    security_context=SecurityContextArgs(
                        allow_privilege_escalation=False, read_only_root_filesystem=True,
                        capabilities=CapabilitiesArgs(drop=["ALL"])),
                    readiness_probe=ProbeArgs(http_get=HTTPGetActionArgs(path="/health", port=8000)),
                    volume_mounts=[VolumeMountArgs(name="cache", mount_path="/tmp")],
                )],
                volumes=[VolumeArgs(name="cache", empty_dir=EmptyDirVolumeSourceArgs(size_limit="10Gi"))],
            ),
        ),
    ),
)

svc = Service("llm-server", metadata=ObjectMetaArgs(namespace=ns.metadata.name, labels=labels),
              spec=ServiceSpecArgs(selector=labels, ports=[ServicePortArgs(port=80, target_port=8000)]))

Ingress(
    "llm-server",
    metadata=ObjectMetaArgs(
        namespace=ns.metadata.name,
        annotations={
            "alb.ingress.kubernetes.io/scheme": "internal",
            "alb.ingress.kubernetes.io/target-type": "ip",
            "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
            "alb.ingress.kubernetes.io/certificate-arn":
                "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
        }),
    spec=IngressSpecArgs(
        ingress_class_name="alb",
        tls=[IngressTLSArgs(hosts=["llm.internal.example.com"])],
        rules=[IngressRuleArgs(host="llm.internal.example.com", http=HTTPIngressRuleValueArgs(paths=[
            HTTPIngressPathArgs(path="/", path_type="Prefix", backend=IngressBackendArgs(
                service=IngressServiceBackendArgs(name=svc.metadata.name,
                                                  port=ServiceBackendPortArgs(number=80))))]))]),
)
pulumi.export("service", svc.metadata.name)
