"""FeatureAdditionsProvider called as the engine calls it: against moto's server, and botocore's
Stubber where moto falls short (the Stubber checks requests and responses against the real
SageMaker model). What moto 5.2 does, checked against its server:

- ``UpdateFeatureGroup``: not implemented (Stubber).
- ``DescribeFeatureGroup``: returns the ``OfflineStoreConfig`` it was given, ``TableFormat``
  included (or absent), so the offline store settings are tested on moto; it drops
  ``OnlineStoreConfig`` altogether (no ``EnableOnlineStore``, no ``StorageType``) and fails (HTTP
  500) to create a group without an offline store, so the online settings are tested with Stubber
  responses.
- ``ListTags`` on a feature-group ARN: HTTP 500 (moto's tagging knows no ``feature-group``
  resources), so the group's tags always come from a Stubber.
"""

import copy
import re

import boto3
import pytest
from botocore.stub import Stubber

from components.feature_store import provider as provider_module
from components.feature_store.provider import FeatureAdditionError, FeatureAdditionsProvider
from components.feature_store.schema import Column, GroupSchema, StoreSettings

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/feature-store"
BASE = GroupSchema("customer_id", "event_time", (Column("customer_id", "String"), Column("event_time", "Fractional"),
                                                  Column("tenure_days", "Integral")))
#: The store create_group makes on moto, as the provider must report it: moto keeps no online store.
MOTO_STORE = StoreSettings(online_storage_type=None, offline_table_format="Glue", restricted=False)
STORE = StoreSettings(online_storage_type="Standard", offline_table_format="Glue", restricted=False)
TAGS = [{"Key": "data-classification", "Value": "confidential"}, {"Key": "contains-pii", "Value": "false"},
        {"Key": "feature-group", "Value": "customers"}]


def props(schema: GroupSchema, group: str = "dev-fs-customers", allow_replacement: bool = False,
          store: StoreSettings | None = STORE) -> dict:
    """The inputs the engine hands the provider (ints arrive as floats on the wire)."""
    return {"featureGroupName": group, "region": REGION, "allowReplacement": allow_replacement, **schema.to_json(),
            **({"store": store.to_json()} if store else {})}


def with_features(*extra: Column) -> GroupSchema:
    return GroupSchema(BASE.record_identifier, BASE.event_time, BASE.features + extra)


@pytest.fixture
def moto_sagemaker(moto_reset, monkeypatch):
    """A SageMaker client on moto, with the provider's boto3 pointed at the same server."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", moto_reset)
    return boto3.client("sagemaker", region_name=REGION, endpoint_url=moto_reset)


class _MotoWithStubbedTags:
    """moto's client for everything but ``list_tags``, which a Stubber answers (moto fails it for groups)."""

    def __init__(self, moto_client, tag_client) -> None:
        self._moto, self._tags = moto_client, tag_client

    def __getattr__(self, name):
        return getattr(self._tags if name == "list_tags" else self._moto, name)


@pytest.fixture
def tags(moto_sagemaker, monkeypatch):
    """A Stubber for the provider's ListTags calls; every other call goes to moto."""
    tag_client = boto3.client("sagemaker", region_name=REGION)
    stubber = Stubber(tag_client)
    monkeypatch.setattr(provider_module, "sagemaker_client",
                        lambda region: _MotoWithStubbedTags(moto_sagemaker, tag_client))
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


def expect_tags(stubber: Stubber, arn: str, tags=TAGS) -> None:
    stubber.add_response("list_tags", {"Tags": tags}, {"ResourceArn": arn})


def create_group(client, schema: GroupSchema, group: str = "dev-fs-customers", table_format: str | None = None
                 ) -> dict:
    offline = {"S3StorageConfig": {"S3Uri": "s3://offline/customers"}}
    if table_format:
        offline["TableFormat"] = table_format
    client.create_feature_group(
        FeatureGroupName=group, RecordIdentifierFeatureName=schema.record_identifier,
        EventTimeFeatureName=schema.event_time, FeatureDefinitions=[c.to_sagemaker() for c in schema.features],
        OfflineStoreConfig=offline, RoleArn=ROLE)
    return client.describe_feature_group(FeatureGroupName=group)


