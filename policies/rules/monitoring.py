"""Model monitoring: where the pack configuration requires it (prod), every SageMaker endpoint that
captures data has a data-quality monitoring schedule on it.

A monitor is an ``aws.sagemaker.MonitoringSchedule`` of ``monitoringType: DataQuality`` that either
names an ``aws.sagemaker.DataQualityJobDefinition`` whose ``dataQualityJobInput.endpointInput``
is the endpoint, or carries an inline ``monitoringJobDefinition`` whose ``monitoringInputs`` include
the endpoint. Links are followed by value (names in a plan or state) and by property dependency (a
preview, where names are unknown). How monitoring jobs run (VPC, network isolation, inter-container
encryption, volume and output keys) is judged by the SageMaker table rules
(``policies/rules/sagemaker.py``), not here.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy, Severity

from policies.rules._declare import config_schema, examines, frameworks, policy_config
from policies.rules._index import ReferenceIndex, of_type
from policies.rules._props import as_bool, as_list, describe, get, is_unknown

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
DATA_QUALITY = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
#: pulumi-aws-native's AWS::SageMaker::Endpoint, EndpointConfig, DataQualityJobDefinition and MonitoringSchedule have
#: the same links (EndpointConfigName, DataQualityJobInput.EndpointInput.EndpointName, MonitoringScheduleConfig
#: .MonitoringJobDefinitionName, MonitoringJobDefinition.MonitoringInputs) and are named by ``endpointName``,
#: ``endpointConfigName``, ``jobDefinitionName`` (pulumi-aws-native 1.84 sagemaker/*.py).
ENDPOINTS = (ENDPOINT, "aws-native:sagemaker:Endpoint")
ENDPOINT_CONFIGS = (ENDPOINT_CONFIG, "aws-native:sagemaker:EndpointConfig")
DATA_QUALITY_DEFINITIONS = (DATA_QUALITY, "aws-native:sagemaker:DataQualityJobDefinition")
SCHEDULES = (SCHEDULE, "aws-native:sagemaker:MonitoringSchedule")

MONITOR_SCHEMA = config_schema(
    requireDataQualityMonitor={
        "type": "boolean", "default": False,
        "description": "Require a data-quality monitoring schedule on every endpoint that captures data; true in prod.",
    },
)


def _captures(config: PolicyResource) -> Any:
    """Whether an endpoint configuration captures traffic: True, False or ``UNKNOWN``."""
    capture = get(config.props, "dataCaptureConfig")
    if is_unknown(capture):
        return capture
    if not isinstance(capture, dict):
        return False
    enabled = as_bool(capture.get("enableCapture"))
    return True if enabled is None else enabled  # SageMaker's default is enabled


def _inline_endpoints(schedule: PolicyResource) -> Any:
    inputs = as_list(get(schedule.props, "monitoringScheduleConfig", "monitoringJobDefinition", "monitoringInputs"))
    if is_unknown(inputs):
        return None
    names = [get(item, "endpointInput", "endpointName") for item in inputs if isinstance(item, dict)]
    return next((n for n in names if isinstance(n, str)), None)


def _is_data_quality(schedule: PolicyResource) -> Any:
    kind = get(schedule.props, "monitoringScheduleConfig", "monitoringType")
    return True if is_unknown(kind) else kind == "DataQuality"


def _validate_monitored(args: StackValidationArgs, report: ReportViolation) -> None:
    if as_bool(policy_config(args, MONITOR_SCHEMA)["requireDataQualityMonitor"]) is not True:
        return
    resources = list(args.resources)
    endpoints_of = ReferenceIndex(resources, ENDPOINTS, "endpointConfigName")
    definitions_on = ReferenceIndex(resources, DATA_QUALITY_DEFINITIONS, "dataQualityJobInput",
                                    value=lambda r: get(r.props, "dataQualityJobInput", "endpointInput", "endpointName"))
    schedules_of = ReferenceIndex(resources, SCHEDULES, "monitoringScheduleConfig",
                                  value=lambda r: get(r.props, "monitoringScheduleConfig", "monitoringJobDefinitionName"))
    inline_on = ReferenceIndex(resources, SCHEDULES, "monitoringScheduleConfig", value=_inline_endpoints)
    # Each endpoint and job definition is judged once, whatever points at it: where names repeat
    # (copies of a stack's endpoints), every endpoint refers to every copy's definitions and schedules.
    definition_scheduled: dict[str, bool] = {}
    judged: set[str] = set()

    def scheduled(definition: PolicyResource) -> bool:
        if definition.urn not in definition_scheduled:
            definition_scheduled[definition.urn] = any(_is_data_quality(s) for s in schedules_of.referrers(
                definition, ("name", "id", "arn", "jobDefinitionName", "jobDefinitionArn")))
        return definition_scheduled[definition.urn]

    for config in of_type(resources, *ENDPOINT_CONFIGS):
        captures = _captures(config)
        if captures is not True:
            continue
        for endpoint in endpoints_of.referrers(config, ("name", "id", "endpointConfigName")):
            if endpoint.urn in judged:
                continue
            judged.add(endpoint.urn)
            if any(scheduled(d) for d in definitions_on.referrers(endpoint, ("name", "id", "endpointName"))):
                continue
            if not any(_is_data_quality(s) for s in inline_on.referrers(endpoint, ("name", "id", "endpointName"))):
                report(f"{describe(endpoint)} captures data (endpoint configuration {config.name!r}) but no "
                       "data-quality monitoring schedule watches it: drift would go unnoticed.", endpoint.urn)


sagemaker_endpoint_data_quality_monitor = StackValidationPolicy(
    name="sagemaker-endpoint-data-quality-monitor",
    description="Where required (prod), every SageMaker endpoint that captures data has a data-quality "
                "monitoring schedule comparing its traffic with a baseline.",
    validate=examines([*ENDPOINTS, *ENDPOINT_CONFIGS, *DATA_QUALITY_DEFINITIONS, *SCHEDULES], _validate_monitored),
    config_schema=MONITOR_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Add monitoring.dataQuality (a baseline's constraints and statistics) to the endpoint in the "
                      "stack file: EndpointMonitor creates the job definition and schedule. In another program, "
                      "create an aws.sagemaker.DataQualityJobDefinition on the endpoint and an "
                      "aws.sagemaker.MonitoringSchedule (monitoring_type DataQuality) that runs it.",
    **frameworks({"nist-800-53": "SI-4, CA-7", "pci-dss": "10.7.2"}),
)

SECURITY: list = []
PRIVACY: list = []
COMPLIANCE = [sagemaker_endpoint_data_quality_monitor]
