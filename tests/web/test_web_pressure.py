"""The web app under pressure, against a real server (uvicorn on a free port) with requests sent at once from
threads: the sign-in limit holds under concurrency, per e-mail and per address; password checks and intakes run
on bounded pools; an unknown e-mail costs what a known one does; a zip bomb is refused at once."""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time
import tracemalloc

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from fairsource import accounts
from fairsource.web import uploads
from fairsource.web.queries import vendor_context
from flows import usecases
from tests.helpers.web import (
    BRIGHT,
    LUMEN,
    PASSWORD,
    add_user,
    api_token,
    at_once,
    csrf_of,
    post_intake,
    running,
    sign_ins,
    statuses,
    web_app,
    workbook,
)
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


def test_30_wrong_passwords_at_once_check_5_and_refuse_the_rest(tmp_path, database_url, monkeypatch):
    app, _ = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    add_user(store, "ana@example.org", "viewer")
    checks = Gauge(accounts.verify_password)
    monkeypatch.setattr(accounts, "verify_password", checks)
    with running(app) as base:
        found = statuses(sign_ins(base, ["ana@example.org"] * 30, "wrong wrong wrong"))
        assert checks.calls == 5 and found == {401: 5, 429: 25}
        late = sign_ins(base, ["ana@example.org"], PASSWORD)[0]  # the right password too, until the window passes
        assert late.status_code == 429 and "Too many failed sign-ins" in late.text
    assert checks.calls == 5
    events = [e.action for e in store.audit.events(limit=100)]
    assert events.count("login_failed") == 5 and events.count("login_blocked") == 26
    assert store.sessions.failures("ana@example.org", "127.0.0.1", accounts.now() - accounts.LOGIN_WINDOW) == 5


def test_many_e_mails_from_one_address_are_limited_too(tmp_path, database_url, monkeypatch):
    app, settings = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    add_user(store, "bo@example.org", "viewer")
    checks = Gauge(accounts.verify_password)
    monkeypatch.setattr(accounts, "verify_password", checks)
    limit = settings.web_login_failures_per_address
    with running(app) as base:
        found = statuses(sign_ins(base, [f"guess{i}@example.org" for i in range(limit + 10)], "wrong wrong wrong"))
        assert checks.calls == limit and found == {401: limit, 429: 10}
        assert sign_ins(base, ["bo@example.org"], PASSWORD)[0].status_code == 429  # that address is blocked


def test_password_checks_run_on_a_bounded_pool(tmp_path, database_url, monkeypatch):
    app, _ = web_app(tmp_path / "home", database_url, web_password_checks=2, web_login_failures_per_address=100)
    store = app.state.web.store
    add_user(store, "cy@example.org", "viewer")
    checks = Gauge(accounts.verify_password)  # the real argon2 check, 64 MiB each
    monkeypatch.setattr(accounts, "verify_password", checks)
    with running(app) as base:
        emails = ["cy@example.org"] * 4 + [f"nobody{i}@example.org" for i in range(8)]
        found = statuses(sign_ins(base, emails, "wrong wrong wrong"))
    assert found == {401: 12} and checks.calls == 12
    assert checks.most == 2  # never more than the pool's two at once, and the pool is used


def test_an_unknown_e_mail_costs_what_a_known_one_does():
    known = accounts.hash_password(PASSWORD)
    accounts.dummy_hash()

    def timed(password_hash) -> float:
        start = time.perf_counter()
        assert accounts.verify_password(password_hash, "wrong wrong wrong") is False
        return time.perf_counter() - start

    pairs = [(timed(known), timed(None)) for _ in range(5)]
    ratio = statistics.median(u for _, u in pairs) / statistics.median(k for k, _ in pairs)
    assert 0.5 < ratio < 2.0, pairs
    assert accounts.verify_password(None, "") is False


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
        assert page.status_code == 200 and seconds < 1.0  # not queued behind the uploads (4 x 0.4 s and more)


def test_a_zip_bomb_upload_is_refused_at_once_naming_the_part(web, folder):
    client, store, _ = web
    data = bomb(workbook(LUMEN, folder).read_bytes(), 190)
    headers = api_token(store, "rev@example.org", "reviewer")
    tracemalloc.start()
    try:
        refused = client.post("/api/intake", headers=headers, files={"file": ("bomb.xlsx", data)})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20  # refused from the zip's directory, never inflated (190 MB); not a timing, a fact
    assert refused.status_code == 422
    (problem,) = refused.json()["errors"]
    assert problem["cell"] is None and f"its part {SHEET} alone is 190 MB" in problem["message"]
    assert store.counts()["submission"] == 0


def test_behind_a_trusted_proxy_each_client_is_limited_by_its_own_address(tmp_path, database_url):
    app, _ = web_app(tmp_path / "home", database_url, web_trusted_proxies="testclient")
    store = app.state.web.store
    with TestClient(app) as client:
        token = csrf_of(client.get("/login").text)
        for address in ("203.0.113.7", "203.0.113.8"):
            wrong = client.post("/login", headers={"X-Forwarded-For": address},
                                data={"email": "ana@example.org", "password": "x", "csrf_token": token})
            assert wrong.status_code == 401
    since = accounts.now() - accounts.LOGIN_WINDOW
    assert [store.sessions.failures("ana@example.org", a, since) for a in ("203.0.113.7", "203.0.113.8")] == [1, 1]
    app, _ = web_app(tmp_path / "home2", database_url)  # no proxy trusted: the header is the client's own words
    with TestClient(app) as client:
        token = csrf_of(client.get("/login").text)
        client.post("/login", headers={"X-Forwarded-For": "203.0.113.9"},
                    data={"email": "ana@example.org", "password": "x", "csrf_token": token})
    assert app.state.web.store.sessions.failures("ana@example.org", "203.0.113.9", since) == 0


def test_the_vendor_pages_read_on_one_connection_of_the_pool(web, folder):
    """Every vendor's status merges two streamed queries (the vendors, their remediations): on one connection.
    On two, threads each holding one and waiting for a second drained the pool under load (each request then
    failed after the pool's 30 s)."""
    client, store, _ = web
    for vendor in (LUMEN, BRIGHT):  # Brightlabel has remediations: their stream stays open beside the vendors'
        assert post_intake(client, api_token(store, f"rev-{vendor.slug}@example.org", "reviewer"),
                           workbook(vendor, folder)).status_code == 200
    held = most = 0

    def checkout(*_args) -> None:
        nonlocal held, most
        held += 1
        most = max(most, held)

    def checkin(*_args) -> None:
        nonlocal held
        held -= 1

    event.listen(store.engine, "checkout", checkout)
    event.listen(store.engine, "checkin", checkin)
    try:
        policy = client.app.state.web.inputs.review_policy
        statuses = list(usecases.statuses(store, policy, dt.date.today()))
        assert sum(len(s.open_remediations) for s in statuses) > 0
        vendor_context(store, policy, store.vendors.all()[0], dt.date.today())
    finally:
        event.remove(store.engine, "checkout", checkout)
        event.remove(store.engine, "checkin", checkin)
    assert most == 1 and held == 0
