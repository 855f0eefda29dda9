"""Where Kubernetes resources keep their pod specs: one table from kind to the paths of its pod specs,
serving every Kubernetes workload rule (host namespaces, privileges, users, resources, images, GPUs).

A type token of pulumi-kubernetes is ``kubernetes:<group>/<version>:<Kind>``, built-in kinds and
``apiextensions.CustomResource`` alike (``kubernetes:ray.io/v1:RayCluster``); the table is keyed by
``<group>:<Kind>`` and ignores the version, so ``apps/v1beta2`` and ``ray.io/v1alpha1`` are read the
same way. ``<Kind>Patch`` types (server-side apply patches) are *partial*: a field they leave out may
be set on the live object, so rules that judge an absent setting skip them, while rules that judge a
setting that is present (``hostNetwork: true``) still apply.

Paths are tuples of keys; ``"*"`` steps into every item of a list and ``"**"`` into every value of a
mapping (Kubeflow's ``pytorchReplicaSpecs: {Master: ..., Worker: ...}``). Sources, for the custom
resources: KubeRay ``ray-operator/apis/ray/v1`` (``RayClusterSpec.HeadGroupSpec.Template``,
``WorkerGroupSpecs[].Template``, ``RayJobSpec.RayClusterSpec``/``SubmitterPodTemplate``,
``RayServiceSpec.RayClusterSpec`` as ``rayClusterConfig``); Kubeflow training-operator
``pkg/apis/kubeflow.org/v1`` (``<framework>ReplicaSpecs`` maps of ``ReplicaSpec.Template``);
Kubeflow Trainer ``trainer.kubeflow.org/v1alpha1`` (runtimes embed a JobSet template, a TrainJob
names only ``trainer.image`` and ``trainer.resourcesPerNode``); JobSet ``jobset.x-k8s.io/v1alpha2``;
Kueue ``Workload.spec.podSets[].template``; LeaderWorkerSet; Volcano ``batch.volcano.sh`` jobs; KServe
InferenceServices and ServingRuntimes (``KSERVE_COMPONENTS``, partial); Kubeflow Notebooks; Argo Rollouts;
Seldon Core ``SeldonDeployment`` and Knative ``Service``/``Configuration`` (partial); Argo Workflows' ``Workflow``,
``WorkflowTemplate``, ``ClusterWorkflowTemplate`` and ``CronWorkflow`` (``ARGO_WORKFLOW_SPECS``, partial: a
pod per template, assembled as the workflow controller assembles it); the Spark operator's
``SparkApplication`` and ``ScheduledSparkApplication`` (``SPARK_APPLICATION_SPECS``, partial: the driver's and
the executors' pods).
Helm releases are opaque: their manifests are rendered inside the provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

from policies.rules._props import get, is_unknown, plain, provider_setting, walk

Path = tuple[str, ...]

_TEMPLATE: Path = ("spec", "template", "spec")
_RAY_PODS: tuple[Path, ...] = (("headGroupSpec", "template", "spec"), ("workerGroupSpecs", "*", "template", "spec"))
_JOBSET_PODS: Path = ("replicatedJobs", "*", "template", "spec", "template", "spec")


def _under(prefix: Path, paths: tuple[Path, ...]) -> tuple[Path, ...]:
    return tuple(prefix + path for path in paths)


def _replica_specs(field: str) -> tuple[Path, ...]:
    return (("spec", field, "**", "template", "spec"),)


#: ``<group>:<Kind>`` -> the paths of the pod specs in a resource of that kind.
POD_SPEC_PATHS: dict[str, tuple[Path, ...]] = {
    "core:Pod": (("spec",),),
    "core:PodTemplate": (("template", "spec"),),
    "core:ReplicationController": (_TEMPLATE,),
    **{f"{group}:{kind}": (_TEMPLATE,) for group in ("apps", "extensions")
       for kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")},
    "batch:Job": (_TEMPLATE,),
    "batch:CronJob": (("spec", "jobTemplate", "spec", "template", "spec"),),
    "ray.io:RayCluster": _under(("spec",), _RAY_PODS),
    "ray.io:RayJob": _under(("spec", "rayClusterSpec"), _RAY_PODS) + (("spec", "submitterPodTemplate", "spec"),),
    "ray.io:RayService": _under(("spec", "rayClusterConfig"), _RAY_PODS),
    "kubeflow.org:PyTorchJob": _replica_specs("pytorchReplicaSpecs"),
    "kubeflow.org:TFJob": _replica_specs("tfReplicaSpecs"),
    "kubeflow.org:MPIJob": _replica_specs("mpiReplicaSpecs"),
    "kubeflow.org:XGBoostJob": _replica_specs("xgbReplicaSpecs"),
    "kubeflow.org:PaddleJob": _replica_specs("paddleReplicaSpecs"),
    "kubeflow.org:JAXJob": _replica_specs("jaxReplicaSpecs"),
    "jobset.x-k8s.io:JobSet": (("spec",) + _JOBSET_PODS,),
    "trainer.kubeflow.org:TrainingRuntime": (("spec", "template", "spec") + _JOBSET_PODS,),
    "trainer.kubeflow.org:ClusterTrainingRuntime": (("spec", "template", "spec") + _JOBSET_PODS,),
    "kueue.x-k8s.io:Workload": (("spec", "podSets", "*", "template", "spec"),),
    "leaderworkerset.x-k8s.io:LeaderWorkerSet": (("spec", "leaderWorkerTemplate", "leaderTemplate", "spec"),
                                                 ("spec", "leaderWorkerTemplate", "workerTemplate", "spec")),
    "batch.volcano.sh:Job": (("spec", "tasks", "*", "template", "spec"),),
    # Kubeflow notebook-controller: "The user needs to specify the PodSpec for the jupyter notebook"
    # (``spec.template.spec``; components/notebook-controller README), run as a StatefulSet.
    "kubeflow.org:Notebook": (_TEMPLATE,),
    # Argo Rollouts: ``spec.template`` is the Deployment's PodTemplateSpec (a Rollout replaces a Deployment).
    "argoproj.io:Rollout": (_TEMPLATE,),
    # Seldon Core v1: each predictor's ``componentSpecs[]`` "is a Kubernetes PodTemplateSpec which Seldon will
    # build into a Kubernetes Deployment" (seldon-core doc/source/graph/inference-graph.md); partial below.
    "machinelearning.seldon.io:SeldonDeployment": (("spec", "predictors", "*", "componentSpecs", "*", "spec"),),
    # Knative Serving: a Service's and a Configuration's ``spec.template`` is a RevisionTemplateSpec whose spec
    # embeds the PodSpec inline; partial below.
    "serving.knative.dev:Service": (_TEMPLATE,),
    "serving.knative.dev:Configuration": (_TEMPLATE,),
}
#: Kinds whose pods are partly described by the resource itself: a Kubeflow TrainJob names the
#: trainer's image and per-node resources, the rest comes from its (Cluster)TrainingRuntime; a KServe
#: InferenceService's components and a (Cluster)ServingRuntime are pod specs the controller completes
#: (it injects the storage initializer and agent containers and merges the runtime with the model).
#: An Argo ``Workflow``'s templates are pods the workflow controller assembles (with its ``init`` and ``wait``
#: executor containers, the controller ConfigMap's ``mainContainer`` defaults and any ``podSpecPatch``).
#: ``<group>:<Kind>`` -> the path of the ``WorkflowSpec`` (argo-workflows ``pkg/apis/workflow/v1alpha1``:
#: ``Workflow.Spec``, ``WorkflowTemplate.Spec``, ``ClusterWorkflowTemplate.Spec``, ``CronWorkflowSpec.WorkflowSpec``).
ARGO_WORKFLOW_SPECS: dict[str, Path] = {
    "argoproj.io:Workflow": ("spec",), "argoproj.io:WorkflowTemplate": ("spec",),
    "argoproj.io:ClusterWorkflowTemplate": ("spec",), "argoproj.io:CronWorkflow": ("spec", "workflowSpec")}
#: Pod templates of ``POD_SPEC_PATHS`` that the controller completes before it creates the pods: Seldon's
#: operator merges its defaults into the model containers and adds its executor; Knative's webhook defaults
#: the user container (its ``secure-pod-defaults`` flag sets the security context) and adds the queue proxy.
COMPLETED_TEMPLATES: frozenset[str] = frozenset({
    "machinelearning.seldon.io:SeldonDeployment", "serving.knative.dev:Service", "serving.knative.dev:Configuration"})
#: The Spark operator's applications (kubeflow/spark-operator ``api/v1beta2``): ``<group>:<Kind>`` -> the path
#: of the ``SparkApplicationSpec`` (a ScheduledSparkApplication's ``spec.template``). Its ``driver`` and
#: ``executor`` are ``SparkPodSpec``s, which spark-submit turns into pods (partial: Spark sets the resources,
#: ports and its own environment, and an optional pod ``template`` adds more).
SPARK_APPLICATION_SPECS: dict[str, Path] = {
    "sparkoperator.k8s.io:SparkApplication": ("spec",),
    "sparkoperator.k8s.io:ScheduledSparkApplication": ("spec", "template")}
PARTIAL_KINDS: frozenset[str] = frozenset({
    "trainer.kubeflow.org:TrainJob", "serving.kserve.io:InferenceService", "serving.kserve.io:ServingRuntime",
    "serving.kserve.io:ClusterServingRuntime", *ARGO_WORKFLOW_SPECS, *COMPLETED_TEMPLATES,
    *SPARK_APPLICATION_SPECS})
#: KServe ``serving.kserve.io/v1beta1`` (pkg/apis/serving/v1beta1): ``PredictorSpec``,
#: ``TransformerSpec`` and ``ExplainerSpec`` embed a ``v1.PodSpec`` inline (``json:",inline"``), and the
#: predictor's ``workerSpec`` (multi-node) one more; ``model`` (``ModelSpec``) and the framework
#: shorthands (``sklearn``, ``pytorch``, ... ``PredictorExtensionSpec``) and the explainer's ``art`` embed a
#: ``v1.Container`` inline: the container KServe runs as ``kserve-container``. A (Cluster)ServingRuntime's
#: ``spec`` embeds ``ServingRuntimePodSpec`` (containers, volumes, nodeSelector, ... inline).
#: Cluster-scoped kinds with pod templates (their CRDs' ``scope: Cluster``): templates whose pods run in
#: the namespace of the job or service that uses them, never in a namespace of their own.
CLUSTER_SCOPED_TEMPLATES: frozenset[str] = frozenset({
    "trainer.kubeflow.org:ClusterTrainingRuntime", "serving.kserve.io:ClusterServingRuntime",
    "argoproj.io:ClusterWorkflowTemplate"})
KSERVE_COMPONENTS = ("predictor", "transformer", "explainer")
KSERVE_CONTAINERS = ("model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "huggingface", "pmml",
                     "lightgbm", "paddle", "art")
_BUILT_IN_GROUPS = frozenset({"core", "apps", "extensions", "batch"})
CONTAINER_LISTS: tuple[tuple[str, str], ...] = (
    ("initContainers", "init container"), ("containers", "container"), ("ephemeralContainers", "ephemeral container"))


@dataclass(frozen=True)
class Kind:
    """A Kubernetes type token, parsed: ``key`` is ``<group>:<Kind>`` (without ``Patch``)."""

    key: str
    patch: bool

    @property
    def group(self) -> str:
        return self.key.split(":", 1)[0]


@lru_cache(maxsize=4096)
def kind_of(resource_type: str) -> Optional[Kind]:
    """The group and kind of a pulumi-kubernetes type token; None for anything else."""
    parts = resource_type.split(":")
    if len(parts) != 3 or parts[0] != "kubernetes" or "/" not in parts[1]:
        return None
    group, kind = parts[1].rsplit("/", 1)[0], parts[2]
    patch = kind.endswith("Patch") and len(kind) > len("Patch")
    return Kind(f"{group}:{kind.removesuffix('Patch') if patch else kind}", patch)


def _listed(key: str) -> Optional[str]:
    """The workload kind a ``<Kind>List`` holds (``core:PodList`` -> ``core:Pod``), else None."""
    base = key.removesuffix("List")
    return base if base != key and base in POD_SPEC_PATHS else None


def is_workload(resource_type: str) -> bool:
    """True for every type whose resources carry pod specs (see ``POD_SPEC_PATHS``), patches included,
    and for lists of them (``kubernetes:apps/v1:DeploymentList``, whose ``items`` are Deployments)."""
    kind = kind_of(resource_type)
    return kind is not None and (kind.key in POD_SPEC_PATHS or kind.key in PARTIAL_KINDS
                                 or (not kind.patch and _listed(kind.key) is not None))


#: API groups whose kinds never carry pod specs beyond those in ``POD_SPEC_PATHS``: Kubernetes's own
#: groups, Helm releases (opaque) and the YAML/Kustomize components; and custom kinds known to carry
#: none (Kueue's queues and flavors). Any other custom resource may embed containers somewhere.
BUILT_IN_GROUPS: frozenset[str] = frozenset({
    "core", "apps", "batch", "extensions", "autoscaling", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
    "networking.k8s.io", "coordination.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io",
    "scheduling.k8s.io", "node.k8s.io", "discovery.k8s.io", "certificates.k8s.io", "events.k8s.io",
    "flowcontrol.apiserver.k8s.io", "resource.k8s.io", "apiregistration.k8s.io", "authentication.k8s.io",
    "authorization.k8s.io", "internal.apiserver.k8s.io", "storagemigration.k8s.io", "helm.sh", "yaml", "kustomize",
})
NON_POD_CUSTOM_KINDS: frozenset[str] = frozenset(f"kueue.x-k8s.io:{kind}" for kind in (
    "ClusterQueue", "LocalQueue", "ResourceFlavor", "AdmissionCheck", "WorkloadPriorityClass", "Cohort", "Topology",
    "ProvisioningRequestConfig", "MultiKueueCluster", "MultiKueueConfig"))


def may_carry_pods(resource_type: str) -> bool:
    """True for workloads (``is_workload``) and for custom resources not known to carry no pod spec:
    what a rule that searches a Kubernetes object for containers anywhere can find them in."""
    kind = kind_of(resource_type)
    if kind is None:
        return False
    if is_workload(resource_type):
        return True
    return kind.group not in BUILT_IN_GROUPS and kind.key not in NON_POD_CUSTOM_KINDS


def is_kind(resource_type: str, key: str, patches: bool = True) -> bool:
    """True when the type is the kind ``<group>:<Kind>`` (any version; its patch too unless ``patches`` is false)."""
    kind = kind_of(resource_type)
    return kind is not None and kind.key == key and (patches or not kind.patch)


@dataclass(frozen=True)
class Pod:
    """One pod spec in a resource: where it is (``spec.workerGroupSpecs[1].template.spec``), the spec
    as plain data, and whether it may leave out what the live object has (a patch, a TrainJob)."""

    where: str
    spec: dict
    partial: bool
    label: str  # "" for the one pod of a built-in workload, else " (<where>)" for messages
    #: The pod's (template's) metadata, beside the spec: annotations such as AppArmor's.
    metadata: dict = field(default_factory=dict)
    #: The namespace of a list's item (``metadata.namespace``), None for the resource's own pods.
    namespace: Optional[str] = None


@dataclass(frozen=True)
class Container:
    """One container of a pod: its kind (``container``, ``init container``...), name and spec."""

    pod: Pod
    kind: str
    name: str
    spec: dict
    list_name: str

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


def _train_job_pods(props: Any) -> list[tuple[str, Any]]:
    trainer = get(props, "spec", "trainer")
    if is_unknown(trainer):
        return [("spec.trainer", trainer)]
    if not isinstance(trainer, dict):
        return []
    container = {"name": "node", "image": trainer.get("image"), "resources": trainer.get("resourcesPerNode")}
    return [("spec.trainer", {"containers": [{k: v for k, v in container.items() if v is not None}]})]


def kserve_components(props: Any) -> list[tuple[str, dict]]:
    """``(where, spec)`` of an InferenceService's components: ``spec.<component>`` and its ``workerSpec``."""
    found: list[tuple[str, dict]] = []
    for component in KSERVE_COMPONENTS:
        spec = get(props, "spec", component)
        if not isinstance(spec, dict):
            continue
        found.append((f"spec.{component}", spec))
        worker = spec.get("workerSpec")
        if isinstance(worker, dict):
            found.append((f"spec.{component}.workerSpec", worker))
    return found


