"""CI deploy access: GitHub Actions' OIDC identity provider and one deploy role per environment.

``GithubDeployAccess`` creates the IAM OpenID Connect provider for
``token.actions.githubusercontent.com`` (audience ``sts.amazonaws.com``), a permission boundary,
and for every environment a role that only a workflow job of the named repository running in
that GitHub deployment environment can assume (``sub`` = ``repo:<owner>/<repo>:environment:<env>``).
No role trusts a branch, a pull request or another repository, and no access keys exist.

The role's own policy lets it deploy its environment's resources (compute, networking and
monitoring services in full, in its own region; data services, KMS and IAM only on this account's resources named
``<env>-...``, see ``platform_statements``) and use the Pulumi state of its own environment only (``.pulumi/{stacks,history,backups,locks}/<project>/<env>`` in the state bucket,
the layout of Pulumi's DIY backend) with the state and secrets keys. The boundary caps every
deploy role: the same statements for all environments, minus any change to the bootstrap itself (the OIDC provider, the
boundary, the deploy roles, the state bucket's policy and the bootstrap keys), minus IAM users and
access keys, minus attaching ``AdministratorAccess``, and without ``sts:AssumeRole`` (a role the
deploy role creates cannot be used to climb out of the boundary).

Sources: GitHub's OIDC token claims (``sub`` for a job with an ``environment:`` is
``repo:ORG/REPO:environment:NAME``, ``aud`` defaults to ``sts.amazonaws.com`` for
aws-actions/configure-aws-credentials); the pulumi-aws ``iam.OpenIdConnectProvider`` doc: for
GitHub, AWS validates the certificate with its own trusted CAs, so no thumbprint is configured
(botocore ``iam`` model: ``CreateOpenIDConnectProviderRequest.ThumbprintList`` is optional).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.common import child_opts

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_URL = f"https://{GITHUB_OIDC_HOST}"
STS_AUDIENCE = "sts.amazonaws.com"

#: Services whose every action (``<service>:*``) a deploy role may use on every resource: compute,
#: networking, scaling, monitoring and cost management, which hold no data. Data services are
#: scoped (below).
DEFAULT_SERVICES = ("application-autoscaling", "autoscaling", "budgets", "ce", "cloudwatch", "ec2", "eks",
                    "elasticloadbalancing", "events", "logs")

#: Services whose API is global (one endpoint; their ARNs carry no region): Budgets and Cost Explorer.
GLOBAL_SERVICES = frozenset({"budgets", "ce"})

#: What needs ``Resource: "*"``: the action has no resource type in the Service Authorization
#: Reference (creating keys, listing, ECR's token, Cost Explorer's monitors, subscriptions and
#: cost-allocation tags, Cloud Control's resource calls), so no ARN can scope it.
#: Cloud Control (the aws-native provider's API: model-quality job definitions) makes the service
#: calls with the caller's own credentials, so ``sagemaker:*`` stays scoped by the statements below.
UNSCOPED_ACTIONS = (
    "ecr:GetAuthorizationToken", "kms:CreateKey", "kms:ListAliases", "kms:ListKeys", "s3:ListAllMyBuckets",
    "sagemaker:Search", "sns:ListTopics", "sqs:ListQueues", "athena:ListWorkGroups", "sts:GetCallerIdentity",
    "ce:CreateAnomalyMonitor", "ce:CreateAnomalySubscription", "ce:ListCostAllocationTags",
    "ce:UpdateCostAllocationTagsStatus",
    "cloudformation:CreateResource", "cloudformation:GetResource", "cloudformation:UpdateResource",
    "cloudformation:DeleteResource", "cloudformation:GetResourceRequestStatus", "cloudformation:ListResources",
)
#: Reads of this region's SageMaker resources, most of which (the List calls of each resource kind)
#: have no resource type either: on every resource, in the deploy role's own region only.
REGIONAL_READS = ("sagemaker:List*",)


def platform_statements(prefixes: Sequence[str], *, account_id: str, region: str, partition: str = "aws",
                        services: Sequence[str] = DEFAULT_SERVICES) -> list[dict[str, Any]]:
    """What deploying the stacks whose resources are named ``<prefix>-...`` needs.

    Data services (S3, KMS, SageMaker, ECR, SNS, SQS, Glue, Athena) and IAM are scoped to this
    account and region and, where the ARN carries the name, to the environments' name prefixes (the
    stacks name every bucket, role, endpoint, repository, topic and queue ``<env>-...``), so no
    statement allows a data service's every action, or a privilege-escalation action, on every
    resource; ``iam:PassRole`` reaches only the environments' own roles.
    """
    arn = f"arn:{partition}"
    regional = f"{region}:{account_id}"
    named = lambda service, kind="": [f"{arn}:{service}:{regional}:{kind}{p}-*" for p in prefixes]  # noqa: E731
    in_region = {"StringEquals": {"aws:RequestedRegion": region}}
    local = [s for s in services if s not in GLOBAL_SERVICES]
    global_ = [s for s in services if s in GLOBAL_SERVICES]
    # Creating a VPC, subnets, instances, clusters or load balancers acts on resources whose ids AWS
    # assigns at creation (arn:...:ec2:<region>:<account>:vpc/${VpcId}), and their Describe calls have
    # no resource type at all (Service Authorization Reference): no ARN list can name them up front.
    # The grant is pinned to the role's region instead (aws:RequestedRegion is in every request's
    # context, IAM User Guide, "AWS global condition context keys"): nothing runs in another region.
    statements: list[dict[str, Any]] = [{"Sid": "ComputeNetworkAndMonitoring", "Effect": "Allow",
                                         "Action": [*(f"{s}:*" for s in local), *REGIONAL_READS], "Resource": "*",
                                         "Condition": in_region}]
    if global_:
        # Budgets and cost categories have account ARNs without a region (arn:aws:budgets::<account>:budget/...).
        statements.append({"Sid": "AccountCostManagement", "Effect": "Allow", "Action": [f"{s}:*" for s in global_],
                           "Resource": [f"{arn}:{s}::{account_id}:*" for s in global_]})
    return [
        *statements,
        {"Sid": "ReadAndCreateUnscoped", "Effect": "Allow", "Action": list(UNSCOPED_ACTIONS), "Resource": "*"},
        # IAM's reads of this account's roles, policies and instance profiles, and of AWS-managed policies
        # (arn:aws:iam::aws:policy/...); ECR's of this account's repositories (Glue's: AccountCatalogAndWorkgroups).
        # One statement: the boundary repeats it and must stay under IAM's 6,144 characters.
        {"Sid": "AccountReads", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "ecr:DescribeRepositories"],
         "Resource": [f"{arn}:iam::{account_id}:*", f"{arn}:iam::aws:policy/*", f"{arn}:ecr:{regional}:repository/*"]},
        {"Sid": "EnvironmentBuckets", "Effect": "Allow", "Action": "s3:*",
         "Resource": [f"{arn}:s3:::{p}-*" for p in prefixes]},
        {"Sid": "AccountKeys", "Effect": "Allow", "Action": "kms:*",
         "Resource": [f"{arn}:kms:{regional}:key/*", *named("kms", "alias/")]},
        {"Sid": "EnvironmentSageMaker", "Effect": "Allow", "Action": "sagemaker:*",
         "Resource": [f"{arn}:sagemaker:{regional}:*/{p}-*" for p in prefixes]},
        {"Sid": "EnvironmentRepositoriesTopicsQueues", "Effect": "Allow",
         "Action": ["ecr:*", "sns:*", "sqs:*"],
         "Resource": [*named("ecr", "repository/"), *named("sns"), *named("sqs")]},
        {"Sid": "AccountCatalogAndWorkgroups", "Effect": "Allow", "Action": ["glue:*", "athena:*"],
         "Resource": [f"{arn}:glue:{regional}:*", f"{arn}:athena:{regional}:workgroup/*"]},
        {"Sid": "PublicParameters", "Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters"],
         "Resource": f"{arn}:ssm:{region}::parameter/aws/service/*"},
        {"Sid": "EnvironmentIdentities", "Effect": "Allow", "Action": "iam:*",
         "Resource": [*(f"{arn}:iam::{account_id}:{kind}/{p}-*" for kind in ("role", "policy", "instance-profile")
                        for p in prefixes),
                      f"{arn}:iam::{account_id}:oidc-provider/oidc.eks.{region}.amazonaws.com/*"]},
        {"Sid": "ServiceLinkedRoles", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
         "Resource": f"{arn}:iam::{account_id}:role/aws-service-role/*"},
    ]


_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_ENVIRONMENT = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_SERVICE = re.compile(r"^[a-z0-9-]+$")

#: The Pulumi DIY backend's per-stack folders (project-scoped layout, ``.pulumi/<folder>/<project>/<stack>``).
STATE_FOLDERS = ("stacks", "history", "backups", "locks")


def github_subject(repository: str, environment: str) -> str:
    """The ``sub`` claim of a job of ``repository`` that runs in GitHub deployment environment ``environment``."""
    return f"repo:{repository}:environment:{environment}"


def validate_access(repository: str, environments: Sequence[str], services: Sequence[str]) -> None:
    """Raise ``ValueError`` for a malformed ``owner/repo``, no or bad environment names, or a bad service."""
    if not _REPOSITORY.match(repository):
        raise ValueError(f"repository {repository!r} is invalid: give it as owner/name (e.g. example-org/mlinfra)")
    if not environments:
        raise ValueError("give at least one environment to create a deploy role for")
    for env in environments:
        if not _ENVIRONMENT.match(env):
            raise ValueError(f"environment {env!r} is invalid: letters, digits, '-', '_' and '.', at most 64")
    if len(set(environments)) != len(environments):
        raise ValueError(f"environments {list(environments)} name one more than once")
    for service in services:
        if not _SERVICE.match(service):
            raise ValueError(f"service {service!r} is invalid: an IAM service prefix such as ec2 (no wildcards)")


def trust_policy(provider_arn: str, repository: str, environment: str) -> dict[str, Any]:
    """Only GitHub's OIDC tokens for ``repository``'s jobs in ``environment``, for audience STS."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "GithubActionsEnvironment",
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                f"{GITHUB_OIDC_HOST}:aud": STS_AUDIENCE,
                f"{GITHUB_OIDC_HOST}:sub": github_subject(repository, environment),
            }},
        }],
    }


