"""SageMaker Studio domain + notebook instance + training data bucket (team style: Args classes)."""
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
team = cfg.get("team") or "research"
tags = {"team": team, "owner": "ml-research", "cost-center": "4711", "environment": pulumi.get_stack(),
        "data-classification": "confidential"}

key = aws.kms.Key("ds-key", description="research data", enable_key_rotation=True,
                  deletion_window_in_days=30, tags=tags)

vpc = aws.ec2.Vpc("ds-vpc", cidr_block="10.20.0.0/16", enable_dns_hostnames=True, enable_dns_support=True, tags=tags)
aws.ec2.DefaultSecurityGroup("ds-default-sg", vpc_id=vpc.id, tags=tags)  # no rules: closed
flow_logs = aws.cloudwatch.LogGroup("ds-flow-logs", retention_in_days=365, kms_key_id=key.arn, tags=tags)
flow_role = aws.iam.Role("ds-flow-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}]}), tags=tags)
aws.iam.RolePolicy("ds-flow-write", role=flow_role.id, policy=flow_logs.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                            "Resource": f"{arn}:*"}]})))
aws.ec2.FlowLog("ds-flow", vpc_id=vpc.id, traffic_type="ALL", log_destination=flow_logs.arn,
                iam_role_arn=flow_role.arn, tags=tags)
subnets = [aws.ec2.Subnet(f"ds-private-{i}", vpc_id=vpc.id, cidr_block=f"10.20.{i}.0/24",
                          availability_zone=f"us-east-1{az}", map_public_ip_on_launch=False, tags=tags)
           for i, az in enumerate("ab")]
sg = aws.ec2.SecurityGroup("ds-sg", vpc_id=vpc.id, description="studio apps",
                           ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443,
                                                                     self=True, description="studio intra")],
                           egress=[aws.ec2.SecurityGroupEgressArgs(protocol="tcp", from_port=443, to_port=443,
                                                                   cidr_blocks=["10.20.0.0/16"], description="vpc endpoints")],
                           tags=tags)

logs = aws.s3.Bucket("ds-access-logs", tags=tags)
bucket = aws.s3.Bucket("ds-training-data", tags=tags)
for name, b in {"logs": logs, "training": bucket}.items():
    aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=b.id, block_public_acls=True, block_public_policy=True,
                                   ignore_public_acls=True, restrict_public_buckets=name == "logs")
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse", bucket=b.id,
        rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                # S3 server access logging delivers only to SSE-S3 buckets
                sse_algorithm="AES256") if name == "logs" else
            aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms", kms_master_key_id=key.arn),
            bucket_key_enabled=name != "logs")])
    aws.s3.BucketVersioning(f"{name}-versioning", bucket=b.id,
                            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"))
    aws.s3.BucketOwnershipControls(f"{name}-ownership", bucket=b.id,
                                   rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"))
    aws.s3.BucketPolicy(f"{name}-tls-only", bucket=b.id, policy=b.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
aws.s3.BucketLogging("training-logging", bucket=bucket.id, target_bucket=logs.id, target_prefix="training/")

assume = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["sts:AssumeRole"],
    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="Service", identifiers=["sagemaker.amazonaws.com"])])])
role = aws.iam.Role("ds-execution", assume_role_policy=assume.json, tags=tags)
aws.iam.RolePolicy("ds-data-access", role=role.id, policy=pulumi.Output.all(bucket.arn, key.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": a[1]}]})))

domain = aws.sagemaker.Domain(
    "research",
    domain_name=f"{team}-studio",
    auth_mode="IAM",
    vpc_id=vpc.id,
    subnet_ids=[s.id for s in subnets],
    app_network_access_type="PublicInternetOnly",
    kms_key_id=key.arn,
    default_user_settings=aws.sagemaker.DomainDefaultUserSettingsArgs(
        execution_role=role.arn, security_groups=[sg.id],
        sharing_settings=aws.sagemaker.DomainDefaultUserSettingsSharingSettingsArgs(
            notebook_output_option="Disabled")),
    domain_settings=aws.sagemaker.DomainDomainSettingsArgs(security_group_ids=[sg.id]),
    retention_policy=aws.sagemaker.DomainRetentionPolicyArgs(home_efs_file_system="Retain"),
    tags=tags,
)
aws.sagemaker.UserProfile("alice", domain_id=domain.id, user_profile_name="alice",
                          user_settings=aws.sagemaker.UserProfileUserSettingsArgs(execution_role=role.arn,
                                                                                  security_groups=[sg.id]),
                          tags=tags)

notebook = aws.sagemaker.NotebookInstance(
    "scratch",
    instance_type="ml.t3.medium",
    role_arn=role.arn,
    subnet_id=subnets[0].id,
    security_groups=[sg.id],
    direct_internet_access="Enabled",
    root_access="Enabled",
    platform_identifier="notebook-al2-v3",
    instance_metadata_service_configuration=aws.sagemaker.NotebookInstanceInstanceMetadataServiceConfigurationArgs(
        minimum_instance_metadata_service_version="1"),
    tags=tags,
)
pulumi.export("domain_url", domain.url)
pulumi.export("bucket", bucket.bucket)
