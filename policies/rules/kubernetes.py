"""Kubernetes workloads declared in the program, every kind that carries a pod spec (Pods,
Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, and the pod templates inside
RayClusters, RayJobs, RayServices, Kubeflow jobs, JobSets, Kueue Workloads...; see
``policies/rules/_pods.py``), one control per rule:

- security: no host network, PID or IPC namespace; no hostPath volumes or host ports; no privileged
  containers; no privilege escalation; containers run as a non-root user, add no capabilities beyond
  the runtime's defaults, drop all capabilities, run under a seccomp profile and with a read-only
  root filesystem, keep /proc masked, AppArmor confined, SELinux types the container ones, no Windows
  HostProcess, only safe sysctls and no probe or hook aimed at a host (the rest of the Pod Security
  Standards' Baseline); the Restricted volume types and added capabilities; images pinned to a tag other than
  ``latest`` (or a digest); Services of type LoadBalancer are internal. RBAC, service accounts,
  namespaces, Ingresses and the rest are in ``kubernetes_rbac``, ``kubernetes_exposure`` and
  ``kubernetes_workloads``.
- compliance: every container requests CPU and memory and has a memory limit (a LimitRange in the
  namespace that defaults them counts); GPU workloads tolerate the GPU taint and set GPU limits.

The node agents that must reach the host (the VPC CNI, kube-proxy, CSI and device plugins) run as
DaemonSets; ``exemptDaemonSets`` (``namespace/name``) lists those the host and privilege rules let
through. Helm releases are opaque to these rules: their manifests are rendered by Helm inside the
provider, not declared as resources.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

from pulumi_policy import (
    PolicyConfigSchema, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity, StackValidationArgs,
    StackValidationPolicy,
)

from policies.rules._pods import (
    Container, Pod, containers, is_kind, is_workload, kind_of, namespace, pod_namespace, pods, workload_name,
)
from policies.rules._declare import applies_to, config_schema, examines, frameworks, policy_config
from policies.rules._props import as_bool, as_int, as_list, describe, get, is_unknown
from policies.rules.container_images import image_tag

GPU = "nvidia.com/gpu"
SERVICE = "core:Service"
LIMIT_RANGE = "core:LimitRange"
DAEMON_SET = "apps:DaemonSet"
SYSTEM_DAEMON_SETS = ["kube-system/aws-node", "kube-system/kube-proxy", "kube-system/ebs-csi-node",
                      "kube-system/efs-csi-node", "kube-system/fsx-csi-node", "kube-system/eks-pod-identity-agent",
                      "gpu-system/nvidia-device-plugin", "gpu-system/dcgm-exporter",
                      "gpu-system/aws-efa-k8s-device-plugin"]
EXEMPT_SCHEMA = config_schema(
    exemptDaemonSets={
        "type": "array", "items": {"type": "string"}, "default": SYSTEM_DAEMON_SETS,
        "description": "DaemonSets ('namespace/name') of node agents this rule lets through; only DaemonSets "
                       "are exempt, a Deployment of the same name is not.",
    },
)


def _exempt(args: ResourceValidationArgs, schema: PolicyConfigSchema = EXEMPT_SCHEMA) -> bool:
    kind = kind_of(args.resource_type)
    if kind is None or kind.key != DAEMON_SET:
        return False
    return workload_name(args) in (policy_config(args, schema)["exemptDaemonSets"] or [])


def workload_rule(judge: Callable[..., Iterable[str]], exemptible: bool = False,
                  schema: Optional[PolicyConfigSchema] = None) -> Callable[..., None]:
    """A resource ``validate`` that runs ``judge(pod)`` on every pod spec of a workload (``judge(pod, config)``
    when the rule has a config ``schema``) and reports each message it yields, prefixed with the resource
    (and, for custom resources and list items, the pod's place). ``exemptible``: exempt DaemonSets pass."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        found = pods(args)
        if not found or (exemptible and _exempt(args, schema or EXEMPT_SCHEMA)):
            return
        config = policy_config(args, schema) if schema is not None else None
        for pod in found:
            for message in (judge(pod) if config is None else judge(pod, config)):
                report(f"{describe(args)} ({workload_name(args)}){pod.label}: {message}")

    return validate


def pod_policy(name: str, description: str, judge: Callable[..., Iterable[str]], severity: Severity,
               remediation: str, references: dict[str, str], exemptible: bool = True,
               schema: Optional[PolicyConfigSchema] = None) -> ResourceValidationPolicy:
    """A workload rule from a pod ``judge`` (see ``workload_rule``); its config schema is ``schema`` (which
    then carries ``exemptDaemonSets`` too when ``exemptible``), else ``EXEMPT_SCHEMA`` when exemptible."""
    return ResourceValidationPolicy(
        name=name, description=description,
        validate=applies_to(is_workload, workload_rule(judge, exemptible, schema)),
        config_schema=schema or (EXEMPT_SCHEMA if exemptible else None), severity=severity,
        remediation_steps=remediation, **frameworks(references))


# --- host namespaces and host paths -----------------------------------------------------------------

def _host_flag(field: str, what: str) -> Callable[[Pod], Iterable[str]]:
    def judge(pod: Pod) -> Iterable[str]:
        if as_bool(pod.spec.get(field)) is True:
            yield f"shares the node's {what} ({field}: true); remove {field}"
    return judge


k8s_no_host_network = pod_policy(
    "k8s-no-host-network", "Pods do not use the node's network namespace (hostNetwork), except exempt node agents.",
    _host_flag("hostNetwork", "network namespace"), Severity.HIGH,
    "Remove hostNetwork from the pod spec and expose the workload through a Service; a node agent DaemonSet that "
    "needs it goes in exemptDaemonSets after review.",
    {"cis-eks": "4.2.4", "nist-800-53": "SC-7, AC-6", "pci-dss": "2.2.4"})
k8s_no_host_pid = pod_policy(
    "k8s-no-host-pid", "Pods do not share the node's process ID namespace (hostPID), except exempt node agents.",
    _host_flag("hostPID", "process namespace"), Severity.HIGH,
    "Remove hostPID from the pod spec; containers then see only their own processes.",
    {"cis-eks": "4.2.2", "nist-800-53": "SC-39, AC-6", "pci-dss": "2.2.4"})
k8s_no_host_ipc = pod_policy(
    "k8s-no-host-ipc", "Pods do not share the node's IPC namespace (hostIPC), except exempt node agents.",
    _host_flag("hostIPC", "IPC namespace"), Severity.HIGH,
    "Remove hostIPC from the pod spec; use a shared emptyDir (medium Memory) for shared memory between containers.",
    {"cis-eks": "4.2.3", "nist-800-53": "SC-39, AC-6", "pci-dss": "2.2.4"})


def _host_paths(pod: Pod) -> Iterable[str]:
    volumes = pod.spec.get("volumes")
    for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
        if isinstance(volume, dict) and volume.get("hostPath") is not None:
            path = get(volume, "hostPath", "path")
            yield (f"volume {volume.get('name') or f'#{index}'} mounts the node's filesystem "
                   f"(hostPath {path if isinstance(path, str) else '?'}); use a PersistentVolumeClaim, emptyDir or "
                   "a CSI volume")


k8s_no_host_path_volumes = pod_policy(
    "k8s-no-host-path-volumes", "Pods mount no hostPath volumes, except exempt node agents.",
    _host_paths, Severity.HIGH,
    "Replace hostPath volumes with PersistentVolumeClaims (EBS, EFS, FSx for Lustre CSI), emptyDir or projected "
    "volumes; a node agent DaemonSet that needs host paths goes in exemptDaemonSets after review.",
    {"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.4"})


# --- privileges and users -----------------------------------------------------------------------------

def _privileged(pod: Pod) -> Iterable[str]:
    for container in containers(pod):
        if as_bool(get(container.spec, "securityContext", "privileged")) is True:
            yield f"{container.label} runs privileged; drop securityContext.privileged and grant only needed capabilities"


k8s_no_privileged_containers = pod_policy(
    "k8s-no-privileged-containers", "Workloads run no privileged containers, except exempt node agent DaemonSets.",
    _privileged, Severity.HIGH,
    "Remove securityContext.privileged (grant only the capabilities needed), or, for a node agent DaemonSet, add "
    "'namespace/name' to exemptDaemonSets after review.",
    {"cis-eks": "4.2.1", "nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.4"})


def _escalation(pod: Pod) -> Iterable[str]:
    for container in containers(pod, ("initContainers", "containers")):
        allowed = as_bool(get(container.spec, "securityContext", "allowPrivilegeEscalation"))
        if is_unknown(allowed) or allowed is False or (allowed is None and pod.partial):
            continue
        # Kubernetes defaults allowPrivilegeEscalation to true (core/v1 SecurityContext).
        shown = "true" if allowed is True else "unset, so true"
        yield (f"{container.label} may gain privileges (allowPrivilegeEscalation {shown}); set "
               "securityContext.allowPrivilegeEscalation false")


k8s_no_privilege_escalation = pod_policy(
    "k8s-no-privilege-escalation",
    "Containers set allowPrivilegeEscalation false (Kubernetes defaults it to true), except exempt node agents.",
    _escalation, Severity.MEDIUM,
    "Set securityContext.allowPrivilegeEscalation=false on every container and init container.",
    {"cis-eks": "4.2.5", "nist-800-53": "AC-6(10)", "pci-dss": "2.2.4"})


def _root(pod: Pod) -> Iterable[str]:
    if get(pod.spec, "os", "name") == "windows":
        return  # Windows pods name users with windowsOptions.runAsUserName
    pod_context = pod.spec.get("securityContext") if isinstance(pod.spec.get("securityContext"), dict) else {}
    for container in containers(pod, ("initContainers", "containers")):
        context = container.spec.get("securityContext")
        context = context if isinstance(context, dict) else {}
        # A container's setting wins over the pod's (core/v1 PodSecurityContext).
        user = context.get("runAsUser") if context.get("runAsUser") is not None else pod_context.get("runAsUser")
        non_root = (context.get("runAsNonRoot") if context.get("runAsNonRoot") is not None
                    else pod_context.get("runAsNonRoot"))
        user, non_root = as_int(user), as_bool(non_root)
        if is_unknown(user) or is_unknown(non_root):
            continue
        if user == 0:
            yield f"{container.label} runs as root (runAsUser 0); run as a non-zero UID"
        elif non_root is not True and not (isinstance(user, int) and user > 0) and not pod.partial:
            yield (f"{container.label} may run as root (neither runAsNonRoot true nor a non-zero runAsUser, so the "
                   "image's user applies); set securityContext.runAsNonRoot true")


k8s_run_as_non_root = pod_policy(
    "k8s-run-as-non-root",
    "Containers run as a non-root user: runAsNonRoot true or a non-zero runAsUser, at pod or container level, "
    "and never runAsUser 0.",
    _root, Severity.MEDIUM,
    "Set securityContext.runAsNonRoot=true and runAsUser to a non-zero UID in the pod spec (or each container), "
    "and build images with a non-root USER.",
    {"cis-eks": "4.2.6", "nist-800-53": "AC-6", "pci-dss": "2.2.4"})


# --- capabilities, seccomp, filesystem, host ports --------------------------------------------------------

#: What the Pod Security Standards' Baseline profile lets a container add (kubernetes.io, "Pod Security
#: Standards", Capabilities): the container runtime's default set.
BASELINE_CAPABILITIES = frozenset({"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                   "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"})


def _capabilities(container: Container, key: str) -> Any:
    value = as_list(get(container.spec, "securityContext", "capabilities", key))
    if is_unknown(value):
        return value
    return [str(item).upper().removeprefix("CAP_") for item in value if isinstance(item, str)]


def _added_capabilities(pod: Pod) -> Iterable[str]:
    for container in containers(pod):
        added = _capabilities(container, "add")
        if is_unknown(added):
            continue
        extra = [name for name in added if name not in BASELINE_CAPABILITIES]
        if extra:
            yield (f"{container.label} adds capabilities {', '.join(extra)}; add only what the Baseline profile "
                   "allows (NET_BIND_SERVICE, ...)")


k8s_no_added_capabilities = pod_policy(
    "k8s-no-added-capabilities",
    "Containers add no Linux capabilities beyond the runtime's default set (SYS_ADMIN, NET_ADMIN, NET_RAW, ALL...), "
    "except exempt node agents.",
    _added_capabilities, Severity.HIGH,
    "Remove securityContext.capabilities.add entries outside the Pod Security Baseline set; a node agent DaemonSet "
    "that needs them goes in exemptDaemonSets after review.",
    {"cis-eks": "4.2.8", "nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.4"})


def _dropped_capabilities(pod: Pod) -> Iterable[str]:
    for container in containers(pod, ("initContainers", "containers")):
        dropped = _capabilities(container, "drop")
        if is_unknown(dropped) or "ALL" in dropped or (pod.partial and not dropped):
            continue
        yield (f"{container.label} keeps the runtime's default capabilities (NET_RAW among them); set "
               "securityContext.capabilities.drop ['ALL'] and add back only what it needs")


k8s_drop_all_capabilities = pod_policy(
    "k8s-drop-all-capabilities",
    "Containers drop all Linux capabilities (capabilities.drop ALL, the Pod Security Restricted profile), except "
    "exempt node agents.",
    _dropped_capabilities, Severity.MEDIUM,
    "Set securityContext.capabilities={'drop': ['ALL']} on every container (add NET_BIND_SERVICE back if it binds "
    "a port below 1024).",
    {"cis-eks": "4.2.7", "nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.4"})


def _seccomp(pod: Pod) -> Iterable[str]:
    pod_profile = get(pod.spec, "securityContext", "seccompProfile", "type")
    if is_unknown(pod_profile):
        return
    for container in containers(pod, ("initContainers", "containers")):
        profile = get(container.spec, "securityContext", "seccompProfile", "type")
        profile = pod_profile if profile is None else profile  # the container's setting wins
        if is_unknown(profile) or profile in ("RuntimeDefault", "Localhost") or (profile is None and pod.partial):
            continue
        shown = "Unconfined" if profile == "Unconfined" else "unset, so Unconfined"
        yield (f"{container.label} runs without a seccomp profile ({shown}); set securityContext.seccompProfile "
               "type RuntimeDefault in the pod spec")


k8s_seccomp_profile = pod_policy(
    "k8s-seccomp-profile",
    "Containers run under a seccomp profile (RuntimeDefault or Localhost, at pod or container level), except exempt "
    "node agents.",
    _seccomp, Severity.MEDIUM,
    "Set securityContext.seccompProfile={'type': 'RuntimeDefault'} in the pod spec.",
    {"nist-800-53": "CM-7, SC-39", "pci-dss": "2.2.4"})


def _read_only_root(pod: Pod) -> Iterable[str]:
    for container in containers(pod, ("initContainers", "containers")):
        value = as_bool(get(container.spec, "securityContext", "readOnlyRootFilesystem"))
        if is_unknown(value) or value is True or (value is None and pod.partial):
            continue
        yield (f"{container.label} can write to its root filesystem; set securityContext.readOnlyRootFilesystem true "
               "and mount an emptyDir where it writes")


k8s_read_only_root_filesystem = pod_policy(
    "k8s-read-only-root-filesystem",
    "Containers run with a read-only root filesystem, except exempt node agents.",
    _read_only_root, Severity.LOW,
    "Set securityContext.readOnlyRootFilesystem=true and mount emptyDir volumes at the paths the process writes "
    "(/tmp, caches).",
    {"nist-800-53": "CM-5, SI-7", "pci-dss": "2.2.4"})


def _host_ports(pod: Pod) -> Iterable[str]:
    for container in containers(pod):
        ports = as_list(container.spec.get("ports"))
        for port in [] if is_unknown(ports) else ports:
            host_port = as_int(port.get("hostPort")) if isinstance(port, dict) else None
            if isinstance(host_port, int) and host_port > 0:
                yield (f"{container.label} binds host port {host_port} on its node; expose it through a Service "
                       "instead")


k8s_no_host_ports = pod_policy(
    "k8s-no-host-ports", "Containers bind no host ports (hostPort), except exempt node agents.",
    _host_ports, Severity.MEDIUM,
    "Remove ports[].hostPort and expose the workload through a Service (ClusterIP, or an internal load balancer).",
    {"nist-800-53": "SC-7, CM-7", "pci-dss": "1.2.1"})


# --- the rest of the Pod Security Standards' Baseline profile ---------------------------------------------
# kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy/: check_procMount.go (procMount
# Default or unset, relaxed for user-namespaced pods, hostUsers false), check_appArmorProfile.go
# (Unconfined is forbidden), check_seLinuxOptions.go (type "", container_t, container_init_t or
# container_kvm_t; no user or role), check_windowsHostProcess.go (hostProcess false or unset).

def _proc_mount(pod: Pod) -> Iterable[str]:
    if as_bool(pod.spec.get("hostUsers")) is False:
        return  # a user-namespaced pod may unmask /proc (procMount_1_34)
    for container in containers(pod):
        mount = get(container.spec, "securityContext", "procMount")
        if isinstance(mount, str) and not is_unknown(mount) and mount != "Default":
            yield (f"{container.label} mounts /proc unmasked (procMount {mount}): the kernel paths the runtime hides "
                   "become visible and writable; remove procMount")


k8s_no_unmasked_proc_mount = pod_policy(
    "k8s-no-unmasked-proc-mount",
    "Containers keep the runtime's /proc masks (procMount unset or Default), unless the pod runs in its own user "
    "namespace (hostUsers false).",
    _proc_mount, Severity.HIGH,
    "Remove securityContext.procMount (or set it Default); a workload that needs an unmasked /proc runs with "
    "hostUsers: false.",
    {"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.4"})


def _contexts(pod: Pod) -> Iterable[tuple[str, dict]]:
    """``(who, securityContext)`` for the pod and each of its containers that has one."""
    context = pod.spec.get("securityContext")
    if isinstance(context, dict):
        yield "the pod", context
    for container in containers(pod):
        context = container.spec.get("securityContext")
        if isinstance(context, dict):
            yield container.label, context


#: The beta AppArmor annotations of a pod (template), one per container, still honoured by the kubelet
#: (core/v1 ``DeprecatedAppArmorBetaContainerAnnotationKeyPrefix``); check_appArmorProfile.go allows
#: only ``runtime/default`` and ``localhost/<profile>`` (or empty) as their values.
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def _app_armor(pod: Pod) -> Iterable[str]:
    for who, context in _contexts(pod):
        if get(context, "appArmorProfile", "type") == "Unconfined":
            yield (f"{who} runs without AppArmor (appArmorProfile type Unconfined); use RuntimeDefault or a "
                   "Localhost profile")
    annotations = pod.metadata.get("annotations")
    for key, value in sorted(annotations.items()) if isinstance(annotations, dict) else []:
        if not key.startswith(APPARMOR_ANNOTATION) or not isinstance(value, str) or is_unknown(value):
            continue
        if value and value != "runtime/default" and not value.startswith("localhost/"):
            yield (f"container {key.removeprefix(APPARMOR_ANNOTATION)} runs without AppArmor (annotation {key}: "
                   f"{value}); use runtime/default or localhost/<profile>, or securityContext.appArmorProfile")


k8s_no_apparmor_unconfined = pod_policy(
    "k8s-no-apparmor-unconfined",
    "No pod or container sets appArmorProfile type Unconfined, nor a container.apparmor.security.beta.kubernetes.io "
    "annotation other than runtime/default or localhost/<profile> (the runtime's default profile then applies), "
    "except exempt node agents.",
    _app_armor, Severity.MEDIUM,
    "Remove appArmorProfile and the AppArmor annotations (the runtime default applies) or set type RuntimeDefault or "
    "Localhost with a localhostProfile (annotation: runtime/default or localhost/<profile>).",
    {"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.4"})

SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})


def _selinux(pod: Pod) -> Iterable[str]:
    for who, context in _contexts(pod):
        options = context.get("seLinuxOptions")
        if not isinstance(options, dict):
            continue
        kind, user, role = options.get("type"), options.get("user"), options.get("role")
        if isinstance(kind, str) and not is_unknown(kind) and kind not in SELINUX_TYPES:
            yield f"{who} sets SELinux type {kind}; leave it unset or use container_t"
        for field, value in (("user", user), ("role", role)):
            if isinstance(value, str) and value and not is_unknown(value):
                yield f"{who} sets SELinux {field} {value}; remove seLinuxOptions.{field}"


k8s_selinux_options_default = pod_policy(
    "k8s-selinux-options-default",
    "SELinux options keep the container types (type unset, container_t, container_init_t or container_kvm_t) and "
    "set no user or role, except exempt node agents.",
    _selinux, Severity.MEDIUM,
    "Remove seLinuxOptions.type (or use container_t), .user and .role; keep only the level (MCS labels) if needed.",
    {"nist-800-53": "AC-3(3), AC-6", "pci-dss": "2.2.4"})


def _host_process(pod: Pod) -> Iterable[str]:
    for who, context in _contexts(pod):
        if as_bool(get(context, "windowsOptions", "hostProcess")) is True:
            yield (f"{who} runs as a Windows HostProcess container (windowsOptions.hostProcess true), with the node's "
                   "privileges; remove hostProcess")


k8s_no_windows_host_process = pod_policy(
    "k8s-no-windows-host-process",
    "No pod or container runs as a Windows HostProcess container (windowsOptions.hostProcess true), except exempt "
    "node agents.",
    _host_process, Severity.HIGH,
    "Remove securityContext.windowsOptions.hostProcess; a node agent DaemonSet that needs it goes in "
    "exemptDaemonSets after review.",
    {"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.4"})


# --- sysctls, host probes (Baseline) ------------------------------------------------------------------------
# kubernetes.io, "Pod Security Standards", Baseline: Sysctls ("spec.securityContext.sysctls[*].name",
# allowed: undefined/nil and the safe set), Host Probes / Lifecycle Hooks (v1.34+: "host" of every probe's
# and lifecycle hook's httpGet and tcpSocket undefined or ""); pod-security-admission check_sysctls.go
# (sysctlsAllowedV1Dot32) and check_hostProbesAndHostLifecycle.go.

SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
]
SYSCTL_SCHEMA = config_schema(
    allowedSysctls={
        "type": "array", "items": {"type": "string"}, "default": SAFE_SYSCTLS,
        "description": "Sysctls pods may set: the Pod Security Standards' safe set (Kubernetes 1.32+); a sysctl added "
                       "here must also be allowed on the nodes (kubelet --allowed-unsafe-sysctls).",
    },
    **EXEMPT_SCHEMA.properties,
)


