"""Rules that close the gaps to Trivy's AWS checks (benchmarks/data/trivy_aws_coverage.tsv): CloudTrail
data events for the stack's buckets, the CIS metric filters and alarms on a trail's log group, MFA for
IAM groups. Each: a compliant example, one field changed, unknown values;
every input read is checked against the installed SDK."""

from __future__ import annotations

import copy
import json

import pytest

from policies.rules.identity import iam_group_mfa_required
from policies.rules.trail_events import MONITORS, cloudtrail_s3_data_events, cloudtrail_security_alarms
from foreign import CIS_PATTERNS
from policy_helpers import UNKNOWN, stack_args, stack_resource, violation_urns, violations
from sdk_inputs import assert_inputs_in_sdk

TRAIL = "aws:cloudtrail/trail:Trail"
STORE = "aws:cloudtrail/eventDataStore:EventDataStore"
BUCKET = "aws:s3/bucket:Bucket"

ALL_OBJECTS = {"readWriteType": "All", "includeManagementEvents": True,
               "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}
TRAIL_PROPS = {"s3BucketName": "audit-logs", "isMultiRegionTrail": True, "eventSelectors": [ALL_OBJECTS]}
ADVANCED = {"name": "s3-data", "fieldSelectors": [
    {"field": "eventCategory", "equals": ["Data"]},
    {"field": "resources.type", "equals": ["AWS::S3::Object"]}]}


def _data_events(trail_props, *, buckets=("datasets",), config=None, trail_type=TRAIL):
    resources = [stack_resource(trail_type, trail_props, name="trail"),
                 stack_resource(BUCKET, {"bucket": "audit-logs"}, name="audit-logs")]
    resources += [stack_resource(BUCKET, {"bucket": name}, name=name) for name in buckets]
    return violations(cloudtrail_s3_data_events, stack_args(resources, config))


def _with(**changes):
    props = copy.deepcopy(TRAIL_PROPS)
    props.update(changes)
    return props


def test_the_inputs_read_exist_in_the_sdk():
    assert_inputs_in_sdk(TRAIL, ["eventSelectors", "readWriteType", "dataResources", "type", "values",
                                 "advancedEventSelectors", "fieldSelectors", "field", "equals", "startsWiths",
                                 "endsWiths", "notEquals", "notStartsWiths", "notEndsWiths", "s3BucketName"])
    assert_inputs_in_sdk(STORE, ["advancedEventSelectors", "fieldSelectors", "field", "equals"])
    assert_inputs_in_sdk(BUCKET, ["bucket"])


@pytest.mark.parametrize("selectors", [
    [ALL_OBJECTS],
    [{"dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::"]}]}],  # readWriteType defaults to All
    [{"readWriteType": "ReadOnly", "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::datasets/"]}]},
     {"readWriteType": "WriteOnly", "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}],
    [{"dataResources": [{"type": "AWS::S3::Object", "values": [UNKNOWN]}]}],
    UNKNOWN,
])
def test_selectors_that_log_every_object_event_of_the_bucket_pass(selectors):
    assert _data_events(_with(eventSelectors=selectors)) == []


@pytest.mark.parametrize("selectors, missing", [
    (None, "read and write"),  # management events only: the default
    ([{"readWriteType": "WriteOnly", **{k: v for k, v in ALL_OBJECTS.items() if k != "readWriteType"}}], "read"),
    ([{"readWriteType": "ReadOnly", **{k: v for k, v in ALL_OBJECTS.items() if k != "readWriteType"}}], "write"),
    ([{"dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::other/"]}]}], "read and write"),
    ([{"dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::datasets/raw/"]}]}], "read and write"),
    ([{"dataResources": [{"type": "AWS::Lambda::Function", "values": ["arn:aws:lambda"]}]}], "read and write"),
])
def test_a_bucket_whose_object_events_are_not_logged_is_reported(selectors, missing):
    found = _data_events(_with(eventSelectors=selectors))
    assert found == [f"No CloudTrail trail or event data store of the stack logs the object-level {missing} events "
                     "(S3 data events) of bucket 'datasets'."]


