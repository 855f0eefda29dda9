"""The ``experiments`` section: a SageMaker managed MLflow tracking server (``ExperimentTracking``).

::

    mlinfra:experiments:
      size: Small                       # Small, Medium or Large
      automaticModelRegistration: true  # dev only: MLflow models registered in the SageMaker registry
      maintenanceWindowStart: Sun:03:00

Training jobs on the cluster get the tracking URI (an ``mlflow`` ConfigMap in each team namespace)
and the permission to use the server (their Pod Identity role). See docs/components/experiments.md.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, field_validator

from components.experiments.tracking import check_maintenance_window
from components.sections import Section


class ExperimentsConfig(Section):
    """The environment's MLflow tracking server."""

    #: Tracking server size (SageMaker's TrackingServerSize): Small, Medium or Large.
    size: Literal["Small", "Medium", "Large"] = "Small"
    #: MLflow version such as ``2.16``; default: SageMaker's.
    mlflow_version: Optional[str] = Field(default=None, pattern=r"^\d+\.\d+(\.\d+)?$")
    #: Register MLflow models in the SageMaker Model Registry as they are logged. Default: on in
    #: dev, off elsewhere; outside dev it must stay off (models reach staging and prod registries
    #: through the approval workflow, not as a side effect of a run).
    automatic_model_registration: Optional[bool] = None
    #: Weekly maintenance start, ``Ddd:HH:MM`` UTC.
    maintenance_window_start: str = "Sun:03:00"

    @field_validator("maintenance_window_start")
    @classmethod
    def _window(cls, value: str) -> str:
        return check_maintenance_window(value)