def _sysctls(pod: Pod, config: dict) -> Iterable[str]:
    sysctls = as_list(get(pod.spec, "securityContext", "sysctls"))
    names = [] if is_unknown(sysctls) else [get(item, "name") for item in sysctls]
    allowed = set(config["allowedSysctls"] or [])
    unsafe = [name for name in names if isinstance(name, str) and not is_unknown(name) and name not in allowed]
    if unsafe:
        yield (f"the pod sets sysctls outside the safe set ({', '.join(unsafe)}): they are not isolated to the pod "
               "and change the node for every pod; remove them, or tune the nodes instead")


k8s_no_unsafe_sysctls = pod_policy(
    "k8s-no-unsafe-sysctls",
    "Pods set only safe sysctls (securityContext.sysctls within the Pod Security Standards' Baseline set: "
    "kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, ...), except exempt node agents.",
    _sysctls, Severity.HIGH,
    "Remove securityContext.sysctls entries outside the safe set; tune node-level kernel settings in the node "
    "group's launch template, or add a sysctl the nodes allow to allowedSysctls after review.",
    {"nist-800-53": "AC-6, CM-7, SC-39", "pci-dss": "2.2.4"}, schema=SYSCTL_SCHEMA)

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HOOKS = ("postStart", "preStop")


def _host_probes(pod: Pod) -> Iterable[str]:
    for container in containers(pod):
        handlers = [(name, container.spec.get(name)) for name in PROBES]
        handlers += [(f"lifecycle.{name}", get(container.spec, "lifecycle", name)) for name in HOOKS]
        for where, handler in handlers:
            for action in ("httpGet", "tcpSocket"):
                host = get(handler, action, "host") if isinstance(handler, dict) else None
                if isinstance(host, str) and host and not is_unknown(host):
                    yield (f"{container.label}'s {where} {action} targets host {host}, not the pod: a probe or hook "
                           "can reach the node and other hosts from the kubelet; remove host")


