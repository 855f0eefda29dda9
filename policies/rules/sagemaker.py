"""SageMaker beyond endpoints, table-driven: training and tuning jobs, Model Monitor job definitions
(pulumi-aws's data-quality one and pulumi-aws-native's data-quality, model-quality, model-bias and
model-explainability ones) and schedules, labeling jobs, models, notebook instances, Studio domains
and user profiles, HyperPod clusters (pulumi-aws-native), and the jobs and models the steps of pipelines
(pulumi-aws's and pulumi-aws-native's) run. One rule per control, each over the rows of its table (a new
type is a row):

- ``sagemaker-vpc-config``: the job's or model's containers run in the VPC (subnets and security groups);
- ``sagemaker-network-isolation``: containers make no outbound network calls;
- ``sagemaker-inter-container-encryption``: traffic between the instances of a distributed job is encrypted;
- ``sagemaker-volume-cmk``: ML storage volumes are encrypted with a customer-managed key;
- ``sagemaker-output-cmk``: what a job or app writes to S3 is encrypted with a customer-managed key.

A row names a *site* (where the settings sit: the resource itself, ``trainingJobDefinitions[*]`` of
a tuning job, a schedule's inline ``monitoringJobDefinition``) and the setting inside it. A site that
is absent (a schedule that names a separate job definition, a labeling job without automated
labeling) has nothing to judge. SageMaker's defaults are the insecure ones (no VPC, network calls
allowed, plaintext inter-container traffic, the AWS-managed key), so an absent setting is a
violation. Jobs on instance types with local NVMe storage take no volume key: SageMaker refuses
``VolumeKmsKeyId`` for them, their volumes are hardware-encrypted (botocore ``ResourceConfig``,
``HyperParameterTuningResourceConfig``, ``ProcessingClusterConfig``, which monitoring jobs run as).
MLflow tracking servers and apps and spaces have none of these settings in the API
(botocore ``CreateMlflowTrackingServerRequest``): their artifact buckets fall under the S3 rules.

A SageMaker Pipeline (``aws.sagemaker.Pipeline``) has none of them either, but its ``pipelineDefinition`` (a JSON
document, https://aws-sagemaker-mlops.github.io/sagemaker-model-building-pipeline-definition-JSON-schema/) runs jobs
with them: each step's ``Arguments`` is the request of the API the step calls (``Training``: CreateTrainingJob,
``Processing``: CreateProcessingJob, ``Tuning``: CreateHyperParameterTuningJob, ``Transform``: CreateTransformJob,
``Model``: CreateModel), PascalCase as in botocore. ``pipeline_steps`` reads them into the camelCase the rows use
(the API's names with a lower-case first letter, which are pulumi-aws's input names), steps nested in ``Condition``
steps included; a pipeline expression (``{"Get": "Parameters.X"}``, ``Std:Join``, ``Std:JsonGet``) is a value known
only when the pipeline runs, so it is not judged. A definition kept in S3 (``pipelineDefinitionS3Location``) is not read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Callable, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from catalog.inference_instances import FAMILIES
from policies.rules._declare import applies_to, frameworks
from policies.rules._principals import aws_managed_key_alias
from policies.rules._props import UNKNOWN, as_bool, as_list, describe, get, is_unknown, walk

TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob"
TUNING_JOB = "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob"
DATA_QUALITY = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
LABELING_JOB = "aws:sagemaker/labelingJob:LabelingJob"
MODEL = "aws:sagemaker/model:Model"
NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
DOMAIN = "aws:sagemaker/domain:Domain"
USER_PROFILE = "aws:sagemaker/userProfile:UserProfile"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
#: pulumi-aws-native's AWS::SageMaker::Pipeline: the same JSON in ``pipelineDefinition.pipelineDefinitionBody`` (or an
#: S3 location in ``pipelineDefinition.pipelineDefinitionS3Location``; pulumi-aws-native 1.84 sagemaker/_inputs.py
#: PipelineDefinition0PropertiesArgs, PipelineDefinition1PropertiesArgs).
NATIVE_PIPELINE = "aws-native:sagemaker:Pipeline"
#: pulumi-aws-native's AWS::SageMaker::Model, NotebookInstance, Domain, UserProfile and EndpointConfig: the same
#: settings at the same paths (VpcConfig.Subnets/SecurityGroupIds, EnableNetworkIsolation, KmsKeyId,
#: DefaultUserSettings.SharingSettings.S3KmsKeyId, AsyncInferenceConfig.OutputConfig.KmsKeyId; pulumi-aws-native
#: 1.84 sagemaker/*.py). Its Studio settings have no Canvas workspace key.
NATIVE_MODEL = "aws-native:sagemaker:Model"
NATIVE_NOTEBOOK = "aws-native:sagemaker:NotebookInstance"
NATIVE_DOMAIN = "aws-native:sagemaker:Domain"
NATIVE_USER_PROFILE = "aws-native:sagemaker:UserProfile"
NATIVE_ENDPOINT_CONFIG = "aws-native:sagemaker:EndpointConfig"

Path = tuple[str, ...]
#: pulumi-aws-native's AWS::SageMaker::Cluster, a SageMaker HyperPod cluster (pulumi-aws 7 has no such type): its
#: ``vpcConfig`` and each instance group's ``instanceStorageConfigs[].ebsVolumeConfig.volumeKmsKeyId``, restricted
#: instance groups alike (pulumi-aws-native 1.84 sagemaker/cluster.py and _inputs.py; botocore sagemaker
#: ``CreateClusterRequest``, ``ClusterEbsVolumeConfig``).
HYPERPOD = "aws-native:sagemaker:Cluster"
HYPERPOD_GROUPS = ("instanceGroups", "restrictedInstanceGroups")
_HYPERPOD_VOLUMES: tuple[Path, ...] = tuple((groups, "*", "instanceStorageConfigs", "*") for groups in HYPERPOD_GROUPS)
#: pulumi-aws-native's AWS::SageMaker::InferenceComponent: a model it runs from its own container, in
#: ``specification.container`` or, per instance type, ``specifications[].container`` (``image``, ``environment``;
#: pulumi-aws-native 1.84 sagemaker/_inputs.py InferenceComponentContainerSpecificationArgs; botocore sagemaker
#: ``InferenceComponentContainerSpecification``). A component that names a ``modelName`` runs that model's containers.
INFERENCE_COMPONENT = "aws-native:sagemaker:InferenceComponent"
#: pulumi-aws-native's Model Monitor job definitions (AWS::SageMaker::<Kind>JobDefinition, camelCase):
#: all four have ``networkConfig``, ``jobResources.clusterConfig`` and ``<kind>JobOutputConfig``
#: (pulumi_aws_native/sagemaker/*_job_definition.py, 1.84). Type -> its output config's name.
NATIVE_JOB_DEFINITIONS = {f"aws-native:sagemaker:{kind}JobDefinition": f"{kind[0].lower()}{kind[1:]}JobOutputConfig"
                          for kind in ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")}

_DEFINITION: Path = ("trainingJobDefinition",)
_DEFINITIONS: Path = ("trainingJobDefinitions", "*")
_MONITORING_JOB: Path = ("monitoringScheduleConfig", "monitoringJobDefinition")


@dataclass(frozen=True)
class Row:
    """One type's setting for one control: the site (``*`` for every list item), the setting's path
    inside it (alternatives: the first one set counts), and when the site needs the setting at all."""

    type: str
    site: Path
    setting: tuple[Path, ...]
    needed: Optional[Callable[[dict], Any]] = None


def inference_component_containers(props: Any) -> Any:
    """``[(where, container)]`` of an inference component's own containers (see ``INFERENCE_COMPONENT``)."""
    found = [("specification.container", get(props, "specification", "container"))]
    specifications = as_list(get(props, "specifications"))
    for index, specification in enumerate(specifications if isinstance(specifications, list) else []):
        found.append((f"specifications[{index}].container", get(specification, "container")))
    return [(where, container) for where, container in found if isinstance(container, dict)]


