"""Pulumi's mock runtime, made deterministic and recording: the engine of the offline plan.

``PlatformMocks`` answers resource registrations and provider calls with stable, plausible cloud
outputs (ids, ARNs, endpoints) derived only from the resource's URN and inputs, so the same code
and config always produce the same plan. ``RecordingMonitor`` sees every registration request
whole (type, name, parent, provider, dependencies, options) and keeps it for export and tests.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import json
import re
import sys
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pulumi
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import provider_pb2, resource_pb2
from pulumi.runtime import settings

from components.common import OFFLINE_ACCOUNT_ID, OfflineTarget
from mlinfra import kubernetes_manifests
from mlinfra.errors import MlinfraError

ACCOUNT_ID = OFFLINE_ACCOUNT_ID
STACK_TYPE = "pulumi:pulumi:Stack"
#: Pulumi's signature of a secret value in the wire format and the state file ({key: secret, "value": ...}).
SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"
#: ... and of a resource reference ({key: resource, "urn": ..., "id": ...}).
RESOURCE_SIGNATURE = "5cf8f73096256a8f31e491e813e4eb8e"


def stable_suffix(text: str, length: int = 8) -> str:
    """A short hex digest: the same input always gives the same mock identifier."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _service(type_: str) -> str:
    # "aws:s3/bucket:Bucket" -> "s3"
    return type_.split(":")[1].split("/")[0] if type_.count(":") >= 2 else "aws"


def _resource_kind(type_: str) -> str:
    # "aws:s3/bucket:Bucket" -> "bucket"
    return type_.split(":")[-1].lower()


#: A function that receives (name, resource id, inputs, mocks) and returns extra outputs.
ComputedOutputs = Callable[[str, str, dict, "PlatformMocks"], dict]


