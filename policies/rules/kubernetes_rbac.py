"""Kubernetes RBAC declared in the program: what Roles and ClusterRoles grant, whom RoleBindings and
ClusterRoleBindings bind, and the namespace's ``default`` ServiceAccount. One control per rule:

- grants: no wildcards; no ``bind``, ``escalate`` or ``impersonate``; no approving
  CertificateSigningRequests; no control of admission webhooks; no ``create`` on ``pods/exec``,
  ``pods/attach`` or access to ``nodes/proxy``; no reading every Secret; no writing ``services/status``;
  no ``create`` on ``serviceaccounts/token`` or ``persistentvolumes``.
  One table (``GRANTS``) holds the dangerous operations; a new one is a row.
- bindings: nothing binds ``cluster-admin``; nothing binds ``system:anonymous`` or
  ``system:unauthenticated``; nothing binds every authenticated user (``system:authenticated``) or every
  service account (``system:serviceaccounts``); nothing binds a ``default`` ServiceAccount; a declared ``default``
  ServiceAccount does not automount its token.

Sources: Kubernetes "Role Based Access Control Good Practices"
(kubernetes.io/docs/concepts/security/rbac-good-practices/, "Kubernetes RBAC - privilege escalation
risks"), "Using RBAC Authorization" (kubernetes.io/docs/reference/access-authn-authz/rbac/: rule
matching, ``resourceNames``, ``bind``/``escalate``), the CIS EKS Benchmark 1.1.0 section 4.1, and
Checkov 3.3.30 (``checkov/kubernetes/checks/resource/k8s/Rbac*.py``, ``WildcardRoles.py``,
``DefaultServiceAccount*.py``; ``checks/graph_checks/*.json`` for CKV2_K8S_1-5).

Rule matching follows the API server's (``pkg/apis/rbac/v1/evaluation_helpers.go``): ``*`` matches
every verb, API group and resource; ``*/<subresource>`` every resource's subresource; a rule that
names ``resourceNames`` grants only those objects (and no ``create``), so it is not a grant of all.
A rule with an unknown list is not judged. An aggregated ClusterRole (``aggregationRule``) has its
rules filled in by the controller: only the rules it declares are judged. A binding of the built-in
``edit`` or ``admin`` ClusterRole to a ServiceAccount is judged on their bootstrap rules
(``BUILT_IN_ROLES``); bound to users and groups they are the namespace's user-facing roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._pods import Object, kind_of, objects
from policies.rules._props import UNKNOWN, as_bool, as_list, describe, get, is_unknown

RBAC = "rbac.authorization.k8s.io"
ROLE, CLUSTER_ROLE = f"{RBAC}:Role", f"{RBAC}:ClusterRole"
ROLE_BINDING, CLUSTER_ROLE_BINDING = f"{RBAC}:RoleBinding", f"{RBAC}:ClusterRoleBinding"
SERVICE_ACCOUNT = "core:ServiceAccount"
BOTH_ROLES = (ROLE, CLUSTER_ROLE)
BOTH_BINDINGS = (ROLE_BINDING, CLUSTER_ROLE_BINDING)


def _kind_in(keys: Iterable[str]) -> Callable[[str], bool]:
    wanted = frozenset(keys) | frozenset(f"{key}List" for key in keys)

    def matches(resource_type: str) -> bool:
        kind = kind_of(resource_type)
        return kind is not None and kind.key in wanted

    return matches


def _found(args: Any, keys: Iterable[str]) -> list[tuple[str, Object]]:
    """``(key, object)`` for every object of the kinds ``keys`` in a resource; ClusterRoles and
    ClusterRoleBindings are cluster-scoped (labelled by name), the rest ``namespace/name``."""
    return [(key, found) for key in keys
            for found in objects(args, key, namespaced=key not in (CLUSTER_ROLE, CLUSTER_ROLE_BINDING))]


def _allowed_schema(what: str) -> Any:
    return config_schema(
        allowedRoles={
            "type": "array", "items": {"type": "string"}, "default": [],
            "description": f"Roles ('namespace/name') and ClusterRoles ('name') reviewed and allowed to {what}.",
        },
    )


# --- what a role grants ----------------------------------------------------------------------------

def _strings(value: Any) -> Any:
    """A rule's list of strings (``[]`` when absent); ``UNKNOWN`` if it or an item is unknown."""
    value = as_list(value)
    if is_unknown(value) or any(is_unknown(item) for item in value):
        return UNKNOWN
    return [item for item in value if isinstance(item, str)]


