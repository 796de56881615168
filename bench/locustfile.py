"""The locust scenario of `bench/web_load.py` (which starts the server, seeds it and runs this file headless):
staff who sign in, read pages and the API, and send unique and repeated workbooks to `POST /api/intake`;
reviewers who sign in, pick a vendor and record a review of it through the vendor page's form. Two phases, by
the user classes named on locust's command line: `Staff Reviewer`, the load; `Baseline`, one client sending the
same kinds of request one at a time, LOAD_ROUNDS rounds, then stopping the run.

Read from the environment: LOAD_TOKEN (a reviewer's API token), LOAD_EMAILS and LOAD_REVIEWERS (staff and
reviewers' e-mails, comma separated), LOAD_PASSWORD, LOAD_UNIQUE and LOAD_REPEATED (folders of .xlsx),
LOAD_ROUNDS (the baseline's), LOAD_TALLY (where the tally is written at the end: the intakes sent, accepted,
duplicate, refused; the reviews sent and recorded; and every request's name, time and whether it failed)."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, constant, events, task

TOKEN = {"Authorization": f"Bearer {os.environ['LOAD_TOKEN']}"}
EMAILS = itertools.cycle(os.environ["LOAD_EMAILS"].split(","))
REVIEWERS = itertools.cycle(os.environ["LOAD_REVIEWERS"].split(","))
PASSWORD = os.environ["LOAD_PASSWORD"]
UNIQUE = iter(sorted(Path(os.environ["LOAD_UNIQUE"]).glob("*.xlsx")))
REPEATED = sorted(Path(os.environ["LOAD_REPEATED"]).glob("*.xlsx"))
TALLY = {"sent": 0, "accepted": 0, "duplicate": 0, "refused": 0, "unique_left": True,
         "reviews_sent": 0, "reviews_recorded": 0}
REQUESTS: list[tuple[str, float, bool]] = []
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Client(HttpUser):
    """What staff and reviewers do; the user classes below say how often."""

    abstract = True
    emails = EMAILS

    def on_start(self) -> None:
        self.sign_in()

    def sign_in(self) -> None:
        page = self.client.get("/login", name="GET /login")
        found = CSRF.search(page.text)
        if found is None:
            return
        self.client.post("/login", name="POST /login", allow_redirects=False,
                         data={"email": next(self.emails), "password": PASSWORD, "csrf_token": found.group(1),
                               "next": "/"})

    def pages(self) -> None:
        self.client.get("/", name="GET / (dashboard)")
        self.client.get("/vendors", name="GET /vendors")

    def api_reads(self) -> None:
        self.client.get("/api/vendors", headers=TOKEN, name="GET /api/vendors")

    def unique_intake(self) -> None:
        path = next(UNIQUE, None)
        if path is None:
            TALLY["unique_left"] = False
            path = random.choice(REPEATED)
        self.intake(path, "POST /api/intake (unique)")

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

    def review(self) -> None:
        """A vendor from the list (the API, read with the session), its page, and an approval through the page's
        form (its CSRF token): recorded when answered 303 to the page with its notice."""
        listed = self.client.get("/api/vendors", name="GET /api/vendors")
        vendors = [v["vendor_id"] for v in listed.json()] if listed.status_code == 200 else []
        if not vendors:
            return
        vendor = random.choice(vendors)
        page = self.client.get(f"/vendors/{vendor}", name="GET /vendors/{id}")
        found = CSRF.search(page.text)
        if found is None:
            return
        TALLY["reviews_sent"] += 1
        with self.client.post(f"/vendors/{vendor}/review", name="POST /vendors/{id}/review", allow_redirects=False,
                              data={"csrf_token": found.group(1), "decision": "approve",
                                    "reason": "Checked under load."}, catch_response=True) as answer:
            if answer.status_code == 303 and answer.headers.get("location") == f"/vendors/{vendor}?done=review":
                TALLY["reviews_recorded"] += 1
            else:
                answer.failure(f"review not recorded: {answer.status_code}")


class Staff(Client):
    weight = 4
    wait_time = between(0.5, 2.0)

    @task(1)
    def signs_in(self) -> None:
        self.sign_in()

    @task(3)
    def reads_pages(self) -> None:
        self.pages()

    @task(3)
    def reads_the_api(self) -> None:
        self.api_reads()

    @task(1)
    def sends_a_new_workbook(self) -> None:
        self.unique_intake()

    @task(1)
    def sends_a_workbook_again(self) -> None:
        self.repeated_intake()


class Reviewer(Client):
    weight = 1
    wait_time = between(0.5, 2.0)
    emails = REVIEWERS

    @task(1)
    def reads_pages(self) -> None:
        self.pages()

    @task(2)
    def reviews(self) -> None:
        self.review()


class Baseline(Client):
    """One client, every kind of request one at a time, LOAD_ROUNDS times; then the run stops."""

    wait_time = constant(0)
    emails = REVIEWERS

    def on_start(self) -> None:
        self.rounds = 0

    @task
    def one_of_each(self) -> None:
        if self.rounds == int(os.environ.get("LOAD_ROUNDS", "10")):
            self.environment.runner.quit()
            return
        self.rounds += 1
        self.sign_in()
        self.pages()
        self.api_reads()
        self.unique_intake()
        self.repeated_intake()
        self.review()


@events.request.add_listener
def _one_request(request_type, name, response_time, response_length, exception=None, **_kwargs) -> None:
    REQUESTS.append((f"{request_type} {name}" if not name.startswith(request_type) else name, response_time,
                     exception is not None))


@events.quitting.add_listener
def _write_tally(environment, **_kwargs) -> None:
    Path(os.environ["LOAD_TALLY"]).write_text(json.dumps({"tally": TALLY, "requests": REQUESTS}))