def test_create_records_the_live_schema_without_updating_an_up_to_date_group(moto_sagemaker, tags):
    live = create_group(moto_sagemaker, BASE)
    expect_tags(tags, live["FeatureGroupArn"])
    result = FeatureAdditionsProvider().create(props(BASE))
    assert result.id == "dev-fs-customers"
    assert GroupSchema.from_json(result.outs) == BASE
    assert result.outs["featureGroupName"] == "dev-fs-customers"


@pytest.mark.parametrize(("table_format", "tag_values", "expected"), [
    # moto: no TableFormat reported means Glue; the tags say neither restricted nor PII.
    (None, ("confidential", "false"), {"onlineStore": False, "offlineStore": True, "tableFormat": "Glue",
                                       "restricted": False}),
    ("Iceberg", ("confidential", "true"), {"onlineStore": False, "offlineStore": True, "tableFormat": "Iceberg",
                                           "restricted": True}),
    ("Glue", ("restricted", "false"), {"onlineStore": False, "offlineStore": True, "tableFormat": "Glue",
                                       "restricted": True}),
])
def test_create_records_the_live_offline_store_and_key_tier_from_the_tags(moto_sagemaker, tags, table_format,
                                                                           tag_values, expected):
    live = create_group(moto_sagemaker, BASE, table_format=table_format)
    expect_tags(tags, live["FeatureGroupArn"], [{"Key": "data-classification", "Value": tag_values[0]},
                                                {"Key": "contains-pii", "Value": tag_values[1]}])
    # What was asked (an online Standard store, not restricted) does not leak into what is recorded.
    result = FeatureAdditionsProvider().create(props(BASE))
    assert result.outs["store"] == expected


def test_read_reports_what_sagemaker_has_not_what_was_asked(moto_sagemaker, tags):
    live = create_group(moto_sagemaker, BASE, table_format="Iceberg")
    expect_tags(tags, live["FeatureGroupArn"])
    asked = with_features(Column("segment", "String"))
    result = FeatureAdditionsProvider().read("dev-fs-customers", props(asked))
    assert GroupSchema.from_json(result.outs) == BASE
    assert StoreSettings.from_json(result.outs["store"]) == StoreSettings(None, "Iceberg", False)


def test_create_refuses_a_live_group_that_has_features_the_spec_dropped(moto_sagemaker, tags):
    create_group(moto_sagemaker, BASE)
    narrower = GroupSchema(BASE.record_identifier, BASE.event_time, BASE.features[:2])
    with pytest.raises(FeatureAdditionError, match=r"removes tenure_days \(Integral\)"):
        FeatureAdditionsProvider().create(props(narrower))


def test_diff_of_an_addition_is_an_in_place_update():
    result = FeatureAdditionsProvider().diff("g", props(BASE), props(with_features(Column("segment", "String"))))
    assert result.changes is True
    assert result.replaces == []


def test_diff_without_change_reports_none():
    assert FeatureAdditionsProvider().diff("g", props(BASE), props(BASE)).changes is False


STORE_CHANGES = [
    (STORE, StoreSettings(None, "Glue", False), "turns the online store off"),
    (StoreSettings(None, "Glue", False), STORE, "turns the online store on"),
    (STORE, StoreSettings("Standard", None, False), "turns the offline store off"),
    (StoreSettings("Standard", None, False), STORE, "turns the offline store on"),
    (StoreSettings("Standard", None, False), StoreSettings("InMemory", None, False),
     "changes the online storage type from Standard to InMemory"),
    (STORE, StoreSettings("Standard", "Iceberg", False), "changes the offline table format from Glue to Iceberg"),
    (STORE, StoreSettings("Standard", "Glue", True),
     "moves the group to the restricted key (its first PII feature or restricted classification)"),
    (StoreSettings("Standard", "Glue", True), STORE,
     "moves the group off the restricted key to the standard one (no PII feature and no restricted classification "
     "left)"),
]