def _resource_matches(granted: str, wanted: str) -> bool:
    # evaluation_helpers.go ResourceMatches: "*", the exact resource, or "*/<subresource>".
    return granted in ("*", wanted) or ("/" in wanted and granted == "*/" + wanted.split("/", 1)[1])


@dataclass(frozen=True)
class Operation:
    """Verbs on resources of API groups: a rule grants it when it matches one of each."""

    groups: tuple[str, ...]
    verbs: tuple[str, ...]
    resources: tuple[str, ...]

    def granted_by(self, rule: dict) -> Optional[bool]:
        """True/False, or None when the rule cannot be judged (an unknown list)."""
        groups, verbs, resources = (_strings(rule.get(k)) for k in ("apiGroups", "verbs", "resources"))
        names = _strings(rule.get("resourceNames"))
        if any(is_unknown(v) for v in (groups, verbs, resources, names)):
            return None
        if names:  # limited to named objects: not a grant of every one (and never of create)
            return False
        return (any(g in ("*",) + self.groups for g in groups)
                and any(v in ("*",) + self.verbs for v in verbs)
                and any(_resource_matches(r, w) for r in resources for w in self.resources))


def _rules(found: Object) -> list:
    rules = as_list(found.props.get("rules"))
    return [] if is_unknown(rules) else [rule for rule in rules if isinstance(rule, dict)]


def _grants(role: Object, operations: tuple[Operation, ...]) -> Optional[list[int]]:
    """The indexes of the rules that grant the operations; every operation must be granted (by some
    rule) for a finding, as approving a CSR needs both the approval update and the signer's approve."""
    rules = _rules(role)
    hits: list[int] = []
    for operation in operations:
        matched = [index for index, rule in enumerate(rules) if operation.granted_by(rule)]
        if not matched:
            return None
        hits.extend(index for index in matched if index not in hits)
    return sorted(hits)


@dataclass(frozen=True)
class Grant:
    """A dangerous grant: the operations (all needed) and the role kinds it is judged on."""

    name: str
    what: str
    operations: tuple[Operation, ...]
    kinds: tuple[str, ...]
    severity: Severity
    why: str
    remediation: str
    references: dict
    checkov: str  # the Checkov checks it matches, "" for none


