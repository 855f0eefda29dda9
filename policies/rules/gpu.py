"""GPU capacity governance: GPU node groups are tainted so only GPU workloads land on them, GPU
instance types are limited per environment (SageMaker training jobs and HyperPod clusters too), and an
environment's GPU node groups and HyperPod instance groups cannot together grow past a GPU cap."""

from __future__ import annotations

import fnmatch
import re

from pulumi_policy import (
    ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity, StackValidationArgs,
    StackValidationPolicy,
)

from catalog.gpu import GPU_INSTANCE_TYPES
from policies.rules._components import (
    EKS_CLUSTER, EKS_MANAGED_NODE_GROUP, EKS_NODE_GROUP, EKS_NODE_GROUP_V2, as_built, default_node_group_inputs,
)
from policies.rules._declare import applies_to, config_schema, examines, frameworks, policy_config
from policies.rules._index import LAUNCH_TEMPLATE, LaunchTemplateIndex, launch_templates, of_type, stack_resources
from policies.rules.eks import template_data
from policies.rules.sagemaker import HYPERPOD, HYPERPOD_GROUPS
from policies.rules._props import UNKNOWN, as_bool, as_count, as_int, as_list, describe, get, is_unknown, plain

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
INSTANCE = "aws:ec2/instance:Instance"
#: pulumi-aws-native: AWS::EKS::Nodegroup (the same instanceTypes, amiType, taints, scalingConfig.maxSize),
#: AWS::EC2::LaunchTemplate (``launchTemplateData.instanceType``), AWS::EC2::Instance (``instanceType``).
NATIVE_NODE_GROUP = "aws-native:eks:Nodegroup"
NATIVE_LAUNCH_TEMPLATE = "aws-native:ec2:LaunchTemplate"
NATIVE_INSTANCE = "aws-native:ec2:Instance"
NODE_GROUPS = (NODE_GROUP, NATIVE_NODE_GROUP)
#: pulumi-aws 7 sagemaker/training_job.py: ``resourceConfig.instanceType`` or, for heterogeneous clusters,
#: ``resourceConfig.instanceGroups[].instanceType``; SageMaker names EC2 types with an ``ml.`` prefix.
TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob"
#: Accelerated families not (yet) in the table still count as GPU types: p*, g* (e.g. p6-b200, g5g).
_GPU_FAMILY = re.compile(r"^(p\d+[a-z0-9-]*|g\d+[a-z]*|gr\d+)\.")


def is_gpu_type(instance_type: object) -> bool:
    return isinstance(instance_type, str) and (instance_type in GPU_INSTANCE_TYPES or bool(_GPU_FAMILY.match(instance_type)))


def _ec2_name(instance_type: object) -> object:
    """An ``ml.`` instance type as EC2 names it (``ml.p5.48xlarge`` -> ``p5.48xlarge``); anything else unchanged."""
    return instance_type[3:] if isinstance(instance_type, str) and instance_type.startswith("ml.") else instance_type


def hyperpod_groups(props: object) -> object:
    """``[(group name, its EC2 instance types, its instanceCount)]`` of a HyperPod cluster; UNKNOWN if any is.
    Each group runs ``instanceCount`` nodes of ``instanceType`` or, a flexible group, of one of
    ``instanceRequirements.instanceTypes``, ``ml.``-prefixed (botocore sagemaker ``ClusterInstanceGroupSpecification``)."""
    groups = []
    for field in HYPERPOD_GROUPS:
        items = as_list(get(props, field))
        if is_unknown(items):
            return items
        for group in items or []:
            if not isinstance(group, dict):
                continue
            types = [group.get("instanceType")] if group.get("instanceType") else \
                as_list(get(group, "instanceRequirements", "instanceTypes"))
            count = as_int(group.get("instanceCount"))
            if is_unknown(types) or is_unknown(count) or any(is_unknown(t) for t in types):
                return UNKNOWN
            groups.append((group.get("instanceGroupName"), [_ec2_name(t) for t in types if isinstance(t, str)], count))
    return groups


def _group_types(group, templates: LaunchTemplateIndex) -> list:
    """A node group's instance types: its own, else its launch template's ``instanceType``."""
    types = as_list(get(group.props, "instanceTypes"))
    if types:
        return types
    template = next(iter(templates.of(group)), None)
    return [] if template is None else [t for t in [get(template_data(template), "instanceType")] if t]


def _is_gpu_node_group(group, templates: LaunchTemplateIndex) -> bool:
    """GPU instance types (the group's own or its launch template's), or an NVIDIA/GPU AMI type."""
    return _runs_gpu(_group_types(group, templates), get(group.props, "amiType", default=""))


