"""``mlinfra diff`` as a command: plan or read each side, compare, render and write the reports.

Kept apart from ``mlinfra.diff`` (the comparison), which ``mlinfra.diff_report`` reads, so that
neither imports the other in a circle.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from mlinfra import diff_report
from mlinfra.diff import FORMATS, EnvDiff, Worktrees, compare_sides, parse_side, plan_at_ref, review_file
from mlinfra.errors import MlinfraError


def run_diff(*, project_dir: Path, sides: Sequence[str], env: Optional[str], packs: Optional[list[Path]],
             fmt: str, output: Optional[Path], reports: Sequence[str] = ()) -> int:
    """``mlinfra diff BASE HEAD [BASE HEAD ...]``: compare, print or write; the exit code (0 or 1)."""
    if fmt not in FORMATS:
        raise MlinfraError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    extra = [diff_report.parse_report_option(r) for r in reports]
    if len(sides) < 2 or len(sides) % 2:
        raise MlinfraError("give sides in pairs: BASE HEAD [BASE HEAD ...] (each a plan file or ENV@GITREF)")
    specs = [parse_side(s) for s in sides]
    diffs: list[EnvDiff] = []
    # A stop signal raises ``mlinfra.interrupts.Interrupted`` here (the console installs the handlers):
    # leaving the block removes the worktrees and the scratch plans all the same.
    with Worktrees(project_dir) as worktrees, \
            tempfile.TemporaryDirectory(prefix="mlinfra-diff-plans-") as scratch:
        for base_spec, head_spec in zip(specs[::2], specs[1::2]):
            pair_env = env or base_spec.env or head_spec.env
            built = []
            for spec in (base_spec, head_spec):
                if spec.path is not None:
                    built.append(review_file(spec, pair_env, project_dir, packs))
                else:
                    built.append(plan_at_ref(worktrees, spec, Path(scratch)))
            diffs.append(compare_sides(*built))
    text = diff_report.render(diffs, fmt)
    _write(output, text)
    for report_fmt, path in extra:
        _write(path, diff_report.render(diffs, report_fmt))
    return 1 if any(d.new_mandatory for d in diffs) else 0


def _write(path: Optional[Path], text: str) -> None:
    if path is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise MlinfraError(f"{path}: cannot write the report: {exc.strerror or exc}") from None