CORE = ("",)
RBAC_GROUPS = (RBAC,)
GRANTS: tuple[Grant, ...] = (
    Grant("k8s-rbac-no-bind", "bind roles",
          (Operation(RBAC_GROUPS, ("bind",), ("roles", "clusterroles", "rolebindings", "clusterrolebindings")),),
          BOTH_ROLES, Severity.HIGH,
          "the bind verb lets a subject create bindings to roles with permissions it does not hold itself",
          "Remove the bind verb (or list the roles it may bind in resourceNames); let cluster administrators create "
          "bindings.", {"nist-800-53": "AC-6, AC-3"}, "CKV_K8S_157, CKV2_K8S_1"),
    Grant("k8s-rbac-no-escalate", "escalate roles",
          (Operation(RBAC_GROUPS, ("escalate",), ("roles", "clusterroles")),), BOTH_ROLES, Severity.HIGH,
          "the escalate verb lets a subject write roles with permissions it does not hold itself",
          "Remove the escalate verb; change roles through a reviewed program run by cluster administrators.",
          {"nist-800-53": "AC-6, AC-3"}, "CKV_K8S_158"),
    Grant("k8s-rbac-no-impersonate", "impersonate users, groups or service accounts",
          (Operation(("", "authentication.k8s.io"), ("impersonate",),
                     ("users", "groups", "serviceaccounts", "uids", "userextras")),), BOTH_ROLES, Severity.HIGH,
          "impersonation lets a subject act as any user, group or service account, with their permissions",
          "Remove the impersonate verb, or limit it with resourceNames to the identities it must assume.",
          {"nist-800-53": "AC-6, IA-2"}, "CKV2_K8S_3"),
    Grant("k8s-rbac-no-csr-approval", "approve CertificateSigningRequests",
          (Operation(("certificates.k8s.io",), ("update", "patch"), ("certificatesigningrequests/approval",)),
           Operation(("certificates.k8s.io",), ("approve",), ("signers",))), (CLUSTER_ROLE,), Severity.HIGH,
          "approving CSRs lets a subject issue client certificates, for example as system:masters",
          "Remove update/patch on certificatesigningrequests/approval and approve on signers, or limit approve to "
          "named signers with resourceNames.", {"nist-800-53": "AC-6, IA-5"}, "CKV_K8S_156"),
    Grant("k8s-rbac-no-webhook-control", "control admission webhooks",
          (Operation(("admissionregistration.k8s.io",), ("create", "update", "patch", "delete", "deletecollection"),
                     ("mutatingwebhookconfigurations", "validatingwebhookconfigurations")),), (CLUSTER_ROLE,),
          Severity.HIGH,
          "webhook configurations see (and mutating ones rewrite) every object admitted to the cluster; deleting "
          "one switches admission policy off",
          "Remove write access to mutating/validatingwebhookconfigurations; let only the cluster's operators manage "
          "them.", {"nist-800-53": "AC-6, CM-5"}, "CKV_K8S_155"),
    Grant("k8s-rbac-no-pod-exec", "run commands in pods or through the kubelet",
          (Operation(CORE, ("create",), ("pods/exec", "pods/attach")),), BOTH_ROLES, Severity.HIGH,
          "create on pods/exec or pods/attach runs commands inside any pod of its scope, with the pod's "
          "service account and mounted secrets",
          "Remove create on pods/exec and pods/attach; debug through reviewed break-glass roles.",
          {"nist-800-53": "AC-6, AC-17"}, "CKV2_K8S_2"),
    Grant("k8s-rbac-no-node-proxy", "use the kubelet API through nodes/proxy",
          (Operation(CORE, ("get", "create"), ("nodes/proxy",)),), (CLUSTER_ROLE,), Severity.HIGH,
          "nodes/proxy reaches the kubelet API (kubelet authorization maps its exec, run and logs endpoints to "
          "nodes/proxy), bypassing admission and audit of pod exec",
          "Remove get/create on nodes/proxy; monitoring agents read nodes/metrics and nodes/stats instead.",
          {"nist-800-53": "AC-6, AC-17"}, "CKV2_K8S_2"),
    Grant("k8s-rbac-no-secrets-read", "read every Secret",
          (Operation(CORE, ("get", "list", "watch"), ("secrets",)),), BOTH_ROLES, Severity.HIGH,
          "get, list or watch on secrets without resourceNames reads every Secret of its scope, service account "
          "tokens included",
          "Limit secret access to named Secrets (resourceNames) and get only, or mount the secrets the workload "
          "needs instead of reading them through the API.",
          {"cis-eks": "4.1.2", "nist-800-53": "AC-6, SC-28"}, "CKV2_K8S_5"),
    Grant("k8s-rbac-no-service-status-update", "write services/status",
          (Operation(CORE, ("update", "patch"), ("services/status",)),), BOTH_ROLES, Severity.MEDIUM,
          "writing services/status sets status.loadBalancer.ingress IPs, which kube-proxy routes, so the subject "
          "can intercept cluster traffic (CVE-2020-8554)",
          "Remove update/patch on services/status; only the load-balancer controller needs it.",
          {"nist-800-53": "AC-6, SC-7"}, "CKV2_K8S_4"),
    # Kubernetes "Role Based Access Control Good Practices", privilege escalation risks: "Token request"
    # and "Persistent volume creation" (no Checkov check).
    Grant("k8s-rbac-no-token-request", "issue tokens for service accounts",
          (Operation(CORE, ("create",), ("serviceaccounts/token",)),), BOTH_ROLES, Severity.HIGH,
          "create on serviceaccounts/token issues TokenRequests for existing service accounts of its scope: the "
          "subject acts with any of their permissions",
          "Remove create on serviceaccounts/token, or limit it with resourceNames to the service accounts it must "
          "act as; workloads get their tokens through projected volumes.", {"nist-800-53": "AC-6, IA-5"}, ""),
    Grant("k8s-rbac-no-persistent-volume-create", "create PersistentVolumes",
          (Operation(CORE, ("create",), ("persistentvolumes",)),), (CLUSTER_ROLE,), Severity.MEDIUM,
          "whoever creates PersistentVolumes can create hostPath volumes and mount the node's filesystem through "
          "a claim, past the Pod Security rules on pods",
          "Remove create on persistentvolumes; let StorageClasses and the CSI driver provision volumes for claims.",
          {"nist-800-53": "AC-6, CM-7"}, ""),
)


