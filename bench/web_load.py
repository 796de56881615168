"""A mixed load on `fairsource web` with locust (headless): sign-ins, pages, API reads, unique and repeated
intakes; then the figures and the store's exactness. A script that prints figures, not a timed test.

    python bench/web_load.py [--users 20] [--spawn-rate 10] [--run-time 60s] [--unique 300]
                             [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB]

A real server (`fairsource web` in its own process) on a fresh home (SQLite under it, or the database named),
seeded with staff users and a reviewer's API token; the scenario is `bench/locustfile.py`. Printed: requests and
failures, p50/p95 per kind of request, the server's peak memory, how long a write takes once the load has
stopped, and the store checked: accepted = stored, one `submission_received` and one non-duplicate `web_intake`
per stored submission.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import many_workbooks, tempdir  # noqa: E402
from bench.login_burst import PASSWORD, Server, _status_kb  # noqa: E402

STAFF = [f"staff{i}@example.org" for i in range(5)]


def seed(url: str) -> str:
    """Staff users (viewers and a reviewer) and the reviewer's API token."""
    from fairsource import accounts
    from supplier_models import Store

    store = Store(url)
    try:
        for email in STAFF:
            accounts.add_user(store, email, "viewer", PASSWORD)
        accounts.add_user(store, "reviewer@example.org", "reviewer", PASSWORD)
        return accounts.new_api_token(store, "reviewer@example.org")
    finally:
        store.close()


def locust(server: Server, folder: Path, token: str, args) -> dict:
    """The scenario run headless; what it recorded of each request (`bench/locustfile.py`)."""
    tally = folder / "tally.json"
    env = {**os.environ, "LOAD_TOKEN": token, "LOAD_EMAILS": ",".join(STAFF), "LOAD_PASSWORD": PASSWORD,
           "LOAD_UNIQUE": str(folder / "unique"), "LOAD_REPEATED": str(folder / "repeated"), "LOAD_TALLY": str(tally)}
    subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                    "-u", str(args.users), "-r", str(args.spawn_rate), "--run-time", args.run_time,
                    "--host", server.base, "--only-summary", "--loglevel", "WARNING"],
                   env=env, check=False, cwd=folder, stdout=subprocess.DEVNULL)
    return json.loads(tally.read_text())


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def figures(requests: list[list]) -> list[tuple[str, int, int, float, float]]:
    """(kind of request, count, failed, p50 ms, p95 ms), each kind and all of them."""
    kinds: dict[str, list] = {}
    for name, ms, failed in requests:
        kinds.setdefault(name, []).append((ms, failed))
    kinds["all"] = [(ms, failed) for name, ms, failed in requests]
    return [(name, len(rows), sum(f for _, f in rows), percentile([m for m, _ in rows], 0.5),
             percentile([m for m, _ in rows], 0.95)) for name, rows in sorted(kinds.items())]


def a_write_after(server: Server, token: str, path: Path) -> tuple[int, float]:
    import httpx

    start = time.perf_counter()
    response = httpx.post(f"{server.base}/api/intake", headers={"Authorization": f"Bearer {token}"},
                          files={"file": (path.name, path.read_bytes())}, timeout=120)
    return response.status_code, time.perf_counter() - start


def exactness(url: str, accepted: int) -> dict:
    from sqlalchemy import func
    from sqlmodel import select

    from supplier_models import Store
    from supplier_models.store.tables import AuditEvent, SubmissionRecord

    store = Store(url)
    try:
        with store.session() as s:
            stored = s.exec(select(func.count()).select_from(SubmissionRecord)).one()
            received = s.exec(select(func.count()).where(AuditEvent.action == "submission_received")).one()
            intakes = [e.detail.get("duplicate") for e in s.exec(select(AuditEvent)
                                                                 .where(AuditEvent.action == "web_intake"))]
        return {"accepted": accepted, "stored": stored, "submission_received": received,
                "web_intake (new)": intakes.count(False), "web_intake (duplicate)": intakes.count(True),
                "exact": accepted == stored == received == intakes.count(False)}
    finally:
        store.close()


def report(result: dict, server_peak_mb: float, after: tuple[int, float], exact: dict) -> int:
    """Print the figures; the failed requests."""
    print(f"{'request':34} {'count':>7} {'failed':>7} {'p50 ms':>8} {'p95 ms':>8}")
    rows = figures(result["requests"])
    for name, count, failed, p50, p95 in rows:
        print(f"{name:34.34} {count:>7} {failed:>7} {p50:>8.0f} {p95:>8.0f}")
    print(f"intakes (the scenario's tally): {result['tally']}")
    print(f"server peak memory: {server_peak_mb:.0f} MB")
    print(f"a write after the load: status {after[0]} in {after[1]:.2f} s")
    print(f"store: {exact}")
    return next(failed for name, _, failed, _, _ in rows if name == "all")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", default="60s")
    parser.add_argument("--unique", type=int, default=300, help="distinct workbooks for the unique intakes")
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite in the home)")
    args = parser.parse_args(argv)
    folder = tempdir("load")
    books = many_workbooks(folder / "books", args.unique + 4)
    for sub, paths in (("unique", books[:args.unique]), ("repeated", books[args.unique:args.unique + 3])):
        (folder / sub).mkdir()
        for p in paths:
            (folder / sub / p.name).write_bytes(p.read_bytes())
    home = folder / "home" / ".fairsource"
    home.mkdir(parents=True)
    url = args.database_url or f"sqlite:///{home / 'fairsource.db'}"
    token = seed(url)
    server = Server(home)
    server.env["FAIRSOURCE_DATABASE_URL"] = url
    with server:
        result = locust(server, folder, token, args)
        after = a_write_after(server, token, books[-1])
        peak = _status_kb(server.proc.pid, "VmHWM") / 1024
    accepted = result["tally"]["accepted"] + (after[0] == 200)
    exact = exactness(url, accepted)
    failed = report(result, peak, after, exact)
    return 0 if exact["exact"] and failed == 0 and after[0] == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
