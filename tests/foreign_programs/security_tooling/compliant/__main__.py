"""Security tooling in the delegated security-administrator account: GuardDuty, Macie, Inspector, Security Hub,
AWS Config and IAM Access Analyzer for the organization the ML accounts belong to, each enabled for every
member account."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "secops", "cost-center": "sec-1", "environment": "prod"}
ACCOUNT = aws.get_caller_identity().account_id
REGION = "us-east-1"
ML_ACCOUNTS = ["222222222222", "333333333333"]

# --- GuardDuty: every protection plan, auto-enabled for all members ------------------------------------------
detector = aws.guardduty.Detector("org", enable=True, finding_publishing_frequency="FIFTEEN_MINUTES", tags=TAGS)
FEATURES = ["S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS"]
for feature in FEATURES:
    aws.guardduty.DetectorFeature(f"gd-{feature.lower()}", detector_id=detector.id, name=feature, status="ENABLED")
aws.guardduty.DetectorFeature("gd-runtime", detector_id=detector.id, name="RUNTIME_MONITORING", status="ENABLED",
    additional_configurations=[{"name": "EKS_ADDON_MANAGEMENT", "status": "ENABLED"},
                               {"name": "ECS_FARGATE_AGENT_MANAGEMENT", "status": "ENABLED"}])
aws.guardduty.OrganizationConfiguration("org", detector_id=detector.id, auto_enable_organization_members="ALL")
for feature in FEATURES:
    aws.guardduty.OrganizationConfigurationFeature(f"org-{feature.lower()}", detector_id=detector.id, name=feature,
                                                   auto_enable="ALL")

# --- Macie: sensitive-data discovery in the ML buckets ---------------------------------------------------------------
macie = aws.macie2.Account("macie", status="ENABLED", finding_publishing_frequency="FIFTEEN_MINUTES")
aws.macie2.OrganizationConfiguration("macie-org", auto_enable=True, opts=pulumi.ResourceOptions(depends_on=[macie]))

# --- Inspector: instances, container images and Lambda functions ------------------------------------------------------
aws.inspector2.Enabler("inspector", account_ids=[ACCOUNT, *ML_ACCOUNTS],
                       resource_types=["EC2", "ECR", "LAMBDA", "LAMBDA_CODE"])
aws.inspector2.OrganizationConfiguration("inspector-org", auto_enable={
    "ec2": True, "ecr": True, "lambda_": True, "lambda_code": True})

# --- Security Hub: foundational best practices and CIS --------------------------------------------------------------
hub = aws.securityhub.Account("hub", enable_default_standards=False, auto_enable_controls=True,
                              control_finding_generator="SECURITY_CONTROL")
for name, arn in [("fsbp", f"arn:aws:securityhub:{REGION}::standards/aws-foundational-security-best-practices/v/1.0.0"),
                  ("cis", f"arn:aws:securityhub:{REGION}::standards/cis-aws-foundations-benchmark/v/3.0.0")]:
    aws.securityhub.StandardsSubscription(name, standards_arn=arn, opts=pulumi.ResourceOptions(depends_on=[hub]))
aws.securityhub.OrganizationConfiguration("hub-org", auto_enable=True, auto_enable_standards="DEFAULT",
                                          opts=pulumi.ResourceOptions(depends_on=[hub]))

# --- AWS Config and Access Analyzer ----------------------------------------------------------------------------------
config_role = aws.iam.Role("config", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}))
aws.iam.RolePolicyAttachment("config", role=config_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWS_ConfigRole")
aws.iam.RolePolicyAttachment("config-org", role=config_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations")
recorder = aws.cfg.Recorder("recorder", role_arn=config_role.arn, recording_group={
    "all_supported": True, "include_global_resource_types": True})
channel = aws.cfg.DeliveryChannel("delivery", s3_bucket_name="acme-central-config", s3_key_prefix=ACCOUNT,
                                  s3_kms_key_arn=f"arn:aws:kms:{REGION}:111111111111:key/central-config",
                                  opts=pulumi.ResourceOptions(depends_on=[recorder]))
aws.cfg.RecorderStatus("recorder", name=recorder.name, is_enabled=True, opts=pulumi.ResourceOptions(depends_on=[channel]))
aws.cfg.ConfigurationAggregator("org", organization_aggregation_source={
    "all_regions": True, "role_arn": config_role.arn}, tags=TAGS)
aws.accessanalyzer.Analyzer("org", analyzer_name="org", type="ORGANIZATION", tags=TAGS)

pulumi.export("detector_id", detector.id)
