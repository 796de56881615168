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
AS_OF = "2026-11-23"  # the requalification day (as in tests/flows/test_flows.py)


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
    """Workbooks for the example vendors and a few variants of each, through the real form writer: RDE-1 forms, as
    the examples answered them (so figures compare with earlier runs; RDE-2 reads and scores the same way)."""
    from supplier_models.questionnaire import load
    from supplier_models.workbooks.examples import EXAMPLES, ISSUED_AT
    from supplier_models.workbooks.form import fill_form, write_form

    rde1 = load("RDE-1")

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for e_idx, base in enumerate(EXAMPLES):
        for v in range(variants_per_example):
            i = e_idx * 1000 + v
            answers, countries = variant_answers(base, i)
            path = folder / f"base-{base.slug}-{v}.xlsx"
            write_form(path, vendor_name(i), questionnaire=rde1, issued_at=ISSUED_AT, form_id=f"bench-{i}")
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


# -- memory of process trees (a worker and the flow runs it starts) ---------------------------------
def _parents() -> dict[int, int]:
    """Every live process's parent, from /proc/<pid>/stat (a process gone meanwhile is skipped)."""
    out = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()  # after the command name, which may hold spaces
        out[int(entry.name)] = int(fields[1])
    return out


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_rss_mb(root: int, parents: dict[int, int] | None = None) -> tuple[float, int]:
    """The sum of the resident set sizes of `root` and all its descendants, MB, and how many processes."""
    parents = _parents() if parents is None else parents
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return sum(_rss_mb(pid) for pid in tree), len(tree)


class TreePeaks:
    """Samples, every `interval` seconds in a thread, the RSS sum of each named process tree and keeps its peak
    (MB) and the most processes it held at once. Use as a context manager; `add` a tree at any time."""

    def __init__(self, roots: dict[str, int] | None = None, interval: float = 0.2) -> None:
        import threading

        self.roots = dict(roots or {})
        self.interval = interval
        self.peak_mb = {name: 0.0 for name in self.roots}
        self.peak_procs = {name: 0 for name in self.roots}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def add(self, name: str, pid: int) -> None:
        self.peak_mb.setdefault(name, 0.0)
        self.peak_procs.setdefault(name, 0)
        self.roots[name] = pid

    def sample(self) -> None:
        parents = _parents()
        for name, pid in list(self.roots.items()):
            if pid not in parents:
                continue
            mb, procs = tree_rss_mb(pid, parents)
            self.peak_mb[name] = max(self.peak_mb[name], mb)
            self.peak_procs[name] = max(self.peak_procs[name], procs)
        self.samples += 1

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreePeaks:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def serving(proc: subprocess.Popen, base: str, timeout: float = 120) -> bool:
    """Whether the web server `proc` answers `base`/healthz within `timeout` seconds (False: it died or never did)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.2)
    return False