k8s_no_host_probes = pod_policy(
    "k8s-no-host-probes",
    "No probe or lifecycle hook names a host (httpGet.host, tcpSocket.host): the kubelet would connect from the node "
    "to any address the pod's author chooses (Pod Security Standards Baseline, Kubernetes 1.34+).",
    _host_probes, Severity.MEDIUM,
    "Remove host from livenessProbe, readinessProbe, startupProbe and lifecycle postStart/preStop httpGet and "
    "tcpSocket handlers: they then target the pod's own IP.",
    {"nist-800-53": "AC-4, SC-7", "pci-dss": "1.2.1"})


# --- the Restricted profile's volume types and capabilities ----------------------------------------------------
# kubernetes.io, "Pod Security Standards", Restricted: Volume Types (only configMap, csi, downwardAPI, emptyDir,
# ephemeral, persistentVolumeClaim, projected, secret: check_restrictedVolumes.go); Capabilities (drop ALL,
# add back only NET_BIND_SERVICE: check_capabilities_restricted.go). hostPath and the capabilities beyond the
# Baseline set are their own rules (k8s-no-host-path-volumes, k8s-no-added-capabilities), so each finding
# is reported once.

RESTRICTED_VOLUME_TYPES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                           "projected", "secret"]
VOLUME_SCHEMA = config_schema(
    allowedVolumeTypes={
        "type": "array", "items": {"type": "string"}, "default": RESTRICTED_VOLUME_TYPES,
        "description": "Volume sources pods may use: the Restricted profile's list (hostPath is judged by "
                       "k8s-no-host-path-volumes).",
    },
    **EXEMPT_SCHEMA.properties,
)


