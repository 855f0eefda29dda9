"""EFS access points confine their clients: a root directory below the file system's root, and a POSIX
user the access point enforces.

``aws.efs.AccessPoint`` (pulumi-aws 7 efs/access_point.py): ``rootDirectory.path`` defaults to ``/``,
the whole file system; ``posixUser`` (``uid``, ``gid``) absent lets each NFS client act as whatever
user it claims. Checkov CKV_AWS_329 (root directory), CKV_AWS_330 (user identity).
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, frameworks
from policies.rules._props import describe, get, is_unknown, single

ACCESS_POINT = "aws:efs/accessPoint:AccessPoint"


def _root_directory(args: ResourceValidationArgs, report: ReportViolation) -> None:
    root = single(get(args.props, "rootDirectory"))
    if is_unknown(root):
        return
    path = root.get("path") if isinstance(root, dict) else None
    if is_unknown(path):
        return
    if not isinstance(path, str) or path.strip() in ("", "/"):
        shown = "not set (/)" if not isinstance(path, str) or not path.strip() else "/"
        report(f"{describe(args)} exposes the whole file system (rootDirectory.path is {shown}): give each "
               "application its own directory")


efs_access_point_root_directory = ResourceValidationPolicy(
    name="efs-access-point-root-directory",
    description="EFS access points expose a directory below the file system's root (rootDirectory.path not /).",
    validate=applies_to((ACCESS_POINT,), _root_directory),
    severity=Severity.MEDIUM,
    remediation_steps="Set root_directory={'path': '/<application>', 'creation_info': {'owner_uid': ..., "
                      "'owner_gid': ..., 'permissions': '750'}} on the aws.efs.AccessPoint.",
    **frameworks({"nist-800-53": "AC-6, AC-3", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)"}),
)


def _posix_user(args: ResourceValidationArgs, report: ReportViolation) -> None:
    user = single(get(args.props, "posixUser"))
    if is_unknown(user):
        return
    gid = user.get("gid") if isinstance(user, dict) else None
    uid = user.get("uid") if isinstance(user, dict) else None
    if is_unknown(gid) or is_unknown(uid) or (gid is not None and uid is not None):
        return
    report(f"{describe(args)} enforces no POSIX user (posixUser with uid and gid): each NFS client acts as the user "
           "it claims, root included")


efs_access_point_posix_user = ResourceValidationPolicy(
    name="efs-access-point-posix-user",
    description="EFS access points enforce a POSIX user and group (posixUser uid and gid).",
    validate=applies_to((ACCESS_POINT,), _posix_user),
    severity=Severity.MEDIUM,
    remediation_steps="Set posix_user={'uid': 1000, 'gid': 1000} on the aws.efs.AccessPoint (the application's "
                      "user, not 0).",
    **frameworks({"nist-800-53": "AC-6, IA-2", "pci-dss": "7.2.1", "hipaa": "164.312(a)(1)"}),
)

SECURITY = [efs_access_point_root_directory, efs_access_point_posix_user]
PRIVACY: list = []
COMPLIANCE: list = []
