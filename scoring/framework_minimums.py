"""The framework items an organisation's policy requires (`OrgPolicy.framework_minimums`), as a decision option.

Without any, frameworks inform and change no decision. With one, a vendor whose answers do not show the item met
(not met, or not answerable from its questionnaire version) is at best `conditional`: a blocker naming the item
and a high-priority remediation to meet it; `not_qualified` (a knockout) only when the policy says `if_missing:
not_qualified`. Each required item leaves an explanation line (rule, source) whether met or not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from supplier_models.errors import ConfigurationError
from supplier_models.policy import FrameworkMinimum, OrgPolicy
from supplier_models.questionnaire import Questionnaire

from .framework_model import Framework, load_framework
from .frameworks import FrameworkResult, ItemResult, evaluate
from .models import Contribution, CountryRisk, KnockoutHit, Remediation

DUE_IN_DAYS = 90
EVIDENCE = ("Documents showing the practice the framework item asks for (policy, contract terms or records), "
            "or the answers of a questionnaire version that asks it.")
STATUS_WORDS = {"met": "met", "not_met": "not met", "not_answerable": "not answerable"}


class MinimumFindings:
    """What the policy's framework minimums add to a decision."""

    def __init__(self) -> None:
        self.blockers: list[str] = []
        self.knockouts: list[KnockoutHit] = []
        self.remediations: list[Remediation] = []
        self.lines: list[Contribution] = []


def rule_of(minimum: FrameworkMinimum) -> str:
    """The stable rule id of a required item (no colon: a remediation's matter is its rule up to a colon)."""
    return f"framework_minimum.{minimum.framework}.{minimum.item}"


def check_minimums(policy: OrgPolicy) -> list[Framework]:
    """The frameworks the policy's minimums name; ConfigurationError for an unknown framework or item."""
    frameworks: dict[str, Framework] = {}
    for minimum in policy.framework_minimums:
        framework = frameworks.get(minimum.framework) or load_framework(minimum.framework)
        if framework.item(minimum.item) is None:
            raise ConfigurationError(f"{policy.label} requires {minimum.framework} item {minimum.item}, which "
                                     f"{framework.key} does not have")
        frameworks[framework.id] = framework
    return list(frameworks.values())


def framework_minimums(answers: dict[str, object], questionnaire: Questionnaire, countries: Sequence[CountryRisk],
                       policy: OrgPolicy, as_of: dt.date) -> MinimumFindings:
    """The blockers, knockouts, remediations and explanation lines of the items the policy requires."""
    found = MinimumFindings()
    if not policy.framework_minimums:
        return found
    results = {f.id: evaluate(f, answers, questionnaire, countries) for f in check_minimums(policy)}
    for minimum in policy.framework_minimums:
        result = results[minimum.framework]
        item = next(i for i in result.items if i.id == minimum.item)
        name = f"{result.title} {item.id} ({item.title})"
        found.lines.append(Contribution(rule=rule_of(minimum), question=_question(item, questionnaire),
                                        points=0, max_points=0, source=f"{result.key}; {policy.label}",
                                        as_of=as_of.isoformat(),
                                        note=f"Required by the organisation's policy: {name}. {item.reason}"))
        if item.status == "met":
            continue
        why = f"the organisation's policy requires {name}, {STATUS_WORDS[item.status]}"
        if minimum.reason:
            why += f" ({minimum.reason})"
        found.remediations.append(_remediation(minimum, result, item, questionnaire, as_of))
        if minimum.if_missing == "not_qualified":
            found.knockouts.append(KnockoutHit(rule="framework_minimum", question=_question(item, questionnaire),
                                               reason=why[0].upper() + why[1:] + f": {item.reason}",
                                               source=f"{result.key}; {policy.label}"))
        else:
            found.blockers.append(why)
    return found


def _question(item: ItemResult, questionnaire: Questionnaire) -> str | None:
    """The first question the version asks whose answer fails the item; None when none fails (not answerable,
    or failing on country data)."""
    return next((b.question for b in item.rests_on if b.question in questionnaire.by_id and b.holds is False), None)


def _remediation(minimum: FrameworkMinimum, result: FrameworkResult, item: ItemResult,
                 questionnaire: Questionnaire, as_of: dt.date) -> Remediation:
    framework = load_framework(result.framework)
    reading = framework.item(item.id).reading  # type: ignore[union-attr]
    action = f"Meet {result.title} {item.id} ({item.title}), which the organisation requires: {reading}"
    if item.status == "not_answerable":
        action += f" The {questionnaire.id} questionnaire cannot show it: give evidence."
    question = _question(item, questionnaire)
    answer = next((b.answer for b in item.rests_on if b.question == question and b.holds is False), None)
    return Remediation(action=action, due_in_days=DUE_IN_DAYS, question=question, principle=None,
                       due_date=as_of + dt.timedelta(days=DUE_IN_DAYS), priority="high", rule=rule_of(minimum),
                       evidence=EVIDENCE, answer=answer)
