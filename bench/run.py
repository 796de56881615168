"""fairsource benchmarks (issue #6): one entry point.

    python bench/run.py [--quick] [--json-out PATH] [--only sow,requalify,intake,cold,web,team,login]

Prints every figure with its baseline, ratio, target and MET / NOT MET, and writes them all to a JSON
file (default bench/results.json, git-ignored). Targets are ratios against baselines measured in the
same run. --quick uses smaller sizes, fewer repeats and skips the 100,000-vendor memory runs. The team stack
(team) needs PostgreSQL (bench/team_stack.py says where it looks).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cold_start, intake_read, login_burst, requalify, sow_render, team_stack, web_intake  # noqa: E402
from bench.common import print_figure, status  # noqa: E402

BENCHMARKS = {
    "sow": ("1. SOW rendering", sow_render.run),
    "requalify": ("2. Requalification", requalify.run),
    "intake": ("3. Intake reading", intake_read.run),
    "cold": ("4. Cold start", cold_start.run),
    "web": ("5. Web upload to decision", web_intake.run),
    "team": ("6. Team stack", team_stack.run),
    "login": ("7. A burst of failed sign-ins", login_burst.run),
}


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip()
    except OSError:
        commit = ""
    return {"nproc": os.cpu_count(), "cpu": cpu or platform.processor(), "ram_gb": ram_gb,
            "python": platform.python_version(), "platform": platform.platform(), "commit": commit}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes; fits in two minutes")
    ap.add_argument("--json-out", default=str(ROOT / "bench" / "results.json"), help="where to write the figures")
    ap.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated subset: " + ",".join(BENCHMARKS))
    args = ap.parse_args()
    os.chdir(ROOT)
    mode = "quick" if args.quick else "full"
    info = machine()
    print(f"fairsource benchmarks ({mode}) on {info['nproc']} CPU(s), {info['cpu']}, {info['ram_gb']} GB RAM, "
          f"Python {info['python']}, commit {info['commit']}", flush=True)
    started = time.perf_counter()
    results = []
    for key in [k.strip() for k in args.only.split(",") if k.strip()]:
        title, fn = BENCHMARKS[key]
        print(f"\n{title}", flush=True)
        t = time.perf_counter()
        figures = fn(args.quick)
        for f in figures:
            print_figure(f)
        results += [{"benchmark": key, **f.as_dict(), "status": status(f)} for f in figures]
        print(f"  ({time.perf_counter() - t:.0f} s)", flush=True)
    total = time.perf_counter() - started
    failed = [r for r in results if r["status"] == "NOT MET"]
    print(f"\nTotal {total:.0f} s. Targets: {sum(r['status'] == 'MET' for r in results)} met, {len(failed)} not met"
          + "".join(f"\n  NOT MET: {r['name']}" for r in failed), flush=True)
    out = Path(args.json_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"mode": mode, "command": "python bench/run.py" + (" --quick" if args.quick else ""),
                               "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": info,
                               "total_seconds": round(total, 1), "figures": results}, indent=2, default=str))
    print(f"Figures written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
