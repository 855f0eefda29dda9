"""API Gateway REST and WebSocket stages log their executions. A REST stage: an ``aws.apigateway.MethodSettings``
for the stage sets ``settings.loggingLevel`` ``ERROR`` or ``INFO`` (the default is ``OFF``: no execution logs, only
the access log ``apigateway-stage-access-logs`` asks for).

A method settings resource is the stage's when its ``stageName`` depends on the stage (a preview, or
``stage_name=stage.stage_name``), or its ``restApi`` and ``stageName`` equal the stage's. Any method
path counts (``*/*`` covers every method). Checkov CKV2_AWS_4 (which also wants ``metricsEnabled``, a
monitoring setting, not judged here).

WebSocket APIs log executions per stage too: an ``aws.apigatewayv2.Stage`` (or pulumi-aws-native's) of an
``aws.apigatewayv2.Api`` of the stack whose ``protocolType`` is ``WEBSOCKET`` (the stage's ``apiId`` names it, or depends on it) sets
``defaultRouteSettings.loggingLevel`` or a ``routeSettings`` item's ``loggingLevel`` to ``ERROR`` or ``INFO``:
"Defaults to `OFF`. Supported only for WebSocket APIs" (pulumi-aws 7 apigatewayv2/_inputs.py), so an HTTP API's
stage, which has no execution logs, is not judged (KICS's Pulumi query flags it).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from policies.rules._declare import examines, frameworks
from policies.rules._index import IdentifierIndex, of_type, stack_resources
from policies.rules._props import UNKNOWN, as_list, get, is_unknown, single

STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
LOGGING = ("ERROR", "INFO")
#: pulumi-aws-native's AWS::ApiGateway::Stage declares its method settings inline: ``methodSettings[]`` with
#: ``loggingLevel`` (pulumi-aws-native 1.84 apigateway/stage.py).
NATIVE_STAGE = "aws-native:apigateway:Stage"
V2_STAGE = "aws:apigatewayv2/stage:Stage"
V2_API = "aws:apigatewayv2/api:Api"
#: pulumi-aws-native's AWS::ApiGatewayV2::Stage takes the same ``apiId`` and ``defaultRouteSettings``; its
#: ``routeSettings`` is CloudFormation's raw JSON, an object of route key -> settings (``LoggingLevel``), and its Api
#: the same ``protocolType`` (pulumi-aws-native 1.84 apigatewayv2/stage.py, api.py).
V2_STAGES = (V2_STAGE, "aws-native:apigatewayv2:Stage")
V2_APIS = (V2_API, "aws-native:apigatewayv2:Api")


def _depends_on(resource: PolicyResource, key: str) -> set[str]:
    return {getattr(d, "urn", d) for d in (resource.property_dependencies or {}).get(key) or []}


def _same(stage: PolicyResource, settings: PolicyResource, key: str) -> bool:
    mine, theirs = get(stage.props, key), get(settings.props, key)
    if isinstance(mine, str) and isinstance(theirs, str) and not is_unknown(mine) and mine == theirs:
        return True
    shared = _depends_on(stage, key) & _depends_on(settings, key)
    return bool(shared)


def _for_stage(stage: PolicyResource, settings: PolicyResource) -> bool:
    if stage.urn in _depends_on(settings, "stageName"):
        return True
    return _same(stage, settings, "stageName") and _same(stage, settings, "restApi")


def _block_level(block: Any, names: tuple[str, ...] = ("loggingLevel",)) -> Any:
    """A settings block's logging level (the first of ``names`` it has), upper case, ``OFF`` when unset; None when the
    block or its level is not known yet."""
    if is_unknown(block):
        return None
    level = next((block[name] for name in names if name in block), None) if isinstance(block, dict) else None
    return None if is_unknown(level) else (str(level).upper() if level else "OFF")


def _level(settings: PolicyResource) -> Any:
    return _block_level(single(get(settings.props, "settings")))


def _native_levels(stage: PolicyResource) -> list[Any]:
    settings = as_list(get(stage.props, "methodSettings"))
    return [None] if is_unknown(settings) else [_block_level(item) for item in settings]


def _websocket_api(stage: PolicyResource, apis: IdentifierIndex, by_urn: dict[str, PolicyResource]) -> bool:
    """Whether the stage's API is a WebSocket API of the stack (not if its protocol is unknown or it is declared
    elsewhere)."""
    api = next((by_urn[urn] for urn in _depends_on(stage, "apiId") if urn in by_urn), None) or \
        apis.find(get(stage.props, "apiId"))
    protocol = get(api.props, "protocolType") if api is not None else None
    return isinstance(protocol, str) and not is_unknown(protocol) and protocol.upper() == "WEBSOCKET"


def _route_levels(stage: PolicyResource) -> list[Any]:
    """The logging levels of a v2 stage's default route and of each route it sets (None where unknown)."""
    routes = get(stage.props, "routeSettings")
    routes = list(routes.values()) if isinstance(routes, dict) else as_list(routes)  # aws-native: key -> settings
    blocks = [single(get(stage.props, "defaultRouteSettings")), *([UNKNOWN] if is_unknown(routes) else routes)]
    return [_block_level(block, ("loggingLevel", "LoggingLevel")) for block in blocks]