def kserve_inline_containers(spec: dict) -> list[tuple[str, dict]]:
    """``(key, container)`` of a component's inline containers (``model``, the framework shorthands), named
    ``kserve-container`` when the program names none, as KServe runs them."""
    inline = ((key, spec.get(key)) for key in KSERVE_CONTAINERS)
    return [(key, {"name": "kserve-container", **c} if not c.get("name") else c)
            for key, c in inline if isinstance(c, dict)]


def _kserve_pod(spec: dict) -> dict:
    pod = dict(spec)
    listed = spec.get("containers")
    pod["containers"] = [*(listed if isinstance(listed, list) else []),
                         *(container for _, container in kserve_inline_containers(spec))]
    return pod


def _kserve_pods(key: str, props: Any) -> list[tuple[str, Any]]:
    if key != "serving.kserve.io:InferenceService":
        spec = get(props, "spec")
        return [("spec", spec if is_unknown(spec) or not isinstance(spec, dict) else dict(spec))]
    return [(where, _kserve_pod(spec)) for where, spec in kserve_components(props)]


#: ``Template.GetType``'s fields: what a template runs.
_ARGO_TEMPLATE_TYPES = frozenset({"container", "containerSet", "script", "resource", "dag", "steps", "suspend", "data",
                                  "http", "plugin"})


