"""A vLLM model server on GPU nodes, exposed to the internet (typed Args, snake_case).
Seeded: latest image tag, privileged, no GPU toleration, internet-facing ALB without TLS, default namespace."""
import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.apps.v1 import Deployment, DeploymentSpecArgs
from pulumi_kubernetes.core.v1 import (
    ContainerArgs, ContainerPortArgs, PodSpecArgs, PodTemplateSpecArgs, ResourceRequirementsArgs,
    SecurityContextArgs, Service, ServiceSpecArgs, ServicePortArgs)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import (
    Ingress, IngressSpecArgs, IngressRuleArgs, HTTPIngressRuleValueArgs, HTTPIngressPathArgs, IngressBackendArgs,
    IngressServiceBackendArgs, ServiceBackendPortArgs)

labels = {"app": "llm-server"}

Deployment(
    "llm-server",
    metadata=ObjectMetaArgs(labels=labels),
    spec=DeploymentSpecArgs(
        replicas=2,
        selector=LabelSelectorArgs(match_labels=labels),
        template=PodTemplateSpecArgs(
            metadata=ObjectMetaArgs(labels=labels),
            spec=PodSpecArgs(
                containers=[ContainerArgs(
                    name="vllm",
                    image="vllm/vllm-openai:latest",
                    ports=[ContainerPortArgs(container_port=8000)],
                    resources=ResourceRequirementsArgs(limits={"nvidia.com/gpu": "1"}),
                    security_context=SecurityContextArgs(privileged=True),
                )],
            ),
        ),
    ),
)

svc = Service("llm-server", metadata=ObjectMetaArgs(labels=labels),
              spec=ServiceSpecArgs(selector=labels, ports=[ServicePortArgs(port=80, target_port=8000)]))

Ingress(
    "llm-server",
    metadata=ObjectMetaArgs(annotations={
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip"}),
    spec=IngressSpecArgs(
        ingress_class_name="alb",
        rules=[IngressRuleArgs(http=HTTPIngressRuleValueArgs(paths=[
            HTTPIngressPathArgs(path="/", path_type="Prefix", backend=IngressBackendArgs(
                service=IngressServiceBackendArgs(name=svc.metadata.name,
                                                  port=ServiceBackendPortArgs(number=80))))]))]),
)
