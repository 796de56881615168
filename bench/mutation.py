"""Mutation testing of the pure scoring core (issue 25): how many of mutmut's mutants the scoring tests kill.

    python bench/mutation.py [--no-run] [--max-children N] [--quiet]

Runs `mutmut run` with the repository's `[tool.mutmut]` (pyproject.toml: scoring/pay.py, geo.py, decision.py and
the lifecycle rules states.py, lifecycle.py against tests/scoring, in a copy under mutants/), then prints per file
killed / total and the score, and the names of the mutants that survived (`mutmut show NAME` prints one's
diff). --no-run only reads the last run's results in mutants/. A timeout counts as killed (the mutant broke the
code; mutmut's own score does the same); "no tests" counts as survived. Not part of `pytest`: a full run takes about
15 minutes (docs/mutation.md).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Figure, print_figure  # noqa: E402

TARGET = 90.0  # % of all mutants killed (issue 25, "Done when")
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 36: "timeout",
          37: "killed", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout", None: "not checked"}
KILLED = {"killed", "timeout"}


def run_mutmut(max_children: int) -> int:
    """Run mutmut in the repository; its progress goes to the terminal."""
    cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]
    return subprocess.run(cmd, cwd=ROOT).returncode


def read_results(root: Path = ROOT) -> dict[str, dict[str, str]]:
    """{source file: {mutant name: status}} from mutmut's meta files in mutants/."""
    out: dict[str, dict[str, str]] = {}
    for meta in sorted((root / "mutants").rglob("*.py.meta")):
        data = json.loads(meta.read_text("utf-8"))
        source = str(meta.relative_to(root / "mutants"))[: -len(".meta")]
        out[source] = {name: STATUS.get(code, "suspicious")
                       for name, code in sorted(data.get("exit_code_by_key", {}).items())}
    return out


def figures(results: dict[str, dict[str, str]]) -> list[Figure]:
    """One figure per file, then the total: % killed, with the counts by status."""
    out = []
    everything: Counter[str] = Counter()
    for source, statuses in results.items():
        counts = Counter(statuses.values())
        everything.update(counts)
        out.append(_figure(f"mutation score {source}", counts))
    out.append(_figure("mutation score, all files", everything))
    return out


def _figure(name: str, counts: Counter[str]) -> Figure:
    total = sum(counts.values())
    killed = sum(counts[s] for s in KILLED)
    pct = round(100 * killed / total, 1) if total else None
    detail = ", ".join(f"{counts[s]} {s}" for s in sorted(counts) if s != "killed" and counts[s])
    return Figure(name=name, value=pct, unit="%", target=f">= {TARGET:g}%", met=None if pct is None else pct >= TARGET,
                  note=f"{killed} / {total} killed" + (f" ({detail})" if detail else ""),
                  extra={"killed": killed, "total": total, **counts})


def survivors(results: dict[str, dict[str, str]]) -> list[str]:
    """The mutants tested and not killed (survived, no tests, suspicious); not those not yet checked."""
    return [name for statuses in results.values() for name, s in statuses.items()
            if s not in KILLED and s != "not checked"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-run", action="store_true", help="only read the last run's results in mutants/")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--quiet", action="store_true", help="print the scores, not the surviving mutants")
    args = parser.parse_args(argv)
    if not args.no_run:
        code = run_mutmut(args.max_children)
        if code not in (0, 1):  # mutmut exits 1 when mutants survive
            print(f"mutmut run exited {code}", file=sys.stderr)
            return code
    results = read_results()
    if not results:
        print("no results in mutants/: run without --no-run first", file=sys.stderr)
        return 2
    print("Mutation testing of the scoring core (mutmut)")
    for f in figures(results):
        print_figure(f)
    left = survivors(results)
    if left and not args.quiet:
        print(f"\nSurviving mutants ({len(left)}; `mutmut show NAME` prints one):")
        for name in left:
            print(f"  {name}  [{next(s[name] for s in results.values() if name in s)}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