def _merged(default: Any, value: Any) -> Any:
    # A template over its workflow's templateDefaults: objects merged key by key, the template's value wins.
    if isinstance(default, dict) and isinstance(value, dict):
        return {**default, **{k: _merged(default.get(k), v) for k, v in value.items()}}
    return default if value is None else value


def argo_templates(props: Any, key: str) -> list[tuple[str, str, dict]]:
    """``(where, name, template)`` of each template of an Argo workflow kind, ``spec.templateDefaults`` applied
    (``WorkflowSpec.TemplateDefaults``: "default template values that will apply to all templates ... unless
    overridden on the template-level", merged by strategic merge patch: argo-workflows docs/template-defaults.md;
    here objects key by key and lists replaced)."""
    path = ARGO_WORKFLOW_SPECS[key]
    spec = get(props, *path)
    if not isinstance(spec, dict):
        return []
    defaults = spec.get("templateDefaults")
    defaults = defaults if isinstance(defaults, dict) else {}
    templates = spec.get("templates")
    found = []
    for index, template in enumerate(templates if isinstance(templates, list) else []):
        if isinstance(template, dict):
            name = template.get("name")
            # A default of a template type (``container``...) completes templates of that type, not others.
            own = {k: v for k, v in defaults.items() if k not in _ARGO_TEMPLATE_TYPES or k in template}
            found.append((f"{'.'.join(path)}.templates[{index}]", name if isinstance(name, str) else "",
                          _merged(own, template)))
    return found