def _named(service: str, resource: str, *, regional: bool = True,
           more: Callable[[str, str, "PlatformMocks"], dict] = lambda name, rid, m: {}) -> ComputedOutputs:
    """Outputs of a resource named by its ``name`` input (else its id): ``name`` and
    ``arn:aws:<service>:<region>:<account>:<resource><name>`` (no region for a global service),
    plus ``more(name, rid, mocks)``."""

    def outputs(_: str, rid: str, inputs: dict, m: "PlatformMocks") -> dict:
        name = inputs.get("name", rid)
        region = m.region if regional else ""
        return {"name": name, "arn": f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{resource}{name}", **more(name, rid, m)}

    return outputs


def _placeholder(rid: str, length: Any) -> str:
    """Letters and digits of the asked-for length (16 if unknown), stable per resource."""
    size = int(length) if isinstance(length, (int, float)) and 0 < length <= 1024 else 16
    return (stable_suffix(rid, 64) * (size // 64 + 1))[:size]


def _bucket(_: str, rid: str, inputs: dict, m: "PlatformMocks") -> dict:
    """An S3 bucket's outputs (pulumi-aws s3/bucket.py): ``bucket`` (its name, else the id), ``arn``
    ``arn:aws:s3:::<bucket>`` (S3 bucket ARNs carry no region or account) and the regional domain name."""
    bucket = inputs.get("bucket", rid)
    return {"bucket": bucket, "arn": f"arn:aws:s3:::{bucket}",
            "bucketRegionalDomainName": f"{bucket}.s3.{m.region}.amazonaws.com"}


#: Type-specific computed outputs, on top of the inputs, ``id`` and (for AWS) ``arn``.
COMPUTED_OUTPUTS: dict[str, ComputedOutputs] = {
    "aws:s3/bucket:Bucket": _bucket,
    # pulumi-aws 6's bucket type, deprecated in 7 and still served (s3/bucket_v2.py): the same outputs
    # (``arn`` "arn:aws:s3:::<bucket>"). Named by the generic rule, its ARN was
    # "arn:aws:s3:<region>:<account>:bucketv2/<id>", which no trail selector or policy of the bucket matched.
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:kms/key:Key": lambda name, rid, inputs, m: {
        "keyId": rid,
        "arn": f"arn:aws:kms:{m.region}:{ACCOUNT_ID}:key/{rid}",
    },
    # pulumi-aws-native (AWS::S3::Bucket, AWS::KMS::Key): the same addresses CloudFormation returns
    # (Fn::GetAtt Arn, DomainName, RegionalDomainName; KeyId), named by the bucket's bucketName.
    "aws-native:s3:Bucket": lambda name, rid, inputs, m: {
        "bucketName": inputs.get("bucketName", rid),
        "arn": f"arn:aws:s3:::{inputs.get('bucketName', rid)}",
        "domainName": f"{inputs.get('bucketName', rid)}.s3.amazonaws.com",
        "regionalDomainName": f"{inputs.get('bucketName', rid)}.s3.{m.region}.amazonaws.com",
    },
    "aws-native:iam:Role": lambda name, rid, inputs, m: {
        "roleName": inputs.get("roleName", rid),
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:role{inputs.get('path', '/')}{inputs.get('roleName', rid)}",
    },
    "aws-native:logs:LogGroup": lambda name, rid, inputs, m: {
        "logGroupName": inputs.get("logGroupName", rid),
        "arn": f"arn:aws:logs:{m.region}:{ACCOUNT_ID}:log-group:{inputs.get('logGroupName', rid)}:*",
    },
    "aws-native:lambda:Function": lambda name, rid, inputs, m: {
        "functionName": inputs.get("functionName", rid),
        "arn": f"arn:aws:lambda:{m.region}:{ACCOUNT_ID}:function:{inputs.get('functionName', rid)}",
    },
    "aws-native:kms:Key": lambda name, rid, inputs, m: {
        "keyId": rid,
        "arn": f"arn:aws:kms:{m.region}:{ACCOUNT_ID}:key/{rid}",
    },
    "aws:ec2/vpc:Vpc": lambda name, rid, inputs, m: {
        "defaultSecurityGroupId": f"sg-{stable_suffix(rid + 'default', 17)}",
        "mainRouteTableId": f"rtb-{stable_suffix(rid + 'main', 17)}",
    },
    "aws:iam/role:Role": _named("iam", "role/", regional=False),
    "aws:cloudwatch/logGroup:LogGroup": _named("logs", "log-group:"),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": lambda name, rid, inputs, m: {
        "arn": f"arn:aws:sagemaker:{m.region}:{ACCOUNT_ID}:model-package-group/"
               f"{inputs.get('modelPackageGroupName', rid).lower()}",
    },
    # The repository's id is its name (the provider's autoname when the program gives none), and its
    # URL and ARN end in that name: a workload's image built from repositoryUrl names the same repository.
    "aws:ecr/repository:Repository": lambda name, rid, inputs, m: {
        "name": inputs.get("name", rid),
        "arn": f"arn:aws:ecr:{m.region}:{ACCOUNT_ID}:repository/{inputs.get('name', rid)}",
        "registryId": ACCOUNT_ID,
        "repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{m.region}.amazonaws.com/{inputs.get('name', rid)}",
    },
    "aws:sns/topic:Topic": _named("sns", ""),
    "aws:sqs/queue:Queue": _named("sqs", "", more=lambda name, rid, m: {
        "url": f"https://sqs.{m.region}.amazonaws.com/{ACCOUNT_ID}/{name}",
    }),
    "aws:cloudwatch/eventRule:EventRule": _named("events", "rule/"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": lambda name, rid, inputs, m: {
        "prefixListId": f"pl-{stable_suffix(rid, 8)}",
    },
    "aws:sagemaker/model:Model": _named("sagemaker", "model/"),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": _named("sagemaker", "endpoint-config/"),
    "aws:sagemaker/endpoint:Endpoint": _named("sagemaker", "endpoint/"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": _named("cloudwatch", "alarm:"),
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": _named("sagemaker",
                                                                              "data-quality-job-definition/"),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": _named("sagemaker", "monitoring-schedule/"),
    # aws-native (Cloud Control): the provider auto-names the job definition (the logical name plus a
    # random suffix) and returns its ARN, which is also the resource's id.
    "aws-native:sagemaker:ModelQualityJobDefinition": lambda name, rid, inputs, m: {
        "jobDefinitionName": inputs.get("jobDefinitionName", f"{name}-{stable_suffix(rid, 7)}"),
        "jobDefinitionArn": f"arn:aws:sagemaker:{m.region}:{ACCOUNT_ID}:model-quality-job-definition/"
                            f"{inputs.get('jobDefinitionName', f'{name}-{stable_suffix(rid, 7)}')}",
        "creationTime": "2026-01-01T00:00:00Z",
    },
    "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer": lambda name, rid, inputs, m: {
        "arn": f"arn:aws:sagemaker:{m.region}:{ACCOUNT_ID}:mlflow-tracking-server/"
               f"{inputs.get('trackingServerName', rid)}",
        "trackingServerUrl": f"https://t-{stable_suffix(rid, 12)}.{m.region}.experiments.sagemaker.aws",
    },
    # EKS: what a kubeconfig and an IAM OIDC provider are built from.
    "aws:eks/cluster:Cluster": _named("eks", "cluster/", more=lambda name, rid, m: {
        "endpoint": f"https://{stable_suffix(rid, 32).upper()}.gr7.{m.region}.eks.amazonaws.com",
        "certificateAuthority": {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCm1vY2sKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{m.region}.amazonaws.com/id/{stable_suffix(rid, 32).upper()}"}]}],
        "platformVersion": "eks.1",
        "status": "ACTIVE",
    }),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": lambda name, rid, inputs, m: {
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{str(inputs.get('url', rid)).removeprefix('https://')}",
    },
    "aws:ec2/launchTemplate:LaunchTemplate": lambda name, rid, inputs, m: {
        "latestVersion": 1,
        "defaultVersion": 1,
    },
    # The provider's docs: "uris - Map of URIs associated with the API E.g., `uris["GRAPHQL"]`".
    "aws:appsync/graphQLApi:GraphQLApi": lambda name, rid, inputs, m: {
        "uris": {"GRAPHQL": f"https://{rid}.appsync-api.{m.region}.amazonaws.com/graphql",
                 "REALTIME": f"wss://{rid}.appsync-realtime-api.{m.region}.amazonaws.com/graphql"},
    },
    # pulumi_random (RDS passwords, unique suffixes in other projects' programs): placeholders of the
    # asked-for length; the provider marks a password's result secret (additionalSecretOutputs).
    "random:index/randomPassword:RandomPassword": lambda name, rid, inputs, m: {
        "result": _placeholder(rid, inputs.get("length")),
        "bcryptHash": f"$2a$10${stable_suffix(rid, 53)}",
    },
    "random:index/randomString:RandomString": lambda name, rid, inputs, m: {
        "result": _placeholder(rid, inputs.get("length")),
    },
    "random:index/randomId:RandomId": lambda name, rid, inputs, m: {
        "hex": stable_suffix(rid, 2 * int(inputs.get("byteLength") or 8)),
        "dec": str(int(stable_suffix(rid, 2 * int(inputs.get("byteLength") or 8)), 16)),
        "b64Std": stable_suffix(rid, 12), "b64Url": stable_suffix(rid, 12),
    },
    "random:index/randomInteger:RandomInteger": lambda name, rid, inputs, m: {
        "result": int(inputs.get("min") or 0),
    },
    "random:index/randomUuid:RandomUuid": lambda name, rid, inputs, m: {
        "result": "{}-{}-{}-{}-{}".format(*(stable_suffix(rid + str(i), n) for i, n in enumerate((8, 4, 4, 4, 12)))),
    },
    "random:index/randomShuffle:RandomShuffle": lambda name, rid, inputs, m: {
        "results": list(inputs.get("inputs") or []),
    },
    "aws:eks/nodeGroup:NodeGroup": lambda name, rid, inputs, m: {
        "nodeGroupName": inputs.get("nodeGroupName", rid),
        "status": "ACTIVE",
        # EKS names a managed node group's Auto Scaling group eks-<node group>-<uuid>.
        "resources": [{"autoscalingGroups": [{"name": f"eks-{rid}-{stable_suffix(rid, 12)}"}]}],
    },
}


#: Resource types whose mock id has EC2's format, by id prefix.
EC2_ID_PREFIXES: dict[str, str] = {
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/vpc:Vpc": "vpc",
}


def _default_arn(type_: str, rid: str, region: str) -> str:
    return f"arn:aws:{_service(type_)}:{region}:{ACCOUNT_ID}:{_resource_kind(type_)}/{rid}"


def _sdk_module(service: str, submodule: str = "", package: str = "aws") -> Any:
    """``pulumi_aws.<service><submodule>`` (or ``pulumi_aws_native...`` for ``package`` aws-native) if the
    program imported it (``lambda`` is ``lambda_``)."""
    root = "pulumi_aws_native" if package == "aws-native" else "pulumi_aws"
    return sys.modules.get(f"{root}.{service}{submodule}") or sys.modules.get(f"{root}.{service}_{submodule}")


def _getters(cls: Any) -> Iterator[tuple[str, Any]]:
    """``(Pulumi name, return annotation)`` of each property getter of an SDK output class."""
    for attribute in vars(cls).values() if isinstance(cls, type) else ():
        getter = attribute.fget if isinstance(attribute, property) else None
        name = getattr(getter, "_pulumi_name", None)
        if name:
            yield name, getter.__annotations__.get("return")


def _not_a_key(name: str) -> bool:
    # A key's ARN is a setting the rules judge (which key encrypts what), never a placeholder.
    return not re.search("kms|key", name, re.IGNORECASE)


@functools.lru_cache(maxsize=None)
def _string_outputs(type_: str) -> frozenset[str]:
    """The outputs of a pulumi-aws resource class typed as a string (``Output[str]`` or
    ``Output[Optional[str]]``), by camelCase name, read from the class the program already imported.

    pulumi-aws 7 takes some of them as a document too: ``iam.RolePolicy.policy``, ``iam.Policy.policy``,
    ``iam.Role.assume_role_policy`` accept a ``PolicyDocumentArgs``/dict (role_policy.py, policy.py,
    role.py), and the provider answers with the document as a JSON string. Echoing the dict as the
    output would fail the SDK's output translation ("expected a value of type str") in a valid program.
    """
    package, _, rest = type_.partition(":")
    module, _, class_name = rest.partition(":")
    if package != "aws" or not class_name:
        return frozenset()
    return frozenset(name for name, returns in _getters(getattr(_sdk_module(module.split("/")[0]), class_name, None))
                     if typing.get_args(returns) in ((str,), (typing.Optional[str],)))


@functools.lru_cache(maxsize=None)
def _always_set_outputs(type_: str) -> tuple[tuple[str, str], ...]:
    """The outputs of a pulumi-aws resource class that the provider always sets (typed ``Output[str]``,
    not ``Optional``) and that are names or addresses: ``name`` (which the provider auto-names, the
    logical name and a random suffix, when the program leaves it out), ``...Arn`` (not a key's) and
    ``...Url``/``...Uri``/``...Endpoint``, host names (``dnsName``, ``address``, ``...DnsName``,
    ``...Hostname``), as ``(camelCase name, "name" | "arn" | "url" | "host")``. Read from
    the class the program already imported.

    Programs build on them (``stage.execution_arn.apply(lambda arn: arn + "*/*")``, Pulumi's API
    Gateway examples); the mocks leave outputs they do not compute unset, which under a plan's known
    values is ``None`` and fails such a program. Settings are never filled in: a placeholder key id or
    policy would change what the rules judge.
    """
    package, _, rest = type_.partition(":")
    module, _, class_name = rest.partition(":")
    if package not in ("aws", "aws-native") or not class_name:
        return ()
    found = []
    for name, returns in _getters(getattr(_sdk_module(module.split("/")[0], package=package), class_name, None)):
        if typing.get_args(returns) != (str,):
            continue
        if name == "name" and package == "aws":  # (pulumi-aws-native names differ: bucketName, roleName, ...)
            found.append((name, "name"))
        elif (name == "arn" or name.endswith("Arn")) and _not_a_key(name):
            found.append((name, "arn"))
        elif name.endswith(("Url", "Uri", "Endpoint")) or name == "endpoint":
            found.append((name, "url"))
        elif name.endswith(("DnsName", "Hostname")) or name in ("dnsName", "address", "hostname"):
            found.append((name, "host"))
    return tuple(found)


def words(name: str, separator: str) -> str:
    """``getSubnets`` -> ``get_subnets`` (``separator`` "_") or ``get-subnets``."""
    return re.sub(r"(?<!^)(?=[A-Z])", separator, name).lower()


@functools.lru_cache(maxsize=None)
def _always_set_results(token: str) -> tuple[tuple[str, str], ...]:
    """The results of a pulumi-aws function (``aws:ec2/getSubnets:getSubnets``) that the provider
    always returns and that identify what was looked up: ``id``, ``arn`` and ``...Arn`` (typed
    ``str``, not a key's), and lists of ids, names or ARNs (``Sequence[str]`` named ``ids``,
    ``...Ids``, ``names``, ``arns``), as ``(camelCase name, "id" | "arn" | "ids")``. Read from the result class of the
    function's module, which the program already imported.

    Programs look up what they did not create and build on it (``for s in get_subnets(...).ids:``);
    with the results left unset they fail on ``None``. Settings (documents, values, secrets) are
    never filled in, as for resources.
    """
    package, _, rest = token.partition(":")
    module, _, function = rest.partition(":")
    if package != "aws" or not function.startswith("get"):
        return ()
    namespace = _sdk_module(module.split("/")[0], f".{words(function, '_')}")
    found = []
    for name, returns in _getters(getattr(namespace, f"{function[0].upper()}{function[1:]}Result", None)):
        if returns is str and (name in ("id", "arn") or (name.endswith("Arn") and _not_a_key(name))):
            found.append((name, "id" if name == "id" else "arn"))
        elif typing.get_args(returns) == (str,) and typing.get_origin(returns) is not typing.Union and (
                name in ("ids", "names", "arns") or name.endswith(("Ids", "Names", "Arns"))):
            found.append((name, "ids"))
    return tuple(found)


def _looked_up(token: str, inputs: dict, region: str) -> dict[str, Any]:
    """Stable values for a function's ``_always_set_results``: two of each list (a lookup of
    subnets finds one per zone in most programs), derived from the token and the arguments."""
    function = token.rpartition(":")[2].removeprefix("get")
    kind = words(function, "-")
    seed = stable_suffix(token + json.dumps(inputs, sort_keys=True, default=str), 17)
    results: dict[str, Any] = {}
    for name, what in _always_set_results(token):
        if what == "id":
            results[name] = inputs.get("id") if isinstance(inputs.get("id"), str) else f"{kind}-{seed}"
        elif what == "arn":
            results[name] = f"arn:aws:{_service(token)}:{region}:{ACCOUNT_ID}:{kind}/{seed}"
        else:
            singular = kind.removesuffix("s")
            results[name] = [f"{singular}-{stable_suffix(seed + name + str(i), 17)}" for i in range(2)]
    return results


#: ``kubernetes:<group>/<version>:<Kind>``: an object of the Kubernetes API (not a Helm release,
#: a YAML or Kustomize group, which are ``kubernetes:helm.sh/...``, ``kubernetes:yaml...``).
_KUBERNETES_OBJECT = re.compile(r"kubernetes:(?!helm\.sh/|yaml|kustomize)[\w.-]*/v\w+:[A-Z]\w*")


def _kubernetes_metadata(type_: str, logical: str, rid: str, metadata: Any) -> dict[str, Any] | None:
    """The ``metadata`` of a Kubernetes object the program leaves unnamed, named as pulumi-kubernetes
    names it when it checks the inputs (provider/pkg/metadata/naming.go, ``AssignNameIfAutonamable``):
    the logical name, a hyphen and 8 DNS-1123 characters, annotated ``pulumi.com/autonamed``. A
    preview shows that name, so programs build on it (``deployment.metadata.apply(lambda m: m.name)``,
    Pulumi's Kubernetes examples). ``None`` where nothing is to be named: a named object, a list or
    patch kind (a patch names what it patches), metadata the program computes."""
    kind = type_.rpartition(":")[2]
    if not _KUBERNETES_OBJECT.fullmatch(type_) or kind.endswith(("List", "Patch")):
        return None
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict) or metadata.get("name") or not isinstance(metadata.get("annotations", {}), dict):
        return None
    annotations = {**metadata.get("annotations", {}), "pulumi.com/autonamed": "true"}
    return {**metadata, "name": f"{logical}-{stable_suffix(rid)}", "annotations": annotations}


