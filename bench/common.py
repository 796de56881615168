"""Shared helpers for the benchmarks: results, timing, varied synthetic vendors, subprocess workers.

Nothing here is timed. Every benchmark returns `Figure`s; `bench/run.py` prints and saves them.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF_SEED = "2025-06-01"  # when the seeded assessments were made (long expired by AS_OF)
AS_OF = "2026-11-23"  # the requalification day (as in tests/test_flows.py)


@dataclass
class Figure:
    """One measured figure: value against a baseline measured in the same run, and its target."""

    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None  # None: no target (informational) or skipped
    note: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def status(f: Figure) -> str:
    if f.value is None:
        return "SKIPPED"
    if f.met is None:
        return "-"
    return "MET" if f.met else "NOT MET"


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:.4g} {unit}".strip()


def print_figure(f: Figure) -> None:
    line = f"  {f.name}: {fmt(f.value, f.unit)}"
    if f.baseline is not None:
        line += f"  (baseline {fmt(f.baseline, f.unit)})"
    if f.ratio is not None:
        line += f"  ratio {f.ratio:.2f}x"
    if f.target:
        line += f"  target {f.target}"
    line += f"  [{status(f)}]"
    if f.note:
        line += f"  -- {f.note}"
    print(line, flush=True)


def tempdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"fairsource-bench-{prefix}-"))


def peak_rss_mb() -> float:
    """Peak resident set size of this process, MB (Linux reports ru_maxrss in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(module: str, args: list[str], env: dict[str, str] | None = None, timeout: float = 900) -> dict:
    """Run `python -m bench.<module> --worker ...` in a fresh process; it prints one JSON line last.

    A subprocess per measurement keeps peaks (RSS) and caches (templates, Prefect) from mixing.
    """
    full_env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)}
    full_env = {k: v for k, v in full_env.items() if v is not None}  # None: unset in the worker
    proc = subprocess.run([sys.executable, "-m", f"bench.{module}", "--worker", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"bench.{module} worker failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n"
                           f"{proc.stderr[-5000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def isolated_env(home: Path) -> dict[str, str | None]:
    """Environment for a worker: fairsource home, Prefect home and database in `home`, Prefect quiet."""
    return {
        "FAIRSOURCE_HOME": str(home / "fairsource"),
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_API_URL": None,  # the temporary local server
    }


# -- varied synthetic vendors ---------------------------------------------------------------------
_WORDS = ("North", "Blue", "Cedar", "Delta", "Echo", "Fjord", "Granite", "Harbour", "Iris", "Juniper", "Kite",
          "Lark", "Meridian", "Nimbus", "Orchid", "Pioneer", "Quartz", "Riverside", "Summit", "Tidal")
_KINDS = ("Data", "Annotation", "Labelling", "Language", "Insight", "Crowd", "Voice", "Vision")
_FORMS = ("Ltd", "GmbH", "LLC", "Inc.", "S.A.", "Pvt Ltd", "B.V.", "Oy")


def vendor_name(i: int) -> str:
    """A distinct, plausible vendor name for every i."""
    return (f"{_WORDS[i % len(_WORDS)]} {_KINDS[(i // len(_WORDS)) % len(_KINDS)]} "
            f"{_FORMS[(i // (len(_WORDS) * len(_KINDS))) % len(_FORMS)]} {i:06d}")


def variant_answers(base, i: int) -> tuple[dict, list]:
    """`base` (an `ExampleVendor`) with small per-vendor changes that keep its story: pay a little
    higher, a different worker count, its own legal name."""
    answers = {**base.answers, "COMP-01": vendor_name(i)}
    bump = 1 + (i % 7) / 100
    countries = [(c, share, workers + i % 13, round(pay * bump, 2), cur, basis)
                 for c, share, workers, pay, cur, basis in base.countries]
    return answers, countries


def example_workbooks(folder: Path, variants_per_example: int = 3) -> list[Path]:
    """Workbooks for the example vendors and a few variants of each, through the real form writer."""
    from supplier_models.examples import EXAMPLES, ISSUED_AT
    from supplier_models.form import fill_form, write_form

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for e_idx, base in enumerate(EXAMPLES):
        for v in range(variants_per_example):
            i = e_idx * 1000 + v
            answers, countries = variant_answers(base, i)
            path = folder / f"base-{base.slug}-{v}.xlsx"
            write_form(path, vendor_name(i), issued_at=ISSUED_AT, form_id=f"bench-{i}")
            fill_form(path, {k: val for k, val in answers.items() if val is not None}, countries, base.evidence)
            paths.append(path)
    return paths


def rename_vendor(data: bytes, old: str, new: str) -> bytes:
    """The same workbook with the vendor's name replaced (shared strings and inline strings): a distinct
    returned file (its own sha256 and vendor) without running openpyxl's writer for each one."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    old_b, new_b = _xml_escape(old).encode(), _xml_escape(new).encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename.endswith(".xml"):
                blob = blob.replace(old_b, new_b)
            dst.writestr(info, blob)
    return out.getvalue()


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def base_vendor_name(path: Path) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(max_col=2, values_only=True) if r and r[0]}
    finally:
        wb.close()
    return str(meta["vendor"])


def many_workbooks(folder: Path, n: int) -> list[Path]:
    """`n` distinct returned workbooks: the example variants, then copies under new vendor names."""
    from supplier_models.names import slug

    bases = example_workbooks(folder / "bases")
    names = [base_vendor_name(p) for p in bases]
    datas = [p.read_bytes() for p in bases]
    out = []
    for i in range(n):
        k = i % len(bases)
        name = vendor_name(100_000 + i)
        path = folder / f"{slug(name)}.xlsx"
        path.write_bytes(rename_vendor(datas[k], names[k], name))
        out.append(path)
    return out


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result
