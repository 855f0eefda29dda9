"""Multi-language components judged by the resources they build from their inputs.

pulumi-eks (``eks:index:*``) and pulumi-awsx (``awsx:*``) components are opaque offline: the mock
runtime gives them no children and no outputs, and in a ``pulumi preview`` the component resource
itself carries only its inputs. Each builder here reads a component's inputs as the pulumi-aws
resources the component makes of them, with the component's own defaults, as ``Built`` views; a rule
wrapped with ``as_built`` judges those views exactly as it judges the real resources, and its message
names the component, what it builds and the component input to change. In a real preview the children
are judged too (reported twice, on the component and on the child): accepted and documented.

Defaults are read from the providers' TypeScript (pulumi-eks ``nodejs/eks/nodes/nodegroup.ts`` and
``nodejs/eks/cluster/cluster.ts`` at commit 7bf0c1b, v4.3.0 plus dependency updates, the newest in the
snapshot, whose Python SDK takes the same inputs as the installed 4.4.0; pulumi-awsx ``awsx/ecs/*.ts``,
``awsx/lb/*.ts``, ``awsx/ecr/repository.ts``, ``awsx/cloudtrail/trail.ts`` at commit e60adf3, installed 3.11.0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from policies.rules._declare import applies_to, type_matcher
from policies.rules._props import UNKNOWN, as_bool, as_int, describe, is_unknown, plain

CLUSTER = "aws:eks/cluster:Cluster"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
REPOSITORY = "aws:ecr/repository:Repository"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
TRAIL = "aws:cloudtrail/trail:Trail"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"


@dataclass
class Built:
    """What a component builds from its inputs: ``resource_type`` and ``props`` are the built
    resource's (pulumi-aws's shape), ``what`` names it in messages ("its launch template"), ``hints``
    maps a rule's topic to the component input that decides it. Everything else (name, urn, config,
    provider) is the component's."""

    args: Any
    resource_type: str
    props: dict[str, Any]
    what: str
    hints: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.args, name)


Builder = Callable[[Any, dict[str, Any]], list[Built]]
#: component type -> (the pulumi-aws types it builds, its builder taking ``(args, plain inputs)``).
BUILDERS: dict[str, tuple[tuple[str, ...], Builder]] = {}


