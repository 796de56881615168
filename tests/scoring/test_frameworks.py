"""Frameworks as data (Fairwork's Cloudwork Principles, PAI's steps) evaluated for each example vendor, and a
framework item required by the organisation's policy as a decision option (docs/frameworks.md)."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from scoring import assess
from scoring.framework_model import SHIPPED, load_framework, shipped_frameworks
from scoring.frameworks import evaluate, evaluate_assessment
from supplier_models.errors import ConfigurationError, WorkbookRejected
from supplier_models.policy import FrameworkMinimum, OrgPolicy
from supplier_models.questionnaire import load as load_questionnaire
from supplier_models.workbooks.examples import EXAMPLES
from supplier_models.workbooks.policy_workbook import read_policy, write_blank_policy
from supplier_models.workbooks.reader import read_workbook

AS_OF = dt.date(2026, 11, 23)
FAIRWORK, PAI = "fairwork-cloudwork-2024", "pai-responsible-sourcing"
# What RDE-1 does not ask, item by item (the list; the ids are the ones a later questionnaire is to use).
NOT_IN_RDE1 = {"1.1": ["PAY-08"], "2.1": ["WORK-06"], "3.2": ["RESP-03"], "4.2": ["RESP-04"], "5.2": ["COMM-06"]}

# Fairwork points (0-10) and its items' statuses per example vendor, each with its reason. Under RDE-1 a vendor
# can hold 3.1, 4.1 and 5.1 (one point each); every principle's first threshold other than those needs a
# question RDE-1 does not ask, so the second threshold's point never counts there (1.2 and 2.2 met earn 0).
FAIRWORK_EXPECTED = {
    # Good answers everywhere: 3.1 (RESP-02), 4.1 (COMM-03, COMM-05), 5.1 (COMM-04) met; 1.2 met (no fee,
    # training paid, DE/PT/ZA above their minimum, hourly pay so no time estimate is needed) and 2.2 met
    # (40 hours) but their first thresholds 1.1 and 2.1 are not answerable from RDE-1, so they earn nothing.
    "Lumen Data Services GmbH": (3, {"1.1": "not_answerable", "1.2": "met", "2.1": "not_answerable",
                                     "2.2": "met", "3.1": "met", "3.2": "not_answerable", "4.1": "met",
                                     "4.2": "not_answerable", "5.1": "met", "5.2": "not_answerable"}),
    # Rejected work unpaid (PAY-07 No: 1.1 not met); piece rates, so 1.2 needs a time estimate RDE-1 does not
    # ask; no distressing-content support (WORK-03 No: 2.1 not met, so 2.2's 40 hours earn nothing); no
    # anonymous grievances (COMM-03 No: 4.1), no collective dealing (COMM-04 No: 5.1). Only 3.1 earns a point.
    "Brightlabel Solutions Inc.": (1, {"1.1": "not_met", "1.2": "not_answerable", "2.1": "not_met",
                                       "2.2": "met", "3.1": "met", "3.2": "not_answerable", "4.1": "not_met",
                                       "4.2": "not_answerable", "5.1": "not_met", "5.2": "not_answerable"}),
    # Charges workers a fee (PAY-05 Yes): 1.2 not met; otherwise the good answers: 3.1, 4.1, 5.1.
    "QuickTask Crowd Ltd": (3, {"1.1": "not_answerable", "1.2": "not_met", "2.1": "not_answerable",
                                "2.2": "met", "3.1": "met", "3.2": "not_answerable", "4.1": "met",
                                "4.2": "not_answerable", "5.1": "met", "5.2": "not_answerable"}),
    # Good answers; Ukraine's war changes the decision, not what the answers show: as Lumen.
    "Frontier Language Services LLC": (3, {"1.1": "not_answerable", "1.2": "met", "2.1": "not_answerable",
                                           "2.2": "met", "3.1": "met", "3.2": "not_answerable", "4.1": "met",
                                           "4.2": "not_answerable", "5.1": "met", "5.2": "not_answerable"}),
    # Good worker answers (the consent and demographic answers are not Fairwork's matter): as Lumen; Kenya's and
    # Ghana's pay are above their statutory minimum.
    "Savanna Voices Collection Ltd": (3, {"1.1": "not_answerable", "1.2": "met", "2.1": "not_answerable",
                                          "2.2": "met", "3.1": "met", "3.2": "not_answerable", "4.1": "met",
                                          "4.2": "not_answerable", "5.1": "met", "5.2": "not_answerable"}),
    # India: 20 INR an hour, below the statutory minimum (26.70): 1.2 not met on country data; else as Lumen.
    "Cheapmark Data Pvt Ltd": (3, {"1.1": "not_answerable", "1.2": "not_met", "2.1": "not_answerable",
                                   "2.2": "met", "3.1": "met", "3.2": "not_answerable", "4.1": "met",
                                   "4.2": "not_answerable", "5.1": "met", "5.2": "not_answerable"}),
}

# PAI steps met (of 5), each with its reason; RDE-1 asks everything the five steps need.
PAI_EXPECTED = {
    "Lumen Data Services GmbH": (5, set()),  # every step's answers are Yes, COMM-02 4 hours
    # piece rate with a floor, living wage declared and no country below a known floor: step 1 met; no pilot
    # (2), WORK-03 No (3), answers to workers in 72 hours (5)
    "Brightlabel Solutions Inc.": (2, {"2", "3", "5"}),
    "QuickTask Crowd Ltd": (4, {"1"}),  # charges workers a fee (PAY-05 Yes)
    "Frontier Language Services LLC": (5, set()),  # good answers; the war is geography, not a sourcing step
    "Savanna Voices Collection Ltd": (5, set()),  # good answers
    # piece rate only, no living-wage benchmark, and India's pay below the statutory minimum
    "Cheapmark Data Pvt Ltd": (4, {"1"}),
}


# The same vendors answering RDE-2 (their RDE-1 answers and their `rde2` answers to the six new questions): every
# item is met or not met, none is left unanswerable, and the points are the whole of what the answers show.
FAIRWORK_RDE2 = {
    # Everything: paid in euros/rand when they choose (PAY-08), hourly pay (no time estimate needed: PAY-09 not
    # asked), health and safety assessed (WORK-06), a works council (COMM-06), contracts match the terms (RESP-03),
    # equity reviewed (RESP-04): all ten.
    "Lumen Data Services GmbH": (10, {i: "met" for i in ("1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2",
                                                         "5.1", "5.2")}),
    # PAY-07 No (1.1), no time estimate for piece work (PAY-09 No: 1.2), no distressing-content support and no
    # health and safety assessment (WORK-03, WORK-06 No: 2.1), COMM-03 No (4.1, so 4.2's RESP-04 Yes earns
    # nothing), COMM-04 and COMM-06 No (5.1, 5.2). Clear terms (RESP-02) and contracts consistent with them
    # (RESP-03): 3.1 and 3.2, two points.
    "Brightlabel Solutions Inc.": (2, {"1.1": "not_met", "1.2": "not_met", "2.1": "not_met", "2.2": "met",
                                       "3.1": "met", "3.2": "met", "4.1": "not_met",
                                       "4.2": "met", "5.1": "not_met", "5.2": "not_met"}),
    # A withdrawal threshold that keeps earnings (PAY-08 No: 1.1), the fee (PAY-05 Yes: 1.2), no health and safety
    # assessment (2.1, so 2.2 earns nothing), contracts not matching the terms (RESP-03 No: 3.2), no collective
    # bargaining (COMM-06 No: 5.2); 3.1, 4.1, 4.2, 5.1 met: four points.
    "QuickTask Crowd Ltd": (4, {"1.1": "not_met", "1.2": "not_met", "2.1": "not_met", "2.2": "met", "3.1": "met",
                                "3.2": "not_met", "4.1": "met", "4.2": "met", "5.1": "met", "5.2": "not_met"}),
    # Everything but collective bargaining (COMM-06 No): nine.
    "Frontier Language Services LLC": (9, {**{i: "met" for i in ("1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1",
                                                                 "4.2", "5.1")}, "5.2": "not_met"}),
    "Savanna Voices Collection Ltd": (9, {**{i: "met" for i in ("1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1",
                                                                "4.2", "5.1")}, "5.2": "not_met"}),
    # Paid on time in rupees (1.1 met) but below India's minimum wage, and no time estimate for piece work (1.2);
    # no health and safety assessment (2.1, so 2.2 earns nothing), no equity process (RESP-04 No: 4.2), no
    # collective bargaining (5.2). 1.1, 3.1, 3.2, 4.1, 5.1: five points.
    "Cheapmark Data Pvt Ltd": (5, {"1.1": "met", "1.2": "not_met", "2.1": "not_met", "2.2": "met", "3.1": "met",
                                   "3.2": "met", "4.1": "met", "4.2": "not_met", "5.1": "met", "5.2": "not_met"}),
}


@pytest.fixture(scope="module")
def assessed_rde2(tmp_path_factory):
    """Each example's RDE-2 workbook read, and assessed (by the RDE-2 rubric), by vendor name."""
    from supplier_models.workbooks.examples import write_example

    folder = tmp_path_factory.mktemp("rde2")
    out = {}
    for vendor in EXAMPLES:
        submission = read_workbook(write_example(vendor, folder, "RDE-2"))
        out[vendor.name] = (submission, assess(submission, as_of=AS_OF))
    return out


