"""ML and generative-AI resources generic scanners do not know: AgentCore and batch-inference networking,
AgentCore gateway authorization, labeling-workforce IP ranges, Bedrock guardrail filters and the keys of
Bedrock, AgentCore and SageMaker resources (data-store rows). Each from a compliant example with one field
changed; every input read is checked against the installed pulumi-aws SDK."""

from __future__ import annotations

import copy

import pytest

from catalog.data_stores import BY_TYPE
from policies.rules.data_stores import data_store_customer_managed_key
from policies.rules.guardrails import (
    bedrock_guardrail_prompt_attack_filter as prompt_attack,
    bedrock_guardrail_sensitive_information_filter as sensitive,
)
from policies.rules.ml_network import (
    bedrock_agentcore_gateway_authorization as gateway_authorization,
    ml_workload_in_vpc,
    sagemaker_workforce_source_ip_restricted as workforce_ips,
)
from policy_helpers import UNKNOWN, found
from sdk_inputs import assert_inputs_in_sdk

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
RUNTIME = "aws:bedrock/agentcoreAgentRuntime:AgentcoreAgentRuntime"
CODE_INTERPRETER = "aws:bedrock/agentcoreCodeInterpreter:AgentcoreCodeInterpreter"
BROWSER = "aws:bedrock/agentcoreBrowser:AgentcoreBrowser"
INVOCATION_JOB = "aws:bedrockmodel/invocationJob:InvocationJob"
EMR_SERVERLESS = "aws:emrserverless/application:Application"
GATEWAY = "aws:bedrock/agentcoreGateway:AgentcoreGateway"
WORKFORCE = "aws:sagemaker/workforce:Workforce"
GUARDRAIL = "aws:bedrock/guardrail:Guardrail"

VPC = {"subnets": ["subnet-0a1b2c3d"], "securityGroups": ["sg-0a1b2c3d"]}
RUNTIME_PROPS = {"agentRuntimeName": "support", "roleArn": "arn:aws:iam::123456789012:role/agent",
                 "agentRuntimeArtifact": {"containerConfiguration": {"containerUri": "123.dkr.ecr/agent:1"}},
                 "networkConfiguration": {"networkMode": "VPC", "networkModeConfig": VPC}}
JOB_PROPS = {"jobName": "batch", "modelId": "anthropic.claude-3-haiku", "roleArn": "arn:aws:iam::123456789012:role/b",
             "vpcConfig": {"subnetIds": ["subnet-0a1b2c3d"], "securityGroupIds": ["sg-0a1b2c3d"]}}
EMR_PROPS = {"name": "features", "releaseLabel": "emr-7.2.0", "type": "spark",
             "networkConfiguration": {"subnetIds": ["subnet-0a1b2c3d"], "securityGroupIds": ["sg-0a1b2c3d"]}}
FILTERS = [{"type": "HATE", "inputStrength": "HIGH", "outputStrength": "HIGH"},
           {"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE"}]
GUARDRAIL_PROPS = {
    "name": "support", "blockedInputMessaging": "no", "blockedOutputsMessaging": "no", "kmsKeyArn": KEY,
    "contentPolicyConfig": {"filtersConfigs": FILTERS},
    "sensitiveInformationPolicyConfig": {"piiEntitiesConfigs": [{"type": "EMAIL", "action": "ANONYMIZE"},
                                                                {"type": "US_SOCIAL_SECURITY_NUMBER", "action": "BLOCK"}]},
}


def _with(props: dict, *path, value):
    changed = copy.deepcopy(props)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


@pytest.mark.parametrize("type_, path", [
    (RUNTIME, ("networkConfiguration", "networkMode")), (RUNTIME, ("networkConfiguration", "networkModeConfig")),
    (CODE_INTERPRETER, ("networkConfiguration", "networkMode")), (BROWSER, ("networkConfiguration", "networkMode")),
    (INVOCATION_JOB, ("vpcConfig", "subnetIds", "securityGroupIds")),
    ("aws:bedrock/customModel:CustomModel", ("vpcConfig", "subnetIds", "securityGroupIds")),
    (EMR_SERVERLESS, ("networkConfiguration", "subnetIds", "securityGroupIds")),
    (GATEWAY, ("authorizerType",)), (WORKFORCE, ("sourceIpConfig", "cidrs")),
    (GUARDRAIL, ("contentPolicyConfig", "filtersConfigs", "type", "inputStrength", "inputAction", "inputEnabled")),
    (GUARDRAIL, ("sensitiveInformationPolicyConfig", "piiEntitiesConfigs", "regexesConfigs", "type", "action",
                 "inputAction", "outputAction", "inputEnabled", "outputEnabled")),
])
def test_every_input_read_is_in_the_pulumi_aws_sdk(type_, path):
    assert_inputs_in_sdk(type_, path)


