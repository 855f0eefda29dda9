"""SageMaker table rules (VPC, network isolation, inter-container encryption, volume and output keys):
a compliant example of every type passes all five; removing any one row's setting breaks exactly
that row's rule, once."""

from __future__ import annotations

import copy
import json

import pytest

from policies.rules import sagemaker as sm
from policy_helpers import UNKNOWN, resource_args, violations

KEY = "arn:aws:kms:us-east-1:123456789012:key/0f0e"
VPC = {"subnets": ["subnet-1", "subnet-2"], "securityGroupIds": ["sg-1"]}
NETWORK = {"enableNetworkIsolation": True, "enableInterContainerTrafficEncryption": True, "vpcConfig": VPC}
CLUSTER = {"instanceType": "ml.m5.xlarge", "instanceCount": 2.0, "volumeSizeInGb": 50.0, "volumeKmsKeyId": KEY}
DEFINITION = {
    "algorithmSpecification": {"trainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1",
                               "trainingInputMode": "File"},
    "roleArn": "arn:aws:iam::123456789012:role/train",
    "resourceConfig": CLUSTER, "outputDataConfig": {"s3OutputPath": "s3://models/out", "kmsKeyId": KEY},
    "vpcConfig": VPC, "enableNetworkIsolation": True, "enableInterContainerTrafficEncryption": True,
    "stoppingCondition": {"maxRuntimeInSeconds": 3600.0},
}
MONITORING = {"networkConfig": NETWORK, "roleArn": "arn:aws:iam::123456789012:role/monitor"}
SHARING = {"notebookOutputOption": "Allowed", "s3OutputPath": "s3://shared/nb", "s3KmsKeyId": KEY}
WORKSPACE = {"s3ArtifactPath": "s3://canvas/ws", "s3KmsKeyId": KEY}
USER_SETTINGS = {"executionRole": "arn:aws:iam::123456789012:role/studio", "sharingSettings": SHARING,
                 "canvasAppSettings": {"workspaceSettings": WORKSPACE}}
