"""Plaintext-secret rules: from a workload whose credentials are references or Pulumi secrets, one
value changed to a literal credential to make it fail."""

from __future__ import annotations

import base64
import json

import pytest
from pulumi_policy.deserialize import deserialize_properties

from policies.rules._secrets import SECRET_SIG, SIG_KEY, SecretString, is_secret, keep_secret_strings
from policies.rules.plaintext_secrets import no_plaintext_secrets_in_environment, no_plaintext_secrets_in_user_data
from policy_helpers import UNKNOWN, resource_args, violations
from sdk_inputs import assert_inputs_in_sdk

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key id
SECRET = {SIG_KEY: SECRET_SIG, "value": "hunter2-hunter2"}
ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
SAFE = {"DB_PASSWORD": SECRET, "DB_PASSWORD_ARN": ARN, "STAGE": "prod", "TOKEN_TTL": "3600", "API_KEY": UNKNOWN}


def env(type_: str, props: dict) -> list[str]:
    """The rule's messages for a resource of ``type_`` (``#...`` after it names a second shape of one type)."""
    return violations(no_plaintext_secrets_in_environment, resource_args(type_.split("#")[0], props, name="app"))


def shapes(variables: dict) -> dict[str, dict]:
    """The same variables in every resource type's own shape."""
    pairs = [{"name": k, "value": v} for k, v in variables.items()]
    plain_pairs = [{"name": k, "value": v["value"] if isinstance(v, dict) else v} for k, v in variables.items()
                   if not isinstance(v, dict) and v != UNKNOWN]
    pod = {"containers": [{"name": "app", "image": "app:1", "env": pairs}]}
    return {
        "aws:lambda/function:Function": {"environment": {"variables": variables}},
        "aws:sagemaker/model:Model": {"primaryContainer": {"environment": variables}},
        "aws:sagemaker/trainingJob:TrainingJob": {"environment": variables},
        "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob": {
            "trainingJobDefinitions": [{"environment": variables}]},
        # A pipeline's definition is JSON: a Training step's Arguments are CreateTrainingJob's request.
        "aws:sagemaker/pipeline:Pipeline": {"pipelineDefinition": json.dumps({"Version": "2020-12-01", "Steps": [
            {"Name": "Train", "Type": "Training", "Arguments": {"Environment": variables}}]})},
        "aws:ecs/taskDefinition:TaskDefinition": {"containerDefinitions": json.dumps(
            [{"name": "app", "environment": plain_pairs}])},
        # Batch: a single-node job's container (JSON), a multi-node parallel job's node range (JSON), an EKS pod.
        "aws:batch/jobDefinition:JobDefinition": {"containerProperties": json.dumps({"environment": plain_pairs})},
        "aws-native:batch:JobDefinition": {"nodeProperties": {"numNodes": 2, "nodeRangeProperties": [
            {"targetNodes": "0:", "container": {"environment": pairs}}]}},
        "aws-native:batch:JobDefinition#eks": {"eksProperties": {"podProperties": pod}},
        "aws-native:sagemaker:InferenceComponent": {"specification": {"container": {"environment": variables}}},
        "kubernetes:core/v1:Pod": {"spec": pod},
        "kubernetes:batch/v1:CronJob": {"spec": {"jobTemplate": {"spec": {"template": {"spec": pod}}}}},
        "kubernetes:ray.io/v1:RayCluster": {"spec": {"headGroupSpec": {"template": {"spec": pod}},
                                                     "workerGroupSpecs": [{"template": {"spec": pod}}]}},
        # KServe's inline container (pkg/apis/serving/v1beta1: the predictor's model is a v1.Container).
        "kubernetes:serving.kserve.io/v1beta1:InferenceService": {"spec": {"predictor": {"model": {
            "modelFormat": {"name": "huggingface"}, "env": pairs}}}},
        # Kubeflow's PodDefault: env injected into every pod it selects (components/admission-webhook).
        "kubernetes:kubeflow.org/v1alpha1:PodDefault": {"spec": {"selector": {"matchLabels": {"a": "b"}},
                                                                  "env": pairs}},
        # A ConfigMap's data: the settings pods read as environment (envFrom) or files, with no secrecy.
        "kubernetes:core/v1:ConfigMap": {"data": variables},
    }


@pytest.mark.parametrize("type_", sorted(shapes(SAFE)))
def test_references_and_pulumi_secrets_pass(type_):
    assert env(type_, shapes(SAFE)[type_]) == []