# --- ml-workload-in-vpc --------------------------------------------------------------------------------------------

def test_an_agentcore_runtime_in_public_mode_fails_vpc_passes():
    assert found(ml_workload_in_vpc, RUNTIME, RUNTIME_PROPS) == []
    [message] = found(ml_workload_in_vpc, RUNTIME, _with(RUNTIME_PROPS, "networkConfiguration", "networkMode",
                                                           value="PUBLIC"))
    assert "networkConfiguration.networkMode is PUBLIC, expected VPC" in message
    # Written as a list of one block, lower case: the same judgement.
    assert found(ml_workload_in_vpc, RUNTIME, {**RUNTIME_PROPS, "networkConfiguration": [{"networkMode": "vpc"}]}) == []
    assert found(ml_workload_in_vpc, RUNTIME, {**RUNTIME_PROPS, "networkConfiguration": [{"networkMode": "PUBLIC"}]})
    [missing] = found(ml_workload_in_vpc, RUNTIME, {"agentRuntimeName": "support"})
    assert "networkMode is not set" in missing
    for unknown in (UNKNOWN, {"networkMode": UNKNOWN}):
        assert found(ml_workload_in_vpc, RUNTIME, {**RUNTIME_PROPS, "networkConfiguration": unknown}) == []


def test_a_code_interpreter_may_be_sandboxed_a_browser_public_only_when_allowed():
    for mode in ("SANDBOX", "VPC"):
        assert found(ml_workload_in_vpc, CODE_INTERPRETER, {"networkConfiguration": {"networkMode": mode}}) == []
    [message] = found(ml_workload_in_vpc, CODE_INTERPRETER, {"networkConfiguration": {"networkMode": "PUBLIC"}})
    assert "expected VPC or SANDBOX" in message
    assert found(ml_workload_in_vpc, BROWSER, {"networkConfiguration": {"networkMode": "VPC"}}) == []
    public = {"networkConfiguration": {"networkMode": "PUBLIC"}}
    assert found(ml_workload_in_vpc, BROWSER, public)
    assert found(ml_workload_in_vpc, BROWSER, public, {"allowPublicBrowsers": True}) == []
    # A browser sandbox is not a mode browsers have; allowPublicBrowsers does not excuse code interpreters.
    assert found(ml_workload_in_vpc, BROWSER, {"networkConfiguration": {"networkMode": "SANDBOX"}})
    assert found(ml_workload_in_vpc, CODE_INTERPRETER, public, {"allowPublicBrowsers": True})


@pytest.mark.parametrize("type_, props, block, subnets", [
    (INVOCATION_JOB, JOB_PROPS, "vpcConfig", "subnetIds"),
    ("aws:bedrock/customModel:CustomModel", {"customModelName": "tuned", "jobName": "tune",
                                             "vpcConfig": JOB_PROPS["vpcConfig"]}, "vpcConfig", "subnetIds"),
    (EMR_SERVERLESS, EMR_PROPS, "networkConfiguration", "subnetIds"),
])
def test_batch_inference_and_emr_serverless_name_subnets_and_security_groups(type_, props, block, subnets):
    assert found(ml_workload_in_vpc, type_, props) == []
    assert found(ml_workload_in_vpc, type_, {**props, block: [props[block]]}) == []  # a list of one block
    without = {key: value for key, value in props.items() if key != block}
    [message] = found(ml_workload_in_vpc, type_, without)
    assert f"has no {block} with {subnets} and securityGroupIds" in message
    assert found(ml_workload_in_vpc, type_, _with(props, block, "securityGroupIds", value=[]))
    for unknown in (UNKNOWN, {subnets: UNKNOWN, "securityGroupIds": ["sg-1"]}):
        assert found(ml_workload_in_vpc, type_, {**props, block: unknown}) == []


# --- bedrock-agentcore-gateway-authorization ------------------------------------------------------------------------

def test_a_gateway_without_authorization_fails():
    gateway = {"name": "tools", "roleArn": "arn:aws:iam::123456789012:role/gw", "protocolType": "MCP",
               "authorizerType": "CUSTOM_JWT",
               "authorizerConfiguration": {"customJwtAuthorizer": {"discoveryUrl": "https://idp/.well-known/openid"}}}
    for kind in ("CUSTOM_JWT", "AWS_IAM", "AUTHENTICATE_ONLY", UNKNOWN, None):
        assert found(gateway_authorization, GATEWAY, {**gateway, "authorizerType": kind}) == []
    [message] = found(gateway_authorization, GATEWAY, {**gateway, "authorizerType": "NONE"})
    assert "has authorizerType NONE" in message
    assert found(gateway_authorization, GATEWAY, {**gateway, "authorizerType": "none"})


