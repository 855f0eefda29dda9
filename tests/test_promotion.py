"""Promotion lookup against moto's server: newest Approved version, pins, and the errors."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from components.common import OfflineTarget
from components.registry.promotion import (
    ModelPackageLookupError,
    ModelPackageNotApproved,
    ModelPackageNotFound,
    ModelPackageRef,
    NoApprovedModelPackage,
    PromotionError,
    latest_approved_model_package,
    resolve_model_package,
)
from mlinfra.errors import MlinfraError

GROUP = "churn-classifier"
#: Approval status of versions 1..8, oldest first: Approved versions 2, 3 and 6, newest is 8.
STATUSES = ["PendingManualApproval", "Approved", "Approved", "Rejected", "PendingManualApproval",
            "Approved", "Rejected", "PendingManualApproval"]


@pytest.fixture
def sagemaker(moto_reset):
    return boto3.client("sagemaker", region_name="us-east-1", endpoint_url=moto_reset)


@pytest.fixture
def group(sagemaker):
    sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    for status in STATUSES:
        sagemaker.create_model_package(
            ModelPackageGroupName=GROUP,
            ModelApprovalStatus=status,
            InferenceSpecification={
                "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        )
    return GROUP


class CountingClient:
    """Wraps a boto3 client and counts ListModelPackages pages actually requested."""

    def __init__(self, client):
        self.client, self.pages = client, 0
        client.meta.events.register("before-call.sagemaker.ListModelPackages", self._count)

    def _count(self, **_):
        self.pages += 1

    def __getattr__(self, name):
        return getattr(self.client, name)


def test_newest_approved_version_is_returned(sagemaker, group):
    ref = latest_approved_model_package(group, client=sagemaker)
    assert isinstance(ref, ModelPackageRef)
    assert (ref.group, ref.version, ref.approval_status, ref.offline) == (GROUP, 6, "Approved", False)
    assert ref.arn == f"arn:aws:sagemaker:us-east-1:123456789012:model-package/{GROUP}/6"
    assert ref.created is not None


def test_newest_approved_survives_pagination(sagemaker, group):
    counting = CountingClient(sagemaker)
    ref = latest_approved_model_package(group, client=counting, page_size=1)
    assert ref.version == 6
    assert counting.pages == 1  # stops at the first hit rather than listing the whole group


def test_approving_a_newer_version_moves_the_endpoint_forward(sagemaker, group):
    newest = f"arn:aws:sagemaker:us-east-1:123456789012:model-package/{GROUP}/8"
    sagemaker.update_model_package(ModelPackageArn=newest, ModelApprovalStatus="Approved")
    assert latest_approved_model_package(group, client=sagemaker).version == 8


def test_no_approved_version_is_an_error_naming_the_group(sagemaker):
    sagemaker.create_model_package_group(ModelPackageGroupName="fraud-scorer")
    sagemaker.create_model_package(ModelPackageGroupName="fraud-scorer", ModelApprovalStatus="Rejected")
    sagemaker.create_model_package(ModelPackageGroupName="fraud-scorer", ModelApprovalStatus="PendingManualApproval")
    with pytest.raises(NoApprovedModelPackage) as info:
        latest_approved_model_package("fraud-scorer", client=sagemaker, page_size=1)
    assert str(info.value).startswith("model package group 'fraud-scorer' has no Approved model package version")
    assert "pin an approved version" in str(info.value)
    assert isinstance(info.value, MlinfraError)
    assert info.value.group == "fraud-scorer"


def test_approvals_in_another_group_do_not_count(sagemaker, group):
    sagemaker.create_model_package_group(ModelPackageGroupName="empty-model")
    with pytest.raises(NoApprovedModelPackage, match="'empty-model'"):
        latest_approved_model_package("empty-model", client=sagemaker)


def test_pinned_approved_version_on_a_later_page(sagemaker, group):
    counting = CountingClient(sagemaker)
    ref = resolve_model_package(group, 2, client=counting, page_size=2)
    assert (ref.version, ref.approval_status) == (2, "Approved")
    assert ref.arn.endswith(f"/{GROUP}/2")
    assert counting.pages == 4  # versions 8-7, 6-5, 4-3, 2-1


def test_unpinned_resolution_follows_the_newest_approved(sagemaker, group):
    assert resolve_model_package(group, None, client=sagemaker).version == 6


@pytest.mark.parametrize(("version", "status"), [(4, "Rejected"), (8, "PendingManualApproval")])
def test_pinned_version_must_be_approved(sagemaker, group, version, status):
    with pytest.raises(ModelPackageNotApproved) as info:
        resolve_model_package(group, version, client=sagemaker, page_size=3)
    assert str(info.value) == (f"model package 'churn-classifier' version {version} is {status}, not Approved: "
                               "only Approved versions may be deployed")


def test_pinned_version_must_exist(sagemaker, group):
    with pytest.raises(ModelPackageNotFound, match="model package group 'churn-classifier' has no version 9"):
        resolve_model_package(group, 9, client=sagemaker, page_size=3)


@pytest.mark.parametrize("bad", [0, -1, True, "3"])
def test_pinned_version_must_be_a_positive_integer(sagemaker, bad):
    with pytest.raises(PromotionError, match=f"must be an integer >= 1, got {bad!r}"):
        resolve_model_package(GROUP, bad, client=sagemaker)


def test_aws_errors_become_one_clear_line(moto_server):
    # Nothing listens on port 9: the lookup fails to connect, and says which group it was asking about.
    dead = boto3.client("sagemaker", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                        config=Config(retries={"max_attempts": 1}, connect_timeout=1))
    with pytest.raises(ModelPackageLookupError, match="cannot list model packages of group 'churn-classifier'"):
        latest_approved_model_package(GROUP, client=dead)


OFFLINE = OfflineTarget(region="us-east-1")


def test_offline_plan_gets_a_placeholder_without_calling_aws():
    ref = latest_approved_model_package(GROUP, region="eu-west-1", offline=OFFLINE)
    assert ref == ModelPackageRef(
        group=GROUP, version=0, approval_status="Approved", offline=True,
        arn="arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn-classifier/0")
    pinned = resolve_model_package("Churn-Classifier", 5, offline=OFFLINE)
    assert pinned.arn == "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-classifier/5"
    assert pinned.offline


def test_offline_an_explicit_client_is_still_asked(sagemaker, group):
    ref = latest_approved_model_package(group, client=sagemaker, offline=OFFLINE)
    assert (ref.version, ref.offline) == (6, False)
