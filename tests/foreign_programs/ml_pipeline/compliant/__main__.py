"""Model-building pipeline: a SageMaker Pipeline (preprocess, train, register) whose definition is built in
Python and serialised with Output.json_dumps, an artifacts bucket, one KMS key, jobs in private subnets."""
import json

import pulumi
import pulumi_aws as aws

TAGS = {"owner": "churn-ml", "cost-center": "growth-2", "environment": "prod", "data-classification": "confidential"}
ACCOUNT = "123456789012"
VPC = "vpc-0abc1234def567890"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
XGBOOST = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"

key = aws.kms.Key("pipeline-key", description="churn pipeline artifacts", enable_key_rotation=True, tags=TAGS)

artifacts = aws.s3.Bucket("pipeline-artifacts", tags=TAGS)
aws.s3.BucketPublicAccessBlock("artifacts-pab", bucket=artifacts.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("artifacts-sse", bucket=artifacts.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning("artifacts-ver", bucket=artifacts.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("artifacts-log", bucket=artifacts.id, target_bucket="org-central-s3-access-logs",
                     target_prefix="churn-pipeline/")
aws.s3.BucketPolicy("artifacts-tls", bucket=artifacts.id, policy=artifacts.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                            "Resource": [arn, f"{arn}/*"],
                                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

sg = aws.ec2.SecurityGroup("pipeline-jobs", vpc_id=VPC, description="churn pipeline jobs", tags=TAGS)
aws.vpc.SecurityGroupEgressRule("jobs-endpoints", security_group_id=sg.id, cidr_ipv4="10.0.0.0/16", ip_protocol="tcp",
                                from_port=443, to_port=443, description="VPC endpoints", tags=TAGS)

role = aws.iam.Role("pipeline-role", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}))
aws.iam.RolePolicy("pipeline-access", role=role.id, policy=pulumi.Output.all(artifacts.arn, key.arn, role.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": [a[0], f"{a[0]}/*"]},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"], "Resource": a[1]},
        {"Effect": "Allow", "Action": ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob",
                                       "sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob",
                                       "sagemaker:CreateModelPackage"],
         "Resource": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": a[2],
         "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}}]})))

network = {"EnableNetworkIsolation": True, "EnableInterContainerTrafficEncryption": True,
           "VpcConfig": {"SecurityGroupIds": [sg.id], "Subnets": SUBNETS}}


def s3(prefix):
    return artifacts.bucket.apply(lambda b: f"s3://{b}/{prefix}")


definition = pulumi.Output.json_dumps({
    "Version": "2020-12-01",
    "Parameters": [{"Name": "TrainInstanceType", "Type": "String", "DefaultValue": "ml.m5.xlarge"}],
    "Steps": [
        {"Name": "Preprocess", "Type": "Processing", "Arguments": {
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1,
                                                      "VolumeSizeInGB": 30, "VolumeKmsKeyId": key.arn}},
            "AppSpecification": {"ImageUri": SKLEARN, "ContainerEntrypoint": ["python3", "/opt/ml/processing/code/prep.py"]},
            "RoleArn": role.arn,
            "ProcessingInputs": [{"InputName": "raw", "S3Input": {"S3Uri": s3("raw/"), "LocalPath": "/opt/ml/processing/input",
                                                                  "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
            "ProcessingOutputConfig": {"KmsKeyId": key.arn, "Outputs": [{"OutputName": "train", "S3Output": {
                "S3Uri": s3("features/"), "LocalPath": "/opt/ml/processing/train", "S3UploadMode": "EndOfJob"}}]},
            "NetworkConfig": network,
            "Environment": {"LOG_LEVEL": "info"}}},
        {"Name": "Train", "Type": "Training", "DependsOn": ["Preprocess"], "Arguments": {
            "AlgorithmSpecification": {"TrainingImage": XGBOOST, "TrainingInputMode": "File"},
            "RoleArn": role.arn,
            "ResourceConfig": {"InstanceType": {"Get": "Parameters.TrainInstanceType"}, "InstanceCount": 1,
                               "VolumeSizeInGB": 50, "VolumeKmsKeyId": key.arn},
            "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": {"Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"},
                "S3DataDistributionType": "FullyReplicated"}}}],
            "OutputDataConfig": {"S3OutputPath": s3("models/"), "KmsKeyId": key.arn},
            "StoppingCondition": {"MaxRuntimeInSeconds": 7200},
            "HyperParameters": {"objective": "binary:logistic", "num_round": "200"},
            **network}},
        {"Name": "QualityGate", "Type": "Condition", "DependsOn": ["Train"], "Arguments": {
            "Conditions": [{"Type": "GreaterThanOrEqualTo", "LeftValue": {
                "Get": "Steps.Train.FinalMetricDataList['validation:auc'].Value"}, "RightValue": 0.8}],
            "IfSteps": [
                {"Name": "CreateChurnModel", "Type": "Model", "Arguments": {
                    "ExecutionRoleArn": role.arn,
                    "PrimaryContainer": {"Image": XGBOOST, "ModelDataUrl": {
                        "Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}},
                    "VpcConfig": {"SecurityGroupIds": [sg.id], "Subnets": SUBNETS}, "EnableNetworkIsolation": True}},
                {"Name": "ScoreCustomers", "Type": "Transform", "DependsOn": ["CreateChurnModel"], "Arguments": {
                    "ModelName": {"Get": "Steps.CreateChurnModel.ModelName"},
                    "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                                       "S3Uri": s3("scoring/input/")}},
                                       "ContentType": "text/csv"},
                    "TransformOutput": {"S3OutputPath": s3("scoring/output/"), "KmsKeyId": key.arn},
                    "TransformResources": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeKmsKeyId": key.arn}}}],
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
                                  role_arn=role.arn, pipeline_definition=definition,
                                  parallelism_configuration={"max_parallel_execution_steps": 2}, tags=TAGS)

pulumi.export("pipeline_arn", pipeline.arn)
