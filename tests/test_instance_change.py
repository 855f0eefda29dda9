"""Instance-type changes of autoscaled endpoint variants: the deployed state read from moto's server
(SageMaker, Application Auto Scaling), and the plan-time refusal with the two-step procedure."""

from __future__ import annotations

import boto3
import pytest

from components.inference.args import AutoscalingArgs
from components.inference.instance_change import (
    DeployedVariant,
    InstanceTypeChangeRefused,
    deployed_variants,
    refuse_instance_type_changes,
)
from test_inference_endpoint import ENDPOINT, NAME, _build

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/sagemaker-execution"
SCALING = AutoscalingArgs(min_capacity=2, max_capacity=4, target_invocations_per_instance=100)


@pytest.fixture
def clients(moto_reset):
    return (boto3.client("sagemaker", endpoint_url=moto_reset, region_name=REGION),
            boto3.client("application-autoscaling", endpoint_url=moto_reset, region_name=REGION))


def deploy(sagemaker, autoscaling, *, instance_type="ml.c5.xlarge", scaled=True):
    sagemaker.create_model(ModelName="m", ExecutionRoleArn=ROLE,
                           PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/serving:1"})
    sagemaker.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[
        {"VariantName": "primary", "ModelName": "m", "InstanceType": instance_type, "InitialInstanceCount": 2}])
    sagemaker.create_endpoint(EndpointName=NAME, EndpointConfigName="c")
    if scaled:
        autoscaling.register_scalable_target(
            ServiceNamespace="sagemaker", ResourceId=f"endpoint/{NAME}/variant/primary",
            ScalableDimension="sagemaker:variant:DesiredInstanceCount", MinCapacity=2, MaxCapacity=4)


def test_the_deployed_state_says_type_and_registration(clients):
    sagemaker, autoscaling = clients
    assert deployed_variants(NAME, sagemaker=sagemaker, autoscaling=autoscaling) == {}
    deploy(sagemaker, autoscaling)
    assert deployed_variants(NAME, sagemaker=sagemaker, autoscaling=autoscaling) == {
        "primary": DeployedVariant("primary", "ml.c5.xlarge", autoscaled=True)}


def test_an_unscaled_variant_is_reported_unscaled(clients):
    sagemaker, autoscaling = clients
    deploy(sagemaker, autoscaling, scaled=False)
    assert deployed_variants(NAME, sagemaker=sagemaker, autoscaling=autoscaling)["primary"].autoscaled is False


def test_changing_an_autoscaled_variants_type_is_refused_with_the_two_step_procedure(clients, monitor, run):
    sagemaker, autoscaling = clients
    deploy(sagemaker, autoscaling)
    deployed = deployed_variants(NAME, sagemaker=sagemaker, autoscaling=autoscaling)
    with pytest.raises(InstanceTypeChangeRefused) as info:
        _build(run, instance_type="ml.c6i.2xlarge", instance_count=2, autoscaling=SCALING, deployed_variants=deployed)
    assert str(info.value) == (
        f"endpoint '{NAME}' variant 'primary': the instance type would change from ml.c5.xlarge to ml.c6i.2xlarge "
        "while the variant is registered for autoscaling, and SageMaker refuses UpdateEndpoint then. Make the change "
        "in two deployments: (1) remove the endpoint's autoscaling, keep instanceType ml.c5.xlarge, and run pulumi up "
        "(this deregisters the scalable target); (2) set instanceType to ml.c6i.2xlarge, restore autoscaling, and "
        "run pulumi up. Nothing was changed.")
    assert monitor.by_type(ENDPOINT) == []


def test_model_only_changes_and_the_two_steps_themselves_pass(clients, monitor, run):
    sagemaker, autoscaling = clients
    deploy(sagemaker, autoscaling, instance_type="ml.c5.xlarge")  # moto's type list stops at c5
    deployed = deployed_variants(NAME, sagemaker=sagemaker, autoscaling=autoscaling)
    # Same instance type, new model (the builder's artifact): planned as today.
    _build(run, instance_type="ml.c5.xlarge", instance_count=2, autoscaling=SCALING, deployed_variants=deployed)
    assert monitor.named(ENDPOINT, NAME)
    # Step 1 keeps the type and drops autoscaling; step 2 runs after deregistration.
    refuse_instance_type_changes(NAME, {"primary": "ml.c5.xlarge"}, deployed)
    unscaled = {"primary": DeployedVariant("primary", "ml.c5.xlarge", autoscaled=False)}
    refuse_instance_type_changes(NAME, {"primary": "ml.c6i.2xlarge"}, unscaled)
    # A new variant, or an endpoint not deployed yet, has nothing to refuse.
    refuse_instance_type_changes(NAME, {"primary": "ml.c5.xlarge", "challenger": "ml.g5.xlarge"}, deployed)
    refuse_instance_type_changes(NAME, {"primary": "ml.g5.xlarge"}, {})


def test_dropping_autoscaling_and_changing_the_type_at_once_is_still_refused():
    deployed = {"primary": DeployedVariant("primary", "ml.c6i.xlarge", autoscaled=True)}
    with pytest.raises(InstanceTypeChangeRefused, match="from ml.c6i.xlarge to ml.c6i.2xlarge"):
        refuse_instance_type_changes(NAME, {"primary": "ml.c6i.2xlarge"}, deployed)
