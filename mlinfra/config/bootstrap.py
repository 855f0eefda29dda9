"""The bootstrap stack's configuration (``bootstrap/Pulumi.<stack>.yaml``) as one pydantic model.

Keys live under the ``mlinfra-bootstrap:`` namespace (the bootstrap project's name), plus
``aws:region``. A bad value stops the program before any resource exists, naming the file, the key
and what is allowed, as the platform's stack files do.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import pulumi
from pydantic import Field, ValidationError, field_validator

from components.sections import Section, format_validation_error
from mlinfra.config.load import _decode
from mlinfra.config.platform import Tags, check_region
from mlinfra.errors import ConfigError

NAMESPACE = "mlinfra-bootstrap"
#: S3 bucket naming rules: 3-63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_ENV = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class BootstrapConfig(Section):
    """What the bootstrap creates once per AWS account: state bucket, secrets key, CI deploy roles."""

    region: str
    #: ``owner/name`` of the GitHub repository whose workflows deploy.
    github_repository: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    #: The Pulumi stacks (and GitHub deployment environments) that get a deploy role.
    environments: list[str] = Field(default_factory=lambda: ["dev", "staging", "prod"], min_length=1)
    #: The state bucket's name: fixed, since `pulumi login s3://<name>` must know it.
    state_bucket_name: str
    #: The project whose stacks the roles deploy (the folder in the state bucket).
    project: str = "mlinfra"
    tags: Tags
    #: Protect the bucket, keys and roles from deletion by Pulumi (on by default: this is shared state).
    protect: bool = True
    #: Days a scheduled deletion of a bootstrap key can still be cancelled.
    key_deletion_window_days: int = Field(default=30, ge=7, le=30)
    #: Monthly limit (USD) of the bootstrap's own budget (a bucket and a few keys cost a few dollars).
    monthly_budget_usd: float = Field(default=50, gt=0)
    #: Who the budget's alerts e-mail (besides its SNS topic).
    budget_emails: list[str] = Field(default_factory=list, max_length=10)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        return check_region(value)

    @field_validator("state_bucket_name")
    @classmethod
    def _bucket(cls, value: str) -> str:
        if not _BUCKET.match(value) or ".." in value:
            raise ValueError("must be a valid S3 bucket name: 3-63 lowercase letters, digits, '-' and '.'")
        return value

    @field_validator("environments")
    @classmethod
    def _environments(cls, value: list[str]) -> list[str]:
        bad = [env for env in value if not _ENV.match(env)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a stack name (letters, digits, '-', '_', '.')")
        if len(set(value)) != len(value):
            raise ValueError("names an environment more than once")
        return value

    @property
    def resource_tags(self) -> dict[str, str]:
        return {"owner": self.tags.owner, "cost-center": self.tags.cost_center, "environment": "bootstrap",
                "managed-by": "mlinfra", **self.tags.extra}

    @property
    def login_url(self) -> str:
        """The backend URL for ``pulumi login`` (Pulumi's S3 backend, AWS SDK v2)."""
        return f"s3://{self.state_bucket_name}?region={self.region}&awssdk=v2"


def _key(loc: tuple) -> str:
    head, *rest = [str(p) for p in loc] or [""]
    from pydantic.alias_generators import to_camel

    head = "aws:region" if head == "region" else f"{NAMESPACE}:{to_camel(head)}"
    return ".".join([head, *rest])


def bootstrap_config_from(config: Mapping[str, Any], *, source: str) -> BootstrapConfig:
    """Validate a flat ``namespace:key`` config map; raise ``ConfigError`` naming the file, key and value."""
    fields: dict[str, Any] = {}
    for key, value in config.items():
        if key == "aws:region":
            fields["region"] = value
        elif key.startswith(NAMESPACE + ":"):
            fields[key[len(NAMESPACE) + 1:]] = _decode(value)
    try:
        return BootstrapConfig.model_validate(fields)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source, key=_key)) from None


def load_bootstrap_config() -> BootstrapConfig:
    """The running bootstrap stack's configuration, validated before any resource is declared."""
    stack = pulumi.get_stack()
    config = {**pulumi.runtime.config.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    return bootstrap_config_from(config, source=f"bootstrap/Pulumi.{stack}.yaml")
