"""Resource policies and sharing beyond S3, KMS, SNS/SQS, ECR and model registries (their own
modules): no resource policy lets every AWS account in, and no AMI, database snapshot or endpoint service is public.

Resource policies, by type and input (pulumi-aws 7): Glacier vaults ``accessPolicy``; Secrets
Manager secrets and ``SecretPolicy`` ``policy``; EFS ``FileSystemPolicy``, Backup ``VaultPolicy``,
EventBridge ``EventBusPolicy`` (and the older ``EventPermission``, one statement: ``principal`` ``"*"``
without a ``condition``), Glue ``ResourcePolicy``, S3 access points and
``s3control.AccessPointPolicy`` ``policy``; CodeArtifact ``DomainPermissions`` and
``RepositoryPermissionsPolicy`` ``policyDocument``; Kinesis ``ResourcePolicy``, MSK ``ClusterPolicy``,
Redshift Serverless, OpenSearch Ingestion and Bedrock AgentCore resource policies ``policy``; ACM Private CA
``acmpca.Policy`` ``policy`` (a CA open to ``"*"`` issues certificates, in the organization's name, to anyone); S3 Tables
``TableBucketPolicy`` and ``TablePolicy`` ``resourcePolicy``. A statement allowing ``"*"`` passes only with a
condition that restricts the caller (``condition_restricts_caller``: an organization, account,
source ARN or IP range). OpenSearch domain policies are not judged here: a VPC domain with an open
policy behind security groups and fine-grained access control is AWS's recommended set-up, and a
public domain is ``data-store-not-public``'s finding. API Gateway resource policies are not judged
either: a public API allows ``"*"`` on purpose (``apigateway-authorization`` judges its methods).

Sharing: ``aws.ec2.AmiLaunchPermission`` ``group`` ``all`` makes an image public; RDS
``Snapshot``/``ClusterSnapshot``/``SnapshotCopy`` ``sharedAccounts`` containing ``all`` makes a
snapshot (the database's data) public. Checkov CKV_AWS_167, CKV_AWS_205, CKV_AWS_302. A VPC endpoint service
(PrivateLink) whose ``allowedPrincipals`` holds ``"*"``, or an ``aws.ec2.VpcEndpointServiceAllowedPrinciple`` with
``principalArn`` ``"*"``, lets every AWS account discover it and create an endpoint to it (EC2 API
ModifyVpcEndpointServicePermissions ``AddAllowedPrincipals``: "To grant permissions to all principals, specify an
asterisk (*)"; with ``acceptanceRequired`` false, ``network-connections-require-acceptance``'s finding, they connect
at once).
"""

from __future__ import annotations

import re

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._principals import no_wildcard_principal, parse_policy
from policies.rules._props import as_list, describe, get, is_unknown

#: Type token -> the input holding its resource policy (a JSON document).
POLICY_INPUTS: dict[str, str] = {
    "aws:glacier/vault:Vault": "accessPolicy",
    "aws:secretsmanager/secret:Secret": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
    "aws:backup/vaultPolicy:VaultPolicy": "policy",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
    "aws:glue/resourcePolicy:ResourcePolicy": "policy",
    "aws:s3/accessPoint:AccessPoint": "policy",
    "aws:s3control/accessPointPolicy:AccessPointPolicy": "policy",
    "aws:codeartifact/domainPermissions:DomainPermissions": "policyDocument",
    "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": "policyDocument",
    # Data and ML services (pulumi-aws 7 <module>/*_policy.py): a Kinesis stream's or consumer's, an MSK cluster's,
    # an S3 table bucket's and table's (the training and analytics tables), a Redshift Serverless snapshot's, an
    # OpenSearch Ingestion pipeline's and a Bedrock AgentCore resource's (runtime, gateway, memory) policy.
    "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
    "aws:msk/clusterPolicy:ClusterPolicy": "policy",
    "aws:s3tables/tableBucketPolicy:TableBucketPolicy": "resourcePolicy",
    "aws:s3tables/tablePolicy:TablePolicy": "resourcePolicy",
    "aws:redshiftserverless/resourcePolicy:ResourcePolicy": "policy",
    "aws:opensearchingest/resourcePolicy:ResourcePolicy": "policy",
    "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy": "policy",
    # A private CA's policy (pulumi-aws 7 acmpca/policy.py; ACM PCA PutPolicy): who may issue and read certificates
    # from the CA, across accounts.
    "aws:acmpca/policy:Policy": "policy",
    # pulumi-aws-native (CloudFormation; 1.84): documents as objects, inline on the resource for most.
    "aws-native:secretsmanager:ResourcePolicy": "resourcePolicy",
    "aws-native:efs:FileSystem": "fileSystemPolicy",
    "aws-native:backup:BackupVault": "accessPolicy",
    "aws-native:s3:AccessPoint": "policy",
    "aws-native:codeartifact:Domain": "permissionsPolicyDocument",
    "aws-native:codeartifact:Repository": "permissionsPolicyDocument",
    "aws-native:logs:LogGroup": "resourcePolicyDocument",
}

