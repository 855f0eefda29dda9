"""Rules added for the landing-zone foreign programs (transit_hub, network_inspection): RAM shares outside the
organization, Client VPN authorization for everyone to everywhere, Client VPN connection logs, endpoint services
shared with every account and firewall policies that pass unmatched packets. Each from a compliant input, one
field changed to make it fail; unknown values are not judged."""

from __future__ import annotations

import pytest

from policies.rules.data_stores import data_store_logging
from policies.rules.edge_protection import network_firewall_policy_default_actions
from policies.rules.network_sharing import client_vpn_authorization_scoped, ram_share_no_external_principals
from policies.rules.resource_policies import no_public_images_or_snapshots
from policy_helpers import UNKNOWN, found
from sdk_inputs import assert_inputs_in_sdk

SHARE = "aws:ram/resourceShare:ResourceShare"
VPN_RULE = "aws:ec2clientvpn/authorizationRule:AuthorizationRule"
VPN = "aws:ec2clientvpn/endpoint:Endpoint"
SERVICE = "aws:ec2/vpcEndpointService:VpcEndpointService"
SERVICE_PRINCIPAL = "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple"
FIREWALL_POLICY = "aws:networkfirewall/firewallPolicy:FirewallPolicy"
NATIVE_FIREWALL_POLICY = "aws-native:networkfirewall:FirewallPolicy"


def test_the_inputs_the_rules_read_are_the_sdks():
    assert_inputs_in_sdk(SHARE, ["allowExternalPrincipals"])
    assert_inputs_in_sdk(VPN_RULE, ["targetNetworkCidr", "authorizeAllGroups", "accessGroupId"])
    assert_inputs_in_sdk(VPN, ["connectionLogOptions", "enabled"])
    assert_inputs_in_sdk(SERVICE, ["allowedPrincipals"])
    assert_inputs_in_sdk(SERVICE_PRINCIPAL, ["principalArn"])
    assert_inputs_in_sdk(FIREWALL_POLICY, ["firewallPolicy", "statelessDefaultActions",
                                           "statelessFragmentDefaultActions"])
    assert_inputs_in_sdk(NATIVE_FIREWALL_POLICY, ["firewallPolicy", "statelessDefaultActions",
                                                  "statelessFragmentDefaultActions"])


def test_a_resource_share_stays_in_the_organization():
    # allowExternalPrincipals defaults to false (terraform-provider-aws ram/resource_share.go).
    for props in ({"name": "tgw"}, {"name": "tgw", "allowExternalPrincipals": False},
                  {"name": "tgw", "allowExternalPrincipals": UNKNOWN}):
        assert found(ram_share_no_external_principals, SHARE, props) == []
    assert found(ram_share_no_external_principals, SHARE, {"name": "tgw", "allowExternalPrincipals": True}) == [
        f"{SHARE} 'subject' may be shared with accounts outside the organization (allowExternalPrincipals true): "
        "its transit gateways, subnets or resolver rules can go to any AWS account"]


def test_a_native_resource_share_defaults_to_external_principals():
    # CloudFormation AWS::RAM::ResourceShare: "The default value is true" (pulumi-aws-native ram/resource_share.py).
    native = "aws-native:ram:ResourceShare"
    assert_inputs_in_sdk(native, ["allowExternalPrincipals", "principals"])
    assert found(ram_share_no_external_principals, native, {"name": "tgw", "allowExternalPrincipals": False}) == []
    assert found(ram_share_no_external_principals, native, {"name": "tgw", "allowExternalPrincipals": UNKNOWN}) == []
    assert found(ram_share_no_external_principals, native, {"name": "tgw"}) == [
        f"{native} 'subject' may be shared with accounts outside the organization (allowExternalPrincipals not set, "
        "CloudFormation's default true): its transit gateways, subnets or resolver rules can go to any AWS account"]


