"""Benchmark 7: a burst of failed sign-ins against `fairsource web`, its memory and its limit.

    python bench/login_burst.py [--quick]     (or: python bench/run.py --only login)

A real server (`fairsource web` in its own process, SQLite store under a temporary home, one staff user) gets N
wrong-password sign-ins at once, each from its own thread and connection, every one to be checked: the
per-address limit is raised for this (`FAIRSOURCE_WEB_LOGIN_FAILURES_PER_ADDRESS`), so the burst measures the
password checks themselves (argon2id, 64 MiB each). Figures: the server's peak resident memory (VmHWM) with the
bounded pool (`FAIRSOURCE_WEB_PASSWORD_CHECKS`, default 2) against the same burst with a pool as large as the
burst (every check at once, as before the pool); then the same burst for one e-mail under the default limits:
how many were checked (the limit is 5).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Figure, print_figure, serving, tempdir  # noqa: E402

TARGET_MB = 400
PASSWORD = "bench password 123"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status_kb(pid: int, key: str) -> int:
    found = re.search(rf"^{key}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
    return int(found.group(1)) if found else 0


class Server:
    """`fairsource web` on a free port in its own process (`workers` > 1: a parent and its worker processes), on a
    fresh home with one staff user; its store under the home, or the database `database_url` names."""

    def __init__(self, home: Path, *, workers: int = 1, database_url: str | None = None, **settings: str) -> None:
        self.home, self.port, self.workers = home, _free_port(), workers
        self.env = {**os.environ, "FAIRSOURCE_HOME": str(home), "PYTHONPATH": str(ROOT),
                    **{f"FAIRSOURCE_{k.upper()}": v for k, v in settings.items()}}
        self.env.pop("FAIRSOURCE_DATABASE_URL", None)
        if database_url:
            self.env["FAIRSOURCE_DATABASE_URL"] = database_url
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.home.mkdir(parents=True, exist_ok=True)
        cli = [sys.executable, "-c", "from fairsource.cli import main; main()"]
        subprocess.run([*cli, "user", "add", "ana@example.org", "--role", "viewer", "--password-stdin"],
                       input=PASSWORD + "\n", text=True, env=self.env, cwd=self.home.parent, check=True,
                       capture_output=True)
        self.log = self.home.parent / "web.log"  # what the server said (uvicorn logs every request)
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([*cli, "web", "--port", str(self.port), "--workers", str(self.workers)],
                                         env=self.env, cwd=self.home.parent, stdout=log, stderr=subprocess.STDOUT)
        if serving(self.proc, self.base):
            return self
        self.__exit__()
        raise RuntimeError(f"fairsource web did not start:\n{self.log.read_text()[-3000:]}")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def rss_mb(self, key: str = "VmRSS") -> float:
        return _status_kb(self.proc.pid, key) / 1024


def burst(base: str, emails: list[str]) -> tuple[float, dict[int, int]]:
    """Every e-mail's sign-in with a wrong password, all at once: (seconds, responses by status)."""
    import httpx

    with httpx.Client(base_url=base) as visit:
        token = re.search(r'name="csrf_token" value="([^"]+)"', visit.get("/login").text).group(1)
        cookies = dict(visit.cookies)
    start = threading.Barrier(len(emails))

    def one(email: str) -> int:
        with httpx.Client(base_url=base, cookies=cookies, timeout=300) as client:
            start.wait()
            return client.post("/login", data={"email": email, "password": "wrong wrong wrong",
                                               "csrf_token": token}).status_code

    began = time.perf_counter()
    with ThreadPoolExecutor(len(emails)) as pool:
        codes = list(pool.map(one, emails))
    return time.perf_counter() - began, {code: codes.count(code) for code in sorted(set(codes))}


def measure(root: Path, name: str, n: int, **settings: str) -> dict:
    with Server(root / name / ".fairsource", **settings) as server:
        before = server.rss_mb()
        emails = ["ana@example.org"] + [f"nobody{i}@example.org" for i in range(n - 1)]  # a user, unknown ones
        seconds, codes = burst(server.base, emails)
        return {"before": before, "peak": server.rss_mb("VmHWM"), "after": server.rss_mb(), "seconds": seconds,
                "codes": codes}


def run(quick: bool) -> list[Figure]:
    n = 100
    root = tempdir("login")
    checked_all = {"web_login_failures_per_address": str(10 * n)}
    ours = measure(root, "pool", n, **checked_all)
    unbounded = measure(root, "unbounded", n, web_password_checks=str(n), **checked_all)
    with Server(root / "limit" / ".fairsource") as server:
        _, limited = burst(server.base, ["ana@example.org"] * n)
    note = (f"server {ours['before']:.0f} MB before, {ours['after']:.0f} MB after; burst {ours['seconds']:.1f} s "
            f"(unbounded {unbounded['seconds']:.1f} s); responses {ours['codes']}")
    return [
        Figure(f"Peak server memory, {n} failed sign-ins at once, every one checked (pool of 2)", ours["peak"], "MB",
               baseline=unbounded["peak"], ratio=ours["peak"] / unbounded["peak"], target=f"< {TARGET_MB} MB",
               met=ours["peak"] < TARGET_MB and ours["codes"] == {401: n}, note=note),
        Figure(f"{n} wrong passwords at once for one e-mail from one address: checked", limited.get(401, 0), "",
               target="<= 5, the rest 429", met=limited.get(401, 0) <= 5 and limited.get(429, 0) == n - 5,
               note=f"responses {limited}"),
    ]


if __name__ == "__main__":
    for figure in run("--quick" in sys.argv):
        print_figure(figure)
