"""A SOW says what a code means: no flag, pay check or rule code of the assessment reaches its text ("risk high:
active_war" became "a high geographic risk (active armed conflict)"), and every code scoring can produce has
its words in scoring/plain_words.py."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

import scoring
from scoring.models import PayFloor, Remediation
from scoring.plain_words import BAND_WORDS, CODES, FLAG_WORDS, flag_words, plain_text, risk_words
from scoring.terms import BANDS
from sow_templates import build_context, read_docx_text, render_sow
from sow_templates.verify import normalise
from supplier_models.policy import OrgPolicy, ScoreOverride
from supplier_models.workbooks.examples import EXAMPLES
from tests.helpers.sow_stories import AS_OF, example_submission, make_decision

SCORING = Path(scoring.__file__).resolve().parent
# The rubric's remediations raised by a country rule (scoring/rubrics/RDE-1.yaml, country_remediations).
RULES = ("below_living_wage", "below_minimum_wage", "pay_declaration_mismatch", "high_geo_risk",
         "certification_expired")
# What a code looks like in text, in the forms scoring writes it: a code word, the rubric's geographic-risk aside
# ("geographic risk high: active_war"), a score in its words ("(score 39)", not "(score 39 of 100)").
LEAKS = (re.compile(r"\b(" + "|".join(sorted({*CODES, *RULES}, key=len, reverse=True)) + r")\b"),
         re.compile(r"geographic risk (" + "|".join(BANDS) + r"):"),
         re.compile(r"\bscore \d+(\.\d+)?\)"))


def _codes_scoring_sets() -> set[str]:
    """Every flag scoring's code can put on a country or a vendor, read from its source: `flags.append("x")`,
    `flags.add("x")`, `flags.extend(["x", "y"])`, `{*c.flags, "x"}`, and the flag lists of the pay checks
    (`_Statutory(..., ["x"], ...)`, `_Living(None, None, ["x"], ...)`); `flags.append(status)` adds a pay
    status, checked below."""
    found: set[str] = set()
    for name in ("geo.py", "pay.py", "decision.py"):
        source = (SCORING / name).read_text("utf-8")
        found |= set(re.findall(r"flags\.(?:append|add)\(\"(\w+)\"\)", source))
        found |= set(re.findall(r"\{\*c\.flags, \"(\w+)\"\}", source))
        for group in re.findall(r"(?:flags\.extend\(|_Statutory\(|_Living\()[^\[]*?\[([^\]]*)\]", source):
            found |= set(re.findall(r"\"(\w+)\"", group))
    return found


def test_every_flag_scoring_can_set_has_its_words():
    found = _codes_scoring_sets()
    # The scan reads what it should: the flags the brief and the docs name are among those found.
    assert {"active_war", "recent_war", "no_reference_data", "gender_question_unsafe", "living_wage_unverified",
            "minimum_wage_currency_mismatch", "pay_declaration_mismatch", "certification_expired"} <= found
    assert found <= set(FLAG_WORDS), sorted(found - set(FLAG_WORDS))
    # and every outcome of the pay checks (PayFloor.status, statutory_check) that is a code, every band
    checks = {*typing.get_args(PayFloor.model_fields["status"].annotation),
              *typing.get_args(typing.get_args(PayFloor.model_fields["statutory_check"].annotation)[0])}
    assert {c for c in checks if "_" in c} <= set(CODES)
    assert set(BANDS) == set(BAND_WORDS)
    for code, words in CODES.items():
        assert "_" not in words and words.strip() == words and words[0].islower(), code


@pytest.mark.parametrize("flag", sorted(FLAG_WORDS))
def test_the_geographic_risk_aside_reads_as_a_clause_for_every_flag(flag):
    action = f"Agree a worker safety and business-continuity plan for Ukraine (geographic risk high: {flag})."
    assert plain_text(action) == ("Agree a worker safety and business-continuity plan for Ukraine, which the "
                                  f"Client's assessment rates as a high geographic risk ({FLAG_WORDS[flag]}).")


def test_the_words_the_issue_asks_for():
    assert plain_text("Agree a plan for Ukraine (geographic risk high: active_war).") == (
        "Agree a plan for Ukraine, which the Client's assessment rates as a high geographic risk "
        "(active armed conflict).")
    assert risk_words("high", ["score 39"]) == "a high geographic risk (score 39 of 100)"
    assert risk_words("high", ["active_war", "no_reference_data"]) == (
        "a high geographic risk (active armed conflict; no governance data on record for the country)")
    assert risk_words("medium", []) == "a medium geographic risk"
    assert flag_words("a_flag_of_tomorrow") == "a flag of tomorrow"  # never an underscore, even unknown
    assert plain_text("Pay is fine in Kenya.") == "Pay is fine in Kenya."  # text with no code is left as it is


def _sow_text(tmp_path: Path, sub, decision) -> str:
    out = tmp_path / f"{decision.vendor[:12]}.docx"
    render_sow(build_context(sub, decision, organisation="Northwind AI Ltd"), out=out)
    return normalise(" ".join(read_docx_text(out)))


def _leaks(text: str) -> list[str]:
    return [m[0] for pattern in LEAKS for m in pattern.finditer(text)]


@pytest.mark.parametrize("vendor", EXAMPLES, ids=lambda v: v.slug)
def test_no_code_reaches_the_sow_of_an_example_vendor(tmp_path, vendor):
    """The real decision of each example vendor; a refused one as a reviewer's override would issue it."""
    sub = example_submission(vendor.name)
    decision = scoring.assess(sub, as_of=AS_OF)
    assert decision.flags or decision.remediations, "each example carries a code somewhere"
    if decision.decision == "not_qualified":
        decision = decision.model_copy(update={"decision": "conditional"})
    text = _sow_text(tmp_path, sub, decision)
    assert _leaks(text) == []
    for r in decision.remediations:
        assert normalise(plain_text(r.action)) in text
    if any(r.rule == "high_geo_risk" for r in decision.remediations):  # Frontier: Ukraine, at war
        assert "which the Client's assessment rates as a high geographic risk (active armed conflict)" in text