@pytest.fixture(scope="module")
def assessed(example_workbooks):
    """Each example's submission and decision, by vendor name."""
    out = {}
    for name, path in example_workbooks.items():
        submission = read_workbook(path)
        out[name] = (submission, assess(submission, as_of=AS_OF))
    return out


def _results(submission, decision):
    return {r.framework: r for r in evaluate_assessment(submission.answers, submission.questionnaire_id,
                                                        submission.questionnaire_version, decision)}


def test_every_example_vendor_has_an_expected_row():
    assert set(FAIRWORK_EXPECTED) == set(PAI_EXPECTED) == {v.name for v in EXAMPLES}


@pytest.mark.parametrize("vendor", [v.name for v in EXAMPLES])
def test_fairwork_points_and_items_per_example(vendor, assessed):
    result = _results(*assessed[vendor])[FAIRWORK]
    points, statuses = FAIRWORK_EXPECTED[vendor]
    assert {i.id: i.status for i in result.items} == statuses
    assert result.points == points and result.max_points == 10
    assert (result.framework, result.version, result.questionnaire) == (FAIRWORK, "1.0.0", "RDE-1 v1.0.0")


@pytest.mark.parametrize("vendor", [v.name for v in EXAMPLES])
def test_pai_steps_per_example(vendor, assessed):
    result = _results(*assessed[vendor])[PAI]
    met, not_met = PAI_EXPECTED[vendor]
    assert result.points == met and result.max_points == 5
    assert {i.id for i in result.items if i.status == "not_met"} == not_met
    assert all(i.status != "not_answerable" for i in result.items)  # RDE-1 was written from PAI's steps


