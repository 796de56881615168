"""The questionnaire is data: RDE-1 exactly as docs/contracts.md fixes it, and new versions need no code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from supplier_models import read_workbook
from supplier_models.questionnaire import QuestionnaireNotFound, load
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.form import fill_form, write_form

RDE1 = load("RDE-1")


def test_rde1_has_the_fifty_questions_of_design_in_order():
    ids = [q.id for q in RDE1.questions]
    assert len(ids) == 50
    assert ids[:4] == ["COMP-01", "COMP-02", "COMP-03", "COMP-04"]
    assert ids[-2:] == ["RESP-01", "RESP-02"]
    assert [q.id for q in RDE1.questions if q.section == "CONS"] == [f"CONS-0{i}" for i in range(1, 6)]


@pytest.mark.parametrize(
    ("qid", "qtype", "choices"),
    [
        ("COMP-03", "multi", ("Data annotation", "Data collection from contributors",
                              "Content moderation or human review", "Transcription or translation",
                              "Model evaluation or RLHF")),
        ("COMP-04", "multi", ("Employees", "Individual contractors", "Crowd platform workers",
                              "Subcontracted teams")),
        ("PAY-01", "choice", ("Hourly wage", "Salary", "Piece rate with hourly floor", "Piece rate only")),
        ("PAY-03", "choice", ("WageIndicator", "Global Living Wage Coalition (Anker)", "MIT Living Wage",
                              "National or own study", "None")),
        ("PAY-06", "choice", ("Weekly or more often", "Every two weeks", "Monthly", "Less often than monthly")),
        ("DEMO-01", "choice", ("Self-identified by contributors", "Assigned by collectors or annotators",
                               "Not collected")),
        ("DATA-01", "multi", ("ISO/IEC 27001", "SOC 2 Type II", "ISO/IEC 27701", "None")),
        ("WORK-04", "number", ()),
        ("DATA-02", "date", ()),
        ("COMP-01", "text", ()),
        ("PAY-05", "yes_no", ()),
    ],
)
def test_types_and_choice_texts_are_the_fixed_contract(qid, qtype, choices):
    question = RDE1.by_id[qid]
    assert question.type == qtype
    assert question.choices == choices


def test_knockouts_are_exactly_those_of_design():
    knockouts = {q.id: (q.knockout.answer, q.knockout.rule) for q in RDE1.questions if q.knockout}
    assert knockouts == {
        "PAY-05": ("Yes", "recruitment_fee"),
        "WORK-01": ("No", "underage_workers"),
        "CONS-01": ("No", "no_informed_consent"),
        "VULN-02": ("No", "no_ethics_review_vulnerable"),
    }
    collecting = {"COMP-03": ["Data collection from contributors"]}
    assert RDE1.by_id["CONS-01"].knockout.triggered("No", collecting)
    assert not RDE1.by_id["CONS-01"].knockout.triggered("No", {"COMP-03": ["Data annotation"]})
    assert RDE1.by_id["VULN-02"].knockout.triggered("No", {"VULN-01": "Yes"})
    assert not RDE1.by_id["VULN-02"].knockout.triggered("No", {"VULN-01": "No"})


def test_conditional_sections_follow_design():
    cons = RDE1.by_id["CONS-03"]
    assert cons.is_required({"COMP-03": ["Data collection from contributors"]})
    assert not cons.is_required({"COMP-03": ["Data annotation"]})
    assert not RDE1.by_id["DEMO-02"].is_required({"DEMO-01": "Not collected"})
    assert RDE1.by_id["DEMO-02"].is_required({"DEMO-01": "Self-identified by contributors"})
    assert not RDE1.by_id["VULN-03"].is_required({"VULN-01": "No"})
    assert not RDE1.by_id["SUPP-02"].is_required({"SUPP-01": "No"})
    assert not RDE1.by_id["DATA-02"].is_required({})
    # VULN-02 (ethics review) is asked only of vendors working with vulnerable groups (issue: it read
    # as required when VULN-01 is No); its knockout is unchanged: No when VULN-01 is Yes.
    assert RDE1.by_id["VULN-02"].is_required({"VULN-01": "Yes"})
    assert not RDE1.by_id["VULN-02"].is_required({"VULN-01": "No"})


def test_every_section_is_one_principle():
    principles = [s.principle for s in RDE1.sections]
    assert len(principles) == len(set(principles)) == 12
    assert RDE1.principle_of("PAY-03") == "fair_pay"


def test_unknown_version_is_refused():
    with pytest.raises(QuestionnaireNotFound, match="RDE-1 v9.9"):
        load("RDE-1", "9.9")


def test_a_new_questionnaire_needs_no_code_and_old_workbooks_keep_their_version(tmp_path, monkeypatch):
    """An organisation adds RDE-2 as a file; RDE-1 workbooks are still read by RDE-1."""
    old_workbook = write_example(EXAMPLES[0], tmp_path)
    definition = yaml.safe_load(
        (Path(__file__).parents[2] / "supplier_models" / "questionnaires" / "RDE-1.yaml").read_text()
    )
    definition["id"], definition["version"] = "RDE-2", "2.0.0"
    definition["questions"].append(
        {"id": "RESP-03", "text": "Workers are given written contracts in their language", "type": "yes_no"}
    )
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "RDE-2.yaml").write_text(yaml.safe_dump(definition, sort_keys=False))
    monkeypatch.setenv("FAIRSOURCE_QUESTIONNAIRES", str(folder))
    monkeypatch.setenv("FAIRSOURCE_QUESTIONNAIRE", "RDE-2")

    new = write_form(tmp_path / "new.xlsx", "Acme Annotation Ltd", issued_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    answers = {k: v for k, v in EXAMPLES[0].answers.items() if v is not None}
    fill_form(new, {**answers, "RESP-03": "Yes"}, EXAMPLES[0].countries)
    sub_new = read_workbook(new)
    assert (sub_new.questionnaire_id, sub_new.questionnaire_version) == ("RDE-2", "2.0.0")
    assert sub_new.answers["RESP-03"] == "Yes"

    sub_old = read_workbook(old_workbook)
    assert (sub_old.questionnaire_id, sub_old.questionnaire_version) == ("RDE-1", "1.0.0")
    assert "RESP-03" not in sub_old.answers


def test_a_number_question_with_one_bound_is_written_and_checked(tmp_path, monkeypatch):
    from supplier_models import WorkbookRejected

    definition = yaml.safe_load(
        (Path(__file__).parents[2] / "supplier_models" / "questionnaires" / "RDE-1.yaml").read_text()
    )
    definition["id"], definition["version"] = "ORG-7", "1.0.0"
    definition["questions"].append({"id": "RESP-03", "text": "Minimum notice of a contract change, in days",
                                    "type": "number", "min": 7})
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "ORG-7.yaml").write_text(yaml.safe_dump(definition, sort_keys=False))
    monkeypatch.setenv("FAIRSOURCE_QUESTIONNAIRES", str(folder))
    monkeypatch.setenv("FAIRSOURCE_QUESTIONNAIRE", "ORG-7")

    form = write_form(tmp_path / "org7.xlsx", "Acme")
    guidance = [c.value for c in load_workbook(form)["Questionnaire"]["D"]]
    assert "A number, at least 7." in guidance[-1]
    answers = {k: v for k, v in EXAMPLES[0].answers.items() if v is not None}
    fill_form(form, {**answers, "RESP-03": 3}, EXAMPLES[0].countries)
    with pytest.raises(WorkbookRejected) as rejected:
        read_workbook(form)
    [problem] = rejected.value.problems
    assert problem.question == "RESP-03"
    assert problem.message == '3 is out of range; "Minimum notice of a contract change, in days" must be at least 7.'