# --- sagemaker-workforce-source-ip-restricted ----------------------------------------------------------------------

def test_a_workforce_is_restricted_to_listed_ranges():
    workforce = {"workforceName": "labelers", "sourceIpConfig": {"cidrs": ["203.0.113.0/24"]},
                 "cognitoConfig": {"clientId": "abc", "userPool": "us-east-1_x"}}
    assert found(workforce_ips, WORKFORCE, workforce) == []
    assert found(workforce_ips, WORKFORCE, {**workforce, "sourceIpConfig": [{"cidrs": ["203.0.113.0/24"]}]}) == []
    [open_] = found(workforce_ips, WORKFORCE, _with(workforce, "sourceIpConfig", "cidrs", value=["10.0.0.0/8",
                                                                                                 "0.0.0.0/0"]))
    assert "admits workers from 0.0.0.0/0" in open_
    for missing in ({k: v for k, v in workforce.items() if k != "sourceIpConfig"},
                    _with(workforce, "sourceIpConfig", "cidrs", value=[])):
        [message] = found(workforce_ips, WORKFORCE, missing)
        assert "has no sourceIpConfig.cidrs" in message
    for unknown in (UNKNOWN, {"cidrs": UNKNOWN}, {"cidrs": ["0.0.0.0/0", UNKNOWN]}):
        assert found(workforce_ips, WORKFORCE, {**workforce, "sourceIpConfig": unknown}) == []


# --- guardrails --------------------------------------------------------------------------------------------------

def _attack(**changes) -> dict:
    return _with(GUARDRAIL_PROPS, "contentPolicyConfig", "filtersConfigs",
                 value=[FILTERS[0], {**FILTERS[1], **changes}])


def test_a_guardrail_blocks_prompt_attacks_at_high_strength():
    assert found(prompt_attack, GUARDRAIL, GUARDRAIL_PROPS) == []
    assert found(prompt_attack, GUARDRAIL, _attack(inputStrength="high", inputAction="BLOCK", inputEnabled=True)) == []
    [weak] = found(prompt_attack, GUARDRAIL, _attack(inputStrength="MEDIUM"))
    assert "inputStrength is MEDIUM, expected HIGH or stronger" in weak
    assert found(prompt_attack, GUARDRAIL, _attack(inputStrength="MEDIUM"), {"minInputStrength": "MEDIUM"}) == []
    assert "only detects (inputAction NONE)" in found(prompt_attack, GUARDRAIL, _attack(inputAction="NONE"))[0]
    assert "inputEnabled false" in found(prompt_attack, GUARDRAIL, _attack(inputEnabled=False))[0]
    [none] = found(prompt_attack, GUARDRAIL, _with(GUARDRAIL_PROPS, "contentPolicyConfig", "filtersConfigs",
                                                   value=FILTERS[:1]))
    assert "contentPolicyConfig has no PROMPT_ATTACK filter" in none
    assert found(prompt_attack, GUARDRAIL, {"name": "bare"})  # no content policy at all
    assert found(prompt_attack, GUARDRAIL, {**GUARDRAIL_PROPS, "contentPolicyConfig": [{"filtersConfigs": FILTERS}]}) == []
    for unknown in (_attack(inputStrength=UNKNOWN), _attack(type=UNKNOWN),
                    {**GUARDRAIL_PROPS, "contentPolicyConfig": UNKNOWN},
                    {**GUARDRAIL_PROPS, "contentPolicyConfig": {"filtersConfigs": UNKNOWN}}):
        assert found(prompt_attack, GUARDRAIL, unknown) == []


def _pii(*entities, regexes=()) -> dict:
    return {**GUARDRAIL_PROPS, "sensitiveInformationPolicyConfig": {"piiEntitiesConfigs": list(entities),
                                                                     "regexesConfigs": list(regexes)}}