COMPLIANT = {
    sm.TRAINING_JOB: {"trainingJobName": "train", **DEFINITION},
    sm.TUNING_JOB: {"hyperParameterTuningJobName": "tune", "trainingJobDefinition": DEFINITION,
                    "trainingJobDefinitions": [DEFINITION, {**DEFINITION, "definitionName": "b"}]},
    sm.DATA_QUALITY: {**MONITORING, "jobResources": {"clusterConfig": CLUSTER},
                      "dataQualityJobOutputConfig": {"kmsKeyId": KEY, "monitoringOutputs": {
                          "s3Output": {"s3Uri": "s3://monitor/out", "localPath": "/opt/ml/processing/output"}}}},
    sm.SCHEDULE: {"monitoringScheduleConfig": {"monitoringType": "DataQuality", "monitoringJobDefinition": {
        **MONITORING, "monitoringResources": {"clusterConfig": CLUSTER},
        "monitoringOutputConfig": {"kmsKeyId": KEY, "monitoringOutputs": {"s3Output": {"s3Uri": "s3://m/o"}}}}}},
    sm.LABELING_JOB: {"outputConfig": {"s3OutputPath": "s3://labels/out", "kmsKeyId": KEY},
                      "labelingJobAlgorithmsConfig": {
                          "labelingJobAlgorithmSpecificationArn": "arn:aws:sagemaker:us-east-1:027400017018:"
                                                                  "labeling-job-algorithm-specification/image-"
                                                                  "classification",
                          "labelingJobResourceConfig": {"volumeKmsKeyId": KEY, "vpcConfig": VPC}}},
    sm.MODEL: {"executionRoleArn": "arn:aws:iam::123456789012:role/x", "enableNetworkIsolation": True,
               "vpcConfig": VPC},
    sm.NOTEBOOK: {"instanceType": "ml.t3.medium", "kmsKeyId": KEY},
    sm.DOMAIN: {"domainName": "ml", "kmsKeyId": KEY, "defaultUserSettings": USER_SETTINGS},
    sm.USER_PROFILE: {"userProfileName": "alice", "domainId": "d-1", "userSettings": USER_SETTINGS},
    sm.ENDPOINT_CONFIG: {"asyncInferenceConfig": {"outputConfig": {"s3OutputPath": "s3://async", "kmsKeyId": KEY}}},
    # pulumi-aws-native's job definitions: CloudFormation's shape, camelCase (a list of monitoring outputs).
    **{native: {**MONITORING, "jobResources": {"clusterConfig": CLUSTER},
                output: {"kmsKeyId": KEY, "monitoringOutputs": [{"s3Output": {"s3Uri": "s3://monitor/out",
                                                                              "localPath": "/opt/ml/processing/output"}}]}}
       for native, output in sm.NATIVE_JOB_DEFINITIONS.items()},
    # pulumi-aws-native's models, notebook instances, Studio domains, user profiles, endpoint configurations.
    sm.NATIVE_MODEL: {"executionRoleArn": "arn:aws:iam::123456789012:role/x", "enableNetworkIsolation": True,
                      "vpcConfig": VPC},
    sm.NATIVE_NOTEBOOK: {"instanceType": "ml.t3.medium", "roleArn": "arn:aws:iam::123456789012:role/nb", "kmsKeyId": KEY},
    sm.NATIVE_DOMAIN: {"domainName": "ml", "authMode": "IAM", "kmsKeyId": KEY,
                       "defaultUserSettings": {"executionRole": "arn:aws:iam::123456789012:role/studio",
                                               "sharingSettings": SHARING}},
    sm.NATIVE_USER_PROFILE: {"userProfileName": "alice", "domainId": "d-1", "userSettings": {"sharingSettings": SHARING}},
    sm.NATIVE_ENDPOINT_CONFIG: {"productionVariants": [],
                                "asyncInferenceConfig": {"outputConfig": {"s3OutputPath": "s3://async", "kmsKeyId": KEY}}},
    # pulumi-aws-native's HyperPod cluster: an EKS-orchestrated cluster in the VPC, each declared EBS volume (the
    # root volume's and the secondary one) under the CMK; an FSx mount has no volume key to judge.
    sm.HYPERPOD: {"clusterName": "train", "vpcConfig": VPC,
                  "orchestrator": {"eks": {"clusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/train"}},
                  "instanceGroups": [{"instanceGroupName": "gpu", "instanceType": "ml.p5.48xlarge",
                                      "instanceCount": 2.0, "executionRole": "arn:aws:iam::123456789012:role/hp",
                                      "instanceStorageConfigs": [
                                          {"ebsVolumeConfig": {"volumeSizeInGb": 500.0, "volumeKmsKeyId": KEY}},
                                          {"ebsVolumeConfig": {"rootVolume": True, "volumeKmsKeyId": KEY}},
                                          {"fsxLustreConfig": {"dnsName": "fs-1.fsx.us-east-1.amazonaws.com",
                                                               "mountName": "abc", "mountPath": "/fsx"}}]}],
                  "restrictedInstanceGroups": [{"instanceGroupName": "nova", "instanceType": "ml.p5.48xlarge",
                                                "instanceCount": 1.0,
                                                "executionRole": "arn:aws:iam::123456789012:role/hp",
                                                "instanceStorageConfigs": [
                                                    {"ebsVolumeConfig": {"volumeSizeInGb": 500.0,
                                                                         "volumeKmsKeyId": KEY}}]}]},
}


def pascal(value):
    """A request in botocore's PascalCase, as a pipeline definition's step Arguments are written."""
    if isinstance(value, dict):
        return {key[:1].upper() + key[1:]: pascal(item) for key, item in value.items()}
    return [pascal(item) for item in value] if isinstance(value, list) else value


#: A pipeline definition with a step of every kind the rows judge (the Transform step inside a Condition step),
#: each as compliant as the job it runs; the Lambda and RegisterModel steps have no such settings.
STEPS = {
    "Training": {"Name": "Train", "Type": "Training", "Arguments": pascal(DEFINITION)},
    "Tuning": {"Name": "Tune", "Type": "Tuning", "Arguments": pascal(
        {"hyperParameterTuningJobConfig": {"strategy": "Bayesian"}, "trainingJobDefinition": DEFINITION,
         "trainingJobDefinitions": [DEFINITION]})},
    "Processing": {"Name": "Prep", "Type": "Processing", "Arguments": pascal(
        {"processingResources": {"clusterConfig": CLUSTER}, "networkConfig": NETWORK,
         "processingOutputConfig": {"kmsKeyId": KEY, "outputs": [{"outputName": "train"}]}})},
    "Model": {"Name": "Serve", "Type": "Model", "Arguments": pascal(COMPLIANT[sm.MODEL])},
    "Transform": {"Name": "Score", "Type": "Transform", "Arguments": pascal(
        {"transformResources": {"instanceType": "ml.m5.xlarge", "instanceCount": 1.0, "volumeKmsKeyId": KEY},
         "transformOutput": {"s3OutputPath": "s3://scores/out", "kmsKeyId": KEY}})},
}


