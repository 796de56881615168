"""The web app under pressure, against a real server (uvicorn on a free port) with requests sent at once from
threads: intakes run on a bounded pool; a zip bomb is refused at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from fairsource.web import uploads
from tests.helpers.web import LUMEN, api_token, running, web_app, workbook
from tests.workbooks.test_reader_bomb import SHEET, bomb

pytestmark = pytest.mark.slow


class Gauge:
    """Wraps a function: how many calls, and the most running at once."""

    def __init__(self, fn, pause: float = 0.0) -> None:
        self.fn, self.pause = fn, pause
        self.calls = self.running = self.most = 0
        self.lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        with self.lock:
            self.calls += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            if self.pause:
                time.sleep(self.pause)
            return self.fn(*args, **kwargs)
        finally:
            with self.lock:
                self.running -= 1


def at_once(n: int, send) -> list[httpx.Response]:
    """`send(i)` from n threads released together."""
    start = threading.Barrier(n)

    def one(i: int) -> httpx.Response:
        start.wait()
        return send(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_uploads_run_on_a_bounded_pool_and_pages_answer_meanwhile(tmp_path, database_url, monkeypatch, folder):
    app, _ = web_app(tmp_path / "home", database_url, web_intake_workers=1)
    store = app.state.web.store
    headers = api_token(store, "rev@example.org", "reviewer")
    reads = Gauge(uploads.read_workbook, pause=0.4)  # each workbook held a while, as a heavy one would be
    monkeypatch.setattr(uploads, "read_workbook", reads)
    body = workbook(LUMEN, folder).read_bytes()
    with running(app) as base:
        def send(i: int) -> tuple[httpx.Response, float]:
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                if i >= 4:
                    time.sleep(0.3)  # the uploads are in: the pool is busy
                start = time.perf_counter()
                response = client.post("/api/intake", files={"file": (f"lumen-{i}.xlsx", body)}) if i < 4 \
                    else client.get("/login")
                return response, time.perf_counter() - start

        answered = at_once(6, send)
    intakes, pages = [r for r, _ in answered[:4]], answered[4:]
    assert [r.status_code for r in intakes] == [200] * 4
    assert sorted(r.json()["duplicate"] for r in intakes) == [False, True, True, True]
    assert reads.calls == 4 and reads.most == 1
    for page, seconds in pages:
        assert page.status_code == 200 and seconds < 0.4  # not behind 4 x 0.4 s of uploads


def test_a_zip_bomb_upload_is_refused_at_once_naming_the_part(web, folder):
    client, store, _ = web
    data = bomb(workbook(LUMEN, folder).read_bytes(), 190)
    start = time.perf_counter()
    refused = client.post("/api/intake", headers=api_token(store, "rev@example.org", "reviewer"),
                          files={"file": ("bomb.xlsx", data)})
    assert time.perf_counter() - start < 1.0
    assert refused.status_code == 422
    (problem,) = refused.json()["errors"]
    assert problem["cell"] is None and f"its part {SHEET} alone is 190 MB" in problem["message"]
    assert store.counts()["submission"] == 0
