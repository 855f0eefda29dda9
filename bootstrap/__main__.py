"""The bootstrap program: what must exist before the platform's stacks can be deployed from CI.

- ``mlinfra-pulumi-state``: a ``SecureBucket`` (SSE-KMS, versioned, TLS-only, access-logged) that
  holds Pulumi's state (``pulumi login s3://<stateBucketName>``), with its access-log bucket;
- ``alias/mlinfra-pulumi-state`` and ``alias/mlinfra-pulumi-secrets``: customer-managed keys for the
  bucket and for Pulumi's secrets provider (``--secrets-provider awskms://alias/mlinfra-pulumi-secrets``);
- GitHub Actions' OIDC identity provider and one deploy role per environment, assumable only by a
  job of the repository running in that GitHub deployment environment, capped by a permission boundary;
- a budget for its own spend, with alerts to an encrypted topic (and e-mail).

Run with ``pulumi up -s bootstrap`` from this folder (an administrator, once per account), or
offline with ``mlinfra plan --project bootstrap bootstrap``.
"""

import pulumi
import pulumi_aws as aws

from components.budgets import CostGuardrails, CostGuardrailsArgs
from components.common import Classification
from components.deploy_access import GithubDeployAccess, GithubDeployAccessArgs
from components.encryption import EncryptionKeys, EncryptionKeysArgs, KeySpec, alias_name
from components.storage import AccessLogBucket, AccessLogBucketArgs, SecureBucket, SecureBucketArgs
from mlinfra.config.bootstrap import load_bootstrap_config

cfg = load_bootstrap_config()

aws_provider = aws.Provider("aws", region=cfg.region,
                            default_tags=aws.ProviderDefaultTagsArgs(tags=cfg.resource_tags))
aws_opts = pulumi.ResourceOptions(providers=[aws_provider])

KEYS = "mlinfra-pulumi"
keys = EncryptionKeys(
    KEYS,
    EncryptionKeysArgs(
        keys=[KeySpec("state", Classification.CONFIDENTIAL, description="Pulumi state bucket"),
              KeySpec("secrets", Classification.RESTRICTED, description="Pulumi secrets provider of every stack"),
              KeySpec("budgets", Classification.INTERNAL,
                      service_principals=["budgets.amazonaws.com", "costalerts.amazonaws.com"],
                      description="The bootstrap's budget alerts")],
        deletion_window_days=cfg.key_deletion_window_days, protect=cfg.protect),
    opts=aws_opts,
)

logs = AccessLogBucket("mlinfra-pulumi-state-logs", AccessLogBucketArgs(protect=cfg.protect), opts=aws_opts)
state = SecureBucket(
    "mlinfra-pulumi-state",
    SecureBucketArgs(kms_key=keys.key("state"), classification=Classification.CONFIDENTIAL,
                     access_log_bucket=logs.bucket, bucket_name=cfg.state_bucket_name,
                     # State history is the audit trail of every deployment: keep old versions a year.
                     noncurrent_version_expiration_days=365, protect=cfg.protect),
    opts=aws_opts,
)

access = GithubDeployAccess(
    "mlinfra",
    GithubDeployAccessArgs(repository=cfg.github_repository, environments=cfg.environments,
                           state_bucket=state.bucket, state_key=keys.key("state"),
                           secrets_key=keys.key("secrets"), project=cfg.project, protect=cfg.protect),
    opts=aws_opts,
)

# A budget for the bootstrap's own spend (a bucket and a few keys: a few dollars a month). The
# platform's stacks activate the cost-allocation tags; this one does not, nor does it own the
# account's anomaly monitor.
CostGuardrails(
    "mlinfra-bootstrap-budgets",
    CostGuardrailsArgs(environment="bootstrap", monthly_limit=cfg.monthly_budget_usd, kms_key=keys.key("budgets"),
                       emails=cfg.budget_emails, cost_allocation_tags=(), anomaly_monitor="none"),
    opts=aws_opts,
)

secrets_provider = f"awskms://{alias_name(KEYS, 'secrets')}?region={cfg.region}"
pulumi.export("stateBucket", state.bucket_name)
pulumi.export("loginCommand", f"pulumi login '{cfg.login_url}'")
pulumi.export("secretsProvider", secrets_provider)
pulumi.export("stackInitCommand", f"pulumi stack init <env> --secrets-provider '{secrets_provider}'")
pulumi.export("deployRoleArns", {env: role.arn for env, role in access.roles.items()})
pulumi.export("oidcProviderArn", access.provider.arn)
