"""Workforce access to the ML accounts from the management account: IAM Identity Center permission sets
(least privilege, group assignments only), Organizations service control policies and delegated
administrators, and an auditors' IAM group that requires MFA (no IAM users, no access keys)."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "identity", "cost-center": "sec-2", "environment": "prod"}
ML_ACCOUNTS = {"ml-dev": "222222222222", "ml-prod": "333333333333"}
SECURITY_ACCOUNT = "444444444444"
GROUPS = {"data-scientists": "9067a1b2c3-1111-2222-3333-444455556666",
          "auditors": "9067a1b2c3-7777-8888-9999-000011112222"}

sso = aws.ssoadmin.get_instances()
instance_arn = sso.arns[0]

data_scientist = aws.ssoadmin.PermissionSet("data-scientist", name="DataScientist", instance_arn=instance_arn,
                                            session_duration="PT4H", tags=TAGS)
aws.ssoadmin.PermissionSetInlinePolicy("data-scientist-ml", instance_arn=instance_arn,
    permission_set_arn=data_scientist.arn, inline_policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Studio", "Effect": "Allow",
         "Action": ["sagemaker:CreatePresignedDomainUrl", "sagemaker:DescribeDomain", "sagemaker:ListApps",
                    "sagemaker:DescribeUserProfile"],
         "Resource": "arn:aws:sagemaker:us-east-1:*:*/ml-studio*"},
        {"Sid": "Datasets", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::acme-ml-datasets", "arn:aws:s3:::acme-ml-datasets/*"]}]}))
aws.ssoadmin.PermissionsBoundaryAttachment("data-scientist-boundary", instance_arn=instance_arn,
    permission_set_arn=data_scientist.arn, permissions_boundary={
        "customer_managed_policy_reference": {"name": "ml-workforce-boundary", "path": "/"}})

auditor = aws.ssoadmin.PermissionSet("auditor", name="Auditor", instance_arn=instance_arn,
                                     session_duration="PT1H", tags=TAGS)
aws.ssoadmin.ManagedPolicyAttachment("auditor-security-audit", instance_arn=instance_arn,
                                     permission_set_arn=auditor.arn,
                                     managed_policy_arn="arn:aws:iam::aws:policy/SecurityAudit")

for account_name, account_id in ML_ACCOUNTS.items():
    for group, permission_set in [("data-scientists", data_scientist), ("auditors", auditor)]:
        aws.ssoadmin.AccountAssignment(f"{group}-{account_name}", instance_arn=instance_arn,
                                       permission_set_arn=permission_set.arn, principal_type="GROUP",
                                       principal_id=GROUPS[group], target_type="AWS_ACCOUNT", target_id=account_id)

# --- Organizations -------------------------------------------------------------------------------------
guardrails = aws.organizations.Policy("ml-guardrails", name="ml-guardrails", type="SERVICE_CONTROL_POLICY",
    description="ML accounts guardrails", tags=TAGS, content=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyLeaveOrg", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
        {"Sid": "ProtectSecurityServices", "Effect": "Deny",
         "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:DeleteDetector",
                    "guardduty:DisassociateFromMasterAccount", "securityhub:DisableSecurityHub",
                    "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder"],
         "Resource": "*",
         "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}}},
        {"Sid": "DenyRootUser", "Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}}]}))
ml_ou = aws.organizations.get_organizational_unit_output(
    parent_id=aws.organizations.get_organization().roots[0].id, name="ML")
aws.organizations.PolicyAttachment("ml-guardrails", policy_id=guardrails.id, target_id=ml_ou.id)
for service in ["guardduty.amazonaws.com", "securityhub.amazonaws.com"]:
    aws.organizations.DelegatedAdministrator(f"delegate-{service.split('.')[0]}", account_id=SECURITY_ACCOUNT,
                                             service_principal=service)

# --- IAM: an auditors' group for the legacy console integration, MFA required -----------------------------
auditors = aws.iam.Group("auditors", name="auditors")
aws.iam.GroupPolicyAttachment("auditors-read-only", group=auditors.name,
                              policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
aws.iam.GroupPolicy("auditors-require-mfa", group=auditors.name, policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Sid": "DenyWithoutMfa", "Effect": "Deny", "NotAction": [
        "iam:ChangePassword", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser",
        "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
        "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}))

pulumi.export("data_scientist_permission_set", data_scientist.arn)
