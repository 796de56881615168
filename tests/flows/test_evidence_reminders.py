"""A certificate's expiry drives reminders: the daily run (`fairsource requalify`, real Prefect) tells the vendor's
contact and the owner, by mail read back from a real SMTP server on 127.0.0.1, of a certificate expiring within 30
days, and again once it has expired; never twice."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from flows.usecases import evidence
from supplier_models import Store
from tests.helpers import evidence_files as files
from tests.helpers.runs import run as _run

pytestmark = pytest.mark.usefixtures("prefect_engine")
TODAY = dt.date(2026, 11, 30)


def _requalify(as_of: dt.date) -> dict:
    return json.loads(_run("requalify", "--as-of", as_of.isoformat(), "--json").stdout)


def test_an_expiring_certificate_is_told_once_and_again_once_expired(isolated_home, database_url, monkeypatch,
                                                                     smtp_inbox):
    inbox, url = smtp_inbox
    monkeypatch.setenv("FAIRSOURCE_SMTP_URL", url)
    monkeypatch.setenv("FAIRSOURCE_OWNER_EMAIL", "procurement@client.example")
    store = Store(database_url)
    vendor = store.vendors.set_contact("Nova Labels SA", "ops@nova.example")
    evidence.attach(store, vendor.id, files.PDF, "iso-27001.pdf", actor="vendor:x", expires_on=dt.date(2027, 1, 10))
    evidence.attach(store, vendor.id, files.TEXT, "pay-calendar.txt", actor="vendor:x")  # no expiry: never told

    _requalify(TODAY)  # 41 days before: nothing yet
    assert inbox.messages == []
    _requalify(dt.date(2026, 12, 15))  # within 30 days
    assert sorted(to for to, _ in inbox.messages) == [["ops@nova.example", "procurement@client.example"]]
    [(_, mail)] = inbox.messages
    assert mail["Subject"] == "Nova Labels SA: certificate iso-27001.pdf expires on 2027-01-10"
    assert "send the renewed certificate through the portal" in mail.get_content()
    _requalify(dt.date(2026, 12, 16))
    assert len(inbox.messages) == 1  # never twice
    _requalify(dt.date(2027, 1, 11))
    assert len(inbox.messages) == 2 and "expired on 2027-01-10" in inbox.messages[-1][1]["Subject"]
    kinds = [(k, s.endswith("@expired")) for _, k, s in store.notices.sent(("evidence_expiry",))]
    assert sorted(kinds) == [("evidence_expiry", False), ("evidence_expiry", True)]
