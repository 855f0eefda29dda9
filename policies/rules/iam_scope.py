"""IAM grants without constraints, judged against AWS's Service Authorization Reference: no ``*``
action, no action that supports resource-level permissions on every resource, no unconstrained
Write or Permissions-management action, no action that returns credentials, no read of objects,
parameters or secrets on every resource.

These are the checks cloudsplaining runs for Checkov (``checkov/terraform/checks/resource/aws/``:
IAMStarActionPolicyDocument CKV_AWS_63, IAMStarResourcePolicyDocument CKV_AWS_355, IAMWriteAccess
CKV_AWS_290, IAMPermissionsManagement CKV_AWS_289, IAMCredentialsExposure CKV_AWS_287,
IAMDataExfiltration CKV_AWS_288; the analysis in ``cloudsplaining/scan/policy_document.py`` and
``statement_detail.py``), over every identity policy a program declares (``iam.identity_documents``:
policies, role/user/group policies, a role's inline policies, Identity Center inline policies).

How a statement is read (as cloudsplaining reads it, except where said):

- An Allow without a ``Condition`` whose ``Resource`` is ``*`` (or that uses ``NotResource``, which
  grants everything it does not name) grants its actions on every resource. For credentials and
  data reads, so does an ARN pattern that names every resource of a type in any account
  (``arn:aws:iam::*:role/*``: every role of every account can be assumed; ``arn:aws:s3:::*/*``:
  every object read); cloudsplaining only reads ``*``. The general checks (restrictable, Write,
  Permissions management) keep to ``*``, as Checkov does: their account-open patterns are mostly
  one service's idiom, Lambda's ``logs:PutLogEvents`` on ``arn:aws:logs:*:*:*``, and the same grant
  on ``*`` is reported. An ARN of one account or of named resources (``arn:aws:s3:::lake/*``,
  ``...:123456789012:table/*``) is a constraint. Any ``Condition``
  counts as a constraint (cloudsplaining's ``has_condition``); a statement whose Condition,
  Action, NotAction or Resource is known only at deployment is not judged.
- Action patterns (``s3:Put*``, ``s3:*``, ``*``) name the reference's actions they match
  (policy_sentry's ``determine_actions_to_expand``); ``NotAction`` grants every action it does not
  name. "Restrictable" actions are those with a resource type in the reference (policy_sentry's
  ``remove_wildcard_only_actions``); the others only ever work on ``Resource: "*"``.
- A Deny without a Condition on ``Resource: "*"`` removes what it denies, for every check
  (cloudsplaining's ``filter_deny_statements`` removes any Deny's actions, whatever its resource
  or condition, and only for CKV_AWS_355/287/288: a Deny scoped to one bucket, or conditioned on
  encryption headers, leaves the Allow on every other resource in place).
- iam-no-wildcard-resource leaves out metadata reads (the List access level, Read actions named
  ``Describe*``/``List*``; ``is_metadata_read``), which cloudsplaining reports: controllers publish
  them on ``*`` for the resources they discover, and they return no stored data. Its
  ``metadataReads`` setting reports them as Checkov does.
- An action without resource-level permissions (``sts:GetSessionToken``) counts for credentials
  exposure only where the statement's Resource is ``*``: on a specific ARN the Allow never matches
  the call (the request's resource is ``*``), although cloudsplaining flags it anywhere.

Each document is analysed once per process (cached on its text); ``*`` and ``NotAction`` list the
whole reference (about 20,000 actions, read once, about 40 ms).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Sequence

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from catalog.iam_reference import PERMISSIONS_MANAGEMENT, WRITE, Privilege, arn_templates, privileges
from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._principals import Statement, action_matches, is_full_wildcard_action, parse_policy
from policies.rules._props import is_unknown, plain
from policies.rules.iam import IDENTITY_POLICY_TYPES, identity_documents, policy_statements

#: How many actions a message names before "and N more".
SHOWN = 5
_JUDGED = ("Action", "NotAction", "Resource", "NotResource", "Condition")


class Grant(NamedTuple):
    """What one Allow statement grants on every resource without a condition."""

    index: int
    statement: Statement
    #: The reference's actions it grants (after unconditional Denies on every resource), by name.
    privileges: tuple[Privilege, ...]
    #: Granted through an ARN pattern open in the account and the name (``arn:aws:s3:::*``), not ``*``.
    by_pattern: bool = False


def _on_every_resource(statement: Statement) -> bool:
    return "*" in statement.resources or bool(statement.not_resources)


#: Two values no resource name pattern of a program names both of: a pattern matching an ARN template
#: filled in with each leaves the name (and account) open.
_FILLERS = ("q1", "z9")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _wide_patterns(statement: Statement) -> tuple[str, ...]:
    """The statement's Resource entries that are ARN patterns open in the account and the name."""
    return tuple(r for r in statement.resources if r.startswith("arn:") and "*" in r and len(r.split(":", 5)) == 6
                 and r.split(":", 5)[4] in ("", "*"))


