"""Benchmark 1: SOW rendering, fairsource's `render_sow` against naive docxtpl.

Both render the same template (the shipped default) with the same context (built once per vendor,
not timed) for N varied vendors. Naive docxtpl: a new `DocxTemplate` from the file for each document,
`render(context, autoescape=True)`, `save`. Ours: `render_sow(context, out=...)`, which also verifies
every mandatory clause in the written file and writes atomically (more work, not less). The two
documents of every vendor must have the same text (checked on every pair, after timing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from bench.common import AS_OF, Figure, run_worker, tempdir, vendor_name

TARGET = 12.0  # issue 13: at least 12x naive docxtpl in every --quick run


def _contexts(n: int, folder: Path):
    """N SOW contexts for varied vendors (qualified and conditional examples, own names and pay)."""
    from bench.common import example_workbooks
    from flows import usecases
    from sow_templates import build_context
    from supplier_models import Settings, read_workbook

    inputs = usecases.load_inputs(Settings(home=folder / "home"))
    as_of = dt.date.fromisoformat(AS_OF)
    subs = []
    for path in example_workbooks(folder / "wb", variants_per_example=1):
        sub = read_workbook(path)
        if usecases.decide(sub, inputs, as_of).decision != "not_qualified":
            subs.append(sub)
    contexts = []
    for i in range(n):
        base = subs[i % len(subs)]
        name = vendor_name(200_000 + i)
        answers = {**base.answers, "COMP-01": name}
        sub = base.model_copy(update={"vendor_name": name, "answers": answers,
                                      "countries": [c.model_copy(update={"workers": c.workers + i % 17})
                                                    for c in base.countries]})
        decision = usecases.decide(sub, inputs, as_of)
        contexts.append(build_context(sub, decision, organisation=f"Client {i % 5}", issued_on=as_of))
    return contexts


def worker(n: int) -> dict:
    from docxtpl import DocxTemplate

    from sow_templates.render import DEFAULT_TEMPLATE, load_template, render_sow
    from sow_templates.verify import read_docx_text

    folder = tempdir("sow")
    contexts = _contexts(n, folder)
    values = [c.model_dump(mode="json") for c in contexts]
    ours_dir, naive_dir = folder / "ours", folder / "naive"
    ours_dir.mkdir()
    naive_dir.mkdir()

    # naive docxtpl: what a straightforward use of the library does for each document
    start = time.perf_counter()
    for i, v in enumerate(values):
        doc = DocxTemplate(str(DEFAULT_TEMPLATE))
        doc.render(v, autoescape=True)
        doc.save(str(naive_dir / f"{i}.docx"))
    naive = time.perf_counter() - start

    # ours, including the one-off template compile (a fresh process: nothing cached yet)
    start = time.perf_counter()
    for i, c in enumerate(contexts):
        render_sow(c, out=ours_dir / f"{i}.docx")
    ours = time.perf_counter() - start
    compile_once = _time_compile(load_template)

    mismatches = [i for i in range(n) if read_docx_text(ours_dir / f"{i}.docx") != read_docx_text(naive_dir / f"{i}.docx")]
    return {"n": n, "ours": ours, "naive": naive, "compile": compile_once, "mismatches": mismatches[:10],
            "mismatch_count": len(mismatches)}


def _time_compile(load_template) -> float:
    from sow_templates import render

    render._cache.clear()
    start = time.perf_counter()
    load_template(None)
    return time.perf_counter() - start


def run(quick: bool) -> list[Figure]:
    n = 100 if quick else 200
    r = run_worker("sow_render", ["--n", str(n)])
    ratio = r["naive"] / r["ours"]
    same = r["mismatch_count"] == 0
    return [
        Figure(f"SOW rendering, {n} SOWs: naive docxtpl / ours (speed-up)", ratio, "x", target=f">= {TARGET:g}x",
               met=ratio >= TARGET and same,
               note=f"ours {r['ours']:.2f} s ({1000 * r['ours'] / n:.1f} ms/SOW incl. verify + atomic write, "
                    f"template compile {1000 * r['compile']:.0f} ms once), naive {r['naive']:.2f} s "
                    f"({1000 * r['naive'] / n:.1f} ms/SOW); document text identical: "
                    f"{'yes' if same else 'NO, ' + str(r['mismatch_count']) + ' differ'}",
               extra=r),
        Figure(f"SOW rendering, {n} SOWs: ours", r["ours"], "s", baseline=r["naive"], ratio=r["ours"] / r["naive"],
               target=f"<= {1 / TARGET:.2f}x of naive", met=r["ours"] * TARGET <= r["naive"] and same),
    ]


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--n", type=int, default=50)
    a = ap.parse_args()
    print(json.dumps(worker(a.n)))