def _address(kind: str, name: str, type_: str, rid: str, region: str, logical: str) -> str:
    if kind == "name":
        return f"{logical}-{stable_suffix(rid, 7)}"
    if kind == "arn":
        what = _resource_kind(type_) if name == "arn" else words(name.removesuffix("Arn"), "-")
        return f"arn:aws:{_service(type_)}:{region}:{ACCOUNT_ID}:{what}/{rid}"
    if kind == "host":
        return f"{rid}.{region}.{_service(type_)}.amazonaws.com"
    return f"https://{rid}.{_service(type_)}.{region}.amazonaws.com/"


class PlatformMocks(pulumi.runtime.Mocks):
    """Deterministic answers for resource registrations and provider function calls."""

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        if args.custom is False:  # (a read, ``get``, leaves it None: always a custom resource)
            # A multi-language component (pulumi-eks's Cluster): the engine answers with the outputs
            # its provider computes, never its inputs (awsx's Vpc takes natGateways settings and
            # returns NatGateway resources under the same name). Offline they are unknown.
            return "", {}
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider-id", dict(args.inputs)
        prefix = EC2_ID_PREFIXES.get(args.typ)
        # EC2 ids in AWS's own format (sg-0123..., 17 hex digits): the API models cap their length.
        rid = (f"{prefix}-{stable_suffix(args.typ + '::' + args.name, 17)}" if prefix
               else f"{args.name}-{stable_suffix(args.typ + '::' + args.name)}")
        if args.resource_id:
            # A resource read with ``get`` (or imported) keeps the id it was given: the provider's Read
            # answers for that id, and the engine records it as the resource's id and ``id`` output.
            rid = args.resource_id
        outputs = dict(args.inputs)
        outputs.setdefault("id", rid)
        if args.typ.startswith("aws:"):
            outputs.setdefault("arn", _default_arn(args.typ, rid, self.region))
            if "tags" in outputs:
                outputs.setdefault("tagsAll", outputs["tags"])
        extra = COMPUTED_OUTPUTS.get(args.typ)
        if extra:
            outputs.update({k: v for k, v in extra(args.name, rid, args.inputs, self).items() if k not in args.inputs})
        if args.typ.startswith("kubernetes:"):
            metadata = _kubernetes_metadata(args.typ, args.name, rid, args.inputs.get("metadata"))
            if metadata is not None:
                outputs["metadata"] = metadata
        for name in _string_outputs(args.typ):
            value = outputs.get(name)
            # A document given as data: the provider's JSON string (a secret or asset keeps its wrapper). One
            # holding a value unknown in the preview (a Node.js program's object with an ARN still to come) is
            # left as given: the provider's string is unknown until then.
            if (isinstance(value, list) or (isinstance(value, dict) and SIGNATURE_KEY not in value)) \
                    and not pulumi.output.contains_unknowns(value):
                outputs[name] = json.dumps(outputs[name])
        for name, kind in _always_set_outputs(args.typ):
            if outputs.get(name) is None:
                outputs[name] = _address(kind, name, args.typ, rid, self.region, args.name)
        return rid, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        # The SDK iterates the failures list of a returned tuple: it must be a list, never None.
        token, inputs = args.token, args.args
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/plan",
                    "userId": "AIDAPLAN", "id": ACCOUNT_ID}, []
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}, []
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{self.region}{c}" for c in "abc"]
            return {"names": names, "zoneIds": [f"{zone_id_prefix(self.region)}-az{i}" for i in range(1, 4)],
                    "id": self.region}, []
        if token in ECR_LOGIN_FUNCTIONS:
            return ecr_login(inputs.get("registryId") or ACCOUNT_ID, self.region), []
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            document = policy_document(inputs)
            return {"json": json.dumps(document, indent=2),
                    "minifiedJson": json.dumps(document, separators=(",", ":")),
                    "id": stable_suffix(json.dumps(document, sort_keys=True))}, []
        if token == "kubernetes:yaml:decode":  # pulumi_kubernetes.yaml.ConfigFile / ConfigGroup (v1)
            try:
                return kubernetes_manifests.decode_invoke(dict(inputs)), []
            except kubernetes_manifests.ManifestError as exc:
                raise kubernetes_manifests.ManifestError(f"{token}: {exc}") from None
        if token == "kubernetes:kustomize:directory":  # pulumi_kubernetes.kustomize.Directory (v1)
            try:
                return kubernetes_manifests.directory_invoke(dict(inputs)), []
            except kubernetes_manifests.ManifestError as exc:
                raise kubernetes_manifests.ManifestError(f"{token}: {exc}") from None
        if token == "tls:index/getCertificate:getCertificate":
            return certificate_chain(inputs), []
        if token.startswith("std:index:"):  # Terraform's functions through pulumi-std (converted programs)
            from mlinfra.std_functions import call as std_call

            return std_call(token, dict(inputs))
        if token == "aws:organizations/getOrganization:getOrganization":
            return organization(), []
        results = _looked_up(token, dict(inputs), self.region)
        if token == "aws:ssm/getParameter:getParameter" and str(inputs.get("name", "")).startswith("/aws/service/"):
            value = public_parameter(inputs["name"], results["id"])
            results.update(name=inputs["name"], type="String", value=value, insecureValue=value, version=1)
        return results, []


