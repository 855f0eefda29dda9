"""EC2 rules: from a compliant instance or launch template, one field changed to make it fail."""

from __future__ import annotations

import copy

import pytest

from policies.rules.compute import (
    INSTANCE,
    LAUNCH_CONFIGURATION,
    LAUNCH_TEMPLATE,
    SPOT_FLEET,
    SPOT_REQUEST as SPOT,
    ec2_imdsv2_required,
    ec2_no_public_ip,
    ec2_volumes_encrypted,
)
from policy_helpers import UNKNOWN, resource_args, violations
from sdk_inputs import assert_inputs_in_sdk

INSTANCE_PROPS = {"metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled"},
                  "rootBlockDevice": {"encrypted": True, "kmsKeyId": "arn:aws:kms:us-east-1:1:key/a"},
                  "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": True}],
                  "associatePublicIpAddress": False}
TEMPLATE_PROPS = {"metadataOptions": {"httpTokens": "required"},
                  "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}],
                  "networkInterfaces": [{"deviceIndex": 0, "associatePublicIpAddress": "false"}]}
RULES = [ec2_imdsv2_required, ec2_volumes_encrypted, ec2_no_public_ip]


def found(policy, type_, props):
    return violations(policy, resource_args(type_, props, name="web"))


@pytest.mark.parametrize("policy", RULES, ids=lambda p: p.name)
def test_compliant_compute_passes(policy):
    assert found(policy, INSTANCE, INSTANCE_PROPS) == []
    assert found(policy, LAUNCH_CONFIGURATION, INSTANCE_PROPS) == []
    assert found(policy, LAUNCH_TEMPLATE, TEMPLATE_PROPS) == []


def test_launch_templates_are_left_to_the_launch_template_rules():
    assert found(ec2_imdsv2_required, LAUNCH_TEMPLATE, {}) == []
    assert found(ec2_volumes_encrypted, LAUNCH_TEMPLATE, {"blockDeviceMappings": [{"ebs": {"encrypted": False}}]}) == []


def test_imdsv1_fails():
    props = copy.deepcopy(INSTANCE_PROPS)
    props["metadataOptions"]["httpTokens"] = "optional"
    assert found(ec2_imdsv2_required, INSTANCE, props) == [
        f"{INSTANCE} 'web': metadataOptions.httpTokens is 'optional', so the instance metadata service answers "
        "IMDSv1 requests without a session token; set it to 'required'"]
    [message] = found(ec2_imdsv2_required, LAUNCH_CONFIGURATION, {})
    assert "is not set (defaults to 'optional')" in message
    assert found(ec2_imdsv2_required, INSTANCE, {"metadataOptions": {"httpEndpoint": "disabled"}}) == []
    assert found(ec2_imdsv2_required, INSTANCE, {"metadataOptions": {"httpTokens": UNKNOWN}}) == []


def test_unencrypted_volumes_fail():
    props = copy.deepcopy(INSTANCE_PROPS)
    props["ebsBlockDevices"][0]["encrypted"] = False
    assert found(ec2_volumes_encrypted, INSTANCE, props) == [
        f"{INSTANCE} 'web': ebsBlockDevices[0] /dev/sdf is not encrypted (encrypted is false; unless the account "
        "encrypts EBS by default, the volume is stored in plaintext)"]
    del props["ebsBlockDevices"][0]["encrypted"]
    [message] = found(ec2_volumes_encrypted, SPOT, props)
    assert "ebsBlockDevices[0] /dev/sdf is not encrypted (encrypted is not set" in message
    # A volume restored from a snapshot keeps the snapshot's encryption.
    props["ebsBlockDevices"][0]["snapshotId"] = "snap-1"
    assert found(ec2_volumes_encrypted, SPOT, props) == []