def _rows(control: list[Row]) -> dict[str, list[Row]]:
    table: dict[str, list[Row]] = {}
    for row in control:
        table.setdefault(row.type, []).append(row)
        if row.type == PIPELINE:  # a pulumi-aws-native pipeline's steps, read by pipeline_steps alike
            table.setdefault(NATIVE_PIPELINE, []).append(replace(row, type=NATIVE_PIPELINE))
    return table


def _setting(site: dict, paths: tuple[Path, ...]) -> tuple[str, Any]:
    """The first of ``paths`` that is set in ``site`` (name, value); else the first path and None."""
    for path in paths:
        value = get(site, *path)
        if value is not None and value != "":
            return ".".join(path), value
    return ".".join(paths[0]), None


# --- pipeline definitions ---------------------------------------------------------------------------------

#: The step types whose Arguments are a job or model request, and the API each calls.
PIPELINE_STEP_APIS = {"Training": "CreateTrainingJob", "Processing": "CreateProcessingJob",
                      "Tuning": "CreateHyperParameterTuningJob", "Transform": "CreateTransformJob",
                      "Model": "CreateModel"}
#: The keys of a pipeline expression (a property reference, a join, a JSON lookup), known only when the pipeline runs.
_EXPRESSIONS = frozenset({"Get", "Std:Join", "Std:JsonGet"})
#: Mappings whose keys are the user's names (environment variables, hyperparameters, tags), kept as written.
_USER_KEYS = frozenset({"Environment", "HyperParameters", "StaticHyperParameters", "Tags"})