@pytest.mark.parametrize(("live", "desired", "words"), STORE_CHANGES)
def test_diff_refuses_each_store_change_against_the_recorded_state(live, desired, words):
    with pytest.raises(FeatureAdditionError) as info:
        FeatureAdditionsProvider().diff("g", props(BASE, store=live), props(BASE, store=desired))
    assert str(info.value) == (
        f"feature group 'dev-fs-customers' (deployed state): the change {words}. SageMaker cannot do that in place: "
        "the group would be replaced, deleting its online records and its offline store data (the S3 objects and the "
        "Glue table). Keep the deployed store settings and create a new group under a new name for the new ones, or "
        "set allowReplacement: true in the spec to accept the loss.")


@pytest.mark.parametrize(("live", "desired", "words"), STORE_CHANGES)
def test_diff_lets_an_allowed_store_change_update_the_recorded_settings(live, desired, words):
    result = FeatureAdditionsProvider().diff("g", props(BASE, store=live),
                                             props(BASE, store=desired, allow_replacement=True))
    assert result.changes is True
    assert result.replaces == []


def test_diff_lists_schema_and_store_changes_in_one_message():
    narrower = GroupSchema(BASE.record_identifier, BASE.event_time, BASE.features[:2])
    with pytest.raises(FeatureAdditionError) as info:
        FeatureAdditionsProvider().diff("g", props(BASE), props(narrower, store=StoreSettings("Standard", None, False)))
    message = str(info.value)
    assert "the change removes tenure_days (Integral); turns the offline store off. SageMaker cannot" in message
    assert message.endswith("Restore the deployed definition and add new features under new names, keep the deployed "
                            "store settings and create a new group under a new name for the new ones, or set "
                            "allowReplacement: true in the spec to accept the loss.")


def test_equal_store_settings_written_differently_are_no_change():
    olds = props(BASE, store=StoreSettings(None, "Iceberg", True))
    # A storage type recorded for a store that is off means nothing; key order means nothing.
    olds["store"] = {"restricted": True, "tableFormat": "Iceberg", "offlineStore": True, "onlineStore": False,
                     "storageType": "Standard"}
    news = props(BASE, store=StoreSettings(None, "Iceberg", True))
    assert olds["store"] != news["store"]
    assert FeatureAdditionsProvider().diff("g", olds, news).changes is False


def test_state_without_store_settings_gets_one_update_that_records_them_and_refuses_nothing():
    legacy = props(BASE, store=None)
    result = FeatureAdditionsProvider().diff("g", legacy, props(BASE, store=StoreSettings("InMemory", None, True)))
    assert result.changes is True
    assert result.replaces == []


@pytest.mark.parametrize(("desired", "loss"), [
    (GroupSchema("customer_id", "event_time", BASE.features[:2]), r"removes tenure_days \(Integral\)"),
    (GroupSchema("customer_id", "event_time", BASE.features[:2] + (Column("tenure_days", "Fractional"),)),
     r"changes the type of tenure_days \(Integral -> Fractional\)"),
    (GroupSchema("customer_id", "event_time", BASE.features[:2] + (Column("tenure_days", "Integral", "List"),)),
     r"tenure_days \(Integral -> List<Integral>\)"),
])
def test_diff_refuses_removal_and_type_change_naming_group_features_and_loss(desired, loss):
    with pytest.raises(FeatureAdditionError) as info:
        FeatureAdditionsProvider().diff("g", props(BASE), props(desired))
    message = str(info.value)
    assert message.startswith("feature group 'dev-fs-customers' (deployed state): the change ")
    assert re.search(loss, message)
    assert "deleting its online records and its offline store data" in message
    assert "allowReplacement: true" in message


def test_diff_accepts_a_destructive_change_the_spec_allows():
    desired = GroupSchema("customer_id", "event_time", BASE.features[:2])
    result = FeatureAdditionsProvider().diff("g", props(BASE), props(desired, allow_replacement=True))
    assert result.changes is True


def test_diff_replaces_when_the_group_name_changes():
    result = FeatureAdditionsProvider().diff("g", props(BASE), props(BASE, group="dev-fs-other"))
    assert result.replaces == ["featureGroupName"]