def _volume_types(pod: Pod, config: dict) -> Iterable[str]:
    allowed = set(config["allowedVolumeTypes"] or []) | {"name", "hostPath"}
    volumes = as_list(pod.spec.get("volumes"))
    for index, volume in enumerate([] if is_unknown(volumes) else volumes):
        if not isinstance(volume, dict):
            continue
        sources = sorted(key for key, value in volume.items() if key not in allowed and value is not None)
        if sources:
            yield (f"volume {volume.get('name') or f'#{index}'} is a {', '.join(sources)} volume, which the "
                   "Restricted profile forbids; use a PersistentVolumeClaim (its PersistentVolume may be of any "
                   "type), a CSI volume, emptyDir, configMap, secret or projected")


k8s_restricted_volume_types = pod_policy(
    "k8s-restricted-volume-types",
    "Pod volumes are of the Pod Security Standards' Restricted types (configMap, csi, downwardAPI, emptyDir, "
    "ephemeral, persistentVolumeClaim, projected, secret): no nfs, iscsi, gitRepo, awsElasticBlockStore or other "
    "in-tree sources mounted directly, except exempt node agents.",
    _volume_types, Severity.MEDIUM,
    "Mount storage through a PersistentVolumeClaim (EBS, EFS or FSx for Lustre CSI) instead of an in-tree volume "
    "source in the pod spec; replace gitRepo with an init container that clones into an emptyDir.",
    {"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.4"}, schema=VOLUME_SCHEMA)


