"""The vendor list sorted by each of its columns, either way, a page at a time (the cursor carries the sort value),
narrowed by owner and by the day a qualification ends; the owner given on the vendor's page; the filtered, sorted
list downloaded as an Excel workbook (read back with openpyxl) with the same rows as the CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.requalify import seed  # noqa: E402  (bulk-inserted vendors, as the benchmarks seed them)
from flows import usecases  # noqa: E402
from scoring.terms import BANDS, DECISIONS, STATUSES  # noqa: E402
from supplier_models import read_workbook  # noqa: E402
from tests.helpers.intake import AS_OF  # noqa: E402
from tests.helpers.web import add_user, api_token, csrf_of, staff_client  # noqa: E402
from tests.web.test_vendor_pages import _page_rows, _pages  # noqa: E402

SEEDED = 140
ANALYSTS = ("ana@example.org", "bo@example.org")


@pytest.fixture
def seeded(web, tmp_path, database_url, inputs, example_workbooks):
    """A seeded store whose vendors have contacts and owners of all kinds (and some none), and the example
    vendors taken in a while ago (remediations open and overdue), with every vendor as the API lists it (name
    order) and its state row."""
    client, store, settings = web
    seed(database_url, SEEDED, tmp_path / "seed")
    for path in example_workbooks.values():
        usecases.intake_one(read_workbook(path), store, inputs, AS_OF, settings.sow_dir)
    for email in ANALYSTS:
        add_user(store, email, "reviewer")
    store.vendors.set_contact("Awaiting Vendor", None)  # no submission: no state row
    token = api_token(store, "rita@example.org", "viewer")
    everyone = [v for page in _pages(client, token, "/api/vendors?limit=500") for v in page]
    for i, v in enumerate(everyone):
        if i % 3:
            store.vendors.set_owner(v["vendor_id"], ANALYSTS[i % 2], actor="test")
        if i % 4 == 0:
            store.vendors.set_contact(v["vendor"], f"ops{i % 7}@v{i}.example")
    everyone = [v for page in _pages(client, token, "/api/vendors?limit=500") for v in page]
    return client, store, token, everyone, store.states.all()


def _key(column: str, v: dict, rows: dict) -> object:
    row = rows.get(v["vendor_id"], {})
    return {
        "vendor": (),
        "status": (STATUSES.index(v["status"]),),
        "decision": (DECISIONS.index(row["decision"]) if row else len(DECISIONS),),
        "band": (BANDS.index(row["band"]) if row else len(BANDS),),
        "until": ((row.get("valid_until") or row.get("review_on") or dt.date.max),),
        "remediations": (v["overdue_remediations"], v["open_remediations"] + v["overdue_remediations"]),
        "contact": ((v["contact"] or "").lower(),),
        "owner": ((v["owner"] or "").lower(),),
    }[column]


COLUMNS = ("vendor", "status", "decision", "band", "until", "remediations", "contact", "owner")


def test_every_column_sorts_both_ways_a_page_at_a_time_each_vendor_once(seeded):
    """One seeded store for every column (the API only reads): the assertion names the column and the way."""
    client, store, token, everyone, rows = seeded
    for column in COLUMNS:
        for desc in (False, True):
            pages = _pages(client, token, f"/api/vendors?limit=37&sort={column}&desc={str(desc).lower()}")
            assert len(pages) == 4, column  # 147 vendors: the cursor carried across three page breaks
            listed = [v for page in pages for v in page]
            expected = sorted(everyone, key=lambda v: (*_key(column, v, rows), v["vendor"], v["vendor_id"]),
                              reverse=desc)
            assert [v["vendor_id"] for v in listed] == [v["vendor_id"] for v in expected], (column, desc)
        if column != "vendor":  # the order changes something: not the name order again
            assert [v["vendor_id"] for v in listed] != [v["vendor_id"] for v in everyone][::-1], column


def test_a_cursor_of_another_order_is_refused_by_the_api_and_starts_the_page_again(seeded, web):
    client, _, token, everyone, _ = seeded
    first = client.get("/api/vendors?limit=20&sort=until", headers=token)
    cursor = re.search(r"cursor=([A-Za-z0-9_-]+)", first.headers["link"]).group(1)
    other = client.get(f"/api/vendors?limit=20&sort=status&cursor={cursor}", headers=token)
    assert other.status_code == 400 and "cursor" in other.json()["detail"]
    viewer = staff_client(web, "vi@example.org", "viewer")
    page = viewer.get(f"/vendors?sort=status&cursor={cursor}&size=25")  # a hand-made URL: the first page
    assert page.status_code == 200 and "First page" not in page.text and len(_page_rows(page.text)) == 25


def test_the_list_is_narrowed_by_owner_and_by_the_day_the_qualification_ends(seeded):
    client, _, token, everyone, rows = seeded

    def listed(query: str) -> list[str]:
        return [v["vendor_id"] for page in _pages(client, token, f"/api/vendors?limit=50&{query}") for v in page]

    assert listed(f"owner={ANALYSTS[1].upper()}") == [v["vendor_id"] for v in everyone if v["owner"] == ANALYSTS[1]]
    unowned = listed("owner=none")
    assert unowned == [v["vendor_id"] for v in everyone if v["owner"] is None] and 0 < len(unowned) < len(everyone)
    days = sorted({r["valid_until"] or r["review_on"] for r in rows.values()})
    start, end = days[len(days) // 4], days[3 * len(days) // 4]
    within = listed(f"until_from={start}&until_to={end}")
    assert within == [v["vendor_id"] for v in everyone if v["vendor_id"] in rows
                      and start <= (rows[v["vendor_id"]]["valid_until"] or rows[v["vendor_id"]]["review_on"]) <= end]
    assert 0 < len(within) < len(rows)
    assert client.get("/api/vendors?owner=not-an-email", headers=token).status_code == 422
    assert client.get("/api/vendors?until_from=2027-02-30", headers=token).status_code == 422


def test_the_page_sorts_by_its_headers_and_keeps_the_order_and_filters_on_the_next_page(seeded, web):
    _, _, _, everyone, rows = seeded
    viewer = staff_client(web, "vi@example.org", "viewer")
    page = viewer.get(f"/vendors?owner={ANALYSTS[0]}&size=25").text
    header = re.search(r'<a class="sort" href="(/vendors\?[^"]+)">Valid until', page).group(1).replace("&amp;", "&")
    assert "sort=until" in header and "owner=ana%40example.org" in header and "desc" not in header
    seen, url = [], header
    while url:
        html = viewer.get(url).text
        assert 'aria-sort="ascending"' in html
        seen += _page_rows(html)
        found = re.search(r'<a href="(/vendors\?[^"]+)" rel="next">', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    mine = [v for v in everyone if v["owner"] == ANALYSTS[0]]
    assert len(mine) > 25 and seen == [v["vendor_id"] for v in sorted(
        mine, key=lambda v: (*_key("until", v, rows), v["vendor"], v["vendor_id"]))]
    again = re.search(r'<a class="sort on" href="(/vendors\?[^"]+)">Valid until', html).group(1)
    assert "desc=1" in again  # the sorted column's header turns the order round
    unknown = viewer.get("/vendors?sort=nonsense&until_from=yesterday")  # a hand-made URL: name order, no filter
    assert unknown.status_code == 200 and _page_rows(unknown.text) == [v["vendor_id"] for v in everyone[:50]]


def test_the_owner_is_set_on_the_vendors_page_by_a_reviewer_and_audited(seeded, web):
    _, store, _, everyone, _ = seeded
    vendor = everyone[0]
    reviewer = staff_client(web, "rev@example.org", "reviewer")
    form = reviewer.get(f"/vendors/{vendor['vendor_id']}").text
    assert f'<option value="{ANALYSTS[1]}"' in form
    done = reviewer.post(f"/vendors/{vendor['vendor_id']}/owner", data={"csrf_token": csrf_of(form),
                                                                        "owner": ANALYSTS[1]}, follow_redirects=False)
    assert done.status_code == 303 and store.vendors.get(vendor["vendor_id"]).owner == ANALYSTS[1]
    refused = reviewer.post(f"/vendors/{vendor['vendor_id']}/owner", data={"csrf_token": csrf_of(form),
                                                                           "owner": "stranger@example.org"})
    assert refused.status_code == 400 and "must be a user of this app" in refused.text
    cleared = reviewer.post(f"/vendors/{vendor['vendor_id']}/owner", data={"csrf_token": csrf_of(form), "owner": ""},
                            follow_redirects=False)
    assert cleared.status_code == 303 and store.vendors.get(vendor["vendor_id"]).owner is None
    events = [e for e in store.audit.events(vendor_id=vendor["vendor_id"]) if e.action == "owner_set"]
    assert [(e.actor, e.subject) for e in events][:2] == [("rev@example.org", ""), ("rev@example.org", ANALYSTS[1])]
    viewer = staff_client(web, "vi@example.org", "viewer")
    page = viewer.get(f"/vendors/{vendor['vendor_id']}").text
    assert 'action="/vendors/' + vendor["vendor_id"] + '/owner"' not in page
    assert viewer.post(f"/vendors/{vendor['vendor_id']}/owner",
                       data={"csrf_token": csrf_of(page), "owner": ""}).status_code == 403


def test_the_sorted_filtered_list_downloads_as_a_workbook_with_the_csvs_rows(seeded, web, tmp_path):
    _, store, _, everyone, _ = seeded
    store.vendors.set_contact('=HYPERLINK("http://evil.example","Click")', "-2+3@evil.example")
    viewer = staff_client(web, "vi@example.org", "viewer")
    query = "sort=remediations&desc=1&q=e"  # most vendors' names hold an e
    sheet = viewer.get(f"/vendors.xlsx?{query}")
    assert sheet.status_code == 200 and sheet.headers["content-disposition"].startswith('attachment; filename="vendors-')
    (tmp_path / "list.xlsx").write_bytes(sheet.content)
    ws = openpyxl.load_workbook(tmp_path / "list.xlsx")["Vendors"]
    table = list(ws.iter_rows(values_only=True))
    assert table[0][:3] == ("Vendor", "Status", "Decision") and table[0][-2:] == ("Owner", "Vendor id")
    text = list(csv.reader(io.StringIO(viewer.get(f"/vendors.csv?{query}").text)))
    assert [r[-1] for r in table[1:]] == [r[1] for r in text[1:]]
    assert len(table) - 1 == sum("e" in v["vendor"].lower() or "e" in (v["contact"] or "") for v in everyone) + 1
    worst = [(r[7], r[6] + r[7]) for r in table[1:]]  # overdue, then open (overdue or not)
    assert worst == sorted(worst, reverse=True) and worst[0][1] > 0
    hostile = next(row for row in ws.iter_rows(min_row=2) if "HYPERLINK" in str(row[0].value))
    assert hostile[0].data_type == "s" and hostile[0].value.startswith("=HYPERLINK(")  # text, never a formula
    assert hostile[10].value == "-2+3@evil.example" and hostile[10].data_type == "s"
    dated = next(row for row in ws.iter_rows(min_row=2) if row[3].value is not None)
    assert isinstance(dated[3].value, dt.datetime) and dated[3].number_format == "yyyy-mm-dd"
    assert {row[5].value for row in ws.iter_rows(min_row=2)} <= {"yes", "no"}
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == f"A1:M{len(table)}"
    assert ws.print_area == f"'Vendors'!$A$1:$L${len(table)}"  # the ids on screen only
    kinds = [e.detail.get("format") for e in store.audit.events() if e.action == "vendors_exported"]
    assert kinds[:2] == ["csv", "xlsx"]
