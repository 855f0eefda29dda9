"""Pulumi inputs of AWS resources translated into the API request the provider makes, and checked
against botocore's own service model (what AWS itself validates first).

``REQUESTS`` names, per resource type, the service and operation the provider calls to create it,
the inputs whose names differ from the API's (``renames``, dotted paths at the top level), the
members the provider supplies itself (``supplied``: auto-names), and extra requests some inputs turn
into (a key's deletion window is ScheduleKeyDeletion's, its rotation period EnableKeyRotation's).
Everything else is matched by name, case-insensitively, shape by shape; a Pulumi map becomes a list
of ``Key``/``Value`` (or ``Name``/``Value``) structures where the API wants one; inputs the API has no
member for are the provider's own and are left out.

``request_violations`` runs botocore's ``ParamValidator`` (required members, types, minimums) and adds
what it does not check: enums, maximum lengths and values, patterns, and unions (mutually exclusive
members). Values that are unknown (Pulumi's
unknown sentinel) skip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Optional

import botocore.session
from botocore.validate import ParamValidator

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass(frozen=True)
class Request:
    service: str
    operation: str
    renames: dict[str, str] = field(default_factory=dict)
    supplied: tuple[str, ...] = ()
    #: A function of the inputs giving the (possibly reshaped) inputs for this request.
    prepare: Optional[Callable[[dict], dict]] = None


def _eks_cluster(inputs: dict) -> dict:
    out = dict(inputs)
    encryption = out.pop("encryptionConfig", None)
    if encryption:
        out["encryptionConfig"] = [encryption]
    types = out.pop("enabledClusterLogTypes", None)
    if types:
        out["logging"] = {"clusterLogging": [{"types": types, "enabled": True}]}
    return out


def _ecr_repository(inputs: dict) -> dict:
    out = dict(inputs)
    configs = out.pop("encryptionConfigurations", None)
    if configs:
        out["encryptionConfiguration"] = configs[0]
    return out


def _event_target(inputs: dict) -> dict:
    target = {k: v for k, v in inputs.items() if k not in ("rule", "eventBusName", "targetId")}
    target["Id"] = inputs.get("targetId", "supplied-by-provider")
    return {"rule": inputs.get("rule"), "eventBusName": inputs.get("eventBusName"), "targets": [target]}


REQUESTS: dict[str, list[Request]] = {
    "aws:sagemaker/model:Model": [Request("sagemaker", "CreateModel", {"name": "ModelName"}, ("ModelName",))],
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": [Request(
        "sagemaker", "CreateEndpointConfig", {"name": "EndpointConfigName", "kmsKeyArn": "KmsKeyId"},
        ("EndpointConfigName",))],
    "aws:sagemaker/endpoint:Endpoint": [Request("sagemaker", "CreateEndpoint", {"name": "EndpointName"})],
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": [Request("sagemaker", "CreateModelPackageGroup")],
    "aws:sagemaker/featureGroup:FeatureGroup": [Request("sagemaker", "CreateFeatureGroup")],
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": [Request(
        "sagemaker", "CreateDataQualityJobDefinition", {"name": "JobDefinitionName"}, ("JobDefinitionName",))],
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": [Request(
        "sagemaker", "CreateMonitoringSchedule", {"name": "MonitoringScheduleName"}, ("MonitoringScheduleName",))],
    "aws:eks/cluster:Cluster": [Request("eks", "CreateCluster", {"vpcConfig": "resourcesVpcConfig"}, ("name",),
                                        _eks_cluster)],
    "aws:eks/nodeGroup:NodeGroup": [Request(
        "eks", "CreateNodegroup", {"nodeGroupName": "nodegroupName", "nodeRoleArn": "nodeRole", "subnetIds": "subnets"},
        ("nodegroupName",))],
    "aws:eks/addon:Addon": [Request("eks", "CreateAddon", {"resolveConflictsOnCreate": "resolveConflicts"})],
    "aws:eks/accessEntry:AccessEntry": [Request("eks", "CreateAccessEntry")],
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": [Request("eks", "AssociateAccessPolicy")],
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": [Request("eks", "CreatePodIdentityAssociation")],
    "aws:ecr/repository:Repository": [Request("ecr", "CreateRepository", {"name": "repositoryName"}, (),
                                              _ecr_repository)],
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": [Request(
        "ecr", "PutLifecyclePolicy", {"repository": "repositoryName", "policy": "lifecyclePolicyText"})],
    "aws:ecr/repositoryPolicy:RepositoryPolicy": [Request(
        "ecr", "SetRepositoryPolicy", {"repository": "repositoryName", "policy": "policyText"})],
    "aws:kms/key:Key": [
        Request("kms", "CreateKey", {"customerMasterKeySpec": "KeySpec"}),
        Request("kms", "ScheduleKeyDeletion", {"deletionWindowInDays": "PendingWindowInDays"}, ("KeyId",),
                lambda i: {"deletionWindowInDays": i.get("deletionWindowInDays")} if "deletionWindowInDays" in i else None),
        Request("kms", "EnableKeyRotation", {"rotationPeriodInDays": "RotationPeriodInDays"}, ("KeyId",),
                lambda i: {"rotationPeriodInDays": i["rotationPeriodInDays"]} if "rotationPeriodInDays" in i else None),
    ],
    "aws:kms/alias:Alias": [Request("kms", "CreateAlias", {"name": "AliasName"})],
    "aws:kms/grant:Grant": [Request("kms", "CreateGrant")],
    "aws:cloudwatch/eventRule:EventRule": [Request("events", "PutRule", {}, ("Name",))],
    "aws:cloudwatch/eventTarget:EventTarget": [Request("events", "PutTargets", {"rule": "Rule"}, (), _event_target)],
    "aws:appautoscaling/target:Target": [Request("application-autoscaling", "RegisterScalableTarget")],
    "aws:appautoscaling/policy:Policy": [Request("application-autoscaling", "PutScalingPolicy", {"name": "PolicyName"},
                                                ("PolicyName",))],
    "aws:cloudwatch/metricAlarm:MetricAlarm": [Request("cloudwatch", "PutMetricAlarm", {"name": "AlarmName"}, ("AlarmName",))],
    "aws:cloudwatch/logGroup:LogGroup": [Request("logs", "CreateLogGroup", {"name": "logGroupName"}, ("logGroupName",))],
}


@lru_cache(maxsize=None)
def operation_model(service: str, operation: str):
    return botocore.session.get_session().get_service_model(service).operation_model(operation)


def _member(shape, name: str) -> Optional[str]:
    lowered = name.lower()
    return next((m for m in shape.members if m.lower() == lowered), None)


def translate(value: Any, shape, renames: Optional[dict] = None) -> Any:
    """``value`` (Pulumi inputs, camelCase, numbers as floats) shaped as ``shape`` expects."""
    if isinstance(value, str) and UNKNOWN in value:
        return None
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            target = _member(shape, (renames or {}).get(key, key))
            if target is None or item is None:
                continue
            translated = translate(item, shape.members[target])
            if translated is not None:
                out[target] = translated
        return out
    if kind == "list":
        member = shape.member
        if isinstance(value, dict) and member.type_name == "structure":
            key = next((m for m in member.members if m.lower() in ("key", "name", "tagkey")), None)
            val = next((m for m in member.members if m.lower() in ("value", "tagvalue")), None)
            if key and val:
                return [{key: k, val: translate(v, member.members[val])} for k, v in value.items()]
        if isinstance(value, list):
            return [t for t in (translate(item, member) for item in value) if t is not None]
        return [translate(value, member)]
    if kind == "map":
        return {k: translate(v, shape.value) for k, v in value.items()} if isinstance(value, dict) else value
    if kind in ("integer", "long") and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind == "string" and isinstance(value, (dict, list)):
        import json
        return json.dumps(value)
    if kind == "string" and isinstance(value, bool):
        return str(value).lower()
    if kind == "boolean" and isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return value


def _java_pattern(pattern: str) -> Optional[re.Pattern]:
    try:
        return re.compile(pattern.replace(r"\p{XDigit}", "[0-9a-fA-F]"))
    except re.error:
        return None


def extra_violations(value: Any, shape, where: str) -> list[str]:
    """Enum, maximum (length, value, items) and pattern checks botocore's validator leaves out."""
    found = []
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        # A union (``"union": true`` in the model) takes exactly one of its members.
        if meta.get("union") and len(value) != 1:
            found.append(f"{where}: a union takes exactly one of {sorted(shape.members)}, not {sorted(value)}")
        for key, item in value.items():
            if key in shape.members:
                found += extra_violations(item, shape.members[key], f"{where}.{key}")
    elif kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            found.append(f"{where}: {len(value)} items, at most {meta['max']}")
        for index, item in enumerate(value):
            found += extra_violations(item, shape.member, f"{where}[{index}]")
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            found += extra_violations(key, shape.key, f"{where} key")
            found += extra_violations(item, shape.value, f"{where}.{key}")
    elif kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            found.append(f"{where}: {value!r} is not one of {shape.enum}")
        if "max" in meta and len(value) > meta["max"]:
            found.append(f"{where}: {len(value)} characters, at most {meta['max']}")
        pattern = meta.get("pattern")
        compiled = _java_pattern(pattern) if pattern else None
        # Model patterns are not anchored unless they say so (^...$): a match anywhere is valid.
        if compiled is not None and not compiled.search(value):
            found.append(f"{where}: {value!r} does not match {pattern}")
    elif kind in ("integer", "long", "float", "double") and isinstance(value, (int, float)) and not isinstance(value, bool):
        if "max" in meta and value > meta["max"]:
            found.append(f"{where}: {value} is above the maximum {meta['max']}")
    return found


def request_violations(resource_type: str, inputs: dict) -> list[str]:
    """Every way the requests creating this resource break their operation's model."""
    found = []
    for request in REQUESTS.get(resource_type, []):
        prepared = request.prepare(inputs) if request.prepare else inputs
        if prepared is None:
            continue
        model = operation_model(request.service, request.operation)
        params = translate(prepared, model.input_shape, request.renames) or {}
        for member in request.supplied:
            target = _member(model.input_shape, member)
            if target and target not in params:
                params[target] = "supplied-by-provider"
        report = ParamValidator().validate(params, model.input_shape)
        where = f"{request.service}:{request.operation}"
        if report.has_errors():
            found += [f"{where}: {line.strip()}" for line in report.generate_report().splitlines() if line.strip()]
        found += extra_violations(params, model.input_shape, where)
    return found
