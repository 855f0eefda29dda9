"""In-place feature additions: a Pulumi dynamic resource that evolves a feature group's schema.

The provider's ``aws.sagemaker.FeatureGroup`` replaces the group whenever its feature definitions
change, which deletes the offline data. The component therefore creates the group with
``ignore_changes=["featureDefinitions"]`` and lets ``FeatureAdditions`` own the definitions:

- ``create``/``update`` read the live group (``DescribeFeatureGroup``), add the features it lacks
  with ``UpdateFeatureGroup(FeatureAdditions=...)``, at most 100 per call, and wait until SageMaker
  reports each update done;
  the outputs carry the schema SageMaker reports, which refreshes the lock.
- ``diff`` compares the recorded (deployed) schema with the desired one and raises, failing the
  preview, when a feature would be removed or retyped and ``allowReplacement`` is not set.
- ``delete`` does nothing: features cannot be removed; the group itself belongs to the base resource.

boto3 runs in the engine's dynamic-provider process with the ambient AWS credentials. The region
is an input; the endpoint follows boto3's own settings (``AWS_ENDPOINT_URL_SAGEMAKER``), which the
tests point at moto's server.
"""

from __future__ import annotations

import time
from typing import Any, Optional

import boto3
import pulumi
from botocore.exceptions import ClientError
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.feature_store.schema import Column, GroupSchema, refusal, schema_change

#: How long to wait for SageMaker to finish adding features, and how often to look.
UPDATE_TIMEOUT_SECONDS = 900
POLL_SECONDS = 5.0
#: UpdateFeatureGroup takes at most this many FeatureAdditions per call.
MAX_ADDITIONS_PER_UPDATE = 100


class FeatureAdditionError(Exception):
    """SageMaker refused or failed to add features."""


def sagemaker_client(region: str):
    """The SageMaker client the provider uses (a function so tests can substitute a stubbed one)."""
    return boto3.client("sagemaker", region_name=region)


def _desired(props: dict[str, Any]) -> GroupSchema:
    return GroupSchema.from_json(props)


def _wait_for_update(client, group: str) -> dict[str, Any]:
    deadline = time.monotonic() + UPDATE_TIMEOUT_SECONDS
    while True:
        description = client.describe_feature_group(FeatureGroupName=group)
        status = description.get("LastUpdateStatus", {}).get("Status", "Successful")
        if status == "Successful":
            return description
        if status == "Failed":
            reason = description["LastUpdateStatus"].get("FailureReason", "no reason given")
            raise FeatureAdditionError(f"feature group {group!r}: adding features failed: {reason}")
        if time.monotonic() > deadline:
            raise FeatureAdditionError(f"feature group {group!r}: update still {status} after "
                                       f"{UPDATE_TIMEOUT_SECONDS} s")
        time.sleep(POLL_SECONDS)


class FeatureAdditionsProvider(ResourceProvider):
    """Adds missing features to an existing feature group; refuses removals and type changes."""

    def _converge(self, props: dict[str, Any]) -> dict[str, Any]:
        group = props["featureGroupName"]
        client = sagemaker_client(props["region"])
        live = GroupSchema.from_sagemaker(client.describe_feature_group(FeatureGroupName=group))
        change = schema_change(live, _desired(props))
        if change.destructive and not props.get("allowReplacement"):
            raise FeatureAdditionError(refusal(group, change, source="live group"))
        # One update at a time: SageMaker refuses another while the last is in progress.
        for start in range(0, len(change.added), MAX_ADDITIONS_PER_UPDATE):
            batch = change.added[start:start + MAX_ADDITIONS_PER_UPDATE]
            try:
                client.update_feature_group(FeatureGroupName=group, FeatureAdditions=[c.to_sagemaker() for c in batch])
            except ClientError as exc:
                raise FeatureAdditionError(f"feature group {group!r}: adding "
                                           f"{', '.join(c.name for c in batch)} failed: {exc}") from None
            live = GroupSchema.from_sagemaker(_wait_for_update(client, group))
        return {**props, **live.to_json()}

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(props["featureGroupName"], self._converge(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        deployed, desired = GroupSchema.from_json(olds), _desired(news)
        change = schema_change(deployed, desired)
        if change.destructive and not news.get("allowReplacement"):
            raise FeatureAdditionError(refusal(news["featureGroupName"], change, source="deployed state"))
        replaces = [key for key in ("featureGroupName", "region") if olds.get(key) != news.get(key)]
        changed = bool(replaces) or not change.empty
        return DiffResult(changes=changed, replaces=replaces, delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._converge(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        client = sagemaker_client(props["region"])
        live = GroupSchema.from_sagemaker(client.describe_feature_group(FeatureGroupName=id_))
        return ReadResult(id_, {**props, **live.to_json()})


class FeatureAdditions(pulumi.dynamic.Resource, module="feature_store", name="FeatureAdditions"):
    """A feature group's feature definitions, evolved in place.

    ``deployed_schema`` is the schema SageMaker reports (``GroupSchema.to_json`` form): the lock's content.
    """

    deployed_schema: pulumi.Output[dict]

    def __init__(self, name: str, *, feature_group_name: pulumi.Input[str], schema: GroupSchema,
                 region: pulumi.Input[str], allow_replacement: bool = False,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        props = {
            "featureGroupName": feature_group_name,
            "region": region,
            "allowReplacement": allow_replacement,
            **schema.to_json(),
        }
        super().__init__(FeatureAdditionsProvider(), name, props, opts)
        # A dynamic resource's outputs become attributes under their state keys (camelCase here).
        self.deployed_schema = pulumi.Output.all(
            *(getattr(self, key) for key in ("recordIdentifier", "eventTime", "features"))
        ).apply(lambda v: GroupSchema(v[0], v[1], tuple(Column.from_json(f) for f in v[2])).to_json())
