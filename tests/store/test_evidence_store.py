"""Evidence files in the store: checked by content, stored once per vendor and content, read back byte-equal,
refused with nothing stored, deleted with the vendor; responses decided, an accepted new date moving the due
date with the vendor's state row (SQLite, and PostgreSQL with FAIRSOURCE_TEST_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from flows.usecases import evidence
from supplier_models.errors import ActionRefused
from supplier_models.store.evidence_tables import EvidenceRecord, RemediationResponse
from tests.helpers import evidence_files as files


def _vendor(store, name="Nova Labels SA"):
    return store.vendors.set_contact(name, "ops@nova.example")


@pytest.mark.parametrize(("data", "name", "why"), [
    (files.EXE, "certificate.pdf", "a Windows program, whatever its name says"),
    (files.zip_bomb_docx(), "consent.docx", "expands to 60 MB when unpacked"),
    (files.too_large(), "scan.pdf", "the file is 21 MB; an evidence file is at most 20 MB"),
    (files.PDF, "../../etc/passwd.pdf", "the file name names a folder"),
    (files.docm(), "policy.docm", "the file contains macros"),
    (b"", "empty.txt", "the file is empty"),
    (b"\x00\x01\x02binary", "notes.txt", "is not a PDF, PNG or JPEG image"),
], ids=["renamed-exe", "zip-bomb", "21MB", "path", "macros", "empty", "binary"])
def test_a_hostile_file_is_refused_naming_it_and_nothing_is_stored(store, data, name, why):
    vendor = _vendor(store)
    with pytest.raises(ActionRefused) as refused:
        evidence.attach(store, vendor.id, data, name, actor="vendor:x")
    message = str(refused.value)
    assert message.startswith(name) and why in message and message.endswith("Nothing was stored.")
    assert store.evidence.of_vendor(vendor.id) == [] and store.evidence.blobs() == 0
    assert [e.action for e in store.audit.events(vendor.id)][0] == "evidence_refused"


@pytest.mark.parametrize(("data", "name", "media_type"), [
    (files.PDF, "cert.pdf", "application/pdf"), (files.PNG, "scan.png", "image/png"),
    (files.TEXT, "pay.txt", "text/plain; charset=utf-8"),
    (files.docx(), "consent.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (files.xlsx(), "calendar.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (files.PDF, "named-as-word.docx", "application/pdf"),  # the content decides
])
def test_each_kind_is_known_by_its_content_and_read_back_byte_equal(store, data, name, media_type):
    vendor = _vendor(store)
    added = evidence.attach(store, vendor.id, data, name, actor="ana@example.org")
    assert not added.duplicate and added.stored and added.record.media_type == media_type
    record, body, download_name = evidence.download(store, vendor.id, added.record.id)
    assert body == data and record.name == name
    assert download_name == (name + ".pdf" if name == "named-as-word.docx" else name)


def test_the_same_file_is_stored_once_and_said_to_be_received_before(store):
    vendor, other = _vendor(store), _vendor(store, "Other Vendor")
    first = evidence.attach(store, vendor.id, files.PDF, "cert.pdf", actor="vendor:a")
    again = evidence.attach(store, vendor.id, files.PDF, "cert (1).pdf", actor="vendor:a")
    assert again.duplicate and again.record.id == first.record.id and store.evidence.blobs() == 1
    general = evidence.attach(store, vendor.id, files.PDF, "cert.pdf", actor="vendor:a", question="PAY-04")
    assert not general.duplicate and not general.stored and store.evidence.blobs(vendor.id) == 1
    assert evidence.download(store, other.id, first.record.id) is None  # another vendor's id: nothing
    theirs = evidence.attach(store, other.id, files.PDF, "cert.pdf", actor="vendor:b")
    assert theirs.stored and store.evidence.blobs() == 2  # each vendor's own copy: deleted with it
    assert [e.action for e in store.audit.events(vendor.id)].count("evidence_added") == 2


def test_an_unknown_remediation_or_question_is_refused(store):
    vendor = _vendor(store)
    with pytest.raises(ActionRefused, match="no remediation R9"):
        evidence.attach(store, vendor.id, files.PDF, "a.pdf", actor="x", remediation="R9")
    with pytest.raises(ActionRefused, match="no question NOPE-1"):
        evidence.attach(store, vendor.id, files.PDF, "a.pdf", actor="x", question="nope-1")


def test_files_and_responses_go_with_the_vendor(store):
    vendor = _vendor(store)
    added = evidence.attach(store, vendor.id, files.PDF, "cert.pdf", actor="x", expires_on=dt.date(2027, 1, 1))
    store.responses.add(RemediationResponse(vendor_id=vendor.id, remediation="R1", kind="done", text="done",
                                            evidence_ids=[added.record.id], sent_by="x"))
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE vendor_id = :v"), {"v": vendor.id})
        conn.execute(text("DELETE FROM vendor WHERE id = :v"), {"v": vendor.id})
    with store.session() as s:
        for table in (EvidenceRecord, RemediationResponse):
            assert s.exec(select(func.count()).select_from(table)).one() == 0
    assert store.evidence.blobs() == 0


def test_an_expiry_is_recorded_and_shown_as_expired_or_expiring(store):
    vendor = _vendor(store)
    today = dt.date(2026, 11, 30)
    for name, on in (("old.pdf", dt.date(2026, 11, 1)), ("soon.txt", dt.date(2026, 12, 20)),
                     ("later.png", dt.date(2027, 6, 1))):
        data = {"pdf": files.PDF, "txt": files.TEXT, "png": files.PNG}[name.rsplit(".", 1)[1]]
        evidence.attach(store, vendor.id, data, name, actor="x", expires_on=on)
    shown = {v.name: v.expiry for v in evidence.evidence_of(store, vendor.id, today)}
    assert shown == {"old.pdf": "expired", "soon.txt": "expiring", "later.png": ""}
    assert [r.name for r in store.evidence.expiring(vendor.id, today)] == ["old.pdf"]


def test_the_same_file_sent_twice_at_once_is_stored_once(store):
    from concurrent.futures import ThreadPoolExecutor

    vendor = _vendor(store)
    data = files.docx("sent from two tabs")
    with ThreadPoolExecutor(4) as pool:
        added = list(pool.map(lambda _: evidence.attach(store, vendor.id, data, "consent.docx", actor="vendor:x",
                                                        question="CONS-01"), range(4)))
    assert sorted(a.duplicate for a in added) == [False, True, True, True]
    assert len({a.record.id for a in added}) == 1 and store.evidence.blobs() == 1