def _restricted_capabilities(pod: Pod) -> Iterable[str]:
    for container in containers(pod):
        added = _capabilities(container, "add")
        if is_unknown(added):
            continue
        # Those beyond the Baseline set are k8s-no-added-capabilities's findings.
        extra = [name for name in added if name in BASELINE_CAPABILITIES and name != "NET_BIND_SERVICE"]
        if extra:
            yield (f"{container.label} adds back {', '.join(extra)}; the Restricted profile lets a container add "
                   "back only NET_BIND_SERVICE")


k8s_restricted_added_capabilities = pod_policy(
    "k8s-restricted-added-capabilities",
    "Containers add back no capability but NET_BIND_SERVICE (the Pod Security Standards' Restricted profile; the "
    "runtime's other defaults such as CHOWN or SETUID are not added back), except exempt node agents.",
    _restricted_capabilities, Severity.LOW,
    "Remove securityContext.capabilities.add entries other than NET_BIND_SERVICE; files the process must own are "
    "set up at image build time or by an init container.",
    {"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.4"})


# --- images --------------------------------------------------------------------------------------------

def _images(pod: Pod) -> Iterable[str]:
    for container in containers(pod):
        image = container.spec.get("image")
        if not isinstance(image, str) or not image or is_unknown(image):
            continue
        tag = image_tag(image.strip())
        if tag is None:
            yield f"{container.label} uses image {image} without a tag (that is :latest); pin a version or a digest"
        elif tag == "latest":
            yield f"{container.label} uses image {image}; pin a version or a digest instead of :latest"


