"""Helpers of the web tests: an app on a fresh store, staff users, sign-in, workbooks to upload, a real
server for the browser, requests sent at once."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from fairsource import accounts
from fairsource.web import create_app
from flows import usecases
from supplier_models import Settings, Store
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.form import fill_form

PASSWORD = "correct horse battery staple"
LUMEN, BRIGHT = EXAMPLES[0], EXAMPLES[1]
BROKEN_ANSWERS = {"PAY-04": "Maybe", "WORK-04": "lots"}


def web_app(home: Path, database_url: str, inputs: usecases.ScoringInputs | None = None, **settings):
    config = Settings(home=home, database_url=database_url, **settings)
    return create_app(config, inputs=inputs), config


def add_user(store: Store, email: str, role: str) -> str:
    accounts.add_user(store, email, role, PASSWORD)
    return email


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"},
                       follow_redirects=False)


def workbook(vendor, folder: Path, broken: bool = False, questionnaire: str = "RDE-1") -> Path:
    """The example vendor's returned workbook (RDE-1, as the examples were answered; RDE-2 with its `rde2`
    answers when asked), or a broken copy of it."""
    path = write_example(vendor, folder, questionnaire)
    if broken:
        path = fill_form(path, BROKEN_ANSWERS, out=folder / f"{vendor.slug}-broken.xlsx")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(app):
    """The app served by uvicorn on a free port, in a thread: yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:  # uvicorn sets it once the socket listens
            if not thread.is_alive():
                raise RuntimeError("the web server did not start")
            threading.Event().wait(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def shoot(page, path: Path) -> Path:
    """A PNG screenshot of the page as a person sees it (the viewport, not the whole scroll)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=False)
    return path


def staff_client(web, email="ana@example.org", role="admin") -> TestClient:
    client, store, _ = web
    add_user(store, email, role)
    assert sign_in(client, email).status_code == 303
    return client


def api_token(store, email, role) -> dict[str, str]:
    add_user(store, email, role)
    return {"Authorization": f"Bearer {accounts.new_api_token(store, email)}"}


def post_intake(client, headers, path):
    with open(path, "rb") as f:
        return client.post("/api/intake", files={"file": (path.name, f, "application/octet-stream")}, headers=headers)


def portal_link(store, vendor_name, contact="ops@vendor.example"):
    _, vendor, token = accounts.create_invite(store, vendor_name, contact, created_by="test", days=30)
    return vendor, f"/portal/{token}"


def asgi_post(app, path: str, headers: list[tuple[bytes, bytes]], chunks) -> tuple[int, int]:
    """POST through the ASGI interface, the body streamed chunk by chunk: (status, chunks the app read)."""
    read, status = 0, None

    async def receive():
        nonlocal read
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 1234), "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    return status, read


def at_once(n: int, send) -> list[httpx.Response]:
    """`send(i)` from n threads released together."""
    start = threading.Barrier(n)

    def one(i: int) -> httpx.Response:
        start.wait()
        return send(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def sign_ins(base: str, emails: list[str], password: str) -> list[httpx.Response]:
    """One sign-in per e-mail, all at once, each on its own connection, with the CSRF cookie and token of one
    visit to the sign-in page (as many tabs of one browser)."""
    with httpx.Client(base_url=base) as visit:
        token = csrf_of(visit.get("/login").text)
        cookies = dict(visit.cookies)

    def send(i: int) -> httpx.Response:
        with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
            return client.post("/login", data={"email": emails[i], "password": password, "csrf_token": token})

    return at_once(len(emails), send)


def statuses(responses: list[httpx.Response]) -> dict[int, int]:
    found: dict[int, int] = {}
    for r in responses:
        found[r.status_code] = found.get(r.status_code, 0) + 1
    return found
