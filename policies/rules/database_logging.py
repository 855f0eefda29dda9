"""Database engines log what their users do: DocumentDB and Neptune parameter groups turn on audit logs,
PostgreSQL databases log statements, and Redshift clusters their users' activity.

- ``aws.docdb.ClusterParameterGroup`` ``parameters`` set ``audit_logs`` to a value that audits
  (``enabled``, ``ddl``, ``dml_read``, ``dml_write``, ``all``); absent, the family default is
  ``disabled`` (DocumentDB Developer Guide, "Auditing Amazon DocumentDB events"). The cluster must also
  export the ``audit`` log (``data-store-logging``). Checkov CKV_AWS_104.
- ``aws.neptune.ClusterParameterGroup`` ``parameters`` set ``neptune_enable_audit_log`` to ``1``; absent or ``0``,
  the clusters using the group write no audit log (Neptune User Guide, "Using Audit Logs with Amazon Neptune
  Clusters": "Use the neptune_enable_audit_log parameter to enable (1) or disable (0) audit logs"). Exporting the
  ``audit`` log is ``data-store-logging``'s (Security Hub Neptune.2).
- PostgreSQL: an ``aws.rds.Instance`` of engine ``postgres`` and an ``aws.rds.Cluster`` of engine
  ``aurora-postgresql`` or ``postgres`` log statements through their parameter group
  (``parameterGroupName`` / ``dbClusterParameterGroupName``): ``log_statement`` other than ``none`` or
  ``log_min_duration_statement`` 0 or more. Without a group the engine's default group logs none
  (``log_statement`` ``none``, ``log_min_duration_statement`` ``-1``): a violation. A group the stack
  does not declare is not judged. Checkov CKV2_AWS_27, CKV2_AWS_30.
- Redshift: an ``aws.redshift.Cluster`` records its users' queries (the user activity log) only if its parameter
  group (``clusterParameterGroupName``) sets ``enable_user_activity_logging`` ``true``; the default group's is
  ``false`` (Redshift Management Guide, "Database audit logging": "you must also enable the
  enable_user_activity_logging database parameter"). Read as the PostgreSQL groups are. cdk-nag AwsSolutions-RS11.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.rules._declare import applies_to, examines, frameworks
from policies.rules._index import IdentifierIndex, of_type, stack_resources
from policies.rules._props import as_int, as_list, describe, get, is_unknown

DOCDB_PARAMETER_GROUP = "aws:docdb/clusterParameterGroup:ClusterParameterGroup"
NOT_AUDITING = ("disabled", "none")


def _parameters(props: Any) -> Any:
    """``{name (lower case): value}`` of a parameter group's ``parameters``; ``None`` if they are not known."""
    parameters = as_list(get(props, "parameters"))
    if is_unknown(parameters):
        return None
    found: dict[str, Any] = {}
    for parameter in parameters if isinstance(parameters, list) else []:
        name = parameter.get("name") if isinstance(parameter, dict) else None
        if is_unknown(name):
            return None
        if isinstance(name, str):
            found[name.lower()] = parameter.get("value")
    return found


def _audit_parameter(parameter: str, default: str, audits: Callable[[str], bool]) -> Callable[..., None]:
    """A parameter group's judge: ``parameter`` is set to a value ``audits`` accepts (absent, it is ``default``)."""
    def judge(args: ResourceValidationArgs, report: ReportViolation) -> None:
        parameters = _parameters(args.props)
        if parameters is None:
            return
        value = parameters.get(parameter)
        if is_unknown(value):
            return
        if value is None:
            report(f"{describe(args)} does not set {parameter} (the default is {default}): the clusters using it "
                   "write no audit log")
        elif not audits(str(value).strip()):
            report(f"{describe(args)} sets {parameter} to {value!r}: the clusters using it write no audit log")

    return judge


_docdb_audit = _audit_parameter("audit_logs", "disabled", lambda value: value.lower() not in NOT_AUDITING)


docdb_audit_logs = ResourceValidationPolicy(
    name="docdb-audit-logs",
    description="DocumentDB cluster parameter groups turn on audit logs (audit_logs enabled, ddl, dml_read, "
                "dml_write or all).",
    validate=applies_to((DOCDB_PARAMETER_GROUP,), _docdb_audit),
    severity=Severity.MEDIUM,
    remediation_steps="Add {'name': 'audit_logs', 'value': 'enabled'} (or 'all') to the aws.docdb.ClusterParameterGroup "
                      "parameters and export the cluster's audit log (enabled_cloudwatch_logs_exports=['audit']).",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)

NEPTUNE_PARAMETER_GROUP = "aws:neptune/clusterParameterGroup:ClusterParameterGroup"


_neptune_audit = _audit_parameter("neptune_enable_audit_log", "0", lambda value: value == "1")


neptune_audit_logs = ResourceValidationPolicy(
    name="neptune-audit-logs",
    description="Neptune cluster parameter groups turn on audit logs (neptune_enable_audit_log 1).",
    validate=applies_to((NEPTUNE_PARAMETER_GROUP,), _neptune_audit),
    severity=Severity.MEDIUM,
    remediation_steps="Add {'name': 'neptune_enable_audit_log', 'value': '1'} to the aws.neptune.ClusterParameterGroup "
                      "parameters and export the cluster's audit log (enable_cloudwatch_logs_exports=['audit']).",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)

RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
#: Database type -> (engines that are PostgreSQL, the input naming its parameter group, the group's type).
POSTGRES = {
    RDS_INSTANCE: (("postgres",), "parameterGroupName", PARAMETER_GROUP),
    RDS_CLUSTER: (("aurora-postgresql", "postgres"), "dbClusterParameterGroupName", CLUSTER_PARAMETER_GROUP),
}


