"""ai-service-no-data-sharing: a Rekognition stream processor that opts in to sharing its video with AWS, and an AI
services opt-out policy that assigns optIn, are reported; opting out, leaving the choice to the account, other
organization policies and unknown values are not."""

from __future__ import annotations

import json

import pytest

from policies.rules.ai_data_use import ai_service_no_data_sharing
from policy_helpers import UNKNOWN, resource_args, violations
from sdk_inputs import assert_inputs_in_sdk

PROCESSOR = "aws:rekognition/streamProcessor:StreamProcessor"
NATIVE_PROCESSOR = "aws-native:rekognition:StreamProcessor"
POLICY = "aws:organizations/policy:Policy"
NATIVE_POLICY = "aws-native:organizations:Policy"
OPT_OUT_ALL = {"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}}}


def found(type_, props):
    return violations(ai_service_no_data_sharing, resource_args(type_, props, name="subject"))


def test_the_inputs_read_are_the_sdks():
    assert_inputs_in_sdk(PROCESSOR, ["dataSharingPreference", "optIn"])
    assert_inputs_in_sdk(POLICY, ["type"])
    assert_inputs_in_sdk(POLICY, ["content"])


@pytest.mark.parametrize("type_", [PROCESSOR, NATIVE_PROCESSOR])
def test_a_stream_processor_that_opts_in_is_reported(type_):
    assert found(type_, {"dataSharingPreference": {"optIn": True}}) == [
        f"{type_} 'subject' shares its video with Rekognition to improve AWS's models (dataSharingPreference.optIn "
        "true): frames of the people it watches are kept by AWS for a purpose they were not collected for"]


@pytest.mark.parametrize("props", [{"dataSharingPreference": {"optIn": False}}, {},
                                   {"dataSharingPreference": {"optIn": UNKNOWN}}, {"dataSharingPreference": UNKNOWN}])
def test_opting_out_the_accounts_choice_and_unknowns_pass(props):
    assert found(PROCESSOR, props) == []


def test_an_opt_out_policy_that_opts_services_in_is_reported_by_name():
    content = {"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}},
                            "rekognition": {"opt_out_policy": {"@@assign": "optIn"}},
                            "lex": {"opt_out_policy": {"@@operators_allowed_for_child_policies": ["@@none"],
                                                       "@@assign": "optIn"}}}}
    [message] = found(POLICY, {"type": "AISERVICES_OPT_OUT_POLICY", "content": json.dumps(content)})
    assert message.startswith(f"{POLICY} 'subject' opts lex, rekognition in to AWS's use of customer content")
    # pulumi-aws-native's content is an object.
    assert len(found(NATIVE_POLICY, {"type": "AISERVICES_OPT_OUT_POLICY", "content": content})) == 1


@pytest.mark.parametrize("props", [
    {"type": "AISERVICES_OPT_OUT_POLICY", "content": json.dumps(OPT_OUT_ALL)},
    # Values are case-sensitive: AWS does not apply "optin", so nothing is opted in.
    {"type": "AISERVICES_OPT_OUT_POLICY", "content": json.dumps(
        {"services": {"lex": {"opt_out_policy": {"@@assign": "optin"}}}})},
    # A service control policy is not an opt-out policy, whatever its text.
    {"type": "SERVICE_CONTROL_POLICY", "content": json.dumps({"services": {"lex": {"opt_out_policy": {
        "@@assign": "optIn"}}}})},
    {"type": UNKNOWN, "content": json.dumps({"services": {"lex": {"opt_out_policy": {"@@assign": "optIn"}}}})},
    {"type": "AISERVICES_OPT_OUT_POLICY", "content": UNKNOWN},
    {"type": "AISERVICES_OPT_OUT_POLICY", "content": "{not json"},
])
def test_opting_out_other_policies_and_unknowns_pass(props):
    assert found(POLICY, props) == []
