"""Database engines' own settings: parameter groups do not turn TLS off, and OpenSearch domains use
fine-grained access control.

Parameter groups (pulumi-aws 7 ``parameters``: a list of ``{name, value, applyMethod}``) are judged
on what they set, one row per type: RDS and Aurora ``rds.force_ssl`` (PostgreSQL, SQL Server:
``0`` lets clients connect without TLS) and ``require_secure_transport`` (MySQL, MariaDB: ``0``/``OFF``);
DocumentDB ``tls`` ``disabled``; Redshift ``require_ssl`` ``false`` (and a Redshift Serverless workgroup's
``configParameters`` ``require_ssl``). A group that leaves the parameter
out keeps the engine family's default, which AWS has been moving to TLS-required (PostgreSQL 15+
``rds.force_ssl=1``, Redshift's default parameter group since 2025), so only an explicit "off" is
a violation. Checkov CKV2_AWS_69, CKV_AWS_90, CKV_AWS_105.

A database given a master password (RDS, Aurora, DocumentDB, Redshift, Redshift Serverless) has Secrets Manager
manage it instead (``MASTER_PASSWORDS``): a password the program passes lives in its configuration and is never
rotated. cdk-nag AwsSolutions-DOC3 asks it of DocumentDB.

OpenSearch and Elasticsearch domains: ``advancedSecurityOptions.enabled`` (fine-grained access
control: users, roles and document/field-level security; default false). Checkov CKV2_AWS_52. With it,
``anonymousAuthEnabled`` is not true: it opens "a 30-day migration period" in which requests without credentials
are let in as the anonymous user (botocore opensearch ``AdvancedSecurityOptionsInput.AnonymousAuthEnabled``).

DMS endpoints of database engines (``aws.dms.Endpoint`` ``engineName``) set ``sslMode`` other than
``none`` (the provider's default is ``none``). Checkov CKV2_AWS_49.

Caches authenticate their clients: ElastiCache replication groups (Redis and Valkey) set
``authToken`` (or the write-only ``authTokenWo``, recorded by ``authTokenWoVersion``) or
``userGroupIds``; MemoryDB clusters name an ``aclName`` other than ``open-access``. Checkov CKV_AWS_31.
RBAC authenticates only if its users do: an ``aws.elasticache.User`` that is enabled (its access string's last
``on``/``off`` is ``on``; neither is ``off``) needs a password or IAM (not ``noPasswordRequired``, not
``authenticationMode.type`` ``no-password-required``: "Specifies the authentication type. Possible options are:
`password`, `no-password-required` or `iam`", pulumi-aws 7 elasticache/_inputs.py); and an
``aws.elasticache.UserGroup`` does not list the user id ``default``, the user ElastiCache creates in every
account with "an access string that permits it to call all commands and access all keys" and no password,
"intended for compatibility with the default behavior of previous Redis OSS versions"; the guide's advice is to
"replace this default user with a new one that is disabled or uses a strong password" (a user of user name
``default`` and another user id; ElastiCache User Guide, "Role-Based Access Control (RBAC)", "Applying RBAC to a
cache").
Kafka clusters authenticate theirs (``msk-client-authentication``): an MSK cluster's ``clientAuthentication``
turns on IAM (``sasl.iam``), SCRAM (``sasl.scram``) or mutual TLS (``tls.certificateAuthorityArns``) and not
``unauthenticated``. Without the block no client authentication is configured and the brokers admit any client
that reaches them ("Details for allowing no client authentication", botocore kafka ``Unauthenticated``; IAM and
SCRAM "Defaults to `false`", pulumi-aws 7 msk/_inputs.py ``ClusterClientAuthenticationSasl``).

RDS instances and clusters that name a CA (``caCertIdentifier``, ``caCertificateIdentifier``) name a
current one; absent, a new database gets the region's default, a current one. Checkov CKV_AWS_211 (its
allowed values). Redshift clusters and Redshift Serverless workgroups set ``enhancedVpcRouting`` (default false;
for a workgroup it "forces Amazon Redshift Serverless to route traffic through your VPC instead of over the
internet", botocore redshift-serverless ``CreateWorkgroupRequest``; AWS Config's
REDSHIFT_SERVERLESS_WORKGROUP_ROUTES_WITHIN_VPC). Checkov CKV_AWS_321.
PostgreSQL engines pinned to a version with the log_fdw local file read (PostgreSQL before
13.3, 12.7, 11.12, 10.17, 9.6.22; Aurora PostgreSQL before 11.9, 10.14) are a violation. Checkov
CKV_AWS_250 and CKV_AWS_388 (its Aurora versions on ``aws.rds.Instance``; an Aurora instance's version is
its cluster's, judged on the cluster).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._principals import first_set
from policies.rules._props import UNKNOWN, as_bool, as_list, describe, get, is_unknown, single

#: Parameter group type -> {parameter name: values that turn TLS off (lower case)}.
TLS_OFF: dict[str, dict[str, tuple[str, ...]]] = {
    "aws:rds/parameterGroup:ParameterGroup": {"rds.force_ssl": ("0", "false", "off"),
                                              "require_secure_transport": ("0", "off", "false")},
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": {"rds.force_ssl": ("0", "false", "off"),
                                                            "require_secure_transport": ("0", "off", "false")},
    "aws:docdb/clusterParameterGroup:ClusterParameterGroup": {"tls": ("disabled",)},
    "aws:redshift/parameterGroup:ParameterGroup": {"require_ssl": ("false", "0", "off")},
    # pulumi-aws-native (1.84): AWS::RDS::DBParameterGroup and DBClusterParameterGroup ``parameters`` are a map of
    # name to value; AWS::Redshift::ClusterParameterGroup ``parameters`` a list of {parameterName, parameterValue}.
    "aws-native:rds:DbParameterGroup": {"rds.force_ssl": ("0", "false", "off"),
                                        "require_secure_transport": ("0", "off", "false")},
    "aws-native:rds:DbClusterParameterGroup": {"rds.force_ssl": ("0", "false", "off"),
                                               "require_secure_transport": ("0", "off", "false")},
    "aws-native:redshift:ClusterParameterGroup": {"require_ssl": ("false", "0", "off")},
    # A Redshift Serverless workgroup has no parameter group: its ``configParameters`` (a list of {parameterKey,
    # parameterValue}; botocore redshift-serverless ConfigParameter: "The options are ... require_ssl, use_fips_ssl,
    # ..."; pulumi-aws 7 redshiftserverless/workgroup.py, pulumi-aws-native the same list) set require_ssl.
    "aws:redshiftserverless/workgroup:Workgroup": {"require_ssl": ("false", "0", "off")},
    "aws-native:redshiftserverless:Workgroup": {"require_ssl": ("false", "0", "off")},
}
DOMAINS = ("aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain", "aws-native:opensearchservice:Domain")


def _parameters(props: Any) -> list[tuple[Any, Any]]:
    """``(name, value)`` of each parameter: a list of {name, value} (pulumi-aws) or {parameterName,
    parameterValue} (AWS::Redshift), or a map of name to value (AWS::RDS)."""
    parameters = get(props, "parameters")
    if parameters is None:
        parameters = get(props, "configParameters")  # a Redshift Serverless workgroup's {parameterKey, parameterValue}
    if isinstance(parameters, dict):
        return list(parameters.items())
    items = as_list(parameters)
    return [(item.get("name", item.get("parameterName", item.get("parameterKey"))),
             item.get("value", item.get("parameterValue")))
            for item in (items if isinstance(items, list) else []) if isinstance(item, dict)]


def _tls_parameters(args: ResourceValidationArgs, report: ReportViolation) -> None:
    off = TLS_OFF[args.resource_type]
    for name, value in _parameters(args.props):
        if is_unknown(name) or is_unknown(value) or not isinstance(name, str):
            continue
        shown = str(value).lower() if isinstance(value, bool) else str(value).strip().lower()
        if name.lower() in off and shown in off[name.lower()]:
            report(f"{describe(args)} turns TLS off: parameter {name} is {value!r}, so clients may connect "
                   "unencrypted")


db_parameter_group_tls_not_disabled = ResourceValidationPolicy(
    name="db-parameter-group-tls-not-disabled",
    description="Database parameter groups (RDS, Aurora, DocumentDB, Redshift) and Redshift Serverless workgroups do "
                "not turn off required TLS.",
    validate=applies_to(tuple(TLS_OFF), _tls_parameters),
    severity=Severity.HIGH,
    remediation_steps="Set rds.force_ssl=1 (PostgreSQL, SQL Server) or require_secure_transport=1 (MySQL, MariaDB) "
                      "in the aws.rds.ParameterGroup/ClusterParameterGroup, tls=enabled in the "
                      "aws.docdb.ClusterParameterGroup, require_ssl=true in the aws.redshift.ParameterGroup.",
    **frameworks({"nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)", "gdpr": "Art. 32(1)(a)"}),
)


def _fine_grained(args: ResourceValidationArgs, report: ReportViolation) -> None:
    options = get(args.props, "advancedSecurityOptions")
    options = single(options)
    if is_unknown(options):
        return
    enabled = as_bool(options.get("enabled")) if isinstance(options, dict) else None
    if enabled is True:
        if as_bool(options.get("anonymousAuthEnabled")) is True:
            report(f"{describe(args)} allows anonymous access (advancedSecurityOptions.anonymousAuthEnabled): requests "
                   "that carry no credentials are admitted, mapped to the anonymous role, until it is turned off")
        return
    if is_unknown(enabled):
        return
    report(f"{describe(args)} has no fine-grained access control (advancedSecurityOptions.enabled is "
           f"{'false' if enabled is False else 'not set'}): any caller the access policy admits can read every index")


opensearch_fine_grained_access_control = ResourceValidationPolicy(
    name="opensearch-fine-grained-access-control",
    description="OpenSearch and Elasticsearch domains enable fine-grained access control, without anonymous access.",
    validate=applies_to(DOMAINS, _fine_grained),
    severity=Severity.MEDIUM,
    remediation_steps="Set advanced_security_options={'enabled': True, 'internal_user_database_enabled': False, "
                      "'master_user_options': {'master_user_arn': admin_role.arn}} on the domain (it needs "
                      "encrypt_at_rest, node_to_node_encryption and domain_endpoint_options.enforce_https); set "
                      "anonymous_auth_enabled=False once the role mappings exist.",
    **frameworks({"nist-800-53": "AC-3, AC-6", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)", "gdpr": "Art. 32(1)(b)"}),
)

DMS_ENDPOINT = "aws:dms/endpoint:Endpoint"
#: DMS endpoint engines that connect to a database over a network protocol with an SSL mode (AWS DMS User
#: Guide, "Using SSL with AWS Database Migration Service"); streams, S3 and DynamoDB use AWS APIs over HTTPS.
DMS_TLS_ENGINES = frozenset({"aurora", "aurora-postgresql", "aurora-serverless", "aurora-postgresql-serverless",
                             "mariadb", "mysql", "oracle", "postgres", "sqlserver", "sybase", "db2", "db2-zos",
                             "docdb", "mongodb", "babelfish", "azuredb", "azure-sql-managed-instance"})


def _dms_tls(args: ResourceValidationArgs, report: ReportViolation) -> None:
    engine, mode = get(args.props, "engineName"), get(args.props, "sslMode")
    if is_unknown(engine) or is_unknown(mode) or not isinstance(engine, str) or engine.lower() not in DMS_TLS_ENGINES:
        return
    if not isinstance(mode, str) or mode.lower() == "none":
        report(f"{describe(args)} connects to its {engine} database without TLS (sslMode "
               f"{mode or 'not set (none)'}); use require or verify-full")


dms_endpoint_tls = ResourceValidationPolicy(
    name="dms-endpoint-tls",
    description="DMS endpoints for databases connect with TLS (sslMode require, verify-ca or verify-full).",
    validate=applies_to((DMS_ENDPOINT,), _dms_tls),
    severity=Severity.HIGH,
    remediation_steps="Set ssl_mode='verify-full' (with certificate_arn naming an aws.dms.Certificate for the "
                      "database's CA) or 'require' on the aws.dms.Endpoint.",
    **frameworks({"nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)", "gdpr": "Art. 32(1)(a)"}),
)

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
MEMORYDB_CLUSTER = "aws:memorydb/cluster:Cluster"
#: pulumi-aws-native: the same AuthToken/UserGroupIds (AWS::ElastiCache::ReplicationGroup) and ACLName
#: (AWS::MemoryDB::Cluster).
NATIVE_REPLICATION_GROUP = "aws-native:elasticache:ReplicationGroup"
NATIVE_MEMORYDB_CLUSTER = "aws-native:memorydb:Cluster"
#: Inputs that give an ElastiCache replication group authentication: a Redis AUTH token (also as a write-only
#: input, of which only the version is recorded) or RBAC user groups.
AUTH_INPUTS = ("authToken", "authTokenWo", "authTokenWoVersion", "userGroupIds")


CACHE_USER = "aws:elasticache/user:User"
CACHE_USER_GROUP = "aws:elasticache/userGroup:UserGroup"
#: The user ElastiCache creates in every account and region: user id and user name ``default``, every command on
#: every key, no password.
BUILT_IN_DEFAULT_USER = "default"


def _enabled_by(access_string: str) -> bool:
    """Whether an ACL access string turns the user on: its last ``on``/``off`` rule (neither is ``off``)."""
    switches = [rule for rule in access_string.split() if rule.lower() in ("on", "off")]
    return bool(switches) and switches[-1].lower() == "on"


def _cache_user(args: ResourceValidationArgs, report: ReportViolation) -> None:
    access = get(args.props, "accessString")
    if not isinstance(access, str) or is_unknown(access) or not _enabled_by(access):
        return
    mode = single(get(args.props, "authenticationMode"))
    kind = mode.get("type") if isinstance(mode, dict) else None
    no_password = as_bool(get(args.props, "noPasswordRequired"))
    if is_unknown(kind) or is_unknown(no_password):
        return
    if no_password is True or (isinstance(kind, str) and kind.lower() == "no-password-required"):
        report(f"{describe(args)} is enabled ({access!r}) and needs no password: any client that reaches a cache "
               "whose user group holds it signs in as this user")


def _cache_user_group(args: ResourceValidationArgs, report: ReportViolation) -> None:
    users = as_list(get(args.props, "userIds"))
    if isinstance(users, list) and BUILT_IN_DEFAULT_USER in users:
        report(f"{describe(args)} holds the built-in user 'default' (every command on every key, no password): any "
               "client that reaches the cache is let in without credentials; add a user of user name 'default' "
               "and another user id, disabled ('off ~* -@all') or with a password, instead")


def _cache_auth(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == CACHE_USER:
        return _cache_user(args, report)
    if args.resource_type == CACHE_USER_GROUP:
        return _cache_user_group(args, report)
    if args.resource_type in (MEMORYDB_CLUSTER, NATIVE_MEMORYDB_CLUSTER):
        acl = get(args.props, "aclName")
        if isinstance(acl, str) and not is_unknown(acl) and acl == "open-access":
            report(f"{describe(args)} uses the open-access ACL: any client that reaches it can read and write "
                   "without a password")
        return
    values = [get(args.props, key) for key in AUTH_INPUTS]
    if any(is_unknown(v) or v not in (None, "", []) for v in values):
        return
    report(f"{describe(args)} requires no authentication (no authToken and no userGroupIds): any client that "
           "reaches it can read and write the cache")


cache_authentication = ResourceValidationPolicy(
    name="cache-authentication",
    description="ElastiCache replication groups require Redis AUTH or RBAC user groups, whose enabled users need a "
                "password or IAM and which do not hold the built-in password-less 'default' user; MemoryDB clusters "
                "do not use the open-access ACL.",
    validate=applies_to((REPLICATION_GROUP, MEMORYDB_CLUSTER, NATIVE_REPLICATION_GROUP, NATIVE_MEMORYDB_CLUSTER,
                         CACHE_USER, CACHE_USER_GROUP), _cache_auth),
    severity=Severity.HIGH,
    remediation_steps="Set user_group_ids (aws.elasticache.UserGroup with RBAC users) or auth_token (a Pulumi secret; "
                      "needs transit_encryption_enabled) on the aws.elasticache.ReplicationGroup; give RBAC users "
                      "authentication_mode {type: iam} or {type: password} and replace the built-in 'default' user "
                      "with a disabled user of user name 'default'; give the "
                      "aws.memorydb.Cluster an aws.memorydb.Acl with users instead of acl_name='open-access'.",
    **frameworks({"nist-800-53": "IA-2, AC-3", "pci-dss": "8.2.1", "hipaa": "164.312(d)", "gdpr": "Art. 32(1)(b)"}),
)

MSK_CLUSTER = "aws:msk/cluster:Cluster"
#: pulumi-aws-native's AWS::MSK::Cluster: each mode a block with ``enabled`` (``sasl.iam.enabled``, ``tls.enabled``,
#: ``unauthenticated.enabled``; pulumi-aws-native 1.84 msk/_inputs.py), mutual TLS's CAs in ``certificateAuthorityArnList``.
NATIVE_MSK_CLUSTER = "aws-native:msk:Cluster"


def _enabled_mode(block: Any) -> Any:
    """A mode's state: a boolean (pulumi-aws) or a block with ``enabled`` (pulumi-aws-native); None when absent."""
    block = single(block)
    value = get(block, "enabled") if isinstance(block, dict) else block
    return UNKNOWN if is_unknown(value) else as_bool(value)