@pytest.mark.parametrize("type_", sorted(shapes(SAFE)))
@pytest.mark.parametrize("name, value, why", [
    ("DB_PASSWORD_X", "hunter2", "a literal value under a secret-looking name"),
    ("AWS_ACCESS_KEY_ID", ACCESS_KEY, "an AWS access key id"),
    ("TLS", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "a private key"),
    ("DATABASE_URL", "postgres://app:s3cret@db:5432/app", "a password in a URL"),
    # Airflow's key for its connections' passwords and variables (AIRFLOW__CORE__FERNET_KEY).
    ("AIRFLOW__CORE__FERNET_KEY", "81HqDtbqAywKSOumSha3BhWNOdQ26slT6K0YaZeZyPs=",
     "a literal value under a secret-looking name"),
])
def test_one_literal_credential_fails(type_, name, value, why):
    messages = env(type_, shapes({**SAFE, name: value})[type_])
    assert len(messages) == (2 if type_.endswith("RayCluster") else 1)  # a Ray cluster's head and workers
    assert all(f"{name!r} holds {why} in plaintext" in message for message in messages)


def test_codebuild_plaintext_only():
    variables = [{"name": "NPM_TOKEN", "value": "npm_abc", "type": "PLAINTEXT"},
                 {"name": "GH_TOKEN", "value": "/ci/gh", "type": "PARAMETER_STORE"}]
    [message] = env("aws:codebuild/project:Project", {"environment": {"environmentVariables": variables}})
    assert "'NPM_TOKEN' holds a literal value" in message


def user_data(type_: str, script: str, encode: bool = False) -> list[str]:
    value = base64.b64encode(script.encode()).decode() if encode else script
    return violations(no_plaintext_secrets_in_user_data, resource_args(type_, {"userData": value}, name="web"))


SCRIPT = "#!/bin/bash\nexport DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id db)\nyum install -y nginx\n"


@pytest.mark.parametrize("type_, encode", [("aws:ec2/instance:Instance", False),
                                           ("aws:ec2/launchTemplate:LaunchTemplate", True)])
def test_user_data(type_, encode):
    assert user_data(type_, SCRIPT, encode) == []
    assert user_data(type_, SCRIPT.replace("$(aws secretsmanager get-secret-value --secret-id db)", "hunter2"),
                     encode) == [f"{type_} 'web': userData sets DB_PASSWORD to a literal value; fetch it at boot from "
                                 "Secrets Manager or SSM with the instance role"]
    assert user_data(type_, SCRIPT + f"export AWS_ACCESS_KEY_ID={ACCESS_KEY}\n", encode) == [
        f"{type_} 'web': userData holds an AWS access key id in plaintext; fetch it at boot from Secrets Manager or "
        "SSM with the instance role"]



def test_spot_fleet_launch_specification_user_data():
    fleet = "aws:ec2/spotFleetRequest:SpotFleetRequest"
    assert_inputs_in_sdk(fleet, ("launchSpecifications", "userData"))

    def judged(*scripts):
        specs = [{"ami": "ami-1", "instanceType": "g5.xlarge", "userData": script} for script in scripts]
        return violations(no_plaintext_secrets_in_user_data,
                          resource_args(fleet, {"launchSpecifications": specs}, name="web"))

    assert judged(SCRIPT, None) == []
    assert judged(SCRIPT, SCRIPT.replace("$(aws secretsmanager get-secret-value --secret-id db)", "hunter2")) == [
        f"{fleet} 'web': launchSpecifications[1].userData sets DB_PASSWORD to a literal value; fetch it at boot from "
        "Secrets Manager or SSM with the instance role"]
    assert judged(UNKNOWN) == []
    assert violations(no_plaintext_secrets_in_user_data,
                      resource_args(fleet, {"launchSpecifications": UNKNOWN}, name="web")) == []


def _emr_configurations(properties: dict, nested: dict | None = None) -> str:
    item = {"Classification": "hive-site", "Properties": properties}
    if nested is not None:
        item = {"Classification": "hadoop-env", "Properties": {}, "Configurations": [
            {"Classification": "export", "Properties": nested}]}
    return json.dumps([{"Classification": "spark-defaults", "Properties": {"spark.sql.adaptive.enabled": "true"}},
                       item])