def test_the_trails_own_log_bucket_is_not_judged_and_a_stack_without_trails_is_not_either():
    assert _data_events(_with(eventSelectors=None), buckets=()) == []
    resources = [stack_resource(BUCKET, {"bucket": "datasets"}, name="datasets")]
    assert violations(cloudtrail_s3_data_events, stack_args(resources)) == []


def test_the_log_bucket_is_recognised_by_dependency_in_a_preview():
    log_bucket = stack_resource(BUCKET, {"bucket": UNKNOWN}, name="logs")
    trail = stack_resource(TRAIL, {"s3BucketName": UNKNOWN}, name="trail",
                           property_dependencies={"s3BucketName": [log_bucket.urn]})
    data = stack_resource(BUCKET, {"bucket": UNKNOWN}, name="data")
    assert violation_urns(cloudtrail_s3_data_events, stack_args([trail, log_bucket, data])) == [data.urn]


def test_required_access_is_configurable():
    write_only = [{"readWriteType": "WriteOnly", "dataResources": ALL_OBJECTS["dataResources"]}]
    assert _data_events(_with(eventSelectors=write_only), config={"requiredAccess": ["write"]}) == []
    assert len(_data_events(_with(eventSelectors=write_only))) == 1


@pytest.mark.parametrize("trail_type", [TRAIL, STORE])
@pytest.mark.parametrize("fields, passes", [
    (ADVANCED["fieldSelectors"], True),
    (ADVANCED["fieldSelectors"] + [{"field": "resources.ARN", "startsWiths": ["arn:aws:s3:::data"]}], True),
    (ADVANCED["fieldSelectors"] + [{"field": "resources.ARN", "startsWiths": ["arn:aws:s3:::other/"]}], False),
    (ADVANCED["fieldSelectors"] + [{"field": "resources.ARN", "notStartsWiths": ["arn:aws:s3:::datasets/"]}], False),
    (ADVANCED["fieldSelectors"] + [{"field": "eventName", "equals": ["PutObject"]}], False),  # some events only
    (ADVANCED["fieldSelectors"] + [{"field": "readOnly", "equals": ["true"]}], False),  # reads only
    ([{"field": "eventCategory", "equals": ["Management"]}], False),
    ([{"field": "eventCategory", "equals": [UNKNOWN]}], True),
])
def test_advanced_event_selectors(trail_type, fields, passes):
    props = {"s3BucketName": "audit-logs"} if trail_type == TRAIL else {}
    props["advancedEventSelectors"] = [{"name": "s3", "fieldSelectors": fields}]
    found = [message for message in _data_events(props, trail_type=trail_type) if "'datasets'" in message]
    assert (found == []) is passes


@pytest.mark.parametrize("odd", [
    {"eventSelectors": "not a list"}, {"eventSelectors": [None, 3, {"dataResources": "x"}]},
    {"eventSelectors": [{"readWriteType": 7, "dataResources": [{"type": None, "values": None}]}]},
    {"advancedEventSelectors": [{"fieldSelectors": [None, {"field": 3}, {"field": "resources.ARN", "equals": 5}]}]},
    {"advancedEventSelectors": UNKNOWN},
])
def test_odd_input_never_raises(odd):
    _data_events(odd)
    _data_events(odd, config={"requiredAccess": "read"})


# --------------------------------------------------------------------------------------------------
# iam-group-mfa-required (Trivy AVD-AWS-0123)

GROUP = "aws:iam/group:Group"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
GROUP_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
POLICY = "aws:iam/policy:Policy"
FORCE_MFA = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
    {"Sid": "DenyWithoutMfa", "Effect": "Deny", "NotAction": ["iam:EnableMFADevice", "sts:GetSessionToken"],
     "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]})
NO_MFA = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]})


def _group_findings(*resources):
    group = stack_resource(GROUP, {"name": "analysts", "id": "analysts", "arn": "arn:aws:iam::1:group/analysts"},
                           name="analysts")
    return violations(iam_group_mfa_required, stack_args([group, *resources]))


def test_group_inputs_exist_in_the_sdk():
    assert_inputs_in_sdk(GROUP_POLICY, ["group", "policy"])
    assert_inputs_in_sdk(GROUP_ATTACHMENT, ["group", "policyArn"])
    assert_inputs_in_sdk(POLICY, ["policy"])
    assert_inputs_in_sdk(GROUP, ["name"])