#: The user-facing ClusterRoles every cluster has (kubernetes/kubernetes
#: plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml): ``edit`` aggregates
#: ``system:aggregate-to-edit`` (and ``-to-view``), ``admin`` those and ``system:aggregate-to-admin``. A binding
#: to one grants what they grant, though the program declares no role: their rules of the core group that the
#: grants above look for, and admin's write of roles and bindings (``system:aggregate-to-admin``).
_EDIT_RULES = (
    {"apiGroups": [""], "resources": ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets",
                                      "services/proxy"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]},
    {"apiGroups": [""], "resources": ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"],
     "verbs": ["create", "delete", "deletecollection", "patch", "update"]},
    {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]},
    {"apiGroups": [""], "resources": ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                                      "replicationcontrollers/scale", "secrets", "serviceaccounts", "services",
                                      "services/proxy"], "verbs": ["create", "delete", "deletecollection", "patch",
                                                                   "update"]},
    {"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]},
)
_ADMIN_RULES = (
    {"apiGroups": ["authorization.k8s.io"], "resources": ["localsubjectaccessreviews"], "verbs": ["create"]},
    {"apiGroups": [RBAC], "resources": ["rolebindings", "roles"],
     "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]},
)
BUILT_IN_ROLES: dict[str, tuple[dict, ...]] = {"edit": _EDIT_RULES, "admin": _EDIT_RULES + _ADMIN_RULES}


def _built_in_role(binding: Object) -> Optional[tuple[str, Object]]:
    """The built-in ClusterRole (``BUILT_IN_ROLES``) a binding refers to, as a role of its rules."""
    ref = binding.props.get("roleRef")
    if not isinstance(ref, dict) or ref.get("kind") != "ClusterRole" or ref.get("apiGroup") not in (RBAC, None):
        return None
    name = ref.get("name")
    if not isinstance(name, str) or name not in BUILT_IN_ROLES:
        return None
    return name, Object({"rules": [dict(rule) for rule in BUILT_IN_ROLES[name]]}, False, name)


def _grant_rule(grant: Grant) -> Callable[..., None]:
    schema = _allowed_schema(grant.what)

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        allowed = policy_config(args, schema)["allowedRoles"] or []
        for key, role in _found(args, grant.kinds):
            if role.label in allowed:
                continue
            hits = _grants(role, grant.operations)
            if hits:
                kind = key.split(":")[1]
                rules = ", ".join(f"rules[{i}]" for i in hits)
                report(f"{describe(args)} ({kind} {role.label}) grants the right to {grant.what} ({rules}): "
                       f"{grant.why}")
        if CLUSTER_ROLE not in grant.kinds:
            return
        for key, binding in _found(args, BOTH_BINDINGS):
            built_in = _built_in_role(binding)
            if built_in is None or built_in[0] in allowed or not _grants(built_in[1], grant.operations):
                continue
            # Workloads only (as Checkov's graph checks judge roles bound to a ServiceAccount): a namespace's
            # admin or edit role for its team's users and groups is how Kubernetes means them to be used
            # ("Using RBAC Authorization", user-facing roles).
            accounts = [s.get("name") for s in _subjects(binding) if s.get("kind") == "ServiceAccount"]
            if not accounts:
                continue
            scope = "every namespace" if key == CLUSTER_ROLE_BINDING else "its namespace"
            shown = ", ".join(str(name) for name in accounts)
            report(f"{describe(args)} ({key.split(':')[1]} {binding.label}) binds the built-in ClusterRole "
                   f"{built_in[0]} to ServiceAccount {shown}, which grants the right to {grant.what} in {scope}: "
                   f"{grant.why}; bind a Role of the permissions the workload needs")

    return validate


def _grant_policy(grant: Grant) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=grant.name,
        description=f"Roles and ClusterRoles do not grant the right to {grant.what}, nor do bindings of the "
                    "built-in edit and admin ClusterRoles to service accounts"
                    + (f" (Checkov {grant.checkov})." if grant.checkov else "."),
        validate=applies_to(_kind_in(grant.kinds + BOTH_BINDINGS), _grant_rule(grant)),
        config_schema=_allowed_schema(grant.what),
        severity=grant.severity, remediation_steps=grant.remediation + " A role reviewed for it goes in allowedRoles.",
        **frameworks(grant.references))


