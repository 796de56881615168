"""One remediation register (issue 19), end to end on the real Prefect engine and the backend under test: a SOW's
Schedule 1 names each remediation by its register id (planned before it is rendered, checked when it is stored),
and a remediation closed with evidence stays closed through the pre-filled form the vendor confirms."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from fairsource.cli import app
from supplier_models import Store, read_workbook
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.form import fill_form
from supplier_models.workbooks.layout import MARK_FILL
from tests.helpers.rde2 import answer_new_questions
from tests.helpers.runs import run as _run
from tests.helpers.runs import runner

pytestmark = pytest.mark.usefixtures("prefect_engine")
TODAY = dt.date(2026, 11, 23)
LUMEN, BRIGHT = EXAMPLES[0], EXAMPLES[1]


def _days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


def _intake(path: Path, as_of: str) -> dict:
    return json.loads(_run("intake", str(path), "--json", "--as-of", as_of).stdout)


def _status(vendor: str, as_of: str) -> dict:
    return json.loads(_run("status", vendor, "--json", "--as-of", as_of).stdout)


def _schedule_1(sow: str) -> list[dict[str, str]]:
    """Schedule 1 of a SOW as python-docx reads it: one dict per row, by column title ([] without Schedule 1)."""
    table = next((t for t in Document(sow).tables if t.rows[0].cells[0].text == "Item"), None)
    if table is None:
        return []
    titles = [c.text for c in table.rows[0].cells]
    return [{t: " ".join(c.text.replace("\xa0", " ").replace("\u2011", "-").split()) for t, c in zip(titles, row.cells,
                                                                                                     strict=True)}
            for row in table.rows[1:]]


def _clauses_citing(sow: str) -> set[str]:
    """The Schedule 1 items the SOW's clauses say they are subject to."""
    import re

    text = " ".join(p.text for p in Document(sow).paragraphs)
    return {item for listing in re.findall(r"subject to Schedule 1, items? (R\d+(?:(?:, | and )R\d+)*)", text)
            for item in re.findall(r"R\d+", listing)}


def _register(database_url: str) -> dict[str, object]:
    return {r.code: r for r in Store(database_url).remediations.all()}


def test_schedule_1_names_the_register_ids_and_a_rescoring_carries_them(isolated_home, monkeypatch, database_url):
    from openpyxl import load_workbook as load

    from supplier_models.workbooks.policy_workbook import LIVING_WAGES_SHEET, write_blank_policy

    lumen = _intake(write_example(LUMEN, isolated_home / "returned"), TODAY.isoformat())
    assert lumen["remediations"] == [] and _schedule_1(lumen["sow"]) == []  # no remediation, no Schedule 1

    first = _intake(write_example(BRIGHT, isolated_home / "returned"), TODAY.isoformat())
    rows = _schedule_1(first["sow"])
    status = _status("Brightlabel", TODAY.isoformat())
    ids = {r["question"]: r["id"] for r in status["open_remediations"]}
    assert len(rows) == len(first["remediations"]) == len(ids) == 11
    for row, rem in zip(rows, first["remediations"], strict=True):
        assert row["Item"] == ids[rem["question"]]  # the id the register gave it, in the row of its action
        assert row["Action and evidence"] == " ".join(f"{rem['action']} Evidence: {rem['evidence']}".split())
    assert _clauses_citing(first["sow"]) == set(ids.values())  # each clause cites its items by those ids

    pay = ids["PAY-06"]
    _run("remediate", "Brightlabel", pay, "--evidence", "Signed pay calendar, 2026-12-01", "--reviewer", "Ana")
    # The organisation's living wage for the Philippines is above Brightlabel's pay there: rescored, a new pay
    # floor, so a new SOW. The register's ids run on: what is open keeps its id, PAY-06 stays closed (its evidence
    # stands for the same answers), and the new matter takes the next id.
    policy = write_blank_policy(isolated_home / "policy.xlsx")
    wb = load(policy)
    wb[LIVING_WAGES_SHEET].append(["PH", 70, "PHP", "Northwind living-wage study", "2026-06-30"])
    wb.save(policy)
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(policy))
    run = json.loads(_run("requalify", "--as-of", _days(30), "--json").stdout)
    (rescored,) = [r for r in run["rescored"] if r["vendor"] == BRIGHT.name]
    assert rescored["sow"] and rescored["sow_reissued"]
    rows = _schedule_1(rescored["sow"])
    by_question = {r["Ref."]: r for r in rows if r["Ref."] != "-"}
    register = _register(database_url)
    for question, code in ids.items():
        assert by_question[question]["Item"] == code, question  # a rescoring that carries R3 shows R3
    assert by_question["PAY-06"]["Due date"].endswith("Done: evidence accepted")
    assert register[pay].state == "done"
    new = [r for r in rows if r["Item"] not in ids.values()]
    assert [r["Item"] for r in new] == [f"R{12 + n}" for n in range(len(new))] and new
    assert "Philippines" in {r["Country"] for r in new} and {register[r["Item"]].state for r in new} == {"open"}
    assert {code for code, r in register.items() if r.state == "open"} == \
        set(ids.values()) - {pay} | {r["Item"] for r in new}
    assert _clauses_citing(rescored["sow"]) == {r["Item"] for r in rows}
    for code, r in register.items():  # the register's due dates are the ones the newest SOW states
        if r.state == "open":
            row = next(x for x in rows if x["Item"] == code)
            assert row["Due date"] == f"{r.due_date.day} {r.due_date:%B %Y}", code


