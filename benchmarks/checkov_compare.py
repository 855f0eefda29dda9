"""Hold the packs against Checkov on the foreign programs of ``tests/foreign.py``.

Each case is one resource (or a few) with ONE wrong setting and a compliant twin. A scanner catches a
case when it reports something on the case's resources that it does not report on the twin (so a
finding that both carry, for a setting the twin also lacks, does not count). Prints, per case,
what the packs (prod configuration) and Checkov newly report, and the totals.

    V=$(../shared/checkov/venv.sh)
    .venv/bin/python benchmarks/checkov_compare.py --checkov $V/bin/checkov --convert "$V/bin/python ../shared/checkov/pulumi2tfplan.py"

Checkov is a yardstick run as a separate program (its own venv); nothing here imports it.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from foreign import CASES, case_urns, deployment  # noqa: E402

from mlinfra.review import resources_from_document, review  # noqa: E402


def _checkov(checkov: str, convert: str, plan: Path, work: Path, tag: str) -> dict[str, set[str]]:
    """Failed check ids per resource name."""
    tf, k8s = work / f"tf-{tag}.json", work / f"k8s-{tag}.yaml"
    subprocess.run(shlex.split(convert) + [str(plan), "-o", str(tf), "--k8s-out", str(k8s)], check=True,
                   capture_output=True)
    found: dict[str, set[str]] = defaultdict(set)
    for target, framework in ((tf, "terraform_plan"), (k8s, "kubernetes")):
        if not target.exists():
            continue
        out = subprocess.run([checkov, "-f", str(target), "--framework", framework, "--skip-download", "-o", "json",
                              "--quiet"], capture_output=True, text=True).stdout
        reports = json.loads(out) if out.strip() else []
        for report in reports if isinstance(reports, list) else [reports]:
            for check in (report.get("results") or {}).get("failed_checks", []):
                name = check["resource"].rsplit(".", 1)[-1]
                found[name].add(f"{check['check_id']} {check['check_name']}")
    return found


def _packs(misconfigured: bool) -> dict[str, set[str]]:
    result = review(resources_from_document(deployment(misconfigured), "foreign"), None, "prod", ROOT)
    found: dict[str, set[str]] = defaultdict(set)
    for violation in result.violations:
        found[violation.urn].add(violation.policy)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkov", required=True, help="the checkov executable")
    parser.add_argument("--convert", required=True, help="the pulumi2tfplan.py command line")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        plans = {}
        for tag, flag in (("bad", True), ("good", False)):
            plans[tag] = work / f"{tag}.json"
            plans[tag].write_text(json.dumps(deployment(flag)))
        checkov = {tag: _checkov(args.checkov, args.convert, plans[tag], work, tag) for tag in plans}
    packs = {"bad": _packs(True), "good": _packs(False)}
    ours = theirs = both = 0
    print(f"{'case':36} {'packs (new findings)':48} checkov (new findings)")
    for case in CASES:
        # Every resource of the case: a stack control (a WAF without a logging configuration) is reported on
        # the resource it protects, while the case changes the resource that should point at it.
        our_new = sorted({p for urn in case_urns(case) for p in packs["bad"][urn] - packs["good"][urn]})
        their_new = sorted({c for name, _, _ in case.resources for c in checkov["bad"][name] - checkov["good"][name]})
        ours += bool(our_new)
        theirs += bool(their_new)
        both += bool(our_new) and bool(their_new)
        shown = "; ".join(c.split(" ", 1)[0] for c in their_new) or "-"
        print(f"{case.name:36} {', '.join(our_new) or '-':48} {shown}")
    print(f"\n{len(CASES)} cases: packs catch {ours}, Checkov catches {theirs}, both {both}; "
          f"only the packs {ours - both}, only Checkov {theirs - both}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