def test_a_guardrail_blocks_or_anonymizes_personal_data():
    assert found(sensitive, GUARDRAIL, GUARDRAIL_PROPS) == []
    [absent] = found(sensitive, GUARDRAIL, {k: v for k, v in GUARDRAIL_PROPS.items()
                                            if k != "sensitiveInformationPolicyConfig"})
    assert "it has no sensitiveInformationPolicyConfig" in absent
    [detect_only] = found(sensitive, GUARDRAIL, _pii({"type": "EMAIL", "action": "NONE"}))
    assert "no PII entity or regex filter that blocks or anonymizes" in detect_only
    # One side acting is enough; a side's own action overrides `action`; both sides off is not acting.
    assert found(sensitive, GUARDRAIL, _pii({"type": "EMAIL", "action": "NONE", "outputAction": "ANONYMIZE"})) == []
    assert found(sensitive, GUARDRAIL, _pii({"type": "EMAIL", "action": "BLOCK", "inputAction": "NONE",
                                             "outputAction": "NONE"}))
    assert found(sensitive, GUARDRAIL, _pii({"type": "EMAIL", "action": "BLOCK", "inputEnabled": False,
                                             "outputEnabled": False}))
    assert found(sensitive, GUARDRAIL, _pii(regexes=[{"name": "employee", "pattern": "E[0-9]{6}",
                                                      "action": "ANONYMIZE"}])) == []
    for unknown in (_pii({"type": "EMAIL", "action": UNKNOWN}), _pii({"type": UNKNOWN, "action": "NONE"}),
                    {**GUARDRAIL_PROPS, "sensitiveInformationPolicyConfig": UNKNOWN}):
        assert found(sensitive, GUARDRAIL, unknown) == []


def test_required_pii_entity_types_are_each_blocked_or_anonymized():
    config = {"requiredPiiEntityTypes": ["email", "US_SOCIAL_SECURITY_NUMBER"]}
    assert found(sensitive, GUARDRAIL, GUARDRAIL_PROPS, config) == []
    [message] = found(sensitive, GUARDRAIL, _pii({"type": "EMAIL", "action": "ANONYMIZE"},
                                                 {"type": "US_SOCIAL_SECURITY_NUMBER", "action": "NONE"}), config)
    assert "does not block or anonymize US_SOCIAL_SECURITY_NUMBER (requiredPiiEntityTypes)" in message


# --- keys: data-store rows -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("type_, path", [
    (GUARDRAIL, ("kmsKeyArn",)),
    ("aws:bedrock/agentFlow:AgentFlow", ("customerEncryptionKeyArn",)),
    ("aws:bedrock/agentPrompt:AgentPrompt", ("customerEncryptionKeyArn",)),
    ("aws:bedrock/agentDataSource:AgentDataSource", ("serverSideEncryptionConfiguration", "kmsKeyArn")),
    ("aws:bedrock/evaluationJob:EvaluationJob", ("customerEncryptionKeyId",)),
    (INVOCATION_JOB, ("outputDataConfig", "s3OutputDataConfig", "s3EncryptionKeyId")),
    ("aws:bedrock/agentcoreMemory:AgentcoreMemory", ("encryptionKeyArn",)),
    (GATEWAY, ("kmsKeyArn",)),
    ("aws:bedrock/agentcorePolicyEngine:AgentcorePolicyEngine", ("encryptionKeyArn",)),
    ("aws:bedrock/agentcoreEvaluator:AgentcoreEvaluator", ("kmsKeyArn",)),
    ("aws:sagemaker/modelCard:ModelCard", ("securityConfig", "kmsKeyId")),
    ("aws:sagemaker/deviceFleet:DeviceFleet", ("outputConfig", "kmsKeyId")),
])
def test_genai_resources_use_a_customer_managed_key(type_, path):
    assert type_ in BY_TYPE
    props = _with({path[0]: {}} if len(path) > 1 else {}, *path, value=KEY) if len(path) < 3 else \
        {path[0]: {path[1]: {path[2]: KEY}}}
    assert found(data_store_customer_managed_key, type_, props) == []
    [message] = found(data_store_customer_managed_key, type_, {})
    assert f"{'.'.join(path)} is not set (an AWS-managed or AWS-owned key)" in message
    assert found(data_store_customer_managed_key, type_, _with(props, *path, value="alias/aws/bedrock"))
    assert found(data_store_customer_managed_key, type_, _with(props, *path, value=UNKNOWN)) == []


def test_an_agentcore_token_vault_uses_a_customer_managed_key():
    vault = "aws:bedrock/agentcoreTokenVaultCmk:AgentcoreTokenVaultCmk"
    mine = {"kmsConfiguration": {"keyType": "CustomerManagedKey", "kmsKeyArn": KEY}}
    assert found(data_store_customer_managed_key, vault, mine) == []
    [message] = found(data_store_customer_managed_key, vault, {"kmsConfiguration": {"keyType": "ServiceManagedKey"}})
    assert "kmsConfiguration.keyType is ServiceManagedKey, expected CustomerManagedKey" in message
    assert found(data_store_customer_managed_key, vault, {"kmsConfiguration": {"keyType": UNKNOWN, "kmsKeyArn": KEY}}) == []


# --- plaintext credentials: AgentCore environments, code repository URLs -------------------------------------------