def test_rde1_cannot_answer_what_it_does_not_ask(assessed):
    result = _results(*assessed["Lumen Data Services GmbH"])[FAIRWORK]
    for item in result.items:
        if item.id in NOT_IN_RDE1:
            assert item.status == "not_answerable" and list(item.needs) == NOT_IN_RDE1[item.id]
            assert item.reason.startswith("Not answerable from RDE-1: it needs ")
            assert all(item.needs.values())  # what the missing question asks, in words
        else:
            assert not item.needs
    # a time estimate before a piece-rate task: needed only when the vendor pays piece rates
    bright = _results(*assessed["Brightlabel Solutions Inc."])[FAIRWORK]
    assert next(i for i in bright.items if i.id == "1.2").needs == {
        "PAY-09": "Piece-rate workers see a time estimate for a task before they accept it, asked from RDE-2 on"}
    assert result.possible_points == 10  # every item not met is answerable: the others could still be met


@pytest.mark.parametrize("vendor", [v.name for v in EXAMPLES])
def test_fairwork_points_and_items_per_example_under_rde2(vendor, assessed_rde2):
    submission, decision = assessed_rde2[vendor]
    result = _results(submission, decision)[FAIRWORK]
    points, statuses = FAIRWORK_RDE2[vendor]
    assert {i.id: i.status for i in result.items} == statuses
    assert result.points == points and result.possible_points == points  # nothing left unknown
    assert result.questionnaire == "RDE-2 v1.0.0" and decision.rubric_version == "RDE-2-rubric v1.0.0"
    assert all(not i.needs for i in result.items)


