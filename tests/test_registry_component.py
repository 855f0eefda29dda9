"""ModelRegistry under Pulumi's mocks: what is created, how it is hardened, who may read it."""

from __future__ import annotations

import json

import pulumi_aws as aws
import pytest

from components.common import Classification
from components.registry import ModelRegistry, ModelRegistryArgs, RegisteredModel

READER = "210987654321"
COMPONENT = "mlinfra:registry:ModelRegistry"


def build(**overrides):
    """A registry of two models sharing one serving image; returns it for output checks."""
    created = {}

    def program():
        key = aws.kms.Key("registry-key")
        logs = aws.s3.Bucket("access-logs")
        args = dict(
            models=[RegisteredModel("churn", "Churn propensity", ["churn-serving", "xgb-server"]),
                    RegisteredModel("fraud", serving_images=["xgb-server"])],
            kms_key=key, access_log_bucket=logs, name_prefix="prod", tags={"team": "ml"},
        )
        args.update(overrides)
        created["registry"] = ModelRegistry("registry", ModelRegistryArgs(**args))

    return program, created


def policy_of(registration, key="policy"):
    return json.loads(registration.inputs[key])


def test_one_group_per_model_named_from_the_prefix(monitor, run):
    program, created = build()
    run(program)
    groups = monitor.by_type("aws:sagemaker/modelPackageGroup:ModelPackageGroup")
    assert sorted(g.inputs["modelPackageGroupName"] for g in groups) == ["prod-churn", "prod-fraud"]
    churn = monitor.named("aws:sagemaker/modelPackageGroup:ModelPackageGroup", "registry-churn")
    assert churn.inputs["modelPackageGroupDescription"] == "Churn propensity"
    assert churn.inputs["tags"] == {"team": "ml", "data-classification": "confidential"}
    assert created["registry"].group_names == {"churn": "prod-churn", "fraud": "prod-fraud"}
    component = monitor.named(COMPONENT, "registry")
    assert churn.parent == component.urn
    assert component.outputs["groupArns"]["churn"] == \
        "arn:aws:sagemaker:us-east-1:123456789012:model-package-group/prod-churn"


def test_repositories_are_immutable_scanned_and_kms_encrypted(monitor, run):
    program, _ = build()
    run(program)
    repos = monitor.by_type("aws:ecr/repository:Repository")
    # The shared image gets one repository, not one per model.
    assert sorted(r.inputs["name"] for r in repos) == ["prod/churn-serving", "prod/xgb-server"]
    key_arn = monitor.named("aws:kms/key:Key", "registry-key").outputs["arn"]
    for repo in repos:
        assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
        assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repo.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": key_arn}]
        assert not repo.inputs.get("forceDelete")
    outputs = monitor.named(COMPONENT, "registry").outputs
    assert outputs["repositoryUrls"]["xgb-server"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/prod/xgb-server"


def test_lifecycle_policy_expires_untagged_and_caps_tagged_images(monitor, run):
    program, _ = build(untagged_image_days=3, tagged_images_kept=20)
    run(program)
    lifecycle = monitor.named("aws:ecr/lifecyclePolicy:LifecyclePolicy", "registry-churn-serving-lifecycle")
    rules = policy_of(lifecycle)["rules"]
    assert rules[0]["selection"] == {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                     "countUnit": "days", "countNumber": 3}
    assert rules[1]["selection"]["countType"] == "imageCountMoreThan"
    assert rules[1]["selection"]["countNumber"] == 20
    assert lifecycle.inputs["repository"] == "prod/churn-serving"


def test_without_readers_no_resource_policy_is_created(monitor, run):
    program, _ = build()
    run(program)
    assert monitor.by_type("aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy") == []
    assert monitor.by_type("aws:ecr/repositoryPolicy:RepositoryPolicy") == []
    assert monitor.by_type("aws:kms/grant:Grant") == []
    bucket_policy = policy_of(monitor.named("aws:s3/bucketPolicy:BucketPolicy", "registry-artifacts-policy"))
    assert [s["Sid"] for s in bucket_policy["Statement"]] == ["DenyInsecureTransport"]


def test_readers_get_read_only_access_by_account_root(monitor, run):
    program, _ = build(readers=[READER])
    run(program)
    root = f"arn:aws:iam::{READER}:root"
    group_policy = policy_of(monitor.named("aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy",
                                           "registry-churn-policy"), "resourcePolicy")
    (statement,) = group_policy["Statement"]
    assert statement["Principal"] == {"AWS": [root]}
    assert statement["Action"] == ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup",
                                   "sagemaker:ListModelPackages"]
    assert statement["Resource"] == [
        "arn:aws:sagemaker:us-east-1:123456789012:model-package-group/prod-churn",
        "arn:aws:sagemaker:us-east-1:123456789012:model-package/prod-churn/*",
    ]
    repo_policy = policy_of(monitor.named("aws:ecr/repositoryPolicy:RepositoryPolicy", "registry-xgb-server-policy"))
    assert repo_policy["Statement"][0]["Principal"] == {"AWS": [root]}
    assert not any(a.startswith(("ecr:Put", "ecr:Delete", "ecr:Upload", "ecr:Initiate", "ecr:Complete"))
                   for a in repo_policy["Statement"][0]["Action"])
    bucket_policy = policy_of(monitor.named("aws:s3/bucketPolicy:BucketPolicy", "registry-artifacts-policy"))
    reader_statement = next(s for s in bucket_policy["Statement"] if s["Sid"] == "ReaderAccountsReadArtifacts")
    assert reader_statement["Principal"] == {"AWS": [root]}
    assert set(reader_statement["Action"]) == {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"}
    grant = monitor.named("aws:kms/grant:Grant", f"registry-reader-{READER}")
    assert grant.inputs["granteePrincipal"] == root
    assert grant.inputs["operations"] == ["Decrypt", "DescribeKey"]


def test_approval_events_go_to_an_encrypted_topic_only_our_rule_may_publish_to(monitor, run):
    program, _ = build()
    run(program)
    rule = monitor.named("aws:cloudwatch/eventRule:EventRule", "registry-approvals")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Package State Change"],
        "detail": {"ModelPackageGroupName": ["prod-churn", "prod-fraud"]},
    }
    topic = monitor.named("aws:sns/topic:Topic", "registry-approvals")
    assert topic.inputs["tags"] == {"team": "ml", "data-classification": "confidential"}
    assert topic.inputs["kmsMasterKeyId"] == monitor.named("aws:kms/key:Key", "registry-key").outputs["arn"]
    allow, deny = policy_of(monitor.named("aws:sns/topicPolicy:TopicPolicy", "registry-approvals-policy"))["Statement"]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert allow["Action"] == "sns:Publish"
    assert allow["Resource"] == topic.outputs["arn"]
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": rule.outputs["arn"]}}
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    target = monitor.named("aws:cloudwatch/eventTarget:EventTarget", "registry-approvals-target")
    assert target.inputs["arn"] == topic.outputs["arn"]
    assert target.inputs["rule"] == rule.outputs["name"]
    policy_urn = monitor.named("aws:sns/topicPolicy:TopicPolicy", "registry-approvals-policy").urn
    assert policy_urn in target.dependencies
    assert monitor.named(COMPONENT, "registry").outputs["notificationArn"] == topic.outputs["arn"]
    assert monitor.by_type("aws:sqs/queue:Queue") == []


