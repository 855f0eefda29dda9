"""Time and peak memory of `mlinfra plan` and `mlinfra review`, printed as a table.

Each measurement runs in a fresh process, as a user or CI would run the command, so it includes
interpreter start-up and imports. Rows:

- import baseline: a fresh interpreter importing exactly the pulumi, pulumi_aws and
  pulumi_kubernetes modules the stacks program loads, with collection and teardown left on (the
  plan-against-floor rows with issue 16's targets are ``benchmarks/replicated_series.py``'s);
- plan, review and plan+review of each environment;
- a synthetic series of about 100, 500 and 2,000 resources, to show time and memory grow linearly.

Usage: ``.venv/bin/python benchmarks/plan_review.py [--repeat N] [--sizes 100,500,2000]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENVS = ("dev", "staging", "prod")


def child_main(argv: list[str]) -> None:
    """Run one mlinfra command in this process and print its wall time and peak memory as JSON."""
    start = time.perf_counter()
    from mlinfra.cli import main

    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    elapsed = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    packs = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "rss_mib": own, "child_rss_mib": packs, "code": code}))


def measure(argv: list[str], cwd: Path, repeat: int) -> dict:
    """Median wall time (whole process) and peak RSS over ``repeat`` fresh processes."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, __file__, "--child", json.dumps(argv)], cwd=cwd,
                             capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if out.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed:\n{out.stderr[-2000:]}")
        data = json.loads(out.stdout.strip().splitlines()[-1])
        data["wall"] = wall
        runs.append(data)
    return {
        "wall": statistics.median(r["wall"] for r in runs),
        "rss_mib": max(r["rss_mib"] for r in runs),
        "child_rss_mib": max(r["child_rss_mib"] for r in runs),
        "code": runs[-1]["code"],
    }


def program_modules(cwd: Path, env: str) -> list[str]:
    """The pulumi* modules the stacks program imports, found by planning once."""
    code = textwrap.dedent("""
        import json, pathlib, sys
        from mlinfra.plan import plan
        plan(pathlib.Path(sys.argv[1]), sys.argv[2])
        print(json.dumps(sorted(m for m in sys.modules
                                if m.split('.')[0] in ('pulumi', 'pulumi_aws', 'pulumi_kubernetes'))))
    """)
    out = subprocess.run([sys.executable, "-c", code, str(cwd), env], cwd=cwd, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def import_baseline(modules: list[str], repeat: int) -> float:
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, *modules], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def synthetic_project(directory: Path, buckets: int) -> Path:
    """A project whose program declares ``buckets`` SecureBuckets (10 resources each) and their keys."""
    (directory / "stacks").mkdir(parents=True)
    (directory / "Pulumi.yaml").write_text("name: mlinfra\nruntime: python\nmain: stacks/\nstackConfigDir: stacks\n")
    (directory / "stacks" / "Pulumi.dev.yaml").write_text((ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    (directory / "stacks" / "__main__.py").write_text(textwrap.dedent(f"""
        import pulumi, pulumi_aws as aws
        from components.common import Classification
        from components.encryption import EncryptionKeys, EncryptionKeysArgs, KeySpec
        from components.storage import AccessLogBucket, AccessLogBucketArgs, SecureBucket, SecureBucketArgs
        from mlinfra.config import load_platform_config

        cfg = load_platform_config()
        provider = aws.Provider("aws", region=cfg.region,
                                default_tags=aws.ProviderDefaultTagsArgs(tags=cfg.resource_tags))
        opts = pulumi.ResourceOptions(providers=[provider])
        keys = EncryptionKeys("keys", EncryptionKeysArgs(keys=[KeySpec("data")]), opts=opts)
        logs = AccessLogBucket("logs", AccessLogBucketArgs(), opts=opts)
        for i in range({buckets}):
            SecureBucket(f"b{{i}}", SecureBucketArgs(kms_key=keys.key("data"), classification=Classification.INTERNAL,
                                                     access_log_bucket=logs.bucket), opts=opts)
    """))
    return directory


def resources_in(path: Path) -> int:
    return len(json.loads(path.read_text())["deployment"]["resources"])


def row(name: str, resources: int | str, m: dict, extra: str = "") -> str:
    rate = f"{resources / m['wall']:,.0f}" if isinstance(resources, int) else ""
    return (f"| {name} | {resources} | {m['wall']:.2f} | {rate} | {m['rss_mib']:.0f} | "
            f"{m['child_rss_mib']:.0f} | {extra} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per measurement (median)")
    parser.add_argument("--sizes", default="100,500,2000", help="synthetic resource counts")
    args = parser.parse_args()

    modules = program_modules(ROOT, "prod")
    baseline = import_baseline(modules, args.repeat)
    print(f"import baseline ({len(modules)} pulumi/pulumi_aws/pulumi_kubernetes modules): {baseline:.2f} s\n")
    print("| run | resources | seconds | resources/s | peak RSS MiB | packs peak RSS MiB | note |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for env in ENVS:
            out = Path(tmp) / f"{env}.json"
            m = measure(["plan", env, "--out", str(out)], ROOT, args.repeat)
            count = resources_in(out)
            print(row(f"plan {env}", count, m))
            m = measure(["review", "--deployment", str(out), "--env", env, "--format", "json"], ROOT, args.repeat)
            print(row(f"review {env}", count, m, f"exit {m['code']}"))
            m = measure(["review", env, "--format", "json"], ROOT, args.repeat)
            note = f"{m['wall'] / baseline:.2f}x import baseline" if env == "prod" else ""
            print(row(f"plan + review {env}", count, m, note))
        for size in (int(s) for s in args.sizes.split(",")):
            project = synthetic_project(Path(tmp) / f"synthetic-{size}", max(1, (size - 8) // 10))
            out = project / "plan.json"
            m = measure(["plan", "dev", "--out", str(out)], project, args.repeat)
            count = resources_in(out)
            print(row("plan synthetic", count, m))
            packs = [arg for pack in ("security", "privacy", "compliance")
                     for arg in ("--policy-pack", str(ROOT / "policies" / pack))]
            m = measure(["review", "--deployment", str(out), "--env", "dev", "--format", "json", *packs],
                        project, args.repeat)
            print(row("review synthetic", count, m))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child_main(json.loads(sys.argv[2]))
    else:
        main()
