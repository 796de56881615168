"""Evaluate a framework (scoring.framework_model) for one assessment: a pure function of its answers, the
questionnaire version they answer and the country facts the decision found.

Each item is `met` (every condition holds), `not_met` (a condition fails: the answers it rests on say so) or
`not_answerable` (no condition fails, but one needs a question the vendor's questionnaire version does not ask,
an optional answer left empty, or country data that cannot be verified). Points: an item met earns its points
when the item it `requires` is met too (Fairwork: a principle's second threshold counts only with the first).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from supplier_models.questionnaire import Questionnaire, available
from supplier_models.questionnaire import load as load_questionnaire

from .answer_text import answer_text
from .framework_model import Framework, Item, ItemCondition, shipped_frameworks
from .models import CountryRisk, Decision

ItemStatus = Literal["met", "not_met", "not_answerable"]


class Basis(BaseModel):
    """One fact an item rests on: a question's answer, or a country's pay against a floor."""

    model_config = ConfigDict(frozen=True)
    question: str | None = None
    country: str | None = Field(None, description="ISO alpha-2, for a country fact")
    answer: str | None = Field(None, description="the answer as text, or the country's lowest hourly pay")
    test: str = Field(description="what the condition asks, in words")
    holds: bool | None = Field(description="None: cannot tell (not asked, left empty, not verifiable)")


class ItemResult(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    group: str
    title: str
    status: ItemStatus
    points: int = Field(description="points earned: 0 unless met (and the item it requires is met)")
    max_points: int
    rests_on: list[Basis]
    needs: dict[str, str] = Field(default_factory=dict,
                                  description="question id -> what it asks: questions the version does not ask")
    reason: str


class FrameworkResult(BaseModel):
    """A framework evaluated for one assessment, with the versions it was evaluated with."""

    model_config = ConfigDict(frozen=True)
    framework: str
    version: str
    title: str
    source: str
    questionnaire: str = Field(description="the questionnaire id and version the answers are to")
    points: int
    max_points: int
    possible_points: int = Field(description="the points if every item not answerable were met")
    groups: dict[str, int] = Field(description="group id -> points earned")
    items: list[ItemResult]

    @property
    def key(self) -> str:
        return f"{self.framework} v{self.version}"


def _answer_basis(cond: ItemCondition, answers: dict[str, object], questionnaire: Questionnaire,
                  framework: Framework, needs: dict[str, str]) -> tuple[list[Basis], Basis | None]:
    """The facts one answer condition rests on (its `when` first), and the fact that decides it (None: the
    condition does not apply, its `when` failing)."""
    out: list[Basis] = []
    if cond.when is not None:
        when = _test_basis(cond.when.question, cond.when.holds, cond.when.describe(), answers, questionnaire,
                           framework, needs)
        out.append(when)
        if when.holds is False:
            return out, None
        if when.holds is None:
            unknown = Basis(question=cond.question, test=cond.describe_test(), holds=None)
            return [*out, unknown], unknown
    main = _test_basis(cond.question, cond.holds, cond.describe_test(), answers, questionnaire, framework, needs)
    return [*out, main], main


def _test_basis(question: str | None, holds, test: str, answers: dict[str, object], questionnaire: Questionnaire,
                framework: Framework, needs: dict[str, str]) -> Basis:
    assert question is not None
    if question not in questionnaire.by_id:
        needs[question] = framework.later_questions.get(question) or asked_later(question)
        return Basis(question=question, test=test, holds=None)
    value = answers.get(question)
    if value is None:
        return Basis(question=question, answer=None, test=test, holds=None)
    return Basis(question=question, answer=answer_text(value), test=test, holds=bool(holds(value)))


def _country_basis(cond: ItemCondition, countries: Sequence[CountryRisk]) -> list[Basis]:
    """Each country's lowest pay against the floor the condition names; one unknown fact without countries."""
    if not countries:
        return [Basis(test=cond.describe(), holds=None)]
    out = []
    for c in countries:
        pay = c.pay
        if pay is None:
            out.append(Basis(country=c.iso2, test=cond.describe(), holds=None))
            continue
        answer = f"{answer_text(pay.lowest_hourly_pay)} {pay.currency} an hour"
        if cond.countries == "not_below_minimum_wage":
            holds: bool | None = {"meets": True, "no_statutory_minimum": True, "below": False}.get(pay.statutory_check or "")
            if pay.status == "below_minimum_wage":
                holds = False
            floor = (f"statutory minimum {answer_text(pay.statutory_minimum_hourly)} {pay.currency} an hour"
                     if pay.statutory_minimum_hourly is not None else f"statutory minimum: {pay.statutory_check}")
        elif pay.status == "below_minimum_wage":
            holds = False
            floor = f"statutory minimum {answer_text(pay.statutory_minimum_hourly)} {pay.currency} an hour"
        else:
            holds = pay.status != "below_living_wage"
            floor = (f"living wage {answer_text(pay.living_wage_hourly)} {pay.living_wage_currency} an hour"
                     if pay.living_wage_hourly is not None else "no organisation living-wage figure")
        out.append(Basis(country=c.iso2, answer=answer, test=f"{c.name}: {floor}", holds=holds))
    return out


