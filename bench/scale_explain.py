"""Where a page's time goes: the SQL statements one request runs, each timed, the slowest explained.

    python bench/scale_explain.py --url sqlite:///.../fairsource.db --home DIR PATH [PATH ...] [--top 5]

The app (`create_app`) in this process with a test client, signed in as the user `bench/vendors_scale.py` adds;
each PATH requested once to warm up, then once with every statement recorded (SQLAlchemy's cursor events): the
request's time, the statements' total, and the `--top` slowest with their plan (SQLite: EXPLAIN QUERY PLAN;
PostgreSQL: EXPLAIN ANALYZE). Not a timed test: a tool for reading a slow page.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.login_burst import PASSWORD  # noqa: E402
from bench.vendors_scale import EMAIL  # noqa: E402


class Recorder:
    """Every statement run while `on`: (seconds, sql, parameters)."""

    def __init__(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        self.on, self.statements, self._start = False, [], {}
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self._start[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.on:
            self.statements.append((time.perf_counter() - self._start.pop(id(cursor), time.perf_counter()),
                                    statement, parameters))


def explain(url: str, statement: str, parameters) -> list[str]:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    prefix = "EXPLAIN QUERY PLAN " if url.startswith("sqlite") else "EXPLAIN (ANALYZE, BUFFERS) "
    try:
        with engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()
            cursor.execute(prefix + statement, parameters)
            return [" | ".join(str(c) for c in row) for row in cursor.fetchall()]
    finally:
        engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    from fastapi.testclient import TestClient

    from fairsource.web import create_app
    from supplier_models import Settings

    recorder = Recorder()
    client = TestClient(create_app(Settings(home=a.home, database_url=a.url)))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token, "next": "/"})
    for path in a.paths:
        client.get(path)
        recorder.statements.clear()
        recorder.on = True
        start = time.perf_counter()
        status = client.get(path).status_code
        took = time.perf_counter() - start
        recorder.on = False
        total = sum(s for s, *_ in recorder.statements)
        print(f"\n== {path}: {status}, {1000 * took:.1f} ms; {len(recorder.statements)} statements, "
              f"{1000 * total:.1f} ms in SQL")
        for seconds, statement, parameters in sorted(recorder.statements, key=lambda s: -s[0])[:a.top]:
            print(f"-- {1000 * seconds:.1f} ms: {' '.join(statement.split())[:600]}")
            if statement.lstrip().upper().startswith("SELECT"):
                for line in explain(a.url, statement, parameters):
                    print(f"     {line}")


if __name__ == "__main__":
    main()