def test_native_vpn_rules_and_endpoint_service_permissions():
    rule, permissions = "aws-native:ec2:ClientVpnAuthorizationRule", "aws-native:ec2:VpcEndpointServicePermissions"
    assert_inputs_in_sdk(rule, ["targetNetworkCidr", "authorizeAllGroups"])
    assert_inputs_in_sdk(permissions, ["allowedPrincipals", "serviceId"])
    everyone = {"clientVpnEndpointId": "cvpn-endpoint-1", "targetNetworkCidr": "0.0.0.0/0"}
    assert len(found(client_vpn_authorization_scoped, rule, {**everyone, "authorizeAllGroups": True})) == 1
    assert found(client_vpn_authorization_scoped, rule, {**everyone, "accessGroupId": "admins"}) == []
    named = {"serviceId": "vpce-svc-1", "allowedPrincipals": ["arn:aws:iam::444444444444:root"]}
    assert found(no_public_images_or_snapshots, permissions, named) == []
    assert len(found(no_public_images_or_snapshots, permissions, {**named, "allowedPrincipals": ["*"]})) == 1


@pytest.mark.parametrize("props", [
    {"targetNetworkCidr": "0.0.0.0/0", "accessGroupId": "admins"},  # one group may reach everything
    {"targetNetworkCidr": "10.0.0.0/8", "authorizeAllGroups": True},  # everyone reaches the named networks
    {"targetNetworkCidr": UNKNOWN, "authorizeAllGroups": True},
    {"targetNetworkCidr": "0.0.0.0/0", "authorizeAllGroups": UNKNOWN},
])
def test_vpn_authorization_for_a_group_or_a_network_passes(props):
    assert found(client_vpn_authorization_scoped, VPN_RULE, {"clientVpnEndpointId": "cvpn-endpoint-1", **props}) == []


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0"])
def test_vpn_authorization_for_everyone_to_everywhere_fails(cidr):
    props = {"clientVpnEndpointId": "cvpn-endpoint-1", "targetNetworkCidr": cidr, "authorizeAllGroups": True}
    assert found(client_vpn_authorization_scoped, VPN_RULE, props) == [
        f"{VPN_RULE} 'subject' authorizes every VPN user (authorizeAllGroups true) for {cidr}: whoever connects "
        "reaches every network the endpoint routes to; name the networks, or an access group"]


def test_client_vpn_connection_logs():
    # Security Hub EC2.51; connectionLogOptions is a required block, enabled false logs nothing.
    logged = {"connectionLogOptions": {"enabled": True, "cloudwatchLogGroup": "client-vpn"}}
    assert found(data_store_logging, VPN, logged) == []
    assert found(data_store_logging, VPN, {"connectionLogOptions": {"enabled": UNKNOWN}}) == []
    assert found(data_store_logging, VPN, {"connectionLogOptions": {"enabled": False}}) == [
        f"Client VPN endpoint 'subject' ({VPN}) publishes no logs: connectionLogOptions.enabled is false, expected "
        "true: no client connection (who connected, from where, when) is logged"]


def test_an_endpoint_service_shared_with_every_account_fails():
    named = {"acceptanceRequired": True, "allowedPrincipals": ["arn:aws:iam::444444444444:root"]}
    for props in (named, {"acceptanceRequired": True}, {"allowedPrincipals": [UNKNOWN]}):
        assert found(no_public_images_or_snapshots, SERVICE, props) == []
    assert len(found(no_public_images_or_snapshots, SERVICE,
                     {**named, "allowedPrincipals": ["arn:aws:iam::444444444444:root", "*"]})) == 1
    assert found(no_public_images_or_snapshots, SERVICE_PRINCIPAL,
                 {"vpcEndpointServiceId": "vpce-svc-1", "principalArn": "arn:aws:iam::444444444444:root"}) == []
    assert found(no_public_images_or_snapshots, SERVICE_PRINCIPAL,
                 {"vpcEndpointServiceId": "vpce-svc-1", "principalArn": UNKNOWN}) == []
    assert found(no_public_images_or_snapshots, SERVICE_PRINCIPAL,
                 {"vpcEndpointServiceId": "vpce-svc-1", "principalArn": "*"}) == [
        f"{SERVICE_PRINCIPAL} 'subject' allows every AWS account ('*') to discover the endpoint service and create an "
        "endpoint to it; name the consumer accounts or roles"]


def policy(full, fragments) -> dict:
    return {"firewallPolicy": {"statelessDefaultActions": full, "statelessFragmentDefaultActions": fragments,
                               "statefulRuleGroupReferences": [{"resourceArn": "arn:aws:network-firewall:rg"}]}}