def test_approval_events_can_go_to_an_encrypted_queue(monitor, run):
    program, _ = build(notifications="queue")
    run(program)
    queue = monitor.named("aws:sqs/queue:Queue", "registry-approvals")
    assert queue.inputs["tags"]["data-classification"] == "confidential"
    assert queue.inputs["kmsMasterKeyId"] == monitor.named("aws:kms/key:Key", "registry-key").outputs["arn"]
    assert queue.inputs["messageRetentionSeconds"] == 14 * 24 * 3600
    allow, deny = policy_of(monitor.named("aws:sqs/queuePolicy:QueuePolicy", "registry-approvals-policy"))["Statement"]
    assert allow["Action"] == "sqs:SendMessage"
    assert allow["Condition"]["ArnEquals"]["aws:SourceArn"].startswith("arn:aws:events:")
    assert deny["Action"] == "sqs:*"
    assert monitor.by_type("aws:sns/topic:Topic") == []


def test_artifact_bucket_is_a_secure_bucket_with_the_registry_key(monitor, run):
    program, _ = build(classification=Classification.RESTRICTED)
    run(program)
    secure = monitor.named("mlinfra:storage:SecureBucket", "registry-artifacts")
    assert secure.parent == monitor.named(COMPONENT, "registry").urn
    bucket = monitor.named("aws:s3/bucket:Bucket", "registry-artifacts")
    assert bucket.inputs["tags"]["data-classification"] == "restricted"
    encryption = monitor.named("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                               "registry-artifacts-encryption")
    default = encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert default["kmsMasterKeyId"] == monitor.named("aws:kms/key:Key", "registry-key").outputs["arn"]


@pytest.mark.parametrize("protect", [True, False])
def test_stateful_children_are_protected_when_asked(monitor, run, protect):
    program, _ = build(protect=protect)
    run(program)
    stateful = (monitor.by_type("aws:sagemaker/modelPackageGroup:ModelPackageGroup")
                + monitor.by_type("aws:ecr/repository:Repository")
                + [monitor.named("aws:s3/bucket:Bucket", "registry-artifacts")])
    assert len(stateful) == 5
    assert all(r.protect is protect for r in stateful)
    assert monitor.named("aws:sns/topic:Topic", "registry-approvals").protect is False


def _args(**overrides):
    base = dict(models=[RegisteredModel("churn")], kms_key=None, access_log_bucket=None)
    return ModelRegistryArgs(**{**base, **overrides})


@pytest.mark.parametrize(("overrides", "message"), [
    ({"models": []}, "ModelRegistry needs at least one RegisteredModel"),
    ({"models": [RegisteredModel("a"), RegisteredModel("a")]}, "model(s) registered more than once: a"),
    ({"readers": ["*"]}, "reader account '*' is not a 12-digit AWS account id (wildcards are refused)"),
    ({"readers": ["12345"]}, "reader account '12345' is not a 12-digit AWS account id"),
    ({"notifications": "email"}, "notifications='email' is invalid: use 'topic' or 'queue'"),
    ({"untagged_image_days": 0}, "untagged_days=0 and tagged_kept=100 must both be at least 1"),
])
def test_bad_args_are_refused_before_any_resource(overrides, message):
    with pytest.raises(ValueError) as info:
        _args(**overrides)
    assert message in str(info.value)