_VALIDATORS = {
    prop: no_wildcard_principal(
        prop,
        invalid="{resource} has a resource policy that is not valid JSON",
        allowed="{resource}: statement {label} allows any principal ('*') ({actions}) without a condition that "
                "restricts the caller (such as aws:PrincipalOrgID, aws:SourceAccount or aws:SourceArn)",
        unless_restricted=True)
    for prop in set(POLICY_INPUTS.values())
}


#: An event bus permission, one statement of the bus's policy (pulumi-aws 7 cloudwatch/event_permission.py, the form
#: programs used before EventBusPolicy): ``principal`` an account id or ``"*"``, ``condition`` {key
#: aws:PrincipalOrgID, type StringEquals, value}. EventBridge PutPermission: "If you specify "*" without specifying
#: Condition, avoid creating rules that may match undesirable events" (every AWS account may put events on the bus).
EVENT_PERMISSION = "aws:cloudwatch/eventPermission:EventPermission"


def _event_permission(args: ResourceValidationArgs, report: ReportViolation) -> None:
    principal, condition = get(args.props, "principal"), get(args.props, "condition")
    if not (isinstance(principal, str) and principal.strip() == "*") or condition is not None:
        return
    report(f"{describe(args)} lets any AWS account ('*') put events on the event bus "
           f"{get(args.props, 'eventBusName') or 'default'!r} without a condition (aws:PrincipalOrgID) that restricts "
           "the caller")


def _resource_policy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == EVENT_PERMISSION:
        _event_permission(args, report)
        return
    prop = POLICY_INPUTS[args.resource_type]
    if get(args.props, prop) in (None, ""):
        return
    _VALIDATORS[prop](args, report)


resource_policy_no_public_principal = ResourceValidationPolicy(
    name="resource-policy-no-public-principal",
    description="Resource policies of vaults, secrets, file systems, event buses, the Glue catalog, access points, "
                "artifact repositories, Kinesis streams, MSK clusters, S3 tables, ingestion pipelines, AgentCore "
                "resources and private CAs do not let any principal ('*') in unless a condition restricts the caller.",
    validate=applies_to((*POLICY_INPUTS, EVENT_PERMISSION), _resource_policy),
    severity=Severity.CRITICAL,
    remediation_steps="Name the accounts, roles or service principals that need access in the statement's "
                      "Principal, or keep '*' with a condition on aws:PrincipalOrgID / aws:SourceAccount / "
                      "aws:SourceArn; Deny statements may keep '*'.",
    **frameworks({"gdpr": "Art. 5(1)(f), Art. 32", "nist-800-53": "AC-3, AC-22", "pci-dss": "7.2.1",
                  "hipaa": "164.312(a)(1)"}),
)

LAUNCH_PERMISSION = "aws:ec2/amiLaunchPermission:AmiLaunchPermission"
SNAPSHOTS = ("aws:rds/snapshot:Snapshot", "aws:rds/clusterSnapshot:ClusterSnapshot",
             "aws:rds/snapshotCopy:SnapshotCopy")


ENDPOINT_SERVICE = "aws:ec2/vpcEndpointService:VpcEndpointService"
ENDPOINT_SERVICE_PRINCIPAL = "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple"
#: pulumi-aws-native's AWS::EC2::VPCEndpointServicePermissions ``allowedPrincipals``.
NATIVE_ENDPOINT_SERVICE_PERMISSIONS = "aws-native:ec2:VpcEndpointServicePermissions"
#: The account's block public access for EBS snapshots and for AMIs, where the program declares it:
#: ``aws.ebs.SnapshotBlockPublicAccess`` ``state`` (``block-all-sharing``, ``block-new-sharing``, ``unblocked``; AWS
#: Config EBS_SNAPSHOT_BLOCK_PUBLIC_ACCESS is NON_COMPLIANT unless it blocks all public sharing, since
#: ``block-new-sharing`` leaves snapshots already public available), pulumi-aws-native's ``ec2:SnapshotBlockPublicAccess``
#: (the same states but ``unblocked``), and ``aws.ec2.ImageBlockPublicAccess`` ``state`` (``block-new-sharing`` or
#: ``unblocked``: EC2 API EnableImageBlockPublicAccess). Unknown states are not judged; an account without the
#: resource is not judged either (the setting may be the organization's declarative policy).
BLOCK_PUBLIC_ACCESS = {
    "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess": ("EBS snapshots", ("block-all-sharing",)),
    "aws-native:ec2:SnapshotBlockPublicAccess": ("EBS snapshots", ("block-all-sharing",)),
    "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess": ("AMIs", ("block-new-sharing",)),
}