def test_an_agentcore_runtime_environment_holds_no_literal_credential():
    from policies.rules.plaintext_secrets import no_plaintext_secrets_in_environment as environment

    assert_inputs_in_sdk(RUNTIME, ("environmentVariables",))
    assert_inputs_in_sdk("aws:bedrock/agentcoreHarness:AgentcoreHarness", ("environmentVariables",))
    clean = {**RUNTIME_PROPS, "environmentVariables": {"MODEL_ID": "anthropic.claude", "API_KEY_SECRET_ARN":
                                                       "arn:aws:secretsmanager:us-east-1:123456789012:secret:k"}}
    assert found(environment, RUNTIME, clean) == []
    [message] = found(environment, RUNTIME, _with(clean, "environmentVariables", "OPENAI_API_KEY",
                                                  value="sk-live-0123456789abcdef"))
    assert "environmentVariables 'OPENAI_API_KEY' holds" in message
    assert found(environment, "aws:bedrock/agentcoreHarness:AgentcoreHarness",
                 {"environmentVariables": {"DB_PASSWORD": "hunter2hunter2"}})
    assert found(environment, RUNTIME, {**RUNTIME_PROPS, "environmentVariables": UNKNOWN}) == []


def test_a_code_repository_url_carries_no_credentials():
    from policies.rules.plaintext_secrets import no_plaintext_credential_inputs as repository

    type_ = "aws:sagemaker/codeRepository:CodeRepository"
    assert_inputs_in_sdk(type_, ("gitConfig", "repositoryUrl", "secretArn"))
    good = {"codeRepositoryName": "notebooks", "gitConfig": {
        "repositoryUrl": "https://github.com/org/notebooks.git",
        "secretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:git-AbCdEf"}}
    assert found(repository, type_, good) == []
    assert found(repository, type_, _with(good, "gitConfig", "repositoryUrl", value="https://alice@github.com/o/r")) == []
    for url, what in (("https://alice:s3cr3t-pass@github.com/org/notebooks.git", "a password in a URL"),
                      ("https://ghp_abcdefABCDEF0123456789abcdefABCDEF0123@github.com/org/notebooks.git",
                       "a token in a URL")):
        [message] = found(repository, type_, _with(good, "gitConfig", "repositoryUrl", value=url))
        assert f"gitConfig.repositoryUrl holds {what} in plaintext" in message
    assert found(repository, type_, _with(good, "gitConfig", "repositoryUrl", value=UNKNOWN)) == []
    assert found(repository, type_, {"gitConfig": [good["gitConfig"]]}) == []


def test_credential_providers_and_workforces_take_secrets_not_literals():
    from policies.rules._secrets import SECRET_SIG, SIG_KEY
    from policies.rules.plaintext_secrets import no_plaintext_credential_inputs as credentials

    api_key = "aws:bedrock/agentcoreApiKeyCredentialProvider:AgentcoreApiKeyCredentialProvider"
    oauth2 = "aws:bedrock/agentcoreOauth2CredentialProvider:AgentcoreOauth2CredentialProvider"
    assert_inputs_in_sdk(api_key, ("apiKey", "apiKeyWo", "apiKeySecretConfig"))
    assert_inputs_in_sdk(oauth2, ("oauth2ProviderConfig", "githubOauth2ProviderConfig", "clientSecret",
                                  "clientSecretWo", "clientSecretConfig"))
    assert_inputs_in_sdk(WORKFORCE, ("oidcConfig", "clientSecret"))
    secret = {SIG_KEY: SECRET_SIG, "value": "sk-live-0123456789abcdef"}
    for props in ({"name": "search", "apiKeySecretSource": "EXTERNAL",
                   "apiKeySecretConfig": {"secretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:k"}},
                  {"name": "search", "apiKey": secret}, {"name": "search", "apiKeyWo": UNKNOWN}):
        assert found(credentials, api_key, props) == []
    [message] = found(credentials, api_key, {"name": "search", "apiKey": "sk-live-0123456789abcdef"})
    assert "apiKey is a literal in the program" in message
    github = {"oauth2ProviderConfig": {"githubOauth2ProviderConfig": {"clientId": "Iv1.abc", "clientSecret": secret}}}
    assert found(credentials, oauth2, github) == []
    [message] = found(credentials, oauth2, {"oauth2ProviderConfig": [{"githubOauth2ProviderConfig": [
        {"clientId": "Iv1.abc", "clientSecretWo": "0123456789abcdef0123"}]}]})
    assert "oauth2ProviderConfig.githubOauth2ProviderConfig.clientSecretWo is a literal" in message
    oidc = {"workforceName": "labelers", "oidcConfig": {"clientId": "labelers", "clientSecret": secret,
                                                        "issuer": "https://idp"}}
    assert found(credentials, WORKFORCE, oidc) == []
    assert found(credentials, WORKFORCE, _with(oidc, "oidcConfig", "clientSecret", value="hunter2hunter2"))