def public_parameter(name: str, seed: str) -> str:
    """The value of one of AWS's public SSM parameters (``/aws/service/...``) offline, in its documented shape:
    a ``.../recommended`` parameter of the ECS- and EKS-optimized AMIs is JSON metadata whose ``image_id``
    programs read (AmazonECS developer guide, "Retrieving Amazon ECS-optimized Linux AMI metadata"; awsx's
    classic ``getEcsAmiId`` parses it); an ``image_name`` is the image's name; every other (``.../image_id``,
    ``/aws/service/ami-amazon-linux-latest/...``, Bottlerocket's, Canonical's) is an AMI id. A user's own
    parameter has no value offline, as before."""
    image, image_name = f"ami-{stable_suffix(seed, 17)}", f"{name.strip('/').replace('/', '-')}-plan"
    last = name.rstrip("/").rpartition("/")[2]
    if last == "recommended":
        return json.dumps({"image_id": image, "image_name": image_name, "schema_version": 1}, separators=(",", ":"))
    return image_name if last == "image_name" else image


#: The registry logins programs ask for to push images (``aws.ecr.get_authorization_token`` and
#: ``get_credentials``, as Pulumi's docker examples do): a credential only AWS issues.
ECR_LOGIN_FUNCTIONS = ("aws:ecr/getAuthorizationToken:getAuthorizationToken", "aws:ecr/getCredentials:getCredentials")
ECR_PLACEHOLDER_PASSWORD = "ecr-password-not-issued-offline"


def ecr_login(registry: str, region: str) -> dict[str, Any]:
    """A registry login for ``registry`` offline: user ``AWS`` and a placeholder password, the token
    ``base64("AWS:<password>")`` as ECR encodes it (programs decode and split it), the registry's
    endpoint. No rule judges a login, so a placeholder changes no verdict."""
    token = base64.b64encode(f"AWS:{ECR_PLACEHOLDER_PASSWORD}".encode()).decode()
    return {"authorizationToken": token, "userName": "AWS", "password": ECR_PLACEHOLDER_PASSWORD,
            "proxyEndpoint": f"https://{registry}.dkr.ecr.{region}.amazonaws.com", "registryId": registry,
            "expiresAt": "2099-01-01T00:00:00Z", "region": region, "id": region}


