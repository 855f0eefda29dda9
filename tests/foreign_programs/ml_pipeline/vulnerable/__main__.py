"""Model-building pipeline: a SageMaker Pipeline (preprocess, train, register) whose definition is built in
Python and serialised with Output.json_dumps, and an artifacts bucket."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "churn-ml", "cost-center": "growth-2", "environment": "prod", "data-classification": "confidential"}
SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
XGBOOST = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"

artifacts = aws.s3.Bucket("pipeline-artifacts", tags=TAGS)
aws.s3.BucketPublicAccessBlock("artifacts-pab", bucket=artifacts.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("artifacts-sse", bucket=artifacts.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
aws.s3.BucketVersioning("artifacts-ver", bucket=artifacts.id, versioning_configuration={"status": "Enabled"})

role = aws.iam.Role("pipeline-role", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy("pipeline-access", role=role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["sagemaker:*"], "Resource": "*"},
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}))


def s3(prefix):
    return artifacts.bucket.apply(lambda b: f"s3://{b}/{prefix}")


definition = pulumi.Output.json_dumps({
    "Version": "2020-12-01",
    "Parameters": [{"Name": "TrainInstanceType", "Type": "String", "DefaultValue": "ml.m5.xlarge"}],
    "Steps": [
        {"Name": "Preprocess", "Type": "Processing", "Arguments": {
            # No NetworkConfig: the job runs outside the VPC with network access; no volume or output key.
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1,
                                                      "VolumeSizeInGB": 30}},
            "AppSpecification": {"ImageUri": SKLEARN, "ContainerEntrypoint": ["python3", "/opt/ml/processing/code/prep.py"]},
            "RoleArn": role.arn,
            "ProcessingInputs": [{"InputName": "raw", "S3Input": {"S3Uri": s3("raw/"), "LocalPath": "/opt/ml/processing/input",
                                                                  "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
            "ProcessingOutputConfig": {"Outputs": [{"OutputName": "train", "S3Output": {
                "S3Uri": s3("features/"), "LocalPath": "/opt/ml/processing/train", "S3UploadMode": "EndOfJob"}}]},
            "Environment": {"LOG_LEVEL": "info", "SNOWFLAKE_PASSWORD": "Chrn-Pipel1ne-2024!"}}},
        {"Name": "Train", "Type": "Training", "DependsOn": ["Preprocess"], "Arguments": {
            "AlgorithmSpecification": {"TrainingImage": XGBOOST, "TrainingInputMode": "File"},
            "RoleArn": role.arn,
            "ResourceConfig": {"InstanceType": "ml.m5.2xlarge", "InstanceCount": 2, "VolumeSizeInGB": 50},
            "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": {"Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"},
                "S3DataDistributionType": "FullyReplicated"}}}],
            "OutputDataConfig": {"S3OutputPath": s3("models/")},
            "StoppingCondition": {"MaxRuntimeInSeconds": 7200},
            "HyperParameters": {"objective": "binary:logistic", "num_round": "200"},
            "EnableNetworkIsolation": False,
            "Environment": {"WANDB_API_KEY": "3f9a1c7e5b2d4e8f9a0b1c2d3e4f5a6b7c8d9e0f"}}},
        {"Name": "QualityGate", "Type": "Condition", "DependsOn": ["Train"], "Arguments": {
            "Conditions": [{"Type": "GreaterThanOrEqualTo", "LeftValue": {
                "Get": "Steps.Train.FinalMetricDataList['validation:auc'].Value"}, "RightValue": 0.8}],
            "IfSteps": [
                {"Name": "CreateChurnModel", "Type": "Model", "Arguments": {
                    "ExecutionRoleArn": role.arn,
                    "PrimaryContainer": {"Image": XGBOOST, "ModelDataUrl": {
                        "Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}},
                    "EnableNetworkIsolation": False}},
                {"Name": "ScoreCustomers", "Type": "Transform", "DependsOn": ["CreateChurnModel"], "Arguments": {
                    "ModelName": {"Get": "Steps.CreateChurnModel.ModelName"},
                    "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                                       "S3Uri": s3("scoring/input/")}},
                                       "ContentType": "text/csv"},
                    "TransformOutput": {"S3OutputPath": s3("scoring/output/")},
                    "TransformResources": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}}}],
            "ElseSteps": [{"Name": "TooWeak", "Type": "Fail", "Arguments": {"ErrorMessage": "AUC below 0.8"}}]}},
        {"Name": "Register", "Type": "RegisterModel", "DependsOn": ["QualityGate"], "Arguments": {
            "ModelPackageGroupName": "churn",
            "InferenceSpecification": {"Containers": [{"Image": XGBOOST, "ModelDataUrl": {
                "Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}}],
                "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]},
            "ModelApprovalStatus": "PendingManualApproval"}},
    ],
})

pipeline = aws.sagemaker.Pipeline("churn", pipeline_name="churn-training", pipeline_display_name="churn-training",
                                  role_arn=role.arn, pipeline_definition=definition, tags=TAGS)

pulumi.export("pipeline_arn", pipeline.arn)
