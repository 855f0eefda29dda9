"""Plaintext secrets: no credential written as a literal in a workload's environment variables or in
an instance's user data.

A value under a secret-looking name that is a Java class name or a URI without a password (Hadoop's and
Spark's ``...credentials.provider`` classes, a ``jceks://`` keystore path) names where a credential comes from,
not the credential, and passes; a dotted name is judged as one name (``...secret.file`` ends in ``_file``), a
camelCase one word by word; a value that is a JSON document by its own keys and values (KServe's
``inferenceservice-config`` ConfigMap names its storage secrets in a ``credentials`` document).

A credential is an AWS access key id (``AKIA``/``ASIA``/... followed by 16 characters), a private key
block (``-----BEGIN ... PRIVATE KEY-----``), a URL with a password in it (``scheme://user:pass@host``),
or a literal value under a secret-looking name (password, secret, token, api key, ...). A value that
arrives as a Pulumi secret (see ``_secrets``), an unknown value and a reference (a Secrets Manager or
SSM ARN, ``{{resolve:...}}``, ``${...}``) are fine.

Where environment variables live, per type (pulumi-aws 7 and Kubernetes inputs):

- ``aws.lambda.Function``: ``environment.variables`` (a map).
- ``aws.ecs.TaskDefinition``: ``containerDefinitions`` (a JSON string), each container's
  ``environment`` list of ``{name, value}`` (``secrets`` with ``valueFrom`` is the safe form).
- ``aws.batch.JobDefinition`` (and pulumi-aws-native's): every container's ``environment`` list (an EKS container's
  ``env``), single-node, multi-node parallel, ECS and EKS alike (``policies.rules._batch``).
- ``aws.sagemaker.Model``: ``primaryContainer.environment`` and ``containers[].environment`` (maps); pulumi-aws-native's
  InferenceComponent: its own containers' ``environment`` (``specification.container``, ``specifications[].container``).
- ``aws.codebuild.Project``: ``environment.environmentVariables`` with ``type`` ``PLAINTEXT`` (the default).
- ``aws.glue.Job``: ``defaultArguments`` and ``nonOverridableArguments`` (maps of ``--name`` to value: the job's
  parameters, which the script reads as arguments and ``glue:GetJob`` returns to any reader of the job).
- ``aws.apprunner.Service``: ``...imageConfiguration.runtimeEnvironmentVariables`` and the code
  repository's ``codeConfigurationValues.runtimeEnvironmentVariables`` (maps).
- ``aws.bedrock.AgentcoreAgentRuntime`` and ``AgentcoreHarness``: ``environmentVariables`` (a map; botocore
  bedrock-agentcore-control ``CreateAgentRuntimeRequest.environmentVariables``, "Environment variables to set in
  the AgentCore Runtime environment").
- ``aws.emr.Cluster`` and ``aws.emr.InstanceGroup``: ``configurationsJson`` (and a cluster's ``configurations``
  when it is raw JSON, not a URL or a file), each classification's ``Properties`` (nested ``Configurations``
  too). "The Amazon EMR describe and list API operations that emit custom configuration data (such as
  DescribeCluster and ListInstanceGroups) do so in plaintext"; the safe form is a Secrets Manager ARN as the
  value (EMR Release Guide, "Store sensitive configuration data in AWS Secrets Manager").
- ``aws.sagemaker.TrainingJob``: ``environment``; ``aws.sagemaker.HyperParameterTuningJob``: each training job
  definition's ``environment`` (maps; "Map of environment variables to set in the training container", pulumi-aws 7
  sagemaker/training_job.py).
- ``aws.sagemaker.Pipeline`` (and pulumi-aws-native's, ``pipelineDefinition.pipelineDefinitionBody``): the
  ``Environment`` of each job and model step of its ``pipelineDefinition``
  (``policies.rules.sagemaker.pipeline_steps``); a definition that is a Pulumi secret as a whole is not judged, as the
  program's secret values cannot be told from its literals inside it.
- Any Kubernetes resource: every ``containers``/``initContainers``/``ephemeralContainers`` list in it
  (Pods, Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Ray and Kueue workloads), each
  container's ``env`` list of ``{name, value}`` (``valueFrom`` is the safe form).

User data: ``userData`` / ``userDataBase64`` of ``aws.ec2.Instance``, ``LaunchConfiguration`` and
``SpotInstanceRequest``, ``userData`` (base64) of ``aws.ec2.LaunchTemplate``, and each
``launchSpecifications[].userData`` of ``aws.ec2.SpotFleetRequest``; likewise the lifecycle
scripts of SageMaker notebook instances (``onCreate``, ``onStart``) and Studio apps
(``studioLifecycleConfigContent``); base64 is decoded.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Iterator, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._pods import (
    ARGO_WORKFLOW_SPECS, SPARK_APPLICATION_SPECS, SPARK_ROLES, kind_of, kserve_components, kserve_inline_containers,
    may_carry_pods, spark_main_container)
from policies.rules._batch import EKS_PREFIX, JOB_DEFINITIONS, batch_containers
from policies.rules._secrets import is_secret
from policies.rules._components import as_built
from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._props import as_list, describe, get, is_unknown, single, walk
from policies.rules.ecs import TASK_DEFINITION, container_definitions
from policies.rules.sagemaker import (
    INFERENCE_COMPONENT, NATIVE_PIPELINE, PIPELINE, TRAINING_JOB, TUNING_JOB, inference_component_containers,
    pipeline_definition, pipeline_steps,
)

LAMBDA = "aws:lambda/function:Function"
SAGEMAKER_MODEL = "aws:sagemaker/model:Model"
CODEBUILD = "aws:codebuild/project:Project"
APPRUNNER = "aws:apprunner/service:Service"
#: pulumi-aws-native's AWS::Lambda::Function (``environment.variables``), AWS::ECS::TaskDefinition
#: (``containerDefinitions``, a list of objects with ``environment [{name, value}]``) and AWS::SageMaker::Model
#: (``primaryContainer``/``containers[].environment``): the same shapes (pulumi-aws-native 1.84).
LAMBDAS = (LAMBDA, "aws-native:lambda:Function")
TASK_DEFINITIONS = (TASK_DEFINITION, "aws-native:ecs:TaskDefinition")
SAGEMAKER_MODELS = (SAGEMAKER_MODEL, "aws-native:sagemaker:Model")
AGENTCORE = ("aws:bedrock/agentcoreAgentRuntime:AgentcoreAgentRuntime", "aws:bedrock/agentcoreHarness:AgentcoreHarness",
             "aws-native:bedrockagentcore:Runtime")  # pulumi-aws-native's Runtime: the same environmentVariables map
#: AWS::CodeBuild::Project (``environment.environmentVariables [{name, value, type}]``) too.
CODEBUILDS = (CODEBUILD, "aws-native:codebuild:Project")
#: A ConfigMap's ``data``: the key/value settings pods take as environment (``envFrom``) or files; never a
#: place for a credential (Kubernetes "ConfigMaps": "does not provide secrecy or encryption").
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
#: Glue jobs' parameters (pulumi-aws 7 glue/job.py ``default_arguments``: "The map of default arguments for this job.
#: You can specify arguments here that your own job-execution script consumes, as well as arguments that AWS Glue
#: itself consumes"; ``non_overridable_arguments``; pulumi-aws-native the same names, objects).
GLUE_JOBS = ("aws:glue/job:Job", "aws-native:glue:Job")
#: EMR application configurations (pulumi-aws 7 emr/cluster.py ``configurations_json``, ``configurations``;
#: emr/instance_group.py ``configurations_json``): a JSON list of ``{Classification, Properties, Configurations}``.
EMR_CONFIGURATIONS = {"aws:emr/cluster:Cluster": ("configurationsJson", "configurations"),
                      "aws:emr/instanceGroup:InstanceGroup": ("configurationsJson",)}
ENVIRONMENT_TYPES = (*LAMBDAS, *TASK_DEFINITIONS, *JOB_DEFINITIONS, *SAGEMAKER_MODELS, *CODEBUILDS, APPRUNNER, *AGENTCORE,
                     CONFIG_MAP, *GLUE_JOBS, *EMR_CONFIGURATIONS, TRAINING_JOB, TUNING_JOB, PIPELINE, NATIVE_PIPELINE,
                     INFERENCE_COMPONENT)
#: A spot fleet's ``launchSpecifications[].userData`` (pulumi-aws 7 ec2/_inputs.py
#: ``SpotFleetRequestLaunchSpecificationArgs.user_data``; botocore ec2 ``SpotFleetLaunchSpecification.UserData``).
SPOT_FLEET = "aws:ec2/spotFleetRequest:SpotFleetRequest"
USER_DATA_TYPES = ("aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate",
                   "aws:ec2/launchConfiguration:LaunchConfiguration", "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
                   SPOT_FLEET)
#: Boot scripts per type: instances' user data, and the lifecycle scripts (base64 shell scripts) SageMaker notebook
#: instances run at creation and start ("A shell script (base64-encoded) that runs only once when the ... Notebook
#: Instance is created", pulumi-aws 7 sagemaker/notebook_instance_lifecycle_configuration.py) and Studio apps run at
#: start (``studioLifecycleConfigContent``, "must be base64 encoded").
SCRIPT_INPUTS: dict[str, tuple[str, ...]] = {
    **{type_: ("userData", "userDataBase64") for type_ in USER_DATA_TYPES if type_ != SPOT_FLEET},
    "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration": ("onCreate", "onStart"),
    "aws:sagemaker/studioLifecycleConfig:StudioLifecycleConfig": ("studioLifecycleConfigContent",),
}
CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")

ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z2-7]{16}(?![A-Z0-9])")
PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:([^/\s@'\"]+)@", re.IGNORECASE)
#: Assignments in scripts and config files: NAME=value, NAME: value, "name": "value", --name=value.
ASSIGNMENT = re.compile(
    r"""(?:^|[\s;'"{,(])(?:export\s+|--)?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[=:]\s*["']?([^\s"';,]+)""",
    re.MULTILINE)

SCHEMA = config_schema(
    secretNamePattern={
        "type": "string",
        # fernet key: Airflow's [core] fernet_key (AIRFLOW__CORE__FERNET_KEY), the symmetric key that encrypts its
        # connections' passwords and variables (Airflow docs, "Fernet": "Fernet is used to encrypt passwords in
        # the connection configuration and the variable configuration").
        "default": r"(?i)(passw(or)?d|passwd|\bpwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|"
                   r"client[_-]?secret|credential|auth[_-]?key|signing[_-]?key|fernet[_-]?key|"
                   r"conn(ection)?[_-]?str(ing)?)",
        "description": "A regular expression for names (variables, keys) whose literal value is a secret.",
    },
    notSecretNamePattern={
        "type": "string",
        "default": r"(?i)(_arn|_name|_id|_file|_path|_dir|_url|_uri|_endpoint|_header|_type|_length|_ttl|_expiry|"
                   r"_seconds|_minutes|_enabled|_region|_version|_prefix|_parameter|_ref|_annotation|_label)$",
        "description": "Names that match secretNamePattern but hold a reference or a setting, not the secret "
                       "(SECRET_ARN, TOKEN_URL, PASSWORD_FILE, ...).",
    },
)

_REFERENCE = re.compile(r"^(arn:aws[a-z-]*:(secretsmanager|ssm|kms):|\{\{resolve:|\$\{|\$\(|/run/secrets/|"
                        r"projects/[^/]+/secrets/)", re.IGNORECASE)
_NOT_A_VALUE = re.compile(r"^(true|false|yes|no|on|off|none|null|enabled|disabled|-?\d+(\.\d+)?)$", re.IGNORECASE)


class _Names:
    def __init__(self, args: ResourceValidationArgs) -> None:
        config = policy_config(args, SCHEMA)
        self.secret = _compile(config["secretNamePattern"])
        self.not_secret = _compile(config["notSecretNamePattern"])

    def secret_looking(self, name: str) -> bool:
        # a command-line style name (a Glue job's ``--secret-id``) is judged as its variable name (``secret_id``), a
        # dotted property (an EMR ``hadoop.security.credential.provider.path``) as one too (``..._provider_path``)
        # and a camelCase one word by word (KServe's ``s3SecretAccessKeyName`` ends in ``_name``)
        name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_",
                      name.lstrip("-").replace("-", "_").replace(".", "_"))
        return bool(self.secret and self.secret.search(name)) and not (self.not_secret and self.not_secret.search(name))


def _compile(pattern: Any) -> Optional[re.Pattern[str]]:
    try:
        return re.compile(pattern) if isinstance(pattern, str) and pattern else None
    except re.error:
        return None


def credential_in(text: str) -> str:
    """What credential shape ``text`` contains ('' if none): an access key id, a private key or a URL password."""
    if ACCESS_KEY_ID.search(text):
        return "an AWS access key id"
    if PRIVATE_KEY.search(text):
        return "a private key"
    match = URL_PASSWORD.search(text)
    if match and not _REFERENCE.match(match.group(1)) and not match.group(1).startswith("$"):
        return "a password in a URL"
    return ""


def _literal(value: Any) -> bool:
    return (isinstance(value, str) and value.strip() != "" and not is_unknown(value) and not is_secret(value)
            and not _REFERENCE.match(value.strip()) and not _NOT_A_VALUE.match(value.strip()))


#: Values that name a setting rather than hold one: a Java class (``com.amazonaws.auth.DefaultAWSCredentialsProviderChain``,
#: an EMR or Spark ``...credentials.provider``) or a URI (``jceks://hdfs/...``, a password in it is judged above).
#: Not a web URL: an incoming-webhook or pre-signed URL under a token's name carries the secret in its path or query.
_CLASS_NAME = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*){2,}$")
_URI = re.compile(r"^(?!(https?|wss?)://)[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def _structured(text: str) -> Any:
    """A JSON object or array held in a string (a ConfigMap's ``credentials`` settings document), else None."""
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, (dict, list)) else None


