"""The web app's lists and files through its HTTP interface: where the workers are (the dashboard), the vendor
list's filters, uploads by staff, the portfolio workbook, SOWs as PDF."""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import event

from flows import usecases
from sow_templates import pdf as sow_pdf
from supplier_models import WorkbookRejected, read_workbook
from supplier_models.workbooks.examples import EXAMPLES
from tests.helpers.web import (
    BRIGHT,
    LUMEN,
    add_user,
    asgi_post,
    csrf_of,
    sign_in,
    staff_client,
    workbook,
)

MB = 1024 * 1024

SAVANNA, FRONTIER = EXAMPLES[4], EXAMPLES[3]
SAVANNA_TWO = SAVANNA.model_copy(update={"name": "Savanna Two Ltd"})  # the same countries as Savanna


def _seed(web, folder, inputs, vendors):
    """Receive each vendor's workbook (as intake does): {vendor name: (vendor id, submission)}."""
    _, store, settings = web
    seeded = {}
    for vendor in vendors:
        submission = read_workbook(workbook(vendor, folder))
        outcome = usecases.intake_one(submission, store, inputs, dt.date.today(), settings.sow_dir)
        seeded[vendor.name] = (outcome.vendor_id, submission, outcome.decision)
    return seeded


def test_the_dashboard_shows_each_country_with_its_vendors_workers_and_band_from_one_query(web, folder, inputs):
    seeded = _seed(web, folder, inputs, [LUMEN, SAVANNA, SAVANNA_TWO])
    client = staff_client(web, "vi@example.org", "viewer")
    _, store, _ = web
    statements = []

    def count(conn, cursor, statement, *args):
        if statement != "BEGIN":  # (SQLite's read transaction, begun by the store: `engine._sqlite_begin`)
            statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        rows = list(store.views.geography())
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(statements) == 1 and [r.vendor for r in rows] == sorted(seeded)  # one query, every vendor

    page = client.get("/")
    assert page.status_code == 200
    panel = page.text.split('id="countries"', 1)[1].split("</section>", 1)[0]
    expected = {}  # iso2 -> (name, band, vendors, workers), from what the vendors returned and were given
    for _, submission, decision in seeded.values():
        bands = {c.iso2: c.band for c in decision.geo.countries}
        for row in submission.countries:
            name, band, n, workers = expected.get(row.iso2, (row.name, bands[row.iso2], 0, 0))
            expected[row.iso2] = (name, band, n + 1, workers + row.workers)
    assert expected["KE"][2] == 2  # Kenya: both Savannas
    chips = re.findall(r'<li class="country country-(\w+)"><a href="/vendors\?country=(\w\w)".*?'
                       r'<strong>([\d,]+)</strong> workers?.*?<strong>(\d+)</strong> vendors?', panel, re.S)
    shown = {iso2: (band, int(n), int(w.replace(",", ""))) for band, iso2, w, n in chips}
    assert shown == {iso2: (band, n, w) for iso2, (_, band, n, w) in expected.items()}
    workers = [shown[iso2][2] for _, iso2, _, _ in chips]
    assert workers == sorted(workers, reverse=True)  # most workers first
    assert "Kenya" in panel and f'band-{expected["KE"][1]}' in panel
    listed = client.get("/vendors?country=KE")  # each country links to its vendors
    assert SAVANNA.name in listed.text and SAVANNA_TWO.name in listed.text and LUMEN.name not in listed.text


def test_the_vendor_list_filters_by_band_country_and_service_and_keeps_them_in_its_url(web, folder, inputs):
    seeded = _seed(web, folder, inputs, [LUMEN, BRIGHT, SAVANNA, FRONTIER])
    client = staff_client(web, "vi@example.org", "viewer")
    client.app.state.web.store.vendors.set_contact("Nova Labels SA", "ops@nova.example")  # not assessed yet

    def listed(query: str) -> set[str]:
        page = client.get(f"/vendors?{query}")
        assert page.status_code == 200, query
        return {name for name in [*seeded, "Nova Labels SA"] if f">{escape(name)}</a>" in page.text}

    everyone = set(seeded) | {"Nova Labels SA"}
    assert listed("") == everyone and listed("band=&country=&service=") == everyone
    by_band = {name: decision.geo.band for name, (_, _, decision) in seeded.items()}
    for band in set(by_band.values()):
        assert listed(f"band={band}") == {n for n, b in by_band.items() if b == band}, band
    assert listed("country=KE") == {SAVANNA.name} == listed("country=kenya") == listed("country=%20Ken%20")
    assert listed("country=de") == {LUMEN.name} == listed("country=Germany")
    assert listed("country=Atlantis") == set()
    collects = "Data collection from contributors"
    assert listed(f"service={quote(collects)}") == {SAVANNA.name}
    assert listed(f"service={quote('Transcription or translation')}") == {SAVANNA.name, FRONTIER.name}
    assert listed(f"service={quote('Data annotation')}&country=PH") == {BRIGHT.name}
    assert listed(f"service={quote('Data annotation')}&q=lumen") == {LUMEN.name}
    assert listed("status=awaiting_submission&country=KE") == set()

    # A GET form: the filtered list is its URL, and the page shows the filters it applied.
    page = client.get(f"/vendors?band={by_band[SAVANNA.name]}&country=Kenya&service={quote(collects)}")
    assert 'method="get" action="/vendors"' in page.text and 'name="country" value="Kenya"' in page.text
    assert f'<option value="{by_band[SAVANNA.name]}" selected>' in page.text
    assert f'<option value="{collects}" selected>' in page.text
    assert re.search(r'<span class="iso iso-\w+" title="Kenya: \w+ band">KE</span>', page.text)