def _websocket_logging(resources: list[PolicyResource], report: ReportViolation) -> None:
    stages = of_type(resources, *V2_STAGES)
    api_list = of_type(resources, *V2_APIS) if stages else []
    apis, by_urn = IdentifierIndex(api_list, V2_APIS, ("id", "apiId")), {api.urn: api for api in api_list}
    for stage in stages:
        if not _websocket_api(stage, apis, by_urn):
            continue
        levels = _route_levels(stage)
        if None in levels or any(level in LOGGING for level in levels):
            continue
        report(f"{stage.resource_type} {stage.name!r} of a WebSocket API writes no execution logs: neither "
               "defaultRouteSettings nor any routeSettings item sets loggingLevel ERROR or INFO (the default is OFF)",
               stage.urn)


def _execution_logging(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = stack_resources(args)
    _websocket_logging(resources, report)
    for stage in of_type(resources, NATIVE_STAGE):
        levels = _native_levels(stage)
        if None in levels or any(level in LOGGING for level in levels):
            continue
        why = (f"its methodSettings log at {', '.join(sorted(set(levels)))}" if levels
               else "no methodSettings entry sets a loggingLevel (the default is OFF)")
        report(f"{NATIVE_STAGE} {stage.name!r} writes no execution logs: {why}", stage.urn)
    stages = of_type(resources, STAGE)
    if not stages:
        return
    all_settings = of_type(resources, METHOD_SETTINGS)
    for stage in stages:
        levels = [_level(settings) for settings in all_settings if _for_stage(stage, settings)]
        if None in levels or any(level in LOGGING for level in levels):
            continue
        why = (f"its method settings log at {', '.join(sorted(set(levels)))}" if levels
               else "no aws.apigateway.MethodSettings sets a logging level for it (the default is OFF)")
        report(f"{STAGE} {stage.name!r} writes no execution logs: {why}", stage.urn)


apigateway_execution_logging = StackValidationPolicy(
    name="apigateway-execution-logging",
    description="API Gateway REST and WebSocket stages write execution logs (method or route settings with "
                "loggingLevel ERROR or INFO).",
    validate=examines((STAGE, METHOD_SETTINGS, NATIVE_STAGE, *V2_STAGES, *V2_APIS), _execution_logging),
    severity=Severity.MEDIUM,
    remediation_steps="Add an aws.apigateway.MethodSettings with rest_api, stage_name=stage.stage_name, "
                      "method_path='*/*' and settings={'logging_level': 'ERROR', 'metrics_enabled': True} (the "
                      "account needs an aws.apigateway.Account with a CloudWatch role); on a WebSocket API's "
                      "aws.apigatewayv2.Stage, default_route_settings={'logging_level': 'ERROR'}.",
    **frameworks({"nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1", "hipaa": "164.312(b)"}),
)

SECURITY: list = []
PRIVACY: list = []
COMPLIANCE = [apigateway_execution_logging]