def _runs_gpu(types: object, ami: object) -> bool:
    return (not is_unknown(types) and any(is_gpu_type(t) for t in as_list(types))) or (
        isinstance(ami, str) and ("NVIDIA" in ami or "GPU" in ami))


def _managed_taint(taints: object, key: str) -> object:
    """Whether aws.eks.NodeGroup ``taints`` carry ``key`` with effect NO_SCHEDULE; None if unknown."""
    taints = as_list(taints)
    if is_unknown(taints):
        return None
    return any(isinstance(t, dict) and t.get("key") == key and t.get("effect") == "NO_SCHEDULE" for t in taints)


TAINT_SCHEMA = config_schema(
    taintKey={"type": "string", "default": "nvidia.com/gpu",
              "description": "Taint key every GPU node group must carry with effect NO_SCHEDULE."},
)


#: Karpenter NodePools (karpenter.sh v1, v1beta1): ``spec.template.spec.requirements`` choose the instances
#: (well-known labels: node.kubernetes.io/instance-type, karpenter.k8s.aws/instance-family,
#: -instance-category, -instance-gpu-count, -instance-gpu-manufacturer, -instance-gpu-name) and
#: ``spec.template.spec.taints`` are Kubernetes taints (effect ``NoSchedule``).
NODE_POOL_GROUP = "kubernetes:karpenter.sh/"
_GPU_CATEGORIES = frozenset({"g", "p"})
_GPU_LABELS = frozenset({"karpenter.k8s.aws/instance-gpu-manufacturer", "karpenter.k8s.aws/instance-gpu-name"})


def is_node_pool(resource_type: str) -> bool:
    return resource_type.startswith(NODE_POOL_GROUP) and resource_type.endswith(":NodePool")


def _requirement_is_gpu(requirement: object) -> bool:
    if not isinstance(requirement, dict) or requirement.get("operator") not in ("In", "Gt", "Exists"):
        return False
    key, values = requirement.get("key"), as_list(requirement.get("values"))
    values = [] if is_unknown(values) else [v for v in values if isinstance(v, str)]
    if key == "node.kubernetes.io/instance-type":
        return any(is_gpu_type(v) for v in values)
    if key == "karpenter.k8s.aws/instance-family":
        return any(is_gpu_type(f"{v}.xlarge") for v in values)
    if key == "karpenter.k8s.aws/instance-category":
        return requirement.get("operator") == "In" and any(v in _GPU_CATEGORIES for v in values)
    if key == "karpenter.k8s.aws/instance-gpu-count":
        return requirement.get("operator") == "Exists" or any(v.isdigit() and int(v) >= (1 if requirement.get(
            "operator") == "In" else 0) for v in values)
    return key in _GPU_LABELS and requirement.get("operator") in ("In", "Exists")


def _node_pool_spec(pool) -> object:
    """A NodePool's ``spec.template.spec`` when its requirements choose GPU instances; None when they do not
    (or are unknown)."""
    spec = get(pool.props, "spec", "template", "spec")
    requirements = as_list(get(spec, "requirements"))
    if is_unknown(spec) or is_unknown(requirements) or not any(map(_requirement_is_gpu, requirements)):
        return None
    return spec


#: The extended resource a GPU NodePool's ``spec.limits`` bounds (NVIDIA's device plugin advertises it;
#: Karpenter "Limits prevent Karpenter from creating new instances once the limit is exceeded", a NodePool's
#: ``limits`` being a Kubernetes ResourceList: cpu, memory, nvidia.com/gpu, nodes; karpenter.sh v1 NodePool CRD).
GPU_RESOURCE = "nvidia.com/gpu"


def _node_pool_gpus(pool, spec: object) -> object:
    """The most GPUs a GPU NodePool may launch: its ``spec.limits`` of nvidia.com/gpu, else its ``nodes`` limit
    times the GPUs of the largest instance type its requirements name (all in catalog/gpu.py); None when
    nothing bounds it; UNKNOWN when not known yet."""
    limits = get(pool.props, "spec", "limits")
    if is_unknown(limits):
        return UNKNOWN
    limits = limits if isinstance(limits, dict) else {}
    gpus, nodes = as_count(limits.get(GPU_RESOURCE)), as_count(limits.get("nodes"))
    if gpus is not None or nodes is None or is_unknown(nodes):
        return gpus
    named = [v for r in as_list(get(spec, "requirements")) or []
             if isinstance(r, dict) and r.get("key") == "node.kubernetes.io/instance-type" and r.get("operator") == "In"
             for v in as_list(r.get("values")) or []]
    if not named or any(t not in GPU_INSTANCE_TYPES for t in named if isinstance(t, str)):
        return None
    return nodes * _gpus_per_node(named)