@lru_cache(maxsize=8192)
def _names_every(pattern: str, template: str) -> bool:
    """Whether a Resource pattern matches every ARN of a resource type's template, whatever its account and
    names (the partition and the region as the pattern gives them, when it gives them)."""
    if not template:
        return False
    partition, region = pattern.split(":", 5)[1:4:2]
    fixed = {"Partition": partition if "*" not in partition else "aws", "Region": region if "*" not in region else None}
    for filler in _FILLERS:
        arn = _VARIABLE.sub(lambda m: fixed.get(m.group(1)) or filler, template)
        if not action_matches(pattern, arn):
            return False
    return True


def _on_every_resource_of_its_type(privilege: Privilege, patterns: tuple[str, ...]) -> bool:
    # An action without a resource type only matches Resource "*"; the ARN's service need not be the
    # action's (sts:AssumeRole acts on arn:aws:iam::...:role/...).
    return privilege.restrictable and any(_names_every(pattern, template) for template in arn_templates(privilege.name)
                                          for pattern in patterns)


def _expand(statement: Statement) -> set[Privilege]:
    """The reference's actions a statement's Action (or NotAction) names."""
    if statement.actions:
        return {p for pattern in statement.actions for p in privileges(pattern)}
    if statement.not_actions:
        excluded = {p for pattern in statement.not_actions for p in privileges(pattern)}
        return set(privileges("*")) - excluded
    return set()


def _analyse(statements: Sequence[Statement]) -> tuple[Grant, ...]:
    denies = [s for s in statements if s.denies]
    if any(s.unknown for s in denies):
        return ()  # a Deny known only at deployment could remove anything: not judged
    denied: set[str] = set()
    for deny in denies:
        # NotResource denies all but some resources: the Allow still grants those.
        if not deny.condition and "*" in deny.resources:
            denied.update(p.name for p in _expand(deny))
    grants = []
    for index, statement in enumerate(statements):
        if not statement.allows or statement.condition or set(statement.unknown) & set(_JUDGED):
            continue
        by_pattern = False
        if _on_every_resource(statement):
            candidates = _expand(statement)
        elif wide := _wide_patterns(statement):
            candidates, by_pattern = {p for p in _expand(statement) if _on_every_resource_of_its_type(p, wide)}, True
        else:
            continue
        granted = sorted((p for p in candidates if p.name not in denied), key=lambda p: p.name.lower())
        if granted:
            grants.append(Grant(index, statement, tuple(granted), by_pattern))
    return tuple(grants)


@lru_cache(maxsize=1024)
def _analyse_text(document: str) -> tuple[Grant, ...]:
    statements = parse_policy(document)
    return _analyse(statements) if isinstance(statements, list) else ()


def unconstrained_grants(document: Any) -> tuple[Grant, ...]:
    """The Allow statements of an identity policy that grant actions on every resource without a
    Condition, with those actions (see the module docstring); ``()`` for an unknown or invalid document."""
    document = plain(document)
    if is_unknown(document) or document is None:
        return ()
    if not isinstance(document, str):
        try:
            document = json.dumps(document, sort_keys=True, default=str)
        except (TypeError, ValueError):
            return ()
    return _analyse_text(document)


