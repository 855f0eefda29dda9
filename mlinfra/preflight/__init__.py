"""``mlinfra preflight ENV``: read-only AWS checks that catch capacity, quota and reference failures
before ``pulumi up`` does, late and expensively.

It plans the environment offline, reads what the plan needs from the account (``requirements``),
and asks AWS with the user's normal credential chain (``checks``). Exit codes: 0 nothing blocks,
1 something blocks, 2 it cannot run (no credentials, unreachable endpoint, unknown environment, an
``--endpoint-url`` that is not an http(s) URL, or plain http to a host other than this machine).
"""

from __future__ import annotations

import ipaddress
import json
import urllib.parse
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from mlinfra.errors import MlinfraError
from mlinfra.preflight.checks import CheckResult, Clients, run_checks
from mlinfra.preflight.requirements import Requirements, requirements_of

__all__ = ["caller_account", "check_endpoint_url", "make_clients", "preflight", "render", "run_preflight"]


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint_url(url: str) -> str:
    """``--endpoint-url`` as botocore will use it, or bad input: an http(s) URL with a host.

    Plain ``http`` is refused unless the host is a loopback address (``localhost``, 127.0.0.0/8,
    ``::1``): botocore signs every request, and the signature's headers carry the access key id and,
    for temporary credentials, the session token, readable by anyone on the path.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise MlinfraError(f"--endpoint-url {url!r}: not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise MlinfraError(f"--endpoint-url {url!r}: not a URL; give http(s)://HOST[:PORT], for example "
                           "http://127.0.0.1:5000 for a local emulator")
    if parts.scheme == "http" and not _loopback(host):
        raise MlinfraError(f"--endpoint-url {url!r}: plain http to {host}, which is not this machine, would send "
                           "the credentials' key id and session token unencrypted; use https, or reach the "
                           "emulator through a loopback address (127.0.0.1, an ssh or port forward)")
    return url


def make_clients(region: Optional[str], endpoint_url: Optional[str] = None) -> Clients:
    """boto3 clients from the default credential chain; ``endpoint_url`` points all at an emulator."""
    session = boto3.Session(region_name=region)
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=20)

    def client(service: str):
        return session.client(service, endpoint_url=endpoint_url, config=config)

    return Clients(ec2=client("ec2"), quotas=client("service-quotas"), sagemaker=client("sagemaker"),
                   ecr=client("ecr"), sts=client("sts"), iam=client("iam"),
                   eks=client("eks"))


@contextmanager
def _aws_errors():
    """AWS failures that stop the run become one-line ``MlinfraError``s."""
    try:
        yield
    except NoCredentialsError:
        raise MlinfraError("no AWS credentials found: configure a profile, environment variables or a role "
                           "(preflight only reads)") from None
    except NoRegionError:
        raise MlinfraError("no AWS region: set aws:region in the stack file or AWS_REGION") from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise MlinfraError(f"AWS refused {exc.operation_name}: {error.get('Code')}: {error.get('Message')}") from None
    except BotoCoreError as exc:
        raise MlinfraError(f"cannot reach AWS: {exc}") from None


def caller_account(clients: Clients) -> str:
    """The deploying account (``sts:GetCallerIdentity``, which also proves the credentials work)."""
    with _aws_errors():
        return clients.sts.get_caller_identity()["Account"]


def preflight(requirements: Requirements, clients: Clients) -> list[CheckResult]:
    """Run every check against the account behind ``clients``."""
    with _aws_errors():
        return run_checks(requirements, clients)


def render(results: list[CheckResult], fmt: str) -> str:
    """The report as a text table or JSON (``{"checks": [...], "summary": {...}}``)."""
    summary = {status: sum(1 for r in results if r.status == status) for status in ("ok", "warn", "fail")}
    if fmt == "json":
        return json.dumps({"checks": [asdict(r) for r in results], "summary": summary}, indent=2)
    rows = [("CHECK", "RESOURCE", "STATUS", "DETAIL")] + [(r.check, r.resource, r.status.upper(), r.detail)
                                                          for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths)) + "  " + row[3] for row in rows]
    if not results:
        lines.append("(nothing to check: no GPU node groups, endpoints or model references in this plan)")
    lines.append(f"\n{summary['ok']} ok, {summary['warn']} warnings, {summary['fail']} blocking")
    return "\n".join(lines)


def run_preflight(*, project_dir: Path, env: str, endpoint_url: Optional[str] = None, fmt: str = "text") -> int:
    """Plan ``env`` offline, check it against the account, print the report; return the exit code."""
    from mlinfra.plan import plan

    if endpoint_url is not None:
        check_endpoint_url(endpoint_url)
    deployment = plan(project_dir, env)
    clients = make_clients(requirements_of(deployment).region, endpoint_url)
    requirements = requirements_of(deployment, own_account=caller_account(clients))
    results = preflight(requirements, clients)
    print(render(results, fmt))
    return 1 if any(r.status == "fail" for r in results) else 0
