"""Amazon MQ brokers run a supported engine version: ``aws.mq.Broker`` and ``aws.mq.Configuration``
``engineType`` and ``engineVersion`` (``5.18``, ``3.13``: major.minor, patched by AWS when
``autoMinorVersionUpgrade``; a full ``5.17.6`` is judged by its first two numbers). Versions older than
the minimum per engine (ActiveMQ 5.17, RabbitMQ 3.11 by default: the Checkov CKV_AWS_208 floor; Amazon
MQ's "Supported engines" pages list what AWS still patches) no longer get security fixes.
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._props import describe, get, is_unknown

BROKER_TYPES = ("aws:mq/broker:Broker", "aws:mq/configuration:Configuration")
_VERSION = re.compile(r"^\s*(\d+)\.(\d+)")
VERSION_SCHEMA = config_schema(
    minimumVersions={
        "type": "object", "additionalProperties": {"type": "string"},
        "default": {"ActiveMQ": "5.17", "RabbitMQ": "3.11"},
        "description": "The oldest engine version (major.minor) allowed per engine type.",
    },
)


def _major_minor(text: Any) -> Any:
    match = _VERSION.match(text) if isinstance(text, str) else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def _version(args: ResourceValidationArgs, report: ReportViolation) -> None:
    engine, version = get(args.props, "engineType"), get(args.props, "engineVersion")
    if is_unknown(engine) or is_unknown(version) or not isinstance(engine, str):
        return
    minimums = policy_config(args, VERSION_SCHEMA)["minimumVersions"]
    minimum_text = next((value for key, value in (minimums or {}).items() if str(key).lower() == engine.lower()), None)
    found, minimum = _major_minor(version), _major_minor(minimum_text)
    if found is None or minimum is None:
        return
    if found < minimum:
        report(f"{describe(args)} runs {engine} {version}, older than {minimum_text}: the engine no longer gets "
               "security fixes")


mq_broker_supported_version = ResourceValidationPolicy(
    name="mq-broker-supported-version",
    description="Amazon MQ brokers and configurations use a supported engine version (ActiveMQ 5.17+, RabbitMQ 3.11+ "
                "by default).",
    validate=applies_to(BROKER_TYPES, _version),
    config_schema=VERSION_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Set engine_version to a current major.minor (e.g. '5.18' for ActiveMQ, '3.13' for RabbitMQ) "
                      "with auto_minor_version_upgrade=True, and upgrade the broker in a maintenance window.",
    **frameworks({"nist-800-53": "SI-2", "pci-dss": "6.3.3"}),
)

SECURITY = [mq_broker_supported_version]
PRIVACY: list = []
COMPLIANCE: list = []