@lru_cache(maxsize=256)
def _matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether an action name matches one of ``patterns`` (IAM wildcards, case-insensitive): names without
    wildcards by set lookup, the others by one regex."""
    exact = frozenset(p.lower() for p in patterns if "*" not in p and "?" not in p)
    wild = [p for p in patterns if "*" in p or "?" in p]
    regex = re.compile("|".join("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in p)
                                for p in wild), re.IGNORECASE) if wild else None
    return lambda name: name.lower() in exact or (regex is not None and regex.fullmatch(name) is not None)


def _patterns(value: Any) -> tuple[str, ...]:
    return tuple(sorted(str(v) for v in value if isinstance(v, str))) if isinstance(value, list) else ()


def _listed(key: str) -> Callable[[Privilege, dict[str, Any]], bool]:
    """A rule's selector: the privileges its configuration lists (IAM wildcards allowed) under ``key``."""
    return lambda privilege, config: _matcher(_patterns(config.get(key)))(privilege.name)


def _label(label: str, grant: Grant) -> str:
    return f"{label.capitalize()} statement {grant.statement.sid or '#' + str(grant.index)}"


def _where(statement: Statement) -> str:
    if "*" in statement.resources:
        return "Resource '*'"
    if statement.not_resources:
        return f"NotResource {', '.join(statement.not_resources)}, which grants every other resource"
    return f"Resource {', '.join(_wide_patterns(statement))}, every resource of its type in any account"


def _how(statement: Statement) -> str:
    """Which Action entries are patterns (or NotAction): a reader sees where the expanded actions come from."""
    if not statement.actions:
        return f" (NotAction {', '.join(statement.not_actions)} grants every other action)"
    if any(is_full_wildcard_action(a) for a in statement.actions):
        return " (Action '*' names every action)"
    patterns = [a for a in statement.actions if "*" in a or "?" in a]
    return f" (from {', '.join(patterns)})" if patterns else ""