def _tls_mode(block: Any) -> Any:
    """Mutual TLS: a block naming certificate authorities (and, in pulumi-aws-native, not ``enabled: false``)."""
    block = single(block)
    if is_unknown(block):
        return UNKNOWN
    if not isinstance(block, dict):
        return None
    cas = first_set(block, ("certificateAuthorityArns", "certificateAuthorityArnList"))
    enabled = _enabled_mode(block) if get(block, "enabled") is not None else True
    if is_unknown(cas) or is_unknown(enabled):
        return UNKNOWN
    return bool(as_list(cas)) and enabled is not False


def _kafka_auth(args: ResourceValidationArgs, report: ReportViolation) -> None:
    auth = single(get(args.props, "clientAuthentication"))
    if is_unknown(auth):
        return
    if not isinstance(auth, dict):
        report(f"{describe(args)} has no clientAuthentication: its brokers admit any client that reaches them, "
               "unauthenticated")
        return
    if _enabled_mode(get(auth, "unauthenticated")) is True:
        report(f"{describe(args)} allows unauthenticated access (clientAuthentication.unauthenticated): any client "
               "that reaches the brokers can produce and consume without credentials")
        return
    sasl = single(get(auth, "sasl"))
    modes = [_tls_mode(get(auth, "tls"))]
    if is_unknown(sasl):
        modes.append(UNKNOWN)
    elif isinstance(sasl, dict):
        modes += [_enabled_mode(get(sasl, "iam")), _enabled_mode(get(sasl, "scram"))]
    if True in modes or any(mode is UNKNOWN for mode in modes):
        return
    report(f"{describe(args)} turns on no client authentication mode (sasl.iam, sasl.scram or tls with certificate "
           "authorities): its brokers admit any client that reaches them")