@pytest.mark.parametrize("vendor", [v.name for v in EXAMPLES])
def test_pai_steps_per_example_under_rde2(vendor, assessed_rde2):
    """RDE-2 asks all RDE-1 does: PAI's steps come out as under RDE-1."""
    result = _results(*assessed_rde2[vendor])[PAI]
    met, not_met = PAI_EXPECTED[vendor]
    assert result.points == met and {i.id for i in result.items if i.status == "not_met"} == not_met


def test_every_threshold_and_step_is_answerable_under_rde2():
    """Every condition of every shipped framework names a question RDE-2 asks (or country data): an item can be
    not answerable under RDE-2 only when a vendor leaves an optional answer empty, never for want of a question."""
    rde2 = load_questionnaire("RDE-2")
    for framework in shipped_frameworks():
        assert framework.later_questions == {}
        for item in framework.items:
            for cond in item.conditions:
                for test in (cond, cond.when):
                    if test is not None and test.question is not None:
                        assert test.question in rde2.by_id, (framework.id, item.id, test.question)
    # and the questions RDE-1 lacks are exactly the ones RDE-2 adds
    rde1 = load_questionnaire("RDE-1")
    added = set(rde2.by_id) - set(rde1.by_id)
    assert added == {q for needs in NOT_IN_RDE1.values() for q in needs} | {"PAY-09"}


def test_rde2_pay09_is_asked_only_of_piece_rates(assessed_rde2):
    """A time estimate is a piece-rate matter: Lumen (hourly) is not asked, Brightlabel (piece rate) is."""
    lumen, _ = assessed_rde2["Lumen Data Services GmbH"]
    bright, _ = assessed_rde2["Brightlabel Solutions Inc."]
    assert "PAY-09" not in {k for k, v in lumen.answers.items() if v is not None}
    assert bright.answers["PAY-09"] == "No"
    item = next(i for i in _results(*assessed_rde2["Lumen Data Services GmbH"])[FAIRWORK].items if i.id == "1.2")
    assert item.status == "met" and "PAY-09" not in {b.question for b in item.rests_on if b.holds is not None}


def test_an_item_rests_on_the_answers_and_country_facts_it_names(assessed):
    result = _results(*assessed["Cheapmark Data Pvt Ltd"])[FAIRWORK]
    pay = next(i for i in result.items if i.id == "1.2")
    india = next(b for b in pay.rests_on if b.country == "IN")
    assert (india.answer, india.holds) == ("20 INR an hour", False)
    assert "26.70" in pay.reason
    lumen = _results(*assessed["Lumen Data Services GmbH"])[FAIRWORK]
    terms = next(i for i in lumen.items if i.id == "3.1")
    assert [(b.question, b.answer, b.holds) for b in terms.rests_on] == [("RESP-02", "Yes", True)]