def organization() -> dict[str, Any]:
    """What ``aws.organizations.get_organization()`` returns offline: the organization the plan's account
    manages, with its one root (an organization always has exactly one; AWS Organizations API reference,
    ListRoots). Landing-zone programs attach policies to it (``get_organization().roots[0].id``), which
    the generic lookup (strings and lists of strings only) left None. Ids in AWS's formats (Organizations
    API reference, Organization.Id ``o-[a-z0-9]{10,32}``, RootId ``r-[0-9a-z]{4,32}``); accounts and
    accounts and settings (``featureSet``, ``accounts``) are not invented."""
    org_id = f"o-{stable_suffix('organization', 10)}"
    root_id = f"r-{stable_suffix('organization-root', 4)}"
    return {"id": org_id, "arn": f"arn:aws:organizations::{ACCOUNT_ID}:organization/{org_id}",
            "masterAccountId": ACCOUNT_ID,
            "masterAccountArn": f"arn:aws:organizations::{ACCOUNT_ID}:account/{org_id}/{ACCOUNT_ID}",
            "roots": [{"id": root_id, "name": "Root", "policyTypes": [],
                       "arn": f"arn:aws:organizations::{ACCOUNT_ID}:root/{org_id}/{root_id}"}]}


def certificate_chain(inputs: Any) -> dict[str, Any]:
    """What pulumi-tls's ``get_certificate(url=...)`` returns offline: a served certificate and the root
    CA that issued it, as the provider lists a chain (server first). EKS programs take a fingerprint from
    it for the cluster's IAM OIDC provider (``certificates[0].sha1_fingerprint``); placeholders derived
    from the URL, like every other lookup (result class: pulumi_tls/outputs.py
    ``GetCertificateCertificateResult``)."""
    url = str(inputs.get("url") or inputs.get("content") or "")
    host = re.sub(r"^\w+://", "", url).split("/")[0] or "example.com"

    def certificate(subject: str, issuer: str, is_ca: bool) -> dict[str, Any]:
        return {"certPem": "", "isCa": is_ca, "issuer": issuer, "maxPathLength": 0 if is_ca else -1,
                "notAfter": "2036-01-01T00:00:00Z", "notBefore": "2026-01-01T00:00:00Z",
                "publicKeyAlgorithm": "RSA", "serialNumber": str(int(stable_suffix(subject, 12), 16)),
                "sha1Fingerprint": stable_suffix(subject, 40), "signatureAlgorithm": "SHA256-RSA",
                "subject": subject, "version": 3}

    root = "CN=Offline Root CA"
    return {"id": url, "url": inputs.get("url"), "content": inputs.get("content"),
            "verifyChain": inputs.get("verifyChain", True),
            "certificates": [certificate(f"CN={host}", root, False), certificate(root, root, True)]}


def zone_id_prefix(region: str) -> str:
    """AWS's zone-id prefix for a region: ``us-east-1`` -> ``use1``, ``us-gov-west-1`` -> ``usgw1``."""
    area, *middle, number = region.split("-")
    return area + "".join(part[0] for part in middle) + number


def _one_or_many(values: list) -> Any:
    # Like the provider: a one-element list is written as its element.
    return values[0] if len(values) == 1 else values


def _principals(principals: list[dict]) -> Any:
    if any(p.get("type") == "*" for p in principals):
        return "*"
    merged: dict[str, list] = {}
    for principal in principals:
        merged.setdefault(principal["type"], []).extend(principal.get("identifiers", []))
    return {kind: _one_or_many(ids) for kind, ids in merged.items()}


class PolicyDocumentError(MlinfraError):
    """Arguments of ``aws.iam.get_policy_document`` of a shape its schema does not allow (the provider
    refuses them too): ``statements`` a list of objects, their string lists lists of strings."""


def _listed(value: Any, what: str, item: type) -> list:
    if not isinstance(value, list) or not all(isinstance(v, item) for v in value):
        raise PolicyDocumentError(f"aws:iam/getPolicyDocument: {what} must be a list of "
                                  f"{'strings' if item is str else 'objects'}, not {json.dumps(value, default=str)}")
    return value


def policy_document(inputs: dict) -> dict:
    """The IAM policy JSON that ``aws.iam.get_policy_document`` renders from its (camelCase) inputs.

    Covers statements (sid, effect, actions/notActions, resources/notResources, principals/
    notPrincipals, conditions), ``version`` and ``policyId``, merged with the source and override
    documents as the provider merges them (``_merged``). Arguments of another shape than the
    function's schema are a ``PolicyDocumentError``.
    """
    statements = []
    for index, given in enumerate(_listed(inputs.get("statements") or [], "statements", dict)):
        where = f"statements[{index}]"
        statement: dict[str, Any] = {}
        if given.get("sid"):
            statement["Sid"] = given["sid"]
        statement["Effect"] = given.get("effect") or "Allow"
        for key, name in (("actions", "Action"), ("notActions", "NotAction"),
                          ("resources", "Resource"), ("notResources", "NotResource")):
            if given.get(key):
                statement[name] = _one_or_many(list(_listed(given[key], f"{where}.{key}", str)))
        for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if given.get(key):
                principals = _listed(given[key], f"{where}.{key}", dict)
                for number, principal in enumerate(principals):
                    if not isinstance(principal.get("type"), str):
                        raise PolicyDocumentError(f"aws:iam/getPolicyDocument: {where}.{key}[{number}] needs a type")
                    _listed(principal.get("identifiers", []), f"{where}.{key}[{number}].identifiers", str)
                statement[name] = _principals(principals)
        conditions: dict[str, dict] = {}
        for number, condition in enumerate(_listed(given.get("conditions") or [], f"{where}.conditions", dict)):
            if not isinstance(condition.get("test"), str) or not isinstance(condition.get("variable"), str):
                raise PolicyDocumentError(f"aws:iam/getPolicyDocument: {where}.conditions[{number}] needs a test "
                                          "and a variable")
            conditions.setdefault(condition["test"], {})[condition["variable"]] = _one_or_many(
                list(_listed(condition.get("values", []), f"{where}.conditions[{number}].values", str)))
        if conditions:
            statement["Condition"] = conditions
        statements.append(statement)
    document: dict[str, Any] = {"Version": inputs.get("version") or "2012-10-17"}
    if inputs.get("policyId"):
        document["Id"] = inputs["policyId"]
    document["Statement"] = statements
    return _merged(document, inputs)


def _parsed_documents(values: Any) -> list[dict]:
    """The JSON policy documents among ``values`` (a string or a list of them), as mappings."""
    found = []
    for value in values if isinstance(values, list) else [values]:
        try:
            document = json.loads(value) if isinstance(value, str) and value.strip() else None
        except ValueError:
            document = None
        if isinstance(document, dict):
            found.append(document)
    return found


