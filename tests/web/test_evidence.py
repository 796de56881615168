"""Evidence files through the web app (TestClient on the real app and store): a vendor attaches files in its
portal, an analyst on the vendor's page; hostile files are refused with a message naming the file and nothing
stored; a file sent again is not stored twice and is said to be received before; a download reads back byte-equal,
as an attachment of the right type, never sniffed; one vendor's link never reaches another's files."""

from __future__ import annotations

import pytest

from tests.helpers import evidence_files as files
from tests.helpers.web import BRIGHT, LUMEN, csrf_of, portal_link, staff_client, workbook


def _attach(client, link, name, data, **fields):
    page = client.get(link)
    return client.post(f"{link}/evidence", data={"csrf_token": csrf_of(page.text), **fields},
                       files={"file": (name, data)}, follow_redirects=False)


@pytest.mark.parametrize(("name", "data", "says"), [
    ("certificate.pdf", files.EXE, "certificate.pdf: the file is a Windows program, whatever its name says."),
    ("consent.docx", files.zip_bomb_docx(), "consent.docx: the file expands to 60 MB when unpacked"),
    ("../../etc/passwd.pdf", files.PDF, "../../etc/passwd.pdf: the file name names a folder"),
    ("policy.docm", files.docm(), "policy.docm: the file contains macros (.docm, .xlsm)"),
], ids=["renamed-exe", "zip-bomb", "path", "macros"])
def test_a_hostile_file_in_the_portal_is_refused_naming_it(web, name, data, says):
    client, store, _ = web
    vendor, link = portal_link(store, LUMEN.name)
    refused = _attach(client, link, name, data)
    assert refused.status_code == 422 and "Not attached:" in refused.text and says in refused.text
    assert "Nothing was stored." in refused.text and 'href="' + link + '/form.xlsx"' in refused.text  # still the page
    assert store.evidence.of_vendor(vendor.id) == [] and store.evidence.blobs() == 0


def test_a_file_over_20_mb_is_refused_by_name_and_one_far_over_before_it_is_read(web):
    client, store, _ = web
    vendor, link = portal_link(store, LUMEN.name)
    refused = _attach(client, link, "scan.pdf", files.too_large())  # 21 MB: read up to the cap, refused by name
    assert refused.status_code == 422
    assert "scan.pdf: the file is over 20 MB; an evidence file is at most 20 MB." in refused.text
    huge = _attach(client, link, "archive.pdf", files.PDF + bytes(45 * files.MB))  # refused from its length
    assert huge.status_code == 413 and "The file is far larger than 20 MB" in huge.text
    assert f'<a href="{link}">Back to your portal page</a>' in huge.text
    assert store.evidence.blobs() == 0 and store.evidence.of_vendor(vendor.id) == []


def test_a_vendor_attaches_a_file_once_and_reads_it_back(web):
    client, store, _ = web
    vendor, link = portal_link(store, LUMEN.name)
    data = files.docx()
    added = _attach(client, link, "Consent form ü.docx", data, question="PAY-04", expires_on="2027-03-31")
    assert added.status_code == 303 and added.headers["location"].endswith("?evidence=added#evidence")
    page = client.get(added.headers["location"])
    assert "Thank you: the file was attached." in page.text and "Consent form ü.docx" in page.text
    assert "answer PAY-04" in page.text and "2027-03-31" in page.text
    again = _attach(client, link, "Consent form ü.docx", data, question="PAY-04")
    assert again.headers["location"].endswith("?evidence=again#evidence")
    assert "This file was received before: nothing was stored again." in client.get(again.headers["location"]).text
    [record] = store.evidence.of_vendor(vendor.id)
    assert store.evidence.blobs() == 1 and record.added_by.startswith("vendor:")

    download = client.get(f"{link}/evidence/{record.id}")
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-type"] == record.media_type
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Consent form _.docx\"; filename*=UTF-8''Consent%20form%20%C3%BC.docx")


def test_another_vendors_link_gets_404_for_a_file_and_sees_none(web):
    client, store, _ = web
    lumen, lumen_link = portal_link(store, LUMEN.name)
    _, bright_link = portal_link(store, BRIGHT.name)
    _attach(client, lumen_link, "lumen-cert.pdf", files.PDF)
    [record] = store.evidence.of_vendor(lumen.id)
    assert client.get(f"{bright_link}/evidence/{record.id}").status_code == 404
    assert "lumen-cert.pdf" not in client.get(bright_link).text
    assert client.get(f"/portal/not-a-token/evidence/{record.id}").status_code == 404


def test_an_analyst_attaches_and_opens_files_from_the_vendor_page_audited(web, folder):
    client, store, _ = web
    vendor, link = portal_link(store, BRIGHT.name)
    page = client.get(link)
    with open(workbook(BRIGHT, folder), "rb") as f:
        client.post(f"{link}/upload", data={"csrf_token": csrf_of(page.text)}, files={"file": ("b.xlsx", f)})
    _attach(client, link, "pilot-plan.pdf", files.PDF, remediation="R1")
    staff = staff_client(web, "rita@example.org", "reviewer")
    page = staff.get(f"/vendors/{vendor.id}")
    assert "pilot-plan.pdf" in page.text and "Evidence files" in page.text
    sent = staff.post(f"/vendors/{vendor.id}/evidence", data={"csrf_token": csrf_of(page.text), "remediation": "R1",
                                                               "expires_on": "2026-01-31"},
                      files={"file": ("iso-cert.png", files.PNG)})
    assert sent.status_code == 200 and "File attached." in sent.text
    assert "iso-cert.png expired on 2026-01-31" in sent.text  # the expired certificate, said on the page
    refused = staff.post(f"/vendors/{vendor.id}/evidence", data={"csrf_token": csrf_of(page.text)},
                         files={"file": ("setup.pdf", files.EXE)})
    assert refused.status_code == 400 and "setup.pdf: the file is a Windows program" in refused.text
    png = next(r for r in store.evidence.of_vendor(vendor.id) if r.name == "iso-cert.png")
    assert png.added_by == "rita@example.org" and png.remediation == "R1"
    vendors_file = next(r for r in store.evidence.of_vendor(vendor.id) if r.name == "pilot-plan.pdf")
    download = staff.get(f"/vendors/{vendor.id}/evidence/{vendors_file.id}")
    assert download.content == files.PDF and download.headers["content-type"] == "application/pdf"
    other, _ = portal_link(store, LUMEN.name)
    assert staff.get(f"/vendors/{other.id}/evidence/{vendors_file.id}").status_code == 404
    mine = [e.action for e in store.audit.events(vendor.id) if e.actor == "rita@example.org"]
    assert {"evidence_added", "evidence_refused", "evidence_downloaded"} <= set(mine)
