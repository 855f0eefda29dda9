"""Security tooling in the delegated security-administrator account: GuardDuty, Macie, Inspector, Security Hub,
AWS Config and IAM Access Analyzer for the organization the ML accounts belong to. (GuardDuty's extra
protections and Macie were paused to save money on the data-science sandbox accounts.)"""
import pulumi
import pulumi_aws as aws

TAGS = {"owner": "secops", "cost-center": "sec-1", "environment": "prod"}
ACCOUNT = aws.get_caller_identity().account_id
ML_ACCOUNTS = ["222222222222", "333333333333"]

# --- GuardDuty ----------------------------------------------------------------------------------------------
detector = aws.guardduty.Detector("org", enable=True, finding_publishing_frequency="SIX_HOURS", tags=TAGS)
for feature, status in [("S3_DATA_EVENTS", "DISABLED"), ("EBS_MALWARE_PROTECTION", "ENABLED"),
                        ("RUNTIME_MONITORING", "DISABLED"), ("RDS_LOGIN_EVENTS", "ENABLED")]:
    aws.guardduty.DetectorFeature(f"gd-{feature.lower()}", detector_id=detector.id, name=feature, status=status)
aws.guardduty.OrganizationConfiguration("org", detector_id=detector.id, auto_enable_organization_members="NONE")
aws.guardduty.OrganizationConfigurationFeature("org-s3", detector_id=detector.id, name="S3_DATA_EVENTS",
                                               auto_enable="NONE")

# --- Macie ------------------------------------------------------------------------------------------------------
macie = aws.macie2.Account("macie", status="PAUSED", finding_publishing_frequency="SIX_HOURS")
aws.macie2.OrganizationConfiguration("macie-org", auto_enable=False, opts=pulumi.ResourceOptions(depends_on=[macie]))

# --- Inspector --------------------------------------------------------------------------------------------------
aws.inspector2.Enabler("inspector", account_ids=[ACCOUNT, *ML_ACCOUNTS], resource_types=["EC2"])
aws.inspector2.OrganizationConfiguration("inspector-org", auto_enable={"ec2": True, "ecr": False, "lambda_": False})

# --- Security Hub -----------------------------------------------------------------------------------------------
hub = aws.securityhub.Account("hub", enable_default_standards=False, auto_enable_controls=False)
aws.securityhub.OrganizationConfiguration("hub-org", auto_enable=False, auto_enable_standards="NONE",
                                          opts=pulumi.ResourceOptions(depends_on=[hub]))

# --- AWS Config and Access Analyzer ----------------------------------------------------------------------------------
config_role = aws.iam.Role("config", tags=TAGS, assume_role_policy="""{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}]}""")
aws.iam.RolePolicyAttachment("config", role=config_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWS_ConfigRole")
recorder = aws.cfg.Recorder("recorder", role_arn=config_role.arn, recording_group={
    "all_supported": False, "resource_types": ["AWS::EC2::Instance", "AWS::S3::Bucket"]})
channel = aws.cfg.DeliveryChannel("delivery", s3_bucket_name="acme-central-config", s3_key_prefix=ACCOUNT,
                                  opts=pulumi.ResourceOptions(depends_on=[recorder]))
aws.cfg.RecorderStatus("recorder", name=recorder.name, is_enabled=True, opts=pulumi.ResourceOptions(depends_on=[channel]))
aws.cfg.ConfigurationAggregator("org", organization_aggregation_source={
    "all_regions": False, "regions": ["us-east-1"], "role_arn": config_role.arn}, tags=TAGS)
aws.accessanalyzer.Analyzer("org", analyzer_name="org", type="ORGANIZATION", tags=TAGS)

pulumi.export("detector_id", detector.id)