def _node_pool_taints(pool, key: str) -> object:
    """None when the pool launches no GPU nodes (or its requirements are unknown), else whether it taints them."""
    spec = _node_pool_spec(pool)
    if spec is None:
        return None
    taints = as_list(get(spec, "taints"))
    if is_unknown(taints):
        return None
    return any(isinstance(t, dict) and t.get("key") == key and t.get("effect") == "NoSchedule" for t in taints)


def _tainted(args: StackValidationArgs, report: ReportViolation) -> None:
    key = policy_config(args, TAINT_SCHEMA)["taintKey"]
    templates = launch_templates(stack_resources(args))
    for group in of_type(args.resources, *NODE_GROUPS):
        if not _is_gpu_node_group(group, templates):
            continue
        if _managed_taint(get(group.props, "taints"), key) is False:
            report(f"{describe(group)} runs GPU nodes without the {key}=true:NoSchedule taint: any pod could take "
                   "them (and keep them from scaling to zero)", group.urn)
    for pool in (r for r in args.resources if is_node_pool(r.resource_type)):
        if _node_pool_taints(pool, key) is False:
            report(f"{describe(pool)} (a Karpenter NodePool) launches GPU instances without the {key} NoSchedule "
                   "taint in spec.template.spec.taints: any pod could take them (and keep them from scaling to zero)",
                   pool.urn)


gpu_node_group_tainted = StackValidationPolicy(
    name="gpu-node-group-tainted",
    description="EKS node groups of GPU instances (their own instance types, their launch template's, or a GPU "
                "AMI type) and Karpenter NodePools whose requirements choose GPU instances carry the nvidia.com/gpu "
                "NoSchedule taint.",
    validate=examines(lambda t: t in (*NODE_GROUPS, LAUNCH_TEMPLATE, NATIVE_LAUNCH_TEMPLATE) or is_node_pool(t), _tainted),
    config_schema=TAINT_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Add taints=[{'key': 'nvidia.com/gpu', 'value': 'true', 'effect': 'NO_SCHEDULE'}] to the "
                      "aws.eks.NodeGroup; GPU workloads tolerate it.",
    **frameworks({"nist-800-53": "SC-6"}),
)

#: pulumi-eks self-managed node groups (NodeGroup, NodeGroupV2, a Cluster's default node group) take ``gpu``
#: (the EKS-optimized GPU AMI), ``instanceType`` and ``taints``, a map of key to ``{value, effect}`` that
#: becomes the kubelet's ``--register-with-taints`` (pulumi-eks nodejs/eks/nodes/nodegroup.ts,
#: NodeGroupBaseOptions.taints), as does one in ``kubeletExtraArgs``. A ManagedNodeGroup takes the
#: aws.eks.NodeGroup inputs (``instanceTypes``, ``amiType``, ``taints`` with effect NO_SCHEDULE).
SELF_MANAGED = (EKS_NODE_GROUP, EKS_NODE_GROUP_V2)


def _self_managed_taint(options: dict, key: str) -> object:
    """Whether a self-managed group's ``taints`` or ``kubeletExtraArgs`` register ``key`` with effect
    NoSchedule; None if unknown or if the program writes the user data itself (``nodeUserDataOverride``)."""
    taints, extra = options.get("taints"), options.get("kubeletExtraArgs")
    if is_unknown(taints) or is_unknown(extra) or options.get("nodeUserDataOverride") is not None:
        return None
    if isinstance(taints, dict) and isinstance(taints.get(key), dict) and taints[key].get("effect") == "NoSchedule":
        return True
    return isinstance(extra, str) and re.search(
        rf"--register-with-taints[= ](?:\S*,)?{re.escape(key)}(?:=[^:,\s]*)?:NoSchedule", extra) is not None