@pytest.mark.parametrize("type_, key", [
    ("aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration", "onCreate"),
    ("aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration", "onStart"),
    ("aws:sagemaker/studioLifecycleConfig:StudioLifecycleConfig", "studioLifecycleConfigContent"),
])
def test_notebook_and_studio_lifecycle_scripts_hold_no_literal_credential(type_, key):
    import base64

    from policies.rules.plaintext_secrets import no_plaintext_secrets_in_user_data as scripts

    assert_inputs_in_sdk(type_, (key,))

    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    clean = "#!/bin/bash\nset -e\nTOKEN=$(aws secretsmanager get-secret-value --secret-id hf --query SecretString)\n"
    assert found(scripts, type_, {key: b64(clean)}) == []
    [message] = found(scripts, type_, {key: b64("#!/bin/bash\nexport HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz\n")})
    assert f"{key} sets HF_TOKEN to a literal value" in message
    [key_id] = found(scripts, type_, {key: b64("aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE\n")})
    assert f"{key} holds an AWS access key id in plaintext" in key_id
    assert found(scripts, type_, {key: UNKNOWN}) == []


# --- bedrock-inference-in-geography --------------------------------------------------------------------------------

@pytest.mark.parametrize("type_, path", [
    ("aws:bedrock/agentAgent:AgentAgent", ("foundationModel",)),
    (INVOCATION_JOB, ("modelId",)),
    ("aws:bedrock/inferenceProfile:InferenceProfile", ("modelSource", "copyFrom")),
    ("aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase",
     ("knowledgeBaseConfiguration", "vectorKnowledgeBaseConfiguration", "embeddingModelArn")),
    ("aws:bedrock/evaluationJob:EvaluationJob", ("inferenceConfig", "models", "bedrockModel", "modelIdentifier")),
    ("aws:bedrock/agentPrompt:AgentPrompt", ("variants", "modelId")),
])
def test_bedrock_models_stay_in_the_geography(type_, path):
    from policies.rules.inference_residency import bedrock_inference_in_geography as geography

    assert_inputs_in_sdk(type_, path)

    def props(model):
        value: object = model
        for step in reversed(path[1:]):
            value = {step: [value] if step in ("models", "variants") else value}
        return {path[0]: [value] if path[0] in ("models", "variants") else value}

    for model in ("anthropic.claude-3-haiku-20240307-v1:0", "eu.anthropic.claude-sonnet-4-20250514-v1:0",
                  "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0", UNKNOWN):
        assert found(geography, type_, props(model)) == []
    for model in ("global.anthropic.claude-sonnet-4-5-20250929-v1:0",
                  "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0"):
        [message] = found(geography, type_, props(model))
        assert f"is the global cross-Region inference profile {model}" in message


def test_emr_serverless_logs_use_a_customer_managed_key_where_published():
    s3 = {"s3MonitoringConfiguration": {"logUri": "s3://logs/emr/", "encryptionKeyArn": KEY}}
    cloudwatch = {"cloudwatchLoggingConfiguration": {"enabled": True, "logGroupName": "emr", "encryptionKeyArn": KEY}}
    for monitoring in (s3, cloudwatch, {**s3, **cloudwatch}):
        assert found(data_store_customer_managed_key, EMR_SERVERLESS, {**EMR_PROPS, "monitoringConfiguration": monitoring}) == []
    assert found(data_store_customer_managed_key, EMR_SERVERLESS, EMR_PROPS) == []  # publishes nowhere: nothing to judge
    [message] = found(data_store_customer_managed_key, EMR_SERVERLESS, {**EMR_PROPS, "monitoringConfiguration": {
        "s3MonitoringConfiguration": {"logUri": "s3://logs/emr/"}}})
    assert "monitoringConfiguration.s3MonitoringConfiguration.encryptionKeyArn is not set" in message
    assert found(data_store_customer_managed_key, EMR_SERVERLESS, {**EMR_PROPS, "monitoringConfiguration": {
        "cloudwatchLoggingConfiguration": {"enabled": True, "logGroupName": "emr"}}})
    assert found(data_store_customer_managed_key, EMR_SERVERLESS, {**EMR_PROPS, "monitoringConfiguration": {
        "cloudwatchLoggingConfiguration": {"enabled": False}}}) == []


