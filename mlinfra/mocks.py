"""Pulumi's mock runtime, made deterministic and recording: the engine of the offline plan.

``PlatformMocks`` answers resource registrations and provider calls with stable, plausible cloud
outputs (ids, ARNs, endpoints) derived only from the resource's URN and inputs, so the same code
and config always produce the same plan. ``RecordingMonitor`` sees every registration request
whole (type, name, parent, provider, dependencies, options) and keeps it for export and tests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable

import pulumi
from google.protobuf import json_format
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime import settings

ACCOUNT_ID = "123456789012"
STACK_TYPE = "pulumi:pulumi:Stack"


def stable_suffix(text: str, length: int = 8) -> str:
    """A short hex digest: the same input always gives the same mock identifier."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _service(type_: str) -> str:
    # "aws:s3/bucket:Bucket" -> "s3"
    return type_.split(":")[1].split("/")[0] if type_.count(":") >= 2 else "aws"


def _resource_kind(type_: str) -> str:
    # "aws:s3/bucket:Bucket" -> "bucket"
    return type_.split(":")[-1].lower()


#: Type-specific computed outputs, on top of the inputs, ``id`` and (for AWS) ``arn``.
#: Each function receives (name, resource id, inputs, mocks) and returns extra outputs.
ComputedOutputs = Callable[[str, str, dict, "PlatformMocks"], dict]
COMPUTED_OUTPUTS: dict[str, ComputedOutputs] = {
    "aws:s3/bucket:Bucket": lambda name, rid, inputs, m: {
        "bucket": inputs.get("bucket", rid),
        "arn": f"arn:aws:s3:::{inputs.get('bucket', rid)}",
        "bucketRegionalDomainName": f"{inputs.get('bucket', rid)}.s3.{m.region}.amazonaws.com",
    },
    "aws:kms/key:Key": lambda name, rid, inputs, m: {
        "keyId": rid,
        "arn": f"arn:aws:kms:{m.region}:{ACCOUNT_ID}:key/{rid}",
    },
    "aws:ec2/vpc:Vpc": lambda name, rid, inputs, m: {
        "defaultSecurityGroupId": f"sg-{stable_suffix(rid + 'default', 17)}",
        "mainRouteTableId": f"rtb-{stable_suffix(rid + 'main', 17)}",
    },
    "aws:iam/role:Role": lambda name, rid, inputs, m: {
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{inputs.get('name', rid)}",
        "name": inputs.get("name", rid),
    },
    "aws:cloudwatch/logGroup:LogGroup": lambda name, rid, inputs, m: {
        "name": inputs.get("name", rid),
        "arn": f"arn:aws:logs:{m.region}:{ACCOUNT_ID}:log-group:{inputs.get('name', rid)}",
    },
}


def _default_arn(type_: str, rid: str, region: str) -> str:
    return f"arn:aws:{_service(type_)}:{region}:{ACCOUNT_ID}:{_resource_kind(type_)}/{rid}"


class PlatformMocks(pulumi.runtime.Mocks):
    """Deterministic answers for resource registrations and provider function calls."""

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider-id", dict(args.inputs)
        rid = f"{args.name}-{stable_suffix(args.typ + '::' + args.name)}"
        outputs = dict(args.inputs)
        outputs.setdefault("id", rid)
        if args.typ.startswith("aws:"):
            outputs.setdefault("arn", _default_arn(args.typ, rid, self.region))
            if "tags" in outputs:
                outputs.setdefault("tagsAll", outputs["tags"])
        extra = COMPUTED_OUTPUTS.get(args.typ)
        if extra:
            outputs.update({k: v for k, v in extra(args.name, rid, args.inputs, self).items() if k not in args.inputs})
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
            return {"names": names, "zoneIds": [f"use1-az{i}" for i in range(1, 4)], "id": self.region}, []
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            return {"json": "{}", "id": "policy"}, []
        return {}, []


@dataclass
class Registration:
    """One resource registration as the engine would see it."""

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


def struct_to_plain(struct) -> dict[str, Any]:
    """A protobuf Struct as JSON-ready data, keeping Pulumi's secret and reference signatures."""
    return json_format.MessageToDict(struct) if struct is not None else {}


class RecordingMonitor(MockMonitor):
    """A mock monitor that records every registration request whole, in order."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: dict[str, Registration] = {}
        self.stack_urn = ""

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine leaves the root stack out of its children's type chain; so do we.
        if parent and parent == self.stack_urn:
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == STACK_TYPE:
            self.stack_urn = response.urn
        inputs = struct_to_plain(request.object)
        outputs = struct_to_plain(response.object) if request.type != STACK_TYPE else {}
        self.registrations[response.urn] = Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent,
            provider=request.provider,
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            inputs=inputs,
            outputs=outputs,
            id=response.id,
            protect=bool(request.protect),
            remote=bool(request.remote),
            ignore_changes=list(request.ignoreChanges),
            delete_before_replace=bool(request.deleteBeforeReplace),
            additional_secret_outputs=list(request.additionalSecretOutputs),
        )
        return response

    def RegisterResourceOutputs(self, request):
        registration = self.registrations.get(request.urn)
        if registration is not None:
            registration.outputs = struct_to_plain(request.outputs)
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


@dataclass(frozen=True)
class OfflineTarget:
    """The account and region the offline plan pretends to deploy to."""

    region: str
    account_id: str = ACCOUNT_ID


_OFFLINE: OfflineTarget | None = None


def offline_target() -> OfflineTarget | None:
    """Set once ``install_mocks`` has run: program-time AWS lookups (such as the model-package
    promotion lookup) must then answer with documented placeholders instead of calling AWS."""
    return _OFFLINE


def install_mocks(*, project: str, stack: str, region: str = "us-east-1",
                  preview: bool = False) -> RecordingMonitor:
    """Point Pulumi's runtime at a fresh recording monitor, mark the process offline, return the monitor."""
    global _OFFLINE
    _OFFLINE = OfflineTarget(region=region)
    monitor = RecordingMonitor(PlatformMocks(region=region))
    # A fresh root stack per run: set_mocks keeps an existing one, whose URN belongs to the last run.
    settings.ROOT.set(None)
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    return monitor