msk_client_authentication = ResourceValidationPolicy(
    name="msk-client-authentication",
    description="MSK clusters authenticate Kafka clients with IAM, SCRAM or mutual TLS, and do not allow "
                "unauthenticated access.",
    validate=applies_to((MSK_CLUSTER, NATIVE_MSK_CLUSTER), _kafka_auth),
    severity=Severity.HIGH,
    remediation_steps="Set client_authentication={'sasl': {'iam': True}} on the aws.msk.Cluster (or scram with an "
                      "aws.msk.ScramSecretAssociation, or tls.certificate_authority_arns of an ACM Private CA) and "
                      "leave unauthenticated unset or false; grant kafka-cluster:Connect and the topic actions to the "
                      "roles that produce and consume.",
    **frameworks({"nist-800-53": "IA-2, IA-3, AC-3", "pci-dss": "8.2.1", "hipaa": "164.312(d)",
                  "gdpr": "Art. 32(1)(b)"}),
)

RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
#: Where each type names the CA of its server certificate (pulumi-aws rds/instance.py, rds/cluster.py).
#: pulumi-aws-native's AWS::RDS::DBInstance: ``caCertificateIdentifier`` (AWS::RDS::DBCluster has none).
NATIVE_RDS_INSTANCE = "aws-native:rds:DbInstance"
NATIVE_RDS_CLUSTER = "aws-native:rds:DbCluster"
CA_INPUT = {RDS_INSTANCE: "caCertIdentifier", RDS_CLUSTER: "caCertificateIdentifier",
            NATIVE_RDS_INSTANCE: "caCertificateIdentifier"}
