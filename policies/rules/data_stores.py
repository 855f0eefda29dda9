"""Data stores, table-driven: one rule per control over the data-store table (``catalog.data_stores``).

Each rule finds the resource's row by type (one dictionary lookup) and judges the row's settings
for its control: encrypted at rest, a customer-managed key, not publicly accessible, TLS in transit,
deletion protection (where required: prod), automated backups (where required: prod), and
``protect`` on stateful resources (where required: prod). A type the table does not know, or whose
row has no setting for the control, is not judged; an unknown value is not judged either.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from catalog.data_stores import BY_TYPE, STATEFUL, DataStore, Days, Path, Setting, types_with
from policies.rules._components import as_built
from policies.rules._declare import config_schema, frameworks, policy_config
from policies.rules._principals import aws_managed_key_alias
from policies.rules._props import UNKNOWN, as_bool, as_int, get, is_unknown


# --------------------------------------------------------------------------------------------------
# Reading a row's settings


def lookup(props: Any, path: Path) -> Any:
    """The value at ``path``, stepping into one-element lists (a block a program wrote as a list)."""
    value: Any = props
    for step in path:
        if is_unknown(value):
            return UNKNOWN
        if isinstance(value, list):
            if len(value) != 1:
                return None
            value = value[0]
        value = get(value, step)
        if value is None:
            return None
    return value


def _wildcard(path: Path) -> Optional[int]:
    """Where the first ``"*"`` or ``"**"`` step of ``path`` is, or None."""
    return next((index for index, step in enumerate(path) if step in ("*", "**")), None)


def lookup_each(props: Any, path: Path, where: str = "") -> list[tuple[str, Any]]:
    """``(name, value)`` for each value at ``path``: one without a wildcard step; with a ``"*"``, a value per
    item of the block there (each list element, the block itself when it is one object, none when absent);
    with a ``"**"``, a value per value of the object there (none when absent)."""
    cut = _wildcard(path)
    if cut is None:
        return [(where + ".".join(map(str, path)), lookup(props, path))]
    head, rest = path[:cut], path[cut + 1:]
    block = lookup(props, head) if head else props
    name = where + ".".join(map(str, head))
    if is_unknown(block):
        return [(name, UNKNOWN)]
    if block is None:
        return []
    if path[cut] == "**":
        items = [(f"{name}.{key}.", item) for key, item in block.items()] if isinstance(block, dict) else []
    elif isinstance(block, list):
        items = [(f"{name}[{index}].", item) for index, item in enumerate(block)]
    else:
        items = [(f"{name}.", block)]
    found: list[tuple[str, Any]] = []
    for prefix, item in items:
        found.extend(lookup_each(item, rest, prefix))
    return found


def _normal(value: Any) -> Any:
    flag = as_bool(value)
    if isinstance(flag, bool):
        return flag
    number = as_int(value)
    if isinstance(number, int):
        return number
    return value.upper() if isinstance(value, str) else value


def _default(props: Any, setting: Setting) -> Any:
    if setting.default_by is not None:
        path, by_value = setting.default_by
        chosen = lookup(props, path)
        if isinstance(chosen, str) and chosen.lower() in by_value:
            return by_value[chosen.lower()]
    return setting.default


def applies(props: Any, when: Any) -> bool:
    """Whether a setting's or retention's ``when`` (``(path, values)`` or ``(path, values, default)``, or None) admits
    the resource; an absent input is the ``default`` where one is given (the provider's), else not admitted."""
    if when is None:
        return True
    path, values = when[0], when[1]
    value = lookup(props, path)
    if value is None and len(when) > 2:
        value = when[2]
    if isinstance(value, bool):
        value = "true" if value else "false"
    return isinstance(value, str) and not is_unknown(value) and value.lower() in values


def _judge(props: Any, setting: Setting, value: Any) -> Any:
    if is_unknown(value):
        return UNKNOWN
    if setting.present:
        return value not in (None, "", [], {})
    if setting.includes:
        items = [] if value is None else value if isinstance(value, list) else [value]
        if any(is_unknown(item) for item in items):
            return UNKNOWN
        have = {_normal(item) for item in items if isinstance(item, (str, bool, int))}
        return all(_normal(wanted) in have for wanted in setting.includes)
    if value is None or value == "":
        value = _default(props, setting)
    value = _normal(value)
    if setting.ok:
        return any(value == _normal(ok) for ok in setting.ok)
    return not any(value == _normal(bad) for bad in setting.bad)


def _values(props: Any, setting: Setting) -> list[tuple[str, Any]]:
    """``(name, value)`` to judge for ``setting``: one per item of a ``"*"`` path, except that an ``includes``
    setting judges the values of every item together, as one list."""
    found = lookup_each(props, setting.path)
    if not setting.includes or _wildcard(setting.path) is None:
        return found
    values = [value for _, value in found]
    if any(is_unknown(value) for value in values):
        return [(setting.name, UNKNOWN)]
    return [(setting.name, [item for value in values if value is not None
                            for item in (value if isinstance(value, list) else [value])])]


def holds(props: Any, setting: Setting) -> Any:
    """``True``/``False`` whether ``setting`` holds in ``props`` (at every item of a ``"*"`` path); ``UNKNOWN``
    if a value is not known yet and none breaks it; ``True`` where its ``when`` does not admit the resource."""
    if not applies(props, setting.when):
        return True
    results = [_judge(props, setting, value) for _, value in _values(props, setting)]
    if False in results:
        return False
    return UNKNOWN if any(is_unknown(result) for result in results) else True


def _expected(setting: Setting) -> str:
    if setting.present:
        return "set"
    if setting.includes:
        return "to include " + " and ".join(_show(item) for item in setting.includes)
    if setting.ok:
        return " or ".join(_show(ok) for ok in setting.ok)
    return "not " + " or ".join(_show(bad) for bad in setting.bad)


def _show(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _value(props: Any, setting: Setting, value: Any) -> str:
    if value is None or value == "":
        default = _default(props, setting)
        return "not set" + (f" (defaults to {_show(default)})"
                            if default is not None and not setting.present and not setting.includes else "")
    if isinstance(value, list) and all(isinstance(item, (str, int, bool)) for item in value) and value:
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return f"{_show(value)}" if not isinstance(value, (dict, list)) else "empty"


def broken(props: Any, settings: Iterable[Setting]) -> list[str]:
    """A phrase for each value of ``settings`` that does not hold (unknown values hold)."""
    found = []
    for setting in settings:
        if not applies(props, setting.when):
            continue
        for name, value in _values(props, setting):
            if _judge(props, setting, value) is False:
                note = f": {setting.note}" if setting.note else ""
                found.append(f"{name} is {_value(props, setting, value)}, expected {_expected(setting)}{note}")
    return found


def _not_applicable(row: DataStore, props: Any) -> bool:
    return any(lookup(props, path) not in (None, "", [], {}) for path in row.encryption_not_applicable_with)


def _row(args: ResourceValidationArgs) -> Optional[DataStore]:
    return BY_TYPE.get(args.resource_type)


def _label(args: ResourceValidationArgs, row: DataStore) -> str:
    return f"{row.label} {args.name!r} ({args.resource_type})"


def _settings_rule(field: str, says: str,
                   judged: Callable[[ResourceValidationArgs, DataStore], bool] = lambda args, row: True) -> Callable:
    """A validator reporting, in one violation per resource, every setting of the row's ``field`` the
    resource breaks, as ``<label> <says>: <what is wrong>; <what else is wrong>``; resources for
    which ``judged`` is false are not judged."""
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        row = _row(args)
        if row is None or not judged(args, row):
            return
        phrases = broken(args.props, getattr(row, field))
        if phrases:
            report(f"{_label(args, row)} {says}: {'; '.join(phrases)}")
    return validate


def _required(schema: Any, key: str) -> Callable[[ResourceValidationArgs, DataStore], bool]:
    """A ``judged`` predicate: the control applies unless the rule's configuration sets ``key`` false."""
    return lambda args, row: as_bool(policy_config(args, schema)[key]) is not False


# --------------------------------------------------------------------------------------------------
# Encryption at rest, and with a customer-managed key


_encrypted = _settings_rule("encryption", "is not encrypted at rest",
                            lambda args, row: not _not_applicable(row, args.props))


data_store_encrypted_at_rest = ResourceValidationPolicy(
    name="data-store-encrypted-at-rest",
    description="Data stores (RDS, Aurora, DocumentDB, Neptune, Redshift, OpenSearch, ElastiCache, Kinesis, "
                "Firehose, EFS, EBS, Glue, Athena, ...) encrypt their data at rest.",
    validate=as_built(types_with("encryption"), _encrypted),
    severity=Severity.HIGH,
    remediation_steps="Turn on the resource's encryption at rest (storage_encrypted, encrypted, "
                      "encrypt_at_rest.enabled, at_rest_encryption_enabled, encryption_type='KMS', ...) with "
                      "a customer-managed KMS key; encryption at rest can only be chosen at creation for most "
                      "services, so the store is replaced.",
    **frameworks({"nist-800-53": "SC-28", "cis-aws": "2.3.1, 2.4.1", "pci-dss": "3.5.1",
                  "hipaa": "164.312(a)(2)(iv)", "gdpr": "Art. 32(1)(a)"}),
)

CMK_SCHEMA = config_schema(
    requireCustomerManagedKey={
        "type": "boolean", "default": True,
        "description": "Require a customer-managed KMS key; false lets data stores use the AWS-managed or "
                       "AWS-owned key (encryption at rest is still required by data-store-encrypted-at-rest).",
    },
)


def _customer_key(args: ResourceValidationArgs, report: ReportViolation) -> None:
    row = _row(args)
    if row is None or _not_applicable(row, args.props):
        return
    if as_bool(policy_config(args, CMK_SCHEMA)["requireCustomerManagedKey"]) is False:
        return
    phrases = broken(args.props, row.cmk)
    paths = list(row.keys) + [path for when, path in row.keys_when if holds(args.props, when) is True]
    for name, key in (found for path in paths for found in lookup_each(args.props, path)):
        if is_unknown(key):
            continue
        managed = aws_managed_key_alias(key)
        if managed:
            phrases.append(f"{name} is the AWS-managed key {managed}")
        elif not isinstance(key, str) or not key:
            phrases.append(f"{name} is not set (an AWS-managed or AWS-owned key)")
    if phrases:
        report(f"{_label(args, row)} is not encrypted with a customer-managed key: {'; '.join(phrases)}")


data_store_customer_managed_key = ResourceValidationPolicy(
    name="data-store-customer-managed-key",
    description="Data stores, and the account and service settings that encrypt data (default EBS encryption, "
                "Glue, Athena, CloudTrail, Backup), use a customer-managed KMS key.",
    validate=as_built(sorted(set(types_with("keys")) | set(types_with("cmk")) | set(types_with("keys_when"))),
                      _customer_key),
    config_schema=CMK_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Create an aws.kms.Key (rotation on, a key policy naming the service's principals) and "
                      "pass its ARN as the store's kms_key_id / kms_key_arn (with the key-type or mode setting "
                      "the service needs, e.g. server_side_encryption.enabled on DynamoDB).",
    **frameworks({"nist-800-53": "SC-12, SC-28", "cis-aws": "3.5", "pci-dss": "3.6.1",
                  "hipaa": "164.312(a)(2)(iv)", "gdpr": "Art. 32(1)(a)"}),
)


# --------------------------------------------------------------------------------------------------
# Public access and TLS in transit


_private = _settings_rule("private", "is publicly accessible")


data_store_not_public = ResourceValidationPolicy(
    name="data-store-not-public",
    description="Databases, caches, search domains and streams are not reachable from the internet.",
    validate=as_built(types_with("private"), _private),
    severity=Severity.CRITICAL,
    remediation_steps="Set publicly_accessible=False (RDS, Redshift, DMS), put OpenSearch domains in a VPC "
                      "(vpc_options), keep MSK public access DISABLED; reach the store through private subnets, "
                      "a VPN or VPC endpoints.",
    **frameworks({"nist-800-53": "AC-3, SC-7", "cis-aws": "2.3.3", "pci-dss": "1.4.4", "hipaa": "164.312(e)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)


_in_transit = _settings_rule("in_transit", "does not require TLS in transit")


data_store_tls_in_transit = ResourceValidationPolicy(
    name="data-store-tls-in-transit",
    description="Data stores whose resource has an in-transit setting (ElastiCache, MemoryDB, OpenSearch, MSK, "
                "CloudSearch) require TLS, with TLS 1.2 or later.",
    validate=as_built(types_with("in_transit"), _in_transit),
    severity=Severity.HIGH,
    remediation_steps="Set transit_encryption_enabled=True (and transit_encryption_mode='required') on "
                      "ElastiCache, tls_enabled on MemoryDB, node_to_node_encryption and "
                      "domain_endpoint_options.enforce_https with a TLS 1.2 policy on OpenSearch, and "
                      "encryption_in_transit client_broker='TLS', in_cluster=True on MSK.",
    **frameworks({"nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)", "gdpr": "Art. 32(1)(a)"}),
)


IAM_AUTH_SCHEMA = config_schema(
    requireIamAuthentication={
        "type": "boolean", "default": True,
        "description": "Require IAM database authentication on RDS, Aurora and Neptune; false for a team whose "
                       "databases authenticate with Secrets Manager-rotated passwords only.",
    },
)

_iam_auth = _settings_rule(
    "iam_auth", "does not allow IAM database authentication",
    _required(IAM_AUTH_SCHEMA, "requireIamAuthentication"))


data_store_iam_authentication = ResourceValidationPolicy(
    name="data-store-iam-authentication",
    description="RDS instances (MariaDB, MySQL, PostgreSQL), RDS/Aurora clusters and Neptune clusters enable IAM "
                "database authentication, so people and services sign in with short-lived IAM tokens.",
    validate=as_built(types_with("iam_auth"), _iam_auth),
    config_schema=IAM_AUTH_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set iam_database_authentication_enabled=True on the aws.rds.Instance, aws.rds.Cluster or "
                      "aws.neptune.Cluster, grant rds-db:connect (neptune-db:connect) to the roles that connect, "
                      "and keep the master password in Secrets Manager (manage_master_user_password).",
    **frameworks({"nist-800-53": "IA-2, IA-5, AC-2(1)", "pci-dss": "8.2.1", "hipaa": "164.312(d)",
                  "gdpr": "Art. 32(1)(b)"}),
)


# --------------------------------------------------------------------------------------------------
# Where required (prod): deletion protection, backups, protect


DELETION_SCHEMA = config_schema(
    requireDeletionProtection={
        "type": "boolean", "default": True,
        "description": "Require deletion protection on data stores (the default: a stack is judged as prod "
                       "unless its configuration says otherwise; dev and staging set false).",
    },
)


_deletion_protection = _settings_rule(
    "deletion_protection", "has no deletion protection",
    _required(DELETION_SCHEMA, "requireDeletionProtection"))


data_store_deletion_protection = ResourceValidationPolicy(
    name="data-store-deletion-protection",
    description="Where required (prod), databases and tables have deletion protection on, and buckets, "
                "repositories, vaults and secrets cannot be deleted with their contents at once.",
    validate=as_built(types_with("deletion_protection"), _deletion_protection),
    config_schema=DELETION_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set deletion_protection=True (RDS, Aurora, DocumentDB, Neptune) or "
                      "deletion_protection_enabled=True (DynamoDB); leave force_destroy / force_delete false and "
                      "recovery_window_in_days above 0.",
    **frameworks({"nist-800-53": "CP-9, SI-12", "hipaa": "164.308(a)(7)(ii)(A)", "gdpr": "Art. 32(1)(c)"}),
)

BACKUP_SCHEMA = config_schema(
    requireBackups={
        "type": "boolean", "default": True,
        "description": "Require automated backups on data stores (the default: judged as prod unless the "
                       "configuration says otherwise; dev and staging set false).",
    },
    minBackupRetentionDays={
        "type": "integer", "minimum": 1, "maximum": 35, "default": 7,
        "description": "Fewest days of automated backups (RDS allows up to 35).",
    },
)


def _backups(args: ResourceValidationArgs, report: ReportViolation) -> None:
    row = _row(args)
    config = policy_config(args, BACKUP_SCHEMA)
    if row is None or as_bool(config["requireBackups"]) is False:
        return
    phrases = broken(args.props, row.backup)
    days: Optional[Days] = row.backup_days
    minimum = config["minBackupRetentionDays"]
    if days is not None and isinstance(minimum, int) and applies(args.props, days.when):
        value = lookup(args.props, days.path)
        count = days.default if value is None else as_int(value)
        if isinstance(count, int) and count < minimum:
            shown = f"{count}" if value is not None else f"not set (defaults to {days.default})"
            phrases.append(f"{days.name} is {shown}, expected at least {minimum} days")
    for phrase in phrases:
        report(f"{_label(args, row)} has too few automated backups: {phrase}")


data_store_backups = ResourceValidationPolicy(
    name="data-store-backups",
    description="Where required (prod), data stores keep automated backups (point-in-time recovery, snapshot "
                "retention) for at least minBackupRetentionDays.",
    validate=as_built(sorted(set(types_with("backup")) | set(types_with("backup_days"))), _backups),
    config_schema=BACKUP_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set backup_retention_period (RDS, Aurora, DocumentDB, Neptune), "
                      "automated_snapshot_retention_period (Redshift) or snapshot_retention_limit (ElastiCache, "
                      "MemoryDB) to at least the minimum, or point_in_time_recovery.enabled on DynamoDB; or cover "
                      "the store with an AWS Backup plan and waive this rule for it.",
    **frameworks({"nist-800-53": "CP-9", "hipaa": "164.308(a)(7)(ii)(A)", "pci-dss": "12.10.1",
                  "gdpr": "Art. 32(1)(c)"}),
)

_logging = _settings_rule("logging", "publishes no logs")


data_store_logging = ResourceValidationPolicy(
    name="data-store-logging",
    description="Databases, search domains, caches, brokers, Airflow environments and ECS Exec publish their logs "
                "(audit, query, error, broker, session) to CloudWatch Logs or S3.",
    validate=as_built(types_with("logging"), _logging),
    severity=Severity.MEDIUM,
    remediation_steps="Set enabled_cloudwatch_logs_exports (RDS, Aurora, DocumentDB; Neptune: "
                      "enable_cloudwatch_logs_exports), log_publishing_options (OpenSearch), "
                      "log_delivery_configurations (ElastiCache), logging_info.broker_logs with a destination enabled (MSK) or "
                      "logging_configuration (MWAA), into an encrypted log group with retention.",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)


_patching = _settings_rule("patching", "is not patched automatically")


data_store_auto_minor_version_upgrade = ResourceValidationPolicy(
    name="data-store-auto-minor-version-upgrade",
    description="Database, cache, broker and warehouse engines apply minor versions (security patches) in their "
                "maintenance window.",
    validate=as_built(types_with("patching"), _patching),
    severity=Severity.MEDIUM,
    remediation_steps="Leave auto_minor_version_upgrade unset or True (RDS instances, Aurora and Neptune instances, "
                      "ElastiCache, Amazon MQ, DMS) and allow_version_upgrade True (Redshift); pin a version only "
                      "with a patching process that replaces automatic upgrades, and waive this rule for it.",
    **frameworks({"nist-800-53": "SI-2", "pci-dss": "6.3.3", "hipaa": "164.308(a)(5)(ii)(B)"}),
)


PROTECT_SCHEMA = config_schema(
    requireProtect={
        "type": "boolean", "default": True,
        "description": "Require the protect resource option on stateful resources (the default: judged as prod "
                       "unless the configuration says otherwise; dev and staging set false).",
    },
)


def _protected(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if as_bool(policy_config(args, PROTECT_SCHEMA)["requireProtect"]) is False:
        return
    opts = getattr(args, "opts", None)
    if getattr(opts, "protect", None) is False:
        row = BY_TYPE[args.resource_type]
        report(f"{_label(args, row)} is not protected: a `pulumi destroy` or a replacing change would delete its "
               "data; set protect=True in its resource options")


stateful_resource_protected = ResourceValidationPolicy(
    name="stateful-resource-protected",
    description="Where required (prod), every stateful resource (data stores, buckets, KMS keys, feature groups, "
                "model registries) has the protect resource option.",
    validate=as_built(sorted(STATEFUL), _protected),
    config_schema=PROTECT_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Pass opts=pulumi.ResourceOptions(protect=True) (in prod) to the resource or its component; "
                      "to retire a store deliberately, unprotect it with `pulumi state unprotect` first.",
    **frameworks({"nist-800-53": "CP-9, CM-3", "hipaa": "164.308(a)(7)(ii)(A)", "gdpr": "Art. 32(1)(c)"}),
)


SECURITY = [data_store_encrypted_at_rest, data_store_customer_managed_key, data_store_not_public,
            data_store_tls_in_transit, data_store_iam_authentication]
PRIVACY: list = []
COMPLIANCE = [data_store_deletion_protection, data_store_backups, data_store_logging,
              data_store_auto_minor_version_upgrade, stateful_resource_protected]
