"""Elastic Beanstalk rules: an environment in a named VPC whose logs leave the instances, one option changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.rules import elastic_beanstalk
from policies.rules.elastic_beanstalk import (
    ENVIRONMENT,
    NATIVE_ENVIRONMENT,
    elastic_beanstalk_in_vpc,
    elastic_beanstalk_logs,
)
from policy_helpers import UNKNOWN, found
from sdk_inputs import assert_inputs_in_sdk

VPC = {"namespace": "aws:ec2:vpc", "name": "VPCId", "value": "vpc-0123"}
STREAM = {"namespace": "aws:elasticbeanstalk:cloudwatch:logs", "name": "StreamLogs", "value": "true"}
PUBLISH = {"namespace": "aws:elasticbeanstalk:hostmanager", "name": "LogPublicationControl", "value": "true"}
BASE = {"application": "scoring", "solutionStackName": "64bit Amazon Linux 2023 v4.3.0 running Python 3.11"}


def environment(*settings, **props):
    return {**BASE, "settings": list(settings), **props}


def test_the_inputs_read_are_in_the_sdks():
    for path in (("settings", "namespace"), ("settings", "name"), ("settings", "value"), ("templateName",)):
        assert_inputs_in_sdk(ENVIRONMENT, path)
    for path in (("optionSettings", "namespace"), ("optionSettings", "optionName"), ("optionSettings", "value")):
        assert_inputs_in_sdk(NATIVE_ENVIRONMENT, path)


def test_an_environment_in_a_named_vpc_with_streamed_logs_passes():
    for rule in (elastic_beanstalk_in_vpc, elastic_beanstalk_logs):
        assert found(rule, ENVIRONMENT, environment(VPC, STREAM)) == []
    assert found(elastic_beanstalk_logs, ENVIRONMENT, environment(PUBLISH)) == []  # or published to S3


def test_an_environment_without_a_vpc_runs_in_the_default_one():
    [message] = found(elastic_beanstalk_in_vpc, ENVIRONMENT, environment(STREAM))
    assert "names no VPC (option aws:ec2:vpc VPCId)" in message and "default VPC" in message
    assert len(found(elastic_beanstalk_in_vpc, ENVIRONMENT, BASE)) == 1  # no settings at all
    assert found(elastic_beanstalk_in_vpc, ENVIRONMENT, environment({**VPC, "value": UNKNOWN})) == []  # vpc.id
    assert found(elastic_beanstalk_in_vpc, ENVIRONMENT, {**BASE, "settings": UNKNOWN}) == []
    # A configuration template may set it.
    assert found(elastic_beanstalk_in_vpc, ENVIRONMENT, environment(templateName="base")) == []


@pytest.mark.parametrize("value", ["false", "False", None])
def test_logs_that_stay_on_the_instances_are_reported(value):
    settings = [VPC] + ([{**STREAM, "value": value}, {**PUBLISH, "value": value}] if value else [])
    [message] = found(elastic_beanstalk_logs, ENVIRONMENT, environment(*settings))
    assert "keeps its instances' logs on the instances" in message
    assert found(elastic_beanstalk_logs, ENVIRONMENT, environment(VPC, {**STREAM, "value": UNKNOWN})) == []


def test_native_environments_use_option_names():
    native = {"applicationName": "scoring", "optionSettings": [
        {"namespace": "aws:ec2:vpc", "optionName": "VPCId", "value": "vpc-0123"},
        {"namespace": "aws:elasticbeanstalk:cloudwatch:logs", "optionName": "StreamLogs", "value": "true"}]}
    for rule in (elastic_beanstalk_in_vpc, elastic_beanstalk_logs):
        assert found(rule, NATIVE_ENVIRONMENT, native) == []
        assert len(found(rule, NATIVE_ENVIRONMENT, {"applicationName": "scoring"})) == 1
    # pulumi-aws's key (name) on a native environment is not its option name.
    assert len(found(elastic_beanstalk_in_vpc, NATIVE_ENVIRONMENT, {"optionSettings": [VPC]})) == 1


def test_docs_describe_the_rules():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "policies.md").read_text()
    for policy in elastic_beanstalk.SECURITY + elastic_beanstalk.COMPLIANCE:
        assert f"| `{policy.name}` |" in docs, policy.name
