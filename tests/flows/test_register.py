"""One remediation register (issue 19), end to end on the real Prefect engine and the backend under test: a SOW's
Schedule 1 names each remediation by its register id (planned before it is rendered, checked when it is stored)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from fairsource.cli import app
from supplier_models import Store, read_workbook
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.form import fill_form

pytestmark = pytest.mark.usefixtures("prefect_engine")
runner = CliRunner()
TODAY = dt.date(2026, 11, 23)
LUMEN, BRIGHT = EXAMPLES[0], EXAMPLES[1]


def _days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


def _run(*args: str, code: int = 0):
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result


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


def test_a_register_changed_while_the_sow_was_written_refuses_the_intake_and_stores_nothing(
        isolated_home, database_url, monkeypatch):
    """The ids Schedule 1 prints are planned before the SOW is rendered; when another write gives the vendor's
    register other ids meanwhile, storing refuses (RegisterChanged) and nothing of the intake is kept."""
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
    real_issue = receive.issue_sow

    def issue_while_another_intake_lands(*args, **kwargs):
        rendered = real_issue(*args, **kwargs)
        monkeypatch.setattr(receive, "issue_sow", real_issue)
        usecases.intake_one(other, store, inputs, TODAY + dt.timedelta(days=2), settings.sow_dir)  # takes R12
        return rendered

    monkeypatch.setattr(receive, "issue_sow", issue_while_another_intake_lands)
    counts = None
    sows = set(settings.sow_dir.iterdir())
    with pytest.raises(RegisterChanged, match="changed while its SOW was written") as refused:
        counts = store.counts()
        usecases.intake_one(later, store, inputs, TODAY + dt.timedelta(days=1), settings.sow_dir)
    assert "R12" in str(refused.value) and "Nothing was stored" in str(refused.value)
    after = store.counts()
    assert after["submission"] == counts["submission"] + 1 and after["assessment"] == counts["assessment"] + 1
    assert after["sow_document"] == counts["sow_document"] + 1  # the other intake's, not this one's
    assert len(set(settings.sow_dir.iterdir()) - sows) == 1  # its SOW file is gone too
    assert store.submissions.find(BRIGHT.name, later.sha256) is None
    assert first.vendor_id and {r.code for r in store.remediations.all()} == {f"R{i}" for i in range(1, 13)}
    # Taken in again, it is planned on the register as it now stands, and stored.
    retried = usecases.intake_one(later, store, inputs, TODAY + dt.timedelta(days=3), settings.sow_dir)
    rows = _schedule_1(retried.sow)
    resp = {r["Ref."]: r["Item"] for r in rows}
    assert resp["RESP-01"] == "R13" and "RESP-02" not in resp
