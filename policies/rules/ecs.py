"""ECS task definitions: no privileged containers, no container running as root, read-only root
filesystems, no host network mode nor host PID/IPC namespaces, EFS volumes mounted with TLS, and a task role
other than the execution role (Checkov CKV_AWS_249); ECS services without public IPs. Containers add no Linux
capabilities beyond Docker's default set and mount no container runtime socket from the host; every
container has a log driver.

Capabilities: ``linuxParameters.capabilities.add`` (botocore ecs ``KernelCapabilities.add``: "The Linux
capabilities for the container that have been added to the default configuration provided by Docker. This parameter
maps to ``CapAdd`` in the docker container create command"). Docker's default set (Docker Engine reference,
"Runtime privilege and Linux capabilities") is the Pod Security Standards' Baseline set plus ``NET_RAW``; anything
else (``SYS_ADMIN``, ``NET_ADMIN``, ``SYS_PTRACE``, ``ALL``...) widens what a compromised container can do to the
instance (CIS Docker Benchmark 5.3, "Ensure that Linux kernel capabilities are restricted within containers"; the
Kubernetes rule ``k8s-no-added-capabilities`` is the same control).

Runtime sockets: a task's ``volumes[]`` ``hostPath`` (pulumi-aws 7 ecs ``TaskDefinitionVolumeArgs.host_path``;
pulumi-aws-native ``volumes[].host.sourcePath``) that is the Docker or containerd socket, or a directory holding it
(``/``, ``/run``, ``/var/run``), mounted by a container (``mountPoints[].sourceVolume``), hands that container the
container runtime: it can start a privileged container on the instance (CIS Docker Benchmark 5.31, "Ensure that the
Docker socket is not mounted inside any containers").

``aws.ecs.TaskDefinition.containerDefinitions`` is a JSON string (the ECS RegisterTaskDefinition
``containerDefinitions`` list: ``privileged``, ``user``, ``readonlyRootFilesystem``, ``environment``,
...; see botocore's ``ecs`` service model). ``container_definitions`` parses each distinct string once
per pack process, for every rule that reads it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._components import as_built
from policies.rules._declare import frameworks
from policies.rules._props import as_bool, describe, get, is_unknown, plain, single

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
#: pulumi-aws-native's AWS::ECS::TaskDefinition: ``containerDefinitions`` a list of objects with the same names, the
#: same ``networkMode``, ``pidMode``, ``ipcMode``, ``volumes[].efsVolumeConfiguration.transitEncryption``,
#: ``executionRoleArn``, ``taskRoleArn``; AWS::ECS::Service: ``networkConfiguration.awsvpcConfiguration
#: .assignPublicIp`` ENABLED/DISABLED (pulumi-aws-native 1.84 ecs/task_definition.py, service.py).
NATIVE_TASK_DEFINITION = "aws-native:ecs:TaskDefinition"
NATIVE_SERVICE = "aws-native:ecs:Service"
TASK_DEFINITIONS = (TASK_DEFINITION, NATIVE_TASK_DEFINITION)
ROOT_USERS = ("root", "0")
#: Docker's default capabilities (Docker Engine reference, "Runtime privilege and Linux capabilities").
DOCKER_DEFAULT_CAPABILITIES = frozenset({"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                         "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID",
                                         "SYS_CHROOT"})
#: Host paths that are, or contain, a container runtime's control socket.
RUNTIME_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/containerd.sock",
                   "/run/containerd/containerd.sock", "/var/run/containerd", "/run/containerd", "/var/run", "/run", "/")


@lru_cache(maxsize=512)
def _parse(text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return tuple(item for item in value if isinstance(item, dict)) if isinstance(value, list) else None


def container_definitions(props: Any) -> Any:
    """The task's container definitions as a tuple of dicts; ``UNKNOWN``-safe: ``None`` if unknown or invalid."""
    value = get(props, "containerDefinitions")
    if is_unknown(value) or value is None:
        return None
    if isinstance(value, str):
        return None if "04da6b54-80e4-46f7-96ec-b56ff0331ba9" in value else _parse(value)
    value = plain(value)
    return tuple(item for item in value if isinstance(item, dict)) if isinstance(value, list) else None


def _name(container: dict, index: int) -> str:
    name = container.get("name")
    return repr(name) if isinstance(name, str) and name else f"#{index}"


