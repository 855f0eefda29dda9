"""SageMaker Feature Store and model registry, written in the older pulumi-aws style some teams keep:
inline bucket arguments, a role's inline_policies, a separate aws.kms.KeyPolicy, aws.ec2.SecurityGroupRule,
settings from the stack file (Pulumi.prod.yaml)."""
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
ttl_days = cfg.get_int("onlineTtlDays") or 30
account = aws.get_caller_identity().account_id
TAGS = {"owner": "features", "cost-center": "dp-3", "environment": "prod", "data-classification": "confidential"}

key = aws.kms.Key("fs-key", description="feature store", enable_key_rotation=True, tags=TAGS)
aws.kms.KeyPolicy("fs-key-policy", key_id=key.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
     "Resource": "*"},
    {"Sid": "SageMaker", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:role/feature-store"},
     "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"],
     "Resource": "*"}]}))

offline = aws.s3.Bucket(
    "offline-store", tags=TAGS,
    server_side_encryption_configuration={"rule": {
        "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
        "bucket_key_enabled": True}},
    versioning={"enabled": True},
    logging={"target_bucket": "org-central-s3-access-logs", "target_prefix": "offline-store/"},
    opts=pulumi.ResourceOptions(protect=True))
aws.s3.BucketPublicAccessBlock("offline-store-pab", bucket=offline.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketPolicy("offline-store-tls", bucket=offline.id, policy=offline.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                            "Resource": [arn, f"{arn}/*"],
                                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

role = aws.iam.Role("feature-store", name="feature-store", tags=TAGS,
    assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    inline_policies=[aws.iam.RoleInlinePolicyArgs(name="offline-store", policy=pulumi.Output.all(
        offline.arn, key.arn).apply(lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:GetBucketAcl"],
             "Resource": [a[0], f"{a[0]}/*"]},
            {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": a[1]}]})))])

features = [{"feature_name": n, "feature_type": t} for n, t in
            [("customer_id", "String"), ("event_time", "String"), ("tenure_months", "Integral"), ("spend_30d", "Fractional")]]
group = aws.sagemaker.FeatureGroup("customer-features", feature_group_name="customer-features",
    record_identifier_feature_name="customer_id", event_time_feature_name="event_time", role_arn=role.arn,
    feature_definitions=features,
    online_store_config={"enable_online_store": True, "security_config": {"kms_key_id": key.arn},
                         "ttl_duration": {"unit": "Days", "value": ttl_days}},
    offline_store_config={"s3_storage_config": {"s3_uri": offline.bucket.apply(lambda b: f"s3://{b}/offline"),
                                                "kms_key_id": key.arn},
                          "disable_glue_table_creation": False},
    tags=TAGS, opts=pulumi.ResourceOptions(protect=True))

registry = aws.sagemaker.ModelPackageGroup("churn-models", model_package_group_name="churn-models",
                                           model_package_group_description="approved churn models", tags=TAGS,
                                           opts=pulumi.ResourceOptions(protect=True))
aws.sagemaker.ModelPackageGroupPolicy("churn-models-policy", model_package_group_name=registry.model_package_group_name,
    resource_policy=registry.arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "ProdAccountReads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": ["sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"],
        "Resource": [arn, arn.replace(":model-package-group/", ":model-package/") + "/*"]}]})))

# pulumi-aws 7 takes a policy document as data too (iam.RolePolicy.policy: str | PolicyDocumentArgs).
aws.iam.RolePolicy("feature-store-registry", role=role.id, policy={
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["sagemaker:PutRecord", "sagemaker:GetRecord"],
                   "Resource": f"arn:aws:sagemaker:us-east-1:{account}:feature-group/customer-features"}]})

sg = aws.ec2.SecurityGroup("fs-clients", vpc_id="vpc-0abc1234def567890", description="feature store clients", tags=TAGS)
aws.ec2.SecurityGroupRule("fs-clients-https", type="egress", security_group_id=sg.id, protocol="tcp",
                          from_port=443, to_port=443, cidr_blocks=["10.0.0.0/16"], description="vpc endpoints")
pulumi.export("feature_group", group.feature_group_name)
