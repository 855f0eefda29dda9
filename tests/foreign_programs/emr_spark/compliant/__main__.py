"""Spark feature engineering on EMR on EC2: a security configuration (SSE-KMS for EMRFS, KMS local disks and
EBS, TLS in transit from PEM certificates in S3, IMDSv2 on the nodes), the account's block public access
setting, encrypted logs, instances in private subnets with EMR-managed security groups."""
import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "feature-eng", "cost-center": "fe-3", "environment": "prod", "data-classification": "confidential"}
VPC = "vpc-0abc1234def567890"
PRIVATE_SUBNET = "subnet-0a1b2c3d4e5f60001"
VPC_CIDR = "10.20.0.0/16"

key = aws.kms.Key("emr-key", description="EMR data, disks and logs", enable_key_rotation=True,
                  deletion_window_in_days=30, tags=tags)

logs = aws.s3.Bucket("emr-logs", tags=tags)
aws.s3.BucketPublicAccessBlock("emr-logs-pab", bucket=logs.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("emr-logs-sse", bucket=logs.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning("emr-logs-ver", bucket=logs.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("emr-logs-access", bucket=logs.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="emr-logs/")
aws.s3.BucketPolicy("emr-logs-tls", bucket=logs.id, policy=logs.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                            "Resource": [arn, f"{arn}/*"],
                                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

aws.emr.BlockPublicAccessConfiguration("account-bpa", block_public_security_group_rules=True,
                                       permitted_public_security_group_rule_ranges=[])

security = aws.emr.SecurityConfiguration("spark-security", configuration=key.arn.apply(lambda arn: json.dumps({
    "EncryptionConfiguration": {
        "EnableAtRestEncryption": True,
        "EnableInTransitEncryption": True,
        "AtRestEncryptionConfiguration": {
            "S3EncryptionConfiguration": {"EncryptionMode": "SSE-KMS", "AwsKmsKey": arn},
            "LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": arn,
                                                 "EnableEbsEncryption": True}},
        "InTransitEncryptionConfiguration": {"TLSCertificateConfiguration": {
            "CertificateProviderType": "PEM", "S3Object": "s3://feature-eng-certs/emr/certs.zip"}}},
    "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": 2,
                                             "HttpPutResponseHopLimit": 1}})))


def role(name: str, service: str, managed: str) -> aws.iam.Role:
    r = aws.iam.Role(name, tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}}]}))
    aws.iam.RolePolicyAttachment(f"{name}-managed", role=r.name, policy_arn=managed)
    return r


service_role = role("emr-service", "elasticmapreduce.amazonaws.com",
                    "arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2")
node_role = aws.iam.Role("emr-nodes", tags=tags, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]}))
aws.iam.RolePolicy("emr-nodes-data", role=node_role.id, policy=key.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::feature-eng-raw", "arn:aws:s3:::feature-eng-raw/*"]},
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::feature-eng-features/*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": arn}]})))
profile = aws.iam.InstanceProfile("emr-nodes", role=node_role.name, tags=tags)

master_sg = aws.ec2.SecurityGroup("emr-master", vpc_id=VPC, description="EMR managed master", tags=tags,
                                  revoke_rules_on_delete=True)
core_sg = aws.ec2.SecurityGroup("emr-core", vpc_id=VPC, description="EMR managed core", tags=tags,
                                revoke_rules_on_delete=True)
service_sg = aws.ec2.SecurityGroup("emr-service-access", vpc_id=VPC, description="EMR service access", tags=tags,
                                   revoke_rules_on_delete=True)
aws.vpc.SecurityGroupIngressRule("master-livy", security_group_id=master_sg.id, cidr_ipv4=VPC_CIDR,
                                 ip_protocol="tcp", from_port=8998, to_port=8998,
                                 description="Livy from the VPC (notebooks)", tags=tags)

cluster = aws.emr.Cluster("features", release_label="emr-7.2.0", applications=["Spark", "Hadoop", "Livy"],
    service_role=service_role.arn, security_configuration=security.name,
    log_uri=logs.bucket.apply(lambda b: f"s3://{b}/emr/"), log_encryption_kms_key_id=key.arn,
    termination_protection=True, ebs_root_volume_size=64,
    auto_termination_policy={"idle_timeout": 3600},
    ec2_attributes={"subnet_id": PRIVATE_SUBNET, "instance_profile": profile.arn,
                    "emr_managed_master_security_group": master_sg.id,
                    "emr_managed_slave_security_group": core_sg.id,
                    "service_access_security_group": service_sg.id},
    master_instance_group={"instance_type": "m6i.2xlarge"},
    core_instance_group={"instance_type": "r6i.4xlarge", "instance_count": 4,
                         "ebs_configs": [{"size": 500, "type": "gp3", "volumes_per_instance": 1}]},
    configurations_json=json.dumps([
        {"Classification": "spark-defaults", "Properties": {"spark.sql.adaptive.enabled": "true"}},
        {"Classification": "hive-site", "Properties": {
            "hive.metastore.client.factory.class":
                "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory"}}]),
    tags=tags)

pulumi.export("cluster_id", cluster.id)
