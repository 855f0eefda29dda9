"""Distributed fine-tuning: a SageMaker training job reading from S3 and an EFS file system, checkpoints
to S3, all under one KMS key, in private subnets (config-driven instance type and count)."""
import json

import pulumi
import pulumi_aws as aws

conf = pulumi.Config()
TAGS = {"owner": "llm-team", "cost-center": "llm-4", "environment": "prod", "data-classification": "confidential"}
VPC = "vpc-0abc1234def567890"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04"

key = aws.kms.Key("training-key", enable_key_rotation=True, tags=TAGS)

bucket = aws.s3.Bucket("training", tags=TAGS)
aws.s3.BucketPublicAccessBlock("training-pab", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("training-sse", bucket=bucket.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning("training-ver", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("training-log", bucket=bucket.id, target_bucket="org-central-s3-access-logs", target_prefix="training/")
aws.s3.BucketPolicy("training-tls", bucket=bucket.id, policy=bucket.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                            "Resource": [arn, f"{arn}/*"],
                                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

sg = aws.ec2.SecurityGroup("training-sg", vpc_id=VPC, description="training nodes", tags=TAGS)
aws.vpc.SecurityGroupIngressRule("training-nccl", security_group_id=sg.id, referenced_security_group_id=sg.id,
                                 ip_protocol="-1", description="inter-node traffic", tags=TAGS)
aws.vpc.SecurityGroupEgressRule("training-nccl-out", security_group_id=sg.id, referenced_security_group_id=sg.id,
                                ip_protocol="-1", description="inter-node traffic", tags=TAGS)
aws.vpc.SecurityGroupEgressRule("training-https", security_group_id=sg.id, cidr_ipv4="10.0.0.0/16", ip_protocol="tcp",
                                from_port=443, to_port=443, description="endpoints", tags=TAGS)
aws.vpc.SecurityGroupEgressRule("training-nfs", security_group_id=sg.id, cidr_ipv4="10.0.0.0/16", ip_protocol="tcp",
                                from_port=2049, to_port=2049, description="efs", tags=TAGS)

efs = aws.efs.FileSystem("datasets", encrypted=False, performance_mode="generalPurpose",
                         throughput_mode="elastic", tags=TAGS, opts=pulumi.ResourceOptions(protect=True))
aws.efs.BackupPolicy("datasets-backup", file_system_id=efs.id, backup_policy={"status": "ENABLED"})
aws.efs.FileSystemPolicy("datasets-policy", file_system_id=efs.id, policy=efs.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*",
                                            "Resource": arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
for i, subnet in enumerate(SUBNETS):
    aws.efs.MountTarget(f"datasets-mt-{i}", file_system_id=efs.id, subnet_id=subnet, security_groups=[sg.id])

role = aws.iam.Role("training-role", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy("training-access", role=role.id, policy=pulumi.Output.all(bucket.arn, key.arn, efs.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": [a[0], f"{a[0]}/*"]},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"], "Resource": a[1]},
        {"Effect": "Allow", "Action": ["elasticfilesystem:ClientMount"], "Resource": a[2]}]})))

# The platform team's shared statements, merged into each job's policy (source_policy_documents).
COMMON = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "Logs", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
aws.iam.RolePolicy("training-common", role=role.id, policy=aws.iam.get_policy_document(
    source_policy_documents=[COMMON],
    statements=[{"sid": "Metrics", "actions": ["cloudwatch:PutMetricData"], "resources": ["*"],
                 "conditions": [{"test": "StringEquals", "variable": "cloudwatch:namespace", "values": ["/aws/sagemaker/TrainingJobs"]}]}]).json)

aws.sagemaker.TrainingJob("fine-tune", training_job_name="llm-fine-tune-v1", role_arn=role.arn,
    algorithm_specification={"training_image": IMAGE, "training_input_mode": "File"},
    resource_config={"instance_type": conf.get("instanceType") or "ml.g5.12xlarge",
                     "instance_count": conf.get_int("instanceCount") or 2, "volume_size_in_gb": 200},
    input_data_configs=[
        {"channel_name": "train", "data_source": {"s3_data_source": {
            "s3_data_type": "S3Prefix", "s3_uri": bucket.bucket.apply(lambda b: f"s3://{b}/datasets/train/"),
            "s3_data_distribution_type": "ShardedByS3Key"}}},
        {"channel_name": "corpus", "data_source": {"file_system_data_source": {
            "file_system_id": efs.id, "file_system_type": "EFS", "file_system_access_mode": "ro",
            "directory_path": "/corpus"}}}],
    output_data_config={"s3_output_path": bucket.bucket.apply(lambda b: f"s3://{b}/models/")},
    checkpoint_config={"s3_uri": bucket.bucket.apply(lambda b: f"s3://{b}/checkpoints/")},
    enable_network_isolation=False, enable_inter_container_traffic_encryption=False,
    stopping_condition={"max_runtime_in_seconds": 86400},
    tags=TAGS)
