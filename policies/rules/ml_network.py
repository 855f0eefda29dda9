"""Network exposure of the ML and generative-AI services generic scanners do not know: where their
compute runs, and who can reach the endpoints they open.

- ``ml-workload-in-vpc``: Bedrock AgentCore agent runtimes, code interpreters and browsers, Bedrock batch
  inference jobs and EMR Serverless applications run in the VPC. AgentCore's ``networkConfiguration.networkMode``
  is ``PUBLIC`` or ``VPC`` (a code interpreter also ``SANDBOX``: no network at all), required (botocore
  bedrock-agentcore-control ``NetworkMode``, ``CodeInterpreterNetworkMode``, ``BrowserNetworkMode``; pulumi-aws 7
  bedrock/_inputs.py "Valid values: `PUBLIC`, `VPC`" and "`PUBLIC`, `SANDBOX`, `VPC`"). ``PUBLIC`` egresses to the
  internet from AWS's network, past the VPC's security groups, firewall and flow logs: an agent or the code it
  writes can send what it reads anywhere. A batch inference job's ``vpcConfig`` ("The configuration of the Virtual
  Private Cloud (VPC) for the data in the batch inference job", botocore bedrock ``CreateModelInvocationJobRequest``;
  ``subnetIds`` and ``securityGroupIds`` both required in ``VpcConfig``) and an EMR Serverless application's
  ``networkConfiguration`` ("The network configuration for customer VPC connectivity", botocore emr-serverless
  ``CreateApplicationRequest``; ``subnetIds``, ``securityGroupIds``) are absent by default: then the job reads its
  data from outside the VPC. A Bedrock custom model's customization (fine-tuning) job likewise: ``vpcConfig``, "The
  configuration of the Virtual Private Cloud (VPC) that contains the resources that you're using for this job"
  (botocore bedrock ``CreateModelCustomizationJobRequest``). Comprehend custom classifiers and entity recognizers
  train on documents in S3 the same way: ``vpcConfig`` ``subnets`` and ``securityGroupIds``, "an optional private
  Virtual Private Cloud (VPC) containing the resources you are using for your custom classifier" (botocore
  comprehend ``CreateDocumentClassifierRequest``, ``CreateEntityRecognizerRequest``); absent, the training job runs
  outside the VPC. An AgentCore harness judges the runtime environments it writes: each
  ``environments[].agentcoreRuntimeEnvironments[].networkConfigurations[].networkMode`` is ``VPC`` (pulumi-aws 7
  bedrock/_inputs.py ``AgentcoreHarnessEnvironmentAgentcoreRuntimeEnvironmentNetworkConfiguration``; absent, the
  harness's environment is not known from the program and is not judged).
- ``bedrock-agentcore-gateway-authorization``: an AgentCore gateway (the MCP endpoint that fronts an agent's
  tools) has an inbound authorizer: ``authorizerType`` ``CUSTOM_JWT``, ``AWS_IAM`` or ``AUTHENTICATE_ONLY``, never
  ``NONE`` ("NONE - No authorization", botocore bedrock-agentcore-control ``CreateGatewayRequest``; required).
- ``bedrock-agentcore-gateway-policy-enforced``: a gateway's policy engine (Cedar policies over each tool call)
  enforces its decisions: ``policyEngineConfiguration.mode`` ``ENFORCE``, not ``LOG_ONLY`` ("evaluates each action
  against your policies and adds traces on whether tool calls would be allowed or denied, but does not enforce the
  decision", botocore ``GatewayPolicyEngineConfiguration``; required when the block is written).
- ``bedrock-agentcore-gateway-generic-errors``: ``exceptionLevel`` is not ``DEBUG`` ("If the value is DEBUG, granular
  exception messages are returned ... If the value is omitted, a generic error message is returned to the end user",
  botocore ``CreateGatewayRequest``): detailed errors tell a caller about the tools and targets behind the gateway.
- ``sagemaker-workforce-source-ip-restricted``: a private labeling workforce's portal admits workers only from
  listed CIDRs (``sourceIpConfig.cidrs``); "By default, a workforce isn't restricted to specific IP addresses"
  (botocore sagemaker ``SourceIpConfig``), and ``0.0.0.0/0`` is no restriction either. Labelers see the raw
  training data.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._props import as_bool, as_list, describe, get, is_unknown, single, walk

RUNTIME = "aws:bedrock/agentcoreAgentRuntime:AgentcoreAgentRuntime"
CODE_INTERPRETER = "aws:bedrock/agentcoreCodeInterpreter:AgentcoreCodeInterpreter"
BROWSER = "aws:bedrock/agentcoreBrowser:AgentcoreBrowser"
INVOCATION_JOB = "aws:bedrockmodel/invocationJob:InvocationJob"
CUSTOM_MODEL = "aws:bedrock/customModel:CustomModel"
EMR_SERVERLESS = "aws:emrserverless/application:Application"
HARNESS = "aws:bedrock/agentcoreHarness:AgentcoreHarness"
COMPREHEND_MODELS = ("aws:comprehend/documentClassifier:DocumentClassifier",
                     "aws:comprehend/entityRecognizer:EntityRecognizer")
GATEWAY = "aws:bedrock/agentcoreGateway:AgentcoreGateway"
WORKFORCE = "aws:sagemaker/workforce:Workforce"
#: pulumi-aws-native's AWS::BedrockAgentCore::Runtime, CodeInterpreterCustom, BrowserCustom and Gateway: the same
#: inputs (networkConfiguration.networkMode with the same values, authorizerType, exceptionLevel,
#: policyEngineConfiguration.mode; pulumi-aws-native 1.84 bedrockagentcore/_enums.py, _inputs.py).
NATIVE_RUNTIME = "aws-native:bedrockagentcore:Runtime"
NATIVE_CODE_INTERPRETER = "aws-native:bedrockagentcore:CodeInterpreterCustom"
NATIVE_BROWSER = "aws-native:bedrockagentcore:BrowserCustom"
GATEWAYS = (GATEWAY, "aws-native:bedrockagentcore:Gateway")
BROWSERS = (BROWSER, NATIVE_BROWSER)


def _block(props: Any, name: str) -> Any:
    """A nested block, written as an object or a list of one."""
    return single(get(props, name))


# --- ml-workload-in-vpc -----------------------------------------------------------------------------------------

VPC_SCHEMA = config_schema(
    allowPublicBrowsers={
        "type": "boolean", "default": False,
        "description": "Let AgentCore browsers use the PUBLIC network mode (browsing the internet without the VPC's "
                       "egress controls); agent runtimes and code interpreters are judged regardless.",
    },
)

#: Network modes that keep the workload off the internet: the VPC, or (code interpreters) no network at all.
_CONTAINED = {RUNTIME: ("VPC",), CODE_INTERPRETER: ("VPC", "SANDBOX"), BROWSER: ("VPC",),
              NATIVE_RUNTIME: ("VPC",), NATIVE_CODE_INTERPRETER: ("VPC", "SANDBOX"), NATIVE_BROWSER: ("VPC",)}


def _network_mode(args: ResourceValidationArgs) -> Optional[str]:
    config = _block(args.props, "networkConfiguration")
    mode = get(config, "networkMode") if isinstance(config, dict) else config
    if is_unknown(mode):
        return None
    if isinstance(mode, str) and mode.upper() in _CONTAINED[args.resource_type]:
        return None
    if args.resource_type in BROWSERS and mode is not None \
            and as_bool(policy_config(args, VPC_SCHEMA)["allowPublicBrowsers"]) is True:
        return None
    allowed = " or ".join(_CONTAINED[args.resource_type])
    shown = f"is {mode}" if isinstance(mode, str) and mode else "is not set"
    return (f"networkConfiguration.networkMode {shown}, expected {allowed}: it reaches the internet from AWS's "
            "network, past the VPC's security groups, firewall and flow logs")


def _subnets_and_groups(name: str, subnets: str) -> Callable[[ResourceValidationArgs], Optional[str]]:
    def judge(args: ResourceValidationArgs) -> Optional[str]:
        config = _block(args.props, name)
        if is_unknown(config):
            return None
        found = [as_list(get(config, key)) if isinstance(config, dict) else [] for key in (subnets, "securityGroupIds")]
        if any(is_unknown(value) for value in found) or all(found):
            return None
        return (f"has no {name} with {subnets} and securityGroupIds: it reads and writes its data from outside the "
                "VPC")
    return judge


def _harness_network_modes(args: ResourceValidationArgs) -> Optional[str]:
    path = ("environments", "*", "agentcoreRuntimeEnvironments", "*", "networkConfigurations", "*", "networkMode")
    public = [f"{where} is {mode}" for where, mode in walk(_lists(get(args.props)), path)
              if isinstance(mode, str) and not is_unknown(mode) and mode.upper() != "VPC"]
    if not public:
        return None
    return (f"runs its agent in a runtime environment outside the VPC ({'; '.join(public)}, expected VPC): it reaches "
            "the internet from AWS's network, past the VPC's security groups, firewall and flow logs")


def _lists(value: Any) -> Any:
    """Blocks written as one object read as a list of one (so ``walk``'s ``*`` steps into them)."""
    if isinstance(value, dict):
        return {key: [_lists(item)] if isinstance(item, dict) else _lists(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_lists(item) for item in value]
    return value


_JUDGES: dict[str, Callable[[ResourceValidationArgs], Optional[str]]] = {
    **{type_: _network_mode for type_ in _CONTAINED},
    INVOCATION_JOB: _subnets_and_groups("vpcConfig", "subnetIds"),
    CUSTOM_MODEL: _subnets_and_groups("vpcConfig", "subnetIds"),
    EMR_SERVERLESS: _subnets_and_groups("networkConfiguration", "subnetIds"),
    **{type_: _subnets_and_groups("vpcConfig", "subnets") for type_ in COMPREHEND_MODELS},
    HARNESS: _harness_network_modes,
}


def _in_vpc(args: ResourceValidationArgs, report: ReportViolation) -> None:
    message = _JUDGES[args.resource_type](args)
    if message:
        report(f"{describe(args)} {message}")


ml_workload_in_vpc = ResourceValidationPolicy(
    name="ml-workload-in-vpc",
    description="Bedrock AgentCore agent runtimes, code interpreters and browsers use the VPC network mode (a code "
                "interpreter may be SANDBOX), and Bedrock batch inference and model customization jobs, EMR "
                "Serverless applications and Comprehend custom models name VPC subnets and security groups; an "
                "AgentCore harness's runtime environments use the VPC network mode.",
    validate=applies_to(sorted(_JUDGES), _in_vpc),
    config_schema=VPC_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Set network_configuration={'network_mode': 'VPC', 'network_mode_config': {'subnets': [...], "
                      "'security_groups': [...]}} on an AgentcoreAgentRuntime (vpc_config on a code interpreter or "
                      "browser; network_mode='SANDBOX' for a code interpreter that needs no network), vpc_config "
                      "{subnet_ids, security_group_ids} on an aws.bedrockmodel.InvocationJob or aws.bedrock.CustomModel "
                      "and network_configuration "
                      "{subnet_ids, security_group_ids} on an aws.emrserverless.Application (vpc_config {subnets, "
                      "security_group_ids} on a Comprehend DocumentClassifier or EntityRecognizer), with private subnets whose "
                      "egress goes through the VPC's NAT, firewall and endpoints.",
    **frameworks({"nist-800-53": "SC-7, AC-4", "pci-dss": "1.3.1", "hipaa": "164.312(e)(1)", "gdpr": "Art. 32(1)(b)"}),
)


# --- bedrock-agentcore-gateway-authorization ----------------------------------------------------------------------

def _gateway_authorizer(args: ResourceValidationArgs, report: ReportViolation) -> None:
    kind = get(args.props, "authorizerType")
    if isinstance(kind, str) and kind.strip().upper() == "NONE":
        report(f"{describe(args)} has authorizerType NONE: anyone who finds its URL can list and call the tools "
               "behind it (Lambda functions, APIs, MCP servers) with the gateway's own credentials")


bedrock_agentcore_gateway_authorization = ResourceValidationPolicy(
    name="bedrock-agentcore-gateway-authorization",
    description="Bedrock AgentCore gateways authorize inbound calls: authorizerType CUSTOM_JWT, AWS_IAM or "
                "AUTHENTICATE_ONLY, never NONE.",
    validate=applies_to(GATEWAYS, _gateway_authorizer),
    severity=Severity.CRITICAL,
    remediation_steps="Set authorizer_type='CUSTOM_JWT' with an authorizer_configuration.custom_jwt_authorizer "
                      "(discovery_url, allowed_audiences or allowed_clients) of your identity provider, or "
                      "authorizer_type='AWS_IAM' so callers sign with SigV4 and need bedrock-agentcore:InvokeGateway.",
    **frameworks({"nist-800-53": "AC-3, IA-2, SC-7", "pci-dss": "8.2.1", "hipaa": "164.312(d)",
                  "gdpr": "Art. 32(1)(b)"}),
)


def _policy_enforced(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = _block(args.props, "policyEngineConfiguration")
    mode = get(config, "mode") if isinstance(config, dict) else None
    if isinstance(mode, str) and not is_unknown(mode) and mode.strip().upper() == "LOG_ONLY":
        report(f"{describe(args)} runs its policy engine in LOG_ONLY mode (policyEngineConfiguration.mode): tool calls "
               "its policies deny are logged and then made")


bedrock_agentcore_gateway_policy_enforced = ResourceValidationPolicy(
    name="bedrock-agentcore-gateway-policy-enforced",
    description="Bedrock AgentCore gateways that attach a policy engine enforce it (policyEngineConfiguration.mode "
                "ENFORCE, not LOG_ONLY).",
    validate=applies_to(GATEWAYS, _policy_enforced),
    severity=Severity.HIGH,
    remediation_steps="Set policy_engine_configuration.mode='ENFORCE' once the policies have been validated in "
                      "LOG_ONLY mode (in a non-production stage, where this rule is advisory).",
    **frameworks({"nist-800-53": "AC-3, AC-6", "pci-dss": "7.2.1", "gdpr": "Art. 32(1)(b)"}),
)


def _generic_errors(args: ResourceValidationArgs, report: ReportViolation) -> None:
    level = get(args.props, "exceptionLevel")
    if isinstance(level, str) and not is_unknown(level) and level.strip().upper() == "DEBUG":
        report(f"{describe(args)} returns granular exception messages to its callers (exceptionLevel DEBUG): they "
               "describe the targets, tools and credentials behind the gateway")


bedrock_agentcore_gateway_generic_errors = ResourceValidationPolicy(
    name="bedrock-agentcore-gateway-generic-errors",
    description="Bedrock AgentCore gateways return generic error messages to callers (exceptionLevel not DEBUG).",
    validate=applies_to(GATEWAYS, _generic_errors),
    severity=Severity.LOW,
    remediation_steps="Leave exception_level unset outside debugging; read the gateway's detailed errors in its "
                      "CloudWatch logs instead.",
    **frameworks({"nist-800-53": "SI-11"}),
)


# --- sagemaker-workforce-source-ip-restricted -----------------------------------------------------------------------

_OPEN = {"0.0.0.0/0", "::/0"}


def _workforce_ips(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = _block(args.props, "sourceIpConfig")
    cidrs = as_list(get(config, "cidrs")) if isinstance(config, dict) else ([] if config is None else config)
    if is_unknown(config) or is_unknown(cidrs) or any(is_unknown(cidr) for cidr in as_list(cidrs)):
        return
    cidrs = [cidr.strip() for cidr in as_list(cidrs) if isinstance(cidr, str)]
    if not cidrs:
        report(f"{describe(args)} has no sourceIpConfig.cidrs: workers sign in to the labeling portal, and see the "
               "data they label, from any IP address")
    elif _OPEN & set(cidrs):
        report(f"{describe(args)} admits workers from {', '.join(sorted(_OPEN & set(cidrs)))} "
               "(sourceIpConfig.cidrs): the labeling portal is open to every IP address")


sagemaker_workforce_source_ip_restricted = ResourceValidationPolicy(
    name="sagemaker-workforce-source-ip-restricted",
    description="SageMaker private labeling workforces admit workers only from listed CIDR ranges "
                "(sourceIpConfig.cidrs, none of them 0.0.0.0/0).",
    validate=applies_to((WORKFORCE,), _workforce_ips),
    severity=Severity.MEDIUM,
    remediation_steps="Set source_ip_config={'cidrs': [...]} to the office or VPN egress ranges (up to ten) the "
                      "labelers work from.",
    **frameworks({"nist-800-53": "AC-3, SC-7", "pci-dss": "1.3.1", "hipaa": "164.312(a)(1)",
                  "gdpr": "Art. 32(1)(b)"}),
)

SECURITY = [ml_workload_in_vpc, bedrock_agentcore_gateway_authorization, bedrock_agentcore_gateway_policy_enforced,
            bedrock_agentcore_gateway_generic_errors, sagemaker_workforce_source_ip_restricted]
PRIVACY: list = []
COMPLIANCE: list = []