def test_public_ips_fail():
    assert found(ec2_no_public_ip, INSTANCE, {**INSTANCE_PROPS, "associatePublicIpAddress": True}) == [
        f"{INSTANCE} 'web': associatePublicIpAddress is true, so the instance gets a public IP address; run it in a "
        "private subnet behind a load balancer or NAT gateway"]
    template = copy.deepcopy(TEMPLATE_PROPS)
    template["networkInterfaces"][0]["associatePublicIpAddress"] = "true"
    [message] = found(ec2_no_public_ip, LAUNCH_TEMPLATE, template)
    assert "networkInterfaces[0].associatePublicIpAddress is true" in message


def test_an_undeclared_root_volume_fails():
    props = {k: v for k, v in INSTANCE_PROPS.items() if k != "rootBlockDevice"}
    [message] = found(ec2_volumes_encrypted, INSTANCE, props)
    assert "the root volume (no rootBlockDevice: its encryption comes from the AMI) is not encrypted" in message
    assert found(ec2_volumes_encrypted, INSTANCE, {**props, "rootBlockDevice": UNKNOWN}) == []


SPOT_FLEET_SPEC = {"ami": "ami-0123456789abcdef0", "instanceType": "g5.12xlarge", "associatePublicIpAddress": False,
                   "rootBlockDevices": [{"encrypted": True, "volumeSize": 300}],
                   "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": True}]}


def _fleet(**changes):
    return {"iamFleetRole": "arn:aws:iam::123456789012:role/fleet", "targetCapacity": 2,
            "launchSpecifications": [SPOT_FLEET_SPEC, {**SPOT_FLEET_SPEC, **changes}]}


def test_spot_fleet_launch_specifications_are_judged_as_instances():
    for path in (("launchSpecifications", "associatePublicIpAddress"), ("launchSpecifications", "rootBlockDevices",
                 "encrypted"), ("launchSpecifications", "ebsBlockDevices", "snapshotId")):
        assert_inputs_in_sdk(SPOT_FLEET, path)
    assert found(ec2_no_public_ip, SPOT_FLEET, _fleet()) == []
    assert found(ec2_volumes_encrypted, SPOT_FLEET, _fleet()) == []
    assert found(ec2_no_public_ip, SPOT_FLEET, _fleet(associatePublicIpAddress=True)) == [
        f"{SPOT_FLEET} 'web': launchSpecifications[1].associatePublicIpAddress is true, so the instance gets a public "
        "IP address; run it in a private subnet behind a load balancer or NAT gateway"]
    [message] = found(ec2_volumes_encrypted, SPOT_FLEET, _fleet(rootBlockDevices=[{"encrypted": False}]))
    assert "launchSpecifications[1].rootBlockDevices is not encrypted (encrypted is false" in message
    [message] = found(ec2_volumes_encrypted, SPOT_FLEET, _fleet(ebsBlockDevices=[{"deviceName": "/dev/sdg"}]))
    assert "launchSpecifications[1].ebsBlockDevices[0] /dev/sdg is not encrypted (encrypted is not set" in message
    [message] = found(ec2_volumes_encrypted, SPOT_FLEET, _fleet(rootBlockDevices=None))
    assert message.startswith(f"{SPOT_FLEET} 'web': the root volume of launchSpecifications[1] (no rootBlockDevices")
    # a volume restored from a snapshot keeps the snapshot's encryption; unknown settings are not judged
    assert found(ec2_volumes_encrypted, SPOT_FLEET, _fleet(ebsBlockDevices=[{"snapshotId": "snap-1"}])) == []
    assert found(ec2_volumes_encrypted, SPOT_FLEET, _fleet(rootBlockDevices=UNKNOWN)) == []
    assert found(ec2_no_public_ip, SPOT_FLEET, _fleet(associatePublicIpAddress=UNKNOWN)) == []
    # a fleet from launch templates declares no instance settings of its own (its template is judged)
    templated = {"iamFleetRole": "arn:role", "targetCapacity": 2, "launchTemplateConfigs": [
        {"launchTemplateSpecification": {"id": "lt-1", "version": "1"}}]}
    assert found(ec2_volumes_encrypted, SPOT_FLEET, templated) == []
    assert found(ec2_no_public_ip, SPOT_FLEET, templated) == []