def argo_template_containers(template: dict) -> list[tuple[str, dict]]:
    """``(key, container)`` of a template's own containers, which are no pod-spec lists: ``container`` and
    ``script`` (an inline ``Container``, named ``main`` when unnamed: ``common.MainContainerName``)."""
    found = []
    for key in ("container", "script"):
        container = template.get(key)
        if isinstance(container, dict):
            found.append((key, container if container.get("name") else {**container, "name": "main"}))
    return found


def _argo_pod(spec: dict, template: dict) -> Optional[dict]:
    """The pod the workflow controller creates for a template (``workflowpod.go`` ``createWorkflowPod``):
    the main container (``container``/``script``) or the ``containerSet``'s, the ``sidecars`` and
    ``initContainers``; ``hostNetwork`` from the workflow; ``securityContext``, ``serviceAccountName``,
    ``automountServiceAccountToken``, ``tolerations`` and ``nodeSelector`` from the template, else the
    workflow; the template's ``volumes`` and those of the workflow its containers mount. Templates that run
    no pod of the program's containers (``steps``, ``dag``, ``suspend``, ``resource``, ``http``...) have none."""
    container_set = template.get("containerSet")
    set_containers = container_set.get("containers") if isinstance(container_set, dict) else None
    main = [c for _, c in argo_template_containers(template)]
    main += [c for c in (set_containers if isinstance(set_containers, list) else []) if isinstance(c, dict)]
    if not main:
        return None
    sidecars = template.get("sidecars")
    containers = main + [c for c in (sidecars if isinstance(sidecars, list) else []) if isinstance(c, dict)]
    pod: dict = {"containers": containers}
    init = template.get("initContainers")
    if isinstance(init, list):
        pod["initContainers"] = init
    if spec.get("hostNetwork") is not None:
        pod["hostNetwork"] = spec["hostNetwork"]
    for key in ("securityContext", "serviceAccountName", "automountServiceAccountToken", "tolerations",
                "nodeSelector"):
        value = template.get(key) if template.get(key) is not None else spec.get(key)
        if value is not None:
            pod[key] = value
    mounts = {m.get("name") for c in [*containers, *(init if isinstance(init, list) else []),
                                      container_set if isinstance(container_set, dict) else {}]
              if isinstance(c, dict) and isinstance(c.get("volumeMounts"), list)
              for m in c["volumeMounts"] if isinstance(m, dict)}
    own, shared = template.get("volumes"), spec.get("volumes")
    volumes = [v for v in (own if isinstance(own, list) else []) if isinstance(v, dict)]
    volumes += [v for v in (shared if isinstance(shared, list) else [])
                if isinstance(v, dict) and v.get("name") in mounts]
    if volumes:
        pod["volumes"] = volumes
    return pod