CA_SCHEMA = config_schema(
    allowedCaCertificates={
        "type": "array", "items": {"type": "string"},
        "default": ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"],
        "description": "Certificate authorities a database's server certificate may come from (the current RDS CAs; "
                       "rds-ca-2019 expired in August 2024).",
    },
)


def _ca_certificate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    key = CA_INPUT[args.resource_type]
    ca = get(args.props, key)
    if is_unknown(ca) or ca is None or ca == "":
        return  # new databases get the region's default CA, one of the current ones
    allowed = [str(item).lower() for item in as_list(policy_config(args, CA_SCHEMA)["allowedCaCertificates"]) or []]
    if isinstance(ca, str) and ca.lower() not in allowed:
        report(f"{describe(args)} uses the certificate authority {ca!r} ({key}), which is not one of "
               f"{', '.join(allowed)}: clients that verify the server cannot trust its certificate once it expires")


rds_ca_certificate_current = ResourceValidationPolicy(
    name="rds-ca-certificate-current",
    description="RDS instances and clusters that name a CA certificate name a current one (rds-ca-rsa2048-g1, "
                "rds-ca-rsa4096-g1, rds-ca-ecc384-g1).",
    validate=applies_to(tuple(CA_INPUT), _ca_certificate),
    config_schema=CA_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set ca_cert_identifier (aws.rds.Instance) or ca_certificate_identifier (aws.rds.Cluster) to "
                      "rds-ca-rsa2048-g1 (or leave it unset for the region's default), and give clients the matching "
                      "RDS CA bundle.",
    **frameworks({"nist-800-53": "SC-8, SC-17", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)"}),
)

REDSHIFT_CLUSTER = "aws:redshift/cluster:Cluster"
NATIVE_REDSHIFT_CLUSTER = "aws-native:redshift:Cluster"  # the same EnhancedVpcRouting (default false)
REDSHIFT_WORKGROUP = "aws:redshiftserverless/workgroup:Workgroup"
NATIVE_REDSHIFT_WORKGROUP = "aws-native:redshiftserverless:Workgroup"  # the same enhancedVpcRouting


def _enhanced_vpc_routing(args: ResourceValidationArgs, report: ReportViolation) -> None:
    enabled = as_bool(get(args.props, "enhancedVpcRouting"))
    if is_unknown(enabled) or enabled is True:
        return
    report(f"{describe(args)} does not use enhanced VPC routing (enhancedVpcRouting is "
           f"{'false' if enabled is False else 'not set (false)'}): COPY and UNLOAD traffic to S3 bypasses the VPC's "
           "endpoints, security groups and flow logs")


redshift_enhanced_vpc_routing = ResourceValidationPolicy(
    name="redshift-enhanced-vpc-routing",
    description="Redshift clusters and Redshift Serverless workgroups use enhanced VPC routing, so COPY and UNLOAD "
                "traffic stays in the VPC.",
    validate=applies_to((REDSHIFT_CLUSTER, NATIVE_REDSHIFT_CLUSTER, REDSHIFT_WORKGROUP, NATIVE_REDSHIFT_WORKGROUP),
                        _enhanced_vpc_routing),
    severity=Severity.MEDIUM,
    remediation_steps="Set enhanced_vpc_routing=True on the aws.redshift.Cluster or "
                      "aws.redshiftserverless.Workgroup and give the VPC an S3 gateway "
                      "endpoint (or a NAT route) so COPY and UNLOAD still reach S3.",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)"}),
)

