"""In-place feature additions: a Pulumi dynamic resource that evolves a feature group's schema.

The provider's ``aws.sagemaker.FeatureGroup`` replaces the group whenever its feature definitions
change, which deletes the offline data. The component therefore creates the group with
``ignore_changes=["featureDefinitions"]`` and lets ``FeatureAdditions`` own the definitions:

- ``create``/``update`` read the live group (``DescribeFeatureGroup``), add the features it lacks
  with ``UpdateFeatureGroup(FeatureAdditions=...)``, at most 100 per call, and wait until SageMaker
  reports each update done;
  the outputs carry the schema SageMaker reports and, under ``store``, the live store settings
  (``DescribeFeatureGroup`` and the group's tags from ``ListTags``), which refresh the lock.
- ``diff`` compares the recorded (deployed) schema and store settings with the desired ones (the
  ``store`` input, from the spec) and raises, failing the preview, when a feature would be removed or
  retyped or a store setting only a new group can have would change, and ``allowReplacement`` is not
  set. State recorded before store settings were gets one update that records them.
- ``delete`` does nothing: features cannot be removed; the group itself belongs to the base resource.

boto3 runs in the engine's dynamic-provider process with the ambient AWS credentials. The region
is an input; the endpoint follows boto3's own settings (``AWS_ENDPOINT_URL_SAGEMAKER``), which the
tests point at moto's server.
"""

from __future__ import annotations

import time
from typing import Any, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.feature_store.schema import (Column, DeployedGroup, GroupChange, GroupSchema, StoreSettings, refusal,
                                             schema_change, store_change)

#: How long to wait for SageMaker to finish adding features, and how often to look.
UPDATE_TIMEOUT_SECONDS = 900
POLL_SECONDS = 5.0
#: UpdateFeatureGroup takes at most this many FeatureAdditions per call.
MAX_ADDITIONS_PER_UPDATE = 100


class FeatureAdditionError(Exception):
    """SageMaker refused or failed to add features."""


def sagemaker_client(region: str):
    """The SageMaker client the provider uses (a function so tests can substitute a stubbed one)."""
    import boto3  # here, not at import: a plan or preview that never calls the provider never loads boto3

    return boto3.client("sagemaker", region_name=region)


def _desired(props: dict[str, Any]) -> GroupSchema:
    return GroupSchema.from_json(props)


def _store(props: dict[str, Any]) -> Optional[StoreSettings]:
    """The store settings in inputs (desired) or state (live); None in state recorded before they were."""
    store = props.get("store")
    return StoreSettings.from_json(store) if store else None


def _tags(client, arn: str) -> dict[str, str]:
    """The group's tags as SageMaker reports them (``ListTags``, every page)."""
    tags: dict[str, str] = {}
    request: dict[str, Any] = {"ResourceArn": arn}
    while True:
        response = client.list_tags(**request)
        tags.update({tag["Key"]: tag["Value"] for tag in response.get("Tags", [])})
        if not response.get("NextToken"):
            return tags
        request["NextToken"] = response["NextToken"]


def _live(client, description: dict[str, Any]) -> dict[str, Any]:
    """The state to record: the schema and store settings SageMaker reports (the lock's content)."""
    store = StoreSettings.from_sagemaker(description, _tags(client, description["FeatureGroupArn"]))
    return DeployedGroup(GroupSchema.from_sagemaker(description), store).to_json()


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
        description = client.describe_feature_group(FeatureGroupName=group)
        live = GroupSchema.from_sagemaker(description)
        change = schema_change(live, _desired(props))
        if change.destructive and not props.get("allowReplacement"):
            raise FeatureAdditionError(refusal(group, GroupChange(schema=change), source="live group"))
        from botocore.exceptions import ClientError

        # One update at a time: SageMaker refuses another while the last is in progress.
        for start in range(0, len(change.added), MAX_ADDITIONS_PER_UPDATE):
            batch = change.added[start:start + MAX_ADDITIONS_PER_UPDATE]
            try:
                client.update_feature_group(FeatureGroupName=group, FeatureAdditions=[c.to_sagemaker() for c in batch])
            except ClientError as exc:
                raise FeatureAdditionError(f"feature group {group!r}: adding "
                                           f"{', '.join(c.name for c in batch)} failed: {exc}") from None
            description = _wait_for_update(client, group)
        return {**props, **_live(client, description)}

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(props["featureGroupName"], self._converge(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # olds is the recorded state (what SageMaker reported), news the desired inputs. Store settings
        # are compared as settings, not as dicts, so an equal store is no change.
        deployed_store, desired_store = _store(olds), _store(news)
        change = GroupChange(schema=schema_change(GroupSchema.from_json(olds), _desired(news)),
                             store=store_change(deployed_store, desired_store))
        if change.destructive and not news.get("allowReplacement"):
            raise FeatureAdditionError(refusal(news["featureGroupName"], change, source="deployed state"))
        replaces = [key for key in ("featureGroupName", "region") if olds.get(key) != news.get(key)]
        # State from before store settings were recorded: one update records the live ones.
        unrecorded = deployed_store is None and desired_store is not None
        changed = bool(replaces) or not change.empty or unrecorded
        return DiffResult(changes=changed, replaces=replaces, delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._converge(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        client = sagemaker_client(props["region"])
        return ReadResult(id_, {**props, **_live(client, client.describe_feature_group(FeatureGroupName=id_))})


class FeatureAdditions(pulumi.dynamic.Resource, module="feature_store", name="FeatureAdditions"):
    """A feature group's feature definitions, evolved in place, and its store settings, watched.

    ``store`` is the desired store settings (from the spec); the state holds the live ones.
    ``deployed_schema`` is the schema and store settings SageMaker reports (``DeployedGroup.to_json``
    form): the lock's content.
    """

    deployed_schema: pulumi.Output[dict]

    def __init__(self, name: str, *, feature_group_name: pulumi.Input[str], schema: GroupSchema,
                 store: StoreSettings, region: pulumi.Input[str], allow_replacement: bool = False,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        props = {
            "featureGroupName": feature_group_name,
            "region": region,
            "allowReplacement": allow_replacement,
            **schema.to_json(),
            "store": store.to_json(),
        }
        super().__init__(FeatureAdditionsProvider(), name, props, opts)
        # A dynamic resource's outputs become attributes under their state keys (camelCase here).
        self.deployed_schema = pulumi.Output.all(
            *(getattr(self, key) for key in ("recordIdentifier", "eventTime", "features", "store"))
        ).apply(lambda v: DeployedGroup(GroupSchema(v[0], v[1], tuple(Column.from_json(f) for f in v[2])),
                                        StoreSettings.from_json(v[3]) if v[3] else None).to_json())