def _merged(document: dict[str, Any], inputs: dict) -> dict[str, Any]:
    """``document`` (the data source's own statements) merged as pulumi-aws's get_policy_document merges
    (iam/get_policy_document.py: "statements with non-blank sids will override statements with the same
    sid from earlier documents ... Non-overriding statements will be added"): the source documents
    first, then the document's own statements, then the override documents, each statement with a sid
    replacing an earlier one with that sid, the others appended. A later document's ``Id`` wins; the
    highest ``Version`` wins."""
    sources = _parsed_documents(inputs.get("sourceJson")) + _parsed_documents(inputs.get("sourcePolicyDocuments"))
    overrides = _parsed_documents(inputs.get("overrideJson")) + _parsed_documents(inputs.get("overridePolicyDocuments"))
    if not sources and not overrides:
        return document
    merged: dict[str, Any] = {"Version": "2008-10-17"}
    statements: list[Any] = []
    for part in [*sources, document, *overrides]:
        if part.get("Id"):
            merged["Id"] = part["Id"]
        if str(part.get("Version") or "") > merged["Version"]:
            merged["Version"] = part["Version"]
        given = part.get("Statement") or []
        for statement in given if isinstance(given, list) else [given]:
            sid = statement.get("Sid") if isinstance(statement, dict) else None
            index = next((i for i, s in enumerate(statements) if sid and isinstance(s, dict) and s.get("Sid") == sid), None)
            if index is None:
                statements.append(statement)
            else:
                statements[index] = statement
    return {"Version": merged["Version"], **({"Id": merged["Id"]} if "Id" in merged else {}), "Statement": statements}


@dataclass
class Registration:
    """One resource registration as the engine would see it.

    Components get no id, and outputs only from ``register_outputs``, as in the engine's state.
    ``dependencies`` and ``property_dependencies`` are sorted: the SDK collects them in sets, whose
    order changes from one process to the next. ``external`` marks a resource read with ``get``.
    """

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    protect: bool = False
    remote: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    delete_before_replace: bool = False
    additional_secret_outputs: list[str] = field(default_factory=list)
    version: str = ""
    external: bool = False
    import_id: str = ""
    retain_on_delete: bool = False
    deleted_with: str = ""
    replace_on_changes: list[str] = field(default_factory=list)


def struct_to_plain(struct) -> dict[str, Any]:
    """A protobuf Struct as JSON-ready data, keeping Pulumi's secret and reference signatures."""
    return json_format.MessageToDict(struct) if struct is not None else {}


