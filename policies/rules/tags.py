"""Tags: the ownership and cost tags every taggable AWS resource carries, and the data
classification every data store declares. Provider ``defaultTags`` count."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from catalog.classification import CLASSIFICATION_TAG, CLASSIFICATIONS, is_data_store
from policies.rules._declare import ANY_TYPE, applies_to, config_schema, frameworks, policy_config
from policies.rules._props import is_unknown, resource_tags
from policies.rules._taggable import is_taggable

REQUIRED_TAGS_SCHEMA = config_schema(
    requiredTags={
        "type": "array", "items": {"type": "string"}, "default": ["owner", "cost-center", "environment"],
        "description": "Tag keys every taggable AWS resource must carry with a non-empty value.",
    },
)


def _missing(tags: dict, keys: list[str]) -> list[str]:
    return [key for key in keys
            if not (is_unknown(tags.get(key)) or (isinstance(tags.get(key), str) and tags[key].strip()))]


def _validate_required_tags(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not is_taggable(args.resource_type, args.props):
        return
    tags = resource_tags(args)
    if is_unknown(tags):
        return
    missing = _missing(tags, policy_config(args, REQUIRED_TAGS_SCHEMA)["requiredTags"])
    if missing:
        report_violation(f"Missing required tag(s): {', '.join(missing)}.")


required_tags = ResourceValidationPolicy(
    name="required-tags",
    description="Every taggable AWS resource carries the required tags (owner, cost-center, environment by "
                "default), on the resource or through the provider's defaultTags.",
    validate=applies_to(ANY_TYPE, _validate_required_tags),
    config_schema=REQUIRED_TAGS_SCHEMA,
    severity=Severity.LOW,
    remediation_steps="Set the tags on the resource, or once for all resources with the AWS provider's "
                      "default_tags (mlinfra stacks take them from the `tags` section of the stack config).",
    **frameworks({"nist-800-53": "CM-8", "gdpr": "Art. 30"}),
)


CLASSIFICATION_SCHEMA = config_schema(
    allowedClassifications={
        "type": "array", "items": {"type": "string"}, "default": list(CLASSIFICATIONS),
        "description": f"Values the {CLASSIFICATION_TAG} tag may take.",
    },
)


def _validate_classification(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not is_data_store(args.resource_type):
        return
    tags = resource_tags(args)
    if is_unknown(tags):
        return
    allowed = policy_config(args, CLASSIFICATION_SCHEMA)["allowedClassifications"]
    value = tags.get(CLASSIFICATION_TAG)
    if is_unknown(value):
        return
    if value is None:
        report_violation(f"Data store has no {CLASSIFICATION_TAG} tag; use one of {', '.join(allowed)}.")
    elif value not in allowed:
        report_violation(f"{CLASSIFICATION_TAG} is {value!r}; use one of {', '.join(allowed)}.")


data_store_classification = ResourceValidationPolicy(
    name="data-store-classification",
    description=f"Every data store (buckets, keys, tables, volumes, file systems, feature groups, model "
                f"registries, repositories...) has a {CLASSIFICATION_TAG} tag with an allowed value.",
    validate=applies_to(is_data_store, _validate_classification),
    config_schema=CLASSIFICATION_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps=f"Tag the data store with {CLASSIFICATION_TAG}: public, internal, confidential or restricted "
                      "(components.common.data_store_tags does this for mlinfra components).",
    **frameworks({"gdpr": "Art. 30, Art. 32(2)", "nist-800-53": "RA-2", "hipaa": "164.308(a)(1)(ii)(A)",
                  "pci-dss": "9.4.2"}),
)


SECURITY: list = []
PRIVACY = [data_store_classification]
COMPLIANCE = [required_tags]