def test_an_overridden_band_reads_with_its_score(tmp_path):
    """The organisation rates Kenya high whatever its score: "high: score 39" in the rubric's words."""
    sub = example_submission("Savanna Voices Collection Ltd")
    policy = OrgPolicy(overrides={"KE": ScoreOverride(iso2="KE", band="high", reason="security advice")})
    decision = scoring.assess(sub, policy=policy, as_of=AS_OF)
    kenya = next(c for c in decision.geo.countries if c.iso2 == "KE")
    assert kenya.band == "high" and "score_overridden" in kenya.flags
    text = _sow_text(tmp_path, sub, decision)
    assert _leaks(text) == []
    assert f"Kenya, which the Client's assessment rates as a high geographic risk (score {kenya.score:g} of 100)" in text


def test_no_code_reaches_the_sow_when_every_country_carries_every_flag(tmp_path):
    """A decision made by hand: every flag on every country, and a remediation naming each code as the rubric's
    geographic aside and bare."""
    sub = example_submission("Frontier Language Services LLC")
    flags = {row.iso2: sorted(FLAG_WORDS) for row in sub.countries}
    remediations = [Remediation(action=f"Agree a plan for Ukraine (geographic risk high: {code}).", due_in_days=30,
                                country="UA", rule="high_geo_risk") for code in sorted(CODES)]
    remediations.append(Remediation(action="Resolve " + ", ".join(sorted(CODES)) + ".", due_in_days=30))
    decision = make_decision(sub, "conditional", flags=flags, remediations=remediations)
    text = _sow_text(tmp_path, sub, decision)
    assert _leaks(text) == []
    for words in CODES.values():
        assert normalise(words) in text
