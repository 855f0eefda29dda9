"""Container images AWS runs name a version: a tag other than ``latest``, or a digest.

An image reference without a tag means ``:latest`` (Docker's reference grammar, distribution/reference
``reference.go``: the tag is optional and the engine pulls ``latest`` without one), and ``latest``
moves with every push: the container that runs after a restart or a scale-out is not the one that was
reviewed. ``k8s-image-pinned`` judges Kubernetes pods; this rule judges the AWS services that start
containers from an image reference:

- ECS task definitions: ``containerDefinitions[].image`` (botocore ecs ``ContainerDefinition.image``:
  "repository-url/image:tag or repository-url/image@digest"), pulumi-aws's JSON string and
  pulumi-aws-native's list;
- Batch job definitions: every container's ``image`` (``policies.rules._batch``: single-node,
  multi-node parallel, ECS and EKS containers; botocore batch ``ContainerProperties.image``,
  ``TaskContainerProperties.image``, ``EksContainer.image``);
- Lambda functions packaged as images: ``imageUri`` (pulumi-aws), ``code.imageUri`` (pulumi-aws-native);
- App Runner services: ``sourceConfiguration.imageRepository.imageIdentifier`` (botocore apprunner
  ``ImageRepository.ImageIdentifier``: "the tag or digest of the image");
- SageMaker models: ``primaryContainer.image`` and ``containers[].image`` (botocore sagemaker
  ``ContainerDefinition.Image``), and inference components' own containers (pulumi-aws-native's
  ``specification.container.image``, ``specifications[].container.image``).

An unknown image (a repository URL not known until the repository exists) is not judged.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules._batch import JOB_DEFINITIONS, batch_containers
from policies.rules._components import as_built
from policies.rules._declare import frameworks
from policies.rules._props import as_list, describe, get, is_unknown, single
from policies.rules.ecs import TASK_DEFINITIONS, container_definitions
from policies.rules.sagemaker import INFERENCE_COMPONENT, inference_component_containers

LAMBDA = "aws:lambda/function:Function"
NATIVE_LAMBDA = "aws-native:lambda:Function"
APPRUNNER = "aws:apprunner/service:Service"
NATIVE_APPRUNNER = "aws-native:apprunner:Service"
SAGEMAKER_MODELS = ("aws:sagemaker/model:Model", "aws-native:sagemaker:Model")
IMAGE_TYPES = (*TASK_DEFINITIONS, *JOB_DEFINITIONS, LAMBDA, NATIVE_LAMBDA, APPRUNNER, NATIVE_APPRUNNER, *SAGEMAKER_MODELS,
               INFERENCE_COMPONENT)


def image_tag(image: str) -> Optional[str]:
    """The tag of an image reference, ``None`` when untagged; a digest (``@sha256:...``) counts as ``@``."""
    if "@" in image:
        return "@"
    last = image.rsplit("/", 1)[-1]  # a registry's port (host:5000/repo) is not a tag
    return last.rsplit(":", 1)[1] if ":" in last else None


def images(resource_type: str, props: Any) -> Iterator[tuple[str, Any]]:
    """``(where, image)`` for every container image reference a resource of ``resource_type`` runs."""
    if resource_type in TASK_DEFINITIONS:
        for index, container in enumerate(container_definitions(props) or ()):
            yield f"container {container.get('name') or index!r}", container.get("image")
    elif resource_type in JOB_DEFINITIONS:
        for where, container in batch_containers(props):
            yield f"{where}.image", container.get("image")
    elif resource_type == LAMBDA:
        yield "imageUri", get(props, "imageUri")
    elif resource_type == NATIVE_LAMBDA:
        yield "code.imageUri", get(props, "code", "imageUri")
    elif resource_type in (APPRUNNER, NATIVE_APPRUNNER):
        repository = single(get(single(get(props, "sourceConfiguration")), "imageRepository"))
        yield "sourceConfiguration.imageRepository.imageIdentifier", get(repository, "imageIdentifier")
    elif resource_type in SAGEMAKER_MODELS:
        yield "primaryContainer.image", get(single(get(props, "primaryContainer")), "image")
        containers = as_list(get(props, "containers"))
        for index, container in enumerate(containers if isinstance(containers, list) else []):
            yield f"containers[{index}].image", get(container, "image")
    elif resource_type == INFERENCE_COMPONENT:
        for where, container in inference_component_containers(props):
            yield f"{where}.image", container.get("image")


def _validate_pinned(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for where, image in images(args.resource_type, args.props):
        if not isinstance(image, str) or not image.strip() or is_unknown(image) or UNKNOWN_STRING_VALUE in image:
            continue
        tag = image_tag(image.strip())
        if tag is None:
            report(f"{describe(args)}: {where} is {image!r}, without a tag (that is :latest); pin a version or "
                   "a digest")
        elif tag == "latest":
            report(f"{describe(args)}: {where} is {image!r}; pin a version or a digest instead of :latest")


container_image_pinned = ResourceValidationPolicy(
    name="container-image-pinned",
    description="Container images that ECS, Batch, Lambda, App Runner and SageMaker (models and inference "
                "components) run name a tag other than "
                "latest, or a digest: what runs is what was reviewed.",
    validate=as_built(IMAGE_TYPES, _validate_pinned),
    severity=Severity.MEDIUM,
    remediation_steps="Reference images as repository:version (from an ECR repository with immutable tags) or "
                      "repository@sha256:digest, and publish every build under a new tag.",
    **frameworks({"nist-800-53": "CM-2, SI-7", "pci-dss": "6.3.2"}),
)

SECURITY = [container_image_pinned]
PRIVACY: list = []
COMPLIANCE: list = []