def _argo_pods(key: str, props: Any) -> list[tuple[str, dict, dict]]:
    spec = get(props, *ARGO_WORKFLOW_SPECS[key])
    found = []
    for where, name, template in argo_templates(props, key):
        pod = _argo_pod(spec, template)
        if pod is not None:
            metadata = template.get("metadata")
            found.append((where + (f" {name}" if name else ""), pod, metadata if isinstance(metadata, dict) else {}))
    return found


#: Spark on Kubernetes names the main containers ``spark-kubernetes-driver`` and ``spark-kubernetes-executor``
#: (Spark's ``Constants.DEFAULT_DRIVER_CONTAINER_NAME`` / ``DEFAULT_EXECUTOR_CONTAINER_NAME``).
SPARK_ROLES = (("driver", "spark-kubernetes-driver"), ("executor", "spark-kubernetes-executor"))


def spark_main_container(spec: dict, role: dict, name: str) -> dict:
    """A driver's or executor's main container: ``image`` (else the application's), ``env`` (and the
    deprecated ``envVars`` map), ``envFrom``, ``securityContext``, ``volumeMounts``, ``imagePullPolicy``."""
    env = [e for e in (role.get("env") if isinstance(role.get("env"), list) else []) if isinstance(e, dict)]
    legacy = role.get("envVars")
    env += [{"name": k, "value": v} for k, v in (legacy.items() if isinstance(legacy, dict) else [])]
    container: dict = {"name": name, "image": role.get("image") or spec.get("image")}
    for key in ("envFrom", "securityContext", "volumeMounts"):
        if role.get(key) is not None:
            container[key] = role[key]
    if spec.get("imagePullPolicy") is not None:
        container["imagePullPolicy"] = spec["imagePullPolicy"]
    if env:
        container["env"] = env
    return {k: v for k, v in container.items() if v is not None}


