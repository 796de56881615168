"""`fairsource web --workers 2`, a real process on the test's database: it runs two worker processes, and nothing
that matters is kept in one of them. A sign-in made through one worker holds in the other (the anonymous CSRF
token, the session, its CSRF token, signing out), many requests with that session all succeed whichever worker
answers, and 30 wrong passwords at once for one e-mail, spread over the workers, are checked 5 times. Its
listening socket says it is TCP, so the connections it accepts get TCP_NODELAY (uvicorn's own does not)."""

from __future__ import annotations

import asyncio
import http.client
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psutil
import pytest
import uvicorn

from fairsource import accounts
from fairsource.cli.servers import tcp_socket
from supplier_models import Store
from tests.helpers.web import csrf_of, sign_ins, statuses

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.login_burst import PASSWORD, Server  # noqa: E402  (the server in its own process, shared with bench/)

pytestmark = pytest.mark.slow
EMAIL = "ana@example.org"  # the viewer `Server` adds


def worker_processes(server: Server) -> list[psutil.Process]:
    """The server's worker processes (uvicorn's, started by multiprocessing; not its resource tracker)."""
    return [child for child in psutil.Process(server.proc.pid).children()
            if any("spawn_main" in part for part in child.cmdline())]


class Pinned:
    """A keep-alive connection to the server, and the worker process that accepted it: each request on it is
    answered by that worker. Cookies are kept as a browser would."""

    def __init__(self, server: Server, workers: list[psutil.Process]) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.connection.connect()
        self.port = self.connection.sock.getsockname()[1]
        assert self.request("GET", "/healthz")[0] == 200  # answered: the connection has been accepted
        self.worker = next(w.pid for w in workers for c in w.net_connections("tcp")
                           if c.raddr and c.raddr.port == self.port and c.status == psutil.CONN_ESTABLISHED)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location, body)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=urlencode(form) if form is not None else None, headers=headers)
        response = self.connection.getresponse()
        body = response.read().decode()
        assert self.connection.sock.getsockname()[1] == self.port, "reconnected: another worker may have answered"
        for header in response.headers.get_all("set-cookie") or []:
            name, _, value = header.split(";")[0].partition("=")
            self.cookies[name] = value.strip('"')
        return response.status, response.headers.get("location", ""), body

    def close(self) -> None:
        self.connection.close()


def one_on_each(server: Server, workers: list[psutil.Process]) -> tuple[Pinned, Pinned]:
    """Two connections answered by two different workers (new connections until the kernel gives one to the
    other worker; the second worker may still be starting)."""
    first, deadline = Pinned(server, workers), time.monotonic() + 60
    while time.monotonic() < deadline:
        other = Pinned(server, workers)
        if other.worker != first.worker:
            return first, other
        other.close()
    raise AssertionError("every connection went to the same worker for a minute")


@pytest.fixture
def server(tmp_path, database_url):
    with Server(tmp_path / "home" / ".fairsource", workers=2, database_url=database_url) as running:
        yield running


def test_two_workers_share_the_sign_in_the_session_and_its_forms(server):
    workers = worker_processes(server)
    assert len(workers) == 2 and len({w.pid for w in workers}) == 2
    a, b = one_on_each(server, workers)
    status, _, page = a.request("GET", "/login")  # the anonymous CSRF cookie and token, from worker a
    assert status == 200
    b.cookies = dict(a.cookies)
    status, location, _ = b.request("POST", "/login", {"email": EMAIL, "password": PASSWORD,
                                                      "csrf_token": csrf_of(page), "next": "/vendors"})
    assert (status, location) == (303, "/vendors") and "fs_session" in b.cookies  # signed in through worker b
    a.cookies = dict(b.cookies)
    status, _, page = a.request("GET", "/")  # the session, in worker a
    assert status == 200 and EMAIL in page
    session, session_csrf = a.cookies["fs_session"], csrf_of(page)

    def read(i: int) -> int:  # many requests with that session, each on its own connection, any worker
        path = ("/", "/vendors", "/api/vendors")[i % 3]
        with httpx.Client(base_url=server.base, cookies={"fs_session": session}, timeout=60) as c:
            return c.get(path, follow_redirects=False).status_code

    a.close()
    b.close()
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(read, range(60))) == [200] * 60
    a, b = one_on_each(server, workers)  # afresh: a connection left idle is closed by the server after 5 s
    a.cookies = b.cookies = {"fs_session": session}
    assert a.request("POST", "/logout", {"csrf_token": session_csrf})[:2] == (303, "/login")
    assert b.request("GET", "/")[:2] == (303, "/login?next=%2F")  # signed out in the other worker too
    a.close()
    b.close()


def test_30_wrong_passwords_at_once_across_the_workers_are_checked_5_times(server, database_url):
    found = statuses(sign_ins(server.base, [EMAIL] * 30, "wrong wrong wrong"))
    assert found == {401: 5, 429: 25}
    assert sign_ins(server.base, [EMAIL], PASSWORD)[0].status_code == 429  # the right password too, for now
    store = Store(database_url)
    try:
        events = [e.action for e in store.audit.events(limit=100)]
        assert events.count("login_failed") == 5 and events.count("login_blocked") == 26
        assert store.sessions.failures(EMAIL, "127.0.0.1", accounts.now() - accounts.LOGIN_WINDOW) == 5
    finally:
        store.close()


def nodelay_of_accepted(listening: socket.socket) -> int:
    """TCP_NODELAY on a connection asyncio accepted on this listening socket (as uvicorn's workers serve)."""
    async def accept_one() -> int:
        accepted: asyncio.Future = asyncio.get_running_loop().create_future()

        class Report(asyncio.Protocol):
            def connection_made(self, transport) -> None:
                accepted.set_result(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP,
                                                                                  socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Report, sock=listening)
        _, writer = await asyncio.open_connection(*listening.getsockname())
        try:
            return await asyncio.wait_for(accepted, 10)
        finally:
            writer.close()
            server.close()

    return asyncio.run(accept_one())


def test_the_workers_listening_socket_gives_its_connections_tcp_nodelay():
    def bound() -> socket.socket:
        return uvicorn.Config("fairsource.web.app:from_environment", host="127.0.0.1", port=0).bind_socket()

    assert nodelay_of_accepted(tcp_socket(bound())) != 0  # each answer sent at once
    # uvicorn's own socket (its issue 3149): Nagle stays on. Once this fails, uvicorn is mended: tcp_socket can go
    assert nodelay_of_accepted(bound()) == 0
