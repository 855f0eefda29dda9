"""FeatureAdditionsProvider called as the engine calls it: against moto's server, and botocore's
Stubber for UpdateFeatureGroup (moto 5 does not implement it; the Stubber checks requests and
responses against the real SageMaker model)."""

import copy
import re

import boto3
import pytest
from botocore.stub import Stubber

from components.feature_store import provider as provider_module
from components.feature_store.provider import FeatureAdditionError, FeatureAdditionsProvider
from components.feature_store.schema import Column, GroupSchema

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/feature-store"
BASE = GroupSchema("customer_id", "event_time", (Column("customer_id", "String"), Column("event_time", "Fractional"),
                                                  Column("tenure_days", "Integral")))


def props(schema: GroupSchema, group: str = "dev-fs-customers", allow_replacement: bool = False) -> dict:
    """The inputs the engine hands the provider (ints arrive as floats on the wire)."""
    return {"featureGroupName": group, "region": REGION, "allowReplacement": allow_replacement, **schema.to_json()}


def with_features(*extra: Column) -> GroupSchema:
    return GroupSchema(BASE.record_identifier, BASE.event_time, BASE.features + extra)


@pytest.fixture
def moto_sagemaker(moto_reset, monkeypatch):
    """A SageMaker client on moto, with the provider's boto3 pointed at the same server."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", moto_reset)
    return boto3.client("sagemaker", region_name=REGION, endpoint_url=moto_reset)


def create_group(client, schema: GroupSchema, group: str = "dev-fs-customers") -> dict:
    client.create_feature_group(
        FeatureGroupName=group, RecordIdentifierFeatureName=schema.record_identifier,
        EventTimeFeatureName=schema.event_time, FeatureDefinitions=[c.to_sagemaker() for c in schema.features],
        OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://offline/customers"}}, RoleArn=ROLE)
    return client.describe_feature_group(FeatureGroupName=group)


def test_create_records_the_live_schema_without_updating_an_up_to_date_group(moto_sagemaker):
    create_group(moto_sagemaker, BASE)
    result = FeatureAdditionsProvider().create(props(BASE))
    assert result.id == "dev-fs-customers"
    assert GroupSchema.from_json(result.outs) == BASE
    assert result.outs["featureGroupName"] == "dev-fs-customers"


def test_read_reports_what_sagemaker_has_not_what_was_asked(moto_sagemaker):
    create_group(moto_sagemaker, BASE)
    asked = with_features(Column("segment", "String"))
    result = FeatureAdditionsProvider().read("dev-fs-customers", props(asked))
    assert GroupSchema.from_json(result.outs) == BASE


def test_create_refuses_a_live_group_that_has_features_the_spec_dropped(moto_sagemaker):
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


def _describe(live: dict, schema: GroupSchema, status: str | None = None, reason: str = "") -> dict:
    # NextToken is required in the model's DescribeFeatureGroup response; moto leaves it out.
    response = {**live, "NextToken": "", "FeatureDefinitions": [c.to_sagemaker() for c in schema.features]}
    if status:
        response["LastUpdateStatus"] = {"Status": status, **({"FailureReason": reason} if reason else {})}
    return response


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

    result = FeatureAdditionsProvider().update("dev-fs-customers", props(BASE), props(desired))

    stubbed.assert_no_pending_responses()
    assert GroupSchema.from_json(result.outs) == desired


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
