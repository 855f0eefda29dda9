"""Cost and dataset rules: each from a compliant stack, one field changed; unknowns tolerated."""

from __future__ import annotations

import copy
from typing import Any, Callable, Optional

import pytest

from policies.rules import costs, datasets
from policy_helpers import UNKNOWN, provider, stack_args, stack_resource, violations
from sdk_inputs import assert_inputs_in_sdk

BUDGET = "aws:budgets/budget:Budget"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


def compliant() -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        "budget": (BUDGET, {"budgetType": "COST", "timeUnit": "MONTHLY", "limitAmount": "3000", "notifications": [
            {"notificationType": "ACTUAL", "threshold": 80, "thresholdType": "PERCENTAGE",
             "comparisonOperator": "GREATER_THAN", "subscriberSnsTopicArns": ["arn:aws:sns:us-east-1:1:alerts"]}]}),
        "gpu": (NODE_GROUP, {"instanceTypes": ["g6.xlarge"], "tags": {"team": "research"}}),
        "system": (NODE_GROUP, {"instanceTypes": ["m7i.large"], "tags": {}}),
        "gpu-config": (CONFIG, {"name": "gpu-config-1", "productionVariants": [
            {"variantName": "primary", "instanceType": "ml.g5.xlarge"}], "tags": {"team": "applied-ml"}}),
        "gpu-endpoint": (ENDPOINT, {"name": "churn", "endpointConfigName": "gpu-config-1",
                                    "tags": {"team": "applied-ml"}}),
        "datasets": (BUCKET, {"id": "ds-1", "bucket": "ds-1", "arn": "arn:aws:s3:::ds-1", "objectLockEnabled": True,
                              "tags": {"data-purpose": "datasets"}}),
        "datasets-lock": (LOCK, {"bucket": "ds-1", "objectLockEnabled": "Enabled",
                                 "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 30}}}),
        "datasets-lifecycle": (LIFECYCLE, {"bucket": "ds-1", "rules": [
            {"id": "abort", "status": "Enabled", "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}}]}),
        "logs": (BUCKET, {"id": "logs-1", "bucket": "logs-1", "tags": {}}),
        "logs-lifecycle": (LIFECYCLE, {"bucket": "logs-1", "rules": [
            {"id": "expire", "status": "Enabled", "noncurrentVersionExpiration": {"noncurrentDays": 30}}]}),
    }


def run(policy, change: Optional[Callable[[dict], None]] = None, config: Optional[dict] = None,
        provider_props=None) -> list[str]:
    spec = copy.deepcopy(compliant())
    if change:
        change(spec)
    resources = [stack_resource(t, p, name=n, provider_props=provider_props) for n, (t, p) in spec.items()]
    return violations(policy, stack_args(resources, config))


RULES = [costs.environment_budget, costs.gpu_capacity_team_tag, datasets.dataset_bucket_object_lock,
         datasets.dataset_noncurrent_versions_kept]


@pytest.mark.parametrize("policy", RULES, ids=lambda p: p.name)
def test_compliant_stack_passes(policy):
    assert run(policy) == []


@pytest.mark.parametrize("policy", RULES, ids=lambda p: p.name)
def test_an_empty_stack_has_nothing_to_report(policy):
    # An empty deployment is refused by the review itself (a gate that judged nothing must not pass).
    assert violations(policy, stack_args([])) == []


# -- environment budget -----------------------------------------------------------------------


def test_no_budget_fails():
    assert run(costs.environment_budget, lambda s: s.pop("budget"))[0].startswith("The stack has no AWS Budgets")


@pytest.mark.parametrize("type_, judged", [
    ("kubernetes:apps/v1:Deployment", False), ("pulumi:providers:aws", False),
    ("aws:s3/bucket:Bucket", True), ("aws-native:s3:Bucket", True), ("eks:index:Cluster", True),
    ("awsx:ecs:FargateService", True),
])
def test_only_a_stack_that_declares_aws_resources_needs_a_budget(type_, judged):
    found = violations(costs.environment_budget, stack_args([stack_resource(type_, {}, name="x")]))
    assert bool(found) is judged


def test_a_budget_without_subscribers_fails():
    def change(spec):
        spec["budget"][1]["notifications"][0]["subscriberSnsTopicArns"] = []

    assert run(costs.environment_budget, change) == [
        "No COST budget of the stack has 1 or more notifications with a subscriber (an SNS topic or e-mail address)."]


def test_email_subscribers_count_and_unknown_notifications_pass():
    def emails(spec):
        notification = spec["budget"][1]["notifications"][0]
        notification.pop("subscriberSnsTopicArns")
        notification["subscriberEmailAddresses"] = ["finops@example.com"]

    assert run(costs.environment_budget, emails) == []
    assert run(costs.environment_budget, lambda s: s["budget"][1].update(notifications=UNKNOWN)) == []


def test_a_usage_budget_is_not_the_environment_budget():
    assert run(costs.environment_budget, lambda s: s["budget"][1].update(budgetType="USAGE"))


def test_more_notifications_can_be_required():
    assert run(costs.environment_budget, config={"minNotifications": 2})


# -- team tag on GPU capacity -----------------------------------------------------------------


def test_gpu_node_group_without_team_tag_fails():
    found = run(costs.gpu_capacity_team_tag, lambda s: s["gpu"][1].update(tags={}))
    assert found == ["GPU node group 'gpu' has no 'team' tag: its instance-hours count against no team budget."]


def test_the_providers_default_tags_count():
    found = run(costs.gpu_capacity_team_tag, lambda s: s["gpu"][1].update(tags={}),
                provider_props=provider(default_tags={"team": "ml-platform"}))
    assert found == []


def test_a_launch_templates_gpu_type_makes_a_gpu_group():
    def change(spec):
        spec["gpu"] = (NODE_GROUP, {"launchTemplate": {"id": "lt-1"}, "tags": {}})
        spec["lt"] = (TEMPLATE, {"id": "lt-1", "instanceType": "p5.48xlarge"})

    assert run(costs.gpu_capacity_team_tag, change) == [
        "GPU node group 'gpu' has no 'team' tag: its instance-hours count against no team budget."]


def test_cpu_groups_and_cpu_endpoints_need_no_team_tag():
    def change(spec):
        spec["system"][1]["tags"] = {}
        spec["gpu-config"][1]["productionVariants"][0]["instanceType"] = "ml.m5.large"
        spec["gpu-config"][1]["tags"] = {}
        spec["gpu-endpoint"][1]["tags"] = {}

    assert run(costs.gpu_capacity_team_tag, change) == []


def test_gpu_endpoint_without_team_tag_fails():
    found = run(costs.gpu_capacity_team_tag, lambda s: s["gpu-endpoint"][1].update(tags={"team": " "}))
    assert found == ["Endpoint 'gpu-endpoint' runs on GPU instances and has no 'team' tag: its hosting hours count "
                     "against no team budget."]


def test_a_gpu_endpoint_configuration_without_team_tag_fails_and_unknown_tags_pass():
    assert run(costs.gpu_capacity_team_tag, lambda s: s["gpu-config"][1].update(tags={})) == [
        "GPU endpoint configuration 'gpu-config' has no 'team' tag."]
    assert run(costs.gpu_capacity_team_tag, lambda s: s["gpu"][1].update(tags=UNKNOWN)) == []


def test_the_tag_key_is_configurable():
    assert len(run(costs.gpu_capacity_team_tag, config={"tagKey": "cost-team"})) == 3


# -- dataset buckets: object lock ----------------------------------------------------------------


def test_dataset_bucket_without_object_lock_fails():
    found = run(datasets.dataset_bucket_object_lock, lambda s: s["datasets"][1].pop("objectLockEnabled"))
    assert found[0].startswith("Dataset bucket 'datasets' has no S3 Object Lock")


def test_dataset_bucket_without_default_retention_fails():
    found = run(datasets.dataset_bucket_object_lock, lambda s: s.pop("datasets-lock"))
    assert found == ["Dataset bucket 'datasets' has Object Lock but no default retention: new versions are not locked."]


def test_retention_shorter_than_required_fails_and_years_count():
    assert run(datasets.dataset_bucket_object_lock, config={"minRetentionDays": 90}) == [
        "Dataset bucket 'datasets' locks new versions for 30 day(s); at least 90 required."]
    years = {"defaultRetention": {"mode": "COMPLIANCE", "years": 1}}
    assert run(datasets.dataset_bucket_object_lock, lambda s: s["datasets-lock"][1].update(rule=years),
               config={"minRetentionDays": 90}) == []


def test_legacy_inline_object_lock_configuration_counts():
    def change(spec):
        spec.pop("datasets-lock")
        bucket = spec["datasets"][1]
        bucket.pop("objectLockEnabled")
        bucket["objectLockConfiguration"] = {"objectLockEnabled": "Enabled",
                                             "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 7}}}

    assert run(datasets.dataset_bucket_object_lock, change) == []


def _v2_dataset_bucket(spec, **inline):
    spec.pop("datasets-lock")
    spec.pop("datasets-lifecycle")
    spec["datasets"] = (BUCKET_V2, {**spec["datasets"][1], **inline})


def test_a_bucket_v2_inline_object_lock_rules_list_counts():
    # pulumi-aws 6's BucketV2 (still served by 7) nests the rule as lists: objectLockConfiguration.rules[]
    # .defaultRetentions[] (s3/_inputs.py BucketV2ObjectLockConfigurationArgs, ...RuleArgs). Read as the
    # Bucket's single `rule`, a 90-day retention was reported as "no default retention".
    for step in (("objectLockConfiguration", "rules", "defaultRetentions", "days"), ("objectLockEnabled",)):
        assert_inputs_in_sdk(BUCKET_V2, step)

    def lock(days):
        return lambda spec: _v2_dataset_bucket(spec, objectLockConfiguration={
            "rules": [{"defaultRetentions": [{"mode": "GOVERNANCE", "days": days}]}]})

    assert run(datasets.dataset_bucket_object_lock, lock(90)) == []
    assert run(datasets.dataset_bucket_object_lock, lock(90), config={"minRetentionDays": 365}) == [
        "Dataset bucket 'datasets' locks new versions for 90 day(s); at least 365 required."]
    assert run(datasets.dataset_bucket_object_lock, lambda s: _v2_dataset_bucket(
        s, objectLockConfiguration={"rules": []})) == [
        "Dataset bucket 'datasets' has Object Lock but no default retention: new versions are not locked."]
    assert run(datasets.dataset_bucket_object_lock, lambda s: _v2_dataset_bucket(
        s, objectLockConfiguration={"rules": UNKNOWN})) == []
    assert run(datasets.dataset_bucket_object_lock, lambda s: _v2_dataset_bucket(
        s, objectLockConfiguration={"rules": [{"defaultRetentions": UNKNOWN}]})) == []


def test_a_dataset_bucket_is_recognised_by_its_name_too():
    def change(spec):
        spec["logs"][1]["bucket"] = "team-datasets-raw"

    found = run(datasets.dataset_bucket_object_lock, change)
    assert found[0].startswith("Dataset bucket 'logs' has no S3 Object Lock")
    assert run(datasets.dataset_bucket_object_lock, change, config={"namePatterns": []}) == []


def test_unknown_lock_settings_pass():
    assert run(datasets.dataset_bucket_object_lock, lambda s: s["datasets"][1].update(objectLockEnabled=UNKNOWN)) == []
    assert run(datasets.dataset_bucket_object_lock, lambda s: s["datasets-lock"][1].update(rule=UNKNOWN)) == []


# -- dataset buckets: noncurrent versions kept ---------------------------------------------------


def test_expiring_noncurrent_dataset_versions_fails():
    def change(spec):
        spec["datasets-lifecycle"][1]["rules"].append(
            {"id": "expire-noncurrent-versions", "status": "Enabled", "noncurrentVersionExpiration": {"noncurrentDays": 90}})

    assert run(datasets.dataset_noncurrent_versions_kept, change) == [
        "Dataset bucket 'datasets': lifecycle rule(s) expire-noncurrent-versions expire noncurrent versions; a pinned "
        "dataset version (or a version-aware DVC remote) would lose its data."]


def test_a_disabled_expiry_rule_passes_and_inline_rules_count():
    def disabled(spec):
        spec["datasets-lifecycle"][1]["rules"].append(
            {"id": "off", "status": "Disabled", "noncurrentVersionExpiration": {"noncurrentDays": 1}})

    assert run(datasets.dataset_noncurrent_versions_kept, disabled) == []

    def inline(spec):
        spec["datasets"][1]["lifecycleRules"] = [{"enabled": True, "noncurrentVersionExpiration": {"days": 5}}]

    assert "#0 expire noncurrent versions" in run(datasets.dataset_noncurrent_versions_kept, inline)[0]


def test_a_bucket_v2_inline_noncurrent_version_expirations_list_fails():
    # BucketV2LifecycleRuleArgs names it noncurrent_version_expirations, a list (pulumi-aws 7 s3/_inputs.py).
    assert_inputs_in_sdk(BUCKET_V2, ("lifecycleRules", "noncurrentVersionExpirations", "days"))
    expiring = [{"id": "trim", "enabled": True, "noncurrentVersionExpirations": [{"days": 30}]}]
    assert run(datasets.dataset_noncurrent_versions_kept, lambda s: _v2_dataset_bucket(s, lifecycleRules=expiring)) == [
        "Dataset bucket 'datasets': lifecycle rule(s) trim expire noncurrent versions; a pinned dataset version (or a "
        "version-aware DVC remote) would lose its data."]
    transitions = [{"id": "cold", "enabled": True, "noncurrentVersionTransitions": [{"days": 30,
                                                                                     "storageClass": "GLACIER_IR"}]}]
    assert run(datasets.dataset_noncurrent_versions_kept,
               lambda s: _v2_dataset_bucket(s, lifecycleRules=transitions)) == []
    expiring[0]["enabled"] = False
    assert run(datasets.dataset_noncurrent_versions_kept, lambda s: _v2_dataset_bucket(s, lifecycleRules=expiring)) == []


def test_unknown_lifecycle_rules_pass():
    assert run(datasets.dataset_noncurrent_versions_kept,
               lambda s: s["datasets-lifecycle"][1].update(rules=UNKNOWN)) == []
