"""Lake Formation: the data lake's permissions stay Lake Formation's, never handed back to IAM alone.

``IAM_ALLOWED_PRINCIPALS`` is Lake Formation's group of "every IAM user and role that IAM policies allow"
(AWS Lake Formation Developer Guide, "Changing the default settings for your data lake"). Granting it
``ALL`` as a default permission for new databases or tables ("Use only IAM access control"), or granting
it on a resource, turns Lake Formation's fine-grained permissions (column, row and cell filters, the
grants a program declares with ``aws.lakeformation.Permissions``) off for those resources: any IAM
principal with glue:Get* and S3 access reads every table. Lake Formation reads a null default-permissions
list as "access control by Lake Formation permissions" and one "that assigns ALL to IAM_ALLOWED_PRINCIPALS"
as "access control by IAM permissions" (botocore lakeformation/2017-03-31 service-2.json,
DataLakeSettings.CreateDatabaseDefaultPermissions), so an omitted list is not judged; only an explicit
grant to the group is reported.

Shapes (pulumi-aws 7 lakeformation/data_lake_settings.py, permissions.py; pulumi-aws-native 1.84
lakeformation/principal_permissions.py): ``DataLakeSettings.createDatabaseDefaultPermissions`` and
``createTableDefaultPermissions``, lists of ``{principal, permissions}``; ``Permissions.principal``, a
string; aws-native ``PrincipalPermissions.principal.dataLakePrincipalIdentifier``. The same defaults set on a Glue
database or catalog (pulumi-aws 7 glue/catalog_database.py ``createTableDefaultPermissions``, glue/catalog.py
``createDatabaseDefaultPermissions`` and ``createTableDefaultPermissions``: lists of ``{permissions, principal:
{dataLakePrincipalIdentifier}}``; botocore glue ``DatabaseInput.CreateTableDefaultPermissions``) hand that database's
or catalog's new tables to IAM alone.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._props import as_list, describe, get, is_unknown, single

SETTINGS = "aws:lakeformation/dataLakeSettings:DataLakeSettings"
#: Per type, its default-permission lists.
DEFAULTS: dict[str, tuple[str, ...]] = {
    SETTINGS: ("createDatabaseDefaultPermissions", "createTableDefaultPermissions"),
    "aws:glue/catalogDatabase:CatalogDatabase": ("createTableDefaultPermissions",),
    "aws:glue/catalog:Catalog": ("createDatabaseDefaultPermissions", "createTableDefaultPermissions"),
}
PERMISSIONS = ("aws:lakeformation/permissions:Permissions", "aws-native:lakeformation:PrincipalPermissions")
IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS"


def _principal(value: Any) -> Any:
    """A principal given as a string, or as ``{dataLakePrincipalIdentifier}`` (aws-native's, and Glue's block, which a
    program may write as a list of one)."""
    value = single(value)
    if isinstance(value, dict):
        return value.get("dataLakePrincipalIdentifier")
    return value


def _is_iam_allowed(value: Any) -> bool:
    value = _principal(value)
    return not is_unknown(value) and isinstance(value, str) and value.strip().upper() == IAM_ALLOWED_PRINCIPALS


def _validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in DEFAULTS:
        for key in DEFAULTS[args.resource_type]:
            entries = as_list(get(args.props, key))
            if not isinstance(entries, list):  # unknown in a preview
                continue
            if any(isinstance(e, dict) and _is_iam_allowed(e.get("principal")) for e in entries):
                report(f"{describe(args)} grants {IAM_ALLOWED_PRINCIPALS} in {key}: new "
                       f"{'databases' if 'Database' in key else 'tables'} use only IAM access control, and Lake "
                       "Formation's grants and data filters do not apply to them")
    elif _is_iam_allowed(get(args.props, "principal")):
        report(f"{describe(args)} grants to {IAM_ALLOWED_PRINCIPALS}: every IAM principal that IAM policies let "
               "reach the resource gets access, bypassing Lake Formation's permissions")


lakeformation_no_iam_allowed_principals = ResourceValidationPolicy(
    name="lakeformation-no-iam-allowed-principals",
    description="Lake Formation default permissions (of the data lake, a Glue database or catalog) and grants never "
                "name IAM_ALLOWED_PRINCIPALS (IAM-only access control, which switches Lake Formation's permissions off).",
    validate=applies_to((*DEFAULTS, *PERMISSIONS), _validate),
    severity=Severity.MEDIUM,
    remediation_steps="Set create_database_default_permissions and create_table_default_permissions to [] on the "
                      "aws.lakeformation.DataLakeSettings, revoke IAM_ALLOWED_PRINCIPALS from existing databases "
                      "and tables, and grant named roles with aws.lakeformation.Permissions.",
    **frameworks({"nist-800-53": "AC-3, AC-6", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)", "gdpr": "Art. 25(2)"}),
)

SECURITY = [lakeformation_no_iam_allowed_principals]
PRIVACY: list = []
COMPLIANCE: list = []