@pytest.mark.parametrize("type_", [FIREWALL_POLICY, NATIVE_FIREWALL_POLICY])
def test_a_firewall_policy_forwards_or_drops_unmatched_packets(type_):
    for full, fragments in ((["aws:forward_to_sfe"], ["aws:forward_to_sfe"]), (["aws:drop"], ["aws:drop", "metric"]),
                            ([UNKNOWN], UNKNOWN)):
        assert found(network_firewall_policy_default_actions, type_, policy(full, fragments)) == []
    assert found(network_firewall_policy_default_actions, type_, policy(["aws:pass", "metric"], ["aws:drop"])) == [
        f"{type_} 'subject' passes packets no stateless rule matches (statelessDefaultActions aws:pass): they reach "
        "their destination without stateful inspection; use aws:forward_to_sfe (or aws:drop)"]
    assert len(found(network_firewall_policy_default_actions, type_,
                     policy(["aws:forward_to_sfe"], ["aws:pass"]))) == 1


SNAPSHOT_BPA = "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess"
NATIVE_SNAPSHOT_BPA = "aws-native:ec2:SnapshotBlockPublicAccess"
IMAGE_BPA = "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess"


@pytest.mark.parametrize("type_, blocking, weaker", [
    # AWS Config EBS_SNAPSHOT_BLOCK_PUBLIC_ACCESS accepts only block-all-sharing; AMIs have block-new-sharing only.
    (SNAPSHOT_BPA, "block-all-sharing", ["block-new-sharing", "unblocked"]),
    (NATIVE_SNAPSHOT_BPA, "block-all-sharing", ["block-new-sharing"]),
    (IMAGE_BPA, "block-new-sharing", ["unblocked"]),
])
def test_the_accounts_block_public_access_for_snapshots_and_images(type_, blocking, weaker):
    assert_inputs_in_sdk(type_, ["state"])
    assert found(no_public_images_or_snapshots, type_, {"state": blocking}) == []
    assert found(no_public_images_or_snapshots, type_, {"state": UNKNOWN}) == []
    what = "AMIs" if type_ == IMAGE_BPA else "EBS snapshots"
    for state in weaker:
        assert found(no_public_images_or_snapshots, type_, {"state": state}) == [
            f"{type_} 'subject' sets the account's block public access for {what} to {state!r}: {what} can be (or "
            f"stay) shared publicly in this region; use {blocking!r}"]


def test_a_private_ca_policy_open_to_everyone_fails():
    import json

    from policies.rules.resource_policies import resource_policy_no_public_principal

    ca_policy = "aws:acmpca/policy:Policy"
    assert_inputs_in_sdk(ca_policy, ["policy", "resourceArn"])
    statement = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "acm-pca:IssueCertificate",
                 "Resource": "arn:aws:acm-pca:us-east-1:111111111111:certificate-authority/ca-1"}

    def props(**condition) -> dict:
        return {"resourceArn": statement["Resource"], "policy": json.dumps(
            {"Version": "2012-10-17", "Statement": [{**statement, **condition}]})}

    assert found(resource_policy_no_public_principal, ca_policy,
                 props(Condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})) == []
    assert found(resource_policy_no_public_principal, ca_policy, {"resourceArn": "ca", "policy": UNKNOWN}) == []
    assert len(found(resource_policy_no_public_principal, ca_policy, props())) == 1


# --- GuardDuty protection plans, Macie, Inspector and Security Hub (the security_tooling program) ---------------

from policies.rules.edge_protection import detection_services_enabled, guardduty_detector_enabled  # noqa: E402
from policy_helpers import stack_args, stack_resource, violations  # noqa: E402

FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"
GD_ORG = "aws:guardduty/organizationConfiguration:OrganizationConfiguration"
GD_ORG_FEATURE = "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature"
MACIE = "aws:macie2/account:Account"
MACIE_ORG = "aws:macie2/organizationConfiguration:OrganizationConfiguration"
HUB_ORG = "aws:securityhub/organizationConfiguration:OrganizationConfiguration"
ENABLER = "aws:inspector2/enabler:Enabler"
INSPECTOR_ORG = "aws:inspector2/organizationConfiguration:OrganizationConfiguration"