def test_a_group_with_an_inline_mfa_policy_passes_and_without_it_is_reported():
    assert _group_findings(stack_resource(GROUP_POLICY, {"group": "analysts", "policy": FORCE_MFA}, name="mfa")) == []
    assert _group_findings(stack_resource(GROUP_POLICY, {"group": "analysts", "policy": NO_MFA}, name="mfa")) == [
        "IAM group 'analysts' does not require MFA: none of its policies conditions on aws:MultiFactorAuthPresent, "
        "so its members' long-lived credentials work without it."]
    assert len(_group_findings()) == 1  # no policy at all


def test_an_attached_policy_of_the_stack_counts_by_arn_or_dependency():
    policy = stack_resource(POLICY, {"policy": FORCE_MFA, "arn": "arn:aws:iam::1:policy/force-mfa"}, name="force-mfa")
    by_arn = stack_resource(GROUP_ATTACHMENT, {"group": "analysts", "policyArn": "arn:aws:iam::1:policy/force-mfa"},
                            name="attach")
    assert _group_findings(policy, by_arn) == []
    by_dependency = stack_resource(GROUP_ATTACHMENT, {"group": "analysts", "policyArn": UNKNOWN}, name="attach",
                                   property_dependencies={"policyArn": [policy.urn]})
    assert _group_findings(policy, by_dependency) == []
    weak = stack_resource(POLICY, {"policy": NO_MFA, "arn": "arn:aws:iam::1:policy/force-mfa"}, name="force-mfa")
    assert len(_group_findings(weak, by_arn)) == 1