def test_a_remediation_closed_with_evidence_stays_closed_when_the_prefilled_form_comes_back_confirmed(
        isolated_home, database_url):
    _intake(write_example(BRIGHT, isolated_home / "returned"), TODAY.isoformat())
    ids = {r["question"]: r["id"] for r in _status("Brightlabel", TODAY.isoformat())["open_remediations"]}
    pay, pilot = ids["PAY-06"], ids["PILOT-01"]
    # PAY-06 "Monthly": the rubric cannot say which answer the evidence established (weekly, or every two weeks);
    # PILOT-01 "No": it can, "Yes".
    _run("remediate", "Brightlabel", pay, "--evidence", "Signed pay calendar, 2026-12-01", "--reviewer", "Ana Lima")
    _run("remediate", "Brightlabel", pilot, "--evidence", "Pilot report, 12 workers paid", "--reviewer", "Ana Lima")
    again = runner.invoke(app, ["remediate", "Brightlabel", pay, "--evidence", "again", "--reviewer", "Ben"])
    assert again.exit_code == 2 and "closed already" in again.output  # done already

    run = json.loads(_run("requalify", "--as-of", _days(160), "--json").stdout)
    (asked,) = run["reattestation_requested"]
    form = Path(asked["form"])
    wb = load_workbook(form)
    lines = [c.value for c in wb["Instructions"]["A"][:5]]
    assert lines[0].startswith("Pre-filled from your answers of 2026-11-23")  # the banner stays first
    assert lines[1].startswith("Your last answers were to RDE-1 v1.0.0; this form is RDE-2 v1.0.0.")
    closed_on = _register(database_url)[pay].closed_on
    assert lines[2].startswith(f"{pay} closed on {closed_on:%Y-%m-%d} with evidence: Signed pay calendar, 2026-12-01.")
    assert lines[3].startswith(f"{pilot} closed on {closed_on:%Y-%m-%d} with evidence: Pilot report, 12 workers paid.")
    assert "PILOT-01 shows Yes" in lines[3] and "your last answer was No" in lines[3]
    sheet = wb["Questionnaire"]
    answers = {row[0].value: row[4] for row in sheet.iter_rows(min_row=2)}
    assert answers["PAY-06"].value == "Monthly" and answers["PILOT-01"].value == "Yes"
    for question, code in (("PAY-06", pay), ("PILOT-01", pilot)):
        cell = answers[question]
        assert cell.fill.fgColor.rgb == MARK_FILL.fgColor.rgb and cell.comment.text.startswith(f"{code} closed on")
        assert "Ana Lima" in cell.comment.text and "keep it to confirm" in cell.comment.text
    assert answers["PAY-07"].comment is None and answers["PAY-07"].fill.fgColor.rgb != MARK_FILL.fgColor.rgb
    # The form is RDE-2's: the vendor answers the questions it adds (Yes: no new remediation) and confirms the rest.
    form = answer_new_questions(form)
    assert read_workbook(form).answers["PILOT-01"] == "Yes"  # the vendor's form reads back as it shows

    # Returned as it was sent: confirmed. Nothing reopens, no new id; the rest is carried under its ids.
    before = _register(database_url)
    confirmed = _intake(form, _days(165))
    after = _register(database_url)
    assert sorted(after) == sorted(before) and after[pay].state == after[pilot].state == "done"
    assert {c for c, r in after.items() if r.state == "open"} == set(ids.values()) - {pay, pilot}
    rows = {r["Ref."]: r for r in _schedule_1(confirmed["sow"])}
    assert "PILOT-01" not in rows  # "Yes" raises nothing
    assert rows["PAY-06"]["Item"] == pay and rows["PAY-06"]["Due date"] == (
        f"{closed_on.day} {closed_on:%B %Y} Done: evidence accepted")
    assert _status("Brightlabel", _days(165))["remediations_done"] == 2

    # A changed answer that still falls short is a new matter to remediate: a new id each.
    worse = fill_form(form, {"PAY-06": "Less often than monthly", "PILOT-01": "No"},
                      out=isolated_home / "worse.xlsx")
    changed = _intake(worse, _days(170))
    after = _register(database_url)
    opened = sorted(set(after) - set(before), key=lambda c: int(c[1:]))
    assert opened == ["R12", "R13"]
    assert {after[c].question for c in opened} == {"PAY-06", "PILOT-01"} and after[pay].state == "done"
    rows = {r["Ref."]: r for r in _schedule_1(changed["sow"])}
    assert rows["PAY-06"]["Item"] in opened and rows["PILOT-01"]["Item"] in opened
    assert "Done" not in rows["PAY-06"]["Due date"]


