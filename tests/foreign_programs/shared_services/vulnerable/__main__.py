"""Shared-services account of the landing zone: the multi-region key the ML accounts encrypt with, the
database and API secrets they read, the private CA that issues service certificates, the golden AMI and
patch document shared with the workload accounts, and the account's EBS sharing guardrails."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "platform-security", "cost-center": "sec-3", "environment": "prod",
        "data-classification": "restricted"}
ACCOUNT = aws.get_caller_identity().account_id
ML_PROD = "333333333333"
GOLDEN_AMI = "ami-0123456789abcdef0"

# --- KMS: one multi-region key (the DR stack replicates it to its region) ---------------------------------------------
key_policy = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
     "Resource": "*"},
    {"Sid": "SecretsManagerUse", "Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*",
     "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}}]}
shared_key = aws.kms.Key("shared", description="shared services data key", multi_region=True,
                         enable_key_rotation=False, deletion_window_in_days=7, policy=json.dumps(key_policy), tags=TAGS)
aws.kms.Alias("shared", name="alias/shared-services", target_key_id=shared_key.key_id)
aws.kms.Grant("ml-prod-decrypt", key_id=shared_key.key_id,
              grantee_principal=f"arn:aws:iam::{ML_PROD}:role/ml-inference",
              operations=["Decrypt", "DescribeKey", "CreateGrant"])

# --- Secrets Manager ---------------------------------------------------------------------------------------
db_secret = aws.secretsmanager.Secret("feature-db", name="ml/feature-db", recovery_window_in_days=0, tags=TAGS)
aws.secretsmanager.SecretPolicy("feature-db", secret_arn=db_secret.arn, policy=db_secret.arn.apply(
    lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "secretsmanager:GetSecretValue", "Resource": arn}]})))
api_secret = aws.secretsmanager.Secret("model-api", name="ml/model-api", kms_key_id=shared_key.arn, tags=TAGS)
rotator = aws.lambda_.get_function(function_name="secrets-rotator")
aws.secretsmanager.SecretRotation("model-api", secret_id=api_secret.id, rotation_lambda_arn=rotator.arn,
                                  rotation_rules={"automatically_after_days": 365})

# --- ACM Private CA ----------------------------------------------------------------------------------------
ca = aws.acmpca.CertificateAuthority("services", type="SUBORDINATE", tags=TAGS,
    certificate_authority_configuration={"key_algorithm": "RSA_2048", "signing_algorithm": "SHA256WITHRSA",
                                         "subject": {"common_name": "services.ml.internal", "organization": "Acme"}},
    revocation_configuration={"crl_configuration": {"enabled": False}})
aws.acmpca.Policy("services", resource_arn=ca.arn, policy=ca.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Sid": "IssueFromAnywhere", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["acm-pca:IssueCertificate", "acm-pca:GetCertificate", "acm-pca:DescribeCertificateAuthority"],
        "Resource": arn}]})))

# --- Sharing with the workload accounts ---------------------------------------------------------------------
aws.ec2.AmiLaunchPermission("golden-ami-public", image_id=GOLDEN_AMI, group="all")
aws.ssm.Document("patch-gpu-nodes", document_type="Command", document_format="YAML", tags=TAGS,
    permissions={"type": "Share", "account_ids": "All"},
    content="""schemaVersion: '2.2'
description: Patch GPU nodes
mainSteps:
  - action: aws:runShellScript
    name: patch
    inputs:
      runCommand: ['dnf -y update --security']
""")

# --- Account guardrails ----------------------------------------------------------------------------------------
aws.ebs.EncryptionByDefault("ebs-default", enabled=True)
aws.ebs.DefaultKmsKey("ebs-default-key", key_arn=shared_key.arn)
aws.ebs.SnapshotBlockPublicAccess("snapshots", state="unblocked")
aws.ec2.ImageBlockPublicAccess("images", state="unblocked")

pulumi.export("shared_key_arn", shared_key.arn)