def _component_tainted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    key = policy_config(args, TAINT_SCHEMA)["taintKey"]
    props = plain(args.props)
    props = props if isinstance(props, dict) else {}
    if args.resource_type == EKS_MANAGED_NODE_GROUP:
        gpu, tainted, where = _runs_gpu(props.get("instanceTypes"), props.get("amiType")), \
            _managed_taint(props.get("taints"), key), "input taints"
    else:
        options, prefix = (props, "") if args.resource_type in SELF_MANAGED else default_node_group_inputs(props)
        if options is None:
            return
        gpu = as_bool(options.get("gpu")) is True or is_gpu_type(options.get("instanceType"))
        tainted, where = _self_managed_taint(options, key), f"input {prefix}taints"
    if gpu and tainted is False:
        part = " (its default node group)" if args.resource_type == EKS_CLUSTER else ""
        report(f"{describe(args)}{part} runs GPU nodes without the {key}=true:NoSchedule taint: any pod could take "
               f"them (and keep them from scaling to zero) (on the component: {where})")


gpu_node_group_component_tainted = ResourceValidationPolicy(
    name="gpu-node-group-component-tainted",
    description="pulumi-eks node groups (ManagedNodeGroup, NodeGroup, NodeGroupV2, a Cluster's default node group) "
                "of GPU instances carry the nvidia.com/gpu NoSchedule taint in their inputs.",
    validate=applies_to([EKS_MANAGED_NODE_GROUP, *SELF_MANAGED, EKS_CLUSTER], _component_tainted),
    config_schema=TAINT_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Give the node group taints: {'nvidia.com/gpu': {'value': 'true', 'effect': 'NoSchedule'}} "
                      "(NodeGroup, NodeGroupV2, nodeGroupOptions), or [{'key': 'nvidia.com/gpu', 'value': 'true', "
                      "'effect': 'NO_SCHEDULE'}] on a ManagedNodeGroup; GPU workloads tolerate it.",
    **frameworks({"nist-800-53": "SC-6"}),
)

TYPES_SCHEMA = config_schema(
    allowedGpuInstanceTypes={
        "type": "array", "items": {"type": "string"},
        "default": ["g4dn.*", "g5.*", "g6.*", "g6e.*", "gr6.*"],
        "description": "GPU instance types allowed in this environment (shell patterns such as 'p5.*').",
    },
)


def _training_types(args: ResourceValidationArgs) -> list:
    """A training job's instance types as EC2 names (``ml.p5.48xlarge`` -> ``p5.48xlarge``); unknown if any is."""
    config = get(args.props, "resourceConfig")
    if is_unknown(config):
        return config
    config = config[0] if isinstance(config, list) and config else config
    if not isinstance(config, dict):
        return []
    types = [config.get("instanceType")]
    groups = as_list(config.get("instanceGroups"))
    if is_unknown(groups):
        return groups
    types += [g.get("instanceType") for g in groups or [] if isinstance(g, dict)]
    if any(is_unknown(t) for t in types):
        return next(t for t in types if is_unknown(t))
    return [_ec2_name(t) for t in types if isinstance(t, str)]


def _instance_types(args: ResourceValidationArgs) -> list:
    if args.resource_type in NODE_GROUPS:
        return as_list(get(args.props, "instanceTypes"))
    if args.resource_type == TRAINING_JOB:
        return _training_types(args)
    if args.resource_type == HYPERPOD:
        groups = hyperpod_groups(args.props)
        return groups if is_unknown(groups) else [t for _, types, _ in groups for t in types]
    return as_list(get(template_data(args), "instanceType"))


def _allowed_types(args: ResourceValidationArgs, report: ReportViolation) -> None:
    allowed = policy_config(args, TYPES_SCHEMA)["allowedGpuInstanceTypes"]
    types = _instance_types(args)
    if is_unknown(types):
        return
    for instance_type in types:
        if is_gpu_type(instance_type) and not any(fnmatch.fnmatchcase(instance_type, p) for p in allowed):
            report(f"{describe(args)} uses GPU instance type {instance_type}, which this environment does not allow "
                   f"(allowed: {', '.join(allowed)})")


gpu_instance_types_allowed = ResourceValidationPolicy(
    name="gpu-instance-types-allowed",
    description="GPU instance types are limited to the environment's allowed list (large training types in prod only).",
    validate=as_built([*NODE_GROUPS, LAUNCH_TEMPLATE, INSTANCE, NATIVE_LAUNCH_TEMPLATE, NATIVE_INSTANCE, TRAINING_JOB,
                       HYPERPOD], _allowed_types, "instance-type"),
    config_schema=TYPES_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Use an allowed GPU instance type, or add it to allowedGpuInstanceTypes in "
                      "policies/config/<env>/compliance.json after the capacity and budget are approved.",
    **frameworks({"nist-800-53": "CM-7, SC-6"}),
)