def test_guardduty_inputs_are_the_sdks():
    assert_inputs_in_sdk(FEATURE, ["detectorId", "name", "status"])
    assert_inputs_in_sdk("aws:guardduty/memberDetectorFeature:MemberDetectorFeature", ["status"])
    assert_inputs_in_sdk(GD_ORG, ["autoEnableOrganizationMembers"])
    assert_inputs_in_sdk(GD_ORG_FEATURE, ["autoEnable", "name"])
    assert_inputs_in_sdk(MACIE, ["status"])
    assert_inputs_in_sdk(MACIE_ORG, ["autoEnable"])
    assert_inputs_in_sdk(HUB_ORG, ["autoEnable", "organizationConfiguration", "configurationType"])
    assert_inputs_in_sdk(ENABLER, ["resourceTypes", "accountIds"])
    assert_inputs_in_sdk(INSPECTOR_ORG, ["autoEnable", "ec2", "ecr", "lambda", "lambdaCode"])


@pytest.mark.parametrize("type_, key, on, off", [
    (FEATURE, "status", "ENABLED", "DISABLED"),
    (GD_ORG, "autoEnableOrganizationMembers", "ALL", "NONE"),
    (GD_ORG_FEATURE, "autoEnable", "NEW", "NONE"),
])
def test_guardduty_protection_plans_and_auto_enablement(type_, key, on, off):
    base = {"detectorId": "d-1", "name": "S3_DATA_EVENTS"}
    assert found(guardduty_detector_enabled, type_, {**base, key: on}) == []
    assert found(guardduty_detector_enabled, type_, {**base, key: UNKNOWN}) == []
    assert len(found(guardduty_detector_enabled, type_, {**base, key: off})) == 1


def detection(*resources, config=None) -> list[str]:
    return violations(detection_services_enabled, stack_args(
        [stack_resource(t, p, name=f"r{i}") for i, (t, p) in enumerate(resources)], config))


def test_compliant_detection_services_pass():
    assert detection((MACIE, {"status": "ENABLED"}), (MACIE_ORG, {"autoEnable": True}),
                     (HUB_ORG, {"autoEnable": True}),
                     # CENTRAL configuration requires autoEnable false: configuration policies decide.
                     (HUB_ORG, {"autoEnable": False, "organizationConfiguration": {"configurationType": "CENTRAL"}}),
                     # Two enablers together cover the required types.
                     (ENABLER, {"accountIds": ["1"], "resourceTypes": ["EC2"]}),
                     (ENABLER, {"accountIds": ["1"], "resourceTypes": ["ECR", "LAMBDA"]}),
                     (INSPECTOR_ORG, {"autoEnable": {"ec2": True, "ecr": True, "lambda": False}})) == []
    # A stack with none of these resources, and unknown values, are not judged.
    assert detection() == []
    assert detection((MACIE, {"status": UNKNOWN}), (ENABLER, {"accountIds": ["1"], "resourceTypes": [UNKNOWN]}),
                     (INSPECTOR_ORG, {"autoEnable": UNKNOWN})) == []


def test_each_disabled_detection_service_is_reported():
    assert detection((MACIE, {"status": "PAUSED"})) == [
        f"{MACIE} 'r0' pauses Amazon Macie (status PAUSED): no sensitive-data discovery in the account's buckets"]
    assert detection((MACIE_ORG, {"autoEnable": False})) == [
        f"{MACIE_ORG} 'r0' does not enable Macie for new member accounts (autoEnable false)"]
    assert detection((HUB_ORG, {"autoEnable": False, "organizationConfiguration": {"configurationType": "LOCAL"}})) == [
        f"{HUB_ORG} 'r0' does not enable Security Hub for new member accounts (autoEnable false)"]
    assert detection((ENABLER, {"accountIds": ["1"], "resourceTypes": ["EC2"]})) == [
        f"{ENABLER} 'r0': no Inspector Enabler of the stack scans ECR (resourceTypes EC2): those resources' "
        "vulnerabilities go unreported"]
    assert detection((INSPECTOR_ORG, {"autoEnable": {"ec2": True, "ecr": False}})) == [
        f"{INSPECTOR_ORG} 'r0' does not scan ECR in new member accounts (autoEnable false)"]


def test_the_required_inspector_types_are_configurable():
    lambda_too = {"inspectorResourceTypes": ["EC2", "ECR", "LAMBDA"]}
    assert len(detection((ENABLER, {"accountIds": ["1"], "resourceTypes": ["EC2", "ECR"]}), config=lambda_too)) == 1
    assert detection((ENABLER, {"accountIds": ["1"], "resourceTypes": ["EC2"]}),
                     config={"inspectorResourceTypes": ["EC2"]}) == []