def _camel(value: Any, keep_keys: bool = False) -> Any:
    """A step's Arguments with PascalCase keys in camelCase (``VpcConfig`` -> ``vpcConfig``, ``SNOWFLAKE_KEY`` and
    the keys of user mappings unchanged); a pipeline expression becomes UNKNOWN."""
    if isinstance(value, dict):
        if value and set(value) <= _EXPRESSIONS:
            return UNKNOWN
        return {(key if keep_keys or not isinstance(key, str) or key.isupper() else key[:1].lower() + key[1:]):
                _camel(item, key in _USER_KEYS) for key, item in value.items()}
    if isinstance(value, list):
        return [_camel(item) for item in value]
    return value


def _steps(steps: Any, found: dict[str, dict[str, Any]]) -> None:
    for step in steps if isinstance(steps, list) else []:
        if not isinstance(step, dict):
            continue
        kind, arguments = step.get("Type"), step.get("Arguments")
        if kind == "Condition" and isinstance(arguments, dict):
            _steps(arguments.get("IfSteps"), found)
            _steps(arguments.get("ElseSteps"), found)
        elif kind in PIPELINE_STEP_APIS and isinstance(arguments, dict):
            found[kind][str(step.get("Name"))] = _camel(arguments)


def pipeline_definition(props: Any) -> Any:
    """A pipeline's definition as written: pulumi-aws's ``pipelineDefinition`` string, pulumi-aws-native's
    ``pipelineDefinition.pipelineDefinitionBody`` (None for a definition kept in S3)."""
    definition = get(props, "pipelineDefinition")
    if isinstance(definition, dict):
        return get(definition, "pipelineDefinitionBody")
    return definition


def pipeline_steps(props: Any) -> Any:
    """``{step type: {step name: its Arguments in camelCase}}`` of a pipeline's definition (see the module docstring);
    UNKNOWN when the definition is not known yet, None when there is none to read (kept in S3, not JSON)."""
    definition = pipeline_definition(props)
    if is_unknown(definition):
        return UNKNOWN
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except ValueError:
            return None
    if not isinstance(definition, dict):
        return None
    found: dict[str, dict[str, Any]] = {kind: {} for kind in PIPELINE_STEP_APIS}
    _steps(definition.get("Steps"), found)
    return found


def _pipeline_site(kind: str, *inner: str) -> Path:
    """The site of a pipeline's steps of ``kind`` (each step, by name), and a place inside each."""
    return ("pipelineDefinition", kind, "**", *inner)


_PIPELINE_VIEWS: dict[str, Callable[[Any], Any]] = {
    kind: lambda props: {"pipelineDefinition": pipeline_steps(props)} for kind in (PIPELINE, NATIVE_PIPELINE)}