def test_a_reviewer_uploads_several_workbooks_and_sees_each_outcome_or_every_problem(web, folder):
    client, store, _ = web
    add_user(store, "vi@example.org", "viewer")
    rita = staff_client(web, "rita@example.org", "reviewer")
    page = rita.get("/upload")
    assert page.status_code == 200 and 'type="file" name="files" multiple' in page.text
    assert 'href="/upload"' in page.text and 'href="/report.xlsx"' in page.text
    csrf = csrf_of(page.text)
    broken = workbook(BRIGHT, folder, broken=True)
    problems = read_problems(broken)
    files = [("files", ("lumen.xlsx", workbook(LUMEN, folder).read_bytes(), "application/octet-stream")),
             ("files", (broken.name, broken.read_bytes(), "application/octet-stream")),
             ("files", ("notes.xlsx", b"not a workbook", "application/octet-stream")),
             ("files", ("huge.xlsx", b"\0" * (20 * MB + 1), "application/octet-stream"))]
    assert rita.post("/upload", data={"csrf_token": "x"}, files=files[:1]).status_code == 403
    assert store.counts()["submission"] == 0

    done = rita.post("/upload", data={"csrf_token": csrf}, files=files)  # over 20 MB in all: a reviewer may
    assert done.status_code == 200
    rows = done.text.split('id="results"', 1)[1].split("<tbody>", 1)[1].split('<tr class="result ')[1:]
    assert [r.split('"', 1)[0] for r in rows] == ["result-ok", "result-bad", "result-bad", "result-bad"]
    lumen = store.vendors.find(LUMEN.name)
    assert f'<a href="/vendors/{lumen.id}">{LUMEN.name}</a>' in rows[0] and "Qualified" in rows[0]
    for p in problems:  # every problem, each with its sheet and cell, in the reader's words
        assert f"<code>{escape(p.cell)}</code>" in rows[1] and str(escape(p.message)) in rows[1]
    assert f"{len(problems)} problems: nothing stored" in rows[1]
    assert str(escape(read_problems(folder / "notes.xlsx", b"not a workbook")[0].message)) in rows[2]
    assert "larger than 20 MB" in rows[3]
    assert store.counts()["submission"] == 1

    again = rita.post("/upload", data={"csrf_token": csrf}, files=files[:1])
    assert "Received before" in again.text and store.counts()["submission"] == 1
    actions = [(e.action, e.subject) for e in store.audit.events() if e.actor == "rita@example.org"]
    assert {("web_intake", "lumen.xlsx"), ("upload_rejected", broken.name), ("upload_rejected", "notes.xlsx"),
            ("upload_refused_too_large", "huge.xlsx")} <= set(actions)
    empty = (b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + csrf.encode()  # as a browser
             + b'\r\n--b\r\nContent-Disposition: form-data; name="files"; filename=""\r\n'  # sends no file
             b"Content-Type: application/octet-stream\r\n\r\n\r\n--b--\r\n")
    nothing = rita.post("/upload", content=empty, headers={"content-type": "multipart/form-data; boundary=b"})
    assert nothing.status_code == 400 and "Choose one or more workbooks" in nothing.text

    viewer = TestClient(client.app)
    assert sign_in(viewer, "vi@example.org").status_code == 303
    assert viewer.get("/upload").status_code == 403 and 'href="/upload"' not in viewer.get("/").text
    assert viewer.post("/upload", data={"csrf_token": csrf}, files=files[:1]).status_code == 403
    # Only a signed-in reviewer may send more than one file's worth: anyone else is refused before it is read.
    multipart = [(b"content-type", b"multipart/form-data; boundary=xyz"), (b"content-length", b"31457280")]
    assert asgi_post(client.app, "/upload", multipart, iter([b"\0" * MB] * 30)) == (413, 0)


def read_problems(path: Path, data: bytes | None = None):
    """The reader's own problems with this workbook (or these bytes, read under the file's name)."""
    with pytest.raises(WorkbookRejected) as rejected:
        read_workbook(path.name, data=data) if data is not None else read_workbook(path)
    return rejected.value.problems


def _temp_folders(monkeypatch, prefix: str) -> list[str]:
    """The temporary folders made with this prefix from now on (the list fills as they are made)."""
    made, real = [], tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        path = real(*args, **kwargs)
        if Path(path).name.startswith(prefix):
            made.append(path)
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    return made