GRANT_POLICIES = [_grant_policy(grant) for grant in GRANTS]


def _wildcards(role: Object) -> list[str]:
    found = []
    for index, rule in enumerate(_rules(role)):
        for field in ("apiGroups", "resources", "verbs", "nonResourceURLs"):
            values = _strings(rule.get(field))
            if isinstance(values, list) and any("*" in value for value in values):
                found.append(f"rules[{index}].{field}")
    return found


def _wildcard_rule(args: ResourceValidationArgs, report: ReportViolation) -> None:
    allowed = policy_config(args, WILDCARD_SCHEMA)["allowedRoles"] or []
    for key, role in _found(args, BOTH_ROLES):
        if role.label not in allowed and (where := _wildcards(role)):
            report(f"{describe(args)} ({key.split(':')[1]} {role.label}) grants with wildcards ({', '.join(where)}): "
                   "'*' takes in every present and future verb, resource or API group; name them")


WILDCARD_SCHEMA = _allowed_schema("use wildcards")
k8s_rbac_no_wildcards = ResourceValidationPolicy(
    name="k8s-rbac-no-wildcards",
    description="Roles and ClusterRoles name their API groups, resources, verbs and non-resource URLs: no '*' "
                "(Checkov CKV_K8S_49, which reads only the first rule; every rule is read here).",
    validate=applies_to(_kind_in(BOTH_ROLES), _wildcard_rule), config_schema=WILDCARD_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Replace '*' in apiGroups, resources, verbs and nonResourceURLs with the names the subject "
                      "needs; a reviewed role goes in allowedRoles.",
    **frameworks({"cis-eks": "4.1.3", "nist-800-53": "AC-6"}),
)


# --- whom a binding binds ----------------------------------------------------------------------------

def _allowed_bindings_schema(what: str) -> Any:
    return config_schema(
        allowedBindings={
            "type": "array", "items": {"type": "string"}, "default": [],
            "description": f"RoleBindings ('namespace/name') and ClusterRoleBindings ('name') reviewed and allowed "
                           f"to {what}.",
        },
    )