def _spark_pods(key: str, props: Any) -> list[tuple[str, dict]]:
    """The driver and executor pods of a Spark application (``SparkPodSpec``): the main container and the
    ``sidecars``, the ``initContainers``, ``hostNetwork``, ``podSecurityContext`` as the pod's security context,
    ``serviceAccount``, ``tolerations``, and the application's ``volumes`` the containers mount."""
    path = SPARK_APPLICATION_SPECS[key]
    spec = get(props, *path)
    if not isinstance(spec, dict):
        return []
    found = []
    for role_key, name in SPARK_ROLES:
        role = spec.get(role_key)
        if not isinstance(role, dict):
            continue
        sidecars = role.get("sidecars")
        containers = [spark_main_container(spec, role, name),
                      *(c for c in (sidecars if isinstance(sidecars, list) else []) if isinstance(c, dict))]
        pod: dict = {"containers": containers}
        for source, target in (("initContainers", "initContainers"), ("hostNetwork", "hostNetwork"),
                               ("podSecurityContext", "securityContext"), ("serviceAccount", "serviceAccountName"),
                               ("tolerations", "tolerations")):
            if role.get(source) is not None:
                pod[target] = role[source]
        init = pod.get("initContainers") if isinstance(pod.get("initContainers"), list) else []
        mounts = {m.get("name") for c in [*containers, *init] if isinstance(c, dict)
                  and isinstance(c.get("volumeMounts"), list) for m in c["volumeMounts"] if isinstance(m, dict)}
        volumes = spec.get("volumes")
        mounted = [v for v in (volumes if isinstance(volumes, list) else [])
                   if isinstance(v, dict) and v.get("name") in mounts]
        if mounted:
            pod["volumes"] = mounted
        found.append((f"{'.'.join(path)}.{role_key}", pod))
    return found


