"""The deterministic, recording mock runtime under the offline plan and the component tests."""

from __future__ import annotations

import json
import re
import sys
from importlib.metadata import version as package_version

import pulumi
import pulumi_aws as aws
from google.protobuf import struct_pb2
from pulumi.runtime.proto import resource_pb2

from mlinfra.mocks import (
    ACCOUNT_ID,
    STACK_TYPE,
    PlatformMocks,
    install_mocks,
    offline_target,
    policy_document,
    zone_id_prefix,
)

STACK_URN = "urn:pulumi:test::mlinfra::pulumi:pulumi:Stack::mlinfra-test"


def new_resource(typ: str, name: str, inputs: dict, region: str = "us-east-1", custom: bool = True) -> tuple[str, dict]:
    return PlatformMocks(region).new_resource(pulumi.runtime.MockResourceArgs(typ, name, inputs, custom=custom))


def test_a_multi_language_component_gets_no_outputs_not_its_inputs_echoed():
    # awsx's Vpc takes natGateways settings ({"strategy": "None"}) and returns NatGateway resources
    # under that name: echoed back, the SDK refused the type. Offline its outputs are unknown.
    assert new_resource("awsx:ec2:Vpc", "vpc", {"natGateways": {"strategy": "None"}}, custom=False) == ("", {})


def test_ids_and_outputs_are_derived_from_type_name_and_inputs_only():
    first = new_resource("aws:s3/bucket:Bucket", "data", {"tags": {"a": "b"}})
    assert first == new_resource("aws:s3/bucket:Bucket", "data", {"tags": {"a": "b"}})
    rid, outputs = first
    assert rid.startswith("data-") and rid != new_resource("aws:s3/bucket:Bucket", "logs", {})[0]
    assert outputs["arn"] == f"arn:aws:s3:::{rid}"
    assert outputs["tagsAll"] == {"a": "b"}
    assert outputs["bucketRegionalDomainName"] == f"{rid}.s3.us-east-1.amazonaws.com"


def test_a_pulumi_aws_6_bucket_v2_has_the_addresses_of_a_bucket():
    # Programs written for pulumi-aws 6 (BucketV2, still served by 7) scope trail data events and
    # policies with bucket.arn: it came out "arn:aws:s3:us-east-1:<account>:bucketv2/<id>", so a trail
    # logging the bucket's objects was reported as logging none of them.
    rid, outputs = new_resource("aws:s3/bucketV2:BucketV2", "data", {})
    assert (outputs["bucket"], outputs["arn"]) == (rid, f"arn:aws:s3:::{rid}")
    _, named = new_resource("aws:s3/bucketV2:BucketV2", "data", {"bucket": "ml-datasets"})
    assert named["arn"] == "arn:aws:s3:::ml-datasets"
    assert named["bucketRegionalDomainName"] == "ml-datasets.s3.us-east-1.amazonaws.com"


