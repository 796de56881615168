"""The vendor list a page at a time, in the API (`GET /api/vendors`: a cursor in the `Link` header) and on the page
(`/vendors`: a page size, a next page link keeping the filters, how many match): every vendor listed once in name
order with its status of today (as the history gives it), narrowed by status, band, country, service and text, read
from the vendors' state rows (a store seeded without them is brought up to date by the first list)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.requalify import seed  # noqa: E402  (bulk-inserted vendors, as the benchmarks seed them)
from flows import usecases  # noqa: E402
from scoring.lifecycle import load_review_policy  # noqa: E402
from tests.helpers.web import api_token, staff_client  # noqa: E402

SEEDED = 250


def _pages(client, headers, url: str) -> list[list[dict]]:
    pages = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        link = response.headers.get("link")
        url = re.fullmatch(r'<([^>]+)>; rel="next"', link).group(1) if link else None
    return pages


def test_the_vendor_list_comes_a_page_at_a_time_each_vendor_once_with_todays_status(web, tmp_path, database_url):
    client, store, _ = web
    seed(database_url, SEEDED, tmp_path / "seed")  # no state rows: the first list makes them
    store.vendors.set_contact("Mid Alphabet Newcomer", "ops@newcomer.example")  # no submission yet
    token = api_token(store, "rita@example.org", "viewer")

    first = client.get("/api/vendors?limit=100", headers=token)
    assert first.status_code == 200 and len(first.json()) == 100 and 'rel="next"' in first.headers["link"]
    store.vendors.set_contact("Aardvark Early Vendor", None)  # added meanwhile before the cursor: not on later pages
    store.vendors.set_contact("Zzyzx Late Vendor", None)  # after it: listed once, at the end
    pages = [first.json(), *_pages(client, token, re.search(r"<([^>]+)>", first.headers["link"]).group(1))]
    assert [len(p) for p in pages] == [100, 100, SEEDED + 3 - 1 - 200]
    listed = [v for page in pages for v in page]
    names = [v["vendor"] for v in listed]
    assert names == sorted(names) and len(set(v["vendor_id"] for v in listed)) == len(listed)
    assert "Aardvark Early Vendor" not in names and names[-1] == "Zzyzx Late Vendor"

    today = dt.date.today()
    expected = {s.vendor_id: (s.status, len(s.open_remediations), len(s.overdue_remediations))
                for s in usecases.statuses(store, load_review_policy(None), today)}
    assert {v["vendor_id"]: (v["status"], v["open_remediations"], v["overdue_remediations"])
            for v in listed if v["vendor_id"] in expected} == expected
    assert {v["status"] for v in listed if v["vendor_id"] not in expected} == {"awaiting_submission"}


def test_the_vendor_list_is_narrowed_by_status_band_country_and_text(web, tmp_path, database_url):
    client, store, _ = web
    seed(database_url, 120, tmp_path / "seed")
    token = api_token(store, "rita@example.org", "viewer")
    everyone = [v for page in _pages(client, token, "/api/vendors?limit=500") for v in page]
    geography = store.views.countries([v["vendor_id"] for v in everyone])
    some = everyone[7]
    band, countries, _, _ = geography[some["vendor_id"]]
    for query, keeps in (
        (f"status={some['status']}", lambda v: v["status"] == some["status"]),
        (f"band={band}", lambda v: geography[v["vendor_id"]][0] == band),
        (f"country={countries[0].lower()}", lambda v: countries[0] in geography[v["vendor_id"]][1]),
        (f"q={some['vendor'].split()[0].upper()}", lambda v: some["vendor"].split()[0].lower() in v["vendor"].lower()),
        (f"status={some['status']}&country={countries[0]}",
         lambda v: v["status"] == some["status"] and countries[0] in geography[v["vendor_id"]][1]),
    ):
        found = [v["vendor_id"] for page in _pages(client, token, f"/api/vendors?limit=40&{query}") for v in page]
        assert found == [v["vendor_id"] for v in everyone if keeps(v)], query
        assert found, query
    assert [v for page in _pages(client, token, "/api/vendors?q=100%25_") for v in page] == []  # % and _ as text


def test_a_page_too_long_or_a_cursor_it_did_not_give_is_refused(web):
    client, store, _ = web
    token = api_token(store, "rita@example.org", "viewer")
    assert client.get("/api/vendors?limit=501", headers=token).status_code == 422
    refused = client.get("/api/vendors?cursor=not-a-cursor", headers=token)
    assert refused.status_code == 400 and "cursor" in refused.json()["detail"]


def _page_rows(html: str) -> list[str]:
    return re.findall(r'<td><a href="/vendors/([0-9a-f-]{36})">', html)


def test_the_vendors_page_comes_a_page_at_a_time_keeping_its_filters(web, tmp_path, database_url):
    client, store, _ = web
    seed(database_url, 130, tmp_path / "seed")
    viewer = staff_client(web, "vi@example.org", "viewer")
    token = api_token(store, "rita@example.org", "viewer")
    everyone = [v for page in _pages(client, token, "/api/vendors?limit=500") for v in page]
    status = everyone[3]["status"]
    wanted = [v["vendor_id"] for v in everyone if v["status"] == status]
    assert 25 < len(wanted) < 130  # more than a page, fewer than all

    seen, url = [], f"/vendors?status={status}&size=25"
    while url:
        page = viewer.get(url)
        assert page.status_code == 200
        rows = _page_rows(page.text)
        assert len(rows) == 25 or "rel=\"next\"" not in page.text
        assert f"{len(wanted)} of 130" in page.text and f'<option value="{status}" selected>' in page.text
        assert ("First page" in page.text) == bool(seen)  # a way back from every page but the first
        seen += rows
        found = re.search(r'<a href="(/vendors\?[^"]+)" rel="next">Next 25', page.text)
        url = found.group(1).replace("&amp;", "&") if found else None
        if url:
            assert f"status={status}" in url and "size=25" in url  # the filters stay in the next page's URL
    assert seen == wanted

    odd = viewer.get("/vendors?size=7&cursor=not-a-cursor")  # a hand-made URL: the nearest size, the first page
    assert odd.status_code == 200 and len(_page_rows(odd.text)) == 25
    assert _page_rows(odd.text) == [v["vendor_id"] for v in everyone[:25]]


def test_the_dashboard_counts_every_vendor_and_shows_the_first_ten_of_each_panel(web, tmp_path, database_url):
    client, store, _ = web
    seed(database_url, 130, tmp_path / "seed")
    store.vendors.set_contact("Mid Alphabet Newcomer", "ops@newcomer.example")
    viewer = staff_client(web, "vi@example.org", "viewer")
    today = dt.date.today()
    found = list(usecases.statuses(store, load_review_policy(None), today))
    waiting = sorted((s.assessed_on, s.vendor) for s in found if s.review_pending)
    assert len(waiting) > 10

    page = viewer.get("/").text
    tiles = {status: int(n.replace(",", "")) for status, n in
             re.findall(r'class="tile tile-(\w+)" href="/vendors\?status=\w+">\s*<span class="tile-n">([\d,]+)', page)}
    by_status = {}
    for s in found:
        by_status[s.status] = by_status.get(s.status, 0) + 1
    assert tiles == {k: by_status.get(k, 0) + (k == "awaiting_submission") for k in tiles}
    assert "131 vendors" in page
    panel = page.split("Reviews waiting", 1)[1].split("</section>", 1)[0]
    assert f'<span class="count">{len(waiting)}</span>' in panel
    shown = re.findall(r'<td><a href="/vendors/[0-9a-f-]+">([^<]+)</a></td>', panel)
    assert shown == [name for _, name in waiting[:10]]  # the oldest ten
    assert f'href="/vendors?status=pending_review">See all {len(waiting)} waiting' in panel


def test_the_filtered_list_downloads_whole_as_csv_with_formulas_as_text(web, tmp_path, database_url):
    import csv
    import io

    client, store, _ = web
    seed(database_url, 1200, tmp_path / "seed")  # more than one of the export's thousand-row reads
    store.vendors.set_contact('=HYPERLINK("http://evil.example","Click")', "-2+3@evil.example")
    viewer = staff_client(web, "vi@example.org", "viewer")
    token = api_token(store, "rita@example.org", "viewer")
    everyone = [v for page in _pages(client, token, "/api/vendors?limit=500") for v in page]

    whole = viewer.get("/vendors.csv")
    assert whole.status_code == 200 and whole.headers["content-type"].startswith("text/csv")
    assert whole.headers["content-disposition"].startswith('attachment; filename="vendors-')
    rows = list(csv.DictReader(io.StringIO(whole.text)))
    assert [r["vendor_id"] for r in rows] == [v["vendor_id"] for v in everyone] and len(rows) == 1201
    hostile = next(r for r in rows if "HYPERLINK" in r["vendor"])
    assert hostile["vendor"].startswith("'=HYPERLINK(") and hostile["contact"] == "'-2+3@evil.example"
    assert hostile["status"] == "awaiting_submission"

    status = everyone[5]["status"]
    narrowed = list(csv.DictReader(io.StringIO(viewer.get(f"/vendors.csv?status={status}&size=25").text)))
    assert [r["vendor_id"] for r in narrowed] == [v["vendor_id"] for v in everyone if v["status"] == status]
    assert all(r["status"] == status for r in narrowed)
    page = viewer.get(f"/vendors?status={status}&size=25").text
    assert f'href="/vendors.csv?status={status}"' in page  # the page's link carries its filters, not its page