def _public_sharing(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in BLOCK_PUBLIC_ACCESS:
        what, blocking = BLOCK_PUBLIC_ACCESS[args.resource_type]
        state = get(args.props, "state")
        if isinstance(state, str) and not is_unknown(state) and state.strip().lower() not in blocking:
            report(f"{describe(args)} sets the account's block public access for {what} to {state!r}: "
                   f"{what} can be (or stay) shared publicly in this region; use {blocking[0]!r}")
        return
    if args.resource_type in (ENDPOINT_SERVICE, ENDPOINT_SERVICE_PRINCIPAL, NATIVE_ENDPOINT_SERVICE_PERMISSIONS):
        principals = (as_list(get(args.props, "allowedPrincipals")) if args.resource_type != ENDPOINT_SERVICE_PRINCIPAL
                      else [get(args.props, "principalArn")])
        if isinstance(principals, list) and any(isinstance(p, str) and p.strip() == "*" for p in principals):
            report(f"{describe(args)} allows every AWS account ('*') to discover the endpoint service and create an "
                   "endpoint to it; name the consumer accounts or roles")
        return
    if args.resource_type == LAUNCH_PERMISSION:
        group = get(args.props, "group")
        if isinstance(group, str) and not is_unknown(group) and group.lower() == "all":
            report(f"{describe(args)} makes the image public (group 'all'): any AWS account can launch it and read "
                   "what it holds")
        return
    accounts = as_list(get(args.props, "sharedAccounts"))
    if isinstance(accounts, list) and any(isinstance(a, str) and not is_unknown(a) and a.lower() == "all"
                                          for a in accounts):
        report(f"{describe(args)} makes the snapshot public (sharedAccounts 'all'): any AWS account can restore the "
               "database from it")


no_public_images_or_snapshots = ResourceValidationPolicy(
    name="no-public-images-or-snapshots",
    description="AMIs, RDS snapshots and VPC endpoint services are not shared with every AWS account, and the "
                "account's block public access for EBS snapshots and AMIs, where declared, is on.",
    validate=applies_to((LAUNCH_PERMISSION, *SNAPSHOTS, ENDPOINT_SERVICE, ENDPOINT_SERVICE_PRINCIPAL,
                         NATIVE_ENDPOINT_SERVICE_PERMISSIONS, *BLOCK_PUBLIC_ACCESS), _public_sharing),
    severity=Severity.CRITICAL,
    remediation_steps="Share with named accounts (account_id on aws.ec2.AmiLaunchPermission, account ids in "
                      "shared_accounts, arn:aws:iam::<account>:root in an endpoint service's allowed_principals) or "
                      "with the organization (organization_arn), never group='all', 'all' or '*'; set "
                      "aws.ebs.SnapshotBlockPublicAccess state='block-all-sharing' and aws.ec2.ImageBlockPublicAccess "
                      "state='block-new-sharing'.",
    **frameworks({"gdpr": "Art. 5(1)(f), Art. 32", "nist-800-53": "AC-3, AC-21", "pci-dss": "7.2.1",
                  "hipaa": "164.312(a)(1)"}),
)


# --------------------------------------------------------------------------------------------------
# Service principals: the cross-service confused deputy

#: Type token -> the input holding a resource policy a service principal can be named in: the types above, and
#: the bucket and queue policies whose wildcard principals their own modules judge (pulumi-aws 7's separate policy
#: resources and inline ``policy``; pulumi-aws-native's ``policyDocument``). SNS topic policies are not judged: the
#: EventBridge User Guide's topic policy for events.amazonaws.com ("Amazon SNS permissions") names no source, and a
#: service that can publish a notification reads nothing; a bucket (CloudFront, S3 logging) and a queue (an SNS
#: subscription, "aws:SourceArn" in the SNS Developer Guide's queue policy) hold or take in data.
SERVICE_POLICY_INPUTS: dict[str, str] = {
    **POLICY_INPUTS,
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:s3/bucket:Bucket": "policy",
    "aws:s3/bucketV2:BucketV2": "policy",  # pulumi-aws 6's bucket type, still served by 7 (s3/bucket_v2.py)
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sqs/queue:Queue": "policy",
    "aws-native:s3:BucketPolicy": "policyDocument",
    "aws-native:sqs:QueuePolicy": "policyDocument",
}
#: The global condition keys that tie a service's request to the resource or account it acts for (IAM User Guide,
#: "The confused deputy problem" / "Cross-service confused deputy prevention": "We recommend using the
#: aws:SourceArn, aws:SourceAccount, aws:SourceOrgID, or aws:SourceOrgPaths global condition context keys in
#: resource-based policies to limit the permissions that the service gives another service to the resource").
#: aws:SourceOwner is the older SNS and SES key for the source account.
SOURCE_KEYS = frozenset(("aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths",
                         "aws:sourceowner"))
#: Operators under which a source key narrows the request (a negated operator or ``...IfExists`` does not).
_SOURCE_OPERATORS = frozenset(("stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"))


def _names_source(condition: dict) -> bool:
    for operator, block in condition.items():
        operator = str(operator).lower().removeprefix("foranyvalue:")
        if operator not in _SOURCE_OPERATORS or not isinstance(block, dict):
            continue
        for key, values in block.items():
            if str(key).lower() not in SOURCE_KEYS:
                continue
            values = values if isinstance(values, list) else [values]
            if any(is_unknown(value) or (isinstance(value, str) and value.strip("*?:"))
                   for value in values):
                return True
    return False


#: AWS's log delivery writes an account's logs under ``<prefix>/AWSLogs/<account id>/`` (Elastic Load Balancing, CloudTrail,
#: VPC flow logs, Config), and its documented bucket policy for load balancer logs names no condition (ELB User Guide,
#: "Attach a policy to your S3 bucket": Principal logdelivery.elasticloadbalancing.amazonaws.com, Resource
#: ``.../AWSLogs/<aws-account-id>/*``): a statement whose every resource is such a path lets only that account's
#: resources write there, as a source condition would.
_ACCOUNT_LOG_PATH = re.compile(r"^arn:aws[a-z-]*:s3:::[^/]+/(?:.*/)?AWSLogs/\d{12}/")


def _scoped_by_log_path(resources: tuple[str, ...]) -> bool:
    return bool(resources) and all(_ACCOUNT_LOG_PATH.match(resource) for resource in resources)


def _service_principal_scoped(args: ResourceValidationArgs, report: ReportViolation) -> None:
    statements = parse_policy(get(args.props, SERVICE_POLICY_INPUTS[args.resource_type]))
    if not isinstance(statements, list):
        return  # unknown in a preview, absent, or not JSON (resource-policy-no-public-principal reports that)
    for index, statement in enumerate(statements):
        if (not statement.allows or {"Condition", "Resource"} & set(statement.unknown)
                or _names_source(statement.condition) or _scoped_by_log_path(statement.resources)):
            continue
        services = sorted({value for kind, value in statement.principals
                           if kind == "Service" and ".amazonaws.com" in value.lower()})
        if services:
            report(f"{describe(args)}: statement {statement.sid or f'#{index}'} allows {', '.join(services)} "
                   f"({', '.join(statement.actions) or 'no actions'}) with no aws:SourceArn or aws:SourceAccount "
                   "condition: the service acts for any account's resource (a CloudFront distribution, topic, "
                   "trail or bucket of someone else's) against this one")


resource_policy_service_principal_scoped = ResourceValidationPolicy(
    name="resource-policy-service-principal-scoped",
    description="A resource policy (bucket, queue, secret, file system, stream, ...) that allows an AWS "
                "service principal names the source with aws:SourceArn or aws:SourceAccount (the cross-service "
                "confused deputy).",
    validate=applies_to(tuple(SERVICE_POLICY_INPUTS), _service_principal_scoped),
    severity=Severity.HIGH,
    remediation_steps="Add a Condition to the statement: StringEquals aws:SourceArn (the distribution, topic, trail "
                      "or bucket that acts), or aws:SourceAccount (your account) where the source has no ARN, e.g. "
                      "{'StringEquals': {'AWS:SourceArn': distribution.arn}} for a CloudFront origin access control.",
    **frameworks({"nist-800-53": "AC-3, AC-6", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)

SECURITY: list = [resource_policy_service_principal_scoped]
PRIVACY = [resource_policy_no_public_principal, no_public_images_or_snapshots]
COMPLIANCE: list = []