def test_a_gateway_enforces_its_policy_engine_and_returns_generic_errors():
    from policies.rules.ml_network import bedrock_agentcore_gateway_generic_errors as generic_errors
    from policies.rules.ml_network import bedrock_agentcore_gateway_policy_enforced as policy_enforced

    assert_inputs_in_sdk(GATEWAY, ("policyEngineConfiguration", "mode", "arn", "exceptionLevel"))
    engine = "arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/tools-abc"
    gateway = {"name": "tools", "authorizerType": "AWS_IAM",
               "policyEngineConfiguration": {"arn": engine, "mode": "ENFORCE"}}
    assert found(policy_enforced, GATEWAY, gateway) == []
    assert found(policy_enforced, GATEWAY, {"name": "tools", "authorizerType": "AWS_IAM"}) == []  # no engine attached
    [message] = found(policy_enforced, GATEWAY, _with(gateway, "policyEngineConfiguration", "mode", value="LOG_ONLY"))
    assert "runs its policy engine in LOG_ONLY mode" in message
    assert found(policy_enforced, GATEWAY, {**gateway, "policyEngineConfiguration": [{"arn": engine, "mode": "log_only"}]})
    assert found(policy_enforced, GATEWAY, _with(gateway, "policyEngineConfiguration", "mode", value=UNKNOWN)) == []
    assert found(generic_errors, GATEWAY, gateway) == []
    [message] = found(generic_errors, GATEWAY, {**gateway, "exceptionLevel": "DEBUG"})
    assert "exceptionLevel DEBUG" in message
    assert found(generic_errors, GATEWAY, {**gateway, "exceptionLevel": UNKNOWN}) == []


def test_staging_lets_gateway_policies_and_errors_be_tried_out():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "policies" / "config"
    for name in ("bedrock-agentcore-gateway-policy-enforced", "bedrock-agentcore-gateway-generic-errors"):
        assert json.loads((root / "staging" / "security.json").read_text())[name] == {"enforcementLevel": "advisory"}
        assert name not in json.loads((root / "prod" / "security.json").read_text())  # prod: the pack's mandatory


def test_neptune_analytics_graphs_and_q_business_applications():
    from policies.rules.data_stores import data_store_deletion_protection, data_store_not_public

    graph = "aws:neptunegraph/graph:Graph"
    props = {"graphName": "kb-graph", "provisionedMemory": 16, "kmsKeyIdentifier": KEY, "publicConnectivity": False,
             "deletionProtection": True, "vectorSearchConfiguration": {"vectorSearchDimension": 1024}}
    for policy in (data_store_customer_managed_key, data_store_not_public, data_store_deletion_protection):
        assert found(policy, graph, props) == []
    assert "kmsKeyIdentifier is not set" in found(data_store_customer_managed_key, graph,
                                                  {k: v for k, v in props.items() if k != "kmsKeyIdentifier"})[0]
    assert "publicConnectivity is true" in found(data_store_not_public, graph, {**props, "publicConnectivity": True})[0]
    assert found(data_store_not_public, graph, {"graphName": "kb-graph"}) == []  # absent: not public
    assert found(data_store_deletion_protection, graph, {**props, "deletionProtection": False})
    assert found(data_store_deletion_protection, graph, {"graphName": "kb-graph"}) == []  # absent: protected
    q = "aws:qbusiness/application:Application"
    assert found(data_store_customer_managed_key, q, {"displayName": "q", "encryptionConfiguration": {"kmsKeyId": KEY}}) == []
    assert "encryptionConfiguration.kmsKeyId is not set" in found(data_store_customer_managed_key, q, {"displayName": "q"})[0]


def test_an_agentcore_memory_expires_conversations_within_the_limit():
    import json
    from pathlib import Path

    from policies.rules.agent_memory import bedrock_agentcore_memory_retention as retention

    memory = "aws:bedrock/agentcoreMemory:AgentcoreMemory"
    assert_inputs_in_sdk(memory, ("eventExpiryDuration",))
    props = {"name": "support_memory", "eventExpiryDuration": 30, "encryptionKeyArn": KEY}
    assert found(retention, memory, props) == []
    assert found(retention, memory, {**props, "eventExpiryDuration": 365.0}) == []  # the default limit; a float
    [message] = found(retention, memory, {**props, "eventExpiryDuration": 3650})
    assert "keeps conversation events for 3650 days (eventExpiryDuration); the limit is 365 days" in message
    prod = json.loads((Path(__file__).resolve().parent.parent / "policies/config/prod/privacy.json").read_text())
    limit = prod["bedrock-agentcore-memory-retention"]["maxEventExpiryDays"]
    assert found(retention, memory, {**props, "eventExpiryDuration": 120}, {"maxEventExpiryDays": limit})
    for value in (UNKNOWN, None, "soon"):
        assert found(retention, memory, {**props, "eventExpiryDuration": value}) == []


