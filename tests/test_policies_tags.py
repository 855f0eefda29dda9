"""Tag, classification and region rules, each from a compliant resource with one field changed."""

from __future__ import annotations

import pytest

from policies.rules import regions, tags
from policy_helpers import UNKNOWN, provider, resource_args, violations

BUCKET = "aws:s3/bucket:Bucket"
TAGS = {"owner": "ml-platform", "cost-center": "cc-1234", "environment": "prod", "data-classification": "internal"}


def without(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


def test_tagged_resource_passes_tag_rules():
    args = resource_args(BUCKET, {"tags": TAGS})
    assert violations(tags.required_tags, args) == []
    assert violations(tags.data_store_classification, args) == []


@pytest.mark.parametrize("key", ["owner", "cost-center", "environment"])
def test_missing_required_tag_fails(key):
    assert violations(tags.required_tags, resource_args(BUCKET, {"tags": without(TAGS, key)})) == [
        f"Missing required tag(s): {key}."]


def test_empty_tag_value_counts_as_missing():
    assert violations(tags.required_tags, resource_args(BUCKET, {"tags": dict(TAGS, owner=" ")})) == [
        "Missing required tag(s): owner."]


def test_provider_default_tags_count():
    args = resource_args(BUCKET, {"tags": {"data-classification": "internal"}},
                         provider_props=provider(default_tags=without(TAGS, "data-classification")))
    assert violations(tags.required_tags, args) == []


def test_tags_all_output_counts():
    args = resource_args(BUCKET, {"tags": {}, "tagsAll": TAGS})
    assert violations(tags.required_tags, args) == []


def test_taggable_type_without_tags_fails_and_untaggable_type_is_ignored():
    assert violations(tags.required_tags, resource_args("aws:ec2/vpc:Vpc", {"cidrBlock": "10.0.0.0/16"})) == [
        "Missing required tag(s): owner, cost-center, environment."]
    assert violations(tags.required_tags,
                      resource_args("aws:s3/bucketPolicy:BucketPolicy", {"bucket": "b", "policy": "{}"})) == []
    assert violations(tags.required_tags, resource_args("mlinfra:storage:SecureBucket", {})) == []


def test_required_tags_are_configurable():
    args = resource_args(BUCKET, {"tags": TAGS}, config={"requiredTags": ["owner", "team"]})
    assert violations(tags.required_tags, args) == ["Missing required tag(s): team."]


def test_unknown_tags_are_not_judged_but_unknown_values_count_as_present():
    assert violations(tags.required_tags, resource_args(BUCKET, {"tags": UNKNOWN})) == []
    assert violations(tags.required_tags, resource_args(BUCKET, {"tags": dict(TAGS, owner=UNKNOWN)})) == []


def test_data_store_without_classification_fails():
    assert violations(tags.data_store_classification, resource_args(BUCKET, {"tags": without(TAGS, "data-classification")})) == [
        "Data store has no data-classification tag; use one of public, internal, confidential, restricted."]


def test_data_store_with_unknown_classification_value_fails():
    args = resource_args("aws:dynamodb/table:Table", {"tags": dict(TAGS, **{"data-classification": "secret"})})
    assert violations(tags.data_store_classification, args) == [
        "data-classification is 'secret'; use one of public, internal, confidential, restricted."]


def test_classification_applies_only_to_data_stores():
    assert violations(tags.data_store_classification, resource_args("aws:ec2/vpc:Vpc", {"tags": {}})) == []
    assert len(violations(tags.data_store_classification,
                          resource_args("aws:sagemaker/featureGroup:FeatureGroup", {"tags": {}}))) == 1


# -- regions ------------------------------------------------------------------------------------


def test_resource_in_allowed_region_passes():
    args = resource_args(BUCKET, {"tags": TAGS}, provider_props=provider(region="eu-west-1"))
    assert violations(regions.allowed_regions, args) == []


def test_provider_region_not_allowed_fails():
    args = resource_args(BUCKET, {"tags": TAGS}, provider_props=provider(region="ap-southeast-1"))
    assert violations(regions.allowed_regions, args) == [
        "Region 'ap-southeast-1' is not allowed; use one of us-east-1, us-east-2, us-west-2, eu-west-1, eu-central-1."]


def test_resource_region_input_overrides_provider():
    args = resource_args(BUCKET, {"region": "sa-east-1"}, provider_props=provider(region="us-east-1"))
    assert len(violations(regions.allowed_regions, args)) == 1


def test_allowed_regions_config_and_provider_resource():
    args = resource_args("pulumi:providers:aws", {"region": "ap-southeast-1"}, config={"allowedRegions": ["ap-southeast-1"]})
    assert violations(regions.allowed_regions, args) == []
    assert len(violations(regions.allowed_regions, resource_args("pulumi:providers:aws", {"region": "ap-south-1"}))) == 1


def test_unknown_or_absent_region_is_not_judged():
    assert violations(regions.allowed_regions, resource_args(BUCKET, {})) == []
    assert violations(regions.allowed_regions, resource_args(BUCKET, {}, provider_props=provider(region=UNKNOWN))) == []


# -- pulumi-aws-native resources: CloudFormation's tag list, the aws-native provider's defaults and region --

MODEL_QUALITY = "aws-native:sagemaker:ModelQualityJobDefinition"


def native_provider(*, default_tags=None, region=None):
    import json

    from pulumi_policy import PolicyProviderResource
    from pulumi_policy.proxy import unknown_checking_proxy

    values = {"region": region} if region else {}
    if default_tags is not None:
        values["defaultTags"] = json.dumps({"tags": default_tags})
    return PolicyProviderResource("pulumi:providers:aws-native", unknown_checking_proxy(values),
                                  "urn:pulumi:prod::mlinfra::pulumi:providers:aws-native::aws-native", "aws-native")


def key_value(mapping: dict) -> list[dict]:
    return [{"key": k, "value": v} for k, v in mapping.items()]


def test_native_tag_lists_and_provider_default_tags_count():
    assert violations(tags.required_tags, resource_args(MODEL_QUALITY, {"tags": key_value(TAGS)})) == []
    args = resource_args(MODEL_QUALITY, {"tags": []}, provider_props=native_provider(default_tags=TAGS))
    assert violations(tags.required_tags, args) == []


def test_a_native_resource_missing_a_required_tag_fails():
    args = resource_args(MODEL_QUALITY, {"tags": key_value(without(TAGS, "owner"))})
    assert violations(tags.required_tags, args) == ["Missing required tag(s): owner."]
    # An unknown key makes the set unknown: not judged.
    assert violations(tags.required_tags, resource_args(MODEL_QUALITY, {"tags": [{"key": UNKNOWN, "value": "x"}]})) == []


def test_a_native_resource_without_tags_is_judged_when_its_type_takes_tags():
    # catalog/data/pulumi_aws_native_taggable.json says which aws-native types take tags.
    assert violations(tags.required_tags, resource_args(MODEL_QUALITY, {})) == [
        "Missing required tag(s): owner, cost-center, environment."]
    assert violations(tags.required_tags, resource_args("aws-native:s3:BucketPolicy", {})) == []


def test_native_provider_and_resources_are_held_to_the_allowed_regions():
    assert violations(regions.allowed_regions,
                      resource_args(MODEL_QUALITY, {}, provider_props=native_provider(region="eu-west-1"))) == []
    assert len(violations(regions.allowed_regions,
                          resource_args(MODEL_QUALITY, {}, provider_props=native_provider(region="ap-south-1")))) == 1
    assert len(violations(regions.allowed_regions,
                          resource_args("pulumi:providers:aws-native", {"region": "ap-south-1"}))) == 1