def pods(subject: Any) -> list[Pod]:
    """The pod specs of a workload (``ResourceValidationArgs`` or ``PolicyResource``) as plain data.

    Pod specs that are unknown (a preview) or not objects are left out: nothing in them can be judged.
    Returns ``[]`` for types that carry no pod specs.
    """
    kind = kind_of(subject.resource_type)
    if kind is None:
        return []
    custom = kind.group not in _BUILT_IN_GROUPS
    if kind.key in SPARK_APPLICATION_SPECS:
        return [Pod(where, spec, True, f" ({where})") for where, spec in _spark_pods(kind.key, plain(subject.props))]
    if kind.key in ARGO_WORKFLOW_SPECS:
        return [Pod(where, spec, True, f" ({where})", metadata)
                for where, spec, metadata in _argo_pods(kind.key, plain(subject.props))]
    if kind.key in POD_SPEC_PATHS:
        return [Pod(where, spec, kind.patch or kind.key in COMPLETED_TEMPLATES, f" ({where})" if custom else "",
                    metadata)
                for where, spec, metadata in _pod_specs(plain(subject.props), kind.key)]
    if kind.key in PARTIAL_KINDS:
        found = (_train_job_pods(subject.props) if kind.key == "trainer.kubeflow.org:TrainJob"
                 else _kserve_pods(kind.key, plain(subject.props)))
        return [Pod(where, spec, True, f" ({where})") for where, spec in found if isinstance(spec, dict)]
    listed = None if kind.patch else _listed(kind.key)
    if listed is None:
        return []
    items = plain(subject.props).get("items") if isinstance(plain(subject.props), dict) else None
    found = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        name, space = get(item, "metadata", "name"), get(item, "metadata", "namespace")
        space = space if isinstance(space, str) and space and not is_unknown(space) else None
        shown = f"items[{index}]" + (f" {name}" if isinstance(name, str) and name and not is_unknown(name) else "")
        for where, spec, metadata in _pod_specs(item, listed):
            label = f" ({shown}{': ' + where if custom else ''})"
            found.append(Pod(f"items[{index}].{where}", spec, False, label, metadata, space))
    return found


