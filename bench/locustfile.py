"""The locust scenario of `bench/web_load.py` (which starts the server, seeds it and runs this file headless):
staff who sign in, read pages and the API, and send unique and repeated workbooks to `POST /api/intake`.

Read from the environment: LOAD_TOKEN (a reviewer's API token), LOAD_EMAILS (staff e-mails, comma separated),
LOAD_PASSWORD, LOAD_UNIQUE and LOAD_REPEATED (folders of .xlsx), LOAD_TALLY (where the intakes' tally is written
at the end: sent, accepted, duplicate, refused; and every request's name, time and whether it failed)."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, events, task

TOKEN = {"Authorization": f"Bearer {os.environ['LOAD_TOKEN']}"}
EMAILS = itertools.cycle(os.environ["LOAD_EMAILS"].split(","))
PASSWORD = os.environ["LOAD_PASSWORD"]
UNIQUE = iter(sorted(Path(os.environ["LOAD_UNIQUE"]).glob("*.xlsx")))
REPEATED = sorted(Path(os.environ["LOAD_REPEATED"]).glob("*.xlsx"))
TALLY = {"sent": 0, "accepted": 0, "duplicate": 0, "refused": 0, "unique_left": True}
REQUESTS: list[tuple[str, float, bool]] = []
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Staff(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.sign_in()

    @task(1)
    def sign_in(self) -> None:
        page = self.client.get("/login", name="GET /login")
        found = CSRF.search(page.text)
        if found is None:
            return
        self.client.post("/login", name="POST /login", allow_redirects=False,
                         data={"email": next(EMAILS), "password": PASSWORD, "csrf_token": found.group(1),
                               "next": "/"})

    @task(3)
    def pages(self) -> None:
        self.client.get("/", name="GET / (dashboard)")
        self.client.get("/vendors", name="GET /vendors")

    @task(3)
    def api_reads(self) -> None:
        self.client.get("/api/vendors", headers=TOKEN, name="GET /api/vendors")

    @task(1)
    def unique_intake(self) -> None:
        path = next(UNIQUE, None)
        if path is None:
            TALLY["unique_left"] = False
            path = random.choice(REPEATED)
        self.intake(path, "POST /api/intake (unique)")

    @task(1)
    def repeated_intake(self) -> None:
        self.intake(random.choice(REPEATED), "POST /api/intake (repeated)")

    def intake(self, path: Path, name: str) -> None:
        TALLY["sent"] += 1
        response = self.client.post("/api/intake", headers=TOKEN, name=name,
                                    files={"file": (path.name, path.read_bytes())})
        if response.status_code != 200:
            TALLY["refused"] += 1
        elif response.json().get("duplicate"):
            TALLY["duplicate"] += 1
        else:
            TALLY["accepted"] += 1


@events.request.add_listener
def _one_request(request_type, name, response_time, response_length, exception=None, **_kwargs) -> None:
    REQUESTS.append((f"{request_type} {name}" if not name.startswith(request_type) else name, response_time,
                     exception is not None))


@events.quitting.add_listener
def _write_tally(environment, **_kwargs) -> None:
    Path(os.environ["LOAD_TALLY"]).write_text(json.dumps({"tally": TALLY, "requests": REQUESTS}))