# --- pulumi-aws-native: AWS::BedrockAgentCore::* and AWS::Bedrock::Guardrail -----------------------------------------

def test_native_agentcore_and_guardrail_resources_are_judged_alike():
    pytest.importorskip("pulumi_aws_native")
    from policies.rules.agent_memory import bedrock_agentcore_memory_retention as retention
    from policies.rules.ml_network import bedrock_agentcore_gateway_generic_errors as generic_errors
    from policies.rules.ml_network import bedrock_agentcore_gateway_policy_enforced as policy_enforced
    from policies.rules.plaintext_secrets import no_plaintext_credential_inputs as credentials
    from policies.rules.plaintext_secrets import no_plaintext_secrets_in_environment as environment

    runtime, interpreter = "aws-native:bedrockagentcore:Runtime", "aws-native:bedrockagentcore:CodeInterpreterCustom"
    browser, gateway = "aws-native:bedrockagentcore:BrowserCustom", "aws-native:bedrockagentcore:Gateway"
    memory, guardrail = "aws-native:bedrockagentcore:Memory", "aws-native:bedrock:Guardrail"
    for type_, path in ((runtime, ("networkConfiguration", "networkMode", "networkModeConfig", "environmentVariables")),
                        (interpreter, ("networkConfiguration", "networkMode", "vpcConfig")),
                        (browser, ("networkConfiguration", "networkMode")),
                        (gateway, ("authorizerType", "exceptionLevel", "policyEngineConfiguration", "mode", "kmsKeyArn")),
                        (memory, ("eventExpiryDuration", "encryptionKeyArn")),
                        (guardrail, ("contentPolicyConfig", "filtersConfig", "sensitiveInformationPolicyConfig",
                                     "piiEntitiesConfig", "regexesConfig", "kmsKeyArn")),
                        ("aws-native:bedrockagentcore:ApiKeyCredentialProvider", ("apiKey",)),
                        ("aws-native:bedrockagentcore:OAuth2CredentialProvider",
                         ("oauth2ProviderConfigInput", "githubOauth2ProviderConfig", "clientSecret"))):
        assert_inputs_in_sdk(type_, path)
    assert found(ml_workload_in_vpc, runtime, {"networkConfiguration": {"networkMode": "VPC"}}) == []
    assert found(ml_workload_in_vpc, runtime, {"networkConfiguration": {"networkMode": "PUBLIC"}})
    assert found(ml_workload_in_vpc, interpreter, {"networkConfiguration": {"networkMode": "SANDBOX"}}) == []
    assert found(ml_workload_in_vpc, browser, {"networkConfiguration": {"networkMode": "PUBLIC"}})
    assert found(ml_workload_in_vpc, browser, {"networkConfiguration": {"networkMode": "PUBLIC"}},
                 {"allowPublicBrowsers": True}) == []
    assert found(gateway_authorization, gateway, {"authorizerType": "NONE"})
    assert found(policy_enforced, gateway, {"policyEngineConfiguration": {"arn": "arn:x", "mode": "LOG_ONLY"}})
    assert found(generic_errors, gateway, {"exceptionLevel": "DEBUG"})
    assert found(data_store_customer_managed_key, gateway, {"authorizerType": "AWS_IAM"})
    assert found(retention, memory, {"eventExpiryDuration": 3650})
    assert found(data_store_customer_managed_key, memory, {"eventExpiryDuration": 30})
    assert found(environment, runtime, {"environmentVariables": {"DB_PASSWORD": "hunter2hunter2"}})
    assert found(credentials, "aws-native:bedrockagentcore:ApiKeyCredentialProvider", {"apiKey": "sk-live-0123456789"})
    assert found(credentials, "aws-native:bedrockagentcore:OAuth2CredentialProvider", {"oauth2ProviderConfigInput": {
        "githubOauth2ProviderConfig": {"clientId": "Iv1.abc", "clientSecret": "0123456789abcdef0123"}}})
    native = {"kmsKeyArn": KEY,
              "contentPolicyConfig": {"filtersConfig": [{"type": "PROMPT_ATTACK", "inputStrength": "HIGH",
                                                         "outputStrength": "NONE"}]},
              "sensitiveInformationPolicyConfig": {"piiEntitiesConfig": [{"type": "EMAIL", "action": "ANONYMIZE"}]}}
    for policy in (prompt_attack, sensitive, data_store_customer_managed_key):
        assert found(policy, guardrail, native) == []
    assert found(prompt_attack, guardrail, _with(native, "contentPolicyConfig", "filtersConfig", value=[]))
    assert found(sensitive, guardrail, _with(native, "sensitiveInformationPolicyConfig", "piiEntitiesConfig",
                                             value=[{"type": "EMAIL", "action": "NONE"}]))