k8s_image_pinned = pod_policy(
    "k8s-image-pinned", "Container images name a tag other than latest, or a digest: what runs is what was reviewed.",
    _images, Severity.MEDIUM,
    "Reference images as repo:version (from an ECR repository with immutable tags) or repo@sha256:digest.",
    {"nist-800-53": "CM-2, SI-7", "pci-dss": "6.3.2"}, exemptible=False)


# --- Services -------------------------------------------------------------------------------------------

INTERNAL = "service.beta.kubernetes.io/aws-load-balancer-internal"
SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme"
SERVICE_SCHEMA = config_schema(
    allowedPublicServices={
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Services ('namespace/name') declared public: they may have an internet-facing load balancer.",
    },
)


def _internal(annotations: Any) -> Any:
    """True/False when the annotations say internal or internet-facing, None when they say neither."""
    if is_unknown(annotations):
        return annotations
    annotations = annotations if isinstance(annotations, dict) else {}
    scheme, internal = annotations.get(SCHEME), annotations.get(INTERNAL)
    if is_unknown(scheme) or is_unknown(internal):
        return scheme if is_unknown(scheme) else internal
    if isinstance(scheme, str) and scheme.strip():
        return scheme.strip().lower() == "internal"
    if isinstance(internal, (str, bool)) and str(internal).strip():
        # The in-tree AWS cloud provider makes every value but "false" internal; the AWS Load Balancer
        # Controller reads it as a boolean (kubernetes-sigs/aws-load-balancer-controller, service annotations).
        return str(internal).strip().lower() != "false"
    return None


#: KubeRay kinds that make Services of their own, by where their head group spec sits, and the
#: ``*corev1.Service`` templates they take. ray-operator/apis/ray/v1 (raycluster_types.go
#: ``HeadGroupSpec.ServiceType`` "ClusterIP, NodePort, LoadBalancer" and ``HeadGroupSpec.HeadService``;
#: rayservice_types.go ``RayServiceSpec.ServeService``): the operator builds the head Service with the
#: head group's serviceType (else the headService's spec.type, else ClusterIP) and the headService's
#: metadata.annotations (controllers/ray/common/service.go BuildServiceForHeadPod).
_RAY_HEADS: dict[str, tuple[str, ...]] = {
    "ray.io:RayCluster": ("spec", "headGroupSpec"),
    "ray.io:RayJob": ("spec", "rayClusterSpec", "headGroupSpec"),
    "ray.io:RayService": ("spec", "rayClusterConfig", "headGroupSpec"),
}