def test_second_point_counts_only_with_the_first(tmp_path):
    """A framework of RDE-1 questions only: 1.2 met earns its point with 1.1 met, and none without."""
    path = tmp_path / "two.yaml"
    path.write_text(
        'id: two\nversion: "0.1"\ntitle: Two\nreviewer: test\npoints_rule: second with first\n'
        "source: {title: T, edition: '1', publisher: P, published: here}\n"
        "groups: [{id: pay, title: Pay}]\n"
        "items:\n"
        '  - {id: "1.1", group: pay, title: first, reading: r, conditions: [{question: PAY-07, equals: "Yes"}]}\n'
        '  - {id: "1.2", group: pay, title: second, reading: r, requires: "1.1",\n'
        '     conditions: [{question: PAY-04, equals: "Yes"}]}\n')
    framework = load_framework("two", path)
    rde1 = load_questionnaire("RDE-1")
    both = evaluate(framework, {"PAY-07": "Yes", "PAY-04": "Yes"}, rde1)
    assert (both.points, both.groups) == (2, {"pay": 2})
    second_only = evaluate(framework, {"PAY-07": "No", "PAY-04": "Yes"}, rde1)
    assert [i.status for i in second_only.items] == ["not_met", "met"]
    assert second_only.points == 0 and second_only.possible_points == 0
    assert "counts only when 1.1 is met" in second_only.items[1].reason


def test_framework_files_are_validated_against_the_questionnaires(tmp_path):
    assert [f.id for f in shipped_frameworks()] == list(SHIPPED)
    assert all(f.reviewer and f.source.publisher for f in shipped_frameworks())
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        'id: bad\nversion: "0.1"\ntitle: Bad\nreviewer: test\npoints_rule: p\n'
        "source: {title: T, edition: '1', publisher: P, published: here}\n"
        "groups: [{id: g, title: G}]\n"
        "items:\n"
        '  - {id: "1", group: g, title: t, reading: r, conditions: [{question: PAY-06, equals: "Daily"},\n'
        '     {question: XYZ-01, equals: "Yes"}, {question: WORK-04, equals: "40"}]}\n')
    with pytest.raises(ConfigurationError) as info:
        load_framework("bad", bad)
    message = str(info.value)
    assert '"Daily" is not an answer to PAY-06' in message
    assert "XYZ-01 is neither a question of RDE-1 v1.0.0, RDE-2 v1.0.0 nor listed under later_questions" in message
    assert "WORK-04 is a number question" in message


# -- a decision option, not a change -------------------------------------------------------------------------
def test_by_default_frameworks_change_no_decision(assessed):
    for name, (_submission, decision) in assessed.items():
        assert decision.decision == next(v.expected_decision for v in EXAMPLES if v.name == name)
        assert not any(c.rule.startswith("framework_minimum") for c in decision.explanation)


def test_a_policy_minimum_turns_a_qualified_vendor_conditional_naming_the_item(assessed):
    submission, before = assessed["Lumen Data Services GmbH"]
    assert before.decision == "qualified"
    policy = OrgPolicy(version="fw1", framework_minimums=(FrameworkMinimum(framework=FAIRWORK, item="1.1"),
                                                          FrameworkMinimum(framework=FAIRWORK, item="1.2")))
    d = assess(submission, policy=policy, as_of=AS_OF)
    assert d.decision == "conditional" and not d.knockouts  # never worse than conditional by default
    assert "the organisation's policy requires Fairwork Cloudwork Principles 1.1 (Paid on time and for all " \
           "completed work), not answerable" in d.reasons[0]
    fix = next(r for r in d.remediations if r.rule == f"framework_minimum.{FAIRWORK}.1.1")
    assert fix.priority == "high" and "Fairwork Cloudwork Principles 1.1" in fix.action
    assert "RDE-1 questionnaire cannot show it" in fix.action and fix.question is None
    # 1.2 is met by the answers: no remediation for it, and an explanation line for each required item
    assert not any(r.rule == f"framework_minimum.{FAIRWORK}.1.2" for r in d.remediations)
    lines = {c.rule: c for c in d.explanation if c.rule.startswith("framework_minimum")}
    assert set(lines) == {f"framework_minimum.{FAIRWORK}.1.1", f"framework_minimum.{FAIRWORK}.1.2"}
    assert lines[f"framework_minimum.{FAIRWORK}.1.2"].source == f"{FAIRWORK} v1.0.0; organisation policy " \
                                                                "workbook (fw1)"