#: The first patched minor version per major, for PostgreSQL engines with the log_fdw local file read (the
#: versions of Checkov CKV_AWS_250 and CKV_AWS_388); a later major is patched.
PATCHED_POSTGRES = {
    "postgres": {"last_vulnerable_major": 13, 13: (3,), 12: (7,), 11: (12,), 10: (17,), 9: (6, 22)},
    "aurora-postgresql": {"last_vulnerable_major": 11, 11: (9,), 10: (14,)},
}


def _version(text: Any) -> Any:
    parts = text.split(".") if isinstance(text, str) else []
    numbers = [int(part) for part in parts if part.isdigit()]
    return tuple(numbers) if numbers and len(numbers) == len(parts) else None


def _postgres_patched(args: ResourceValidationArgs, report: ReportViolation) -> None:
    engine, version = get(args.props, "engine"), get(args.props, "engineVersion")
    if not isinstance(engine, str) or is_unknown(engine) or engine.lower() not in PATCHED_POSTGRES:
        return
    numbers = _version(version) if not is_unknown(version) else None
    if numbers is None:
        return  # absent (the current default) or not a full version
    table = PATCHED_POSTGRES[engine.lower()]
    major = numbers[0]
    if major > table["last_vulnerable_major"] or major not in table:
        return
    first = table[major]
    if len(numbers) < len(first) + 1:
        return  # a major version alone gets its latest minor
    if numbers[1:len(first) + 1] < first:
        report(f"{describe(args)} runs {engine} {version}, which has the log_fdw local file read vulnerability: "
               f"upgrade to {major}.{'.'.join(map(str, first))} or later")


