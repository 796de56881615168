"""Benchmark: every page, list, export and API at 100,000 vendors, against a plain-SQL baseline (issue 21).

    python bench/vendors_scale.py [--vendors 100000 | --quick] [--database sqlite|postgresql|both]
                                  [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/DB] [--keep DIR]
                                  [--repeats 30]

A store of N vendors that looks like a real base (`bench/scale_seed.py`: real intakes of a few dozen shapes,
cloned in bulk), kept under `--keep` (SQLite: a file per N; PostgreSQL: the database `--pg-url` or
FAIRSOURCE_BENCH_PG_URL names, seeded again when it does not hold N vendors) so a second run only measures. The
first read of a fresh seed rebuilds the vendors' state rows from the history (`rows_for_the_day`): timed apart, as
the first read after an upgrade.

Then a real server (`fairsource web`, one worker) and a real client (httpx, signed in; the API with a token):
the dashboard, the vendors list's first and 50th page (size 100, following the cursors), the list filtered by a
country, a vendor page, the API's first and 50th page (limit 100), each after a warm-up `--repeats` times: p50
and p95 of the time the client sees on localhost (the app sends no Server-Timing), and the response's size.
Baseline, in the same run and timed the same way: plain SQL returning the same rows (`bench/scale_baseline.py`).
Targets: p95 < 300 ms and < 200 KB each. Then the CSV of the whole list (`/vendors.csv`): time, size and the
server's peak memory while it streams (the sum over its process tree, sampled), and `fairsource report` in its
own process: time and peak memory; both under 300 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scale_baseline as sql  # noqa: E402
from bench.common import Figure, TreePeaks, print_figure, serving, tempdir  # noqa: E402
from bench.login_burst import PASSWORD, _free_port  # noqa: E402
from bench.web_load import percentile  # noqa: E402

PAGE_MS, PAGE_KB, MEMORY_MB = 300, 200, 300
EMAIL = "scale@example.org"
SIZE = 100
PG_ENV = "FAIRSOURCE_BENCH_PG_URL"


# -- the store --------------------------------------------------------------------------------------
def _vendors(url: str) -> int | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM vendor")).scalar_one()
    except Exception:  # no table yet
        return None
    finally:
        engine.dispose()


def _reset_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def prepare(database: str, n: int, keep: Path, pg_url: str | None) -> tuple[str, Path, dict]:
    """(url, home, what seeding took) of a store holding `n` vendors, seeded when it does not already."""
    from bench.scale_seed import seed
    from flows.usecases.vendor_list import rows_for_the_day
    from flows.usecases.vendor_state import keep_states
    from supplier_models import Settings, Store

    home = keep / f"{database}-{n}" / ".fairsource"
    home.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{home / 'fairsource.db'}" if database == "sqlite" else pg_url
    took: dict = {"kept": _vendors(url) == n}
    if not took["kept"]:
        if database == "sqlite":
            (home / "fairsource.db").unlink(missing_ok=True)
        else:
            _reset_pg(url)
        print(f"  seeding {n:,} vendors on {database} ...", flush=True)
        took.update(seed(url, n, home, dt.date.today()))
    store = keep_states(Store(url))
    settings = Settings(home=home, database_url=url)
    start = time.perf_counter()
    rows_for_the_day(store, settings, dt.date.today())  # a fresh seed: every state row rebuilt from the history
    took["first_read_seconds"] = time.perf_counter() - start
    _user(store)
    store.close()
    if database == "postgresql" and not took["kept"]:
        _analyze(url)  # as autovacuum would have by then: planner statistics and the visibility map of bulk rows
    return url, home, took


def _analyze(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _user(store) -> None:
    from fairsource import accounts

    if store.staff.by_email(EMAIL) is None:
        accounts.add_user(store, EMAIL, "viewer", PASSWORD)


def _token(url: str) -> str:
    from fairsource import accounts
    from supplier_models import Store

    store = Store(url)
    try:
        return accounts.new_api_token(store, EMAIL)
    finally:
        store.close()


# -- the server -------------------------------------------------------------------------------------
class Server:
    """`fairsource web` (one worker) on a free port, on the seeded store."""

    def __init__(self, home: Path, url: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "FAIRSOURCE_HOME": str(home), "FAIRSOURCE_DATABASE_URL": url,
                    "PYTHONPATH": str(ROOT)}
        self.home = home

    def __enter__(self) -> Server:
        self.log = open(self.home.parent / "web.log", "wb")  # noqa: SIM115 (closed in __exit__)
        self.proc = subprocess.Popen([sys.executable, "-c", "from fairsource.cli import main; main()", "web",
                                      "--port", str(self.port)], env=self.env, cwd=self.home.parent,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        if serving(self.proc, self.base):
            return self
        self.__exit__()
        raise RuntimeError("fairsource web did not start: see " + str(self.home.parent / "web.log"))

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def signed_in(base: str):
    import httpx

    client = httpx.Client(base_url=base, timeout=300)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token, "next": "/"})
    if r.status_code >= 400:
        raise RuntimeError(f"sign-in refused: {r.status_code}")
    return client


# -- timing -----------------------------------------------------------------------------------------
def timed_runs(fn, repeats: int, warm: int = 3) -> tuple[list[float], object]:
    """`fn` run `warm` times untimed, then `repeats` times: the times (ms) and the last result."""
    result = None
    for _ in range(warm):
        result = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(1000 * (time.perf_counter() - start))
    return times, result


def get(client, path: str, **kw):
    r = client.get(path, **kw)
    if r.status_code != 200:
        raise RuntimeError(f"GET {path}: {r.status_code} {r.text[:300]}")
    return r


def follow(client, first: str, pages: int, **kw) -> str:
    """The address of page `pages` of a list, following the cursors from `first` (the HTML's next link, or the
    API's Link header)."""
    path = first
    for _ in range(pages - 1):
        r = get(client, path, **kw)
        link = r.headers.get("link")
        if link:
            path = re.search(r"<([^>]+)>", link).group(1).replace("http://127.0.0.1", "", 1)
            path = path[path.index("/"):]
        else:
            path = re.search(r'href="(/vendors\?[^"]+)" rel="next"', r.text).group(1).replace("&amp;", "&")
    return path


def page_figure(name: str, times: list[float], size: int, base: list[float], note: str = "") -> Figure:
    p95, b95 = percentile(times, 0.95), percentile(base, 0.95)
    kb = size / 1024
    return Figure(name, p95, "ms", baseline=b95, ratio=p95 / b95 if b95 else None,
                  target=f"p95 < {PAGE_MS} ms, < {PAGE_KB} KB", met=p95 < PAGE_MS and kb < PAGE_KB,
                  note=f"p50 {percentile(times, 0.5):.1f} ms (baseline {percentile(base, 0.5):.2f} ms); "
                       f"{kb:.1f} KB" + (f"; {note}" if note else ""),
                  extra={"p50": percentile(times, 0.5), "kb": kb, "baseline_p50": percentile(base, 0.5)})


def pages(server: Server, url: str, repeats: int) -> list[Figure]:
    """Each page and API page against its plain-SQL baseline."""
    from sqlalchemy import create_engine, text

    client, api = signed_in(server.base), _api_client(server.base, _token(url))
    engine = create_engine(url)
    today = dt.date.today()
    p50 = follow(client, f"/vendors?size={SIZE}", 50)
    a50 = follow(api, f"/api/vendors?limit={SIZE}", 50)
    figures = []
    with engine.connect() as conn:
        c50 = sql.cursor_at(conn, 49 * SIZE - 1)
        vid = conn.execute(text("SELECT s.vendor_id FROM vendor_state s JOIN vendor v ON v.id = s.vendor_id "
                                "WHERE s.open_remediations > 0 AND s.status = 'conditional' ORDER BY v.name "
                                "LIMIT 1")).scalar_one()
        cases = [
            ("Dashboard /", client, "/", lambda: sql.dashboard(conn, today)),
            (f"Vendors list, page 1 (size {SIZE})", client, f"/vendors?size={SIZE}",
             lambda: sql.list_page(conn, SIZE)),
            (f"Vendors list, page 50 (size {SIZE})", client, p50, lambda: sql.list_page(conn, SIZE, c50)),
            ("Vendors list, country=DE, page 1", client, f"/vendors?size={SIZE}&country=DE",
             lambda: sql.list_page(conn, SIZE, country="DE")),
            ("Vendor page (conditional, remediations)", client, f"/vendors/{vid}", lambda: sql.vendor(conn, vid)),
            (f"API /api/vendors, page 1 (limit {SIZE})", api, f"/api/vendors?limit={SIZE}",
             lambda: sql.list_page(conn, SIZE, counts=False)),
            (f"API /api/vendors, page 50 (limit {SIZE})", api, a50,
             lambda: sql.list_page(conn, SIZE, c50, counts=False)),
        ]
        for name, who, path, baseline in cases:
            times, r = timed_runs(lambda who=who, path=path: get(who, path), repeats)
            base, _ = timed_runs(baseline, repeats)
            figures.append(page_figure(name, times, len(r.content), base, note=path[:60]))
            print_figure(figures[-1])
    engine.dispose()
    client.close()
    api.close()
    return figures


def _api_client(base: str, token: str):
    import httpx

    return httpx.Client(base_url=base, timeout=300, headers={"Authorization": f"Bearer {token}"})


def csv_export(server: Server, url: str, n: int) -> Figure:
    """The whole list as CSV, streamed: time, size, the server's peak memory; baseline: every row in one query."""
    from sqlalchemy import create_engine

    client = signed_in(server.base)
    size = lines = 0
    with TreePeaks({"server": server.proc.pid}, interval=0.05) as peaks:
        start = time.perf_counter()
        with client.stream("GET", "/vendors.csv") as r:
            for chunk in r.iter_bytes():
                size += len(chunk)
                lines += chunk.count(b"\n")
        seconds = time.perf_counter() - start
    client.close()
    engine = create_engine(url)
    with engine.connect() as conn:
        start = time.perf_counter()
        rows = sql.every_row(conn)
        base = time.perf_counter() - start
    engine.dispose()
    mb = peaks.peak_mb["server"]
    return Figure(f"CSV export /vendors.csv, {n:,} vendors: server peak memory", mb, "MB",
                  target=f"< {MEMORY_MB} MB, every row", met=mb < MEMORY_MB and lines - 1 == rows == n,
                  note=f"{seconds:.2f} s (baseline: every row in one query {base:.2f} s, ratio {seconds / base:.1f}x); "
                       f"{size / 2**20:.1f} MB, {lines - 1:,} rows",
                  extra={"seconds": seconds, "baseline_seconds": base, "bytes": size, "rows": lines - 1})


def portfolio(home: Path, url: str, n: int) -> Figure:
    """`fairsource report` in its own process: time and peak memory (the process tree, sampled)."""
    out = tempdir("scale-report") / "portfolio.xlsx"
    env = {**os.environ, "FAIRSOURCE_HOME": str(home), "FAIRSOURCE_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "from fairsource.cli import main; main()", "report", "--out",
                             str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    with TreePeaks({"report": proc.pid}, interval=0.05) as peaks:
        output, _ = proc.communicate(timeout=3600)
    seconds = time.perf_counter() - start
    mb = peaks.peak_mb["report"]
    ok = proc.returncode == 0
    return Figure(f"fairsource report (portfolio workbook), {n:,} vendors: peak memory", mb, "MB",
                  target=f"< {MEMORY_MB} MB", met=ok and mb < MEMORY_MB,
                  note=f"{seconds:.1f} s; {out.stat().st_size / 2**20:.1f} MB" if ok else
                  f"FAILED ({proc.returncode}): {output.decode()[-300:]}", extra={"seconds": seconds})


def run_one(database: str, n: int, keep: Path, pg_url: str | None, repeats: int, report: bool = True,
            ) -> list[Figure]:
    print(f"== {database}, {n:,} vendors", flush=True)
    url, home, took = prepare(database, n, keep, pg_url)
    seeded = ("kept from an earlier run" if took["kept"] else
              f"{took['templates']} template intakes {took['template_seconds']:.1f} s, "
              f"clones {took['clone_seconds']:.1f} s")
    figures = [Figure(f"Seeding {n:,} vendors ({database})", None if took["kept"] else
                      took["template_seconds"] + took["clone_seconds"], "s", note=seeded),
               Figure("First read after upgrade: every state row rebuilt (rows_for_the_day)",
                      took["first_read_seconds"], "s",
                      note="a kept store: only the day's refresh" if took["kept"] else "")]
    for f in figures:
        print_figure(f)
    print(f"  (load average before the pages: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", flush=True)
    with Server(home, url) as server:
        figures += pages(server, url, repeats)
        print(f"  (load average after the pages: {os.getloadavg()[0]:.1f})", flush=True)
        figures.append(csv_export(server, url, n))
        print_figure(figures[-1])
    if report:
        figures.append(portfolio(home, url, n))
        print_figure(figures[-1])
    for f in figures:
        f.extra["database"] = database
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vendors", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true", help="5,000 vendors, 10 repeats")
    ap.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    ap.add_argument("--pg-url", default=os.environ.get(PG_ENV))
    ap.add_argument("--keep", type=Path, default=None, help="where seeded stores are kept between runs")
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--json-out", type=Path, default=None)
    ap.add_argument("--no-report", action="store_true", help="leave out `fairsource report` (minutes at 100,000)")
    a = ap.parse_args()
    n, repeats = (5_000, min(a.repeats, 10)) if a.quick else (a.vendors, a.repeats)
    keep = a.keep or tempdir("scale")
    databases = ("sqlite", "postgresql") if a.database == "both" else (a.database,)
    if "postgresql" in databases and not a.pg_url:
        ap.error(f"PostgreSQL needs --pg-url or {PG_ENV}")
    figures = [f for db in databases for f in run_one(db, n, keep, a.pg_url, repeats, not a.no_report)]
    if a.json_out:
        import json

        a.json_out.write_text(json.dumps([f.as_dict() for f in figures], indent=1, default=str))
    return 0 if all(f.met is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
