"""The flows on the real Prefect engine, on SQLite and (in CI's second run) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from fairsource.cli import app
from supplier_models import Store, WorkbookRejected, read_workbook
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.form import fill_form, write_form
from tests.helpers.rde2 import NEW_QUESTIONS, answer_new_questions

TODAY = dt.date(2026, 11, 23)
runner = CliRunner()
EXPECTED = {v.name: v.expected_decision for v in EXAMPLES}

pytestmark = pytest.mark.usefixtures("prefect_engine")


@pytest.fixture
def home(isolated_home):
    return isolated_home


@pytest.fixture
def workbooks(home) -> list[Path]:
    folder = home / "returned"
    return [write_example(v, folder) for v in EXAMPLES]


def _intake(paths, as_of=TODAY):
    from flows.intake import intake

    return intake([str(p) for p in paths], as_of=as_of)


def _docx_text(path: str) -> str:
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _artifact(key: str) -> str:
    """The newest artifact with this key, read back from the Prefect API."""
    from prefect.artifacts import Artifact

    found = Artifact.get(key)
    assert found is not None, f"no artifact {key}"
    return str(found.data)


def test_intake_of_every_example_vendor(home, workbooks, database_url):
    outcomes, rejected = _intake(workbooks)
    assert rejected == []
    assert {o.vendor: o.decision.decision for o in outcomes} == EXPECTED
    store = Store(database_url)
    counts = store.counts()
    assert counts["vendor"] == counts["submission"] == counts["assessment"] == len(EXAMPLES)
    for o in outcomes:
        if o.decision.decision == "not_qualified":
            assert o.sow is None
            continue
        text = _docx_text(o.sow)  # the stored SOW reads back with a real reader
        assert o.vendor in text
        for country in o.decision.geo.countries:
            assert country.name in text
    assert counts["sow_document"] == sum(o.sow is not None for o in outcomes)
    markdown = _artifact("intake-decisions")
    for vendor in EXAMPLES:
        assert vendor.name in markdown
    assert "recruitment_fee" in markdown


def test_the_same_file_again_changes_nothing(home, workbooks, database_url):
    first, _ = _intake(workbooks[:2])
    before = Store(database_url).counts()
    again, _ = _intake(workbooks[:2])
    assert [o.duplicate for o in again] == [True, True]
    assert [o.assessment_id for o in again] == [o.assessment_id for o in first]
    assert Store(database_url).counts() == before


def test_a_changed_workbook_adds_an_assessment_and_keeps_the_old(home, workbooks, database_url):
    (first,), _ = _intake(workbooks[1:2])
    changed = fill_form(workbooks[1], {"PILOT-01": "Yes", "PILOT-02": "Yes", "PILOT-03": "Yes"},
                        out=home / "changed.xlsx")
    (second,), _ = _intake([changed])
    assert not second.duplicate and second.assessment_id != first.assessment_id
    assert second.decision.principles["pilot"] == 100 > first.decision.principles["pilot"]
    store = Store(database_url)
    assert store.counts()["assessment"] == 2 and store.counts()["vendor"] == 1


def test_a_rejected_file_stores_nothing_and_the_others_go_through(home, workbooks, database_url):
    bad = home / "bad.xlsx"
    bad.write_bytes(workbooks[0].read_bytes()[:3000])
    outcomes, rejected = _intake([bad, workbooks[0]])
    assert [r.file for r in rejected] == [str(bad)]
    assert "damaged or incomplete" in rejected[0].problems[0].message
    assert len(outcomes) == 1 and Store(database_url).counts()["submission"] == 1


def test_requalify_a_year_later_asks_every_vendor_for_a_fresh_attestation_and_rescores_none(
        home, workbooks, database_url):
    from flows.requalify import requalify

    outcomes, _ = _intake(workbooks)
    store = Store(database_url)
    before = store.counts()
    results, report, run, _ = requalify(as_of=TODAY + dt.timedelta(days=365))
    assert results == []  # stale answers never renew a qualification
    assert sorted(r["vendor"] for r in run.reattestation_requested) == sorted(EXPECTED)
    # Every qualification lapsed by then (6 or 12 months, Lumen's certificate, the refusals' review dates):
    # the vendors that were qualified or conditional are expired; a refusal is not.
    assert sorted(r["vendor"] for r in run.expired) == sorted(
        v for v, d in EXPECTED.items() if d != "not_qualified")
    after = store.counts()
    assert after["assessment"] == before["assessment"] and after["reattestation_request"] == len(EXAMPLES)
    for asked in run.reattestation_requested:  # each an RDE-2 form pre-filled with the vendor's RDE-1 answers
        with pytest.raises(WorkbookRejected) as rejected:  # returned as it is: only the new questions are missing
            read_workbook(asked["form"])
        vendor = next(v for v in EXAMPLES if v.name == asked["vendor"])
        piece_rate = vendor.answers["PAY-01"].startswith("Piece rate")
        assert [p.question for p in rejected.value.problems] == [
            q for q in NEW_QUESTIONS if q != "PAY-09" or piece_rate]
        back = read_workbook(answer_new_questions(asked["form"], vendor.rde2, out=home / "answered.xlsx"))
        assert back.vendor_name == asked["vendor"] and back.questionnaire_id == "RDE-2"
        assert {k: v for k, v in back.answers.items() if k in vendor.answers} == {
            k: (Decimal(v) if isinstance(v, int) else v) for k, v in vendor.answers.items()}
    assert Path(report).exists()
    again, _, rerun, notices = requalify(as_of=TODAY + dt.timedelta(days=365))
    assert again == [] and rerun.reattestation_requested == [] and notices == []
    assert store.counts() == after
    assert "Fresh attestations requested: 0" in _artifact("requalification-summary")


def test_new_country_data_makes_only_the_affected_vendors_due(home, workbooks, monkeypatch):
    from flows.requalify import requalify
    from supplier_models.reference_data import default_folder

    _intake(workbooks)
    folder = home / "country-data"
    shutil.copytree(default_folder(), folder)
    version = yaml.safe_load((folder / "VERSION.yaml").read_text())
    version["version"] = version["version"] + "-test"
    (folder / "VERSION.yaml").write_text(yaml.safe_dump(version))
    wars = (folder / "ucdp_wars_since2014.csv").read_text()
    header = wars.splitlines()[0].split(",")
    row = {k: "" for k in header} | {"iso3": "GHA", "iso2": "GH", "ongoing": "1", "start_year": "2026",
                                      "type_of_conflict": "intrastate", "conflict_name": "Test conflict"}
    (folder / "ucdp_wars_since2014.csv").write_text(wars.rstrip("\n") + "\n" + ",".join(row[k] for k in header) + "\n")
    monkeypatch.setenv("FAIRSOURCE_COUNTRY_DATA", str(folder))

    results, *_ = requalify(as_of=TODAY + dt.timedelta(days=1))
    assert [r.vendor for r in results] == ["Savanna Voices Collection Ltd"]  # the only vendor in Ghana
    assert results[0].decision == "conditional"  # Ghana is now at war: high geographic risk


def test_intake_command_json_and_exit_codes(home, workbooks):
    result = runner.invoke(app, ["intake", str(workbooks[2]), "--json"])
    assert result.exit_code == 0, result.output
    import json

    decision = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("vendor", "vendor_id", "assessment_id", "decision", "score", "principles", "knockouts", "geo",
                "remediations", "valid_until", "sow", "rubric_version", "country_data_version"):
        assert key in decision
    assert decision["decision"] == "not_qualified"
    assert decision["knockouts"][0] == {"rule": "recruitment_fee", "question": "PAY-05",
                                        "reason": decision["knockouts"][0]["reason"]}
    assert {"iso2", "share", "score", "flags"} <= set(decision["geo"]["countries"][0])

    broken = home / "broken.xlsx"
    broken.write_text("not a workbook")
    result = runner.invoke(app, ["intake", str(broken), "--json"])
    assert result.exit_code == 2
    assert result.stdout.strip().startswith('{"file"')
    assert '"errors": [{"cell": null' in result.stdout


def test_sow_command_writes_for_qualified_and_refuses_not_qualified(home, workbooks):
    _intake(workbooks)
    out = home / "lumen.docx"
    result = runner.invoke(app, ["sow", "Lumen Data Services GmbH", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Lumen Data Services GmbH" in _docx_text(str(out))
    result = runner.invoke(app, ["sow", "QuickTask Crowd Ltd", "--out", str(home / "q.docx")])
    assert result.exit_code == 2
    assert "not qualified" in result.output
    assert not (home / "q.docx").exists()


def test_report_neutralises_formula_text(home, workbooks, database_url):
    hostile = '=HYPERLINK("http://x","y")'
    form = write_form(home / "hostile.xlsx", hostile)
    answers = {k: v for k, v in {**EXAMPLES[0].answers, **EXAMPLES[0].rde2}.items() if v is not None}
    fill_form(form, answers, EXAMPLES[0].countries)
    _intake([form, *workbooks[:2]])
    out = home / "portfolio.xlsx"
    result = runner.invoke(app, ["report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(out)["Portfolio"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert set(rows) == {hostile, EXAMPLES[0].name, EXAMPLES[1].name}
    cell = rows[hostile][0]
    assert cell.data_type == "s" and cell.value == hostile
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    assert rows[EXAMPLES[1].name][header.index("Decision")].value == "conditional"
    assert rows[EXAMPLES[1].name][header.index("Open remediations")].value
    assert rows[EXAMPLES[1].name][header.index("SOW")].value.endswith(".docx")


def test_serve_schedules_requalification_on_cron():
    from flows.serve import deployments

    by_name = {d.flow_name: d for d in deployments()}
    assert set(by_name) == {"requalify", "intake", "sow"}
    schedule = by_name["requalify"].schedules[0].schedule
    assert schedule.cron == "0 6 * * *"  # daily: a 7-day reminder or a weekly repeat is sent on its day


def test_intake_command_takes_several_files_and_reports_each(home, workbooks, database_url):
    broken = home / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 truncated")
    result = runner.invoke(app, ["intake", str(workbooks[0]), str(broken), str(workbooks[4])])
    assert result.exit_code == 2  # one file was rejected; the others were processed
    assert "Lumen Data Services GmbH: qualified" in result.stdout
    assert "Savanna Voices Collection Ltd: qualified" in result.stdout
    assert f"{broken}: rejected" in result.stderr and "damaged or incomplete" in result.stderr
    assert Store(database_url).counts()["submission"] == 2


def test_requalify_command_as_of_a_year_later(home, workbooks):
    import json

    _intake(workbooks[:3])
    result = runner.invoke(app, ["requalify", "--as-of", str(TODAY + dt.timedelta(days=365)), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary) >= {"rescored", "reattestation_requested", "expired", "reminders"}
    assert summary["rescored"] == []
    assert {v["vendor"] for v in summary["reattestation_requested"]} == {v.name for v in EXAMPLES[:3]}
    assert all(Path(v["form"]).exists() for v in summary["reattestation_requested"])
    assert Path(summary["report"]).exists()
    bad = runner.invoke(app, ["requalify", "--as-of", "next week"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_policy_command_writes_a_blank_policy_that_reads_back(home):
    from supplier_models.workbooks.policy_workbook import read_policy

    out = home / "policy.xlsx"
    result = runner.invoke(app, ["policy", "--out", str(out)])
    assert result.exit_code == 0
    assert read_policy(out).prohibited == {}


def test_an_organisation_template_that_drops_a_clause_stores_nothing(home, workbooks, database_url, monkeypatch):
    """The SOW is verified before anything is stored: no submission, no assessment, no file."""
    from docx import Document as NewDocument

    template = home / "own-template.docx"
    doc = NewDocument()
    for text in ["Statement of Work {{ reference }} between {{ client.name }} and {{ supplier.name }}",
                 "{%p for clause in clauses if clause.id != 'audit-rights' %}",
                 "{{ clause.index }}. {{ clause.title }}", "{{ clause.text }}", "{%p endfor %}",
                 "{%p for c in countries %}", "{{ c.name }}: {{ c.floor }} ({{ c.floor_source }})", "{%p endfor %}",
                 "{%p for r in remediations %}", "{{ r.action }} by {{ r.due_date }}", "{%p endfor %}"]:
        doc.add_paragraph(text)
    doc.save(str(template))
    monkeypatch.setenv("FAIRSOURCE_SOW_TEMPLATE", str(template))

    result = runner.invoke(app, ["intake", str(workbooks[0])])
    assert result.exit_code == 1
    assert "audit-rights" in result.stderr
    counts = Store(database_url).counts()
    assert {"vendor", "submission", "assessment", "sow_document", "audit_event", "remediation"} <= set(counts)
    assert set(counts.values()) == {0}, counts
    assert not list((home / ".fairsource" / "sows").glob("*.docx"))


def test_sow_command_with_an_organisation_template_and_pdf(home, workbooks):
    from sow_templates.pdf import libreoffice

    _intake(workbooks[:1])
    template = home / "ours.docx"
    doc = Document()
    for text in ["Northwind master services SOW {{ reference }} for {{ supplier.name }}",
                 "{%p for clause in clauses %}", "{{ clause.index }}. {{ clause.title }}", "{{ clause.text }}",
                 "{%p endfor %}", "{%p for c in countries %}", "{{ c.name }}: {{ c.floor }} ({{ c.floor_source }})",
                 "{%p endfor %}"]:
        doc.add_paragraph(text)
    doc.save(str(template))
    out = home / "lumen-own.docx"
    args = ["sow", "Lumen Data Services GmbH", "--out", str(out), "--template", str(template), "--pdf"]
    result = runner.invoke(app, args)
    if libreoffice() is None:
        assert result.exit_code == 1 and "LibreOffice is not installed" in result.output
    else:
        assert result.exit_code == 0, result.output
        assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    assert "Northwind master services SOW" in _docx_text(str(out))