CAP_SCHEMA = config_schema(
    maxGpus={"type": "integer", "minimum": 0, "default": 16,
             "description": "Most GPUs the environment's node groups, HyperPod instance groups and Karpenter GPU "
                            "NodePools may reach together (maxSize, or a HyperPod group's instanceCount, x GPUs per "
                            "node; a NodePool's spec.limits)."},
)


def _gpus_per_node(types: list) -> int:
    """The GPUs of the largest of ``types`` that catalog/gpu.py lists; 0 if it lists none."""
    return max((GPU_INSTANCE_TYPES[t].gpus for t in types if isinstance(t, str) and t in GPU_INSTANCE_TYPES), default=0)


def _counted_gpus_per_node(label: str, urn: str, types: list, report: ReportViolation) -> int:
    """``_gpus_per_node``, reporting (for ``label``) the GPU types catalog/gpu.py cannot count."""
    uncounted = [t for t in types if is_gpu_type(t) and t not in GPU_INSTANCE_TYPES]
    if uncounted:
        # Counting these as 0 would let a group of new GPU types grow past the cap unseen.
        report(f"{label} uses GPU instance type(s) {', '.join(uncounted)} whose GPUs per node are not in "
               "catalog/gpu.py, so the cap cannot be checked: add them to the table", urn)
    return _gpus_per_node(types)


def _gpu_cap(args: StackValidationArgs, report: ReportViolation) -> None:
    cap = policy_config(args, CAP_SCHEMA)["maxGpus"]
    total, parts = 0, []
    templates = launch_templates(stack_resources(args))
    for group in of_type(args.resources, *NODE_GROUPS):
        types = _group_types(group, templates)
        size = as_int(get(group.props, "scalingConfig", "maxSize"))
        if is_unknown(types) or is_unknown(size) or not size:
            continue
        per_node = _counted_gpus_per_node(describe(group), group.urn, types, report)
        if per_node:
            total += per_node * size
            parts.append(f"{group.name}: {size} x {per_node}")
    others = []  # what else a reader lowers: said in the message only when counted
    for cluster in of_type(args.resources, HYPERPOD):
        groups = hyperpod_groups(cluster.props)
        for name, types, count in [] if is_unknown(groups) else groups:
            per_node = _counted_gpus_per_node(f"{describe(cluster)} instance group {name!r}", cluster.urn, types,
                                              report)
            if per_node and count:
                total += per_node * count
                parts.append(f"{cluster.name}/{name}: {count} x {per_node}")
                others.append("instanceCount of HyperPod groups")
    for pool in (r for r in args.resources if is_node_pool(r.resource_type)):
        spec = _node_pool_spec(pool)
        if spec is None:
            continue
        gpus = _node_pool_gpus(pool, spec)
        if gpus is None:
            report(f"{describe(pool)} (a Karpenter NodePool) launches GPU instances with no {GPU_RESOURCE} (or "
                   "nodes) in spec.limits: Karpenter adds GPU nodes without bound, so the cap cannot be checked; "
                   f"set spec.limits['{GPU_RESOURCE}']", pool.urn)
        elif not is_unknown(gpus) and gpus:
            total += gpus
            parts.append(f"{pool.name}: limit {gpus}")
            others.append("spec.limits of NodePools")
    if total > cap:
        also = f" ({', '.join(dict.fromkeys(others))})" if others else ""
        report(f"GPU node groups can reach {total} GPUs ({', '.join(parts)}), above this environment's cap of "
               f"{cap}: lower their maxSize{also} or raise maxGpus")


gpu_capacity_cap = StackValidationPolicy(
    name="gpu-capacity-cap",
    description="An environment's GPU node groups, SageMaker HyperPod instance groups and Karpenter GPU NodePools "
                "(by their spec.limits, which must bound them) cannot together scale past maxGpus GPUs.",
    validate=examines(lambda t: t in (*NODE_GROUPS, LAUNCH_TEMPLATE, NATIVE_LAUNCH_TEMPLATE, HYPERPOD) or is_node_pool(t),
                      _gpu_cap),
    config_schema=CAP_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Lower scaling_config.max_size of the GPU node groups (instance_count of HyperPod instance "
                      "groups, spec.limits of Karpenter NodePools, which must set one), or raise maxGpus in "
                      "policies/config/<env>/compliance.json (and the stack's mlinfra:training.maxGpus) once approved.",
    **frameworks({"nist-800-53": "SC-6"}),
)

SECURITY: list = []
PRIVACY: list = []
COMPLIANCE = [gpu_node_group_tainted, gpu_node_group_component_tainted, gpu_instance_types_allowed,
              gpu_capacity_cap]
