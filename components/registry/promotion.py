"""Promotion by approval: which model package version an endpoint deploys.

A prod endpoint follows the newest *Approved* version of its model package group at ``pulumi up``
time (``latest_approved_model_package``), or a version pinned in config (``resolve_model_package``,
which checks the pin exists and is Approved). Both are plain boto3 calls made while the program
runs, before any resource is declared, so an unapproved model never reaches a deployment plan.

Offline (``mlinfra plan``: the stack passes ``offline=``, an ``OfflineTarget``) there is no AWS to
ask: unless the caller passes an explicit ``client``, the lookup returns a deterministic **offline-only**
placeholder, ``arn:aws:sagemaker:<region>:<account>:model-package/<group>/0`` (or ``/<pinned>``),
flagged ``offline=True``. It never names a real version; preflight checks the real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

import pulumi

from components.common import OfflineTarget
from components.errors import MlinfraError

APPROVED = "Approved"
#: Version number of the offline placeholder: SageMaker versions start at 1, so 0 is never real.
OFFLINE_VERSION = 0


class PromotionError(pulumi.RunError, MlinfraError):
    """No deployable model package could be chosen; ``pulumi up`` prints only this message."""


class NoApprovedModelPackage(PromotionError):
    """The group has no version whose approval status is Approved."""

    def __init__(self, group: str) -> None:
        super().__init__(
            f"model package group {group!r} has no Approved model package version: approve one "
            f"(aws sagemaker update-model-package --model-package-arn <arn> --model-approval-status Approved) "
            f"or pin an approved version in config"
        )
        self.group = group


class ModelPackageNotFound(PromotionError):
    """A pinned version does not exist in its group."""

    def __init__(self, group: str, version: int) -> None:
        super().__init__(f"model package group {group!r} has no version {version}")
        self.group, self.version = group, version


class ModelPackageNotApproved(PromotionError):
    """A pinned version exists but its approval status is not Approved."""

    def __init__(self, group: str, version: int, status: str) -> None:
        super().__init__(
            f"model package {group!r} version {version} is {status}, not Approved: "
            f"only Approved versions may be deployed"
        )
        self.group, self.version, self.status = group, version, status


class ModelPackageLookupError(PromotionError):
    """SageMaker could not be asked (credentials, permissions, network, throttling)."""


@dataclass(frozen=True)
class ModelPackageRef:
    """One version of a model package group, as an endpoint needs it."""

    group: str
    version: int
    #: The versioned model package ARN: what ``aws.sagemaker.Model`` takes as ``model_package_name``.
    arn: str
    approval_status: str
    created: Optional[datetime] = None
    #: True for the offline plan's placeholder, which names no real version.
    offline: bool = False


def offline_placeholder(group: str, version: int = OFFLINE_VERSION, *, target: OfflineTarget,
                        region: str | None = None) -> ModelPackageRef:
    """The offline-only stand-in for a model package in ``target``'s account: deterministic, never deployable."""
    if target is None:
        raise MlinfraError("offline placeholders exist only for an offline plan (no offline target given)")
    arn = f"arn:aws:sagemaker:{region or target.region}:{target.account_id}:model-package/{group.lower()}/{version}"
    return ModelPackageRef(group=group, version=version, arn=arn, approval_status=APPROVED, offline=True)


def _client(client: Any, region: str | None) -> Any:
    if client is not None:
        return client
    import boto3

    return boto3.client("sagemaker", region_name=region)


def _ref(summary: dict[str, Any]) -> ModelPackageRef:
    return ModelPackageRef(
        group=summary["ModelPackageGroupName"],
        version=int(summary["ModelPackageVersion"]),
        arn=summary["ModelPackageArn"],
        approval_status=summary["ModelApprovalStatus"],
        created=summary.get("CreationTime"),
    )


def _newest_first(client: Any, group: str, page_size: int, **filters: str):
    """Versioned packages of ``group``, newest first, across every page."""
    from botocore.exceptions import BotoCoreError, ClientError  # boto3 is imported only to ask AWS

    paginator = client.get_paginator("list_model_packages")
    pages = paginator.paginate(
        ModelPackageGroupName=group, SortBy="CreationTime", SortOrder="Descending",
        PaginationConfig={"PageSize": page_size}, **filters,
    )
    try:
        # A filtered page may come back empty with a NextToken, so walk pages rather than read one.
        for page in pages:
            yield from page.get("ModelPackageSummaryList", [])
    except (BotoCoreError, ClientError) as exc:
        raise ModelPackageLookupError(f"cannot list model packages of group {group!r}: {exc}") from exc


def latest_approved_model_package(group: str, *, client: Any = None, region: str | None = None,
                                  page_size: int = 100, offline: OfflineTarget | None = None) -> ModelPackageRef:
    """The newest Approved version of ``group``; ``NoApprovedModelPackage`` if there is none.

    ``client`` is a boto3 SageMaker client; by default one is made for ``region`` from the
    ambient credentials. Offline and without an explicit client: the placeholder (module docstring).
    ``page_size`` is the ``MaxResults`` of each ``ListModelPackages`` call. ``offline`` (default
    None: online) is the offline plan's target; with it and without a client, the placeholder.
    """
    if client is None and offline is not None:
        return offline_placeholder(group, target=offline, region=region)
    for summary in _newest_first(_client(client, region), group, page_size, ModelApprovalStatus=APPROVED):
        return _ref(summary)
    raise NoApprovedModelPackage(group)


def resolve_model_package(group: str, pinned_version: int | None = None, *, client: Any = None,
                          region: str | None = None, page_size: int = 100,
                          offline: OfflineTarget | None = None) -> ModelPackageRef:
    """The version an endpoint deploys: ``pinned_version`` if given (it must exist and be
    Approved), else the newest Approved version. With ``offline`` and without a client: the placeholder."""
    if pinned_version is None:
        return latest_approved_model_package(group, client=client, region=region, page_size=page_size,
                                             offline=offline)
    if isinstance(pinned_version, bool) or not isinstance(pinned_version, int) or pinned_version < 1:
        raise PromotionError(f"pinned version of model package group {group!r} must be an integer >= 1, "
                             f"got {pinned_version!r}")
    if client is None and offline is not None:
        return offline_placeholder(group, pinned_version, target=offline, region=region)
    for summary in _newest_first(_client(client, region), group, page_size):
        version = int(summary["ModelPackageVersion"])
        if version == pinned_version:
            ref = _ref(summary)
            if ref.approval_status != APPROVED:
                raise ModelPackageNotApproved(group, pinned_version, ref.approval_status)
            return ref
        if version < pinned_version:
            break  # newest first and versions only grow: the pin cannot appear further down
    raise ModelPackageNotFound(group, pinned_version)
