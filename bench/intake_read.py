"""Benchmark 3: intake reading, `read_workbook` (read + validate) against raw openpyxl on the same files.

The files: the example vendors and variants written by the real form writer and filled like a vendor
would, then copied under distinct vendor names (each its own file and sha256). Not timed.

Baseline (the issue's): `openpyxl.load_workbook(read_only=True)` of each file's bytes, plus one pass
over the cells of the three sheets the reader reads (Questionnaire, Countries, _meta): a read-only
load alone parses no sheet at all, so without the pass the baseline would read nothing. The load
alone is reported too, for information.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

from bench.common import Figure, many_workbooks, run_worker, tempdir

TARGET = 1.5
SHEETS = ("Questionnaire", "Countries", "_meta")


def _raw_load(path: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    wb.close()


def _raw_pass(path: Path) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    cells = 0
    try:
        for name in SHEETS:
            for row in wb[name].iter_rows():
                for cell in row:
                    cells += cell.value is not None
    finally:
        wb.close()
    return cells


def worker(n: int, rounds: int) -> dict:
    from supplier_models import read_workbook

    paths = many_workbooks(tempdir("intake"), n)
    for p in paths[:5]:  # warm up imports and caches (questionnaire definitions, country index) for all three
        read_workbook(p)
        _raw_pass(p)
        _raw_load(p)
    best: dict[str, float] = {}
    for _ in range(rounds):  # best of `rounds`; each round times all three
        for name, fn in (("ours", read_workbook), ("raw_pass", _raw_pass), ("raw_load", _raw_load)):
            start = time.perf_counter()
            for p in paths:
                fn(p)
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
    vendors = {read_workbook(p).vendor_name for p in paths}
    return {"n": n, **best, "distinct_vendors": len(vendors)}


def run(quick: bool) -> list[Figure]:
    n = 200 if quick else 1_000
    r = run_worker("intake_read", ["--n", str(n), "--rounds", "1"])
    ratio = r["ours"] / r["raw_pass"]
    return [
        Figure(f"Intake reading, {n:,} workbooks: read_workbook (read + validate)", r["ours"], "s",
               baseline=r["raw_pass"], ratio=ratio, target=f"<= {TARGET:g}x raw openpyxl", met=ratio <= TARGET,
               note=f"{1000 * r['ours'] / n:.2f} ms/workbook; baseline = load_workbook(read_only=True) + one pass "
                    f"over the cells of the 3 sheets read ({1000 * r['raw_pass'] / n:.2f} ms); "
                    f"{r['distinct_vendors']} distinct vendors", extra=r),
        Figure(f"Intake reading, {n:,} workbooks: read_workbook vs bare load_workbook(read_only=True)", r["ours"], "s",
               baseline=r["raw_load"], ratio=r["ours"] / r["raw_load"], target="(information)",
               note="a read-only load parses no worksheet; shown for information"),
    ]


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    print(json.dumps(worker(a.n, a.rounds)))