def test_aws_managed_policies_do_not_enforce_mfa_and_policies_managed_elsewhere_are_not_judged():
    managed = stack_resource(GROUP_ATTACHMENT, {"group": "analysts",
                                                "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, name="ro")
    assert len(_group_findings(managed)) == 1
    elsewhere = stack_resource(GROUP_ATTACHMENT, {"group": "analysts",
                                                  "policyArn": "arn:aws:iam::1:policy/org-force-mfa"}, name="org")
    assert _group_findings(managed, elsewhere) == []


@pytest.mark.parametrize("document", [UNKNOWN, "not json", json.dumps({"Statement": [
    {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": UNKNOWN}]})])
def test_unknown_or_unreadable_documents_are_not_judged(document):
    assert _group_findings(stack_resource(GROUP_POLICY, {"group": "analysts", "policy": document}, name="p")) == []


def test_the_group_is_found_through_the_policy_dependency_in_a_preview():
    group = stack_resource(GROUP, {"name": UNKNOWN}, name="ops")
    inline = stack_resource(GROUP_POLICY, {"group": UNKNOWN, "policy": FORCE_MFA}, name="mfa",
                            property_dependencies={"group": [group.urn]})
    assert violations(iam_group_mfa_required, stack_args([group, inline])) == []
    assert violations(iam_group_mfa_required, stack_args([stack_resource(GROUP, {"name": UNKNOWN}, name="ops")])) == [
        "IAM group 'ops' does not require MFA: none of its policies conditions on aws:MultiFactorAuthPresent, "
        "so its members' long-lived credentials work without it."]


@pytest.mark.parametrize("odd", [{"group": None, "policy": 3}, {"group": ["analysts"], "policy": {"Statement": 5}},
                                 {"group": "analysts", "policy": json.dumps({"Statement": [None, {"Condition": 4}]})}])
def test_odd_group_policies_never_raise(odd):
    _group_findings(stack_resource(GROUP_POLICY, odd, name="odd"))


# --------------------------------------------------------------------------------------------------
# cloudtrail-security-alarms (Trivy AVD-AWS-0147 to 0160, 0174; CIS AWS Foundations 4.1-4.15)

FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LOG_GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:cloudtrail:*"


def _monitoring(patterns=None, *, trail=None, alarms=True, config=None, drop_alarm=None):
    trail = trail or stack_resource(TRAIL, {"cloudWatchLogsGroupArn": LOG_GROUP_ARN, "isMultiRegionTrail": True},
                                    name="trail")
    resources = [trail]
    for monitor, pattern in (CIS_PATTERNS if patterns is None else patterns).items():
        resources.append(stack_resource(FILTER, {"logGroupName": "cloudtrail", "pattern": pattern, "metricTransformation": {
            "name": monitor, "namespace": "CISBenchmark", "value": "1"}}, name=monitor))
        if alarms and monitor != drop_alarm:
            resources.append(stack_resource(ALARM, {"metricName": monitor, "namespace": "CISBenchmark",
                                                    "alarmActions": ["arn:aws:sns:us-east-1:1:security"]},
                                            name=f"{monitor}-alarm"))
    return violations(cloudtrail_security_alarms, stack_args(resources, config))


def test_alarm_inputs_exist_in_the_sdk():
    assert_inputs_in_sdk(FILTER, ["logGroupName", "pattern", "metricTransformation", "name", "namespace"])
    assert_inputs_in_sdk(ALARM, ["metricName", "namespace"])
    assert_inputs_in_sdk(TRAIL, ["cloudWatchLogsGroupArn"])


def test_every_cis_pattern_with_an_alarm_passes():
    assert set(CIS_PATTERNS) == set(MONITORS)
    assert _monitoring() == []


@pytest.mark.parametrize("monitor", sorted(MONITORS))
def test_each_monitor_missing_is_named(monitor):
    patterns = {name: pattern for name, pattern in CIS_PATTERNS.items() if name != monitor}
    assert _monitoring(patterns) == [f"CloudTrail trail 'trail' has no metric filter with an alarm on its log group "
                                     f"for: {monitor} (CIS AWS Foundations 4.x)."]


def test_a_filter_without_an_alarm_or_missing_an_event_does_not_count():
    assert "for: root-usage (" in _monitoring(drop_alarm="root-usage")[0]
    patterns = {**CIS_PATTERNS, "cloudtrail-changes": "{ ($.eventName = CreateTrail) || ($.eventName = DeleteTrail) }"}
    assert "for: cloudtrail-changes (" in _monitoring(patterns)[0]


def test_required_monitors_are_configurable_and_trails_without_cloudwatch_are_not_judged():
    assert _monitoring({}, config={"requiredMonitors": []}) == []
    assert _monitoring({}, config={"requiredMonitors": ["root-usage"]}) == [
        "CloudTrail trail 'trail' has no metric filter with an alarm on its log group for: root-usage "
        "(CIS AWS Foundations 4.x)."]
    assert _monitoring({}, trail=stack_resource(TRAIL, {"s3BucketName": "logs"}, name="trail")) == []


def test_the_log_group_and_metric_are_joined_by_dependency_in_a_preview():
    group = stack_resource("aws:cloudwatch/logGroup:LogGroup", {"name": UNKNOWN}, name="trail-logs")
    trail = stack_resource(TRAIL, {"cloudWatchLogsGroupArn": UNKNOWN}, name="trail",
                           property_dependencies={"cloudWatchLogsGroupArn": [group.urn]})
    metric_filter = stack_resource(FILTER, {"logGroupName": UNKNOWN, "pattern": CIS_PATTERNS["root-usage"],
                                            "metricTransformation": {"name": "RootUsage", "namespace": "CIS"}},
                                   name="root", property_dependencies={"logGroupName": [group.urn]})
    alarm = stack_resource(ALARM, {"metricName": UNKNOWN, "namespace": "CIS"}, name="root-alarm",
                           property_dependencies={"metricName": [metric_filter.urn]})
    args = stack_args([group, trail, metric_filter, alarm], {"requiredMonitors": ["root-usage"]})
    assert violations(cloudtrail_security_alarms, args) == []


def test_unknown_patterns_and_metrics_are_not_judged():
    assert _monitoring({**CIS_PATTERNS, "root-usage": UNKNOWN}) == []
    trail = stack_resource(TRAIL, {"cloudWatchLogsGroupArn": UNKNOWN}, name="trail")
    assert _monitoring({}, trail=trail) == []


@pytest.mark.parametrize("odd", [{"logGroupName": 3, "pattern": None, "metricTransformation": "x"},
                                 {"logGroupName": "cloudtrail", "pattern": ["a"], "metricTransformation": [None, 1]},
                                 {"logGroupName": "cloudtrail", "pattern": "{}", "metricTransformation": [{"name": 1}]}])
def test_odd_filters_never_raise(odd):
    trail = stack_resource(TRAIL, {"cloudWatchLogsGroupArn": LOG_GROUP_ARN}, name="trail")
    violations(cloudtrail_security_alarms, stack_args([trail, stack_resource(FILTER, odd, name="odd"),
                                                       stack_resource(ALARM, {"metricName": None}, name="a")]))


def test_docs_describe_every_rule_and_its_config():
    from pathlib import Path

    from policies.rules import trail_events

    docs = (Path(__file__).resolve().parent.parent / "docs" / "policies.md").read_text()
    for policy in trail_events.COMPLIANCE + [iam_group_mfa_required]:
        assert f"`{policy.name}`" in docs, policy.name
        for key in (policy.config_schema.properties if policy.config_schema else {}):
            assert f"`{key}`" in docs, f"{policy.name}: {key}"


def test_an_alarm_on_the_metric_name_in_another_namespace_does_not_count():
    trail = stack_resource(TRAIL, {"cloudWatchLogsGroupArn": LOG_GROUP_ARN}, name="trail")
    metric_filter = stack_resource(FILTER, {"logGroupName": "cloudtrail", "pattern": CIS_PATTERNS["root-usage"],
                                            "metricTransformation": {"name": "RootUsage", "namespace": "CIS"}},
                                   name="root")
    elsewhere = stack_resource(ALARM, {"metricName": "RootUsage", "namespace": "Other"}, name="alarm")
    config = {"requiredMonitors": ["root-usage"]}
    assert len(violations(cloudtrail_security_alarms, stack_args([trail, metric_filter, elsewhere], config))) == 1
    here = stack_resource(ALARM, {"metricName": "RootUsage", "namespace": "CIS"}, name="alarm")
    assert violations(cloudtrail_security_alarms, stack_args([trail, metric_filter, here], config)) == []


NATIVE_GROUP = "aws-native:iam:Group"
NATIVE_GROUP_POLICY = "aws-native:iam:GroupPolicy"
NATIVE_MANAGED_POLICY = "aws-native:iam:ManagedPolicy"
MFA_DOCUMENT = json.loads(FORCE_MFA)  # pulumi-aws-native takes documents as objects


def test_native_group_inputs_exist_in_the_sdk():
    pytest.importorskip("pulumi_aws_native")
    assert_inputs_in_sdk(NATIVE_GROUP, ["groupName", "policies", "policyDocument", "policyName", "managedPolicyArns"])
    assert_inputs_in_sdk(NATIVE_GROUP_POLICY, ["groupName", "policyDocument"])
    assert_inputs_in_sdk(NATIVE_MANAGED_POLICY, ["groups", "policyDocument"])


def _native_findings(group_props, *resources):
    group = stack_resource(NATIVE_GROUP, {"groupName": "analysts", "arn": "arn:aws:iam::1:group/analysts",
                                          **group_props}, name="analysts")
    return violations(iam_group_mfa_required, stack_args([group, *resources]))


def test_native_groups_count_their_own_policies_group_policies_and_managed_policies():
    assert _native_findings({"policies": [{"policyName": "mfa", "policyDocument": MFA_DOCUMENT}]}) == []
    assert len(_native_findings({"policies": [{"policyName": "ro", "policyDocument": json.loads(NO_MFA)}]})) == 1
    inline = stack_resource(NATIVE_GROUP_POLICY, {"groupName": "analysts", "policyDocument": MFA_DOCUMENT}, name="p")
    assert _native_findings({}, inline) == []
    by_groups = stack_resource(NATIVE_MANAGED_POLICY, {"groups": ["analysts"], "policyDocument": MFA_DOCUMENT},
                               name="force-mfa")
    assert _native_findings({}, by_groups) == []
    by_arn = stack_resource(NATIVE_MANAGED_POLICY, {"policyDocument": MFA_DOCUMENT,
                                                    "policyArn": "arn:aws:iam::1:policy/force-mfa"}, name="force-mfa")
    assert _native_findings({"managedPolicyArns": ["arn:aws:iam::1:policy/force-mfa"]}, by_arn) == []
    assert len(_native_findings({"managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]})) == 1
    assert _native_findings({"managedPolicyArns": ["arn:aws:iam::1:policy/elsewhere"]}) == []
    assert _native_findings({"policies": UNKNOWN}) == []