def _named(found: Sequence[Privilege]) -> str:
    names = [p.name for p in found]
    shown = ", ".join(names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def _unconstrained_rule(what: str, select: Callable[[Privilege, dict[str, Any]], bool], schema: dict[str, Any],
                        advice: str, *, by_pattern: bool = False) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    """A validate function reporting, per Allow statement, the actions ``select`` keeps among those it
    grants on every resource without a Condition (less the config's ``allowedActions``); with
    ``by_pattern``, also through ARN patterns open in the account and the name."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        config = policy_config(args, schema)
        allowed = _matcher(_patterns(config.get("allowedActions")))
        for label, document in identity_documents(args):
            for grant in unconstrained_grants(document):
                if grant.by_pattern and not by_pattern:
                    continue
                found = [p for p in grant.privileges if select(p, config) and not allowed(p.name)]
                if found:
                    report_violation(f"{_label(label, grant)} allows {len(found)} {what} on every resource "
                                     f"({_where(grant.statement)}) without a Condition{_how(grant.statement)}: "
                                     f"{_named(found)}. {advice}")

    return validate


def _allowed_actions(default: Iterable[str] = (), why: str = "") -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "default": list(default),
            "description": "Actions (IAM wildcards allowed) this rule accepts on every resource" + why + "."}


# --------------------------------------------------------------------------------------------------
# CKV_AWS_63: '*' as an action, whatever the resource


def _validate_wildcard_action(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for label, document in identity_documents(args):
        for index, statement in enumerate(policy_statements(document)):  # parsed once per document text
            if statement.allows and any(is_full_wildcard_action(a) for a in statement.actions):
                where = ("Resource " + ", ".join(statement.resources) if statement.resources else
                         "NotResource " + ", ".join(statement.not_resources) if statement.not_resources else
                         "no resource")
                report_violation(f"{label.capitalize()} statement {statement.sid or '#' + str(index)} allows every "
                                 f"action ('*') on {where}: on the resources it names, that includes deleting them "
                                 "and changing who may use them.")


iam_no_wildcard_action = ResourceValidationPolicy(
    name="iam-no-wildcard-action",
    description="No identity policy allows every action ('*'), even on specific resources.",
    validate=applies_to(IDENTITY_POLICY_TYPES, _validate_wildcard_action),
    severity=Severity.HIGH,
    remediation_steps="List the actions the principal calls (s3:GetObject, s3:PutObject, ...) instead of '*'; a "
                      "service's read or write actions can be named with a prefix pattern (s3:Get*).",
    **frameworks({"cis-aws": "1.16", "nist-800-53": "AC-6", "pci-dss": "7.2.1, 7.2.2", "hipaa": "164.312(a)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)


# --------------------------------------------------------------------------------------------------
# CKV_AWS_355: actions that support resource-level permissions, on every resource

WILDCARD_RESOURCE_SCHEMA = config_schema(
    allowedActions=_allowed_actions(),
    metadataReads={
        "type": "boolean", "default": False,
        "description": "Also report metadata reads (actions of the List access level, Read actions named Describe* "
                       "or List*) on every resource, as Checkov's CKV_AWS_355 does.",
    },
)

#: Read actions by AWS's API naming that return a resource's configuration or an inventory, not its contents:
#: Describe* and List* (``eks:DescribeNodegroup``, ``acm:DescribeCertificate``, ``route53:ListTagsForResource``).
#: Get* reads stay judged: they include the object, item, secret and parameter values (``s3:GetObject``,
#: ``dynamodb:GetItem``, ``secretsmanager:GetSecretValue``).
_METADATA_READ = re.compile(r"^[^:]+:(Describe|List)", re.IGNORECASE)


def is_metadata_read(privilege: Privilege) -> bool:
    """Whether an action only reads metadata: the reference's List access level ("permission to list resources
    within the service to determine whether an object exists"), or a Read action named Describe* or List*.

    Controllers publish such reads on ``Resource: "*"`` because the resources they discover are not known when the
    policy is written (the Cluster Autoscaler's ``eks:DescribeNodegroup`` in the EKS Best Practices Guide's
    least-privilege policy, external-dns's ``route53:ListResourceRecordSets``), as AWS's ViewOnlyAccess policy grants
    ``Describe*`` and ``List*`` on ``*``; what they return is no data a principal could exfiltrate, which
    iam-no-data-exfiltration judges."""
    return privilege.access_level == "List" or (privilege.access_level == "Read"
                                                and _METADATA_READ.match(privilege.name) is not None)


def _wildcard_resource_selects(privilege: Privilege, config: dict[str, Any]) -> bool:
    return privilege.restrictable and (config.get("metadataReads") is True or not is_metadata_read(privilege))


iam_no_wildcard_resource = ResourceValidationPolicy(
    name="iam-no-wildcard-resource",
    description="No identity policy allows, on every resource ('*') and without a Condition, an action that "
                "supports resource-level permissions (AWS Service Authorization Reference), metadata reads "
                "(List, Describe*) aside.",
    validate=applies_to(IDENTITY_POLICY_TYPES, _unconstrained_rule(
        "action(s) that support resource-level permissions", _wildcard_resource_selects,
        WILDCARD_RESOURCE_SCHEMA, "Scope Resource to the ARNs they work on.")),
    config_schema=WILDCARD_RESOURCE_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Name the resources in Resource (the reference lists each action's resource types and ARN "
                      "formats), keep Resource '*' only for actions without resource-level permissions "
                      "(ec2:Describe*, cloudwatch:PutMetricData, ...) in a statement of their own, or add a "
                      "Condition (aws:ResourceTag/..., aws:ResourceAccount) that narrows the resources.",
    **frameworks({"cis-aws": "1.16", "nist-800-53": "AC-6", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)"}),
)


# --------------------------------------------------------------------------------------------------
# CKV_AWS_290 and CKV_AWS_289: Write and Permissions-management actions on every resource

WRITE_SCHEMA = config_schema(allowedActions=_allowed_actions())

iam_no_unscoped_write = ResourceValidationPolicy(
    name="iam-no-unscoped-write",
    description="No identity policy allows Write actions that support resource-level permissions on every "
                "resource ('*') without a Condition.",
    validate=applies_to(IDENTITY_POLICY_TYPES, _unconstrained_rule(
        "Write action(s)", lambda p, config: p.restrictable and p.access_level == WRITE, WRITE_SCHEMA,
        "Scope Resource to the ARNs the principal changes.")),
    config_schema=WRITE_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Scope Resource to the buckets, tables, queues, ... the principal writes to, or add a "
                      "Condition that narrows them (aws:ResourceTag/..., aws:ResourceAccount).",
    **frameworks({"cis-aws": "1.16", "nist-800-53": "AC-6, AC-3", "pci-dss": "7.2.1, 7.2.2",
                  "hipaa": "164.312(a)(1), 164.312(c)(1)", "gdpr": "Art. 32(1)(b)"}),
)

PERMISSIONS_SCHEMA = config_schema(allowedActions=_allowed_actions())

iam_no_unscoped_permissions_management = ResourceValidationPolicy(
    name="iam-no-unscoped-permissions-management",
    description="No identity policy allows Permissions-management actions (policies, grants, sharing) that support "
                "resource-level permissions on every resource ('*') without a Condition.",
    validate=applies_to(IDENTITY_POLICY_TYPES, _unconstrained_rule(
        "Permissions-management action(s)", lambda p, config: p.restrictable and p.access_level == PERMISSIONS_MANAGEMENT,
        PERMISSIONS_SCHEMA, "They change who may use a resource: scope Resource to the ARNs the principal "
                            "administers.")),
    config_schema=PERMISSIONS_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Scope Resource to the roles, keys, buckets, ... whose permissions the principal administers "
                      "(with a permissions boundary for roles it creates), or add a Condition that narrows them.",
    **frameworks({"cis-aws": "1.16", "nist-800-53": "AC-6(1), AC-6(10)", "pci-dss": "7.2.2",
                  "hipaa": "164.312(a)(1)", "gdpr": "Art. 32(1)(b)"}),
)


# --------------------------------------------------------------------------------------------------
# CKV_AWS_287: actions whose response carries credentials

#: API calls that return credentials: cloudsplaining's ACTIONS_THAT_RETURN_CREDENTIALS
#: (cloudsplaining/shared/constants.py, from gist.github.com/kmcquade/33860a617e651104d243c324ddf7992a),
#: spelled as the Service Authorization Reference spells them; its "gamelist:" entries are read as the
#: GameLift actions they name.
CREDENTIAL_ACTIONS: tuple[str, ...] = (
    "airflow:CreateCliToken", "airflow:CreateWebLoginToken", "appsync:CreateApiKey", "chime:CreateApiKey",
    "cloud9:CreateEnvironmentToken", "codeartifact:GetAuthorizationToken", "codepipeline:PollForJobs",
    "cognito-identity:GetOpenIdToken", "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
    "cognito-identity:GetCredentialsForIdentity", "cognito-idp:GetSigningCertificate",
    "connect:GetFederationToken", "connect:GetFederationTokens", "ec2:GetPasswordData",
    "ecr:GetAuthorizationToken", "ecr-public:GetAuthorizationToken",
    "emr-containers:GetManagedEndpointSessionCredentials", "finspace-api:GetProgrammaticAccessCredentials",
    "gamelift:RequestUploadCredentials", "gamelift:GetInstanceAccess", "gamelift:GetComputeAccess",
    "gamelift:GetComputeAuthToken", "grafana:CreateWorkspaceApiKey", "iam:CreateAccessKey",
    "iam:CreateLoginProfile", "iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential",
    "iam:UpdateAccessKey", "license-manager:GetAccessToken", "lightsail:GetInstanceAccessDetails",
    "lightsail:DownloadDefaultKeyPair", "lightsail:CreateBucketAccessKey",
    "lightsail:GetRelationalDatabaseMasterUserPassword", "mediapackage:RotateChannelCredentials",
    "mediapackage:RotateIngestEndpointCredentials", "rds-db:connect", "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM", "redshift-serverless:GetCredentials", "sso:GetRoleCredentials",
    "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:GetFederationToken",
    "sts:GetSessionToken",
)

CREDENTIALS_SCHEMA = config_schema(
    credentialActions={
        "type": "array", "items": {"type": "string"}, "default": list(CREDENTIAL_ACTIONS),
        "description": "Actions whose response carries credentials, keys, tokens or passwords.",
    },
    # Checkov's CKV_AWS_287 leaves ecr:GetAuthorizationToken out: every image pull needs it and it has no
    # resource-level permissions (the token works only with the ecr:BatchGetImage the principal holds).
    allowedActions=_allowed_actions(["ecr:GetAuthorizationToken"], " (ecr:GetAuthorizationToken: every image pull "
                                                                   "needs it, and it works on '*' only)"),
)


iam_no_credentials_exposure = ResourceValidationPolicy(
    name="iam-no-credentials-exposure",
    description="No identity policy allows, on every resource and without a Condition, an action whose response "
                "carries credentials (sts:AssumeRole, iam:CreateAccessKey, redshift:GetClusterCredentials, ...).",
    validate=applies_to(IDENTITY_POLICY_TYPES, _unconstrained_rule(
        "action(s) that return credentials", _listed("credentialActions"), CREDENTIALS_SCHEMA,
        "Name the roles, users, clusters or databases in Resource.", by_pattern=True)),
    config_schema=CREDENTIALS_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Scope Resource to the roles the principal assumes, the users whose keys it manages, the "
                      "clusters and database users it connects as; where an action has no resource-level "
                      "permissions, add a Condition (aws:RequestedRegion, aws:SourceVpc) or drop the action.",
    **frameworks({"nist-800-53": "AC-6, IA-5", "cis-aws": "1.16", "pci-dss": "7.2.2, 8.3.2",
                  "hipaa": "164.312(a)(1), 164.312(d)", "gdpr": "Art. 32(1)(b)"}),
)


# --------------------------------------------------------------------------------------------------
# CKV_AWS_288: reads of objects, parameters and secrets on every resource

#: cloudsplaining's READ_ONLY_DATA_EXFILTRATION_ACTIONS (cloudsplaining/shared/constants.py).
EXFILTRATION_ACTIONS: tuple[str, ...] = ("s3:GetObject", "ssm:GetParameter", "ssm:GetParameters",
                                         "ssm:GetParametersByPath", "secretsmanager:GetSecretValue")

EXFILTRATION_SCHEMA = config_schema(
    exfiltrationActions={
        "type": "array", "items": {"type": "string"}, "default": list(EXFILTRATION_ACTIONS),
        "description": "Read actions that return stored data (objects, parameters, secrets) and must name the "
                       "resources they read.",
    },
)


iam_no_data_exfiltration = ResourceValidationPolicy(
    name="iam-no-data-exfiltration",
    description="No identity policy allows reading every object, parameter or secret (s3:GetObject, "
                "ssm:GetParameter*, secretsmanager:GetSecretValue on '*') without a Condition.",
    validate=applies_to(IDENTITY_POLICY_TYPES, _unconstrained_rule(
        "data read action(s)", _listed("exfiltrationActions"), EXFILTRATION_SCHEMA,
        "Name the buckets (arn:aws:s3:::bucket/prefix/*), parameter paths and secrets it reads.", by_pattern=True)),
    config_schema=EXFILTRATION_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Scope Resource to the objects, parameters and secrets the principal reads, e.g. "
                      "arn:aws:s3:::<bucket>/<prefix>/*, arn:aws:ssm:<region>:<account>:parameter/<app>/*, the "
                      "secret's ARN.",
    **frameworks({"nist-800-53": "AC-6, AC-3", "cis-aws": "1.16", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)",
                  "gdpr": "Art. 5(1)(f), Art. 32(1)(b)"}),
)


SECURITY = [iam_no_wildcard_action, iam_no_wildcard_resource, iam_no_unscoped_write,
            iam_no_unscoped_permissions_management, iam_no_credentials_exposure, iam_no_data_exfiltration]
PRIVACY: list = []
COMPLIANCE: list = []
