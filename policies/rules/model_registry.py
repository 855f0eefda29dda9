"""The model registry decides what may be deployed: its group policies must name their readers,
and (where configured, prod) SageMaker models must deploy model packages, which carry an approval
status, rather than a raw image and artifact that bypass approval."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._principals import no_wildcard_principal
from policies.rules._props import as_bool, as_list, describe, get, is_unknown

GROUP_POLICY = "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy"
MODEL = "aws:sagemaker/model:Model"
#: pulumi-aws-native's AWS::SageMaker::ModelPackageGroup holds its policy inline (``modelPackageGroupPolicy``, an
#: object); AWS::SageMaker::Model has the same PrimaryContainer/Containers[].ModelPackageName (1.84).
NATIVE_GROUP = "aws-native:sagemaker:ModelPackageGroup"
MODELS = (MODEL, "aws-native:sagemaker:Model")


_group_policy_principals = no_wildcard_principal(
    ("resourcePolicy", "modelPackageGroupPolicy"),
    invalid="{resource} has a resourcePolicy that is not valid JSON",
    allowed="{resource}: statement {sid!r} allows principal '*' ({actions}); name the reader accounts",
)


model_package_group_policy_no_wildcard_principal = ResourceValidationPolicy(
    name="model-package-group-policy-no-wildcard-principal",
    description="SageMaker model package group policies must name the accounts they allow, never '*'.",
    validate=applies_to([GROUP_POLICY, NATIVE_GROUP], _group_policy_principals),
    severity=Severity.HIGH,
    remediation_steps="Grant read (DescribeModelPackage, DescribeModelPackageGroup, ListModelPackages) to "
                      "'arn:aws:iam::<account>:root' of each reader account instead of '*'.",
    **frameworks({"nist-800-53": "AC-3", "pci-dss": "7.2.1"}),
)

MODEL_PACKAGE_SCHEMA = config_schema(
    requireModelPackages={
        "type": "boolean", "default": False,
        "description": "Require every SageMaker model container to deploy a model package (modelPackageName) "
                       "instead of a raw image and model artifact; true in prod.",
    },
)


def _container_problems(container: object) -> list[str]:
    """Why one container bypasses approval; empty when it deploys a model package (or is unknown)."""
    if is_unknown(container) or not isinstance(container, dict):
        return []
    package = container.get("modelPackageName")
    if is_unknown(package):
        return []
    if not package:
        raw = [key for key in ("image", "modelDataUrl", "modelDataSource") if container.get(key)]
        return [f"deploys {' and '.join(raw) if raw else 'no model package'} instead of a modelPackageName"]
    extra = [key for key in ("image", "modelDataUrl", "modelDataSource") if container.get(key)]
    return [f"sets {', '.join(extra)} alongside modelPackageName"] if extra else []


def _deploys_model_packages(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if as_bool(policy_config(args, MODEL_PACKAGE_SCHEMA)["requireModelPackages"]) is not True:
        return
    containers = []
    primary = get(args.props, "primaryContainer")
    if primary is not None:
        containers.append(("primaryContainer", primary))
    listed = as_list(get(args.props, "containers"))
    if is_unknown(listed):
        return
    containers += [(f"containers[{index}]", container) for index, container in enumerate(listed)]
    if not containers and not is_unknown(primary):
        report(f"{describe(args)} declares no container: deploy an approved model package")
    for where, container in containers:
        for problem in _container_problems(container):
            report(f"{describe(args)}: {where} {problem}; deploy an Approved model package so approval "
                   "gates what runs")


sagemaker_model_uses_model_package = ResourceValidationPolicy(
    name="sagemaker-model-uses-model-package",
    description="Where required (prod), SageMaker models deploy registered model packages, which carry an "
                "approval status, rather than raw container images and model artifacts.",
    validate=applies_to(MODELS, _deploys_model_packages),
    config_schema=MODEL_PACKAGE_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Register the model version in its model package group, approve it, and set "
                      "primary_container={'model_package_name': <versioned package ARN>} on aws.sagemaker.Model "
                      "(components.registry.promotion.resolve_model_package returns it); drop image and "
                      "model_data_url.",
    **frameworks({"nist-800-53": "CM-3", "pci-dss": "6.5.1"}),
)

SECURITY = [model_package_group_policy_no_wildcard_principal]
PRIVACY: list = []
COMPLIANCE = [sagemaker_model_uses_model_package]
