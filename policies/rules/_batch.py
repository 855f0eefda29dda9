"""The containers an AWS Batch job definition runs, for the rules that judge containers (privileged
mode, image tags, environment variables).

pulumi-aws 7 takes ``containerProperties``, ``nodeProperties`` and ``ecsProperties`` as JSON text and
``eksProperties`` as an object (batch/job_definition.py); pulumi-aws-native takes all four as objects
(AWS::Batch::JobDefinition). The containers, by botocore batch ``RegisterJobDefinitionRequest``:
``containerProperties`` (a single-node job's container), ``nodeProperties.nodeRangeProperties[]``
(a multi-node parallel job's node ranges, each with a ``container`` or ``ecsProperties``),
``ecsProperties.taskProperties[].containers[]`` and ``eksProperties.podProperties`` ``containers[]``
and ``initContainers[]`` (Kubernetes-shaped: ``env``, ``securityContext.privileged``).
"""

from __future__ import annotations

from typing import Any, Iterator

from policies.rules._props import as_list, get, is_unknown, json_document, single

JOB_DEFINITION = "aws:batch/jobDefinition:JobDefinition"
JOB_DEFINITIONS = (JOB_DEFINITION, "aws-native:batch:JobDefinition")
#: The label of an EKS pod's containers: they are Kubernetes containers, not ECS-shaped ones.
EKS_PREFIX = "eksProperties."


def _document(props: Any, field: str) -> Any:
    value = get(props, field)
    return None if is_unknown(value) else json_document(value)


def _task_containers(ecs: Any, where: str) -> Iterator[tuple[str, dict]]:
    tasks = ecs.get("taskProperties") if isinstance(ecs, dict) else None
    for i, task in enumerate(tasks if isinstance(tasks, list) else []):
        containers = task.get("containers") if isinstance(task, dict) else None
        for j, container in enumerate(containers if isinstance(containers, list) else []):
            if isinstance(container, dict):
                yield f"{where}taskProperties[{i}].containers[{j}]", container


def batch_containers(props: Any) -> Iterator[tuple[str, dict]]:
    """``(where, container)`` for every container of a job definition (see the module docstring); a
    container under ``EKS_PREFIX`` is Kubernetes-shaped. Unknown or unparsable documents yield nothing."""
    container = _document(props, "containerProperties")
    if isinstance(container, dict):
        yield "containerProperties", container
    nodes = _document(props, "nodeProperties")
    ranges = nodes.get("nodeRangeProperties") if isinstance(nodes, dict) else None
    for index, node in enumerate(ranges if isinstance(ranges, list) else []):
        if not isinstance(node, dict):
            continue
        where = f"nodeProperties.nodeRangeProperties[{index}]"
        if isinstance(node.get("container"), dict):
            yield f"{where}.container", node["container"]
        yield from _task_containers(node.get("ecsProperties"), f"{where}.ecsProperties.")
    yield from _task_containers(_document(props, "ecsProperties"), "ecsProperties.")
    pod = single(get(single(_document(props, "eksProperties")), "podProperties"))
    for kind in ("containers", "initContainers"):
        items = as_list(get(pod, kind)) if isinstance(pod, dict) else None
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                yield f"{EKS_PREFIX}podProperties.{kind}[{index}]", item