def builds(component: str, *types: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        BUILDERS[component] = (types, builder)
        return builder
    return register


def built(args: Any, types: Any = None) -> list[Built]:
    """The views of ``args``'s component (those of ``types``, tokens or a predicate, when given); ``[]`` for
    anything that is not a known component."""
    entry = BUILDERS.get(args.resource_type)
    if entry is None:
        return []
    props = plain(args.props)
    views = entry[1](args, props if isinstance(props, dict) else {})
    matches = type_matcher(types) if types is not None else (lambda resource_type: True)
    return [view for view in views if matches(view.resource_type)]


def as_built(types: Any, validate: Any, topic: str = "", *, components_only: bool = False) -> Any:
    """``validate`` for ``types`` (tokens or a predicate) and for every component that builds one of them,
    judged on what it builds; a message about a view names the component and the part, and the component
    input that decides it (the view's hint for ``topic``). ``components_only``: judge the components alone
    (another policy judges the built types themselves)."""
    matches = type_matcher(types)
    components = frozenset(component for component, (made, _) in BUILDERS.items() if any(map(matches, made)))

    def judge(args: Any, report: Any) -> None:
        if args.resource_type not in components:
            return None if components_only else validate(args, report)
        for view in built(args, matches):
            validate(view, lambda message, *rest, view=view: report(_on_component(args, view, topic, message), *rest))
        return None

    judge.__name__ = getattr(validate, "__name__", "validate")
    if components_only:
        return applies_to(sorted(components), judge)
    return applies_to(lambda resource_type: resource_type in components or matches(resource_type), judge) \
        if callable(types) else applies_to([*types, *sorted(components)], judge)


def _on_component(args: Any, view: Built, topic: str, message: str) -> str:
    """``message`` about ``view`` said of the component: its name and part first, the input to change last."""
    part, hint = f"{describe(args)} ({view.what})", view.hints.get(topic) or view.hints.get("")
    said = message.replace(describe(view), part, 1) if describe(view) in message else f"{part}: {message}"
    return said + (f" (on the component: {hint})" if hint else "")


def _set(value: Any) -> bool:
    return value is not None


# --------------------------------------------------------------------------------------------------
# pulumi-eks node groups

EKS_CLUSTER = "eks:index:Cluster"
EKS_NODE_GROUP = "eks:index:NodeGroup"
EKS_NODE_GROUP_V2 = "eks:index:NodeGroupV2"
EKS_MANAGED_NODE_GROUP = "eks:index:ManagedNodeGroup"
#: eks.Cluster's own node group inputs, used when it has no ``nodeGroupOptions`` (cluster.ts), by the
#: NodeGroupOptions name they become.
CLUSTER_NODE_INPUTS = {"nodeAssociatePublicIpAddress": "nodeAssociatePublicIpAddress", "instanceType": "instanceType",
                       "nodePublicKey": "nodePublicKey", "nodeRootVolumeEncrypted": "nodeRootVolumeEncrypted",
                       "nodeRootVolumeSize": "nodeRootVolumeSize", "nodeAmiId": "amiId", "gpu": "gpu"}
ROOT_VOLUME_INPUTS = ("nodeRootVolumeEncrypted", "nodeRootVolumeSize", "nodeRootVolumeType", "nodeRootVolumeIops",
                      "nodeRootVolumeThroughput", "nodeRootVolumeDeleteOnTermination")
#: ManagedNodeGroup inputs that make it build its own launch template (``customLaunchTemplateArgs``).
MNG_TEMPLATE_INPUTS = ("kubeletExtraArgs", "bootstrapExtraArgs", "bottlerocketSettings", "nodeadmExtraOptions",
                       "enableIMDSv2", "userData", "amiId", "enableEfaSupport")


def _operating_system(options: dict[str, Any]) -> Any:
    """getOperatingSystem (nodes/ami.ts): ``operatingSystem``, else the AMI type's, else AL2023."""
    ami_type, system = options.get("amiType"), options.get("operatingSystem")
    if is_unknown(ami_type) or is_unknown(system):
        return ami_type if is_unknown(ami_type) else system
    if ami_type:
        prefix = str(ami_type).upper()
        return "Bottlerocket" if prefix.startswith("BOTTLEROCKET") else "AL2023" if prefix.startswith("AL2023") else \
            "AL2" if prefix.startswith("AL2_") else system or "AL2023"
    return system or "AL2023"


def _key_name(options: dict[str, Any]) -> Any:
    """The key pair nodes launch with: ``keyName``, or the aws.ec2.KeyPair made from ``nodePublicKey``."""
    key, public_key = options.get("keyName"), options.get("nodePublicKey")
    if is_unknown(key) or is_unknown(public_key):
        return key if is_unknown(key) else public_key
    return key or ("the one pulumi-eks makes of nodePublicKey" if public_key else None)


def _public_ip(options: dict[str, Any]) -> Any:
    # nodegroup.ts: ``args.nodeAssociatePublicIpAddress ?? true`` for both self-managed kinds.
    value = options.get("nodeAssociatePublicIpAddress")
    return True if value is None else value


def _encrypted_flag(value: Any) -> Any:
    flag = as_bool(value)
    return flag if is_unknown(flag) else ("true" if flag else "false")


def _v2_template(args: Any, options: dict[str, Any], what: str, hints: dict[str, str]) -> Built:
    """createNodeGroupV2's aws.ec2.LaunchTemplate: an AL2 node's root volume unencrypted unless
    ``nodeRootVolumeEncrypted``; another OS's declared only when a root-volume input is set; no
    metadata options (the TypeScript takes ``metadataOptions``, but the schema every SDK is generated
    from, provider/cmd/pulumi-resource-eks/schema.json, has no such input). ``encryptRootBlockDevice``
    is in the schema and read by no code: not read here either."""
    system, encrypted = _operating_system(options), options.get("nodeRootVolumeEncrypted")
    if is_unknown(system) or is_unknown(encrypted):
        mappings: Any = system if is_unknown(system) else encrypted
    elif system == "AL2":
        mappings = [{"deviceName": "/dev/xvda", "ebs": {"encrypted": _encrypted_flag(encrypted)}}]
    elif any(_set(options.get(name)) for name in ROOT_VOLUME_INPUTS):
        mappings = [{"deviceName": "the root volume", "ebs": {"encrypted": None if encrypted is None else
                                                   _encrypted_flag(encrypted)}}]
    else:
        mappings = []
    props = {"instanceType": options.get("instanceType"), "keyName": _key_name(options),
             "metadataOptions": None, "blockDeviceMappings": mappings,
             "networkInterfaces": [{"associatePublicIpAddress": _public_ip(options)}]}
    return Built(args, LAUNCH_TEMPLATE, props, what, hints)


#: What to do instead, where pulumi-eks's self-managed node groups cannot set the metadata options.
NO_METADATA_OPTIONS = ("none: {kind} takes no metadata options; use an eks.ManagedNodeGroup with your own launchTemplate "
                       "(enableIMDSv2 sets hop limit 2)")


def _v2_hints(prefix: str, kind: str) -> dict[str, str]:
    return {"imds": NO_METADATA_OPTIONS.format(kind=kind), "volumes": f"input {prefix}nodeRootVolumeEncrypted",
            "volumes-cmk": "pulumi-eks takes no root-volume key; use a ManagedNodeGroup with your own launch template",
            "public-ip": f"input {prefix}nodeAssociatePublicIpAddress (pulumi-eks defaults it to true)",
            "ssh": f"inputs {prefix}nodePublicKey and {prefix}keyName", "instance-type": f"input {prefix}instanceType"}


@builds(EKS_NODE_GROUP_V2, LAUNCH_TEMPLATE)
def _node_group_v2(args: Any, props: dict[str, Any]) -> list[Built]:
    return [_v2_template(args, props, "its launch template", _v2_hints("", "eks.NodeGroupV2"))]


#: The cluster rules' topics: the eks.Cluster inputs that decide them.
CLUSTER_HINTS = {"endpoint": "input endpointPublicAccess, or publicAccessCidrs", "secrets": "input encryptionConfigKeyArn",
                 "access": "input authenticationMode", "logging": "input enabledClusterLogTypes", "version": "input version"}


#: The "Allow internet access." egress rule pulumi-eks gives the security groups it makes (cluster.ts
#: eksClusterInternetEgressRule, nodes/securitygroup.ts nodeInternetEgressRule).
_INTERNET_EGRESS = {"type": "egress", "fromPort": 0, "toPort": 0, "protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]}


def _default_security_groups(args: Any, props: dict[str, Any]) -> list[Built]:
    """The egress rules of the cluster and node security groups the Cluster makes, unless
    ``skipDefaultSecurityGroups`` (default: ``autoMode.enabled``); the cluster's only without ``clusterSecurityGroup``."""
    skip = props.get("skipDefaultSecurityGroups")
    if skip is None:
        mode = props.get("autoMode")
        skip = mode.get("enabled") if isinstance(mode, dict) else mode
    if is_unknown(skip) or as_bool(skip):
        return []
    hint = {"": "input skipDefaultSecurityGroups, with security groups of your own"}
    views = [Built(args, SECURITY_GROUP_RULE, dict(_INTERNET_EGRESS), "its node security group's egress rule", hint)]
    if props.get("clusterSecurityGroup") is None:
        views.append(Built(args, SECURITY_GROUP_RULE, dict(_INTERNET_EGRESS), "its cluster security group's egress rule",
                           {"": "input clusterSecurityGroup or skipDefaultSecurityGroups"}))
    return views


@builds(EKS_CLUSTER, CLUSTER, LAUNCH_TEMPLATE, SECURITY_GROUP_RULE)
def _cluster(args: Any, props: dict[str, Any]) -> list[Built]:
    """The aws.eks.Cluster, with pulumi-eks 4's defaults (its docs: "endpoint_public_access ... Default is
    `true`", "enabled_cluster_log_types ... By default it is off"; secrets encrypted with
    ``encryptionConfigKeyArn``), and the default node group's launch template."""
    cluster: dict[str, Any] = {
        "vpcConfig": {name: props[name] for name in ("endpointPublicAccess", "endpointPrivateAccess", "publicAccessCidrs")
                      if props.get(name) is not None},
        "version": props.get("version"), "enabledClusterLogTypes": props.get("enabledClusterLogTypes")}
    if props.get("authenticationMode") is not None:
        cluster["accessConfig"] = {"authenticationMode": props["authenticationMode"]}
    if props.get("encryptionConfigKeyArn") is not None:
        cluster["encryptionConfig"] = {"provider": {"keyArn": props["encryptionConfigKeyArn"]}, "resources": ["secrets"]}
    return [Built(args, CLUSTER, cluster, "its cluster", CLUSTER_HINTS), *_default_node_group(args, props),
            *_default_security_groups(args, props)]


def default_node_group_inputs(props: dict[str, Any]) -> tuple[Optional[dict[str, Any]], str]:
    """A Cluster's default node group as NodeGroupV2 inputs and the prefix of their names on the Cluster:
    ``nodeGroupOptions`` (prefix ``nodeGroupOptions.``) or the cluster's own node inputs (prefix ``""``);
    ``None`` when there is none (``skipDefaultNodeGroup``, ``fargate``, ``autoMode.enabled``) or it is unknown."""
    skips = [props.get("skipDefaultNodeGroup"), props.get("fargate"), (props.get("autoMode") or {}).get("enabled")
             if isinstance(props.get("autoMode"), dict) else props.get("autoMode")]
    if any(is_unknown(skip) or skip for skip in skips):
        return None, ""
    options = props.get("nodeGroupOptions")
    if is_unknown(options):
        return None, ""
    if isinstance(options, dict):
        return options, "nodeGroupOptions."
    return {target: props.get(source) for source, target in CLUSTER_NODE_INPUTS.items()}, ""


def _default_node_group(args: Any, props: dict[str, Any]) -> list[Built]:
    """The default node group's launch template (``default_node_group_inputs``), if it has one."""
    options, prefix = default_node_group_inputs(props)
    if options is None:
        return []
    hints = _v2_hints(prefix, "the default node group (skipDefaultNodeGroup)")
    if not prefix:
        hints["ssh"] = "input nodePublicKey"
    return [_v2_template(args, options, "its default node group's launch template", hints)]


@builds(EKS_NODE_GROUP, LAUNCH_CONFIGURATION)
def _node_group(args: Any, props: dict[str, Any]) -> list[Built]:
    """createNodeGroup's aws.ec2.LaunchConfiguration: no metadata options at all; an AL2 root volume
    unencrypted unless ``nodeRootVolumeEncrypted`` (other systems: the input as given)."""
    system, encrypted = _operating_system(props), props.get("nodeRootVolumeEncrypted")
    root: Any = {"encrypted": encrypted}
    if is_unknown(system):
        root = system
    elif system == "AL2" and encrypted is None:
        root = {"encrypted": False}
    launch = {"instanceType": props.get("instanceType"), "keyName": _key_name(props),
              "associatePublicIpAddress": _public_ip(props), "rootBlockDevice": root}
    hints = {"imds": NO_METADATA_OPTIONS.format(kind="eks.NodeGroup"),
             "volumes": "input nodeRootVolumeEncrypted",
             "public-ip": "input nodeAssociatePublicIpAddress (pulumi-eks defaults it to true)",
             "ssh": "inputs nodePublicKey and keyName"}
    return [Built(args, LAUNCH_CONFIGURATION, launch, "its launch configuration", hints)]


@builds(EKS_MANAGED_NODE_GROUP, NODE_GROUP, LAUNCH_TEMPLATE)
def _managed_node_group(args: Any, props: dict[str, Any]) -> list[Built]:
    """The aws.eks.NodeGroup (the inputs passed through, less ``cluster``) and, when an input needs one,
    createMNGCustomLaunchTemplate's launch template: ``enableIMDSv2`` as httpTokens with hop limit 2,
    ``diskSize`` as an unencrypted root volume."""
    group = {key: value for key, value in props.items() if key != "cluster"}
    views = [Built(args, NODE_GROUP, group, "its node group",
                   {"ssh": "input remoteAccess", "instance-type": "input instanceTypes"})]
    if props.get("launchTemplate") is None and any(_set(props.get(name)) for name in MNG_TEMPLATE_INPUTS):
        imds, size = props.get("enableIMDSv2"), props.get("diskSize")
        metadata: Any = imds if is_unknown(imds) else None if imds is None else {
            "httpTokens": "required" if as_bool(imds) else "optional", "httpPutResponseHopLimit": 2,
            "httpEndpoint": "enabled"}
        mappings = size if is_unknown(size) else [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": size}}] if size \
            else []
        template = {"metadataOptions": metadata, "blockDeviceMappings": mappings}
        hints = {"imds": "input enableIMDSv2 (pulumi-eks then sets hop limit 2)",
                 "volumes": "pulumi-eks encrypts no volume it declares; pass your own launchTemplate",
                 "": "pass your own launchTemplate"}
        views.append(Built(args, LAUNCH_TEMPLATE, template, "its launch template", hints))
    return views


# --------------------------------------------------------------------------------------------------
# pulumi-awsx

AWSX_FARGATE_SERVICE = "awsx:ecs:FargateService"
AWSX_EC2_SERVICE = "awsx:ecs:EC2Service"
AWSX_FARGATE_TASK = "awsx:ecs:FargateTaskDefinition"
AWSX_EC2_TASK = "awsx:ecs:EC2TaskDefinition"
AWSX_NLB = "awsx:lb:NetworkLoadBalancer"
AWSX_REPOSITORY = "awsx:ecr:Repository"


def _log_group(args: Any, given: Any, made: bool, hint: str) -> list[Built]:
    """The aws.cloudwatch.LogGroup awsx makes (cloudwatch/logGroup.ts requiredLogGroup), when ``made``: of
    ``given.args`` as given, none when ``given.existing`` names one; unknown settings make none to judge."""
    if not made or is_unknown(given):
        return []
    given = given if isinstance(given, dict) else {}
    settings, existing = given.get("args"), given.get("existing")
    if is_unknown(settings) or is_unknown(existing) or existing is not None:
        return []
    return [Built(args, LOG_GROUP, dict(settings) if isinstance(settings, dict) else {}, "the log group awsx makes for it",
                  {"": f"input {hint}.args"})]


def _task_definition(args: Any, task: Any, fargate: bool, prefix: str) -> list[Built]:
    """The aws.ecs.TaskDefinition awsx builds (ecs/fargateTaskDefinition.ts, ec2TaskDefinition.ts,
    containers.ts): ``containers`` (a map: each container named by its key, in key order) or
    ``container`` (named by its ``name``, else "container") as the container definitions, objects
    as given, each without a ``logConfiguration`` logging through awslogs unless ``logGroup.skip``; network mode
    ``awsvpc`` (Fargate always, EC2 unless ``networkMode``); the task and execution roles awsx creates, two distinct
    ones, unless ``taskRole``/``executionRole.roleArn``."""
    if is_unknown(task) or not isinstance(task, dict):
        return []
    container, containers = task.get("container"), task.get("containers")
    definitions: Any = []
    if is_unknown(container) or is_unknown(containers):
        definitions = container if is_unknown(container) else containers
    elif isinstance(containers, dict):
        definitions = [{**item, "name": name} for name, item in sorted(containers.items()) if isinstance(item, dict)]
    elif isinstance(container, dict):
        definitions = [{**container, "name": container.get("name") or "container"}]
    log_group = task.get("logGroup")
    skipped = log_group.get("skip") if isinstance(log_group, dict) else UNKNOWN if is_unknown(log_group) else None
    made = not is_unknown(skipped) and not as_bool(skipped)  # defaultLogGroup: made unless ``skip``
    if isinstance(definitions, list) and (made or is_unknown(skipped)):
        # containers.ts computeContainerDefinition: a container without logConfiguration logs to the task's log
        # group (made or existing) through awslogs; whether there is one is unknown while skip is.
        driver = "awslogs" if made else UNKNOWN
        definitions = [item if item.get("logConfiguration") is not None else {**item, "logConfiguration": {
            "logDriver": driver}} for item in definitions]
    roles = {key: role.get("roleArn") for key, role in (("taskRoleArn", task.get("taskRole")),
                                                        ("executionRoleArn", task.get("executionRole")))
             if isinstance(role, dict)}
    props = {"containerDefinitions": definitions, "pidMode": task.get("pidMode"), "ipcMode": task.get("ipcMode"),
             "volumes": task.get("volumes"), "networkMode": "awsvpc" if fargate else task.get("networkMode") or "awsvpc",
             **roles}
    hints = {"": f"input {prefix}container or {prefix}containers", "network": f"input {prefix}networkMode",
             "namespaces": f"inputs {prefix}pidMode and {prefix}ipcMode", "volumes": f"input {prefix}volumes",
             "roles": f"inputs {prefix}taskRole.roleArn and {prefix}executionRole.roleArn"}
    return [Built(args, TASK_DEFINITION, props, "its task definition", hints),
            *_log_group(args, log_group, made, f"{prefix}logGroup")]


@builds(AWSX_FARGATE_TASK, TASK_DEFINITION, LOG_GROUP)
def _fargate_task(args: Any, props: dict[str, Any]) -> list[Built]:
    return _task_definition(args, props, True, "")


@builds(AWSX_EC2_TASK, TASK_DEFINITION, LOG_GROUP)
def _ec2_task(args: Any, props: dict[str, Any]) -> list[Built]:
    return _task_definition(args, props, False, "")


#: The security group awsx makes for a FargateService given no networkConfiguration (getDefaultNetworkConfiguration)
#: and for an ApplicationLoadBalancer given no securityGroups ("we default to open SG rules at this point").
_OPEN_GROUP = {
    "ingress": [{"fromPort": 0, "toPort": 0, "protocol": "-1", "cidrBlocks": ["0.0.0.0/0"], "ipv6CidrBlocks": ["::/0"]}],
    "egress": [{"fromPort": 0, "toPort": 65535, "protocol": "tcp", "cidrBlocks": ["0.0.0.0/0"],
                "ipv6CidrBlocks": ["::/0"]}],
}


def _service(args: Any, props: dict[str, Any], fargate: bool) -> list[Built]:
    """The aws.ecs.Service (ecs/fargateService.ts, ec2Service.ts) and the task definition of
    ``taskDefinitionArgs``. A FargateService without ``networkConfiguration`` gets awsx's default:
    ``assignPublicIp`` (default false) and a security group open to all traffic from anywhere."""
    network = props.get("networkConfiguration")
    views = []
    if fargate and network is None:
        network = {"assignPublicIp": False if props.get("assignPublicIp") is None else props.get("assignPublicIp")}
        views.append(Built(args, SECURITY_GROUP, dict(_OPEN_GROUP), "the security group awsx makes for it",
                           {"": "give networkConfiguration with your own securityGroups"}))
    hint = "input networkConfiguration.assignPublicIp" if props.get("networkConfiguration") is not None else \
        "input assignPublicIp"
    views.append(Built(args, SERVICE, {"networkConfiguration": network}, "its service", {"": hint}))
    return views + _task_definition(args, props.get("taskDefinitionArgs"), fargate, "taskDefinitionArgs.")


@builds(AWSX_FARGATE_SERVICE, SERVICE, TASK_DEFINITION, LOG_GROUP, SECURITY_GROUP)
def _fargate_service(args: Any, props: dict[str, Any]) -> list[Built]:
    return _service(args, props, True)


@builds(AWSX_EC2_SERVICE, SERVICE, TASK_DEFINITION, LOG_GROUP)
def _ec2_service(args: Any, props: dict[str, Any]) -> list[Built]:
    return _service(args, props, False)


#: Inputs of awsx's load balancers that are not the aws.lb.LoadBalancer's (lb/applicationLoadBalancer.ts,
#: networkLoadBalancer.ts pass the rest on as given).
_LB_OWN_INPUTS = ("subnetIds", "subnets", "defaultTargetGroup", "defaultTargetGroupPort", "defaultSecurityGroup",
                  "listener", "listeners")


def _load_balancer(args: Any, props: dict[str, Any], kind: str, listener_defaults: Callable[[dict], Any]) -> list[Built]:
    """The aws.lb.LoadBalancer of ``kind`` from the inputs awsx passes on, and a listener for ``listener`` or
    each of ``listeners`` (else one with no settings), completed by ``listener_defaults`` (None: unknown)."""
    balancer = {key: value for key, value in props.items() if key not in _LB_OWN_INPUTS} | {"loadBalancerType": kind}
    views = [Built(args, LOAD_BALANCER, balancer, "its load balancer", {"": "its input of the same name"})]
    listener, listeners = props.get("listener"), props.get("listeners")
    if is_unknown(listener) or is_unknown(listeners):
        return views
    given = [listener] if listener else (listeners if isinstance(listeners, list) and listeners else [{}])
    hint = "input listener" if listener else "input listeners" if listeners else "input listener (none given: awsx " \
        "makes this one)"
    for index, item in enumerate(given):
        completed = listener_defaults(item) if isinstance(item, dict) else None
        if completed is not None:
            views.append(Built(args, LISTENER, completed, f"its listener #{index}", {"": hint}))
    return views


def _application_listener(item: dict[str, Any]) -> Any:
    """getListenerProtocol (applicationLoadBalancer.ts): the protocol from the port (443 HTTPS, else HTTP), the
    port from the protocol (HTTPS 443, else 80), HTTP on port 80 when neither is set; the default action
    forwards to the default target group. ``None`` while the port or protocol is unknown."""
    port, protocol = item.get("port"), item.get("protocol")
    if is_unknown(port) or is_unknown(protocol):
        return None
    if protocol is None:
        protocol = "HTTPS" if as_int(port) == 443 else "HTTP"
    if port is None:
        port = 443 if str(protocol).upper() == "HTTPS" else 80
    return {"defaultActions": [{"type": "forward"}], **item, "port": port, "protocol": protocol}


@builds("awsx:lb:ApplicationLoadBalancer", LOAD_BALANCER, LISTENER, SECURITY_GROUP)
def _application_load_balancer(args: Any, props: dict[str, Any]) -> list[Built]:
    """The load balancer and its listeners; without ``securityGroups``, the security group it makes
    (``defaultSecurityGroup.args``, else one open to everything), unless ``defaultSecurityGroup`` skips
    it or names one."""
    views = _load_balancer(args, props, "application", _application_listener)
    default = props.get("defaultSecurityGroup")
    if props.get("securityGroups") is not None or is_unknown(default):
        return views
    default = default if isinstance(default, dict) else {}
    if any(is_unknown(default.get(key)) or default.get(key) for key in ("skip", "securityGroupId")):
        return views
    group = default.get("args") if isinstance(default.get("args"), dict) else dict(_OPEN_GROUP)
    return views + [Built(args, SECURITY_GROUP, group, "the security group awsx makes for it",
                          {"": "input securityGroups or defaultSecurityGroup"})]


@builds(AWSX_NLB, LOAD_BALANCER, LISTENER)
def _network_load_balancer(args: Any, props: dict[str, Any]) -> list[Built]:
    """networkLoadBalancer.ts: listeners TCP on port 80 unless they say otherwise."""
    return _load_balancer(args, props, "network", lambda item: {"protocol": "TCP", "port": 80, **item})


@builds(AWSX_REPOSITORY, REPOSITORY)
def _repository(args: Any, props: dict[str, Any]) -> list[Built]:
    """ecr/repository.ts: an aws.ecr.Repository of the inputs as given (pulumi-aws's defaults), less ``lifecyclePolicy``."""
    repository = {key: value for key, value in props.items() if key != "lifecyclePolicy"}
    return [Built(args, REPOSITORY, repository, "its repository", {"": "its input of the same name"})]


@builds("awsx:cloudtrail:Trail", TRAIL, LOG_GROUP)
def _trail(args: Any, props: dict[str, Any]) -> list[Built]:
    """cloudtrail/trail.ts: an aws.cloudtrail.Trail of the other inputs as given (pulumi-aws's defaults),
    delivering to a log group only when ``cloudWatchLogsGroup.enable`` (optionalLogGroup), into the bucket
    of ``s3Bucket`` (made when not given)."""
    logs = props.get("cloudWatchLogsGroup")
    enable = logs.get("enable") if isinstance(logs, dict) else logs
    group = enable if is_unknown(enable) else "the log group awsx makes" if as_bool(enable) else None
    trail = {key: value for key, value in props.items() if key not in ("s3Bucket", "cloudWatchLogsGroup")}
    return [Built(args, TRAIL, {**trail, "cloudWatchLogsGroupArn": group}, "its trail",
                  {"": "its input of the same name", "logs": "input cloudWatchLogsGroup.enable"}),
            *_log_group(args, logs, as_bool(enable) is True, "cloudWatchLogsGroup")]