def _services(key: str, props: Any) -> list[tuple[str, Any, Any]]:
    """(where, type, annotations) of each Service a resource of kind ``key`` asks for."""
    if key == SERVICE:
        return [("", get(props, "spec", "type"), get(props, "metadata", "annotations"))]
    found = []
    head = _RAY_HEADS.get(key)
    if head is not None:
        template = get(props, *head, "headService")
        kind = get(props, *head, "serviceType") or get(template, "spec", "type")
        found.append((f"its head Service ({'.'.join(head)}.serviceType)", kind,
                      get(template, "metadata", "annotations")))
    if key == "ray.io:RayService":
        serve = get(props, "spec", "serveService")
        found.append(("its serve Service (spec.serveService)", get(serve, "spec", "type"),
                      get(serve, "metadata", "annotations")))
    return found


def _load_balancer(args: ResourceValidationArgs, report: ReportViolation) -> None:
    kind = kind_of(args.resource_type)
    if kind is None or (kind.key != SERVICE and kind.key not in _RAY_HEADS):
        return
    if workload_name(args) in (policy_config(args, SERVICE_SCHEMA)["allowedPublicServices"] or []):
        return
    for where, service_type, annotations in _services(kind.key, args.props):
        if service_type != "LoadBalancer":
            continue
        internal = _internal(annotations)
        if is_unknown(internal) or internal is True or (internal is None and kind.patch):
            continue
        said = "asks for an internet-facing load balancer" if internal is False else "names no internal scheme"
        shown = f" {where}" if where else ""
        report(f"{describe(args)} ({workload_name(args)}){shown} is type LoadBalancer and {said}: annotate it "
               f"{SCHEME}: internal (or list it in allowedPublicServices if it is meant to be public)")