rds_postgres_patched_version = ResourceValidationPolicy(
    name="rds-postgres-patched-version",
    description="RDS PostgreSQL and Aurora PostgreSQL do not pin an engine version with the log_fdw local file read "
                "vulnerability.",
    validate=applies_to((RDS_INSTANCE, RDS_CLUSTER, NATIVE_RDS_INSTANCE, NATIVE_RDS_CLUSTER), _postgres_patched),
    severity=Severity.HIGH,
    remediation_steps="Set engine_version to a supported minor version (PostgreSQL 13.3+, 12.7+, 11.12+; Aurora "
                      "PostgreSQL 11.9+), or to just the major version with auto_minor_version_upgrade on.",
    **frameworks({"nist-800-53": "SI-2, RA-5", "pci-dss": "6.3.3"}),
)

# --------------------------------------------------------------------------------------------------
# Master passwords managed by Secrets Manager (cdk-nag AwsSolutions-DOC3, for every engine that offers it)

#: Per type: the inputs that hand the engine a master password, and the flag that has Secrets Manager create and rotate
#: it instead. pulumi-aws 7: RDS instances' ``password``/``passwordWo`` "Cannot be set if manage_master_user_password is
#: set to true"; clusters' ``masterPassword``/``masterPasswordWo`` (RDS, DocumentDB, Redshift, which "Conflicts with
#: manage_master_password"); Redshift Serverless ``adminUserPassword``/``adminUserPasswordWo`` against
#: ``manageAdminPassword``. botocore docdb CreateDBClusterMessage.ManageMasterUserPassword: "You can't manage the
#: master user password with Amazon Web Services Secrets Manager if MasterUserPassword is specified." pulumi-aws-native
#: takes ``masterUserPassword`` with ``manageMasterUserPassword`` (RDS) or ``manageMasterPassword`` (Redshift).
MASTER_PASSWORDS: dict[str, tuple[tuple[str, ...], str]] = {
    "aws:rds/instance:Instance": (("password", "passwordWo"), "manageMasterUserPassword"),
    "aws:rds/cluster:Cluster": (("masterPassword", "masterPasswordWo"), "manageMasterUserPassword"),
    "aws:docdb/cluster:Cluster": (("masterPassword", "masterPasswordWo"), "manageMasterUserPassword"),
    "aws:redshift/cluster:Cluster": (("masterPassword", "masterPasswordWo"), "manageMasterPassword"),
    "aws:redshiftserverless/namespace:Namespace": (("adminUserPassword", "adminUserPasswordWo"), "manageAdminPassword"),
    "aws-native:rds:DbInstance": (("masterUserPassword",), "manageMasterUserPassword"),
    "aws-native:rds:DbCluster": (("masterUserPassword",), "manageMasterUserPassword"),
    "aws-native:redshift:Cluster": (("masterUserPassword",), "manageMasterPassword"),
}