def test_vector_dimension_arriving_as_float_is_not_a_type_change():
    vector = with_features(Column("embedding", "Fractional", "Vector", 128))
    olds = props(vector)
    news = copy.deepcopy(olds)
    news["features"][-1]["dimension"] = 128.0
    assert FeatureAdditionsProvider().diff("g", olds, news).changes is False


@pytest.fixture
def stubbed(moto_sagemaker, monkeypatch):
    """A Stubber-wrapped client the provider uses instead of its own; the poll interval made zero."""
    client = boto3.client("sagemaker", region_name=REGION)
    stubber = Stubber(client)
    monkeypatch.setattr(provider_module, "sagemaker_client", lambda region: client)
    monkeypatch.setattr(provider_module, "POLL_SECONDS", 0)
    with stubber:
        yield stubber


def _describe(live: dict, schema: GroupSchema, status: str | None = None, reason: str = "", **stores) -> dict:
    # NextToken is required in the model's DescribeFeatureGroup response; moto leaves it out.
    response = {**live, "NextToken": "", "FeatureDefinitions": [c.to_sagemaker() for c in schema.features], **stores}
    if status:
        response["LastUpdateStatus"] = {"Status": status, **({"FailureReason": reason} if reason else {})}
    return {key: value for key, value in response.items() if value is not None}


@pytest.mark.parametrize(("online", "offline", "expected"), [
    # SageMaker leaves StorageType out for a Standard store created without one.
    ({"EnableOnlineStore": True}, "keep",
     {"onlineStore": True, "storageType": "Standard", "offlineStore": True, "tableFormat": "Glue",
      "restricted": False}),
    ({"EnableOnlineStore": True, "StorageType": "InMemory"}, None,
     {"onlineStore": True, "storageType": "InMemory", "offlineStore": False, "restricted": False}),
    ({"EnableOnlineStore": False, "StorageType": "Standard"}, "keep",
     {"onlineStore": False, "offlineStore": True, "tableFormat": "Glue", "restricted": False}),
])
def test_outputs_carry_the_live_online_store(moto_sagemaker, stubbed, online, offline, expected):
    live = create_group(moto_sagemaker, BASE)
    live.pop("ResponseMetadata")
    stores = {"OnlineStoreConfig": online, "OfflineStoreConfig": live["OfflineStoreConfig"] if offline else None}
    stubbed.add_response("describe_feature_group", _describe(live, BASE, **stores),
                         {"FeatureGroupName": "dev-fs-customers"})
    expect_tags(stubbed, live["FeatureGroupArn"])
    result = FeatureAdditionsProvider().create(props(BASE))
    stubbed.assert_no_pending_responses()
    assert result.outs["store"] == expected


def test_tags_are_read_across_pages(moto_sagemaker, stubbed):
    live = create_group(moto_sagemaker, BASE)
    live.pop("ResponseMetadata")
    arn = live["FeatureGroupArn"]
    stubbed.add_response("describe_feature_group", _describe(live, BASE))
    stubbed.add_response("list_tags", {"Tags": [{"Key": "data-classification", "Value": "confidential"}],
                                       "NextToken": "page-2"}, {"ResourceArn": arn})
    stubbed.add_response("list_tags", {"Tags": [{"Key": "contains-pii", "Value": "true"}]},
                         {"ResourceArn": arn, "NextToken": "page-2"})
    result = FeatureAdditionsProvider().create(props(BASE))
    stubbed.assert_no_pending_responses()
    assert result.outs["store"]["restricted"] is True