def state_object_arns(bucket_arn: str, project: str, environment: str) -> list[str]:
    """The state bucket objects of one stack: its checkpoint, history, backups and lock."""
    return [f"{bucket_arn}/.pulumi/stacks/{project}/{environment}.json*"] + [
        f"{bucket_arn}/.pulumi/{folder}/{project}/{environment}/*" for folder in STATE_FOLDERS[1:]
    ]


def deploy_policy(*, environment: str, environments: Sequence[str], project: str, state_bucket_arn: str,
                  state_key_arn: str, secrets_key_arn: str, account_id: str, region: str, partition: str = "aws",
                  services: Sequence[str] = DEFAULT_SERVICES) -> dict[str, Any]:
    """The deploy role's own policy: its environment's resources, and its own environment's state only."""
    others = [arn for env in environments if env != environment
              for arn in state_object_arns(state_bucket_arn, project, env)]
    statements: list[dict[str, Any]] = [
        *platform_statements([environment], account_id=account_id, region=region, partition=partition,
                             services=services),
        {"Sid": "ListState", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
         "Resource": state_bucket_arn},
        {"Sid": "ReadBackendMeta", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": f"{state_bucket_arn}/.pulumi/meta.yaml"},
        {"Sid": "OwnState", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
         "Resource": state_object_arns(state_bucket_arn, project, environment)},
        {"Sid": "StateAndSecretsKeys", "Effect": "Allow",
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
         "Resource": [state_key_arn, secrets_key_arn]},
    ]
    if others:
        statements.append({"Sid": "NotOtherEnvironmentsState", "Effect": "Deny", "Action": "s3:*",
                           "Resource": others})
    return {"Version": "2012-10-17", "Statement": statements}


def boundary_policy(*, environments: Sequence[str], state_bucket_arn: str, key_arns: Sequence[str],
                    oidc_provider_arn: str, deploy_role_arn_pattern: str, boundary_arn: str, account_id: str,
                    region: str, partition: str = "aws", services: Sequence[str] = DEFAULT_SERVICES) -> dict[str, Any]:
    """The permission boundary of every deploy role (see the module docstring)."""
    state = [{"Sid": "State", "Effect": "Allow",
              "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
              "Resource": [state_bucket_arn, f"{state_bucket_arn}/.pulumi/*"]},
             {"Sid": "StateAndSecretsKeys", "Effect": "Allow",
              "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
              "Resource": list(key_arns)}]
    return {
        "Version": "2012-10-17",
        "Statement": [
            *platform_statements(environments, account_id=account_id, region=region, partition=partition,
                                 services=services),
            *state,
            {"Sid": "NoChangeToTheBootstrapIdentity", "Effect": "Deny",
             "Action": ["iam:*OpenIDConnectProvider*", "iam:CreatePolicyVersion", "iam:DeletePolicy",
                        "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
             "Resource": [oidc_provider_arn, boundary_arn]},
            {"Sid": "NoChangeToTheDeployRoles", "Effect": "Deny",
             "Action": ["iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary",
                        "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary",
                        "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"],
             "Resource": deploy_role_arn_pattern},
            {"Sid": "NoLongLivedCredentials", "Effect": "Deny",
             "Action": ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile",
                        "iam:CreateServiceSpecificCredential"],
             "Resource": "*"},
            {"Sid": "NoAdministratorAccess", "Effect": "Deny",
             "Action": ["iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy"],
             "Resource": "*",
             "Condition": {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}}},
            {"Sid": "NoChangeToTheStateBucket", "Effect": "Deny",
             "Action": ["s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:PutBucketAcl",
                        "s3:PutBucketPublicAccessBlock", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
                        "s3:PutLifecycleConfiguration", "s3:PutBucketOwnershipControls"],
             "Resource": state_bucket_arn},
            {"Sid": "NoChangeToTheBootstrapKeys", "Effect": "Deny",
             "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy",
                        "kms:CreateGrant", "kms:RevokeGrant"],
             "Resource": list(key_arns)},
        ],
    }


