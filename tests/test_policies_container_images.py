"""container-image-pinned: the images ECS, Batch, Lambda, App Runner and SageMaker run name a version."""

from __future__ import annotations

import json

import pytest

from policies.rules.container_images import container_image_pinned, image_tag
from policy_helpers import UNKNOWN, found

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/models/ranker"
UNPINNED = [f"{ECR}:latest", ECR, "public.ecr.aws/nginx/nginx", "localhost:5000/ranker"]
PINNED = [f"{ECR}:2024.11.3", f"{ECR}@sha256:" + "a" * 64, "localhost:5000/ranker:1.2", "nginx:1.27-alpine"]


@pytest.mark.parametrize("image, tag", [(f"{ECR}:latest", "latest"), (ECR, None), ("localhost:5000/ranker", None),
                                        ("localhost:5000/ranker:1.2", "1.2"), (f"{ECR}@sha256:ab", "@")])
def test_image_tag(image, tag):
    assert image_tag(image) == tag


def _task(image, native=False):
    containers = [{"name": "app", "image": image, "essential": True}]
    if native:
        return found(container_image_pinned, "aws-native:ecs:TaskDefinition", {"containerDefinitions": containers})
    return found(container_image_pinned, "aws:ecs/taskDefinition:TaskDefinition",
                 {"family": "ranker", "containerDefinitions": json.dumps(containers)})


@pytest.mark.parametrize("image", UNPINNED)
def test_an_ecs_container_on_latest_is_reported(image):
    for native in (False, True):
        messages = _task(image, native)
        assert len(messages) == 1 and "container 'app'" in messages[0] and image in messages[0]


@pytest.mark.parametrize("image", PINNED)
def test_a_pinned_ecs_container_passes(image):
    assert _task(image) == [] and _task(image, native=True) == []


def test_batch_job_definitions_in_all_three_shapes():
    job = "aws:batch/jobDefinition:JobDefinition"
    assert len(found(container_image_pinned, job, {"type": "container",
                                                   "containerProperties": json.dumps({"image": ECR})})) == 1
    ecs = {"taskProperties": [{"containers": [{"name": "a", "image": f"{ECR}:1"}, {"name": "b", "image": f"{ECR}:latest"}]}]}
    messages = found(container_image_pinned, job, {"type": "container", "ecsProperties": json.dumps(ecs)})
    assert len(messages) == 1 and "taskProperties[0].containers[1]" in messages[0]
    eks = {"podProperties": {"containers": [{"image": f"{ECR}:1"}], "initContainers": [{"image": "busybox"}]}}
    messages = found(container_image_pinned, job, {"type": "container", "eksProperties": json.dumps(eks)})
    assert len(messages) == 1 and "initContainers[0]" in messages[0]
    assert found(container_image_pinned, job, {"containerProperties": json.dumps({"image": f"{ECR}:3.1"})}) == []


def test_multi_node_parallel_batch_jobs_are_judged_per_node_range():
    job = "aws:batch/jobDefinition:JobDefinition"
    nodes = {"numNodes": 4, "mainNode": 0, "nodeRangeProperties": [
        {"targetNodes": "0", "container": {"image": f"{ECR}:1"}},
        {"targetNodes": "1:", "container": {"image": f"{ECR}:latest"}},
        {"targetNodes": "2:", "ecsProperties": {"taskProperties": [{"containers": [{"image": ECR}]}]}}]}
    messages = found(container_image_pinned, job, {"type": "multinode", "nodeProperties": json.dumps(nodes)})
    assert len(messages) == 2
    assert "nodeProperties.nodeRangeProperties[1].container.image" in messages[0]
    assert "nodeProperties.nodeRangeProperties[2].ecsProperties.taskProperties[0].containers[0].image" in messages[1]


def test_lambda_app_runner_and_sagemaker_images():
    assert len(found(container_image_pinned, "aws:lambda/function:Function",
                     {"packageType": "Image", "imageUri": f"{ECR}:latest"})) == 1
    assert found(container_image_pinned, "aws:lambda/function:Function", {"packageType": "Image",
                                                                           "imageUri": f"{ECR}:embedder-1"}) == []
    assert len(found(container_image_pinned, "aws-native:lambda:Function", {"code": {"imageUri": ECR}})) == 1
    for source in ({"imageRepository": {"imageIdentifier": f"{ECR}:latest", "imageRepositoryType": "ECR"}},
                   [{"imageRepository": [{"imageIdentifier": f"{ECR}:latest", "imageRepositoryType": "ECR"}]}]):
        assert len(found(container_image_pinned, "aws:apprunner/service:Service", {"sourceConfiguration": source})) == 1
    model = "aws:sagemaker/model:Model"
    assert len(found(container_image_pinned, model, {"primaryContainer": {"image": f"{ECR}:latest"}})) == 1
    messages = found(container_image_pinned, model, {"containers": [{"image": f"{ECR}:2"}, {"image": ECR}]})
    assert len(messages) == 1 and "containers[1].image" in messages[0]
    assert found(container_image_pinned, model, {"primaryContainer": {"modelPackageName": "arn:aws:sagemaker:x"}}) == []
    component = "aws-native:sagemaker:InferenceComponent"
    assert found(container_image_pinned, component, {"specification": {"container": {"image": f"{ECR}:3"}}}) == []
    messages = found(container_image_pinned, component, {"specifications": [
        {"instanceType": "ml.g5.2xlarge", "container": {"image": f"{ECR}:3"}},
        {"instanceType": "ml.g6.2xlarge", "container": {"image": f"{ECR}:latest"}}]})
    assert len(messages) == 1 and "specifications[1].container.image" in messages[0]
    assert len(found(container_image_pinned, component, {"specification": {"container": {"image": ECR}}})) == 1


def test_unknown_images_are_not_judged():
    assert _task(UNKNOWN) == [] and _task(UNKNOWN, native=True) == []
    assert _task(f"{UNKNOWN}/ranker") == []  # a repository URL not known yet, inside the reference
    assert found(container_image_pinned, "aws:lambda/function:Function", {"imageUri": UNKNOWN}) == []
    assert found(container_image_pinned, "aws:ecs/taskDefinition:TaskDefinition", {"containerDefinitions": UNKNOWN}) == []