def definition(steps=STEPS):
    return {"Version": "2020-12-01", "Parameters": [{"Name": "Subnets", "Type": "String"}], "Steps": [
        steps["Training"], steps["Tuning"], steps["Processing"], steps["Model"],
        {"Name": "Gate", "Type": "Condition", "Arguments": {"Conditions": [], "IfSteps": [steps["Transform"]],
                                                            "ElseSteps": []}},
        {"Name": "Notify", "Type": "Lambda", "Arguments": {}},
        {"Name": "Register", "Type": "RegisterModel", "Arguments": {"ModelPackageGroupName": "churn"}}]}


COMPLIANT[sm.PIPELINE] = {"pipelineName": "churn", "roleArn": "arn:aws:iam::123456789012:role/p",
                          "pipelineDefinition": json.dumps(definition())}
# pulumi-aws-native's pipeline: the same JSON as pipelineDefinition.pipelineDefinitionBody.
COMPLIANT[sm.NATIVE_PIPELINE] = {"pipelineName": "churn", "roleArn": "arn:aws:iam::123456789012:role/p",
                                 "pipelineDefinition": {"pipelineDefinitionBody": json.dumps(definition())}}

TABLES = {rule.name: table for rule, table in [
    (sm.sagemaker_vpc_config, sm.VPC_ROWS), (sm.sagemaker_network_isolation, sm.ISOLATION_ROWS),
    (sm.sagemaker_inter_container_encryption, sm.INTER_CONTAINER_ROWS), (sm.sagemaker_volume_cmk, sm.VOLUME_ROWS),
    (sm.sagemaker_output_cmk, sm.OUTPUT_ROWS)]}


def broken(resource_type, props):
    return {p.name: found for p in sm.SECURITY if (found := violations(p, resource_args(resource_type, props)))}


@pytest.mark.parametrize("resource_type", sorted(COMPLIANT))
def test_compliant_examples_pass_every_table_rule(resource_type):
    assert broken(resource_type, COMPLIANT[resource_type]) == {}


def test_every_row_has_a_compliant_example():
    assert {row.type for table in TABLES.values() for rows in table.values() for row in rows} <= set(COMPLIANT)


def _without(props, site, setting):
    """A copy with ``setting`` removed inside the first item of ``site``."""
    result = json.loads(json.dumps(props))  # not deepcopy: the examples share sub-objects on purpose
    node = result
    for step in site:
        node = node[0] if step == "*" else node[step]
    for step in setting[:-1]:
        node = node[step]
    node.pop(setting[-1])
    return result


ROWS = [(name, row) for name, table in TABLES.items() for rows in table.values() for row in rows
        if row.type not in (sm.PIPELINE, sm.NATIVE_PIPELINE)]
PIPELINE_ROWS = [(name, row) for name, table in TABLES.items() for row in table.get(sm.PIPELINE, [])]


@pytest.mark.parametrize("name, row", ROWS, ids=[f"{name}:{row.type.split(':')[-1]}:{'.'.join(row.site) or '-'}"
                                                 for name, row in ROWS])
def test_removing_a_rows_setting_breaks_only_its_rule_once(name, row):
    found = broken(row.type, _without(COMPLIANT[row.type], row.site, row.setting[0]))
    assert list(found) == [name]
    assert len(found[name]) == 1