def test_update_adds_missing_features_in_place_and_waits_for_sagemaker(moto_sagemaker, stubbed):
    live = create_group(moto_sagemaker, BASE)
    live.pop("ResponseMetadata")
    desired = with_features(Column("segment", "String"), Column("embedding", "Fractional", "Vector", 64))
    stubbed.add_response("describe_feature_group", _describe(live, BASE), {"FeatureGroupName": "dev-fs-customers"})
    stubbed.add_response(
        "update_feature_group", {"FeatureGroupArn": live["FeatureGroupArn"]},
        {"FeatureGroupName": "dev-fs-customers", "FeatureAdditions": [
            {"FeatureName": "segment", "FeatureType": "String"},
            {"FeatureName": "embedding", "FeatureType": "Fractional", "CollectionType": "Vector",
             "CollectionConfig": {"VectorConfig": {"Dimension": 64}}}]})
    stubbed.add_response("describe_feature_group", _describe(live, desired, "InProgress"),
                         {"FeatureGroupName": "dev-fs-customers"})
    stubbed.add_response("describe_feature_group", _describe(live, desired, "Successful"),
                         {"FeatureGroupName": "dev-fs-customers"})
    expect_tags(stubbed, live["FeatureGroupArn"])

    result = FeatureAdditionsProvider().update("dev-fs-customers", props(BASE), props(desired))

    stubbed.assert_no_pending_responses()
    assert GroupSchema.from_json(result.outs) == desired
    assert StoreSettings.from_json(result.outs["store"]) == MOTO_STORE


def test_update_adds_more_than_a_hundred_features_in_batches_sagemaker_accepts(moto_sagemaker, stubbed):
    live = create_group(moto_sagemaker, BASE)
    live.pop("ResponseMetadata")
    extra = tuple(Column(f"f{i:03d}", "Integral") for i in range(150))
    first, desired = with_features(*extra[:100]), with_features(*extra)
    stubbed.add_response("describe_feature_group", _describe(live, BASE))
    stubbed.add_response("update_feature_group", {"FeatureGroupArn": live["FeatureGroupArn"]},
                         {"FeatureGroupName": "dev-fs-customers",
                          "FeatureAdditions": [c.to_sagemaker() for c in extra[:100]]})
    stubbed.add_response("describe_feature_group", _describe(live, first, "Successful"))
    stubbed.add_response("update_feature_group", {"FeatureGroupArn": live["FeatureGroupArn"]},
                         {"FeatureGroupName": "dev-fs-customers",
                          "FeatureAdditions": [c.to_sagemaker() for c in extra[100:]]})
    stubbed.add_response("describe_feature_group", _describe(live, desired, "Successful"))
    expect_tags(stubbed, live["FeatureGroupArn"])

    result = FeatureAdditionsProvider().update("dev-fs-customers", props(BASE), props(desired))

    stubbed.assert_no_pending_responses()
    assert GroupSchema.from_json(result.outs) == desired


def test_update_reports_sagemakers_failure_reason(moto_sagemaker, stubbed):
    live = create_group(moto_sagemaker, BASE)
    live.pop("ResponseMetadata")
    desired = with_features(Column("segment", "String"))
    stubbed.add_response("describe_feature_group", _describe(live, BASE))
    stubbed.add_response("update_feature_group", {"FeatureGroupArn": live["FeatureGroupArn"]})
    stubbed.add_response("describe_feature_group", _describe(live, BASE, "Failed", "Quota exceeded"))
    with pytest.raises(FeatureAdditionError, match="adding features failed: Quota exceeded"):
        FeatureAdditionsProvider().update("dev-fs-customers", props(BASE), props(desired))


def test_update_turns_a_refused_request_into_an_error_naming_the_features(moto_sagemaker, stubbed):
    live = create_group(moto_sagemaker, BASE)
    live.pop("ResponseMetadata")
    stubbed.add_response("describe_feature_group", _describe(live, BASE))
    stubbed.add_client_error("update_feature_group", "ResourceLimitExceeded", "too many features")
    with pytest.raises(FeatureAdditionError, match="adding segment failed: .*too many features"):
        FeatureAdditionsProvider().update("dev-fs-customers", props(BASE), props(with_features(Column("segment", "String"))))


def test_provider_survives_pulumi_serialization():
    """The engine runs the provider from its dill-pickled form; it must round-trip."""
    import base64

    import dill
    from pulumi.dynamic.dynamic import serialize_provider

    restored = dill.loads(base64.b64decode(serialize_provider(FeatureAdditionsProvider())))
    assert restored.diff("g", props(BASE), props(BASE)).changes is False