def test_a_met_minimum_keeps_the_decision_and_a_not_met_one_names_the_answer(assessed):
    submission, _ = assessed["Lumen Data Services GmbH"]
    pai = OrgPolicy(version="p", framework_minimums=(FrameworkMinimum(framework=PAI, item="2"),))
    assert assess(submission, policy=pai, as_of=AS_OF).decision == "qualified"
    bright, _ = assessed["Brightlabel Solutions Inc."]
    d = assess(bright, policy=pai, as_of=AS_OF)
    fix = next(r for r in d.remediations if r.rule == f"framework_minimum.{PAI}.2")
    assert (fix.question, fix.answer) == ("PILOT-01", "No") and "Run a paid pilot" in fix.action


def test_the_policy_may_refuse_a_vendor_missing_an_item(assessed):
    submission, _ = assessed["Brightlabel Solutions Inc."]
    policy = OrgPolicy(version="x", framework_minimums=(
        FrameworkMinimum(framework=PAI, item="2", if_missing="not_qualified", reason="board decision 2026-04"),))
    d = assess(submission, policy=policy, as_of=AS_OF)
    assert d.decision == "not_qualified"
    assert [(k.rule, k.question) for k in d.knockouts] == [("framework_minimum", "PILOT-01")]
    assert "board decision 2026-04" in d.knockouts[0].reason and d.knockouts[0].source.startswith(PAI)


def test_an_unknown_item_in_the_policy_is_a_configuration_error(assessed):
    submission, _ = assessed["Lumen Data Services GmbH"]
    policy = OrgPolicy(version="x", framework_minimums=(FrameworkMinimum(framework=FAIRWORK, item="9.9"),))
    with pytest.raises(ConfigurationError, match="9.9"):
        assess(submission, policy=policy, as_of=AS_OF)


def test_the_policy_workbook_names_the_required_items(tmp_path):
    known = {f.id: [i.id for i in f.items] for f in shipped_frameworks()}
    path = write_blank_policy(tmp_path / "policy.xlsx")
    wb = load_workbook(path)
    ws = wb["Framework minimums"]
    ws.append([FAIRWORK, 1.1, None, "fair pay first"])
    ws.append([PAI, 2, "not qualified", None])
    wb.save(path)
    policy = read_policy(path, frameworks=known)
    assert policy.framework_minimums == (
        FrameworkMinimum(framework=FAIRWORK, item="1.1", if_missing="conditional", reason="fair pay first"),
        FrameworkMinimum(framework=PAI, item="2", if_missing="not_qualified"))
    ws.append(["fairwork", "1.1", "maybe", None])
    ws.append([FAIRWORK, "7.1", None, None])
    wb.save(path)
    with pytest.raises(WorkbookRejected) as info:
        read_policy(path, frameworks=known)
    cells = {p.cell: p.message for p in info.value.problems}
    assert "neither conditional nor not qualified" in cells["Framework minimums!C4"]
    assert "not a framework fairsource knows" in cells["Framework minimums!A4"]
    assert 'has no item "7.1"' in cells["Framework minimums!B5"]


def test_a_policy_workbook_without_the_sheet_still_reads(tmp_path):
    path = write_blank_policy(tmp_path / "old.xlsx")
    wb = load_workbook(path)
    del wb["Framework minimums"]
    wb.save(path)
    assert read_policy(path).framework_minimums == ()


def test_docs_show_the_mapping_as_the_files_hold_it():
    """docs/frameworks.md, "The mapping, item by item": every item's reading and conditions, and each file's
    reviewer note, as the shipped files say them."""
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "frameworks.md").read_text("utf-8")
    for framework in shipped_frameworks():
        assert f"`{framework.id}` v{framework.version}" in page and framework.reviewer in page
        for item in framework.items:
            assert f"| {item.id} | {item.title}" in page and item.reading in page, item.id
            for cond in item.conditions:
                assert cond.describe() in page, (item.id, cond.describe())