def test_messages_name_the_resource_the_site_and_the_setting():
    props = _without(COMPLIANT[sm.TUNING_JOB], ("trainingJobDefinitions", "*"), ("outputDataConfig", "kmsKeyId"))
    assert violations(sm.sagemaker_output_cmk, resource_args(sm.TUNING_JOB, props)) == [
        f"{sm.TUNING_JOB} 'subject' trainingJobDefinitions[0]: writes its output to S3 with the AWS-managed key; set "
        "outputDataConfig.kmsKeyId to a customer-managed KMS key"]
    props = {**COMPLIANT[sm.TRAINING_JOB], "enableNetworkIsolation": False}
    assert violations(sm.sagemaker_network_isolation, resource_args(sm.TRAINING_JOB, props)) == [
        f"{sm.TRAINING_JOB} 'subject': its containers may make outbound network calls; set enableNetworkIsolation true"]


def test_aws_managed_aliases_count_as_no_key():
    props = copy.deepcopy(COMPLIANT[sm.DATA_QUALITY])
    props["jobResources"]["clusterConfig"]["volumeKmsKeyId"] = "arn:aws:kms:us-east-1:123456789012:alias/aws/sagemaker"
    assert list(broken(sm.DATA_QUALITY, props)) == ["sagemaker-volume-cmk"]


@pytest.mark.parametrize("instance_type", ["ml.p4d.24xlarge", "ml.g5.2xlarge"])
def test_training_on_local_nvme_storage_needs_no_volume_key(instance_type):
    props = copy.deepcopy(COMPLIANT[sm.TRAINING_JOB])
    props["resourceConfig"] = {**props["resourceConfig"], "instanceType": instance_type}
    del props["resourceConfig"]["volumeKmsKeyId"]
    assert broken(sm.TRAINING_JOB, props) == {}


def test_a_tuning_job_with_a_tuning_resource_config_uses_its_key():
    definition = {k: v for k, v in DEFINITION.items() if k != "resourceConfig"}
    definition["hyperParameterTuningResourceConfig"] = {"instanceType": "ml.m5.xlarge", "volumeKmsKeyId": KEY}
    assert broken(sm.TUNING_JOB, {"trainingJobDefinition": definition}) == {}
    del definition["hyperParameterTuningResourceConfig"]["volumeKmsKeyId"]
    assert list(broken(sm.TUNING_JOB, {"trainingJobDefinition": definition})) == ["sagemaker-volume-cmk"]


def test_absent_sites_have_nothing_to_judge():
    # A schedule that names a separate job definition, a labeling job without automated labeling,
    # Studio without notebook sharing or Canvas workspaces.
    assert broken(sm.SCHEDULE, {"monitoringScheduleConfig": {"monitoringJobDefinitionName": "dq"}}) == {}
    assert broken(sm.LABELING_JOB, {"outputConfig": {"kmsKeyId": KEY}}) == {}
    assert broken(sm.USER_PROFILE, {"userSettings": {"sharingSettings": {"notebookOutputOption": "Disabled"}}}) == {}
    assert broken(sm.ENDPOINT_CONFIG, {"productionVariants": []}) == {}


def test_the_defaults_are_the_insecure_ones():
    assert set(broken(sm.TRAINING_JOB, {"trainingJobName": "bare", "resourceConfig": {"instanceType": "ml.m5.large"}})) \
        == {"sagemaker-vpc-config", "sagemaker-network-isolation", "sagemaker-inter-container-encryption",
            "sagemaker-volume-cmk", "sagemaker-output-cmk"}


def test_unknown_values_and_odd_shapes_are_not_judged():
    unknown = {**COMPLIANT[sm.TRAINING_JOB], "vpcConfig": UNKNOWN, "enableNetworkIsolation": UNKNOWN,
               "outputDataConfig": {"kmsKeyId": UNKNOWN}, "resourceConfig": {"instanceType": UNKNOWN}}
    assert broken(sm.TRAINING_JOB, unknown) == {}
    assert broken(sm.TUNING_JOB, {"trainingJobDefinitions": UNKNOWN}) == {}
    assert broken(sm.TUNING_JOB, {"trainingJobDefinitions": "x", "trainingJobDefinition": 5}) == {}
    assert broken(sm.DOMAIN, {"kmsKeyId": KEY, "defaultUserSettings": {"sharingSettings": {
        "notebookOutputOption": UNKNOWN}}}) == {}


def test_every_rule_declares_exactly_its_tables_types():
    from policies.rules._declare import declared_types
    for rule in sm.SECURITY:
        assert set(declared_types(rule)) == set(TABLES[rule.name]), rule.name