def table_rule(table: dict[str, list[Row]],
               judge: Callable[[dict, str, Any, Row], Optional[str]]) -> Callable[..., None]:
    """A ``validate`` that judges every row of the resource's type: ``judge(site, name, value, row)``
    returns a message for a violation (prefixed with the resource and, if not the resource itself, the site)."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        props = get(args.props)
        view = _PIPELINE_VIEWS.get(args.resource_type)
        if view is not None:
            props = view(props)
        if not isinstance(props, dict):
            return
        for row in table.get(args.resource_type, []):
            for where, site in walk(props, row.site):
                if not isinstance(site, dict):
                    continue
                if row.needed is not None:
                    needed = row.needed(site)
                    if is_unknown(needed) or not needed:
                        continue
                name, value = _setting(site, row.setting)
                if is_unknown(value):
                    continue
                message = judge(site, name, value, row)
                if message:
                    report(f"{describe(args)}{f' {where}' if where else ''}: {message}")

    return validate


def _policy(name: str, description: str, table: dict[str, list[Row]], judge: Callable[..., Optional[str]],
            severity: Severity, remediation: str, references: dict[str, str]) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(name=name, description=description,
                                    validate=applies_to(sorted(table), table_rule(table, judge)),
                                    severity=severity, remediation_steps=remediation, **frameworks(references))


# --- VPC --------------------------------------------------------------------------------------------------

VPC_ROWS = _rows([
    Row(TRAINING_JOB, (), (("vpcConfig",),)),
    Row(TUNING_JOB, _DEFINITION, (("vpcConfig",),)),
    Row(TUNING_JOB, _DEFINITIONS, (("vpcConfig",),)),
    Row(DATA_QUALITY, (), (("networkConfig", "vpcConfig"),)),
    *(Row(native, (), (("networkConfig", "vpcConfig"),)) for native in NATIVE_JOB_DEFINITIONS),
    Row(SCHEDULE, _MONITORING_JOB, (("networkConfig", "vpcConfig"),)),
    Row(LABELING_JOB, ("labelingJobAlgorithmsConfig",), (("labelingJobResourceConfig", "vpcConfig"),)),
    Row(MODEL, (), (("vpcConfig",),)),
    Row(NATIVE_MODEL, (), (("vpcConfig",),)),
    Row(HYPERPOD, (), (("vpcConfig",),)),  # optional in CreateClusterRequest: without it the nodes are not in your VPC
    Row(PIPELINE, _pipeline_site("Training"), (("vpcConfig",),)),
    Row(PIPELINE, _pipeline_site("Tuning", *_DEFINITION), (("vpcConfig",),)),
    Row(PIPELINE, _pipeline_site("Tuning", *_DEFINITIONS), (("vpcConfig",),)),
    Row(PIPELINE, _pipeline_site("Processing"), (("networkConfig", "vpcConfig"),)),
    Row(PIPELINE, _pipeline_site("Model"), (("vpcConfig",),)),
])


def _vpc(site: dict, name: str, value: Any, row: Row) -> Optional[str]:
    vpc = value if isinstance(value, dict) else {}
    subnets, groups = as_list(vpc.get("subnets")), as_list(vpc.get("securityGroupIds"))
    if is_unknown(subnets) or is_unknown(groups) or (subnets and groups):
        return None
    return f"runs outside the VPC (no {name} with subnets and securityGroupIds); place it in private subnets"


sagemaker_vpc_config = _policy(
    "sagemaker-vpc-config",
    "SageMaker training and tuning jobs, monitoring jobs, labeling jobs, models, HyperPod clusters and the job and "
    "model steps of pipelines run in the VPC (private subnets and a security group).",
    VPC_ROWS, _vpc, Severity.HIGH,
    "Set vpc_config (network_config.vpc_config on monitoring jobs) with private subnet ids and a security group "
    "whose egress reaches only VPC endpoints (S3, ECR, STS, logs).",
    {"nist-800-53": "SC-7, AC-4", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)"})


# --- network isolation ------------------------------------------------------------------------------------

ISOLATION_ROWS = _rows([
    Row(TRAINING_JOB, (), (("enableNetworkIsolation",),)),
    Row(TUNING_JOB, _DEFINITION, (("enableNetworkIsolation",),)),
    Row(TUNING_JOB, _DEFINITIONS, (("enableNetworkIsolation",),)),
    Row(DATA_QUALITY, (), (("networkConfig", "enableNetworkIsolation"),)),
    *(Row(native, (), (("networkConfig", "enableNetworkIsolation"),)) for native in NATIVE_JOB_DEFINITIONS),
    Row(SCHEDULE, _MONITORING_JOB, (("networkConfig", "enableNetworkIsolation"),)),
    Row(MODEL, (), (("enableNetworkIsolation",),)),
    Row(NATIVE_MODEL, (), (("enableNetworkIsolation",),)),
    Row(PIPELINE, _pipeline_site("Training"), (("enableNetworkIsolation",),)),
    Row(PIPELINE, _pipeline_site("Tuning", *_DEFINITION), (("enableNetworkIsolation",),)),
    Row(PIPELINE, _pipeline_site("Tuning", *_DEFINITIONS), (("enableNetworkIsolation",),)),
    Row(PIPELINE, _pipeline_site("Processing"), (("networkConfig", "enableNetworkIsolation"),)),
    Row(PIPELINE, _pipeline_site("Model"), (("enableNetworkIsolation",),)),
])


def _true(what: str) -> Callable[[dict, str, Any, Row], Optional[str]]:
    def judge(site: dict, name: str, value: Any, row: Row) -> Optional[str]:
        return None if as_bool(value) is True else f"{what}; set {name} true"
    return judge


sagemaker_network_isolation = _policy(
    "sagemaker-network-isolation",
    "SageMaker training, tuning and monitoring containers, models and the job and model steps of pipelines run "
    "network-isolated (no outbound calls).",
    ISOLATION_ROWS, _true("its containers may make outbound network calls"), Severity.HIGH,
    "Set enable_network_isolation=True (network_config.enable_network_isolation on monitoring jobs); SageMaker "
    "still stages S3 input and output for the job. Serverless endpoints support neither isolation nor a VPC.",
    {"nist-800-53": "SC-7, AC-4", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)"})


# --- inter-container traffic encryption --------------------------------------------------------------------

INTER_CONTAINER_ROWS = _rows([
    Row(TRAINING_JOB, (), (("enableInterContainerTrafficEncryption",),)),
    Row(TUNING_JOB, _DEFINITION, (("enableInterContainerTrafficEncryption",),)),
    Row(TUNING_JOB, _DEFINITIONS, (("enableInterContainerTrafficEncryption",),)),
    Row(DATA_QUALITY, (), (("networkConfig", "enableInterContainerTrafficEncryption"),)),
    *(Row(native, (), (("networkConfig", "enableInterContainerTrafficEncryption"),)) for native in NATIVE_JOB_DEFINITIONS),
    Row(SCHEDULE, _MONITORING_JOB, (("networkConfig", "enableInterContainerTrafficEncryption"),)),
    Row(PIPELINE, _pipeline_site("Training"), (("enableInterContainerTrafficEncryption",),)),
    Row(PIPELINE, _pipeline_site("Tuning", *_DEFINITION), (("enableInterContainerTrafficEncryption",),)),
    Row(PIPELINE, _pipeline_site("Tuning", *_DEFINITIONS), (("enableInterContainerTrafficEncryption",),)),
    Row(PIPELINE, _pipeline_site("Processing"), (("networkConfig", "enableInterContainerTrafficEncryption"),)),
])

sagemaker_inter_container_encryption = _policy(
    "sagemaker-inter-container-encryption",
    "Traffic between the instances of SageMaker training, tuning and monitoring jobs (pipeline steps included) is "
    "encrypted.",
    INTER_CONTAINER_ROWS, _true("traffic between its instances is not encrypted"), Severity.MEDIUM,
    "Set enable_inter_container_traffic_encryption=True (network_config.enable_inter_container_traffic_"
    "encryption on monitoring jobs); distributed training then exchanges gradients over TLS.",
    {"nist-800-53": "SC-8", "pci-dss": "4.2.1", "hipaa": "164.312(e)(1)", "gdpr": "Art. 32(1)(a)"})


# --- customer-managed keys -----------------------------------------------------------------------------------

def _has_volume(instance_type: Any) -> bool:
    """Whether an ``ml.`` instance type has an EBS volume a key can encrypt (not local NVMe storage)."""
    parts = instance_type.split(".") if isinstance(instance_type, str) else []
    family = FAMILIES.get(parts[1]) if len(parts) == 3 else None
    return family is None or not family.local_storage


def _volumes_need_key(path: Path) -> Callable[[dict], Any]:
    def needed(site: dict) -> Any:
        instance_type = get(site, *path, "instanceType")
        return instance_type if is_unknown(instance_type) else _has_volume(instance_type)
    return needed


def _tuning_volume(site: dict) -> Any:
    config = site.get("resourceConfig") or site.get("hyperParameterTuningResourceConfig")
    return _volumes_need_key(())(config) if isinstance(config, dict) else True


VOLUME_ROWS = _rows([
    Row(TRAINING_JOB, (), (("resourceConfig", "volumeKmsKeyId"),), _volumes_need_key(("resourceConfig",))),
    *(Row(TUNING_JOB, site, (("resourceConfig", "volumeKmsKeyId"),
                             ("hyperParameterTuningResourceConfig", "volumeKmsKeyId")), _tuning_volume)
      for site in (_DEFINITION, _DEFINITIONS)),
    *(Row(definition, (), (("jobResources", "clusterConfig", "volumeKmsKeyId"),),
          _volumes_need_key(("jobResources", "clusterConfig"))) for definition in (DATA_QUALITY, *NATIVE_JOB_DEFINITIONS)),
    Row(SCHEDULE, _MONITORING_JOB, (("monitoringResources", "clusterConfig", "volumeKmsKeyId"),),
        _volumes_need_key(("monitoringResources", "clusterConfig"))),
    Row(LABELING_JOB, ("labelingJobAlgorithmsConfig",), (("labelingJobResourceConfig", "volumeKmsKeyId"),)),
    Row(NOTEBOOK, (), (("kmsKeyId",),)),  # a notebook instance always has its EBS ML storage volume
    Row(DOMAIN, (), (("kmsKeyId",),)),
    Row(NATIVE_NOTEBOOK, (), (("kmsKeyId",),)),
    Row(NATIVE_DOMAIN, (), (("kmsKeyId",),)),
    # each EBS volume a HyperPod instance group declares (root or the secondary one at /opt/sagemaker)
    *(Row(HYPERPOD, site, (("ebsVolumeConfig", "volumeKmsKeyId"),), lambda config: config.get("ebsVolumeConfig"))
      for site in _HYPERPOD_VOLUMES),
    Row(PIPELINE, _pipeline_site("Training"), (("resourceConfig", "volumeKmsKeyId"),), _volumes_need_key(("resourceConfig",))),
    *(Row(PIPELINE, _pipeline_site("Tuning", *site), (("resourceConfig", "volumeKmsKeyId"),
                                                      ("hyperParameterTuningResourceConfig", "volumeKmsKeyId")),
          _tuning_volume) for site in (_DEFINITION, _DEFINITIONS)),
    Row(PIPELINE, _pipeline_site("Processing"), (("processingResources", "clusterConfig", "volumeKmsKeyId"),),
        _volumes_need_key(("processingResources", "clusterConfig"))),
    Row(PIPELINE, _pipeline_site("Transform"), (("transformResources", "volumeKmsKeyId"),),
        _volumes_need_key(("transformResources",))),
])


def _cmk(what: str) -> Callable[[dict, str, Any, Row], Optional[str]]:
    def judge(site: dict, name: str, value: Any, row: Row) -> Optional[str]:
        if value and isinstance(value, str) and not aws_managed_key_alias(value):
            return None
        used = f"the AWS-managed key {aws_managed_key_alias(value)}" if aws_managed_key_alias(value) else \
            "the AWS-managed key"
        return f"{what} with {used}; set {name} to a customer-managed KMS key"
    return judge


sagemaker_volume_cmk = _policy(
    "sagemaker-volume-cmk",
    "ML storage volumes of SageMaker jobs (pipeline steps included), notebook instances, Studio domains and the EBS "
    "volumes HyperPod instance groups declare are encrypted with a customer-managed KMS key (instance types with "
    "local NVMe storage are hardware-encrypted and exempt).",
    VOLUME_ROWS, _cmk("encrypts its ML storage volumes"), Severity.MEDIUM,
    "Set the volume key (resource_config.volume_kms_key_id, cluster_config.volume_kms_key_id, kms_key_id on "
    "notebook instances and domains, ebs_volume_config.volume_kms_key_id on HyperPod storage) to a customer-managed "
    "key (components.encryption.EncryptionKeys); it can only be set at creation.",
    {"nist-800-53": "SC-28, SC-12", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)", "gdpr": "Art. 32(1)(a)"})


def _sharing_allowed(site: dict) -> Any:
    option = site.get("notebookOutputOption")
    return option if is_unknown(option) else option == "Allowed"  # the default is Disabled (botocore SharingSettings)


def _workspace_used(site: dict) -> Any:
    return site.get("s3ArtifactPath")


OUTPUT_ROWS = _rows([
    Row(TRAINING_JOB, (), (("outputDataConfig", "kmsKeyId"),)),
    Row(TUNING_JOB, _DEFINITION, (("outputDataConfig", "kmsKeyId"),)),
    Row(TUNING_JOB, _DEFINITIONS, (("outputDataConfig", "kmsKeyId"),)),
    Row(DATA_QUALITY, (), (("dataQualityJobOutputConfig", "kmsKeyId"),)),
    *(Row(native, (), ((output, "kmsKeyId"),)) for native, output in NATIVE_JOB_DEFINITIONS.items()),
    Row(SCHEDULE, _MONITORING_JOB, (("monitoringOutputConfig", "kmsKeyId"),)),
    Row(LABELING_JOB, (), (("outputConfig", "kmsKeyId"),)),
    Row(ENDPOINT_CONFIG, ("asyncInferenceConfig", "outputConfig"), (("kmsKeyId",),)),
    Row(NATIVE_ENDPOINT_CONFIG, ("asyncInferenceConfig", "outputConfig"), (("kmsKeyId",),)),
    Row(NATIVE_DOMAIN, ("defaultUserSettings", "sharingSettings"), (("s3KmsKeyId",),), _sharing_allowed),
    Row(NATIVE_USER_PROFILE, ("userSettings", "sharingSettings"), (("s3KmsKeyId",),), _sharing_allowed),
    Row(DOMAIN, ("defaultUserSettings", "sharingSettings"), (("s3KmsKeyId",),), _sharing_allowed),
    Row(USER_PROFILE, ("userSettings", "sharingSettings"), (("s3KmsKeyId",),), _sharing_allowed),
    Row(DOMAIN, ("defaultUserSettings", "canvasAppSettings", "workspaceSettings"), (("s3KmsKeyId",),),
        _workspace_used),
    Row(USER_PROFILE, ("userSettings", "canvasAppSettings", "workspaceSettings"), (("s3KmsKeyId",),),
        _workspace_used),
    Row(PIPELINE, _pipeline_site("Training"), (("outputDataConfig", "kmsKeyId"),)),
    Row(PIPELINE, _pipeline_site("Tuning", *_DEFINITION), (("outputDataConfig", "kmsKeyId"),)),
    Row(PIPELINE, _pipeline_site("Tuning", *_DEFINITIONS), (("outputDataConfig", "kmsKeyId"),)),
    Row(PIPELINE, _pipeline_site("Processing"), (("processingOutputConfig", "kmsKeyId"),),
        lambda site: site.get("processingOutputConfig")),
    Row(PIPELINE, _pipeline_site("Transform"), (("transformOutput", "kmsKeyId"),)),
])

sagemaker_output_cmk = _policy(
    "sagemaker-output-cmk",
    "What SageMaker jobs (pipeline steps included), asynchronous endpoints and Studio (shared notebooks, Canvas "
    "workspaces) write to S3 is "
    "encrypted with a customer-managed KMS key.",
    OUTPUT_ROWS, _cmk("writes its output to S3"), Severity.HIGH,
    "Set the output key (output_data_config.kms_key_id, monitoring_output_config.kms_key_id, "
    "output_config.kms_key_id, async_inference_config.output_config.kms_key_id, sharing_settings.s3_kms_key_id, "
    "workspace_settings.s3_kms_key_id) to a customer-managed key.",
    {"nist-800-53": "SC-28, SC-12", "pci-dss": "3.5.1", "hipaa": "164.312(a)(2)(iv)", "gdpr": "Art. 32(1)(a)"})

SECURITY = [sagemaker_vpc_config, sagemaker_network_isolation, sagemaker_inter_container_encryption,
            sagemaker_volume_cmk, sagemaker_output_cmk]
PRIVACY: list = []
COMPLIANCE: list = []