def test_pulumi_aws_native_resources_get_the_addresses_cloud_control_always_returns():
    # Programs build policies from them (`bucket.arn.apply(lambda arn: {...})` in a Role's inline
    # `policies`): unset, the whole document was unknown and no IAM rule could judge it.
    import pulumi_aws_native.sagemaker  # noqa: F401  (the class is read from the imported SDK, as in a plan)

    rid, bucket = new_resource("aws-native:s3:Bucket", "models", {})
    assert (bucket["bucketName"], bucket["arn"]) == (rid, f"arn:aws:s3:::{rid}")
    assert new_resource("aws-native:s3:Bucket", "models", {"bucketName": "nlp"})[1]["arn"] == "arn:aws:s3:::nlp"
    _, role = new_resource("aws-native:iam:Role", "runner", {"roleName": "ml-runner", "path": "/svc/"})
    assert role["arn"] == f"arn:aws:iam::{ACCOUNT_ID}:role/svc/ml-runner"
    rid, key = new_resource("aws-native:kms:Key", "data", {}, region="eu-west-1")
    assert (key["arn"], key["keyId"]) == (f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:key/{rid}", rid)
    _, group = new_resource("aws-native:logs:LogGroup", "jobs", {"logGroupName": "/ml/jobs"})
    assert group["arn"] == f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:/ml/jobs:*"
    # Any other class: its `...Arn` outputs typed str (read from the SDK), never a key's or a setting.
    rid, config = new_resource("aws-native:sagemaker:EndpointConfig", "ec", {})
    assert config["endpointConfigArn"] == f"arn:aws:sagemaker:us-east-1:{ACCOUNT_ID}:endpoint-config/{rid}"
    assert "kmsKeyId" not in config and "arn" not in config


def test_a_document_given_as_data_is_the_providers_string_unless_part_is_unknown_in_the_preview():
    # A Node.js program passes a policy as an object; one holding an output still to come (deserialized as
    # Unknown in a preview) has no string yet: json.dumps refused it ("Unknown is not JSON serializable").
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    _, known = new_resource("aws:iam/policy:Policy", "read", {"policy": {"Statement": [statement]}})
    assert json.loads(known["policy"]) == {"Statement": [statement]}
    pending = {"Statement": [{**statement, "Resource": pulumi.output.Unknown()}]}
    _, unknown = new_resource("aws:iam/policy:Policy", "read", {"policy": pending})
    assert unknown["policy"] is pending


def test_inputs_win_over_computed_outputs_and_region_is_used():
    rid, outputs = new_resource("aws:iam/role:Role", "runner", {"name": "ml-runner"}, region="eu-west-1")
    assert outputs["arn"] == f"arn:aws:iam::{ACCOUNT_ID}:role/ml-runner"
    _, key = new_resource("aws:kms/key:Key", "data", {}, region="eu-west-1")
    assert key["arn"].startswith(f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:key/data-")


def test_addresses_and_names_the_provider_always_sets_are_filled_for_programs_that_build_on_them():
    # Pulumi's API Gateway examples do `stage.execution_arn.apply(lambda arn: arn + "*/*")` and
    # `Output.concat(api.api_endpoint, "/", stage.name)`: None there failed the whole plan.
    import pulumi_aws.apigatewayv2  # noqa: F401  (the class is read from the imported SDK, as in a plan)

    rid, api = new_resource("aws:apigatewayv2/api:Api", "http", {"protocolType": "HTTP"})
    assert api["executionArn"] == f"arn:aws:apigatewayv2:us-east-1:{ACCOUNT_ID}:execution/{rid}"
    assert api["apiEndpoint"] == f"https://{rid}.apigatewayv2.us-east-1.amazonaws.com/"
    assert api["name"].startswith("http-") and len(api["name"]) == len("http-") + 7
    _, named = new_resource("aws:apigatewayv2/api:Api", "http", {"name": "orders"})
    assert named["name"] == "orders"  # an input always wins
    # Optional outputs and settings are never invented: a placeholder would change what rules judge.
    assert "credentialsArn" not in api and "ipAddressType" not in api
    import pulumi_aws.rds  # noqa: F401

    _, database = new_resource("aws:rds/instance:Instance", "db", {})
    assert "kmsKeyId" not in database and "performanceInsightsKmsKeyId" not in database
    # Host names too: Pulumi's WordPress example exports Output.concat("http://", alb.dns_name).
    assert database["address"] == f"{database['id']}.us-east-1.rds.amazonaws.com"
    import pulumi_aws.lb  # noqa: F401

    _, alb = new_resource("aws:lb/loadBalancer:LoadBalancer", "web", {})
    assert alb["dnsName"].endswith(".us-east-1.lb.amazonaws.com") and "zoneId" not in alb
    # AppSync's map of URIs (the provider's docs: `uris["GRAPHQL"]`), which Pulumi's example exports.
    api_id, api = new_resource("aws:appsync/graphQLApi:GraphQLApi", "api", {"authenticationType": "API_KEY"})
    assert api["uris"]["GRAPHQL"] == f"https://{api_id}.appsync-api.us-east-1.amazonaws.com/graphql"


def test_kubernetes_objects_the_program_leaves_unnamed_get_the_providers_autoname():
    # pulumi-kubernetes names them when it checks the inputs (provider/pkg/metadata/naming.go:
    # "<logical name>-<8 DNS-1123 characters>", annotated pulumi.com/autonamed), so a preview shows
    # the name; Pulumi's Kubernetes examples export deployment.metadata.apply(lambda m: m.name).
    rid, deployment = new_resource("kubernetes:apps/v1:Deployment", "web", {"metadata": {"labels": {"app": "web"}}})
    name = deployment["metadata"]["name"]
    assert name.startswith("web-") and len(name) == len("web-") + 8 and name[4:].isalnum() and name.islower()
    assert deployment["metadata"]["labels"] == {"app": "web"}
    assert deployment["metadata"]["annotations"] == {"pulumi.com/autonamed": "true"}
    assert new_resource("kubernetes:apps/v1:Deployment", "web", {})[1]["metadata"]["name"] == name  # stable
    _, named = new_resource("kubernetes:core/v1:Service", "web", {"metadata": {"name": "front"}})
    assert named["metadata"] == {"name": "front"}  # a name the program gives is kept, not annotated
    # Not objects the provider names: a patch names what it patches, a Helm release is no object,
    # and metadata the program computes (unknown in a preview) stays as it is.
    for typ, inputs in (("kubernetes:apps/v1:DeploymentPatch", {}), ("kubernetes:helm.sh/v3:Release", {}),
                        ("kubernetes:core/v1:ConfigMap", {"metadata": pulumi.runtime.rpc.UNKNOWN})):
        assert new_resource(typ, "x", inputs)[1].get("metadata") == inputs.get("metadata")


def call(token: str, args: dict) -> dict:
    result, failures = PlatformMocks("eu-west-1").call(pulumi.runtime.MockCallArgs(token, args, None))
    assert failures == []
    return result


def test_a_tls_certificate_lookup_answers_a_chain_with_fingerprints():
    # EKS programs give the cluster's IAM OIDC provider the issuer certificate's fingerprint:
    # thumbprint_lists=[tls.get_certificate(url=issuer).certificates[0].sha1_fingerprint].
    issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"
    chain = call("tls:index/getCertificate:getCertificate", {"url": issuer})
    server, root = chain["certificates"]
    assert server["subject"] == "CN=oidc.eks.eu-west-1.amazonaws.com" and server["issuer"] == root["subject"]
    assert (server["isCa"], root["isCa"]) == (False, True)
    assert len(server["sha1Fingerprint"]) == 40 and int(server["sha1Fingerprint"], 16) >= 0
    assert chain == call("tls:index/getCertificate:getCertificate", {"url": issuer})
    other = call("tls:index/getCertificate:getCertificate", {"url": "https://example.org"})
    assert other["certificates"][0]["sha1Fingerprint"] != server["sha1Fingerprint"]
    # Every field the SDK's result class reads is answered.
    from pulumi_tls import outputs

    getters = {a.fget._pulumi_name for a in vars(outputs.GetCertificateCertificateResult).values()
               if isinstance(a, property)}
    assert getters == set(server)


def test_lookups_return_the_ids_and_arns_the_provider_always_sets():
    # A foreign program looks up what it did not create and builds on it
    # (`for s in aws.ec2.get_subnets(...).ids:`): left unset, the plan failed on None.
    import pulumi_aws.ec2.get_subnets  # noqa: F401  (the result class is read from the imported SDK)
    import pulumi_aws.ec2.get_vpc  # noqa: F401
    import pulumi_aws.secretsmanager.get_secret_version  # noqa: F401

    subnets = call("aws:ec2/getSubnets:getSubnets", {"filters": [{"name": "vpc-id", "values": ["vpc-1"]}]})
    assert sorted(subnets) == ["id", "ids"]
    assert len(subnets["ids"]) == 2 and all(s.startswith("subnet-") for s in subnets["ids"])
    assert subnets == call("aws:ec2/getSubnets:getSubnets", {"filters": [{"name": "vpc-id", "values": ["vpc-1"]}]})
    assert subnets["ids"] != call("aws:ec2/getSubnets:getSubnets", {"filters": []})["ids"]
    vpc = call("aws:ec2/getVpc:getVpc", {"default": True})
    assert vpc["id"].startswith("vpc-") and vpc["arn"].startswith(f"arn:aws:ec2:eu-west-1:{ACCOUNT_ID}:vpc/")
    assert call("aws:ec2/getVpc:getVpc", {"id": "vpc-0abc"})["id"] == "vpc-0abc"
    # A secret's value, a key's ARN or a document is never invented.
    secret = call("aws:secretsmanager/getSecretVersion:getSecretVersion", {"secretId": "db"})
    assert "secretString" not in secret and "secretBinary" not in secret
    assert call("aws:unknown/getNothing:getNothing", {}) == {}


def test_aws_public_parameters_answer_in_their_documented_shape():
    # awsx's classic getEcsAmiId JSON.parse()s /aws/service/ecs/optimized-ami/.../recommended and reads image_id
    # (pulumi/examples aws-ts-airflow stopped on '"undefined" is not valid JSON'); programs pass .../image_id and
    # the Amazon Linux parameters to an instance's ami.
    import pulumi_aws.ssm.get_parameter  # noqa: F401

    recommended = call("aws:ssm/getParameter:getParameter",
                       {"name": "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended"})
    metadata = json.loads(recommended["value"])
    assert re.fullmatch(r"ami-[0-9a-f]{17}", metadata["image_id"])
    assert recommended["insecureValue"] == recommended["value"]
    image = call("aws:ssm/getParameter:getParameter",
                 {"name": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"})["value"]
    assert re.fullmatch(r"ami-[0-9a-f]{17}", image) and image != metadata["image_id"]
    # A team's own parameter is not invented.
    assert "value" not in call("aws:ssm/getParameter:getParameter", {"name": "/team/vpc-id"})


def test_the_organization_lookup_answers_its_root_in_the_sdk_result_shape():
    # Landing-zone programs attach service control policies to the root
    # (`aws.organizations.get_organization().roots[0].id`): the generic lookup fills strings and lists of
    # strings only, so `roots` was None and the plan failed ("'NoneType' object is not subscriptable").
    from pulumi_aws.organizations import get_organization as lookup, outputs
    get_organization = sys.modules[lookup.__module__]

    org = call("aws:organizations/getOrganization:getOrganization", {})
    (root,) = org["roots"]
    assert root["id"].startswith("r-") and org["id"].startswith("o-")
    assert root["arn"] == f"arn:aws:organizations::{ACCOUNT_ID}:root/{org['id']}/{root['id']}"
    assert org["masterAccountId"] == ACCOUNT_ID
    assert "featureSet" not in org and "accounts" not in org  # settings and members are not invented

    def getters(cls: type) -> set[str]:
        return {a.fget._pulumi_name for a in vars(cls).values() if isinstance(a, property)}

    assert set(org) <= getters(get_organization.GetOrganizationResult)
    assert set(root) == getters(outputs.GetOrganizationRootResult)


def test_zone_id_prefix():
    assert zone_id_prefix("us-east-1") == "use1"
    assert zone_id_prefix("eu-central-1") == "euc1"
    assert zone_id_prefix("us-gov-west-1") == "usgw1"


def test_policy_document_renders_like_the_provider():
    document = policy_document({
        "policyId": "bucket-policy",
        "statements": [
            {"sid": "DenyInsecure", "effect": "Deny", "actions": ["s3:*"],
             "resources": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
             "principals": [{"type": "*", "identifiers": ["*"]}],
             "conditions": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]},
            {"actions": ["sts:AssumeRole"],
             "principals": [{"type": "Service", "identifiers": ["sagemaker.amazonaws.com"]},
                            {"type": "Service", "identifiers": ["eks.amazonaws.com"]}]},
            {"notActions": ["iam:*"], "notResources": ["arn:aws:iam::*:*"]},
        ],
    })
    assert document == {
        "Version": "2012-10-17",
        "Id": "bucket-policy",
        "Statement": [
            {"Sid": "DenyInsecure", "Effect": "Deny", "Action": "s3:*",
             "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Principal": "*",
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": ["sagemaker.amazonaws.com", "eks.amazonaws.com"]}},
            {"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:iam::*:*"},
        ],
    }


def test_provider_calls_answer_offline(monitor, run):
    seen = {}

    def program():
        doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
            actions=["s3:GetObject"], resources=["arn:aws:s3:::b/*"])])
        seen["json"] = doc.json
        seen["zones"] = aws.get_availability_zones().zone_ids
        seen["account"] = aws.get_caller_identity().account_id

    run(program)
    assert json.loads(seen["json"]) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
    assert seen["zones"] == ["use1-az1", "use1-az2", "use1-az3"]
    assert seen["account"] == ACCOUNT_ID


def test_components_have_no_id_and_outputs_only_from_register_outputs(monitor, run):
    def program():
        registered = pulumi.ComponentResource("test:index:Registered", "with-outputs")
        aws.s3.Bucket("inside", opts=pulumi.ResourceOptions(parent=registered))
        registered.register_outputs({"answer": 42})
        pulumi.ComponentResource("test:index:Silent", "without-outputs", props={"input": "x"})

    run(program)
    registered = monitor.named("test:index:Registered", "with-outputs")
    silent = monitor.named("test:index:Silent", "without-outputs")
    assert (registered.id, registered.custom, registered.outputs) == ("", False, {"answer": 42.0})
    assert (silent.id, silent.outputs) == ("", {})
    bucket = monitor.named("aws:s3/bucket:Bucket", "inside")
    assert bucket.parent == registered.urn and bucket.custom and bucket.id.startswith("inside-")


def test_registrations_record_options_and_sorted_dependencies(monitor, run):
    def program():
        buckets = [aws.s3.Bucket(name) for name in ("zeta", "alpha", "mid")]
        aws.s3.BucketVersioning(
            "versioning", bucket=buckets[0].id, versioning_configuration={"status": "Enabled"},
            opts=pulumi.ResourceOptions(depends_on=list(reversed(buckets)), protect=True,
                                        ignore_changes=["bucket"], delete_before_replace=True))

    run(program)
    versioning = monitor.named("aws:s3/bucketVersioning:BucketVersioning", "versioning")
    urns = sorted(monitor.named("aws:s3/bucket:Bucket", n).urn for n in ("zeta", "alpha", "mid"))
    assert versioning.dependencies == urns
    assert versioning.property_dependencies["bucket"] == [monitor.named("aws:s3/bucket:Bucket", "zeta").urn]
    assert (versioning.protect, versioning.ignore_changes, versioning.delete_before_replace) == (
        True, ["bucket"], True)
    assert versioning.parent == STACK_URN
    assert versioning.version == package_version("pulumi_aws")


def test_reads_are_recorded_as_external(monitor, run):
    def program():
        aws.s3.Bucket.get("existing", "legacy-bucket")

    run(program)
    existing = monitor.named("aws:s3/bucket:Bucket", "existing")
    assert (existing.external, existing.custom, existing.id) == (True, True, "legacy-bucket")
    # Its state is the one of the resource read: its own id, not a placeholder made from the logical name.
    assert existing.outputs["id"] == "legacy-bucket"
    assert existing.outputs["arn"] == "arn:aws:s3:::legacy-bucket"


def test_a_read_resources_id_is_known_to_the_program_in_a_preview(tmp_path):
    # The engine's ReadResourceResponse carries the id the provider read; without it the SDK resolves
    # the id of a read as unknown in a preview, and `bucket=legacy.id` planned as unknown.
    from mlinfra.plan import plan

    (tmp_path / "Pulumi.yaml").write_text("name: reads\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi_aws as aws\nlegacy = aws.s3.Bucket.get('legacy', 'ml-legacy-datasets')\n"
        "aws.s3.BucketPublicAccessBlock('legacy', bucket=legacy.id, block_public_acls=True)\n")
    document = plan(tmp_path, "dev")
    [block] = [r for r in document["deployment"]["resources"] if r["type"].endswith("BucketPublicAccessBlock")]
    assert block["inputs"]["bucket"] == "ml-legacy-datasets"


def test_an_image_pushed_with_an_ecr_login_plans(tmp_path):
    # Pulumi's docker examples (pulumi/examples aws-py-voting-app) log in to ECR with a token they decode
    # and split on ":"; left unset offline, base64 of None failed the program.
    from mlinfra.plan import plan

    (tmp_path / "Pulumi.yaml").write_text("name: images\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import base64\nimport pulumi_aws as aws\nimport pulumi_docker_build as docker_build\n"
        "repo = aws.ecr.Repository('app', image_tag_mutability='IMMUTABLE')\n"
        "creds = aws.ecr.get_credentials(registry_id=repo.registry_id)\n"
        "user, password = base64.b64decode(creds.authorization_token).decode().split(':')\n"
        "token = aws.ecr.get_authorization_token()\n"
        "docker_build.Image('app', push=True, tags=['app:1'], context={'location': '.'}, registries=[{\n"
        "    'address': token.proxy_endpoint, 'username': user, 'password': password}])\n")
    document = plan(tmp_path, "dev")
    [image] = [r for r in document["deployment"]["resources"] if r["type"] == "docker-build:index:Image"]
    [registry] = image["inputs"]["registries"]
    assert registry["address"] == f"https://{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com"
    assert registry["username"] == "AWS"


def test_stack_outputs_accumulate_in_either_order(monitor, run):
    run(lambda: None)

    def register(outputs: dict) -> None:
        struct = struct_pb2.Struct()
        struct.update(outputs)
        monitor.RegisterResourceOutputs(resource_pb2.RegisterResourceOutputsRequest(urn=STACK_URN, outputs=struct))

    register({"vpcId": "vpc-1"})
    register({})
    assert monitor.registrations[STACK_URN].type == STACK_TYPE
    assert monitor.registrations[STACK_URN].outputs == {"vpcId": "vpc-1"}


def test_install_mocks_gives_a_fresh_root_stack_and_marks_the_process_offline(run):
    first = install_mocks(project="mlinfra", stack="one", region="eu-west-1")
    run(lambda: aws.s3.Bucket("b"))
    second = install_mocks(project="mlinfra", stack="two")
    run(lambda: aws.s3.Bucket("b"))
    assert [r.urn for r in first.registrations.values() if r.type == STACK_TYPE] == [
        "urn:pulumi:one::mlinfra::pulumi:pulumi:Stack::mlinfra-one"]
    assert second.named("aws:s3/bucket:Bucket", "b").parent == "urn:pulumi:two::mlinfra::pulumi:pulumi:Stack::mlinfra-two"
    assert offline_target().region == "us-east-1"


def test_recording_keeps_every_registration_made_from_executor_threads(monitor, run):
    count = 400
    run(lambda: [aws.s3.Bucket(f"b{i}") for i in range(count)])
    assert len(monitor.by_type("aws:s3/bucket:Bucket")) == count
    assert len({r.id for r in monitor.by_type("aws:s3/bucket:Bucket")}) == count


def test_an_autonamed_ecr_repository_has_one_name_in_its_id_url_and_arn():
    # A foreign program builds its image from repositoryUrl; the rules match it to the repository by name.
    rid, outputs = new_resource("aws:ecr/repository:Repository", "api", {"imageTagMutability": "IMMUTABLE"})
    assert outputs["name"] == rid
    assert outputs["repositoryUrl"].endswith(f"/{rid}") and outputs["arn"].endswith(f"repository/{rid}")
    _, named = new_resource("aws:ecr/repository:Repository", "api", {"name": "team/api"})
    assert named["name"] == "team/api" and named["repositoryUrl"].endswith("/team/api")


def test_policy_document_merges_source_and_override_documents_like_the_provider():
    # pulumi-aws 7 iam/get_policy_document.py: sources first, then the statements, then the overrides;
    # a statement with a sid replaces an earlier one with that sid, the rest are appended.
    base = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    override = json.dumps({"Version": "2012-10-17", "Id": "final", "Statement": {
        "Sid": "Write", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}})
    document = policy_document({
        "sourcePolicyDocuments": [base, "{not json"],
        "statements": [{"sid": "Read", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/public/*"]},
                       {"sid": "Write", "actions": ["s3:PutObject"], "resources": ["arn:aws:s3:::b/out/*"]}],
        "overridePolicyDocuments": [override],
    })
    assert document == {"Version": "2012-10-17", "Id": "final", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/public/*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Sid": "Write", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}]}
    assert policy_document({"statements": []}) == {"Version": "2012-10-17", "Statement": []}