@dataclass
class GithubDeployAccessArgs:
    """Deploy access for one repository. Defaults: the platform's services, 1-hour sessions, not protected."""

    #: ``owner/name`` of the GitHub repository whose workflows deploy.
    repository: str
    #: One deploy role per environment (each a GitHub deployment environment and a Pulumi stack).
    environments: Sequence[str]
    #: The bucket holding Pulumi's state (``pulumi login s3://...``).
    state_bucket: aws.s3.Bucket
    #: The key the state bucket is encrypted with.
    state_key: aws.kms.Key
    #: The key of Pulumi's secrets provider (``--secrets-provider awskms://...``).
    secrets_key: aws.kms.Key
    #: The Pulumi project whose stacks the roles deploy (the state folder name).
    project: str = "mlinfra"
    services: Sequence[str] = DEFAULT_SERVICES
    #: Longest session a job gets (IAM allows 3600 to 43200 seconds).
    max_session_seconds: int = 3600
    #: Protect the OIDC provider, the boundary and the roles from deletion by Pulumi.
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_access(self.repository, self.environments, self.services)
        if not 3600 <= self.max_session_seconds <= 43200:
            raise ValueError(f"max_session_seconds={self.max_session_seconds} is invalid: IAM allows 3600 to 43200")


class GithubDeployAccess(pulumi.ComponentResource):
    """GitHub Actions' OIDC provider, a permission boundary and one boundary-capped deploy role per environment."""

    provider: aws.iam.OpenIdConnectProvider
    boundary: aws.iam.Policy
    roles: dict[str, aws.iam.Role]

    def __init__(self, name: str, args: GithubDeployAccessArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("mlinfra:deploy_access:GithubDeployAccess", name, None, opts)
        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke_opts).account_id
        partition = aws.get_partition_output(opts=invoke_opts).partition
        region = aws.get_region_output(opts=invoke_opts).region

        self.provider = aws.iam.OpenIdConnectProvider(
            f"{name}-github", url=GITHUB_OIDC_URL, client_id_lists=[STS_AUDIENCE], tags=dict(args.tags),
            opts=child_opts(self, protect=args.protect))
        role_prefix = f"{name}-deploy-"
        boundary_name = f"{name}-deploy-boundary"
        key_arns = pulumi.Output.all(args.state_key.arn, args.secrets_key.arn)
        self.boundary = aws.iam.Policy(
            boundary_name, name=boundary_name,
            description="Permission boundary of the CI deploy roles: platform services, no change to the bootstrap",
            policy=pulumi.Output.all(account_id, partition, args.state_bucket.arn, key_arns,
                                     self.provider.arn, region).apply(
                lambda v: json.dumps(boundary_policy(
                    environments=args.environments, services=args.services, state_bucket_arn=v[2], key_arns=v[3],
                    oidc_provider_arn=v[4], deploy_role_arn_pattern=f"arn:{v[1]}:iam::{v[0]}:role/{role_prefix}*",
                    boundary_arn=f"arn:{v[1]}:iam::{v[0]}:policy/{boundary_name}", account_id=v[0], region=v[5],
                    partition=v[1]))),
            tags=dict(args.tags), opts=child_opts(self, protect=args.protect))

        self.roles = {}
        for env in args.environments:
            role = aws.iam.Role(
                f"{role_prefix}{env}", name=f"{role_prefix}{env}",
                description=f"Deploys stack {env} from GitHub Actions environment {env} of {args.repository}",
                assume_role_policy=self.provider.arn.apply(
                    lambda arn, env=env: json.dumps(trust_policy(arn, args.repository, env))),
                permissions_boundary=self.boundary.arn, max_session_duration=args.max_session_seconds,
                tags={**args.tags, "deploys": env}, opts=child_opts(self, protect=args.protect))
            aws.iam.RolePolicy(
                f"{role_prefix}{env}-policy", role=role.id,
                policy=pulumi.Output.all(args.state_bucket.arn, args.state_key.arn, args.secrets_key.arn,
                                         account_id, region, partition).apply(
                    lambda v, env=env: json.dumps(deploy_policy(
                        environment=env, environments=args.environments, project=args.project,
                        state_bucket_arn=v[0], state_key_arn=v[1], secrets_key_arn=v[2], account_id=v[3],
                        region=v[4], partition=v[5], services=args.services))),
                opts=child_opts(self))
            self.roles[env] = role

        self.register_outputs({"providerArn": self.provider.arn, "boundaryArn": self.boundary.arn,
                               "roleArns": {env: role.arn for env, role in self.roles.items()}})