def _pod_specs(props: Any, key: str) -> list[tuple[str, dict, dict]]:
    """``(where, spec, metadata)`` of each pod spec of a ``key`` object: every path's last step is the
    spec (``spec``), the template's ``metadata`` beside it."""
    found = []
    for path in POD_SPEC_PATHS[key]:
        for where, template in walk(props, path[:-1]):
            spec = template.get(path[-1]) if isinstance(template, dict) else None
            if isinstance(spec, dict):
                metadata = template.get("metadata")
                found.append((f"{where}.{path[-1]}" if where else path[-1], spec,
                              metadata if isinstance(metadata, dict) else {}))
    return found


def containers(pod: Pod, lists: tuple[str, ...] = ("initContainers", "containers", "ephemeralContainers")) -> list[Container]:
    """The containers of ``pod`` in the named lists (default: init, regular and ephemeral), as plain dicts."""
    found = []
    for list_name, kind in CONTAINER_LISTS:
        items = pod.spec.get(list_name) if list_name in lists else None
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                name = item.get("name")
                found.append(Container(pod, kind, name if isinstance(name, str) and name else f"#{index}", item,
                                       list_name))
    return found


def namespace(subject: Any) -> Any:
    """The namespace a namespaced resource lives in: ``metadata.namespace``, else the provider's
    ``namespace`` setting, else ``default``. ``UNKNOWN`` when not known yet."""
    value = get(subject.props, "metadata", "namespace")
    if value is None or value == "":
        value = provider_setting(subject, "namespace")
    if is_unknown(value):
        return value
    return value if isinstance(value, str) and value else "default"


def pod_namespace(subject: Any, pod: Pod) -> Any:
    """The namespace ``pod`` runs in: a list item's own, else the resource's (``namespace``)."""
    return pod.namespace if pod.namespace else namespace(subject)


def workload_name(subject: Any) -> str:
    """``namespace/name`` of a resource (its ``metadata.name``, else its Pulumi name)."""
    name = get(subject.props, "metadata", "name")
    space = namespace(subject)
    return f"{'?' if is_unknown(space) else space}/{name if isinstance(name, str) and name else subject.name}"


@dataclass(frozen=True)
class Object:
    """One Kubernetes object of a resource: its props as plain data, whether it is a patch (may leave
    out what the live object has), and a label for messages (``namespace/name`` or ``name``)."""

    props: dict
    partial: bool
    label: str


def objects(subject: Any, key: str, namespaced: bool = True) -> list[Object]:
    """The objects of kind ``key`` (``<group>:<Kind>``) in a resource: the object itself (a ``<Kind>``
    or ``<Kind>Patch``), or each item of a ``<Kind>List`` (``items``). Items that are unknown or not
    objects are left out; ``[]`` for any other type. ``namespaced`` objects are labelled
    ``namespace/name`` (see ``namespace``), cluster-scoped ones by name."""
    kind = kind_of(subject.resource_type)
    if kind is None:
        return []
    if kind.key == key:
        found, partial = [plain(subject.props)], kind.patch
    elif kind.key == f"{key}List" and not kind.patch:
        items = get(subject.props, "items")
        found, partial = (items if isinstance(items, list) else []), False
    else:
        return []
    result = []
    for index, item in enumerate(found):
        if not isinstance(item, dict):
            continue
        name = get(item, "metadata", "name")
        name = name if isinstance(name, str) and name and not is_unknown(name) else (
            subject.name if len(found) == 1 else f"{subject.name}[{index}]")
        if namespaced:
            space = get(item, "metadata", "namespace") if len(found) > 1 else None
            space = space if isinstance(space, str) and space else namespace(subject)
            name = f"{'?' if is_unknown(space) else space}/{name}"
        result.append(Object(item, partial, name))
    return result