def _flatten_references(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(SIGNATURE_KEY) == RESOURCE_SIGNATURE:
            return value.get("id") or value.get("urn", "")
        return {k: _flatten_references(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_flatten_references(v) for v in value]
    return value


def _references_as_ids(request: Any) -> Any:
    """The request with each resource passed as an input (pulumi-eks's ``ManagedNodeGroup(cluster=...)``)
    replaced by its id (a component's: its URN), for the mocks to echo back.

    Pulumi's mock monitor rebuilds a referenced resource on its executor thread's event loop, and
    the program's loop then awaits it: "attached to a different loop". The plan records the inputs
    as the program sent them; only the mocks' answer carries the id."""
    if RESOURCE_SIGNATURE.encode() not in request.object.SerializeToString():
        return request
    flattened = type(request)()
    flattened.CopyFrom(request)
    flattened.object.Clear()
    flattened.object.update(_flatten_references(struct_to_plain(request.object)))
    return flattened


def _unwrap_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(SIGNATURE_KEY) == SECRET_SIGNATURE:
            return _unwrap_secrets(value.get("value"))
        return {k: _unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_secrets(v) for v in value]
    return value


def _as_secret(obj: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """``obj`` with the values of ``keys`` secret: the provider marks a Secret's ``data`` and
    ``stringData`` from raw YAML secret (yaml.go ``register``)."""
    return {k: {SIGNATURE_KEY: SECRET_SIGNATURE, "value": v} if k in keys else v for k, v in obj.items()}


def _autonamed(inputs: dict[str, Any], outputs: dict[str, Any]) -> bool:
    """Whether the mocks named a Kubernetes object the program left unnamed (``_kubernetes_metadata``)."""
    named, given = outputs.get("metadata"), inputs.get("metadata")
    return (isinstance(named, dict) and named.get("annotations", {}).get("pulumi.com/autonamed") == "true"
            and not (isinstance(given, dict) and given.get("name")))


class TransformError(MlinfraError):
    """A transform of the program raised: the engine fails the registration (or the function call) with
    the callback's error (``Invoke callback <token> error: ...``); named here by the resource (or the
    function) and the program's line."""

    def __init__(self, subject: str, exc: BaseException) -> None:
        import traceback

        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if not Path(f.filename).resolve().is_relative_to(_PULUMI_SDK)]
        where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
        super().__init__(f"a transform of {subject} failed{where}: {type(exc).__name__}: {exc}")


_PULUMI_SDK = Path(pulumi.__file__).resolve().parent


def _callback(reference: Any) -> tuple[Callable[[bytes], Any], Any] | None:
    """The SDK's callback (and its event loop) behind a ``Callback`` the program sent: what the engine
    calls through the callback server at ``reference.target``."""
    from pulumi.runtime._callbacks import _CallbackServicer

    for servicer in _CallbackServicer._servicers:
        function = servicer._callbacks.get(reference.token)
        if function is not None:
            return function, servicer._loop
    return None


def _call_transform(reference: Any, subject: str, message: Any) -> Any:
    """The response of the program's transform behind ``reference`` to ``message`` (None if the program
    holds no such callback); ``TransformError`` naming ``subject`` if it raised. Called from the
    monitor's executor thread while the program's loop awaits the registration or call."""
    found = _callback(reference)
    if found is None:
        return None
    function, loop = found
    try:
        return asyncio.run_coroutine_threadsafe(function(message.SerializeToString()), loop).result()
    except Exception as exc:
        raise TransformError(subject, exc) from None


def _transform_options(request: Any) -> resource_pb2.TransformResourceOptions:
    """The options the engine hands a transform (source_eval.go ``RegisterResource``: ``opts :=
    &pulumirpc.TransformResourceOptions{DependsOn: req.GetDependencies(), Protect: req.Protect, ...}``)."""
    options = resource_pb2.TransformResourceOptions(
        depends_on=list(request.dependencies), ignore_changes=list(request.ignoreChanges),
        replace_on_changes=list(request.replaceOnChanges), version=request.version,
        aliases=list(request.aliases) or [resource_pb2.Alias(urn=u) for u in request.aliasURNs],
        provider=request.provider, plugin_download_url=request.pluginDownloadURL, deleted_with=request.deletedWith,
        additional_secret_outputs=list(request.additionalSecretOutputs))
    options.providers.update(dict(request.providers))
    if request.HasField("customTimeouts"):
        options.custom_timeouts.CopyFrom(request.customTimeouts)
    if request.HasField("protect"):
        options.protect = request.protect
    if request.HasField("retainOnDelete"):
        options.retain_on_delete = request.retainOnDelete
    if request.deleteBeforeReplaceDefined or request.deleteBeforeReplace:
        options.delete_before_replace = request.deleteBeforeReplace
    return options


def _transformed(request: Any, properties: struct_pb2.Struct, options: Any) -> Any:
    """``request`` as the engine goes on with it once its transforms ran: their properties and options."""
    result = type(request)()
    result.CopyFrom(request)
    result.object.CopyFrom(properties)
    del result.dependencies[:]
    # Property dependencies of the properties that are left (the engine tracks them through output
    # values; under the mocks, which send no output values, the request's own lists stand in).
    for key in list(result.propertyDependencies):
        if key not in properties.fields:
            del result.propertyDependencies[key]
    needed = set(options.depends_on) | {u for deps in result.propertyDependencies.values() for u in deps.urns}
    result.dependencies.extend(sorted(needed))
    for field_name, option in (("ignoreChanges", "ignore_changes"), ("replaceOnChanges", "replace_on_changes"),
                               ("additionalSecretOutputs", "additional_secret_outputs")):
        del getattr(result, field_name)[:]
        getattr(result, field_name).extend(getattr(options, option))
    result.version, result.provider, result.deletedWith = options.version, options.provider, options.deleted_with
    result.providers.clear()
    result.providers.update(dict(options.providers))
    result.ClearField("protect")
    if options.HasField("protect"):
        result.protect = options.protect
    result.ClearField("retainOnDelete")
    if options.HasField("retain_on_delete"):
        result.retainOnDelete = options.retain_on_delete
    result.deleteBeforeReplace = options.HasField("delete_before_replace") and options.delete_before_replace
    result.deleteBeforeReplaceDefined = options.HasField("delete_before_replace")
    del result.aliases[:]
    result.aliases.extend(options.aliases)
    del result.aliasURNs[:]
    return result


class RecordingMonitor(MockMonitor):
    """A mock monitor that records every registration request whole, in order, after running its
    transforms as the engine does (Pulumi's own mock monitor does not run them)."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: dict[str, Registration] = {}
        self.stack_urn = ""
        #: Transforms (``Callback`` messages) registered for the whole stack, and each resource's own by URN.
        self._stack_transform_callbacks: list[Any] = []
        self._resource_transform_callbacks: dict[str, list[Any]] = {}
        self._stack_invoke_transform_callbacks: list[Any] = []

    def RegisterStackTransform(self, request):
        self._stack_transform_callbacks.append(request)
        return super().RegisterStackTransform(request)

    def RegisterStackInvokeTransform(self, request):
        self._stack_invoke_transform_callbacks.append(request)
        return super().RegisterStackInvokeTransform(request)

    def _run_invoke_transforms(self, request: Any) -> Any:
        """``request`` after the stack's invoke transforms (``register_invoke_transform``), in the order
        registered, each given what the one before returned, as the engine runs them before it calls
        the provider (source_eval.go ``Invoke``)."""
        if not self._stack_invoke_transform_callbacks:
            return request
        args = request.args
        options = resource_pb2.TransformInvokeOptions(provider=request.provider, version=request.version,
                                                      plugin_download_url=request.pluginDownloadURL)
        for reference in self._stack_invoke_transform_callbacks:
            response = _call_transform(reference, f"the call of {request.tok}", resource_pb2.TransformInvokeRequest(
                token=request.tok, args=args, options=options))
            if response is None:
                continue
            if response.HasField("args"):
                args = response.args
            if response.HasField("options"):
                options = response.options
        result = type(request)()
        result.CopyFrom(request)
        result.args.CopyFrom(args)
        result.provider, result.version = options.provider, options.version
        result.pluginDownloadURL = options.plugin_download_url
        return result

    def _run_transforms(self, request: Any) -> Any:
        """``request`` after its transforms, in the engine's order (pkg/resource/deploy/source_eval.go,
        ``RegisterResource``): the resource's own ``transforms``, then each ancestor's, nearest first,
        then the stack's (``register_resource_transform``), each given what the one before returned.
        A transform's result without properties or options leaves them as they were (``wrapTransformCallback``)."""
        chain = list(request.transforms)
        parent = request.parent
        while parent:
            chain += self._resource_transform_callbacks.get(parent, [])
            registration = self.registrations.get(parent)
            parent = registration.parent if registration is not None else ""
        chain += self._stack_transform_callbacks
        if not chain:
            return request
        properties, options = request.object, _transform_options(request)
        for reference in chain:
            response = _call_transform(reference, f"{request.type} {request.name!r}", resource_pb2.TransformRequest(
                type=request.type, name=request.name, custom=request.custom, parent=request.parent,
                properties=properties, options=options))
            if response is None:
                continue
            if response.HasField("properties"):
                properties = response.properties
            if response.HasField("options"):
                options = response.options
        return _transformed(request, properties, options)

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine leaves the root stack out of its children's type chain; so do we.
        if parent and parent == self.stack_urn:
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request):
        own_transforms = list(request.transforms)
        request = self._run_transforms(request)
        response = super().RegisterResource(_references_as_ids(request))
        if own_transforms:
            self._resource_transform_callbacks[response.urn] = own_transforms
        # The engine returns the outputs a resource names in additionalSecretOutputs as secrets (a
        # RandomPassword's result), so what the program builds from them is secret too.
        for key in request.additionalSecretOutputs:
            if key in response.object.fields:
                value = struct_pb2.Value()
                value.CopyFrom(response.object.fields[key])
                wrapped = response.object.fields[key].struct_value
                wrapped.Clear()
                wrapped.update({SIGNATURE_KEY: SECRET_SIGNATURE})
                wrapped.fields["value"].CopyFrom(value)
        custom = bool(request.custom)
        if request.type == STACK_TYPE:
            self.stack_urn = response.urn
        inputs, outputs = struct_to_plain(request.object), struct_to_plain(response.object) if custom else {}
        if _autonamed(inputs, outputs):
            # The provider's Check names the object, and policies analyze the checked inputs
            # (pkg/resource/deploy/step_generator.go: Analyze gets ``resp.Properties`` of Check).
            inputs["metadata"] = outputs["metadata"]
        self.registrations[response.urn] = Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=custom,
            parent=request.parent,
            provider=request.provider,
            dependencies=sorted(request.dependencies),
            property_dependencies={k: sorted(v.urns) for k, v in request.propertyDependencies.items()},
            inputs=inputs,
            outputs=outputs,
            id=response.id if custom else "",
            protect=bool(request.protect),
            remote=bool(request.remote),
            ignore_changes=list(request.ignoreChanges),
            delete_before_replace=bool(request.deleteBeforeReplace),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            version=request.version,
            import_id=request.importId,
            retain_on_delete=bool(request.retainOnDelete),
            deleted_with=request.deletedWith,
            replace_on_changes=list(request.replaceOnChanges),
        )
        if request.remote and request.type in kubernetes_manifests.COMPONENTS:
            self._construct_yaml(request, response.urn)
        return response

    def _construct_yaml(self, request, urn: str) -> None:
        """The children the Kubernetes provider registers for a ``yaml/v2`` ConfigGroup or ConfigFile, or a
        ``kustomize/v2`` Directory (see ``mlinfra.kubernetes_manifests``; a Directory's ``namespace`` input is
        its objects' default namespace): none while an input is unknown (the provider warns "Preview is
        incomplete" and registers nothing)."""
        if rpc.UNKNOWN.encode() in request.object.SerializeToString():
            return
        inputs = _unwrap_secrets(struct_to_plain(request.object))
        provider = request.providers.get("kubernetes") or request.provider
        try:
            space = inputs.get("namespace") if request.type == kubernetes_manifests.KUSTOMIZE_V2 else None
            objects = kubernetes_manifests.normalize(
                kubernetes_manifests.component_objects(request.type, inputs),
                space if isinstance(space, str) and space else self._kubernetes_namespace(provider))
            needs = kubernetes_manifests.dependencies(objects)
            order = kubernetes_manifests.registration_order(needs)
        except kubernetes_manifests.ManifestError as exc:
            raise kubernetes_manifests.ManifestError(f"{request.type} {request.name}: {exc}") from None
        prefix = kubernetes_manifests.prefix_of(request.name, inputs)
        urns: dict[int, str] = {}
        for index in order:
            obj = objects[index]
            if inputs.get("skipAwait") is True:
                kubernetes_manifests.skip_await(obj)
            type_ = kubernetes_manifests.type_token(obj["apiVersion"], obj["kind"])
            name = kubernetes_manifests.resource_name(obj, prefix)
            rid, outputs = self.mocks.new_resource(pulumi.runtime.MockResourceArgs(
                typ=type_, name=name, inputs=json.loads(json.dumps(obj)), provider=provider, custom=True))
            child = self.make_urn(urn, type_, name)
            urns[index] = child
            secret = ("data", "stringData") if obj["apiVersion"] == "v1" and obj["kind"] == "Secret" else ()
            self.registrations[child] = Registration(
                urn=child, type=type_, name=name, custom=True, parent=urn, provider=provider,
                dependencies=sorted(urns[i] for i in needs[index]), property_dependencies={},
                inputs=_as_secret(obj, secret), outputs=_as_secret(outputs, secret), id=rid,
                version=request.version)

    def _kubernetes_namespace(self, provider: str) -> str:
        """The provider's default namespace: its ``namespace`` setting, else ``kubernetes:namespace`` in the
        stack's config, else the kubeconfig context's, which without one is ``default``."""
        registration = self.registrations.get(provider.rsplit("::", 1)[0]) if provider else None
        if registration is not None:
            space = _unwrap_secrets(registration.inputs.get("namespace"))
        else:
            space = pulumi.Config("kubernetes").get("namespace")
        return space if isinstance(space, str) and space else "default"

    def Invoke(self, request):
        request = self._run_invoke_transforms(request)
        # The SDK skips an invoke whose arguments are unknown, but misses an unknown inside a list of
        # strings (rpc.struct_contains_unknowns looks into lists of objects only): a policy document
        # naming what only the cloud knows yet. Answer as the engine does for a preview's pending
        # values: the result is wholly unknown.
        if rpc.UNKNOWN.encode() in request.args.SerializeToString():
            return resource_pb2.ResourceInvokeResponse(unknown=True)
        return super().Invoke(request)

    def Call(self, request):
        """A resource's method (``eks.Cluster.get_kubeconfig()``, ``ResourceMonitor.Call``): the provider's code,
        which no offline plan runs, computes its result, so the result is unknown, as a preview's is while the
        resource it reads is still to be created. Pulumi's own mock monitor has no ``Call``. One key holding the
        unknown marks the whole result unknown in both SDKs (Python ``invoke.call``: ``contains_unknowns``; Node.js
        ``call``: the output's resolver) and serves ``call_single`` too."""
        result = struct_pb2.Struct()
        result.update({"result": rpc.UNKNOWN})
        return provider_pb2.CallResponse(**{"return": result})

    def ReadResource(self, request):
        response = super().ReadResource(request)
        # The engine answers a read with the id the provider's Read returned (ReadResourceResponse.id);
        # Pulumi's mock monitor leaves it empty, which the SDK takes in a preview for an unknown id
        # (pulumi/runtime/resource.py read_resource: "An empty response id during preview means
        # unknown"), so `aws.s3.Bucket.get("b", "name").id` was unknown where a preview knows it.
        response.id = self.resources[response.urn].id or request.id
        state = struct_to_plain(response.properties)
        self.registrations[response.urn] = Registration(
            urn=response.urn, type=request.type, name=request.name, custom=True, parent=request.parent,
            provider=request.provider, dependencies=sorted(request.dependencies), property_dependencies={},
            inputs=state, outputs=dict(state), id=request.id, version=request.version, external=True,
        )
        return response

    def RegisterResourceOutputs(self, request):
        registration = self.registrations.get(request.urn)
        if registration is not None:
            outputs = struct_to_plain(request.outputs)
            # The root stack's outputs are registered twice under the mocks: empty by ``set_mocks``,
            # then with the exports once the program has run (``mlinfra.plan``). The two calls run
            # on executor threads in either order, so the stack's outputs accumulate.
            if registration.type == STACK_TYPE:
                outputs = {**registration.outputs, **outputs}
            registration.outputs = outputs
        return super().RegisterResourceOutputs(request)

    def by_type(self, type_: str) -> list[Registration]:
        """Registrations of one resource type, in registration order."""
        return [r for r in self.registrations.values() if r.type == type_]

    def named(self, type_: str, name: str) -> Registration:
        """The one registration with this type and name; KeyError if absent."""
        for registration in self.registrations.values():
            if registration.type == type_ and registration.name == name:
                return registration
        raise KeyError(f"no {type_} named {name!r}; have {[r.name for r in self.by_type(type_)]}")


