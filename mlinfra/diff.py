"""``mlinfra diff``: review a change, not a state.

Each comparison is a pair ``BASE HEAD``; a side is a plan file (``mlinfra plan --out``, ``pulumi
stack export`` or ``pulumi preview --json``) or ``ENV@GITREF``: environment ``ENV`` planned and
reviewed from a temporary ``git worktree`` of ``GITREF`` with that commit's own program, packs,
pack configuration and waivers (removed afterwards, also on an error, Ctrl-C or SIGTERM). A plan
file is reviewed with this checkout's packs and the waivers of its environment.

For each pair: the resources added, removed and changed (with the input paths that changed),
protected resources that would be deleted (first), and the violations that are new, fixed,
unchanged and waived. Violations are matched by pack, policy and resource URN. Exit codes: 0 no
new mandatory violation, 1 new mandatory violations, 2 bad input.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from mlinfra.errors import MlinfraError
from mlinfra.review import (
    ReviewResult,
    Resource,
    Violation,
    load_resources,
    review,
    stack_of,
    urn_name,
    urn_type,
)

FORMATS = ("text", "json", "markdown", "sarif")
MARKDOWN_MARKER = "<!-- mlinfra-diff -->"
"""First line of the markdown, so a CI job can find and update its own pull-request comment."""

SUBPROCESS_TIMEOUT = 900.0
"""Seconds planning or reviewing one side in a worktree may take."""


# -------------------------------------------------------------------------------------------- sides

@dataclass(frozen=True)
class SideSpec:
    """One side as given: a plan file, or an environment at a git ref."""

    text: str
    path: Optional[Path] = None
    env: Optional[str] = None
    ref: Optional[str] = None


def parse_side(text: str) -> SideSpec:
    """``FILE`` if such a file exists, else ``ENV@GITREF``; anything else is bad input."""
    if Path(text).is_file():
        return SideSpec(text, path=Path(text))
    env, at, ref = text.partition("@")
    if not at or not env or not ref:
        raise MlinfraError(f"{text!r} is neither a plan file nor ENV@GITREF (e.g. prod@origin/main)")
    return SideSpec(text, env=env, ref=ref)


@dataclass
class Side:
    """A side planned and reviewed: its resources and its review (violations, waived, packs)."""

    label: str
    env: Optional[str]
    resources: list[Resource]
    result: ReviewResult


def _git(project_dir: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(project_dir), *args], capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise MlinfraError("git is not installed: ENV@GITREF sides need it") from None
    if done.returncode != 0:
        raise MlinfraError(f"git {' '.join(args)}: {(done.stderr.strip().splitlines() or ['failed'])[-1]}")
    return done.stdout.strip()


class Worktrees:
    """Temporary ``git worktree``s of refs, one per commit, removed by ``close()`` (always called)."""

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = Path(project_dir).resolve()
        self._root: Optional[Path] = None
        self._trees: dict[str, Path] = {}
        self._toplevel: Optional[Path] = None

    def project_at(self, ref: str) -> Path:
        """The project folder inside a worktree of ``ref`` (created on first use)."""
        if self._toplevel is None:
            try:
                self._toplevel = Path(_git(self.project_dir, "rev-parse", "--show-toplevel")).resolve()
            except MlinfraError:
                raise MlinfraError(f"{self.project_dir} is not in a git repository: ENV@GITREF needs one") from None
        try:
            commit = _git(self.project_dir, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        except MlinfraError:
            raise MlinfraError(f"unknown git ref {ref!r}") from None
        if commit not in self._trees:
            if self._root is None:
                self._root = Path(tempfile.mkdtemp(prefix="mlinfra-diff-"))
            tree = self._root / commit[:12]
            _git(self.project_dir, "worktree", "add", "--detach", "--quiet", str(tree), commit)
            self._trees[commit] = tree
        return self._trees[commit] / self.project_dir.relative_to(self._toplevel)

    def close(self) -> None:
        for tree in self._trees.values():
            with contextlib.suppress(MlinfraError):
                _git(self.project_dir, "worktree", "remove", "--force", str(tree))
        self._trees.clear()
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
        with contextlib.suppress(MlinfraError):
            _git(self.project_dir, "worktree", "prune")

    def __enter__(self) -> "Worktrees":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _run_in(tree: Path, args: Sequence[str], what: str) -> subprocess.CompletedProcess:
    """Run ``python -m mlinfra.cli ARGS`` in a worktree, importing that tree's code first."""
    root = tree
    while not (root / ".git").exists() and root != root.parent:
        root = root.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), *filter(None, [os.environ.get("PYTHONPATH")])])}
    try:
        done = subprocess.run([sys.executable, "-m", "mlinfra.cli", *args], cwd=tree, env=env, capture_output=True,
                              text=True, timeout=SUBPROCESS_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise MlinfraError(f"{what} did not finish within {SUBPROCESS_TIMEOUT:g} s") from None
    if done.returncode not in (0, 1):
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise MlinfraError(f"{what}: {last.removeprefix('mlinfra: error: ')}")
    return done


def _violation(item: dict) -> Violation:
    return Violation(pack=item["pack"], policy=item["policy"], enforcement_level=item["enforcementLevel"],
                     severity=item.get("severity", "unspecified"), urn=item["urn"], message=item.get("message", ""))


def result_from_json(report: dict, resources: int, env: Optional[str]) -> ReviewResult:
    """A ``ReviewResult`` from ``mlinfra review --format json`` (violations, waived; packs by name only)."""
    from mlinfra.review import PackInfo

    result = ReviewResult(
        packs=[PackInfo(name=p["name"], version=p.get("version", ""), directory=Path(".")) for p in report["packs"]],
        violations=[_violation(v) for v in report.get("violations", [])], resources=resources, env=env)
    result.waived = [(_violation(v), v.get("waiver", {})) for v in report.get("waived", [])]
    return result


def plan_at_ref(worktrees: Worktrees, spec: SideSpec, scratch: Path) -> Side:
    """Plan and review ``spec.env`` in a worktree of ``spec.ref`` with that commit's code and configuration.

    An environment that has no stack file at that commit (one the change adds, or removes) is an
    empty side: every resource of the other side is added (or removed).
    """
    from mlinfra.project import read_project

    tree = worktrees.project_at(spec.ref or "")
    if not (read_project(tree).stack_config_dir / f"Pulumi.{spec.env}.yaml").is_file():
        return Side(f"{spec.text} (no such environment)", spec.env, [], ReviewResult([], [], 0, env=spec.env))
    stem = f"{spec.env}-{len(list(scratch.iterdir()))}"
    plan_file, report_file = scratch / f"{stem}.plan.json", scratch / f"{stem}.review.json"
    _run_in(tree, ["plan", spec.env or "", "--out", str(plan_file)], f"planning {spec.text}")
    _run_in(tree, ["review", "--deployment", str(plan_file), "--env", spec.env or "", "--format", "json",
                   "--output", str(report_file)], f"reviewing {spec.text}")
    resources = load_resources(plan_file)
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MlinfraError(f"reviewing {spec.text}: no readable report ({exc})") from None
    return Side(spec.text, spec.env, resources, result_from_json(report, len(resources), spec.env))


def review_file(spec: SideSpec, env: Optional[str], project_dir: Path, packs: Optional[list[Path]]) -> Side:
    """Review a plan file with this checkout's packs and the waivers of ``env`` (default: its stack)."""
    resources = load_resources(spec.path)  # type: ignore[arg-type]
    env = env or stack_of(resources)
    result = review(resources, packs, env, project_dir)
    return Side(spec.text, env, resources, result)


# -------------------------------------------------------------------------------------------- compare

def changed_paths(old: Any, new: Any, prefix: str = "") -> list[str]:
    """The dotted paths (``rules[0].expiration.days``) where two property values differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        paths: list[str] = []
        for key in sorted(set(old) | set(new)):
            where = f"{prefix}.{key}" if prefix else str(key)
            if key not in old or key not in new:
                paths.append(where)
            else:
                paths.extend(changed_paths(old[key], new[key], where))
        return paths
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [p for i, (a, b) in enumerate(zip(old, new)) for p in changed_paths(a, b, f"{prefix}[{i}]")]
    return [] if old == new else [prefix or "(value)"]


@dataclass
class Change:
    urn: str
    paths: list[str]

    @property
    def type(self) -> str:
        return urn_type(self.urn)

    @property
    def name(self) -> str:
        return urn_name(self.urn)


@dataclass
class EnvDiff:
    """One comparison: base and head sides, what changed, which violations are new or fixed."""

    env: Optional[str]
    base: Side
    head: Side
    added: list[Resource] = field(default_factory=list)
    removed: list[Resource] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    protected_deletes: list[Resource] = field(default_factory=list)
    new: list[Violation] = field(default_factory=list)
    fixed: list[Violation] = field(default_factory=list)
    unchanged: list[Violation] = field(default_factory=list)
    waived: list[tuple[Violation, Any]] = field(default_factory=list)
    unused_waivers: list[Any] = field(default_factory=list)
    cost: Optional[dict[str, Any]] = None

    @property
    def new_mandatory(self) -> int:
        return sum(v.mandatory for v in self.new)

    @property
    def statuses(self) -> dict[str, str]:
        found = {r.urn: "added" for r in self.added}
        found.update({r.urn: "removed" for r in self.removed})
        found.update({c.urn: "changed" for c in self.changed})
        return found


def _key(v: Violation) -> tuple[str, str, str]:
    return (v.pack, v.policy, v.urn)


def compare_violations(base: Sequence[Violation], head: Sequence[Violation]) -> tuple[list, list, list]:
    """``(new, fixed, unchanged)``: matched by pack, policy and URN, counting repeats."""
    base_left = Counter(_key(v) for v in base)
    new, unchanged = [], []
    for v in head:
        if base_left[_key(v)] > 0:
            base_left[_key(v)] -= 1
            unchanged.append(v)
        else:
            new.append(v)
    head_left = Counter(_key(v) for v in head)
    fixed = []
    for v in base:
        if head_left[_key(v)] > 0:
            head_left[_key(v)] -= 1
        else:
            fixed.append(v)
    return new, fixed, unchanged


def _cost(base: Side, head: Side) -> Optional[dict[str, Any]]:
    """The monthly cost change, where the cost estimate (``mlinfra.cost``) exists."""
    try:
        from mlinfra.cost import compare, estimate, load_price_table
    except ImportError:
        return None
    table = load_price_table(None)
    return compare(estimate(base.resources, table), estimate(head.resources, table))


def compare_sides(base: Side, head: Side) -> EnvDiff:
    """What changes from ``base`` to ``head``: resources and violations."""
    diff = EnvDiff(env=head.env or base.env, base=base, head=head)
    old = {r.urn: r for r in base.resources}
    new = {r.urn: r for r in head.resources}
    # A resource whose aliases name a base URN was renamed or moved, not replaced (the engine's rule).
    renamed = {urn: alias for urn, r in new.items() if urn not in old
               for alias in r.aliases if alias in old and alias not in new}
    diff.added = [new[u] for u in new if u not in old and u not in renamed]
    diff.removed = [old[u] for u in old if u not in new and u not in renamed.values()]
    diff.protected_deletes = [r for r in diff.removed if r.protect]
    for urn in new:
        if urn in old or urn in renamed:
            a, b = old[renamed.get(urn, urn)], new[urn]
            paths = [f"(urn, was {a.urn})"] if urn in renamed else []
            paths += changed_paths(a.inputs, b.inputs)
            if a.protect != b.protect:
                paths.append("(protect)")
            if a.provider.rsplit("::", 1)[0] != b.provider.rsplit("::", 1)[0]:
                paths.append("(provider)")
            if paths:
                diff.changed.append(Change(urn, paths))
    diff.new, diff.fixed, diff.unchanged = compare_violations(base.result.violations, head.result.violations)
    diff.waived = list(getattr(head.result, "waived", []) or [])
    diff.unused_waivers = list(getattr(head.result, "unused_waivers", []) or [])
    diff.cost = _cost(base, head)
    return diff