def _subjects(binding: Object) -> list[dict]:
    subjects = as_list(binding.props.get("subjects"))
    return [] if is_unknown(subjects) else [s for s in subjects if isinstance(s, dict)]


def _binding_rule(schema: Any, judge: Callable[[Object], Iterable[str]]) -> Callable[..., None]:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        allowed = policy_config(args, schema)["allowedBindings"] or []
        for key, binding in _found(args, BOTH_BINDINGS):
            if binding.label in allowed:
                continue
            for message in judge(binding):
                report(f"{describe(args)} ({key.split(':')[1]} {binding.label}) {message}")

    return validate


def _cluster_admin(binding: Object) -> Iterable[str]:
    kind, name = get(binding.props, "roleRef", "kind"), get(binding.props, "roleRef", "name")
    if kind == "ClusterRole" and name == "cluster-admin":
        yield ("binds the cluster-admin ClusterRole: full control of every resource; bind a role with the "
               "permissions the subjects need")


def _anonymous(binding: Object) -> Iterable[str]:
    for subject in _subjects(binding):
        if (subject.get("kind"), subject.get("name")) in (("User", "system:anonymous"),
                                                          ("Group", "system:unauthenticated")):
            yield (f"binds {subject.get('kind')} {subject.get('name')}: anyone who reaches the API server gets the "
                   "role's permissions without credentials")


#: Groups every authenticated caller, or every pod's service account, is in ("Using RBAC Authorization",
#: Default roles and role bindings / Referring to subjects: ``system:authenticated`` holds every
#: authenticated user, service accounts included; ``system:serviceaccounts`` every service account of
#: every namespace). Kubernetes binds them only to its discovery roles.
EVERYONE_GROUPS = ("system:authenticated", "system:serviceaccounts")


def _everyone(binding: Object) -> Iterable[str]:
    for subject in _subjects(binding):
        if subject.get("kind") == "Group" and subject.get("name") in EVERYONE_GROUPS:
            who = ("every authenticated user and every pod's service account" if subject.get("name") == EVERYONE_GROUPS[0]
                   else "every service account of every namespace, so every pod")
            yield (f"binds Group {subject.get('name')}: {who} gets the role's permissions; bind the users, groups or "
                   "service accounts that need them")


def _default_account(binding: Object) -> Iterable[str]:
    for subject in _subjects(binding):
        if subject.get("kind") == "ServiceAccount" and subject.get("name") == "default":
            space = subject.get("namespace")
            yield (f"binds the default ServiceAccount{f' of {space}' if isinstance(space, str) else ''}: every pod "
                   "of the namespace that names no service account gets the role; bind a dedicated ServiceAccount")


CLUSTER_ADMIN_SCHEMA = _allowed_bindings_schema("bind cluster-admin")
ANONYMOUS_SCHEMA = _allowed_bindings_schema("bind anonymous users")
DEFAULT_BINDING_SCHEMA = _allowed_bindings_schema("bind a default ServiceAccount")
EVERYONE_SCHEMA = _allowed_bindings_schema("bind system:authenticated or system:serviceaccounts")