@pytest.mark.parametrize("type_", ["aws:emr/cluster:Cluster", "aws:emr/instanceGroup:InstanceGroup"])
def test_emr_configuration_properties(type_):
    assert_inputs_in_sdk(type_, ("configurationsJson",))
    safe = {"javax.jdo.option.ConnectionUserName": "hive", "javax.jdo.option.ConnectionPassword:secret": ARN,
            "hive.metastore.client.factory.class": "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory"}
    assert env(type_, {"configurationsJson": _emr_configurations(safe)}) == []
    assert env(type_, {"configurationsJson": _emr_configurations(
        {"javax.jdo.option.ConnectionPassword": "Hive-Metastore-2024!"})}) == [
        f"{type_} 'app': configurationsJson 'hive-site' 'javax.jdo.option.ConnectionPassword' holds a literal value "
        "under a secret-looking name in plaintext; pass it from Secrets Manager or SSM (ECS/Kubernetes secrets, "
        "valueFrom), or as a Pulumi secret"]
    [message] = env(type_, {"configurationsJson": _emr_configurations({}, {"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI"})})
    assert "configurationsJson 'hadoop-env' 'export' 'AWS_SECRET_ACCESS_KEY'" in message
    assert env(type_, {"configurationsJson": UNKNOWN}) == []
    assert env(type_, {"configurationsJson": SECRET}) == []
    assert env(type_, {"configurationsJson": "not json"}) == []


def test_emr_settings_that_name_credentials_are_not_credentials():
    # Hadoop and Spark name where credentials come from under credential-looking names: a provider class, a
    # keystore URI, a secret file's path; a dotted name is judged as one name (its .path/.file suffix counts).
    settings = {"hadoop.security.credential.provider.path": "jceks://s3a@team-config/emr/creds.jceks",
                "fs.s3.customAWSCredentialsProvider": "com.amazonaws.auth.InstanceProfileCredentialsProvider",
                "spark.hadoop.fs.s3a.aws.credentials.provider": "com.amazonaws.auth.DefaultAWSCredentialsProviderChain",
                "yarn.timeline-service.http-authentication.signature.secret.file": "/etc/hadoop/http-secret",
                "hadoop.security.token.service.use_ip": "true"}
    cluster = "aws:emr/cluster:Cluster"
    assert env(cluster, {"configurationsJson": _emr_configurations(settings)}) == []
    [message] = env(cluster, {"configurationsJson": _emr_configurations({**settings, "fs.s3a.secret.key": "wJalrXUtn"})})
    assert "'fs.s3a.secret.key' holds a literal value under a secret-looking name" in message
    # a URI is judged by the password in it, not by its name
    [message] = env(cluster, {"configurationsJson": _emr_configurations(
        {"javax.jdo.option.ConnectionURL": "jdbc:mysql://hive:Hive-2024@metastore:3306/hive"})})
    assert "holds a password in a URL" in message


def test_a_web_url_under_a_tokens_name_is_still_a_secret():
    # An incoming-webhook URL carries its secret in the path: only location URIs (a keystore, a bucket) pass.
    [message] = env("aws:lambda/function:Function", {"environment": {"variables": {
        "SLACK_WEBHOOK_TOKEN": "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX"}}})
    assert "literal value under a secret-looking name" in message
    assert env("aws:lambda/function:Function", {"environment": {"variables": {
        "CREDENTIAL_STORE": "jceks://s3a@team-config/creds.jceks"}}}) == []


def test_emr_cluster_configurations_as_raw_json_or_a_location():
    cluster = "aws:emr/cluster:Cluster"
    assert_inputs_in_sdk(cluster, ("configurations",))
    assert env(cluster, {"configurations": "s3://team-config/emr/configurations.json"}) == []
    assert len(env(cluster, {"configurations": _emr_configurations({"fs.s3a.secret.key": "wJalrXUtnFEMI"})})) == 1

def test_the_sdk_keeps_string_secrets_marked():
    keep_secret_strings()
    keep_secret_strings()  # idempotent
    props = deserialize_properties({"environment": {"variables": {"DB_PASSWORD": SECRET, "STAGE": "prod"}}})
    value = props["environment"]["variables"]["DB_PASSWORD"]
    assert value == "hunter2-hunter2" and isinstance(value, SecretString) and is_secret(value)
    assert not is_secret(props["environment"]["variables"]["STAGE"])
    assert violations(no_plaintext_secrets_in_environment,
                      resource_args("aws:lambda/function:Function", props, name="app")) == []


def pipeline(steps, secret: bool = False) -> dict:
    definition = json.dumps({"Version": "2020-12-01", "Steps": steps})
    return {"pipelineDefinition": {SIG_KEY: SECRET_SIG, "value": definition} if secret else definition}