_OFFLINE: OfflineTarget | None = None
#: ``pulumi.get_organization()`` offline: what the CLI answers on a self-managed backend.
DIY_ORGANIZATION = "organization"


def offline_target() -> OfflineTarget | None:
    """Set once ``install_mocks`` has run: the stack passes it to components whose program-time AWS
    lookups (such as the model-package promotion lookup) must then answer with documented
    placeholders instead of calling AWS."""
    return _OFFLINE


def install_mocks(*, project: str, stack: str, region: str = "us-east-1",
                  preview: bool = False, root_stack: bool = True) -> RecordingMonitor:
    """Point Pulumi's runtime at a fresh recording monitor, mark the process offline, return the monitor.

    ``root_stack`` False is for a program in another language, which registers its own stack: the
    settings ``set_mocks`` configures, without the Python root stack it would register too."""
    global _OFFLINE
    _OFFLINE = OfflineTarget(region=region)
    monitor = RecordingMonitor(PlatformMocks(region=region))
    # A fresh root stack per run: set_mocks keeps an existing one, whose URN belongs to the last run.
    settings.ROOT.set(None)
    # The organization is the one the CLI reports for a self-managed (DIY) backend, which no Pulumi
    # Cloud account names: programs building StackReference names from get_organization() plan with it.
    if root_stack:
        pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor,
                                 organization=DIY_ORGANIZATION)
        return monitor
    from google.protobuf import empty_pb2
    from pulumi.runtime.mocks import MockEngine, MockSettings

    settings.configure(MockSettings(
        monitor=monitor, monitor_features=set(monitor.GetDeploymentInfo(empty_pb2.Empty()).supportedFeatures),
        engine=MockEngine(None), project=project, stack=stack, dry_run=preview, organization=DIY_ORGANIZATION,
        callbacks=None))
    return monitor