def test_native_job_definitions_are_judged_like_pulumi_aws_ones():
    model_quality = "aws-native:sagemaker:ModelQualityJobDefinition"
    assert model_quality in sm.NATIVE_JOB_DEFINITIONS
    props = copy.deepcopy(COMPLIANT[model_quality])
    props["networkConfig"] = {"enableNetworkIsolation": False}
    props["modelQualityJobOutputConfig"].pop("kmsKeyId")
    assert set(broken(model_quality, props)) == {"sagemaker-vpc-config", "sagemaker-network-isolation",
                                                 "sagemaker-inter-container-encryption", "sagemaker-output-cmk"}


# --- pipelines: each step's Arguments judged as the job it runs ---------------------------------------------------


def _pipeline_without(site, setting, kind=sm.PIPELINE):
    """The compliant pipeline with ``setting`` (camelCase, as the row names it) removed in the first step of the row's
    kind, at the row's place inside it."""
    step_kind, inner = site[1], site[3:]
    steps = json.loads(json.dumps(STEPS))
    node = steps[step_kind]["Arguments"]
    for step in (*inner, *setting[:-1]):
        node = node[0] if step == "*" else node[step[:1].upper() + step[1:]]
    node.pop(setting[-1][:1].upper() + setting[-1][1:])
    body = json.dumps(definition(steps))
    return {**COMPLIANT[kind], "pipelineDefinition": {"pipelineDefinitionBody": body} if kind == sm.NATIVE_PIPELINE
            else body}


@pytest.mark.parametrize("kind", [sm.PIPELINE, sm.NATIVE_PIPELINE])
@pytest.mark.parametrize("name, row", PIPELINE_ROWS, ids=[f"{name}:{'.'.join(row.site[1:])}" for name, row in PIPELINE_ROWS])
def test_removing_a_pipeline_steps_setting_breaks_only_its_rule_once(name, row, kind):
    found = broken(kind, _pipeline_without(row.site, row.setting[0], kind))
    assert list(found) == [name]
    assert len(found[name]) == 1


def test_native_pipelines_have_the_same_rows():
    for table in TABLES.values():
        assert [(r.site, r.setting) for r in table.get(sm.NATIVE_PIPELINE, [])] == [
            (r.site, r.setting) for r in table.get(sm.PIPELINE, [])]
    assert broken(sm.NATIVE_PIPELINE, {"pipelineDefinition": {"pipelineDefinitionS3Location": {
        "bucket": "defs", "key": "p.json"}}}) == {}


def test_pipeline_rows_name_the_requests_members_in_botocore():
    import botocore.session
    model = botocore.session.get_session().get_service_model("sagemaker")
    for _, row in PIPELINE_ROWS:
        shape = model.operation_model(sm.PIPELINE_STEP_APIS[row.site[1]]).input_shape
        for step in (*row.site[3:], *row.setting[0]):
            if step == "*":
                shape = shape.member
                continue
            members = {name[:1].lower() + name[1:]: member for name, member in shape.members.items()}
            assert step in members, (row.site, step, sorted(members))
            shape = members[step]


def test_pipeline_messages_name_the_step():
    props = _pipeline_without(("pipelineDefinition", "Processing", "**"), ("networkConfig",))
    assert set(broken(sm.PIPELINE, props)) == {"sagemaker-vpc-config", "sagemaker-network-isolation",
                                               "sagemaker-inter-container-encryption"}
    assert violations(sm.sagemaker_vpc_config, resource_args(sm.PIPELINE, props)) == [
        f"{sm.PIPELINE} 'subject' pipelineDefinition.Processing.Prep: runs outside the VPC (no networkConfig.vpcConfig "
        "with subnets and securityGroupIds); place it in private subnets"]