def test_a_register_changed_while_the_sow_was_written_refuses_that_store_and_the_intake_is_taken_again(
        isolated_home, database_url, monkeypatch):
    """The ids Schedule 1 prints are planned before the SOW is rendered; when another write gives the vendor's
    register other ids meanwhile, storing refuses (RegisterChanged), nothing of that attempt is kept (its SOW file
    removed), and the intake is planned again on the register as it now stands, and stored."""
    from flows import usecases
    from flows.usecases import receive
    from supplier_models import get_settings
    from supplier_models.errors import RegisterChanged

    settings = get_settings()
    store, inputs = Store(database_url), usecases.load_inputs(settings)
    first = usecases.intake_one(read_workbook(write_example(BRIGHT, isolated_home / "returned")), store, inputs,
                                TODAY, settings.sow_dir)
    later = read_workbook(fill_form(write_example(BRIGHT, isolated_home / "returned"), {"RESP-01": "No"},
                                    out=isolated_home / "later.xlsx"))
    other = read_workbook(fill_form(write_example(BRIGHT, isolated_home / "returned"), {"RESP-02": "No"},
                                    out=isolated_home / "other.xlsx"))
    real_issue, real_record = receive.issue_sow, store.assessments.record_intake
    refused: list[Exception] = []

    def issue_while_another_intake_lands(*args, **kwargs):
        rendered = real_issue(*args, **kwargs)
        monkeypatch.setattr(receive, "issue_sow", real_issue)
        usecases.intake_one(other, store, inputs, TODAY + dt.timedelta(days=2), settings.sow_dir)  # takes R12
        return rendered

    def record(*args, **kwargs):
        try:
            return real_record(*args, **kwargs)
        except RegisterChanged as exc:
            refused.append(exc)
            raise

    monkeypatch.setattr(receive, "issue_sow", issue_while_another_intake_lands)
    monkeypatch.setattr(store.assessments, "record_intake", record)
    counts, sows = store.counts(), set(settings.sow_dir.iterdir())
    retried = usecases.intake_one(later, store, inputs, TODAY + dt.timedelta(days=1), settings.sow_dir)
    (exc,) = refused
    assert "changed while its SOW was written" in str(exc) and "R12" in str(exc) and "Nothing was stored" in str(exc)
    after = store.counts()
    assert after["submission"] == counts["submission"] + 2 and after["assessment"] == counts["assessment"] + 2
    assert after["sow_document"] == counts["sow_document"] + 2  # the other intake's and this one's, once
    new_files = set(settings.sow_dir.iterdir()) - sows
    assert len(new_files) == 2 and Path(retried.sow) in new_files  # the refused attempt's SOW file is gone
    assert first.vendor_id and {r.code for r in store.remediations.all()} >= {f"R{i}" for i in range(1, 13)}
    rows = _schedule_1(retried.sow)
    resp = {r["Ref."]: r["Item"] for r in rows}
    assert resp["RESP-01"] == "R13" and "RESP-02" not in resp
