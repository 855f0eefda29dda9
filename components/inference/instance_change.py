"""Instance-type changes of autoscaled endpoint variants: refused at plan time, with the procedure.

SageMaker refuses ``UpdateEndpoint`` when the new endpoint configuration changes the instance type
of a variant that is registered as an Application Auto Scaling scalable target ("Update an endpoint
that uses auto scaling", SageMaker developer guide: deregister the variant first). Pulumi cannot
sequence that in one update: the endpoint is updated before the old scalable target is deleted. So
the program compares what it plans with what is deployed and stops, before any resource changes,
with the two deployments that do work. Model-only changes, count changes and new endpoints pass.

What is deployed comes from AWS itself (``deployed_variants``: DescribeEndpoint,
DescribeEndpointConfig, DescribeScalableTargets) while the program runs under ``pulumi preview`` or
``up``, before any resource is declared; an offline plan has no account to ask and passes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

import pulumi

SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


@dataclass(frozen=True)
class DeployedVariant:
    """A production variant as deployed: its instance type (None: serverless) and whether it is scaled."""

    name: str
    instance_type: Optional[str]
    autoscaled: bool


class InstanceTypeChangeRefused(pulumi.RunError, ValueError):
    """An autoscaled variant's instance type would change in one update, which SageMaker refuses."""


class DeployedStateUnreadable(pulumi.RunError, ValueError):
    """The deployed endpoint could not be read (credentials, permissions, network)."""


def deployed_variants(endpoint_name: str, *, sagemaker: Any, autoscaling: Any) -> dict[str, DeployedVariant]:
    """The deployed endpoint's production variants by name; empty if the endpoint does not exist."""
    from botocore.exceptions import BotoCoreError, ClientError  # only when AWS is asked: not in an offline plan

    try:
        try:
            endpoint = sagemaker.describe_endpoint(EndpointName=endpoint_name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ValidationException":
                return {}  # "Could not find endpoint": nothing deployed yet
            raise
        config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
        resource_ids = [f"endpoint/{endpoint_name}/variant/{v['VariantName']}" for v in config["ProductionVariants"]]
        targets = autoscaling.describe_scalable_targets(
            ServiceNamespace="sagemaker", ResourceIds=resource_ids, ScalableDimension=SCALABLE_DIMENSION)
    except (ClientError, BotoCoreError) as exc:
        raise DeployedStateUnreadable(
            f"cannot read the deployed endpoint {endpoint_name!r} to check instance-type changes: {exc}") from None
    scaled = {t["ResourceId"] for t in targets.get("ScalableTargets", [])}
    return {v["VariantName"]: DeployedVariant(v["VariantName"], v.get("InstanceType"),
                                              f"endpoint/{endpoint_name}/variant/{v['VariantName']}" in scaled)
            for v in config["ProductionVariants"]}


def refuse_instance_type_changes(endpoint_name: str, planned: Mapping[str, Optional[str]],
                                 deployed: Mapping[str, DeployedVariant], *, setting: str = "instanceType") -> None:
    """Raise ``InstanceTypeChangeRefused`` if a variant registered for autoscaling would change type.

    ``planned`` maps variant names to the instance types the program declares. The message names the
    variant, both types and the two deployments that make the change.
    """
    for name, new_type in planned.items():
        current = deployed.get(name)
        if current is None or not current.autoscaled or current.instance_type == new_type:
            continue
        raise InstanceTypeChangeRefused(
            f"endpoint {endpoint_name!r} variant {name!r}: the instance type would change from "
            f"{current.instance_type} to {new_type} while the variant is registered for autoscaling, and "
            "SageMaker refuses UpdateEndpoint then. Make the change in two deployments: (1) remove the "
            f"endpoint's autoscaling, keep {setting} {current.instance_type}, and run pulumi up (this "
            f"deregisters the scalable target); (2) set {setting} to {new_type}, restore autoscaling, and run "
            "pulumi up. Nothing was changed.")


def read_deployed_variants(endpoint_name: str, *, region: str) -> dict[str, DeployedVariant]:
    """``deployed_variants`` with boto3 clients from the default credential chain (``pulumi up``'s)."""
    import boto3

    session = boto3.Session(region_name=region)
    return deployed_variants(endpoint_name, sagemaker=session.client("sagemaker"),
                             autoscaling=session.client("application-autoscaling"))