k8s_no_cluster_admin_binding = ResourceValidationPolicy(
    name="k8s-no-cluster-admin-binding",
    description="No RoleBinding or ClusterRoleBinding refers to the cluster-admin ClusterRole (CIS EKS 4.1.1).",
    validate=applies_to(_kind_in(BOTH_BINDINGS), _binding_rule(CLUSTER_ADMIN_SCHEMA, _cluster_admin)),
    config_schema=CLUSTER_ADMIN_SCHEMA, severity=Severity.HIGH,
    remediation_steps="Bind a Role or ClusterRole that grants only what the subjects need; cluster administrators "
                      "get access through EKS access entries (AmazonEKSClusterAdminPolicy), not program-made "
                      "bindings. A reviewed binding goes in allowedBindings.",
    **frameworks({"cis-eks": "4.1.1", "nist-800-53": "AC-6, AC-2"}),
)
k8s_no_anonymous_binding = ResourceValidationPolicy(
    name="k8s-no-anonymous-binding",
    description="No RoleBinding or ClusterRoleBinding binds the User system:anonymous or the Group "
                "system:unauthenticated.",
    validate=applies_to(_kind_in(BOTH_BINDINGS), _binding_rule(ANONYMOUS_SCHEMA, _anonymous)),
    config_schema=ANONYMOUS_SCHEMA, severity=Severity.HIGH,
    remediation_steps="Remove system:anonymous and system:unauthenticated from the subjects; bind authenticated "
                      "users, groups or service accounts.",
    **frameworks({"nist-800-53": "AC-3, AC-14, IA-2", "pci-dss": "7.2.1"}),
)
k8s_no_all_authenticated_binding = ResourceValidationPolicy(
    name="k8s-no-all-authenticated-binding",
    description="No RoleBinding or ClusterRoleBinding binds the Group system:authenticated (every authenticated "
                "user and service account) or system:serviceaccounts (every service account).",
    validate=applies_to(_kind_in(BOTH_BINDINGS), _binding_rule(EVERYONE_SCHEMA, _everyone)),
    config_schema=EVERYONE_SCHEMA, severity=Severity.HIGH,
    remediation_steps="Replace the group with the users, groups (from your identity provider or EKS access entries) "
                      "or ServiceAccounts that need the role; a reviewed read-only binding goes in allowedBindings.",
    **frameworks({"nist-800-53": "AC-3, AC-6", "pci-dss": "7.2.1"}),
)
k8s_no_default_service_account_binding = ResourceValidationPolicy(
    name="k8s-no-default-service-account-binding",
    description="No RoleBinding or ClusterRoleBinding binds a namespace's default ServiceAccount (Checkov CKV_K8S_42).",
    validate=applies_to(_kind_in(BOTH_BINDINGS), _binding_rule(DEFAULT_BINDING_SCHEMA, _default_account)),
    config_schema=DEFAULT_BINDING_SCHEMA, severity=Severity.MEDIUM,
    remediation_steps="Create a ServiceAccount for the workload, bind the role to it and set the pods' "
                      "serviceAccountName.",
    **frameworks({"cis-eks": "4.1.5", "nist-800-53": "AC-6, IA-2"}),
)


# --- the default ServiceAccount ------------------------------------------------------------------------

def _default_token(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for account in objects(args, SERVICE_ACCOUNT):
        if get(account.props, "metadata", "name") != "default":
            continue
        value = as_bool(account.props.get("automountServiceAccountToken"))
        if is_unknown(value) or value is False or (value is None and account.partial):
            continue
        report(f"{describe(args)} ({account.label}) is a default ServiceAccount that automounts its token "
               f"(automountServiceAccountToken {'true' if value else 'unset, so true'}): every pod that names no "
               "service account carries an API token; set automountServiceAccountToken false")


k8s_default_service_account_no_automount = ResourceValidationPolicy(
    name="k8s-default-service-account-no-automount",
    description="A declared default ServiceAccount (or a patch of it that sets the field) sets "
                "automountServiceAccountToken false (CIS EKS 4.1.5; Checkov CKV_K8S_41).",
    validate=applies_to(_kind_in((SERVICE_ACCOUNT,)), _default_token), severity=Severity.MEDIUM,
    remediation_steps="Patch each namespace's default ServiceAccount with automountServiceAccountToken: false "
                      "(kubernetes.core.v1.ServiceAccountPatch) and give workloads their own ServiceAccounts.",
    **frameworks({"cis-eks": "4.1.5", "nist-800-53": "AC-6, IA-5"}),
)

SECURITY = [k8s_rbac_no_wildcards, *GRANT_POLICIES, k8s_no_cluster_admin_binding, k8s_no_anonymous_binding,
            k8s_no_all_authenticated_binding,
            k8s_no_default_service_account_binding, k8s_default_service_account_no_automount]
PRIVACY: list = []
COMPLIANCE: list = []
