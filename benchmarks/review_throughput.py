"""Review throughput: synthetic deployments of N resources through the real analyzer protocol.

Builds a stack export of N resources (a realistic mix of components, buckets with access blocks,
volumes, log groups, databases with secret passwords, behind two providers), reviews it with the
policy packs and prints review time, resources per second, CPU per resource of the reviewer and of
the pack processes together, and peak RSS of the reviewer and of the largest pack process. Each
size runs in a fresh process so peak RSS is that size's own.

After the project's packs it reviews the largest size with one and with three copies of
``benchmarks/noop_pack`` (the policy SDK with rules that do nothing) and of ``benchmarks/bare_pack``
(a gRPC analyzer without the SDK that answers nothing): the floors the analyzer protocol sets on
this machine whatever the rules do.

    .venv/bin/python benchmarks/review_throughput.py                 # 100, 500, 2000, 10000
    .venv/bin/python benchmarks/review_throughput.py --sizes 5000 --policy-pack policies/security
    .venv/bin/python benchmarks/review_throughput.py --sizes 10000 --floor noop --copies 3

Packs default to the project's packs that have a ``__main__.py``, else the test fixture pack.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PACK = ROOT / "tests" / "fixtures" / "review" / "testpack"
FLOOR_PACKS = {"noop": ROOT / "benchmarks" / "noop_pack", "bare": ROOT / "benchmarks" / "bare_pack"}
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def synthetic_deployment(n: int, stack: str = "dev", project: str = "mlinfra") -> dict:
    """A version-3 stack export with exactly ``n`` resources."""
    prefix = f"urn:pulumi:{stack}::{project}::"
    root = f"{prefix}pulumi:pulumi:Stack::{project}-{stack}"
    resources = [{"urn": root, "type": "pulumi:pulumi:Stack", "custom": False}]
    providers = []
    for name, region in (("default_7_0_0", "us-east-1"), ("eu", "eu-west-1")):
        urn = f"{prefix}pulumi:providers:aws::{name}"
        providers.append(f"{urn}::{name}-id")
        resources.append({"urn": urn, "type": "pulumi:providers:aws", "custom": True, "id": f"{name}-id",
                          "inputs": {"region": region}, "outputs": {"region": region}, "parent": root})
    i = 0
    while len(resources) < n:
        component = f"{prefix}mlinfra:storage:Store::store{i}"
        resources.append({"urn": component, "type": "mlinfra:storage:Store", "custom": False, "parent": root})
        bucket = f"{prefix}mlinfra:storage:Store$aws:s3/bucket:Bucket::bucket{i}"
        children = [
            (bucket, "aws:s3/bucket:Bucket", {"bucket": f"bucket{i}", "forceDestroy": False,
                                              "tags": {"data-classification": "confidential", "team": "ml"}}, {}),
            (f"{prefix}mlinfra:storage:Store$aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::block{i}",
             "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
             {"bucket": f"bucket{i}", "blockPublicAcls": True, "blockPublicPolicy": True,
              "ignorePublicAcls": True, "restrictPublicBuckets": True}, {"bucket": [bucket]}),
            (f"{prefix}mlinfra:storage:Store$aws:ebs/volume:Volume::volume{i}", "aws:ebs/volume:Volume",
             {"availabilityZone": "us-east-1a", "size": 100, "encrypted": i % 10 != 0, "type": "gp3"}, {}),
            (f"{prefix}mlinfra:storage:Store$aws:cloudwatch/logGroup:LogGroup::logs{i}",
             "aws:cloudwatch/logGroup:LogGroup", {"name": f"logs{i}", "retentionInDays": 90 if i % 3 else 7}, {}),
            (f"{prefix}mlinfra:storage:Store$aws:rds/instance:Instance::db{i}", "aws:rds/instance:Instance",
             {"engine": "postgres", "instanceClass": "db.r6g.large", "storageEncrypted": True,
              "password": {**SECRET, "plaintext": json.dumps(f"password-{i:012d}")}}, {}),
        ]
        for urn, type_, inputs, prop_deps in children:
            if len(resources) >= n:
                break
            resources.append({
                "urn": urn, "type": type_, "custom": True, "id": urn.rsplit("::", 1)[1], "parent": component,
                "provider": providers[i % 7 == 0], "inputs": inputs, "outputs": {**inputs, "arn": f"arn:{i}"},
                "dependencies": sorted({u for urns in prop_deps.values() for u in urns}),
                "propertyDependencies": prop_deps,
            })
        i += 1
    return {"version": 3, "deployment": {"manifest": {"version": "v3.200.0"}, "resources": resources[:n]}}


def default_packs() -> list[Path]:
    packs = [ROOT / "policies" / name for name in ("security", "privacy", "compliance")]
    packs = [p for p in packs if (p / "__main__.py").is_file()]
    return packs or [FIXTURE_PACK]


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measure(n: int, packs: list[Path]) -> dict:
    """Review a synthetic deployment of ``n`` resources in this process; returns the measurements.

    The packs' CPU is read after ``review`` has stopped and reaped them, so it is all of theirs.
    """
    from mlinfra.review import load_resources, review

    cpu_self = _cpu(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deployment.json"
        path.write_text(json.dumps(synthetic_deployment(n)))
        start = time.perf_counter()
        resources = load_resources(path)
        loaded = time.perf_counter()
        result = review(resources, packs, "dev", ROOT)
        end = time.perf_counter()
    return {
        "resources": n, "load_s": loaded - start, "review_s": end - start,
        "violations": len(result.violations), "packs": len(result.packs),
        "reviewer_cpu_s": _cpu(resource.RUSAGE_SELF) - cpu_self, "packs_cpu_s": _cpu(resource.RUSAGE_CHILDREN),
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pack_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def run(n: int, packs: list[Path]) -> dict:
    """``measure`` in a fresh process, so peak RSS and CPU are this run's own."""
    command = [sys.executable, __file__, "--one", str(n)] + [a for p in packs for a in ("--policy-pack", str(p))]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def row(label: str, n: int, r: dict) -> str:
    return (f"{label:<16} {n:>9} {r['review_s']:>9.2f} {n / r['review_s']:>12.0f} "
            f"{1000 * r['reviewer_cpu_s'] / n:>13.3f} {1000 * r['packs_cpu_s'] / n:>10.3f} "
            f"{r['violations']:>10} {r['rss_mib']:>8.0f} {r['pack_rss_mib']:>12.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000, 10000])
    parser.add_argument("--policy-pack", type=Path, action="append", dest="packs")
    parser.add_argument("--floor", choices=sorted(FLOOR_PACKS),
                        help="review with copies of this floor pack only: noop (the SDK) or bare (gRPC alone)")
    parser.add_argument("--copies", type=int, default=3, help="copies of the --floor pack (default 3)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    packs = [p.resolve() for p in args.packs] if args.packs else default_packs()
    if args.one:
        print(json.dumps(measure(args.one, packs)))
        return
    if args.floor:
        runs = [(f"{args.copies} {args.floor}", [FLOOR_PACKS[args.floor]] * args.copies, args.sizes)]
    else:
        print(f"packs: {', '.join(str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in packs)}")
        runs = [("packs", packs, args.sizes)]
        if not args.packs:
            largest = [max(args.sizes)]
            runs += [(f"{copies} {name} (floor)", [FLOOR_PACKS[name]] * copies, largest)
                     for name in ("noop", "bare") for copies in (1, 3)]
    print(f"{'run':<16} {'resources':>9} {'review s':>9} {'resources/s':>12} {'reviewer ms/r':>13} "
          f"{'packs ms/r':>10} {'violations':>10} {'RSS MiB':>8} {'pack RSS MiB':>12}")
    for label, run_packs, sizes in runs:
        for n in sizes:
            print(row(label, n, run(n, run_packs)), flush=True)


if __name__ == "__main__":
    main()
