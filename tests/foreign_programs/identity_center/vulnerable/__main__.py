"""Workforce access to the ML accounts from the management account: IAM Identity Center permission sets
and account assignments, Organizations service control policies and delegated administrators, and the
IAM users and groups the CI system and the on-call engineers still use."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "identity", "cost-center": "sec-2", "environment": "prod"}
ML_ACCOUNTS = {"ml-dev": "222222222222", "ml-prod": "333333333333"}
SECURITY_ACCOUNT = "444444444444"
GROUPS = {"data-scientists": "9067a1b2c3-1111-2222-3333-444455556666",
          "platform-admins": "9067a1b2c3-7777-8888-9999-000011112222"}
ONCALL_USER = "9067a1b2c3-aaaa-bbbb-cccc-ddddeeeeffff"

sso = aws.ssoadmin.get_instances()
instance_arn = sso.arns[0]

data_scientist = aws.ssoadmin.PermissionSet("data-scientist", name="DataScientist", instance_arn=instance_arn,
                                            session_duration="PT12H", tags=TAGS)
aws.ssoadmin.ManagedPolicyAttachment("data-scientist-admin", instance_arn=instance_arn,
                                     permission_set_arn=data_scientist.arn,
                                     managed_policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")
aws.ssoadmin.PermissionSetInlinePolicy("data-scientist-ml", instance_arn=instance_arn,
    permission_set_arn=data_scientist.arn, inline_policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sagemaker:*", "s3:*"], "Resource": "*"}]}))

platform_admin = aws.ssoadmin.PermissionSet("platform-admin", name="PlatformAdmin", instance_arn=instance_arn,
                                            session_duration="PT4H", tags=TAGS)
aws.ssoadmin.PermissionSetInlinePolicy("platform-admin-all", instance_arn=instance_arn,
    permission_set_arn=platform_admin.arn, inline_policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))

for account_name, account_id in ML_ACCOUNTS.items():
    aws.ssoadmin.AccountAssignment(f"data-scientists-{account_name}", instance_arn=instance_arn,
                                   permission_set_arn=data_scientist.arn, principal_type="GROUP",
                                   principal_id=GROUPS["data-scientists"], target_type="AWS_ACCOUNT",
                                   target_id=account_id)
    aws.ssoadmin.AccountAssignment(f"oncall-{account_name}", instance_arn=instance_arn,
                                   permission_set_arn=platform_admin.arn, principal_type="USER",
                                   principal_id=ONCALL_USER, target_type="AWS_ACCOUNT", target_id=account_id)

# --- Organizations -------------------------------------------------------------------------------------
guardrails = aws.organizations.Policy("ml-guardrails", name="ml-guardrails", type="SERVICE_CONTROL_POLICY",
    description="ML accounts guardrails", tags=TAGS, content=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyLeaveOrg", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}))
ml_ou = aws.organizations.get_organizational_unit_output(
    parent_id=aws.organizations.get_organization().roots[0].id, name="ML")
aws.organizations.PolicyAttachment("ml-guardrails", policy_id=guardrails.id, target_id=ml_ou.id)
for service in ["guardduty.amazonaws.com", "securityhub.amazonaws.com"]:
    aws.organizations.DelegatedAdministrator(f"delegate-{service.split('.')[0]}", account_id=SECURITY_ACCOUNT,
                                             service_principal=service)

# --- IAM users and groups ------------------------------------------------------------------------------
ci = aws.iam.User("ci-deployer", name="ci-deployer", tags=TAGS)
aws.iam.AccessKey("ci-deployer", user=ci.name)
aws.iam.UserPolicyAttachment("ci-deployer-admin", user=ci.name,
                             policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")

oncall = aws.iam.Group("oncall", name="oncall")
aws.iam.GroupPolicyAttachment("oncall-admin", group=oncall.name,
                              policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")
engineer = aws.iam.User("oncall-engineer", name="oncall-engineer", tags=TAGS)
aws.iam.UserLoginProfile("oncall-engineer", user=engineer.name, password_reset_required=True)
aws.iam.UserGroupMembership("oncall-engineer", user=engineer.name, groups=[oncall.name])

pulumi.export("data_scientist_permission_set", data_scientist.arn)