def test_pipeline_expressions_unknown_and_unread_definitions_are_not_judged():
    steps = json.loads(json.dumps(STEPS))
    train = steps["Training"]["Arguments"]
    train["VpcConfig"] = {"Subnets": {"Get": "Parameters.Subnets"}, "SecurityGroupIds": ["sg-1"]}
    train["EnableNetworkIsolation"] = {"Get": "Parameters.Isolate"}
    train["OutputDataConfig"]["KmsKeyId"] = {"Std:Join": {"On": "", "Values": ["arn:aws:kms:", "key"]}}
    train["ResourceConfig"] = {"InstanceType": {"Get": "Parameters.InstanceType"}}  # NVMe or not: unknown
    assert broken(sm.PIPELINE, {"pipelineDefinition": json.dumps(definition(steps))}) == {}
    assert broken(sm.PIPELINE, {"pipelineDefinition": UNKNOWN}) == {}
    assert broken(sm.PIPELINE, {"pipelineDefinitionS3Location": {"bucket": "defs", "objectKey": "p.json"}}) == {}
    assert broken(sm.PIPELINE, {"pipelineDefinition": "{not json"}) == {}
    assert broken(sm.PIPELINE, {"pipelineDefinition": json.dumps({"Steps": "x"})}) == {}


def test_a_bare_pipeline_training_step_breaks_what_a_bare_training_job_breaks():
    bare = {"Name": "Train", "Type": "Training", "Arguments": {"ResourceConfig": {"InstanceType": "ml.m5.large"}}}
    props = {"pipelineDefinition": json.dumps({"Version": "2020-12-01", "Steps": [bare]})}
    assert set(broken(sm.PIPELINE, props)) == set(
        broken(sm.TRAINING_JOB, {"trainingJobName": "bare", "resourceConfig": {"instanceType": "ml.m5.large"}}))


def test_pipeline_inputs_are_the_sdks():
    from sdk_inputs import assert_inputs_in_sdk
    assert_inputs_in_sdk(sm.PIPELINE, ["pipelineDefinition"])
    assert_inputs_in_sdk(sm.NATIVE_PIPELINE, ["pipelineDefinition", "pipelineDefinitionBody"])


def test_hyperpod_volumes_without_a_storage_config_or_with_fsx_only_have_nothing_to_judge():
    groups = [{"instanceGroupName": "cpu", "instanceType": "ml.m5.xlarge", "instanceCount": 1.0},
              {"instanceGroupName": "fsx", "instanceType": "ml.m5.xlarge", "instanceCount": 1.0,
               "instanceStorageConfigs": [{"fsxLustreConfig": {"dnsName": "fs", "mountName": "m"}}]}]
    assert broken(sm.HYPERPOD, {"vpcConfig": VPC, "instanceGroups": groups}) == {}
    assert list(broken(sm.HYPERPOD, {"instanceGroups": groups})) == ["sagemaker-vpc-config"]


def test_hyperpod_messages_name_the_instance_group_and_volume():
    props = _without(COMPLIANT[sm.HYPERPOD], ("instanceGroups", "*", "instanceStorageConfigs", "*"),
                     ("ebsVolumeConfig", "volumeKmsKeyId"))
    props["instanceGroups"][0]["instanceStorageConfigs"][1]["ebsVolumeConfig"]["volumeKmsKeyId"] = "alias/aws/ebs"
    assert violations(sm.sagemaker_volume_cmk, resource_args(sm.HYPERPOD, props)) == [
        f"{sm.HYPERPOD} 'subject' instanceGroups[0].instanceStorageConfigs[0]: encrypts its ML storage volumes with "
        "the AWS-managed key; set ebsVolumeConfig.volumeKmsKeyId to a customer-managed KMS key",
        f"{sm.HYPERPOD} 'subject' instanceGroups[0].instanceStorageConfigs[1]: encrypts its ML storage volumes with "
        "the AWS-managed key alias/aws/ebs; set ebsVolumeConfig.volumeKmsKeyId to a customer-managed KMS key"]


def test_hyperpod_inputs_are_the_sdks_and_botocores():
    import botocore.session

    from sdk_inputs import assert_inputs_in_sdk
    assert_inputs_in_sdk(sm.HYPERPOD, ["vpcConfig", "subnets", "securityGroupIds", "instanceGroups",
                                       "restrictedInstanceGroups", "instanceStorageConfigs", "ebsVolumeConfig",
                                       "volumeKmsKeyId"])
    request = botocore.session.get_session().get_service_model("sagemaker").operation_model("CreateCluster").input_shape
    assert "VpcConfig" in request.members and "VpcConfig" not in request.required_members
    for groups in ("InstanceGroups", "RestrictedInstanceGroups"):
        storage = request.members[groups].member.members["InstanceStorageConfigs"].member
        assert "VolumeKmsKeyId" in storage.members["EbsVolumeConfig"].members
