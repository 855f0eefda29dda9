"""Offline policy review: run the policy packs over a deployment, exactly as the Pulumi engine does.

The modules, in the order a review uses them:

- ``deployment``: read a ``pulumi stack export`` (v3) or ``pulumi preview --json`` document into
  resources with their properties in the engine's wire form.
- ``pack_config``: the per-environment pack configuration, reconciled with each policy's defaults
  the way the CLI does, and validated.
- ``protocol``: a pack as its own process, spoken to over the analyzer gRPC protocol.
- ``engine``: ``review()``, every pack over the resources.
- ``result``: what a review found (``ReviewResult``, ``Violation``, ``PackInfo``, ``PolicyInfo``).
- ``command``: ``mlinfra review`` (``run_review``): plan, review, report.

The names below are the public ones; ``run_review`` is imported from ``mlinfra.review.command``
(it renders reports, and ``mlinfra.report`` reads ``mlinfra.review.result``).
"""

from mlinfra.review.deployment import (
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    Resource,
    load_resources,
    resources_from_document,
    stack_of,
    urn_name,
    urn_type,
    wire_value,
)
from mlinfra.review.engine import DEFAULT_PACKS, default_pack_dirs, review
from mlinfra.review.pack_config import ENFORCEMENT_LEVELS, config_dir, effective_config, read_pack_config
from mlinfra.review.protocol import START_TIMEOUT, PackProcess, analyze_requests
from mlinfra.review.result import PackInfo, PolicyInfo, ReviewResult, Violation, exit_code

__all__ = [
    "DEFAULT_PACKS", "ENFORCEMENT_LEVELS", "SECRET_SIG", "SIG_KEY", "START_TIMEOUT", "UNKNOWN",
    "PackInfo", "PackProcess", "PolicyInfo", "Resource", "ReviewResult", "Violation",
    "analyze_requests", "config_dir", "default_pack_dirs", "effective_config", "exit_code",
    "load_resources", "read_pack_config", "resources_from_document", "review", "stack_of",
    "urn_name", "urn_type", "wire_value",
]