def _validate_privileged(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for index, container in enumerate(container_definitions(args.props) or ()):
        if as_bool(container.get("privileged")) is True:
            report(f"{describe(args)}: container {_name(container, index)} is privileged (root on the host)")


ecs_task_no_privileged_containers = ResourceValidationPolicy(
    name="ecs-task-no-privileged-containers",
    description="No ECS container definition is privileged.",
    validate=as_built(TASK_DEFINITIONS, _validate_privileged),
    severity=Severity.HIGH,
    remediation_steps="Remove privileged (or set it false); grant single Linux capabilities with "
                      "linuxParameters.capabilities.add if the container truly needs one.",
    **frameworks({"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.1"}),
)


def _validate_user(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for index, container in enumerate(container_definitions(args.props) or ()):
        user = container.get("user")
        if user is None or user == "":
            report(f"{describe(args)}: container {_name(container, index)} sets no user, so it runs as the image's "
                   "default user (root unless the image sets USER)")
        elif isinstance(user, str) and user.split(":", 1)[0].strip() in ROOT_USERS:
            report(f"{describe(args)}: container {_name(container, index)} runs as root (user {user!r})")


ecs_task_non_root_user = ResourceValidationPolicy(
    name="ecs-task-non-root-user",
    description="Every ECS container runs as a non-root user (user set, and not root or 0).",
    validate=as_built(TASK_DEFINITIONS, _validate_user),
    severity=Severity.MEDIUM,
    remediation_steps="Set user to an unprivileged uid[:gid] (e.g. '1000:1000') in each container definition, or "
                      "build the image with a non-root USER and set the same here.",
    **frameworks({"nist-800-53": "AC-6", "pci-dss": "2.2.1"}),
)


def _validate_read_only(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for index, container in enumerate(container_definitions(args.props) or ()):
        flag = as_bool(container.get("readonlyRootFilesystem"))
        if flag is not True and not is_unknown(flag):  # a pulumi-aws-native definition can be known in part
            report(f"{describe(args)}: container {_name(container, index)} can write to its root filesystem "
                   "(readonlyRootFilesystem is not true)")


ecs_task_read_only_root_filesystem = ResourceValidationPolicy(
    name="ecs-task-read-only-root-filesystem",
    description="Every ECS container has a read-only root filesystem.",
    validate=as_built(TASK_DEFINITIONS, _validate_read_only),
    severity=Severity.MEDIUM,
    remediation_steps="Set readonlyRootFilesystem: true and mount a volume (or a tmpfs in linuxParameters) where "
                      "the container must write.",
    **frameworks({"nist-800-53": "CM-7, SI-7", "pci-dss": "2.2.1"}),
)


def _validate_host_network(args: ResourceValidationArgs, report: ReportViolation) -> None:
    mode = get(args.props, "networkMode")
    if isinstance(mode, str) and mode.lower() == "host":
        report(f"{describe(args)} uses networkMode 'host': its containers share the instance's network stack "
               "(and can reach its metadata service and every port on it)")


ecs_task_no_host_network = ResourceValidationPolicy(
    name="ecs-task-no-host-network",
    description="ECS task definitions do not use the host network mode.",
    validate=as_built(TASK_DEFINITIONS, _validate_host_network, "network"),
    severity=Severity.HIGH,
    remediation_steps="Use network_mode='awsvpc' (required on Fargate) so each task gets its own network interface "
                      "and security groups.",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.3.1"}),
)


def _validate_host_namespaces(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for key in ("pidMode", "ipcMode"):
        mode = get(args.props, key)
        if isinstance(mode, str) and not is_unknown(mode) and mode.lower() == "host":
            report(f"{describe(args)} uses {key} 'host': its containers share the instance's "
                   f"{'processes' if key == 'pidMode' else 'shared memory and semaphores'} (Checkov CKV_AWS_335)")


ecs_task_no_host_pid_ipc = ResourceValidationPolicy(
    name="ecs-task-no-host-pid-ipc",
    description="ECS task definitions do not share the host's process or IPC namespace (pidMode/ipcMode 'host').",
    validate=as_built(TASK_DEFINITIONS, _validate_host_namespaces, "namespaces"),
    severity=Severity.HIGH,
    remediation_steps="Leave pid_mode and ipc_mode unset, or set them to 'task' to share the namespace between the "
                      "task's own containers only.",
    **frameworks({"nist-800-53": "SC-39, AC-6", "pci-dss": "2.2.1"}),
)


def _validate_efs_transit(args: ResourceValidationArgs, report: ReportViolation) -> None:
    volumes = get(args.props, "volumes")
    for volume in volumes if isinstance(volumes, list) else []:
        efs = volume.get("efsVolumeConfiguration") if isinstance(volume, dict) else None
        efs = single(efs)
        if not isinstance(efs, dict):
            continue
        transit = efs.get("transitEncryption")
        if is_unknown(transit) or (isinstance(transit, str) and transit.upper() == "ENABLED"):
            continue
        report(f"{describe(args)}: volume {volume.get('name')!r} mounts EFS without TLS (transitEncryption is "
               f"{transit or 'not set (DISABLED)'})")


ecs_task_efs_transit_encryption = ResourceValidationPolicy(
    name="ecs-task-efs-transit-encryption",
    description="ECS task definitions mount EFS volumes with transit encryption (TLS).",
    validate=as_built(TASK_DEFINITIONS, _validate_efs_transit, "volumes"),
    severity=Severity.MEDIUM,
    remediation_steps="Set efs_volume_configuration.transit_encryption='ENABLED' (and an access point with IAM "
                      "authorization) on each EFS volume.",
    **frameworks({"nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)"}),
)


def _validate_service_public_ip(args: ResourceValidationArgs, report: ReportViolation) -> None:
    network = get(args.props, "networkConfiguration")
    network = single(network)
    if args.resource_type == NATIVE_SERVICE:
        assign = get(network, "awsvpcConfiguration", "assignPublicIp")
        if isinstance(assign, str) and not is_unknown(assign) and assign.upper() == "ENABLED":
            report(f"{describe(args)} gives its tasks public IP addresses "
                   "(networkConfiguration.awsvpcConfiguration.assignPublicIp ENABLED)")
        return
    if isinstance(network, dict) and as_bool(network.get("assignPublicIp")) is True:
        report(f"{describe(args)} gives its tasks public IP addresses (networkConfiguration.assignPublicIp)")


ecs_service_no_public_ip = ResourceValidationPolicy(
    name="ecs-service-no-public-ip",
    description="ECS services do not give their tasks public IP addresses.",
    validate=as_built((SERVICE, NATIVE_SERVICE), _validate_service_public_ip),
    severity=Severity.HIGH,
    remediation_steps="Set network_configuration.assign_public_ip=False and run tasks in private subnets behind a "
                      "load balancer (with a NAT gateway or VPC endpoints for outbound calls).",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.4.4", "hipaa": "164.312(e)(1)"}),
)


def _validate_separate_roles(args: ResourceValidationArgs, report: ReportViolation) -> None:
    execution, task = get(args.props, "executionRoleArn"), get(args.props, "taskRoleArn")
    if any(is_unknown(role) or not isinstance(role, str) or not role for role in (execution, task)):
        return
    if execution == task:
        report(f"{describe(args)} gives its containers the execution role ({task}): the application can pull any "
               "image and read every secret the agent may, and the agent's permissions grow with the application's")


ecs_task_separate_execution_role = ResourceValidationPolicy(
    name="ecs-task-separate-execution-role",
    description="ECS task definitions give the containers (taskRoleArn) a role other than the ECS agent's execution "
                "role (executionRoleArn).",
    validate=as_built(TASK_DEFINITIONS, _validate_separate_roles, "roles"),
    severity=Severity.MEDIUM,
    remediation_steps="Create two roles: an execution role with AmazonECSTaskExecutionRolePolicy (image pull, log "
                      "delivery, the task's secrets) and a task role with only what the application calls; pass them "
                      "as execution_role_arn and task_role_arn.",
    **frameworks({"nist-800-53": "AC-6, AC-5", "pci-dss": "7.2.2"}),
)


def _validate_capabilities(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for index, container in enumerate(container_definitions(args.props) or ()):
        linux = container.get("linuxParameters")
        capabilities = linux.get("capabilities") if isinstance(linux, dict) else None
        added = capabilities.get("add") if isinstance(capabilities, dict) else None
        if not isinstance(added, list):
            continue
        extra = [str(name).upper().removeprefix("CAP_") for name in added
                 if isinstance(name, str) and not is_unknown(name)
                 and str(name).upper().removeprefix("CAP_") not in DOCKER_DEFAULT_CAPABILITIES]
        if extra:
            report(f"{describe(args)}: container {_name(container, index)} adds Linux capabilities {', '.join(extra)} "
                   "(linuxParameters.capabilities.add) beyond Docker's default set")


ecs_task_no_added_capabilities = ResourceValidationPolicy(
    name="ecs-task-no-added-capabilities",
    description="No ECS container adds Linux capabilities beyond Docker's default set (SYS_ADMIN, NET_ADMIN, "
                "SYS_PTRACE, ALL...).",
    validate=as_built(TASK_DEFINITIONS, _validate_capabilities),
    severity=Severity.HIGH,
    remediation_steps="Remove the capabilities from linuxParameters.capabilities.add (and drop ['ALL'] where the "
                      "container needs none); give GPUs through resourceRequirements [{type: GPU}], not capabilities.",
    **frameworks({"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.1"}),
)


def _host_path(volume: dict) -> Any:
    host = volume.get("host")  # pulumi-aws-native: host.sourcePath
    return host.get("sourcePath") if isinstance(host, dict) else volume.get("hostPath")


def _validate_runtime_socket(args: ResourceValidationArgs, report: ReportViolation) -> None:
    volumes = get(args.props, "volumes")
    sockets = {}
    for volume in volumes if isinstance(volumes, list) else []:
        path = _host_path(volume) if isinstance(volume, dict) else None
        if isinstance(path, str) and not is_unknown(path) and (path.rstrip("/") or "/") in RUNTIME_SOCKETS:
            sockets[volume.get("name")] = path
    if not sockets:
        return
    for index, container in enumerate(container_definitions(args.props) or ()):
        mounts = container.get("mountPoints")
        for mount in mounts if isinstance(mounts, list) else []:
            source = mount.get("sourceVolume") if isinstance(mount, dict) else None
            if isinstance(source, str) and source in sockets:
                report(f"{describe(args)}: container {_name(container, index)} mounts the host's {sockets[source]} "
                       f"(volume {source!r}): it controls the instance's container runtime and can start a "
                       "privileged container")


ecs_task_no_container_runtime_socket = ResourceValidationPolicy(
    name="ecs-task-no-container-runtime-socket",
    description="No ECS container mounts the host's Docker or containerd socket (or a directory holding it).",
    validate=as_built(TASK_DEFINITIONS, _validate_runtime_socket, "volumes"),
    severity=Severity.HIGH,
    remediation_steps="Remove the host volume of /var/run/docker.sock (or /run/containerd/containerd.sock); read "
                      "container metrics from the ECS task metadata endpoint or Container Insights instead.",
    **frameworks({"nist-800-53": "AC-6, CM-7", "pci-dss": "2.2.1"}),
)


def _validate_container_logging(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # logConfiguration.logDriver is required in a written block (botocore ecs LogConfiguration); without the block a
    # container logs through the Docker daemon's default driver, on the instance if anywhere, and on Fargate nowhere
    # (Fargate supports awslogs, splunk and awsfirelens only). cdk-nag AwsSolutions-ECS7.
    for index, container in enumerate(container_definitions(args.props) or ()):
        driver = get(container, "logConfiguration", "logDriver")
        if driver is None:
            report(f"{describe(args)}: container {_name(container, index)} has no logConfiguration.logDriver, so its "
                   "output is not collected off the instance (on Fargate, not kept at all)")


ecs_task_container_logging = ResourceValidationPolicy(
    name="ecs-task-container-logging",
    description="Every ECS container sends its logs somewhere (logConfiguration with a logDriver: awslogs, "
                "awsfirelens, splunk, ...).",
    validate=as_built(TASK_DEFINITIONS, _validate_container_logging),
    severity=Severity.LOW,
    remediation_steps="Add logConfiguration={'logDriver': 'awslogs', 'options': {'awslogs-group': ..., "
                      "'awslogs-region': ..., 'awslogs-stream-prefix': ...}} to each container definition.",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1"}),
)


SECURITY = [ecs_task_no_privileged_containers, ecs_task_non_root_user, ecs_task_read_only_root_filesystem,
            ecs_task_no_host_network, ecs_task_no_host_pid_ipc, ecs_task_efs_transit_encryption,
            ecs_service_no_public_ip, ecs_task_separate_execution_role, ecs_task_no_added_capabilities,
            ecs_task_no_container_runtime_socket]
PRIVACY: list = []
COMPLIANCE = [ecs_task_container_logging]
