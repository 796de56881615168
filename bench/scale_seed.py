"""A store of N vendors that looks like a real base, for `bench/vendors_scale.py`, made fast.

Templates: the example vendors and their variants taken in through the real intake (`usecases.intake_one`: scored,
SOW written, remediations opened) on days spread over the last eighteen months, so their qualifications are
current, expiring soon or expired, their remediations open, due or overdue, and the decisions the review policy
holds for a reviewer wait for one. Then each template's rows (vendor, submission, assessment, remediation,
SOW record) are cloned in bulk with new ids and names until there are N vendors, a twenty-fifth of them without
any submission (awaiting one). The vendors' state rows are not cloned: the first read rebuilds them from the
history (`rows_for_the_day`), which `vendors_scale` times apart as the first read after an upgrade.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from pathlib import Path

from bench.common import vendor_name

CHUNK = 2000
AGES = (3, 20, 45, 90, 150, 200, 250, 320, 345, 420)  # days before today an intake's template was taken in
AWAITING = 25  # one vendor in this many has no submission yet
CLONED = ("submission", "assessment", "remediation", "sow_document", "review")  # a vendor's rows besides its own


def tables() -> dict:
    """name -> table class, in the order rows go in (a row after those it refers to)."""
    from supplier_models.store.tables import (
        AssessmentRecord,
        RemediationRecord,
        ReviewRecord,
        SowRecord,
        SubmissionRecord,
        Vendor,
    )

    return {"vendor": Vendor, "submission": SubmissionRecord, "assessment": AssessmentRecord,
            "remediation": RemediationRecord, "sow_document": SowRecord, "review": ReviewRecord}


def template_store(url: str, home: Path, today: dt.date) -> int:
    """The templates taken in through the real intake on `url`; how many vendors that made."""
    from bench.common import example_workbooks
    from flows import usecases
    from flows.usecases.receive import intake_one
    from flows.usecases.vendor_state import keep_states
    from supplier_models import Settings, Store, read_workbook

    settings = Settings(home=home, database_url=url)
    store = keep_states(Store(url))
    inputs = usecases.load_inputs(settings)
    books = example_workbooks(home / "templates", variants_per_example=2)
    count = 0
    for b, path in enumerate(books):
        base = read_workbook(path)
        for age in AGES[b % 3::3]:  # each workbook on three of the days
            on = today - dt.timedelta(days=age)
            name = f"{base.vendor_name} T{age:03d}"
            data = base.model_dump(mode="json")
            data.update(vendor_name=name, answers={**data["answers"], "COMP-01": name},
                        sha256=f"{base.sha256[:56]}{age:08d}", filename=f"template-{b}-{age}.xlsx")
            submission = type(base).model_validate(data)
            done = intake_one(submission, store, inputs, on, settings.sow_dir, received_on=on)
            count += 1
            if count % 3:  # two in three of the decisions held for a review are reviewed two days later
                review_some(store, settings, inputs, done.vendor, on + dt.timedelta(days=2))
    store.close()
    return count


def review_some(store, settings, inputs, name: str, on: dt.date) -> None:
    """The vendor's decision approved by a reviewer on `on` when it waits for a review (else nothing)."""
    from flows.usecases import record_review
    from supplier_models.errors import ActionRefused

    with contextlib.suppress(ActionRefused):
        record_review(store, settings, inputs, name, action="approve", reason="Checked the evidence (bench seed).",
                      reviewer="reviewer@example.org", as_of=min(on, dt.date.today()))


def _rows(conn, table) -> list[dict]:
    from sqlalchemy import select

    return [dict(r) for r in conn.execute(select(table)).mappings()]


def _templates(conn) -> list[dict]:
    """Each template vendor with its rows, by vendor."""
    by = {v["id"]: {"vendor": v, **{key: [] for key in CLONED}} for v in _rows(conn, tables()["vendor"].__table__)}
    for key in CLONED:
        table = tables()[key]
        for row in _rows(conn, table.__table__):
            by[row["vendor_id"]][key].append(row)
    return list(by.values())


def _clone(t: dict, i: int) -> dict[str, list[dict]]:
    """Template `t`'s rows for vendor number `i`: new ids, its own name and contact."""
    name = vendor_name(i)
    vid = str(uuid.uuid4())
    ids = {t["vendor"]["id"]: vid}
    for key in CLONED:
        for row in t[key]:
            ids[row["id"]] = str(uuid.uuid4())
    contact = f"contact{i}@vendor{i % 997}.example"

    def renamed(row: dict) -> dict:
        out = {k: (ids.get(v, v) if isinstance(v, str) else v) for k, v in row.items()}
        out["vendor_id"] = vid
        return out

    subs = []
    for row in t["submission"]:
        s = renamed(row)
        data = row["data"]
        s["data"] = {**data, "vendor_name": name, "answers": {**data.get("answers", {}), "COMP-01": name}}
        subs.append(s)
    assessments = [{**renamed(a), "data": {**a["data"], "vendor": name}} for a in t["assessment"]]
    return {"vendor": [{**t["vendor"], "id": vid, "name": name, "contact_email": contact if t["vendor"][
                "contact_email"] else None}],
            "submission": subs, "assessment": assessments,
            **{key: [renamed(r) for r in t[key]] for key in ("remediation", "sow_document", "review")}}


def clone(url: str, n: int, today: dt.date) -> None:
    """Clones of the templates (and vendors awaiting a submission) until `url` holds `n` vendors."""
    from sqlalchemy import func, insert, select

    from supplier_models import Store

    tables_ = tables()
    store = Store(url)
    try:
        with store.engine.begin() as conn:
            templates = _templates(conn)
            have = conn.execute(select(func.count()).select_from(tables_["vendor"].__table__)).scalar_one()
        created = dt.datetime.combine(today, dt.time(9), dt.UTC)
        for start in range(have, n, CHUNK):
            batch: dict[str, list[dict]] = {k: [] for k in tables_}
            for i in range(start, min(start + CHUNK, n)):
                if i % AWAITING == 0:
                    batch["vendor"].append({**templates[0]["vendor"], "id": str(uuid.uuid4()), "name": vendor_name(i),
                                            "created_at": created,
                                            "contact_email": f"contact{i}@vendor{i % 997}.example"})
                    continue
                rows = _clone(templates[i % len(templates)], i)
                for key in tables_:
                    batch[key] += rows[key]
            with store.engine.begin() as conn:
                for key, table in tables_.items():
                    if batch[key]:
                        conn.execute(insert(table.__table__), batch[key])
    finally:
        store.close()


def seed(url: str, n: int, home: Path, today: dt.date) -> dict:
    """`n` vendors on the empty store at `url`: (seconds) the templates' intakes and the clones."""
    import time

    start = time.perf_counter()
    templates = template_store(url, home, today)
    took = {"templates": templates, "template_seconds": time.perf_counter() - start}
    start = time.perf_counter()
    clone(url, n, today)
    took["clone_seconds"] = time.perf_counter() - start
    return took
