"""The questionnaire answered in the portal's web form: pages generated from the definition, a draft saved part by
part (no status changes), the reader's problems beside their fields, the same submission as the workbook's for
the same answers through the same intake (duplicates recognised across the two ways), and safe: its own link
only, CSRF, text kept as text."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from concurrent.futures import ThreadPoolExecutor

import openpyxl
import pytest
from markupsafe import escape

from fairsource import accounts
from flows.usecases import web_answers
from supplier_models import read_workbook
from supplier_models.questionnaire import current
from supplier_models.workbooks.examples import EXAMPLES
from tests.helpers.web import BRIGHT, LUMEN, csrf_of, portal_link, web_app, workbook
from tests.helpers.web_form import answer_all, docx_text, part_fields, save, submit

HOSTILE = ("{{ 7*7 }}", "<w:t>x</w:t><script>alert(1)</script>", '=HYPERLINK("http://evil.example","x")')


@pytest.fixture
def other_database_url(tmp_path):
    """A second empty database on the backend under test: the store the workbooks go to."""
    from tests.conftest import empty_database

    yield from empty_database(tmp_path, "other.db")


def errors_on(page: str) -> dict[str, list[str]]:
    """field -> the messages shown beside it (the `err-<field>-<n>` paragraphs)."""
    found: dict[str, list[str]] = {}
    for field, message in re.findall(r'<p class="field-error" id="err-(.+?)-\d+">(.*?)</p>', page):
        found.setdefault(field, []).append(html.unescape(message))
    return found


def test_a_section_is_generated_from_the_definition_and_saved_as_a_draft_that_changes_no_status(web):
    client, store, _ = web
    vendor, link = portal_link(store, LUMEN.name)
    start = client.get(f"{link}/answer", follow_redirects=False)
    assert start.status_code == 303 and start.headers["location"].endswith("/answer/COMP")
    page = client.get(f"{link}/answer/COMP").text
    q = current()
    for question in (x for x in q.questions if x.section == "COMP"):  # every question of the section, from the file
        assert html.escape(question.text, quote=False) in page and f'name="a-{question.id}"' in page
    assert "Part 1 of" in page and "0 of" in page and "not saved yet" in page
    before = store.counts()
    done = save(client, link, "COMP", {"a-COMP-01": "Lumen Data Services GmbH", "a-COMP-02": "DE",
                                       "a-COMP-03": ["Data annotation", "Model evaluation or RLHF"],
                                       "a-COMP-04": ["Employees"], "e-COMP-01": "Register HRB 1"}, go="next")
    assert done.status_code == 303 and "/answer/PAY?saved=1" in done.headers["location"]
    assert store.counts() == {**before, "audit_event": before["audit_event"] + 1}  # a draft: no submission, no status
    again = client.get(f"{link}/answer/COMP").text
    assert errors_on(again) == {} and "(saved)" in again and "1 of" in again
    assert 'value="DE"' in again and 'value="Register HRB 1"' in again
    assert re.search(r'value="Model evaluation or RLHF" checked', again)


def test_problems_are_the_readers_own_shown_beside_their_fields_on_save(web, folder):
    client, store, _ = web
    _, link = portal_link(store, LUMEN.name)
    saved = save(client, link, "WORK", {"a-WORK-04": "lots", "a-WORK-01": "Yes"})
    page = client.get(saved.headers["location"]).text
    shown = errors_on(page)
    # the messages the workbook reader gives for the same cells
    with pytest.raises(Exception) as rejected:
        from supplier_models.workbooks.form import fill_form
        read_workbook(fill_form(workbook(LUMEN, folder), {"WORK-04": "lots", "WORK-02": None},
                                out=folder / "w.xlsx"))
    by_question = {p.question: p.message for p in rejected.value.problems}
    assert shown["a-WORK-04"] == [by_question["WORK-04"]]
    assert shown["a-WORK-02"] == [by_question["WORK-02"]]  # required, left empty
    assert "a-WORK-01" not in shown
    assert "things to fix on this page" in page
    # a part not yet saved shows none of its problems
    assert errors_on(client.get(f"{link}/answer/PAY").text) == {}


def test_the_countries_rows_grow_without_script_and_their_problems_sit_in_their_cells(web):
    client, store, _ = web
    _, link = portal_link(store, LUMEN.name)
    page = client.get(f"{link}/answer/countries").text
    assert page.count('class="country-row"') == 3
    more = save(client, link, "countries", {"rows": "3", "c0-1": "Germany", "c0-2": "60", "c0-3": "10",
                                            "c0-4": "15", "c0-5": "USD", "c0-6": "Hourly wage"}, go="rows")
    assert "rows=8" in more.headers["location"]
    page = client.get(more.headers["location"]).text
    assert page.count('class="country-row"') == 8
    shown = errors_on(page)
    assert any("local currency" in m for m in shown["c0-5"])  # USD for Germany, at its cell
    assert "The workforce shares add up to 60%, not 100%." not in str(shown)  # a row with a problem: no total yet


def test_the_web_form_and_the_workbook_give_one_result_for_every_example_vendor(web, folder, tmp_path, inputs,
                                                                                 other_database_url):
    client, store, _ = web
    other, _ = web_app(tmp_path / "other", other_database_url, inputs)
    from fastapi.testclient import TestClient

    with TestClient(other) as by_workbook:
        for example in EXAMPLES:
            path = workbook(example, folder, questionnaire=current().id)  # the web form asks RDE-2
            read = read_workbook(path)
            vendor, link = portal_link(store, example.name)
            answer_all(client, link, read)
            done = submit(client, link)
            assert done.status_code == 303 and done.headers["location"].endswith("?received=1"), done.text
            stored = store.submissions.latest_of(vendor.id).submission
            same = {"sha256", "filename", "form_id", "issued_at"}
            assert stored.model_dump(exclude=same) == read.model_dump(exclude=same)
            assert stored.filename == web_answers.WEB_FORM
            # the same workbook uploaded in another store: the same decision, scores and SOW
            _, other_link = portal_link(other.state.web.store, example.name)
            token = csrf_of(by_workbook.get(other_link).text)
            with open(path, "rb") as f:
                assert by_workbook.post(f"{other_link}/upload", data={"csrf_token": token},
                                        files={"file": ("w.xlsx", f)}, follow_redirects=False).status_code == 303
            web_decision = store.assessments.latest(vendor.id).data
            wb_store = other.state.web.store
            wb_vendor = wb_store.vendors.named(example.name)
            wb_decision = wb_store.assessments.latest(wb_vendor.id).data
            assert _without_dates(web_decision) == _without_dates(wb_decision), example.name
            assert web_decision["decision"] == example.expected_decision
            web_sow, wb_sow = store.sows.latest(vendor.id), wb_store.sows.latest(wb_vendor.id)
            assert (web_sow is None) == (wb_sow is None)
            if web_sow is not None:
                assert _sow_words(web_sow, stored) == _sow_words(wb_sow, read), example.name
            # the same answers sent again as the workbook: a duplicate, nothing stored again
            count = store.counts()["submission"]
            token = csrf_of(client.get(link).text)
            with open(path, "rb") as f:
                again = client.post(f"{link}/upload", data={"csrf_token": token}, files={"file": ("w.xlsx", f)},
                                    follow_redirects=False)
            assert again.headers["location"].endswith("?received=again")
            assert store.counts()["submission"] == count


def _without_dates(decision: dict) -> dict:
    """A decision without the day its form was issued (each contribution's `as_of`): the web form's draft is
    issued when it is started, the workbook's when it was written."""
    out = dict(decision)
    out["explanation"] = [{k: v for k, v in c.items() if k != "as_of"} for c in decision.get("explanation", [])]
    return out


def _sow_words(sow, submission) -> list[str]:
    """The SOW's text, but for its reference's last part (a digest of the file received among others) and the day
    the form was issued."""
    return [re.sub(r"(SOW-[A-Z0-9-]+-\d{8}-)[0-9A-F]{8}", r"\1REF", line)
            .replace(submission.issued_at.date().isoformat(), "ISSUED") for line in docx_text(sow.path)]


def test_a_draft_is_its_own_links_only_needs_the_form_token_and_goes_with_the_link(web):
    client, store, _ = web
    lumen, link = portal_link(store, LUMEN.name)
    _, other = portal_link(store, BRIGHT.name)
    assert save(client, link, "COMP", {"a-COMP-01": "Lumen secret name"}).status_code == 303
    assert "Lumen secret name" not in client.get(f"{other}/answer/COMP").text  # another vendor's link: its own
    assert client.get("/portal/" + "A" * 43 + "/answer/COMP").status_code == 404
    assert client.get(f"{link}/answer/NOPE").status_code == 404
    before = store.counts()
    refused = client.post(f"{link}/answer/COMP", data={"a-COMP-01": "forged"}, follow_redirects=False)
    assert refused.status_code == 403 and store.counts() == before
    assert "forged" not in client.get(f"{link}/answer/COMP").text
    invite = store.invites.of_vendor(lumen.id)[0]
    store.invites.revoke(invite.id, actor="test", now=accounts.now())
    assert client.get(f"{link}/answer/COMP").status_code == 404
    assert client.get(f"{link}/answer/draft.xlsx").status_code == 404
    assert save(client, other, "COMP", {"a-COMP-01": "Bright"}).status_code == 303  # any save sweeps links gone
    assert web_answers.drafts(store).get(lumen.id, invite.id) is None


def test_hostile_text_is_kept_and_shown_as_text_on_the_page_and_in_the_draft_workbook(web):
    client, store, _ = web
    _, link = portal_link(store, LUMEN.name)
    fields = {"a-COMP-01": HOSTILE[0], "e-COMP-01": HOSTILE[1], "a-COMP-02": HOSTILE[2]}
    assert save(client, link, "COMP", fields).status_code == 303
    page = client.get(f"{link}/answer/COMP").text
    assert "{{ 7*7 }}" in page and ">49<" not in page
    assert "<script>alert(1)</script>" not in page and "<w:t>" not in page
    assert str(escape(HOSTILE[1])) in page and str(escape(HOSTILE[2])) in page  # each shown, as text
    data = client.get(f"{link}/answer/draft.xlsx")
    assert data.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(data.content))["Questionnaire"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    assert ws.cell(row=rows["COMP-01"], column=5).value == HOSTILE[0]
    assert ws.cell(row=rows["COMP-01"], column=6).value == HOSTILE[1]
    formula = ws.cell(row=rows["COMP-02"], column=5)
    assert formula.value == HOSTILE[2] and formula.data_type == "s"  # text, never a formula
    long = save(client, link, "COMP", {"a-COMP-01": "x" * 50_000})
    shown = errors_on(client.get(long.headers["location"]).text)
    assert shown["a-COMP-01"] == ["The answer is 10000 characters long; the limit is 2000."]  # kept up to 5x


def test_a_draft_downloaded_as_a_workbook_and_uploaded_is_the_same_submission(web, folder):
    client, store, _ = web
    vendor, link = portal_link(store, LUMEN.name)
    read = read_workbook(workbook(LUMEN, folder, questionnaire="RDE-2"))  # the web form asks RDE-2
    answer_all(client, link, read)
    data = client.get(f"{link}/answer/draft.xlsx").content
    offline = read_workbook("draft.xlsx", data=data)
    same = {"sha256", "filename"}
    form_id = web_answers.drafts(store).get(vendor.id, store.invites.of_vendor(vendor.id)[0].id).form_id
    assert offline.form_id == form_id
    token = csrf_of(client.get(link).text)
    uploaded = client.post(f"{link}/upload", data={"csrf_token": token}, files={"file": ("d.xlsx", data)},
                           follow_redirects=False)
    assert uploaded.headers["location"].endswith("?received=1")
    stored = store.submissions.latest_of(vendor.id).submission
    assert stored.model_dump(exclude=same | {"form_id", "issued_at"}) == read.model_dump(
        exclude=same | {"form_id", "issued_at"})
    assert stored.form_id == form_id
    # the workbook replaced the draft; the same answers then submitted in the web form: a duplicate, the draft done
    assert web_answers.drafts(store).get(vendor.id, store.invites.of_vendor(vendor.id)[0].id) is None
    answer_all(client, link, read)
    assert submit(client, link).headers["location"].endswith("?received=again")
    assert store.counts()["submission"] == 1
    assert web_answers.drafts(store).get(vendor.id, store.invites.of_vendor(vendor.id)[0].id) is None


def test_submitting_with_problems_lists_them_all_and_each_part_shows_its_own(web):
    client, store, _ = web
    _, link = portal_link(store, LUMEN.name)
    save(client, link, "WORK", {"a-WORK-04": "lots"})
    refused = submit(client, link)
    assert refused.status_code == 422 and "Not submitted:" in refused.text
    q = current()
    required = [x for x in q.questions if x.is_required({})]
    assert refused.text.count('<li><a href="/portal/') >= len(required)  # every problem, each linked to its field
    assert store.counts()["submission"] == 0
    shown = errors_on(client.get(f"{link}/answer/PAY").text)  # a part never saved now shows its problems
    assert "a-PAY-01" in shown
    assert errors_on(client.get(f"{link}/answer/attestation").text).keys() >= {"att-name", "att-title", "att-date"}


def test_a_reattestation_opens_in_the_web_form_with_the_last_answers_to_confirm(web, folder):
    """Lumen answered RDE-1; its re-attestation in the web form is RDE-2's, opened with its RDE-1 answers, the
    questions RDE-2 adds empty: submitted without them it is refused at exactly those fields; answered, it is a new
    RDE-2 submission whose other answers are the RDE-1 ones."""
    client, store, _ = web
    vendor, link = portal_link(store, LUMEN.name)
    path = workbook(LUMEN, folder)
    token = csrf_of(client.get(link).text)
    with open(path, "rb") as f:
        client.post(f"{link}/upload", data={"csrf_token": token}, files={"file": ("l.xlsx", f)})
    last = read_workbook(path)
    assert last.questionnaire_id == "RDE-1"
    page = client.get(f"{link}/answer/COMP").text
    assert f'>{last.answers["COMP-01"]}</textarea>' in page  # the last answers, to confirm or correct
    pay = client.get(f"{link}/answer/PAY").text
    assert re.search(r'name="a-PAY-06" value="Every two weeks"[^>]*checked', pay)  # carried over
    assert not re.search(r'name="a-PAY-08" value="(Yes|No)"[^>]*checked', pay)  # new in RDE-2: to answer
    assert 'value=""' in client.get(f"{link}/answer/attestation").text.split('id="att-name"')[1][:200]
    confirmed = last.attestation.model_copy(update={"date": last.attestation.date.replace(
        year=last.attestation.date.year + 1)})
    save(client, link, "attestation", {"att-name": confirmed.name, "att-title": confirmed.title,
                                       "att-date": confirmed.date.isoformat()})
    refused = submit(client, link)
    assert refused.status_code == 422 and store.counts()["submission"] == 1
    for qid in ("PAY-08", "WORK-06", "COMM-06", "RESP-03", "RESP-04"):
        assert f"a-{qid}" in errors_on(client.get(f"{link}/answer/{qid.split('-')[0]}").text), qid
    assert "a-PAY-09" not in errors_on(client.get(f"{link}/answer/PAY").text)  # hourly pay: not asked
    rde2 = read_workbook(workbook(LUMEN, folder, questionnaire="RDE-2"))  # the same answers, and the new ones
    for part in web_answers.parts(current()):
        if part.id in ("PAY", "WORK", "COMM", "RESP"):
            assert save(client, link, part.id, part_fields(rde2, part)).status_code == 303
    assert submit(client, link).headers["location"].endswith("?received=1")  # attested anew: a new submission
    assert store.counts()["submission"] == 2
    new = store.submissions.latest_of(vendor.id).submission
    assert new.attestation == confirmed and (new.questionnaire_id, new.questionnaire_version) == ("RDE-2", "1.0.0")
    assert {k: v for k, v in new.answers.items() if k in last.answers} == last.answers
    assert store.assessments.latest(vendor.id).rubric_version == "RDE-2-rubric v1.0.0"


def test_parts_saved_at_once_both_stay_in_the_one_draft(web):
    _, store, _ = web
    vendor, _ = portal_link(store, LUMEN.name)
    link = accounts.PortalVendor(vendor_id=vendor.id, vendor=vendor.name,
                                 invite_id=store.invites.of_vendor(vendor.id)[0].id)
    expires = store.invites.of_vendor(vendor.id)[0].expires_at
    sent = {"COMP": {"a-COMP-01": "Lumen"}, "PAY": {"a-PAY-02": "Yes"}, "WORK": {"a-WORK-01": "Yes"},
            "TRAIN": {"a-TRAIN-01": "No"}}
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda item: web_answers.save_part(store, link, item[0], item[1], expires_at=expires),
                      sent.items()))
    data = web_answers.drafts(store).get(vendor.id, link.invite_id).data
    assert set(data["saved"]) == set(sent)
    assert {k: data["answers"][k] for k in ("COMP-01", "PAY-02", "WORK-01", "TRAIN-01")} == {
        "COMP-01": "Lumen", "PAY-02": "Yes", "WORK-01": "Yes", "TRAIN-01": "No"}


def test_a_draft_expires_with_its_link(web):
    client, store, _ = web
    invite, vendor, token = accounts.create_invite(store, LUMEN.name, "ops@lumen.example", created_by="test", days=1)
    assert save(client, f"/portal/{token}", "COMP", {"a-COMP-01": "Lumen"}).status_code == 303
    drafts = web_answers.drafts(store)
    assert drafts.purge(accounts.now()) == 0 and drafts.get(vendor.id, invite.id) is not None
    assert drafts.purge(accounts.now() + dt.timedelta(days=1, minutes=1)) == 1  # the day the link has expired
    assert drafts.get(vendor.id, invite.id) is None


def test_the_page_loads_its_script_once_and_is_titled_by_its_part(web):
    client, store, _ = web
    _, link = portal_link(store, LUMEN.name)
    page = client.get(f"{link}/answer/WORK").text
    assert page.count("portal_form.js") == 1
    assert re.search(r"<title>Appropriate workers · Lumen Data Services GmbH · fairsource</title>", page)
    assert '<body class="portal portal-form">' in page