def _leaves(value: Any, name: Any = None) -> Iterator[tuple[Any, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, name)
    else:
        yield name, value


def _judge(name: Any, value: Any, names: _Names) -> str:
    """Why ``name=value`` is a plaintext secret ('' if it is not). A JSON document is judged by its own
    keys and values: it names where credentials come from as often as it holds one."""
    if is_secret(value) or not isinstance(value, str) or is_unknown(value):
        return ""
    found = credential_in(value)
    if found:
        return found
    document = _structured(value)
    if document is not None:
        for key, leaf in _leaves(document):
            found = _judge(key, leaf, names)
            if found:
                return f"{found} (its {key!r})" if isinstance(key, str) else found
        return ""
    if _CLASS_NAME.match(value.strip()) or _URI.match(value.strip()):
        return ""
    if isinstance(name, str) and names.secret_looking(name) and _literal(value):
        return "a literal value under a secret-looking name"
    return ""


# --------------------------------------------------------------------------------------------------
# Environment variables


def _mapping(value: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(value, dict):
        yield from value.items()


def _name_values(value: Any) -> Iterator[tuple[Any, Any]]:
    items = as_list(value)
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            yield item.get("name"), item.get("value")


def _kubernetes_containers(value: Any, path: str = "") -> Iterator[tuple[str, dict]]:
    """``(path, container)`` for every container list anywhere in a Kubernetes object."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in CONTAINER_LISTS and isinstance(item, list):
                for index, container in enumerate(item):
                    if isinstance(container, dict):
                        yield f"{path}{key}[{index}]", container
            elif isinstance(item, (dict, list)):
                yield from _kubernetes_containers(item, f"{path}{key}.")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _kubernetes_containers(item, f"{path}[{index}].")


def environment_variables(args: ResourceValidationArgs) -> Iterator[tuple[str, Any, Any]]:
    """``(where, name, value)`` for every environment variable a resource declares."""
    props, kind = args.props, args.resource_type
    if kind in LAMBDAS:
        for name, value in _mapping(get(single(get(props, "environment")), "variables")):
            yield "environment.variables", name, value
    elif kind in TASK_DEFINITIONS:
        for container in container_definitions(props) or ():
            for name, value in _name_values(container.get("environment")):
                yield f"container {container.get('name')!r} environment", name, value
    elif kind in JOB_DEFINITIONS:
        for where, container in batch_containers(props):
            field = "env" if where.startswith(EKS_PREFIX) else "environment"
            for name, value in _name_values(container.get(field)):
                yield f"{where}.{field}", name, value
    elif kind in SAGEMAKER_MODELS:
        for name, value in _mapping(get(single(get(props, "primaryContainer")), "environment")):
            yield "primaryContainer.environment", name, value
        containers = as_list(get(props, "containers"))
        for index, container in enumerate(containers if isinstance(containers, list) else []):
            for name, value in _mapping(get(container, "environment")):
                yield f"containers[{index}].environment", name, value
    elif kind == INFERENCE_COMPONENT:
        for where, container in inference_component_containers(props):
            for name, value in _mapping(container.get("environment")):
                yield f"{where}.environment", name, value
    elif kind == TRAINING_JOB:
        for name, value in _mapping(get(props, "environment")):
            yield "environment", name, value
    elif kind == TUNING_JOB:
        for where, definition in _tuning_definitions(props):
            for name, value in _mapping(get(definition, "environment")):
                yield f"{where}.environment", name, value
    elif kind in (PIPELINE, NATIVE_PIPELINE):
        yield from _pipeline_environment(props)
    elif kind in CODEBUILDS:
        variables = as_list(get(single(get(props, "environment")), "environmentVariables"))
        for item in variables if isinstance(variables, list) else []:
            if isinstance(item, dict) and str(item.get("type") or "PLAINTEXT").upper() == "PLAINTEXT":
                yield "environment.environmentVariables", item.get("name"), item.get("value")
    elif kind == APPRUNNER:
        source = single(get(props, "sourceConfiguration"))
        image = single(get(single(get(source, "imageRepository")), "imageConfiguration"))
        for name, value in _mapping(get(image, "runtimeEnvironmentVariables")):
            yield "imageConfiguration.runtimeEnvironmentVariables", name, value
        code = single(get(single(get(single(get(source, "codeRepository")), "codeConfiguration")),
                          "codeConfigurationValues"))
        for name, value in _mapping(get(code, "runtimeEnvironmentVariables")):
            yield "codeConfigurationValues.runtimeEnvironmentVariables", name, value
    elif kind in AGENTCORE:
        for name, value in _mapping(get(props, "environmentVariables")):
            yield "environmentVariables", name, value
    elif kind == CONFIG_MAP:
        for name, value in _mapping(get(props, "data")):
            yield "data", name, value
    elif kind in GLUE_JOBS:
        for field in ("defaultArguments", "nonOverridableArguments"):
            for name, value in _mapping(get(props, field)):
                yield field, name, value
    elif kind in EMR_CONFIGURATIONS:
        for field in EMR_CONFIGURATIONS[kind]:
            text = get(props, field)
            if not isinstance(text, str) or is_unknown(text) or is_secret(text):
                continue
            try:
                document = json.loads(text)  # a cluster's ``configurations`` may be a URL or a file name instead
            except ValueError:
                continue
            yield from _emr_properties(document, field)
    elif kind.startswith("kubernetes:"):
        for where, container in (*_kubernetes_containers(get(props, "spec")), *_kserve_containers(kind, props),
                                 *_argo_containers(kind, props), *_pod_default(kind, props),
                                 *_spark_containers(kind, props)):
            for name, value in _name_values(container.get("env")):
                yield f"spec.{where}.env" if where else "spec.env", name, value
        yield from _spark_configuration(kind, props)


def _emr_properties(document: Any, where: str) -> Iterator[tuple[str, Any, Any]]:
    """Each ``Properties`` entry of an EMR configuration list, nested ``Configurations`` included."""
    for item in document if isinstance(document, list) else [document] if isinstance(document, dict) else []:
        if not isinstance(item, dict):
            continue
        classification = f"{where} {item.get('Classification')!r}"
        for name, value in _mapping(item.get("Properties")):
            yield classification, name, value
        yield from _emr_properties(item.get("Configurations"), classification)


def _tuning_definitions(props: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """A tuning job's training job definition and each of its ``trainingJobDefinitions`` (``where`` prefixes the name)."""
    yield f"{where}trainingJobDefinition", single(get(props, "trainingJobDefinition"))
    definitions = as_list(get(props, "trainingJobDefinitions"))
    for index, definition in enumerate(definitions if isinstance(definitions, list) else []):
        yield f"{where}trainingJobDefinitions[{index}]", definition


def _pipeline_environment(props: Any) -> Iterator[tuple[str, Any, Any]]:
    if is_secret(pipeline_definition(props)):
        return
    steps = pipeline_steps(props)
    if not isinstance(steps, dict):
        return
    for kind, named in steps.items():
        for name, arguments in named.items():
            where = f"pipelineDefinition {kind} step {name!r}"
            places = [("environment", arguments)]
            if kind == "Tuning":
                places = [(f"{at}.environment", definition) for at, definition in _tuning_definitions(arguments)]
            elif kind == "Model":
                containers = as_list(get(arguments, "containers"))
                places = [("primaryContainer.environment", get(arguments, "primaryContainer"))] + [
                    (f"containers[{index}].environment", container)
                    for index, container in enumerate(containers if isinstance(containers, list) else [])]
            for at, holder in places:
                for variable, value in _mapping(get(holder, "environment")):
                    yield f"{where} {at}", variable, value


def _kserve_containers(kind: str, props: Any) -> Iterator[tuple[str, dict]]:
    """A KServe InferenceService's inline containers (``spec.predictor.model``, the framework shorthands),
    which are no container list (``policies.rules._pods``)."""
    found = kind_of(kind)
    if found is None or found.key != "serving.kserve.io:InferenceService":
        return
    for where, spec in kserve_components(props):
        for key, container in kserve_inline_containers(spec):
            yield f"{where.removeprefix('spec.')}.{key}", container


#: Kubeflow's PodDefault (``kubeflow.org/v1alpha1``, components/admission-webhook): "additional runtime
#: requirements (i.e., volume, volumeMounts, environment variables) to be injected into a Pod at creation
#: time"; its ``spec.env`` goes into every container of the pods it selects.
POD_DEFAULT = "kubeflow.org:PodDefault"


def _pod_default(kind: str, props: Any) -> Iterator[tuple[str, dict]]:
    found = kind_of(kind)
    spec = get(props, "spec")
    if found is not None and found.key == POD_DEFAULT and isinstance(spec, dict):
        yield "", spec


def _spark_spec(kind: str, props: Any) -> tuple[str, Any]:
    found = kind_of(kind)
    if found is None or found.key not in SPARK_APPLICATION_SPECS:
        return "", None
    path = SPARK_APPLICATION_SPECS[found.key]
    return ".".join(path[1:] + ("",)), get(props, *path)


def _spark_containers(kind: str, props: Any) -> Iterator[tuple[str, dict]]:
    """A Spark application's driver and executor main containers (``env`` and the deprecated ``envVars``) and
    ``sidecars``, which are no container list (``initContainers`` is)."""
    prefix, spec = _spark_spec(kind, props)
    if not isinstance(spec, dict):
        return
    for role, name in SPARK_ROLES:
        if isinstance(spec.get(role), dict):
            yield f"{prefix}{role}", spark_main_container(spec, spec[role], name)
            sidecars = spec[role].get("sidecars")
            for index, sidecar in enumerate(sidecars if isinstance(sidecars, list) else []):
                if isinstance(sidecar, dict):
                    yield f"{prefix}{role}.sidecars[{index}]", sidecar


def _spark_configuration(kind: str, props: Any) -> Iterator[tuple[str, Any, Any]]:
    """``sparkConf`` and ``hadoopConf``: the ``--conf`` properties spark-submit passes, readable by whoever reads
    the SparkApplication (``spark.hadoop.fs.s3a.secret.key``, a JDBC password...)."""
    prefix, spec = _spark_spec(kind, props)
    if not isinstance(spec, dict):
        return
    for field in ("sparkConf", "hadoopConf"):
        for name, value in _mapping(spec.get(field)):
            yield f"spec.{prefix}{field}", name, value


def _argo_containers(kind: str, props: Any) -> Iterator[tuple[str, dict]]:
    """An Argo workflow's containers that are no container list: each template's (and ``templateDefaults``')
    ``container`` and ``script``, and its ``sidecars`` (``policies.rules._pods.argo_templates``)."""
    found = kind_of(kind)
    if found is None or found.key not in ARGO_WORKFLOW_SPECS:
        return
    path = ARGO_WORKFLOW_SPECS[found.key]
    spec = get(props, *path)
    if not isinstance(spec, dict):
        return
    templates = spec.get("templates")
    places = [(f"templates[{i}]", t) for i, t in enumerate(templates if isinstance(templates, list) else [])]
    places.append(("templateDefaults", spec.get("templateDefaults")))
    prefix = ".".join(path[1:] + ("",))
    for where, template in places:
        if not isinstance(template, dict):
            continue
        for key in ("container", "script"):
            if isinstance(template.get(key), dict):
                yield f"{prefix}{where}.{key}", template[key]
        sidecars = template.get("sidecars")
        for index, sidecar in enumerate(sidecars if isinstance(sidecars, list) else []):
            if isinstance(sidecar, dict):
                yield f"{prefix}{where}.sidecars[{index}]", sidecar


def _is_environment_subject(resource_type: str) -> bool:
    # Kubernetes: the workloads and the custom resources that may embed containers (not Namespaces,
    # Services, Helm releases... whose specs hold none), see policies/rules/_pods.py.
    return resource_type in ENVIRONMENT_TYPES or may_carry_pods(resource_type)


def _validate_environment(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not _is_environment_subject(args.resource_type):
        return
    names = _Names(args)
    for where, name, value in environment_variables(args):
        why = _judge(name, value, names)
        if why:
            report(f"{describe(args)}: {where} {name!r} holds {why} in plaintext; pass it from Secrets Manager or SSM "
                   "(ECS/Kubernetes secrets, valueFrom), or as a Pulumi secret")


no_plaintext_secrets_in_environment = ResourceValidationPolicy(
    name="no-plaintext-secrets-in-environment",
    description="No environment variable of a Lambda function, ECS or Batch container, SageMaker model, inference "
                "component, training or tuning job or pipeline step, CodeBuild project, App Runner service, Bedrock AgentCore runtime or "
                "harness, or Kubernetes container (KServe's and Argo's inline ones and Kubeflow PodDefaults "
                "included), no Spark application's configuration, no ConfigMap entry, no Glue job argument and no EMR "
                "configuration property holds a literal credential.",
    validate=as_built(_is_environment_subject, _validate_environment),
    config_schema=SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Store the credential in Secrets Manager (or SSM SecureString) and reference it: ECS "
                      "'secrets' with valueFrom, Kubernetes env valueFrom.secretKeyRef, a Secrets Manager ARN the "
                      "code reads at start; or pass it as a Pulumi secret. Rotate any credential that was committed.",
    **frameworks({"nist-800-53": "IA-5(7), SC-28", "pci-dss": "8.3.2", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)


# --------------------------------------------------------------------------------------------------
# User data


def _decoded(text: str) -> str:
    compact = "".join(text.split())
    if len(compact) >= 8 and len(compact) % 4 == 0 and re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", compact):
        try:
            return base64.b64decode(compact, validate=True).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            return text
    return text


def _scripts(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    """``(where, script)`` for each boot script a resource declares."""
    if args.resource_type == SPOT_FLEET:
        specs = as_list(get(args.props, "launchSpecifications"))
        for index, spec in enumerate(specs if isinstance(specs, list) else []):
            if isinstance(spec, dict):
                yield f"launchSpecifications[{index}].userData", spec.get("userData")
        return
    for key in SCRIPT_INPUTS.get(args.resource_type, ()):
        yield key, get(args.props, key)


def _validate_user_data(args: ResourceValidationArgs, report: ReportViolation) -> None:
    names = _Names(args)
    role = "the instance role" if args.resource_type in USER_DATA_TYPES else "the execution role"
    for key, value in _scripts(args):
        if not isinstance(value, str) or is_unknown(value) or is_secret(value) or not value:
            continue
        text = _decoded(value)
        found = credential_in(text)
        if found:
            report(f"{describe(args)}: {key} holds {found} in plaintext; fetch it at boot from Secrets Manager or "
                   f"SSM with {role}")
            continue
        for match in ASSIGNMENT.finditer(text):
            name, literal = match.group(1), match.group(2)
            if names.secret_looking(name) and _literal(literal) and not literal.startswith("$"):
                report(f"{describe(args)}: {key} sets {name} to a literal value; fetch it at boot from Secrets "
                       "Manager or SSM with the instance role")
                break


no_plaintext_secrets_in_user_data = ResourceValidationPolicy(
    name="no-plaintext-secrets-in-user-data",
    description="No instance, launch template, launch configuration or spot fleet launch specification user data, and "
                "no SageMaker notebook or Studio lifecycle script (plain or base64), holds a literal credential.",
    validate=applies_to((*SCRIPT_INPUTS, SPOT_FLEET), _validate_user_data),
    config_schema=SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Read the credential at boot (aws secretsmanager get-secret-value / aws ssm get-parameter "
                      "--with-decryption) with the instance profile's permissions; user data is readable by anyone "
                      "who can describe the instance.",
    **frameworks({"nist-800-53": "IA-5(7), SC-28", "pci-dss": "8.3.2", "hipaa": "164.312(a)(2)(iv)",
                  "gdpr": "Art. 32(1)(a)"}),
)


# --------------------------------------------------------------------------------------------------
# Inputs that are credentials: ML services' API keys, client secrets and Git URLs

CODE_REPOSITORY = "aws:sagemaker/codeRepository:CodeRepository"
#: Per type, the inputs that are Git repository URLs, which must carry no password or token: a SageMaker code
#: repository's ``gitConfig.repositoryUrl`` (the API takes credentials from ``gitConfig.secretArn``), and a CodeBuild
#: project's ``source.location`` and ``secondarySources[].location`` (Security Hub CodeBuild.1: "CodeBuild Bitbucket
#: source repository URLs should not contain sensitive credentials"; the project's source is readable by anyone who
#: can call BatchGetProjects; CodeBuild takes Git credentials from aws.codebuild.SourceCredential or a connection).
URL_INPUTS: dict[str, tuple[tuple[str, ...], ...]] = {
    CODE_REPOSITORY: (("gitConfig", "repositoryUrl"),),
    # (read through ``_blocks``: one secondary source reads as the block itself, two or more as a list)
    CODEBUILD: (("source", "location"), ("secondarySources", "location"), ("secondarySources", "*", "location")),
    "aws-native:codebuild:Project": (("source", "location"), ("secondarySources", "location"),
                                     ("secondarySources", "*", "location")),
}
API_KEY_PROVIDER = "aws:bedrock/agentcoreApiKeyCredentialProvider:AgentcoreApiKeyCredentialProvider"
OAUTH2_PROVIDER = "aws:bedrock/agentcoreOauth2CredentialProvider:AgentcoreOauth2CredentialProvider"
WORKFORCE = "aws:sagemaker/workforce:Workforce"
#: Per type, the inputs that hold a credential (``walk`` paths; ``**`` is each vendor block of an OAuth2 provider's
#: ``oauth2ProviderConfig``). pulumi-aws 7: an API key provider's ``apiKey`` "is stored in plain text in the Terraform
#: state; use `api_key_wo` to avoid this", or ``apiKeySecretConfig`` (a Secrets Manager secret, source EXTERNAL);
#: OAuth2 vendor blocks take ``clientSecret``/``clientSecretWo`` or ``clientSecretConfig`` (a secret); a workforce's
#: ``oidcConfig.clientSecret`` is the identity provider's client secret (botocore sagemaker ``OidcConfig``).
CREDENTIAL_INPUTS: dict[str, tuple[tuple[str, ...], ...]] = {
    API_KEY_PROVIDER: (("apiKey",), ("apiKeyWo",)),
    OAUTH2_PROVIDER: (("oauth2ProviderConfig", "**", "clientSecret"), ("oauth2ProviderConfig", "**", "clientSecretWo")),
    # pulumi-aws-native's AWS::BedrockAgentCore::ApiKeyCredentialProvider (apiKey) and OAuth2CredentialProvider
    # (oauth2ProviderConfigInput.<vendor>.clientSecret; pulumi-aws-native 1.84 bedrockagentcore/_inputs.py).
    "aws-native:bedrockagentcore:ApiKeyCredentialProvider": (("apiKey",),),
    "aws-native:bedrockagentcore:OAuth2CredentialProvider": (("oauth2ProviderConfigInput", "**", "clientSecret"),),
    WORKFORCE: (("oidcConfig", "clientSecret"),),
    # A CodePipeline webhook's GITHUB_HMAC ``authenticationConfiguration.secretToken`` ("The shared secret for the
    # GitHub repository webhook", botocore codepipeline WebhookAuthConfiguration.SecretToken); pulumi-aws 7 does not
    # mark it secret (codepipeline/webhook.py), so a literal stays readable in the state.
    "aws:codepipeline/webhook:Webhook": (("authenticationConfiguration", "secretToken"),),
    # Data services' passwords and tokens (pulumi-aws 7 docstrings): a Glue connection's JDBC ``PASSWORD`` property and
    # basic-auth password, a Glue job's Git ``authToken``, Timestream for InfluxDB's initial admin ``password``, EMR
    # Kerberos passwords (KDC admin, AD join, cross-realm trust), a QuickSight data source's database password, a
    # Redshift Serverless namespace's ``adminUserPassword`` (else ``manageAdminPassword``), DataSync SMB ``password``,
    # object-storage ``secretKey`` and Azure Blob SAS ``token``, MemoryDB users' ``passwords``, and AppFlow connector
    # profiles' vendor credentials (``**``: each vendor block, and the auth block inside a custom connector's or SAP's).
    "aws:glue/connection:Connection": (("connectionProperties", "PASSWORD"),
                                       ("authenticationConfiguration", "basicAuthenticationCredentials", "password")),
    "aws:glue/job:Job": (("sourceControlDetails", "authToken"),),
    "aws:timestreaminfluxdb/dbInstance:DbInstance": (("password",),),
    "aws:timestreaminfluxdb/dbCluster:DbCluster": (("password",),),
    "aws:emr/cluster:Cluster": tuple(("kerberosAttributes", name) for name in (
        "kdcAdminPassword", "adDomainJoinPassword", "crossRealmTrustPrincipalPassword")),
    "aws:quicksight/dataSource:DataSource": (("credentials", "credentialPair", "password"),),
    "aws:redshiftserverless/namespace:Namespace": (("adminUserPassword",),),
    "aws:datasync/locationSmb:LocationSmb": (("password",),),
    "aws:datasync/locationObjectStorage:LocationObjectStorage": (("secretKey",),),
    "aws:datasync/locationAzureBlob:LocationAzureBlob": (("sasConfiguration", "token"),),
    # A list of one password reads as the password itself (``_blocks``); two or more, each item.
    "aws:memorydb/user:User": (("authenticationMode", "passwords"), ("authenticationMode", "passwords", "*")),
    "aws:appflow/connectorProfile:ConnectorProfile": tuple(
        ("connectorProfileConfig", "connectorProfileCredentials", *steps, name)
        for steps in (("**",), ("**", "**"))
        for name in ("password", "clientSecret", "secretKey", "apiSecretKey", "apiToken", "accessToken", "refreshToken")),
}
#: A personal access token as the whole user part of a URL (``https://ghp_...@github.com/...``): GitHub's
#: ``ghp_``/``github_pat_``, GitLab's ``glpat-``, or any 20 or more token characters.
URL_TOKEN = re.compile(r"^[a-z][a-z0-9+.-]*://(ghp_|gho_|github_pat_|glpat-|[A-Za-z0-9_-]{20,})[^/\s:@]*@", re.IGNORECASE)


def _blocks(value: Any) -> Any:
    """A block written as a list of one is the block (so ``walk`` steps into it); a longer list stays a list."""
    if isinstance(value, dict):
        return {key: _blocks(item) for key, item in value.items()}
    if isinstance(value, list):
        return _blocks(value[0]) if len(value) == 1 else [_blocks(item) for item in value]
    return value


def _validate_credential_inputs(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = _blocks(get(args.props))
    for path in URL_INPUTS.get(args.resource_type, ()):
        for where, url in walk(props, path):
            if not isinstance(url, str) or is_unknown(url) or is_secret(url):
                continue
            found = credential_in(url) or ("a token in a URL" if URL_TOKEN.match(url.strip()) else "")
            if found and args.resource_type == CODE_REPOSITORY:
                report(f"{describe(args)}: {where} holds {found} in plaintext; keep the credentials in a Secrets "
                       "Manager secret ({\"username\": ..., \"password\": ...}) named by gitConfig.secretArn")
            elif found:
                report(f"{describe(args)}: {where} holds {found} in plaintext; give CodeBuild its Git credentials "
                       "through an aws.codebuild.SourceCredential (a Secrets Manager secret or a CodeConnections "
                       "connection) or the source's auth block, with a plain HTTPS location")
    for path in CREDENTIAL_INPUTS.get(args.resource_type, ()):
        for where, value in walk(props, path):
            if _literal(value):
                report(f"{describe(args)}: {where} is a literal in the program, readable in its source and plan; "
                       "pass it as a Pulumi secret, or name a Secrets Manager secret (apiKeySecretConfig, "
                       "clientSecretConfig)")


no_plaintext_credential_inputs = ResourceValidationPolicy(
    name="no-plaintext-credential-inputs",
    description="Credentials handed to ML and data services are Pulumi secrets or Secrets Manager references, never "
                "literals: Bedrock AgentCore API-key and OAuth2 credential providers' keys and client secrets, SageMaker "
                "workforces' OIDC client secret, Glue, QuickSight, DataSync, AppFlow, EMR Kerberos, Timestream for "
                "InfluxDB, Redshift Serverless and MemoryDB passwords and tokens, CodePipeline webhooks' secret tokens, and "
                "no password or token in a SageMaker code repository's or a CodeBuild project's Git URL.",
    validate=applies_to((*URL_INPUTS, *CREDENTIAL_INPUTS), _validate_credential_inputs),
    severity=Severity.HIGH,
    remediation_steps="Read the credential from Pulumi config as a secret (config.require_secret) or from a Secrets "
                      "Manager secret: api_key_secret_config / client_secret_config on AgentCore credential providers, "
                      "git_config.secret_arn ({\"username\", \"password\"}, staging label AWSCURRENT) with a plain "
                      "HTTPS repository_url on code repositories; rotate the credential that was committed.",
    **frameworks({"nist-800-53": "IA-5(7), SC-28", "pci-dss": "8.3.2", "hipaa": "164.312(a)(2)(iv)"}),
)


SECURITY = [no_plaintext_secrets_in_environment, no_plaintext_secrets_in_user_data, no_plaintext_credential_inputs]
PRIVACY: list = []
COMPLIANCE: list = []