def test_a_viewer_downloads_a_fresh_portfolio_workbook_and_nothing_is_left_behind(web, folder, inputs, monkeypatch):
    seeded = _seed(web, folder, inputs, [LUMEN, BRIGHT])
    client, store, _ = web
    assert client.get("/report.xlsx", follow_redirects=False).status_code == 303  # signed in only
    client = staff_client(web, "vi@example.org", "viewer")
    folders = _temp_folders(monkeypatch, "fairsource-report-")
    response = client.get("/report.xlsx")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert f'filename="fairsource-portfolio-{dt.date.today().isoformat()}.xlsx"' in response.headers[
        "content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    cells = {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v}
    assert set(seeded) <= cells
    assert len(folders) == 1 and not Path(folders[0]).exists()  # written, sent, removed
    _seed(web, folder, inputs, [SAVANNA])  # fresh each time: a new vendor is in the next one
    book = openpyxl.load_workbook(io.BytesIO(client.get("/report.xlsx").content), read_only=True)
    assert SAVANNA.name in {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row}
    assert [e.action for e in store.audit.events() if e.actor == "vi@example.org"].count("report_downloaded") == 2


def test_the_portfolio_workbook_prints_on_the_paper_asked_for_and_refuses_another(web, folder, inputs, monkeypatch):
    """`?paper=a4|letter` as `fairsource report --paper`: every sheet set to that paper (Excel's paperSize 9 or 1);
    without it the printer's own (none set); another value is a 400 that says what is accepted, and writes nothing."""
    from supplier_models.workbooks.portfolio import PAPER_SIZES

    _seed(web, folder, inputs, [LUMEN, BRIGHT])
    client = staff_client(web, "vi@example.org", "viewer")
    for query, size in (("?paper=a4", PAPER_SIZES["a4"]), ("?paper=letter", PAPER_SIZES["letter"]),
                        ("?paper=A4", PAPER_SIZES["a4"]), ("", None)):
        response = client.get(f"/report.xlsx{query}")
        assert response.status_code == 200, query
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert PAPER_SIZES["a4"] != PAPER_SIZES["letter"]
        assert [ws.page_setup.paperSize for ws in book.worksheets] == [size] * len(book.worksheets), query
        assert all(ws.page_setup.orientation == "landscape" for ws in book.worksheets), query
    folders = _temp_folders(monkeypatch, "fairsource-report-")
    for bad in ("legal", "<b>a3</b>", ""):
        refused = client.get("/report.xlsx", params={"paper": bad})
        assert refused.status_code == 400, bad
        assert "a4 or letter" in refused.text and "<b>a3</b>" not in refused.text, bad
    assert folders == []  # refused before anything was written
    _, store, _ = web
    papers = [e.detail.get("paper") for e in store.audit.events() if e.action == "report_downloaded"]
    assert sorted(papers, key=str) == sorted(["a4", "letter", "a4", None], key=str)


@pytest.mark.skipif(sow_pdf.libreoffice() is None, reason="LibreOffice (soffice) is not installed")
def test_a_sow_downloads_as_pdf_converted_from_the_stored_docx(web, folder, inputs, monkeypatch):
    seeded = _seed(web, folder, inputs, [LUMEN])
    client, store, _ = web
    vid = seeded[LUMEN.name][0]
    sow = store.sows.latest(vid)
    client = staff_client(web, "vi@example.org", "viewer")
    page = client.get(f"/vendors/{vid}")
    assert f'href="/vendors/{vid}/sows/{sow.id}.pdf"' in page.text and f'href="/vendors/{vid}/sows/{sow.id}"' in page.text
    folders = _temp_folders(monkeypatch, "fairsource-pdf-")
    pdf = client.get(f"/vendors/{vid}/sows/{sow.id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and Path(sow.path).stem in pdf.headers["content-disposition"]
    assert len(folders) == 1 and not Path(folders[0]).exists()
    assert "sow_pdf_downloaded" in {e.action for e in store.audit.events() if e.actor == "vi@example.org"}


def test_without_libreoffice_there_is_no_pdf_link_and_the_pdf_answers_503(web, folder, inputs, monkeypatch):
    seeded = _seed(web, folder, inputs, [LUMEN, BRIGHT])
    client, store, _ = web
    lumen, bright = seeded[LUMEN.name][0], seeded[BRIGHT.name][0]
    sow = store.sows.latest(lumen)
    client = staff_client(web, "vi@example.org", "viewer")
    monkeypatch.setattr(sow_pdf, "libreoffice", lambda: None)
    page = client.get(f"/vendors/{lumen}")
    assert f'href="/vendors/{lumen}/sows/{sow.id}"' in page.text and ".pdf" not in page.text
    missing = client.get(f"/vendors/{lumen}/sows/{sow.id}.pdf")
    assert missing.status_code == 503 and "LibreOffice is not installed" in missing.text
    for url in (f"/vendors/{bright}/sows/{sow.id}.pdf", f"/vendors/{lumen}/sows/nope.pdf",
                f"/vendors/{lumen}/sows/..%2F..%2Fetc%2Fpasswd.pdf"):
        assert client.get(url).status_code == 404, url
