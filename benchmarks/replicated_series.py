"""Review against Checkov on the prod plan replicated to realistic sizes, and the plan against its floor.

Rows, each a fresh process of the console script as a user or CI runs it (``.venv/bin/mlinfra``),
wall time (median of ``--repeat``) and CPU time (user + system, the process and every pack process
it ran) and peak RSS:

- the replicated series: the prod plan (``mlinfra plan prod``) repeated 1x, 10x, about 10,000
  resources and 50x under new names (``../shared/checkov/replicate.py``: the same mix of
  resources), reviewed in-process (the default) and over the analyzer protocol (``--protocol``, one
  process per pack as the engine runs them), and scanned by Checkov on the same plans converted to
  Terraform plans and Kubernetes manifests (``../shared/checkov/pulumi2tfplan.py``; conversion not
  timed): ``checkov -f PLAN.json -f K8S.yaml --framework terraform_plan kubernetes --skip-download``;
- the plan of prod against its floor: a fresh interpreter that imports exactly the pulumi,
  pulumi_aws and pulumi_kubernetes modules the plan executes (found by planning once), with
  garbage collection off and no interpreter teardown; the floor plus the SDK registering as many
  bare resources; then plan + review of prod (``mlinfra review prod``) against the same floor. The
  four run in turn, ``--repeat`` rounds (at least three), and each ratio is the median of its
  per-round ratios.

Targets (issue 16): review at least 10 times faster than Checkov at each size; 10,000 resources
reviewed in under 4 s; plan of prod within 1.3 times the floor, plan + review within 1.6 times;
time and memory linear in the number of resources.

Our packages are byte-compiled first (``warm_bytecode``), as an installed copy is; Checkov's are
from its install. mlinfra's cache (``MLINFRA_CACHE_DIR``) starts empty in the run's scratch directory; the
first review, which fills it, is printed apart from the timed rows.

Usage: ``.venv/bin/python benchmarks/replicated_series.py [--repeat N] [--no-checkov] [--checkov DIR]``.
Checkov's venv comes from ``../shared/checkov/venv.sh`` unless ``--checkov`` names one.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: ``../shared/checkov`` of the checkout (searched upwards, so a worktree below the checkout finds it too).
SHARED = next((p / "shared" / "checkov" for p in ROOT.parents if (p / "shared" / "checkov").is_dir()),
              ROOT.parent / "shared" / "checkov")
MLINFRA = Path(sys.executable).parent / "mlinfra"


def run(argv: list[str], cwd: Path = ROOT, ok: tuple[int, ...] = (0, 1)) -> dict:
    """One fresh process: wall seconds, CPU seconds (with its waited-for children), peak RSS MiB."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise SystemExit(f"{' '.join(map(str, argv))} exited {code}:\n{stderr[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


#: The repository's packages, byte-compiled before measuring (``warm_bytecode``).
PACKAGES = ("mlinfra", "components", "catalog", "policies", "stacks", "bootstrap")


def warm_bytecode() -> None:
    """Byte-compile the repository's packages, as installing a wheel does. An editable install
    compiles them on first use instead, and where ``PYTHONDONTWRITEBYTECODE`` is set (some CI images
    and sandboxes) every process would recompile all of them: about 0.1 s of each review and 0.15 s
    of each plan, which no installed copy pays."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", *PACKAGES], cwd=ROOT, check=True)


def median_run(argv: list[str], repeat: int, **kw) -> dict:
    runs = [run(argv, **kw) for _ in range(repeat)]
    return {key: statistics.median(r[key] for r in runs) for key in ("wall", "cpu")} | \
        {"rss": max(r["rss"] for r in runs)}


def plan_modules(env: str) -> list[str]:
    """The pulumi, pulumi_aws and pulumi_kubernetes modules planning ``env`` imports, in import order."""
    code = textwrap.dedent("""
        import json, pathlib, sys
        from mlinfra.plan import plan
        plan(pathlib.Path(sys.argv[1]), sys.argv[2])
        print(json.dumps([m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_aws', 'pulumi_kubernetes')]))
    """)
    out = subprocess.run([sys.executable, "-c", code, str(ROOT), env], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def floor_argv(modules: list[str]) -> list[str]:
    """A fresh interpreter importing ``modules`` with collection off and no teardown."""
    code = ("import gc, importlib, os, sys\ngc.disable()\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
            "sys.stdout.flush()\nos._exit(0)\n")
    return [sys.executable, "-c", code, *modules]


def interleaved(argvs: list[list[str]], rounds: int) -> list[list[dict]]:
    """``rounds`` rounds of one run of each command in turn. A ratio to the first command is taken
    within each round, so the machine's drift over the minute the rows take (seen here: 20-30 %)
    moves both sides of it alike, where medians of rows run one after another do not."""
    return [[run(argv) for argv in argvs] for _ in range(rounds)]


REGISTRATION = """
import gc, importlib, os, sys
gc.disable()
for m in sys.argv[2:]:
    importlib.import_module(m)
import pulumi, pulumi_aws as aws

class Bare(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return [args.name + "-id", args.inputs]

    def call(self, args):
        return {}

pulumi.runtime.set_mocks(Bare(), preview=True)
# As the plan does (mlinfra/plan.py, _no_stack_traces): no per-resource stack trace, which mocks drop.
from pulumi.runtime import resource
from pulumi.runtime.proto import source_pb2
resource._get_stack_trace = lambda empty=source_pb2.StackTrace(): empty
pulumi.runtime.test(lambda: [aws.s3.Bucket(f"b{i}", tags={"team": "ml"}) for i in range(int(sys.argv[1]))])()
sys.stdout.flush()
os._exit(0)
"""


def registration_argv(modules: list[str], resources: int) -> list[str]:
    """The floor plus what the Pulumi SDK spends registering ``resources`` bare buckets under its own
    mocks, skipping the per-resource stack trace as the plan does: per resource the SDK serializes,
    calls the monitor and resolves outputs, whatever the program; no plan of that many resources
    costs less."""
    return [sys.executable, "-c", REGISTRATION, str(resources), *modules]


def replicate(plan: Path, k: int, out: Path) -> int:
    done = subprocess.run([sys.executable, str(SHARED / "replicate.py"), str(plan), str(k), str(out)],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.strip().splitlines()[-1])


def checkov_venv(given: str | None) -> Path:
    if given:
        return Path(given)
    out = subprocess.run([str(SHARED / "venv.sh")], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip().splitlines()[-1])


def checkov(venv: Path, plan: Path, scratch: Path, repeat: int) -> dict:
    tf, k8s = scratch / f"{plan.stem}-tf.json", scratch / f"{plan.stem}-k8s.yaml"
    subprocess.run([str(venv / "bin" / "python"), str(SHARED / "pulumi2tfplan.py"), str(plan), "-o", str(tf),
                    "--k8s-out", str(k8s)], capture_output=True, check=True)
    files = ["-f", str(tf)] + (["-f", str(k8s)] if k8s.is_file() and k8s.stat().st_size else [])
    return median_run([str(venv / "bin" / "checkov"), *files, "--framework", "terraform_plan", "kubernetes",
                       "--skip-download", "-o", "json", "--quiet"], repeat, ok=(0, 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes per row (median); default 1")
    parser.add_argument("--no-checkov", action="store_true", help="skip the Checkov rows")
    parser.add_argument("--checkov", metavar="DIR", help="a venv with Checkov (default: ../shared/checkov/venv.sh)")
    parser.add_argument("--copies", default="1,10,10000,50",
                        help="replicas of prod per row; a number above 1000 means that many resources "
                             "(empty: no series)")
    parser.add_argument("--no-floor", action="store_true", help="skip the plan-against-floor rows")
    args = parser.parse_args()
    venv = None if args.no_checkov else checkov_venv(args.checkov)
    warm_bytecode()

    with tempfile.TemporaryDirectory(prefix="mlinfra-bench-") as tmp:
        scratch = Path(tmp)
        # The cache of a review's configuration verdict (docs/review.md) and of framework images starts
        # empty here: the first review pays for the validator, as the first after an install does.
        os.environ["MLINFRA_CACHE_DIR"] = str(scratch / "cache")
        prod = scratch / "prod-x1.json"
        run([str(MLINFRA), "plan", "prod", "--out", str(prod)])
        cold = run([str(MLINFRA), "review", "--deployment", str(prod), "--env", "prod"])
        states = json.loads(prod.read_text())["deployment"]["resources"]
        fixed = sum(1 for s in states if s["type"] == "pulumi:pulumi:Stack" or s["type"].startswith("pulumi:providers:"))

        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
              "(wall times grow with it; CPU times much less)")
        print(f"first review of prod, empty cache: {cold['wall']:.2f} s ({cold['cpu']:.2f} CPU s); the rows below "
              "are later reviews, which read the configuration's verdict from the cache\n")
        print("| plan | resources | review s (CPU s) | review --protocol s (CPU s) | Checkov s (CPU s) "
              "| Checkov / review | review ms/resource (CPU) | review peak MiB |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for copies in (int(c) for c in args.copies.split(",") if c.strip()):
            k = copies if copies <= 1000 else max(1, math.ceil((copies - fixed) / (len(states) - fixed)))
            label = f"prod x{k}" if copies <= 1000 else f"prod x{k} (~{copies:,})"
            plan = prod if k == 1 else scratch / f"prod-x{k}.json"
            count = len(states) if k == 1 else replicate(prod, k, plan)
            review = ["review", "--deployment", str(plan), "--env", "prod"]
            fast = median_run([str(MLINFRA), *review], args.repeat)
            slow = median_run([str(MLINFRA), *review, "--protocol"], args.repeat)
            cells = [f"{fast['wall']:.2f} ({fast['cpu']:.2f})", f"{slow['wall']:.2f} ({slow['cpu']:.2f})"]
            if venv is not None:
                scan = checkov(venv, plan, scratch, args.repeat)
                cells += [f"{scan['wall']:.1f} ({scan['cpu']:.1f})", f"{scan['wall'] / fast['wall']:.1f}x"]
            else:
                cells += ["", ""]
            cells += [f"{1000 * fast['cpu'] / count:.3f}", f"{fast['rss']:.0f}"]
            print(f"| {label} | {count:,} | " + " | ".join(cells) + " |", flush=True)

        if args.no_floor:
            return 0
        modules = plan_modules("prod")
        custom = sum(1 for r in states if r["custom"] and not r["type"].startswith("pulumi:providers:"))
        rows = {
            f"floor: import the {len(modules)} pulumi* modules the plan runs": floor_argv(modules),
            f"floor + the SDK registering {custom} bare resources under its own mocks":
                registration_argv(modules, custom),
            "mlinfra plan prod": [str(MLINFRA), "plan", "prod", "--out", str(scratch / "again.json")],
            "mlinfra review prod (plan + review)": [str(MLINFRA), "review", "prod"],
        }
        rounds = interleaved(list(rows.values()), max(3, args.repeat))
        print()
        print("| run | seconds | CPU s | peak MiB | / floor (wall) | / floor (CPU) |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for i, name in enumerate(rows):
            runs = [r[i] for r in rounds]
            wall, cpu = (statistics.median(m[key] for m in runs) for key in ("wall", "cpu"))
            ratio_wall, ratio_cpu = (statistics.median(r[i][key] / r[0][key] for r in rounds) for key in ("wall", "cpu"))
            print(f"| {name} | {wall:.2f} | {cpu:.2f} | {max(m['rss'] for m in runs):.0f} | "
                  f"{ratio_wall:.2f} | {ratio_cpu:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
