"""The clause library and the survey are data legal can edit; broken edits are refused with a clear message."""

from __future__ import annotations

import pytest
import yaml

from sow_templates import ClauseLibraryError, load_clause_library, load_survey
from sow_templates.clauses import DEFAULT_LIBRARY

REQUIRED = {"informed-consent", "living-wage", "payment-terms", "paid-pilot", "worker-selection-age",
            "instructions-training", "communication-grievance", "self-identified-demographics",
            "vulnerable-groups", "respect-conduct", "data-stewardship", "subcontractors", "geography",
            "audit-rights", "remediation-schedule", "termination-for-breach"}


def test_the_bundled_library_has_every_mandatory_clause_of_the_design():
    library = load_clause_library()
    mandatory = {c.id for c in library.clauses if c.mandatory}
    assert mandatory >= REQUIRED
    by_id = {c.id: c for c in library.clauses}
    assert by_id["informed-consent"].applies_when.includes == "Data collection from contributors"
    assert by_id["vulnerable-groups"].applies_when.equals == "Yes"
    # whenever Schedule 1 has items, qualified or conditional, the clause that refers to it is there
    assert by_id["remediation-schedule"].applies_when.remediations is True
    assert "to be reviewed by legal" in DEFAULT_LIBRARY.read_text().lower()


def _write(tmp_path, mutate):
    data = yaml.safe_load(DEFAULT_LIBRARY.read_text())
    mutate(data)
    path = tmp_path / "lib.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["clauses"][0].update(text="Pay {unknown_thing} now."), "unknown placeholder"),
    (lambda d: d["clauses"][0].update(text="Pay {{ 7*7 }} now."), "plain prose"),
    (lambda d: d["clauses"][0].update(applies_when={"question": "NOPE-01", "equals": "Yes"}), "unknown question"),
    (lambda d: d["clauses"][0].update(applies_when="sometimes"), "always"),
    (lambda d: d["clauses"][0].update(applies_when={"question": "VULN-01"}), "exactly one"),
    (lambda d: d["clauses"].append(dict(d["clauses"][0])), "duplicate clause ids"),
    (lambda d: d["clauses"][0].pop("mandatory"), "mandatory"),
])
def test_a_broken_library_is_refused(tmp_path, mutate, message):
    with pytest.raises(ClauseLibraryError, match=message):
        load_clause_library(_write(tmp_path, mutate))


def test_legal_can_reword_a_clause_without_python(tmp_path):
    path = _write(tmp_path, lambda d: d["clauses"][0].update(text="Pay {pay_floors}\n\nSecond paragraph.",
                                                             version="1.1.0"))
    clause = load_clause_library(path).clauses[0]
    assert clause.version == "1.1.0"
    assert clause.paragraphs({"pay_floors": "X {supplier} Y."}) == ["Pay X {supplier} Y.", "Second paragraph."]


def test_the_survey_offers_prefer_not_to_answer_and_self_description():
    survey = load_survey()
    by_id = {q.id: q for q in survey.questions}
    assert set(by_id) == {"age", "ancestry", "gender_identity"}
    assert survey.prefer_not_to_answer == "Prefer not to answer"
    assert by_id["ancestry"].multiple and by_id["ancestry"].self_describe
    assert by_id["gender_identity"].multiple and by_id["gender_identity"].self_describe
    assert "gender_question_unsafe" in by_id["gender_identity"].omit_for_flags
    assert not by_id["age"].omit_for_flags