def _logs_statements(parameters: dict[str, Any]) -> Any:
    """True if the parameters log statements, False if not, UNKNOWN-ish None if a value is unknown."""
    statement, duration = parameters.get("log_statement"), parameters.get("log_min_duration_statement")
    if is_unknown(statement) or is_unknown(duration):
        return None
    if isinstance(statement, str) and statement.strip().lower() not in ("", "none"):
        return True
    minimum = as_int(duration)
    return isinstance(minimum, int) and minimum >= 0


def _groups(resources: list[PolicyResource], group_type: str) -> tuple[IdentifierIndex, dict[str, PolicyResource]]:
    """The stack's parameter groups of ``group_type``, by name or id and by URN, for ``_group``."""
    group_list = of_type(resources, group_type)
    return IdentifierIndex(group_list, (group_type,), ("name", "id")), {group.urn: group for group in group_list}


def _group(database: PolicyResource, key: str, groups: IdentifierIndex,
           by_urn: dict[str, PolicyResource]) -> tuple[bool, Optional[PolicyResource]]:
    """(whether the database names a group, the stack's group it names if any)."""
    dependencies = [getattr(d, "urn", d) for d in (database.property_dependencies or {}).get(key) or []]
    for urn in dependencies:
        if urn in by_urn:
            return True, by_urn[urn]
    name = get(database.props, key)
    if is_unknown(name):
        return True, None
    if not isinstance(name, str) or not name:
        return bool(dependencies), None
    return True, groups.find(name)


def _postgres_logging(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    for type_, (engines, key, group_type) in POSTGRES.items():
        databases = [db for db in of_type(resources, type_)
                     if isinstance(get(db.props, "engine"), str) and not is_unknown(get(db.props, "engine"))
                     and get(db.props, "engine").lower() in engines]
        if not databases:
            continue
        groups = _groups(resources, group_type)
        for database in databases:
            named, group = _group(database, key, *groups)
            label = f"{database.resource_type} {database.name!r}"
            if not named:
                report(f"{label} uses its engine's default parameter group ({key} is not set), which logs no "
                       "statements (log_statement none, log_min_duration_statement -1)", database.urn)
                continue
            if group is None:
                continue  # a group declared elsewhere, or not known yet
            parameters = _parameters(group.props)
            if parameters is None:
                continue
            if _logs_statements(parameters) is False:
                report(f"{label} logs no statements: its parameter group {group.name!r} sets neither log_statement "
                       "(ddl, mod or all) nor log_min_duration_statement (0 or more)", database.urn)


postgres_query_logging = StackValidationPolicy(
    name="postgres-query-logging",
    description="PostgreSQL RDS instances and Aurora PostgreSQL clusters log statements through their parameter group "
                "(log_statement or log_min_duration_statement).",
    validate=examines(tuple(POSTGRES) + (PARAMETER_GROUP, CLUSTER_PARAMETER_GROUP), _postgres_logging),
    severity=Severity.MEDIUM,
    remediation_steps="Give the database an aws.rds.ParameterGroup (aws.rds.ClusterParameterGroup for Aurora) with "
                      "log_statement='ddl' (or 'mod') and log_min_duration_statement set to a threshold in ms, name it "
                      "in parameter_group_name / db_cluster_parameter_group_name, and export the postgresql log.",
    **frameworks({"nist-800-53": "AU-2, AU-3, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)

REDSHIFT_CLUSTER = "aws:redshift/cluster:Cluster"
REDSHIFT_PARAMETER_GROUP = "aws:redshift/parameterGroup:ParameterGroup"


def _redshift_user_activity(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    clusters = of_type(resources, REDSHIFT_CLUSTER)
    if not clusters:
        return
    groups = _groups(resources, REDSHIFT_PARAMETER_GROUP)
    for cluster in clusters:
        named, group = _group(cluster, "clusterParameterGroupName", *groups)
        label = f"{cluster.resource_type} {cluster.name!r}"
        if not named:
            report(f"{label} uses the default parameter group (clusterParameterGroupName is not set), whose "
                   "enable_user_activity_logging is false: the queries its users run go unrecorded", cluster.urn)
            continue
        parameters = _parameters(group.props) if group is not None else None
        value = parameters.get("enable_user_activity_logging") if parameters is not None else None
        if parameters is None or is_unknown(value):
            continue  # a group declared elsewhere, or not known yet
        if str(value).strip().lower() != "true":
            shown = "leaves it false" if value is None else f"sets it to {value!r}"
            report(f"{label} records no user activity: enable_user_activity_logging is not true (its parameter group "
                   f"{group.name!r} {shown})", cluster.urn)


redshift_user_activity_logging = StackValidationPolicy(
    name="redshift-user-activity-logging",
    description="Redshift clusters log the queries their users run: their parameter group sets "
                "enable_user_activity_logging true (the default group does not).",
    validate=examines((REDSHIFT_CLUSTER, REDSHIFT_PARAMETER_GROUP), _redshift_user_activity),
    severity=Severity.MEDIUM,
    remediation_steps="Give the cluster an aws.redshift.ParameterGroup with {'name': 'enable_user_activity_logging', "
                      "'value': 'true'}, name it in cluster_parameter_group_name, and export 'useractivitylog' with "
                      "an aws.redshift.Logging.",
    **frameworks({"nist-800-53": "AU-2, AU-3, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)

SECURITY: list = []
PRIVACY: list = []
COMPLIANCE = [docdb_audit_logs, neptune_audit_logs, postgres_query_logging, redshift_user_activity_logging]
