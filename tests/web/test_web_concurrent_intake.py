"""Intakes sent at once to a real server (uvicorn on a free port, requests from threads), on the backend under
test: two workbooks of a new vendor both stored under one vendor; the same workbook twice, one stored and one
answered as the duplicate it is (200, `duplicate: true`), never a 500; each intake's audit event written with
who sent it; a write answered at once after the burst."""

from __future__ import annotations

import time

import httpx
import pytest

from supplier_models.workbooks.form import fill_form
from tests.helpers.web import BRIGHT, api_token, running, web_app, workbook
from tests.store.test_concurrency import together
from tests.web.test_web_pressure import at_once

pytestmark = pytest.mark.slow


def post_all(base: str, headers: dict[str, str], bodies: list[tuple[str, bytes]]) -> list[httpx.Response]:
    def send(i: int) -> httpx.Response:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            return client.post("/api/intake", files={"file": bodies[i]})

    return at_once(len(bodies), send)


@pytest.mark.parametrize("same", [False, True], ids=["two workbooks of a new vendor", "one workbook twice"])
def test_intakes_at_once_through_the_api(tmp_path, database_url, folder, same):
    app, _ = web_app(tmp_path / "home", database_url, web_intake_workers=4)
    store = app.state.web.store
    headers = api_token(store, "rev@example.org", "reviewer")
    path = workbook(BRIGHT, folder)
    other = path if same else fill_form(path, {"COMM-02": 2}, out=folder / "changed.xlsx")
    together(store, 2)  # both requests enter the store's write transaction together
    with running(app) as base:
        answers = post_all(base, headers, [("a.xlsx", path.read_bytes()), ("b.xlsx", other.read_bytes())])
        assert [r.status_code for r in answers] == [200, 200], [r.text[:300] for r in answers]
        bodies = [r.json() for r in answers]
        assert sorted(b["duplicate"] for b in bodies) == ([False, True] if same else [False, False])
        assert bodies[0]["vendor_id"] == bodies[1]["vendor_id"]
        start = time.perf_counter()
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:  # a write after the burst
            late = client.post("/api/intake", files={"file": ("c.xlsx", path.read_bytes())})
        assert late.status_code == 200 and late.json()["duplicate"] and time.perf_counter() - start < 5
    counts = store.counts()
    stored = 1 if same else 2
    assert counts["vendor"] == 1 and counts["submission"] == stored == counts["assessment"]
    events = store.audit.events(limit=1000)
    intakes = [e for e in events if e.action == "web_intake"]
    assert len(intakes) == 3 and {e.actor for e in intakes} == {"rev@example.org"}
    assert sorted(e.detail["duplicate"] for e in intakes) == sorted([True] * (3 - stored) + [False] * stored)
    assert [e.action for e in events].count("submission_received") == stored  # accepted = stored