def test_pipeline_steps_of_every_kind_are_read_with_their_names():
    leak = {"HF_TOKEN": "hf_abcdefghijklmnopqrstuvwx"}
    steps = [{"Name": "Prep", "Type": "Processing", "Arguments": {"Environment": leak}},
             {"Name": "Check", "Type": "Condition", "Arguments": {"IfSteps": [
                 {"Name": "Tune", "Type": "Tuning", "Arguments": {"TrainingJobDefinition": {"Environment": leak}}}],
                 "ElseSteps": [{"Name": "Serve", "Type": "Model", "Arguments": {
                     "PrimaryContainer": {"Environment": leak}, "Containers": [{"Environment": leak}]}}]}},
             {"Name": "Score", "Type": "Transform", "Arguments": {"Environment": leak}},
             {"Name": "Notify", "Type": "Lambda", "Arguments": {"Environment": leak}}]  # a Lambda step's inputs
    messages = env("aws:sagemaker/pipeline:Pipeline", pipeline(steps))
    assert [m.split(": ", 1)[1].split(" holds")[0] for m in messages] == [
        "pipelineDefinition Processing step 'Prep' environment 'HF_TOKEN'",
        "pipelineDefinition Tuning step 'Tune' trainingJobDefinition.environment 'HF_TOKEN'",
        "pipelineDefinition Transform step 'Score' environment 'HF_TOKEN'",
        "pipelineDefinition Model step 'Serve' primaryContainer.environment 'HF_TOKEN'",
        "pipelineDefinition Model step 'Serve' containers[0].environment 'HF_TOKEN'"]


def test_a_pipeline_definition_that_is_a_secret_or_unknown_or_expressions_is_not_judged():
    steps = [{"Name": "Train", "Type": "Training", "Arguments": {"Environment": {
        "DB_PASSWORD": "hunter2", "API_KEY": {"Get": "Parameters.ApiKey"}}}}]
    assert len(env("aws:sagemaker/pipeline:Pipeline", pipeline(steps))) == 1  # the literal, not the expression
    assert env("aws:sagemaker/pipeline:Pipeline", pipeline(steps, secret=True)) == []
    assert env("aws:sagemaker/pipeline:Pipeline", {"pipelineDefinition": UNKNOWN}) == []
    assert env("aws:sagemaker/pipeline:Pipeline", {"pipelineDefinition": "not json"}) == []


def test_a_native_pipelines_definition_body_is_read_alike():
    steps = [{"Name": "Train", "Type": "Training", "Arguments": {"Environment": {"DB_PASSWORD": "hunter2"}}}]
    body = pipeline(steps)["pipelineDefinition"]
    assert len(env("aws-native:sagemaker:Pipeline", {"pipelineDefinition": {"pipelineDefinitionBody": body}})) == 1
    secret = pipeline(steps, secret=True)["pipelineDefinition"]
    assert env("aws-native:sagemaker:Pipeline", {"pipelineDefinition": {"pipelineDefinitionBody": secret}}) == []



#: KServe's inferenceservice-config ConfigMap (kubeflow/manifests applications/kserve/kserve/kserve.yaml):
#: its ``credentials`` entry names where storage credentials live, it holds none.
KSERVE_CREDENTIALS = json.dumps({
    "storageSpecSecretName": "storage-config", "storageSecretNameAnnotation": "serving.kserve.io/storageSecretName",
    "gcs": {"gcsCredentialFileName": "gcloud-application-credentials.json"},
    "s3": {"s3AccessKeyIDName": "AWS_ACCESS_KEY_ID", "s3SecretAccessKeyName": "AWS_SECRET_ACCESS_KEY",
           "s3Endpoint": "", "s3UseHttps": ""}}, indent=3)


@pytest.mark.parametrize("type_", ["kubernetes:core/v1:ConfigMap", "aws:lambda/function:Function"])
def test_a_json_document_is_judged_by_its_own_keys_and_values(type_):
    assert env(type_, shapes({"credentials": KSERVE_CREDENTIALS})[type_]) == []
    leaked = json.dumps({"s3": {"endpoint": "https://s3", "secretAccessKey": "wJalrXUtnFEMI/K7MDENG"}})
    [message] = env(type_, shapes({"credentials": leaked})[type_])
    assert "'credentials' holds a literal value under a secret-looking name (its 'secretAccessKey') in plaintext" \
        in message


def test_camel_case_names_are_read_word_by_word():
    assert env("kubernetes:core/v1:ConfigMap", {"data": {"dbPasswordName": "app-db"}}) == []
    [message] = env("kubernetes:core/v1:ConfigMap", {"data": {"dbPassword": "hunter2"}})
    assert "'dbPassword' holds a literal value under a secret-looking name" in message