k8s_service_load_balancer_internal = ResourceValidationPolicy(
    name="k8s-service-load-balancer-internal",
    description="Services of type LoadBalancer (KubeRay head and serve Services included) are annotated internal "
                "(aws-load-balancer-scheme: internal or aws-load-balancer-internal: true) unless declared public.",
    validate=applies_to(lambda t: is_kind(t, SERVICE) or any(is_kind(t, key) for key in _RAY_HEADS), _load_balancer),
    config_schema=SERVICE_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps=f"Annotate the Service {SCHEME}: internal (AWS Load Balancer Controller) or {INTERNAL}: "
                      "'true' (in-tree provider); expose public endpoints through a reviewed Ingress or add the "
                      "Service to allowedPublicServices.",
    **frameworks({"nist-800-53": "SC-7", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)"}),
)


# --- resource requests and limits (a LimitRange in the namespace counts) --------------------------------

class LimitRanges:
    """What the stack's LimitRanges default for containers, per namespace: request and limit defaults
    after Kubernetes's own defaulting (core/v1 ``SetDefaults_LimitRangeItem``: ``default`` falls back to
    ``max``, ``defaultRequest`` to ``default`` and then to ``min``)."""

    def __init__(self, resources: Iterable[Any]) -> None:
        self.requests: dict[str, set[str]] = {}
        self.limits: dict[str, set[str]] = {}
        self.unknown: set[str] = set()
        for resource in resources:
            if not is_kind(resource.resource_type, LIMIT_RANGE, patches=False):
                continue
            space = namespace(resource)
            items = as_list(get(resource.props, "spec", "limits"))
            if is_unknown(space):
                continue
            if is_unknown(items):
                self.unknown.add(space)
                continue
            for item in items:
                if not isinstance(item, dict) or item.get("type") != "Container":
                    continue
                names = {key: set(value) if isinstance(value, dict) else set()
                         for key, value in item.items() if key in ("default", "defaultRequest", "max", "min")}
                limits = names.get("default", set()) | names.get("max", set())
                self.limits.setdefault(space, set()).update(limits)
                self.requests.setdefault(space, set()).update(limits | names.get("defaultRequest", set())
                                                              | names.get("min", set()))


def _quantity(container: Container, section: str, name: str) -> Any:
    value = get(container.spec, "resources", section, name)
    return value if is_unknown(value) or (value is not None and value != "") else None


def _resources_rule(judge: Callable[[Container, LimitRanges, str], Optional[str]]) -> Callable[..., None]:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        workloads = [r for r in args.resources if is_workload(r.resource_type)]
        if not workloads:
            return
        ranges = LimitRanges(args.resources)
        for resource in workloads:
            for pod in pods(resource):
                space = pod_namespace(resource, pod)
                if pod.partial or is_unknown(space) or space in ranges.unknown:
                    continue
                for container in containers(pod, ("initContainers", "containers")):
                    message = judge(container, ranges, space)
                    if message:
                        report(f"{describe(resource)} ({workload_name(resource)}){pod.label}: {container.label} {message}",
                               resource.urn)

    return validate


def _requests(container: Container, ranges: LimitRanges, space: str) -> Optional[str]:
    defaulted = ranges.requests.get(space, set())
    # A limit without a request makes the request equal to the limit (core/v1 SetDefaults_Pod).
    missing = [name for name in ("cpu", "memory")
               if _quantity(container, "requests", name) is None and _quantity(container, "limits", name) is None
               and name not in defaulted]
    if missing:
        return (f"requests no {' or '.join(missing)} and no LimitRange in namespace {space} defaults it: set "
                f"resources.requests for {', '.join(missing)}")
    return None


def _memory_limit(container: Container, ranges: LimitRanges, space: str) -> Optional[str]:
    if _quantity(container, "limits", "memory") is None and "memory" not in ranges.limits.get(space, set()):
        return (f"has no memory limit and no LimitRange in namespace {space} defaults one: set "
                "resources.limits.memory")
    return None


k8s_container_resource_requests = StackValidationPolicy(
    name="k8s-container-resource-requests",
    description="Every container requests CPU and memory (a limit counts as the request; a LimitRange in the "
                "namespace that defaults requests counts).",
    validate=examines(is_workload, _resources_rule(_requests)),
    severity=Severity.MEDIUM,
    remediation_steps="Set resources.requests.cpu and .memory on every container and init container, or declare a "
                      "LimitRange of type Container with defaultRequest in the namespace.",
    **frameworks({"nist-800-53": "SC-6"}),
)

k8s_container_memory_limit = StackValidationPolicy(
    name="k8s-container-memory-limit",
    description="Every container has a memory limit (a LimitRange in the namespace with a default or max memory "
                "counts), so one pod cannot exhaust its node.",
    validate=examines(is_workload, _resources_rule(_memory_limit)),
    severity=Severity.MEDIUM,
    remediation_steps="Set resources.limits.memory on every container and init container, or declare a LimitRange "
                      "of type Container with default.memory in the namespace.",
    **frameworks({"nist-800-53": "SC-6"}),
)


# --- GPU workloads --------------------------------------------------------------------------------------

TOLERATION_SCHEMA = config_schema(
    taintKey={"type": "string", "default": GPU, "description": "The GPU node taint workloads must tolerate."},
)
GPU_LIMITS_SCHEMA = config_schema(
    requiredLimits={
        "type": "array", "items": {"type": "string"}, "default": [GPU, "memory"],
        "description": "Resource limits every GPU container must set.",
    },
)


def _gpu_containers(pod: Pod) -> list[Container]:
    return [c for c in containers(pod, ("initContainers", "containers"))
            if _quantity(c, "requests", GPU) is not None or _quantity(c, "limits", GPU) is not None]


def _tolerates(tolerations: list, key: str) -> bool:
    for toleration in tolerations:
        if not isinstance(toleration, dict) or toleration.get("effect") not in (None, "", "NoSchedule"):
            continue
        operator = toleration.get("operator") or "Equal"
        if operator == "Exists" and toleration.get("key") in (None, "", key):
            return True
        if operator == "Equal" and toleration.get("key") == key and toleration.get("value") == "true":
            return True
    return False


def _gpu_toleration(args: ResourceValidationArgs, report: ReportViolation) -> None:
    key = policy_config(args, TOLERATION_SCHEMA)["taintKey"]
    for pod in pods(args):
        tolerations = as_list(pod.spec.get("tolerations"))
        if not _gpu_containers(pod) or is_unknown(tolerations) or (pod.partial and not tolerations):
            continue
        if not _tolerates(tolerations, key):
            report(f"{describe(args)}{pod.label} requests GPUs but does not tolerate the {key}:NoSchedule taint: its "
                   "pods would never schedule on GPU nodes")


def _gpu_limits(args: ResourceValidationArgs, report: ReportViolation) -> None:
    required = policy_config(args, GPU_LIMITS_SCHEMA)["requiredLimits"] or []
    for pod in pods(args):
        if pod.partial:
            continue
        for container in _gpu_containers(pod):
            missing = [name for name in required if _quantity(container, "limits", name) is None]
            if missing:
                report(f"{describe(args)}{pod.label}: GPU container {container.name} sets no limit for "
                       f"{', '.join(missing)}")


k8s_gpu_workloads_tolerate_taint = ResourceValidationPolicy(
    name="k8s-gpu-workloads-tolerate-taint",
    description="Workloads that request nvidia.com/gpu tolerate the GPU node taint.",
    validate=applies_to(is_workload, _gpu_toleration),
    config_schema=TOLERATION_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Add tolerations=[{'key': 'nvidia.com/gpu', 'operator': 'Exists', 'effect': 'NoSchedule'}] "
                      "to the pod spec (or submit through a Kueue LocalQueue, whose GPU flavor adds the toleration).",
    **frameworks({"nist-800-53": "SC-6"}),
)

k8s_gpu_workloads_limits = ResourceValidationPolicy(
    name="k8s-gpu-workloads-limits",
    description="Containers that request nvidia.com/gpu set GPU and memory limits.",
    validate=applies_to(is_workload, _gpu_limits),
    config_schema=GPU_LIMITS_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set resources.limits for 'nvidia.com/gpu' and 'memory' on each GPU container.",
    **frameworks({"nist-800-53": "SC-6"}),
)

SECURITY = [k8s_no_host_network, k8s_no_host_pid, k8s_no_host_ipc, k8s_no_host_path_volumes, k8s_no_host_ports,
            k8s_no_privileged_containers, k8s_no_privilege_escalation, k8s_run_as_non_root, k8s_no_added_capabilities,
            k8s_drop_all_capabilities, k8s_seccomp_profile, k8s_read_only_root_filesystem, k8s_no_unmasked_proc_mount,
            k8s_no_apparmor_unconfined, k8s_selinux_options_default, k8s_no_windows_host_process, k8s_no_unsafe_sysctls,
            k8s_no_host_probes, k8s_restricted_volume_types, k8s_restricted_added_capabilities, k8s_image_pinned,
            k8s_service_load_balancer_internal]
PRIVACY: list = []
COMPLIANCE = [k8s_container_resource_requests, k8s_container_memory_limit, k8s_gpu_workloads_tolerate_taint,
              k8s_gpu_workloads_limits]