def _master_password_managed(args: ResourceValidationArgs, report: ReportViolation) -> None:
    inputs, flag = MASTER_PASSWORDS[args.resource_type]
    given = [name for name in inputs if get(args.props, name) not in (None, "")]  # a secret or unknown one counts
    managed = get(args.props, flag)
    if given and as_bool(managed) is not True and not is_unknown(managed):
        report(f"{describe(args)} takes its master password from the program ({given[0]}): it is kept in the "
               "program's configuration and never rotated; set "
               f"{flag} true so Secrets Manager creates and rotates it")


database_master_password_managed = ResourceValidationPolicy(
    name="database-master-password-managed",
    description="Databases and warehouses (RDS, Aurora, DocumentDB, Redshift, Redshift Serverless) that are given a "
                "master password have Secrets Manager manage it instead (manageMasterUserPassword and its kin; advisory "
                "by default: a password passed as a Pulumi secret is encrypted, but never rotated).",
    validate=applies_to(tuple(MASTER_PASSWORDS), _master_password_managed),
    severity=Severity.LOW,
    remediation_steps="Drop the password input and set manage_master_user_password=True (manage_master_password on "
                      "Redshift, manage_admin_password on Redshift Serverless); clients read the secret it names "
                      "(master_user_secrets[0].secret_arn, master_password_secret_arn, admin_password_secret_arn).",
    **frameworks({"nist-800-53": "IA-5(1)", "pci-dss": "8.3.9, 8.6.3"}),
)


SECURITY = [db_parameter_group_tls_not_disabled, opensearch_fine_grained_access_control, dms_endpoint_tls,
            cache_authentication, msk_client_authentication, rds_ca_certificate_current, redshift_enhanced_vpc_routing,
            rds_postgres_patched_version, database_master_password_managed]
PRIVACY: list = []
COMPLIANCE: list = []
