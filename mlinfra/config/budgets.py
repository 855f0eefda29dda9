"""The ``budgets`` section: the environment's AWS Budgets, cost-allocation tags and anomaly alerts
(``components.budgets.CostGuardrails``; see docs/components/budgets.md).

Example (``stacks/Pulumi.prod.yaml``)::

    mlinfra:budgets:
      monthlyLimit: 250000
      actualThresholds: [50, 80, 100]
      forecastedThresholds: [100]
      emails: [ml-platform-finops@example.com]
      teams:
        - {name: research, monthlyLimit: 150000}
      hardLimit: {thresholdPercent: 100, roles: [ml-engineers]}

Team names must be teams of ``mlinfra:training.teams`` or ``defaultTeam``: the check needs the
whole configuration and runs in ``PlatformConfig``.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, field_validator, model_validator

from components.budgets import MAX_EMAILS, MAX_NOTIFICATIONS, CostGuardrailsArgs, HardLimit, TeamBudget, check_percent
from components.sections import Section


def _percentages(values: list[float]) -> list[float]:
    for value in values:
        check_percent(value)
    if len(set(values)) != len(values):
        raise ValueError("lists a threshold more than once")
    return values


class TeamBudgetConfig(Section):
    """A team's monthly budget (USD), filtered on the team cost-allocation tag."""

    name: str
    monthly_limit: float = Field(gt=0)


class AnomalyConfig(Section):
    """Cost Anomaly Detection: which spend the monitor watches and the impact that alerts."""

    #: ``environment``: a custom monitor over the environment tag; ``account``: the account's one
    #: AWS-services monitor (one stack per account); ``none``: no monitor.
    scope: Literal["environment", "account", "none"] = "environment"
    #: Alert when an anomaly's total impact reaches this many USD.
    threshold_usd: float = Field(default=100, gt=0)


class HardLimitConfig(Section):
    """A budget action denying new GPU capacity to ``roles`` when actual spend crosses the threshold."""

    threshold_percent: float = 100
    #: IAM role names (not ARNs) that scale node groups or create endpoints.
    roles: list[str] = Field(min_length=1)
    #: ``MANUAL``: approved in the console before it runs; ``AUTOMATIC``: runs at once.
    approval: Literal["MANUAL", "AUTOMATIC"] = "MANUAL"

    @field_validator("threshold_percent")
    @classmethod
    def _percent(cls, value: float) -> float:
        return check_percent(value)

    def to_args(self) -> HardLimit:
        return HardLimit(roles=tuple(self.roles), threshold_percent=self.threshold_percent, approval=self.approval)


class BudgetsConfig(Section):
    """Budgets and anomaly alerts; ``monthlyLimit`` (USD) is required."""

    monthly_limit: float = Field(gt=0)
    #: Percentages of the limit at which actual spend notifies.
    actual_thresholds: list[float] = Field(default_factory=lambda: [80.0, 100.0])
    #: Percentages of the limit at which forecasted spend notifies.
    forecasted_thresholds: list[float] = Field(default_factory=lambda: [100.0])
    #: Addresses notified besides the encrypted SNS topic (at most 10).
    emails: list[str] = Field(default_factory=list, max_length=MAX_EMAILS)
    #: The cost-allocation tag that names a team (budgets filter on ``user:<teamTag>$<team>``).
    team_tag: str = "team"
    #: The team tag of resources that name no team; default: ``mlinfra:tags.owner``.
    default_team: Optional[str] = None
    teams: list[TeamBudgetConfig] = Field(default_factory=list)
    #: Tag keys activated for cost allocation (the team and environment tags always are).
    cost_allocation_tags: list[str] = Field(default_factory=lambda: ["team", "environment", "cost-center"])
    anomaly: AnomalyConfig = Field(default_factory=AnomalyConfig)
    hard_limit: Optional[HardLimitConfig] = None

    @field_validator("actual_thresholds", "forecasted_thresholds")
    @classmethod
    def _thresholds(cls, value: list[float]) -> list[float]:
        return _percentages(value)

    @field_validator("teams")
    @classmethod
    def _unique(cls, value: list[TeamBudgetConfig]) -> list[TeamBudgetConfig]:
        names = [team.name for team in value]
        if len(set(names)) != len(names):
            raise ValueError(f"each team may have one budget (got {', '.join(names)})")
        return value

    @model_validator(mode="after")
    def _count(self) -> "BudgetsConfig":
        count = len(self.actual_thresholds) + len(self.forecasted_thresholds)
        if not 1 <= count <= MAX_NOTIFICATIONS:
            raise ValueError(f"mlinfra:budgets: {count} thresholds; AWS Budgets allows 1 to {MAX_NOTIFICATIONS} "
                             "notifications per budget (actualThresholds plus forecastedThresholds)")
        return self

    def to_args(self, *, environment: str, kms_key, tags: Optional[dict] = None) -> CostGuardrailsArgs:
        """``CostGuardrailsArgs`` for ``environment``, alerts encrypted with ``kms_key``."""
        return CostGuardrailsArgs(
            environment=environment, monthly_limit=self.monthly_limit, kms_key=kms_key,
            actual_thresholds=tuple(self.actual_thresholds), forecasted_thresholds=tuple(self.forecasted_thresholds),
            emails=tuple(self.emails), team_tag=self.team_tag,
            teams=tuple(TeamBudget(t.name, t.monthly_limit) for t in self.teams),
            cost_allocation_tags=tuple(self.cost_allocation_tags), anomaly_monitor=self.anomaly.scope,
            anomaly_threshold_usd=self.anomaly.threshold_usd,
            hard_limit=self.hard_limit.to_args() if self.hard_limit else None, tags=tags or {})