def _item(framework: Framework, item: Item, answers: dict[str, object], questionnaire: Questionnaire,
          countries: Sequence[CountryRisk]) -> tuple[ItemStatus, list[Basis], dict[str, str], str]:
    """An item's status, the facts it rests on, the questions it needs that the version does not ask, and why."""
    facts: list[Basis] = []
    needs: dict[str, str] = {}
    failing: list[str] = []
    for cond in item.conditions:
        if cond.countries is not None:
            found = _country_basis(cond, countries)
            deciding = found
        else:
            found, main = _answer_basis(cond, answers, questionnaire, framework, needs)
            deciding = [main] if main is not None else []
        facts.extend(found)
        if any(b.holds is False for b in deciding):
            failing.append(_failed(cond, deciding))
    if failing:
        return "not_met", facts, needs, "Not met: " + "; ".join(failing) + "."
    unknown = [b for b in facts if b.holds is None]
    if unknown:
        return "not_answerable", facts, needs, _unanswerable(unknown, needs, questionnaire)
    return "met", facts, needs, "Met: " + "; ".join(_held(cond, answers) for cond in item.conditions) + "."


def asked_later(question: str) -> str:
    """A question another questionnaire asks, in its words and where: "Workers choose ... (asked from RDE-2 on)"
    ("" when none does)."""
    asking = [q for q in available() if question in q.by_id]
    if not asking:
        return ""
    first = min(asking, key=lambda q: (q.id, q.version))
    return f"{first.by_id[question].text}, asked from {first.id} on"


def _unanswerable(unknown: list[Basis], needs: dict[str, str], questionnaire: Questionnaire) -> str:
    why = []
    if needs:
        why.append(f"not answerable from {questionnaire.id}: it needs "
                   + "; ".join(f"{q} ({about})" if about else q for q, about in needs.items())
                   + f", which {questionnaire.id} does not ask")
    why.extend(f"not answerable: {b.question} was left unanswered" for b in unknown
               if b.question and b.question not in needs)
    why.extend(f"not answerable: pay in {b.country or 'no country'} cannot be checked against its floor"
               for b in unknown if not b.question)
    text = "; ".join(why)
    return text[0].upper() + text[1:] + "."


def _held(cond: ItemCondition, answers: dict[str, object]) -> str:
    """A condition that held (or was passed over), in words, with the answer it rests on."""
    if cond.countries is not None:
        return cond.describe()
    if cond.when is not None and not cond.when.holds(answers.get(cond.when.question)):
        return f'{cond.question} does not apply ({cond.when.question} is "{answer_text(answers.get(cond.when.question))}")'
    return f'{cond.question} is "{answer_text(answers.get(cond.question))}"'


def _failed(cond: ItemCondition, found: list[Basis]) -> str:
    if cond.countries is not None:
        return "; ".join(f"{b.test}, lowest pay {b.answer}" for b in found if b.holds is False)
    fact = found[0]
    return f'{fact.question} is "{fact.answer}" (needs {fact.test})'


def evaluate(framework: Framework, answers: dict[str, object], questionnaire: Questionnaire,
             countries: Sequence[CountryRisk] = ()) -> FrameworkResult:
    """Each item of `framework` for these answers (to `questionnaire`) and country facts, with the points."""
    statuses: dict[str, ItemStatus] = {}
    results: list[ItemResult] = []
    for item in framework.items:
        status, facts, needs, reason = _item(framework, item, answers, questionnaire, countries)
        statuses[item.id] = status
        counts = item.requires is None or statuses[item.requires] == "met"
        if status == "met" and not counts:
            reason += f" Its point counts only when {item.requires} is met."
        results.append(ItemResult(id=item.id, group=item.group, title=item.title, status=status,
                                  points=item.points if status == "met" and counts else 0, max_points=item.points,
                                  rests_on=facts, needs=needs, reason=reason))
    possible = sum(item.points for item in framework.items
                   if statuses[item.id] != "not_met" and (item.requires is None
                                                         or statuses[item.requires] != "not_met"))
    groups = {g.id: sum(r.points for r in results if r.group == g.id) for g in framework.groups}
    return FrameworkResult(framework=framework.id, version=framework.version, title=framework.title,
                           source=framework.source.label, questionnaire=questionnaire.key,
                           points=sum(r.points for r in results), max_points=framework.max_points,
                           possible_points=possible, groups=groups, items=results)


def evaluate_assessment(answers: dict[str, object], questionnaire_id: str, questionnaire_version: str,
                        decision: Decision | None = None,
                        frameworks: Sequence[Framework] | None = None) -> list[FrameworkResult]:
    """Every shipped framework (or `frameworks`) for one stored assessment: its answers and the country facts
    of its decision."""
    questionnaire = load_questionnaire(questionnaire_id, questionnaire_version)
    countries = decision.geo.countries if decision is not None else ()
    return [evaluate(f, answers, questionnaire, countries) for f in (frameworks or shipped_frameworks())]
