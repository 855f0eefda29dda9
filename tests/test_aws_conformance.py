"""Every SageMaker, EKS, ECR, KMS, EventBridge, Application Auto Scaling and CloudWatch resource of
the three plans, as the API request the provider makes, against botocore's service model
(``tests/aws_requests.py``): required members, types, enums, lengths, ranges and patterns."""

from __future__ import annotations

import pytest

from aws_requests import REQUESTS, request_violations


def test_a_bad_value_is_found_in_each_way_the_model_constrains_it():
    alarm = {"name": "x", "comparisonOperator": "GreaterThanOrEqualToThreshold", "evaluationPeriods": 1.0}
    assert request_violations("aws:cloudwatch/metricAlarm:MetricAlarm", alarm) == []
    found = request_violations("aws:cloudwatch/metricAlarm:MetricAlarm", {**alarm, "comparisonOperator": "GreaterThan"})
    assert found == ["cloudwatch:PutMetricAlarm.ComparisonOperator: 'GreaterThan' is not one of "
                     "['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', "
                     "'LessThanOrEqualToThreshold', 'LessThanLowerOrGreaterThanUpperThreshold', "
                     "'LessThanLowerThreshold', 'GreaterThanUpperThreshold']"]
    assert request_violations("aws:kms/key:Key", {"deletionWindowInDays": 400.0}) == [
        "kms:ScheduleKeyDeletion.PendingWindowInDays: 400 is above the maximum 365"]
    assert request_violations("aws:cloudwatch/metricAlarm:MetricAlarm", {**alarm, "evaluationPeriods": 0.0}) == [
        "cloudwatch:PutMetricAlarm: Invalid value for parameter EvaluationPeriods, value: 0, valid min value: 1"]
    assert request_violations("aws:eks/addon:Addon", {"clusterName": "-bad", "addonName": "vpc-cni"}) == [
        "eks:CreateAddon.clusterName: '-bad' does not match ^[0-9A-Za-z][A-Za-z0-9\\-_]*"]
    assert any("Missing required parameter" in v for v in request_violations("aws:eks/addon:Addon", {"addonName": "x"}))
    # Unknown values skip.
    assert request_violations("aws:eks/addon:Addon", {
        "clusterName": "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "addonName": "vpc-cni"}) == [
        "eks:CreateAddon: Missing required parameter in input: \"clusterName\""]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_request_the_plans_make_fits_the_service_model(stack_deployments, env):
    checked, found = 0, {}
    for resource in stack_deployments[env]["deployment"]["resources"]:
        if resource["type"] not in REQUESTS:
            continue
        checked += 1
        problems = request_violations(resource["type"], resource.get("inputs", {}))
        if problems:
            found[resource["urn"].rsplit("::", 1)[-1]] = problems
    assert found == {}
    assert checked > 20


def test_a_union_with_two_members_is_found():
    """A union (mutually exclusive members) takes exactly one: SageMaker's AutoMLProblemTypeConfig."""
    import botocore.session

    from aws_requests import extra_violations

    shape = botocore.session.get_session().get_service_model("sagemaker").shape_for("AutoMLProblemTypeConfig")
    first, second = sorted(shape.members)[:2]
    assert extra_violations({first: {}}, shape, "r") == []
    assert extra_violations({first: {}, second: {}}, shape, "r")[0].startswith("r: a union takes exactly one of")
