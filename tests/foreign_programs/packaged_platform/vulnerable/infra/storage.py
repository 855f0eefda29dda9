from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws


@dataclass
class DatasetBucketArgs:
    kms_key_arn: pulumi.Input[str]
    log_bucket: Optional[pulumi.Input[str]] = None
    versioned: bool = True


class DatasetBucket(pulumi.ComponentResource):
    """A bucket with its settings as separate resources, each built from typed *Args objects."""

    def __init__(self, name: str, args: DatasetBucketArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("vision:storage:DatasetBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.BucketV2(name, aws.s3.BucketV2Args(force_destroy=False), opts=child)
        aws.s3.BucketPublicAccessBlock(f"{name}-pab", aws.s3.BucketPublicAccessBlockArgs(
            bucket=self.bucket.id, block_public_acls=True, block_public_policy=False,
            ignore_public_acls=True, restrict_public_buckets=False), opts=child)
        aws.s3.BucketOwnershipControls(f"{name}-owner", aws.s3.BucketOwnershipControlsArgs(
            bucket=self.bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced")), opts=child)
        aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-sse", aws.s3.BucketServerSideEncryptionConfigurationInitArgs(
            bucket=self.bucket.id,
            rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="AES256"),
                bucket_key_enabled=True)]), opts=child)
        if args.versioned:
            aws.s3.BucketVersioning(f"{name}-versioning", aws.s3.BucketVersioningInitArgs(
                bucket=self.bucket.id,
                versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled")),
                opts=child)
        if args.log_bucket is not None:
            aws.s3.BucketLogging(f"{name}-logging", aws.s3.BucketLoggingInitArgs(
                bucket=self.bucket.id, target_bucket=args.log_bucket, target_prefix=f"{name}/"), opts=child)
        tls_only = aws.iam.get_policy_document_output(statements=[aws.iam.GetPolicyDocumentStatementArgs(
            sid="DenyInsecureTransport", effect="Deny", actions=["s3:*"],
            principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])],
            resources=[self.bucket.arn, pulumi.Output.concat(self.bucket.arn, "/*")],
            conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
                test="Bool", variable="aws:SecureTransport", values=["false"])])])
        aws.s3.BucketPolicy(f"{name}-policy", bucket=self.bucket.id, policy=tls_only.json, opts=child)
        self.register_outputs({"bucket_name": self.bucket.bucket, "bucket_arn": self.bucket.arn})
