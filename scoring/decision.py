"""The decision: rubric scores, knockouts, geographic risk and pay floors, composed.

`assess` is a pure function of its inputs (the submission, the rubric, the
country reference data, the organisation's policy and the assessment date):
the same inputs always give the same `Decision`. See docs/scoring.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from supplier_models.errors import ConfigurationError
from supplier_models.policy import OrgPolicy
from supplier_models.questionnaire import Question, Questionnaire
from supplier_models.questionnaire import load as load_questionnaire
from supplier_models.reference_data import CountryReference, load_country_reference
from supplier_models.submission import Submission

from .answer_text import answer_text
from .framework_minimums import framework_minimums
from .geo import country_risk, geo_risk
from .models import (
    Contribution,
    CountryRisk,
    Decision,
    DecisionValue,
    GeoRisk,
    KnockoutHit,
    PayFloor,
    Remediation,
)
from .pay import HOURS_PER_MONTH, pay_floor
from .rubric import (
    GeoModel,
    QualifiedThresholds,
    QuestionRule,
    RemediationRule,
    Rubric,
    load_geo_model,
    load_rubric,
)
from .terms import BAND_ORDER

DECISION_ORDER: dict[str, int] = {"not_qualified": 0, "conditional": 1, "qualified": 2}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def score_answer(question: Question, rule: QuestionRule, value: object) -> tuple[float, str, RemediationRule | None]:
    """Points earned by one answer, the rule key that matched, and the remediation it calls for."""
    if rule.points is not None:
        key = str(value)
        if key not in rule.points:
            raise ConfigurationError(f'{question.id}: the answer "{key}" is not one the rubric scores')
        return rule.points[key], key, rule.remediation.get(key)
    if rule.rules is not None:
        chosen = set(value) if isinstance(value, (list, tuple)) else {str(value)}
        for r in rule.rules:
            if chosen.intersection(r.any_of):
                return r.points, "any of " + " / ".join(r.any_of), None
        return rule.otherwise or 0.0, "otherwise", rule.remediation.get("otherwise")
    assert rule.bands is not None
    number = float(value)  # type: ignore[arg-type]
    for band in rule.bands:
        if band.up_to is None or number <= band.up_to:
            return band.points, band.key, band.remediation
    raise AssertionError("the last band is open")  # pragma: no cover


class _Scored:
    def __init__(self) -> None:
        self.earned: dict[str, float] = {}
        self.available: dict[str, float] = {}
        self.lines: list[Contribution] = []
        self.remediations: list[Remediation] = []


def score_answers(submission: Submission, questionnaire: Questionnaire, rubric: Rubric,
                  as_of: dt.date) -> _Scored:
    out = _Scored()
    answers = submission.answers
    answered_on = submission.issued_at.date().isoformat() if submission.issued_at else as_of.isoformat()
    for question in questionnaire.questions:
        rule = rubric.questions.get(question.id)
        if rule is None:
            continue
        principle = questionnaire.principle_of(question.id)
        value = answers.get(question.id)
        cell = submission.cells.get(question.id, "")
        out.earned.setdefault(principle, 0.0)
        out.available.setdefault(principle, 0.0)
        if not rule.applies(answers):
            cond = rule.applies_if or rule.applies_unless
            why = (f"applies only when {rule.applies_if.describe()}" if rule.applies_if
                   else f"does not apply when {cond.describe()}")  # type: ignore[union-attr]
            out.lines.append(Contribution(principle=principle, question=question.id, answer=answer_text(value),
                                          rule=f"{question.id}:not_applicable", points=0, max_points=0,
                                          source=rubric.key, as_of=answered_on, note=f"not scored: {why}"))
            continue
        if value is None:
            out.lines.append(Contribution(principle=principle, question=question.id, answer=None,
                                          rule=f"{question.id}:unanswered_optional", points=0, max_points=0,
                                          source=rubric.key, as_of=answered_on,
                                          note="optional and left empty: left out of the principle's maximum"))
            continue
        points, key, fix = score_answer(question, rule, value)
        out.earned[principle] += points
        out.available[principle] += rule.max_points
        out.lines.append(Contribution(principle=principle, question=question.id, answer=answer_text(value),
                                      rule=f"{question.id}:{key}", points=points, max_points=rule.max_points,
                                      source=rubric.key, as_of=answered_on, note=cell))
        if fix is not None:
            out.remediations.append(Remediation(action=fix.action, due_in_days=fix.due_in_days,
                                                question=question.id, principle=principle,
                                                due_date=as_of + dt.timedelta(days=fix.due_in_days),
                                                priority=fix.priority, rule=f"{question.id}:{key}",
                                                evidence=fix.evidence, answer=answer_text(value)))
    return out


def _country_fix(rubric: Rubric, key: str, today: dt.date, iso2: str | None, question: str | None = None,
                 answer: str | None = None, **fields: object) -> Remediation:
    rule = rubric.country_remediations[key]
    return Remediation(action=rule.action.format(**fields), due_in_days=rule.due_in_days, question=question,
                       country=iso2, due_date=today + dt.timedelta(days=rule.due_in_days),
                       priority=rule.priority, rule=key,
                       evidence=rule.evidence, answer=answer)


def _pay_answer(pay: PayFloor) -> str:
    """The vendor's lowest hourly pay in a country, as a pay remediation records the answer it rests on."""
    return f"{answer_text(pay.lowest_hourly_pay)} {pay.currency}"


def _pay_lines(pay: PayFloor, name: str) -> list[Contribution]:
    lines = [Contribution(principle="fair_pay", rule=f"pay.statutory_minimum.{pay.statutory_check}", points=0,
                          max_points=0, source=pay.statutory_source or "ILOSTAT (no value)",
                          as_of=pay.statutory_as_of, note=f"{name}: {pay.note}")]
    if pay.living_wage_source:
        lines.append(Contribution(principle="fair_pay", rule=f"pay.living_wage.{pay.status}", points=0, max_points=0,
                                  source=pay.living_wage_source, as_of=pay.living_wage_as_of,
                                  note=f"{name}: living wage {pay.living_wage_hourly or 'not comparable'} "
                                       f"{pay.living_wage_currency}, lowest pay {pay.lowest_hourly_pay} "
                                       f"{pay.currency}"))
    return lines


def assess(
    submission: Submission,
    *,
    reference: CountryReference | None = None,
    policy: OrgPolicy | None = None,
    rubric: Rubric | None = None,
    as_of: dt.date,
    geo_model: GeoModel | None = None,
    hours_per_month: Decimal = HOURS_PER_MONTH,
) -> Decision:
    """Score one submission and decide: qualified, conditional or not_qualified."""
    reference = reference or load_country_reference()
    policy = policy or OrgPolicy()
    rubric = rubric or load_rubric(questionnaire=submission.questionnaire_id)
    geo_model = geo_model or load_geo_model()
    if rubric.questionnaire != submission.questionnaire_id:
        raise ConfigurationError(f"rubric {rubric.key} scores {rubric.questionnaire}, "
                                 f"not {submission.questionnaire_id}")
    questionnaire = load_questionnaire(submission.questionnaire_id, submission.questionnaire_version)
    answers = submission.answers

    # 1. answers -> principle scores -> overall
    scored = score_answers(submission, questionnaire, rubric, as_of)
    principles, not_applicable, principle_lines = _principle_scores(scored, rubric, as_of)
    overall, overall_line = _overall_score(principles, rubric, as_of)

    # 2. knockouts from the questionnaire's fixed contract
    knockouts = _questionnaire_knockouts(questionnaire, answers)

    # 3. countries: geographic risk and pay floors
    found = _assess_countries(submission, reference, policy, rubric, geo_model, as_of, hours_per_month)
    countries, geo = found.countries, geo_risk(found.countries)
    knockouts.extend(found.knockouts)
    remediations = [*scored.remediations, *found.remediations]
    flags = set(found.flags)

    # 4. certification expiry (DATA-02)
    expiry = _certification_expiry(answers, rubric)
    expired_fix = _expired_certification(expiry, rubric, as_of)
    if expired_fix is not None:
        flags.add("certification_expired")
        remediations.append(expired_fix)

    # 5. decide (with the framework items the organisation's policy requires, if any)
    required = framework_minimums(answers, questionnaire, countries, policy, as_of)
    knockouts.extend(required.knockouts)
    remediations = _dedupe([*remediations, *required.remediations])
    value, reasons = _decide(overall, principles, knockouts, geo, countries, remediations, rubric, required.blockers)
    reasons.extend(_context_reasons(answers, principles, not_applicable, countries, flags, rubric))

    # 6. how long it holds
    valid_until, validity_reasons = _valid_until(value, expiry, rubric, as_of)
    reasons.extend(validity_reasons)

    return Decision(
        vendor=submission.vendor_name,
        decision=value,
        score=overall,
        principles=principles,
        knockouts=knockouts,
        geo=geo,
        remediations=remediations,
        valid_until=valid_until,
        assessed_on=as_of,
        reasons=reasons,
        explanation=[*scored.lines, *principle_lines, overall_line, *found.lines, *required.lines],
        flags=sorted(flags),
        questionnaire_id=submission.questionnaire_id,
        questionnaire_version=submission.questionnaire_version,
        rubric_version=rubric.key,
        country_data_version=reference.version,
        country_fingerprints={row.iso2: reference.fingerprint(row.iso2) for row in submission.countries},
        policy_version=policy.version,
        geo_model_version=geo_model.key,
        principles_not_applicable=not_applicable,
    )


def _principle_scores(scored: _Scored, rubric: Rubric,
                      as_of: dt.date) -> tuple[dict[str, float], list[str], list[Contribution]]:
    """Each principle's score out of 100, the principles no question applies to, and their explanation lines."""
    principles: dict[str, float] = {}
    not_applicable: list[str] = []
    lines: list[Contribution] = []
    for principle in rubric.principles:
        available = scored.available.get(principle, 0.0)
        if available <= 0:
            not_applicable.append(principle)
            lines.append(Contribution(principle=principle, rule=f"principle.{principle}.not_applicable",
                                      points=0, max_points=0, source=rubric.key, as_of=as_of.isoformat(),
                                      note="no applicable question: left out of the overall score"))
            continue
        principles[principle] = round(100 * scored.earned[principle] / available, 1)
        lines.append(Contribution(principle=principle, rule=f"principle.{principle}",
                                  points=principles[principle], max_points=100, source=rubric.key,
                                  as_of=as_of.isoformat(),
                                  note=f"{scored.earned[principle]:g} of {available:g} points; "
                                       f"weight {rubric.principles[principle].weight:g}"))
    return principles, not_applicable, lines


def _overall_score(principles: dict[str, float], rubric: Rubric, as_of: dt.date) -> tuple[float, Contribution]:
    """The weighted mean of the applicable principles' scores, and its explanation line."""
    weights = {p: rubric.principles[p].weight for p in principles}
    total_weight = sum(weights.values())
    overall = round(sum(weights[p] * principles[p] for p in principles) / total_weight, 1) if total_weight else 0.0
    return overall, Contribution(rule="overall", points=overall, max_points=100, source=rubric.key,
                                 as_of=as_of.isoformat(), note="weighted mean of the applicable principles")


def _questionnaire_knockouts(questionnaire: Questionnaire, answers: dict) -> list[KnockoutHit]:
    """The knockouts the answers trigger, in the questionnaire's order."""
    knockouts: list[KnockoutHit] = []
    for question in questionnaire.questions:
        ko = question.knockout
        if ko is not None and ko.triggered(answers.get(question.id), answers):
            knockouts.append(KnockoutHit(rule=ko.rule, question=question.id, reason=ko.reason,
                                         source=questionnaire.key))
    return knockouts


class _Countries:
    """What the Countries sheet leads to: each country's risk and pay, and the flags, knockouts, remediations
    and explanation lines they call for."""

    def __init__(self, countries: list[CountryRisk]) -> None:
        self.countries = countries
        self.flags: set[str] = set()
        self.knockouts: list[KnockoutHit] = []
        self.remediations: list[Remediation] = []
        self.lines: list[Contribution] = []


def _assess_countries(submission: Submission, reference: CountryReference, policy: OrgPolicy, rubric: Rubric,
                      geo_model: GeoModel, as_of: dt.date, hours_per_month: Decimal) -> _Countries:
    """Geographic risk and pay floor per country, a pay declaration they belie, and what each calls for."""
    countries: list[CountryRisk] = []
    for row in submission.countries:
        risk = country_risk(row.iso2, row.name, float(row.share_pct) / 100, reference, geo_model, policy)
        pay = pay_floor(row, reference.get(row.iso2), reference, policy, hours_per_month=hours_per_month)
        countries.append(risk.model_copy(update={"pay": pay, "flags": sorted(set(risk.flags) | set(pay.flags))}))
    found = _Countries(countries)
    _pay_declaration_mismatch(found, submission.answers, rubric, as_of)  # first: the loop collects the flags it adds
    for c in found.countries:
        found.flags.update(c.flags)
        pay = c.pay
        assert pay is not None
        found.lines.extend(c.components)
        found.lines.extend(_pay_lines(pay, c.name))
        _pay_findings(found, c, pay, rubric, as_of)
        _band_findings(found, c, policy, rubric, as_of)
    if not found.countries:
        found.flags.add("no_countries")
    return found


def _pay_declaration_mismatch(found: _Countries, answers: dict, rubric: Rubric, as_of: dt.date) -> None:
    """When PAY-02 declares living-wage pay everywhere, flag the countries paying below a floor, and fix it."""
    pay_declared = answers.get("PAY-02") == "Yes"
    below = [c for c in found.countries if c.pay and c.pay.status in ("below_minimum_wage", "below_living_wage")]
    if pay_declared and below:
        found.flags.add("pay_declaration_mismatch")
        found.countries = [c.model_copy(update={"flags": sorted({*c.flags, "pay_declaration_mismatch"})})
                           if c in below else c for c in found.countries]
        found.remediations.append(_country_fix(rubric, "pay_declaration_mismatch", as_of, None, "PAY-02",
                                               answer_text(answers.get("PAY-02")),
                                               countries=", ".join(c.name for c in below)))


def _pay_findings(found: _Countries, c: CountryRisk, pay: PayFloor, rubric: Rubric, as_of: dt.date) -> None:
    """Pay below the statutory minimum: a knockout and a remediation; below the living wage: a remediation."""
    if pay.status == "below_minimum_wage":
        found.knockouts.append(KnockoutHit(
            rule="below_minimum_wage", question=None, source=pay.statutory_source or "",
            reason=f"Lowest pay in {c.name} ({pay.lowest_hourly_pay} {pay.currency} an hour) is below the "
                   f"statutory minimum wage ({pay.statutory_minimum_hourly} {pay.currency} an hour, "
                   f"{pay.statutory_as_of})."))
        found.remediations.append(_country_fix(rubric, "below_minimum_wage", as_of, c.iso2, answer=_pay_answer(pay),
                                               country=c.name, floor=pay.statutory_minimum_hourly,
                                               currency=pay.currency, source="ILOSTAT", as_of=pay.statutory_as_of))
    elif pay.status == "below_living_wage":
        found.remediations.append(_country_fix(rubric, "below_living_wage", as_of, c.iso2, answer=_pay_answer(pay),
                                               country=c.name,
                                               floor=pay.living_wage_hourly, currency=pay.currency,
                                               source=pay.living_wage_source, as_of=pay.living_wage_as_of))


def _band_findings(found: _Countries, c: CountryRisk, policy: OrgPolicy, rubric: Rubric, as_of: dt.date) -> None:
    """A prohibited country: a knockout; a high-risk one: a remediation."""
    if c.band == "prohibited":
        reason = policy.prohibited[c.iso2].reason if c.iso2 in policy.prohibited else "prohibited"
        found.knockouts.append(KnockoutHit(rule="prohibited_country", question=None, source=policy.label,
                                           reason=f"{c.name} is on the organisation's prohibited list: {reason}"))
    elif c.band == "high":
        why = ", ".join(f for f in c.flags if f in ("active_war", "no_reference_data", "recent_war")) \
            or f"score {c.score:g}"
        found.remediations.append(_country_fix(rubric, "high_geo_risk", as_of, c.iso2, answer=c.iso2,
                                               country=c.name,
                                               band=c.band, why=why))


def _certification_expiry(answers: dict, rubric: Rubric) -> dt.date | None:
    """The certification's expiry date the vendor gave (DATA-02), if the rubric asks for one and it is a date."""
    question = rubric.validity.certification_expiry_question
    expiry = answers.get(question) if question else None
    return expiry if isinstance(expiry, dt.date) else None


def _expired_certification(expiry: dt.date | None, rubric: Rubric, as_of: dt.date) -> Remediation | None:
    """The remediation an expired certification calls for, or None while it holds."""
    if expiry is None or expiry > as_of:
        return None
    return _country_fix(rubric, "certification_expired", as_of, None,
                        rubric.validity.certification_expiry_question, expiry.isoformat(), date=expiry.isoformat())


def _decide(overall: float, principles: dict[str, float], knockouts: list[KnockoutHit], geo: GeoRisk,
            countries: list[CountryRisk], remediations: list[Remediation], rubric: Rubric,
            required: list[str] | None = None) -> tuple[DecisionValue, list[str]]:
    """The decision and the reasons it leads with: any knockout, then the rubric's floor, then the thresholds."""
    if knockouts:
        return "not_qualified", [f"Knockout ({k.rule}): {k.reason}" for k in knockouts]
    floor = rubric.decision.not_qualified_below
    if floor is not None and overall < floor:
        return "not_qualified", [f"Overall score {overall:g} is below {floor:g}, "
                                 "the rubric's floor for a conditional qualification."]
    thresholds = rubric.decision.qualified
    blockers = [*_blockers(overall, principles, geo, countries, remediations, thresholds), *(required or [])]
    if blockers:
        return "conditional", ["Conditional: " + "; ".join(blockers) + "."]
    return "qualified", [f"Qualified: overall score {overall:g} (needs {thresholds.min_overall:g}), every "
                         f"principle at {thresholds.min_principle:g} or more, geographic risk {geo.band}, "
                         "no high-priority remediation open."]


def _blockers(overall: float, principles: dict[str, float], geo: GeoRisk, countries: list[CountryRisk],
              remediations: list[Remediation], thresholds: QualifiedThresholds) -> list[str]:
    """Each qualified threshold a vendor without a knockout misses, in words; none means qualified."""
    open_high = [r for r in remediations if r.priority == "high"]
    below_living = [c for c in countries if c.pay and c.pay.status == "below_living_wage"]
    weak = {p: s for p, s in principles.items() if s < thresholds.min_principle}
    blockers: list[str] = []
    if overall < thresholds.min_overall:
        blockers.append(f"the overall score {overall:g} is below {thresholds.min_overall:g}")
    if weak:
        blockers.append("principle scores below " + f"{thresholds.min_principle:g}: "
                        + ", ".join(f"{p} {s:g}" for p, s in weak.items()))
    if BAND_ORDER[geo.band] > BAND_ORDER[thresholds.max_geo_band]:
        high = [f"{c.name} ({', '.join(f for f in c.flags if f in ('active_war', 'no_reference_data')) or c.score})"
                for c in countries if BAND_ORDER[c.band] > BAND_ORDER[thresholds.max_geo_band]]
        blockers.append(f"geographic risk is {geo.band} in " + ", ".join(high))
    if open_high and not thresholds.allow_open_high_priority_remediation:
        blockers.append(f"{len(open_high)} high-priority remediation{'s are' if len(open_high) > 1 else ' is'} "
                        "open (" + ", ".join(r.question or r.country or r.rule or "" for r in open_high) + ")")
    if below_living and not thresholds.allow_pay_below_living_wage:
        blockers.append("pay is below the organisation's living wage in "
                        + ", ".join(c.name for c in below_living))
    return blockers


def _valid_until(value: DecisionValue, expiry: dt.date | None, rubric: Rubric,
                 as_of: dt.date) -> tuple[dt.date, list[str]]:
    """How long the decision holds: the rubric's months for it, cut short by the certification's expiry."""
    validity = rubric.validity
    months = {"qualified": validity.qualified_months, "conditional": validity.conditional_months,
              "not_qualified": validity.not_qualified_months}[value]
    valid_until = add_months(as_of, months)
    if expiry is None:
        return valid_until, []
    if expiry > as_of:
        cap = expiry - dt.timedelta(days=validity.certification_margin_days)
        if cap < valid_until:
            valid_until = max(cap, as_of)
            return valid_until, [f"Valid until {valid_until.isoformat()}, before the certification expires "
                                 f"({expiry.isoformat()}, DATA-02)."]
        return valid_until, []
    days = rubric.country_remediations["certification_expired"].due_in_days
    valid_until = min(valid_until, as_of + dt.timedelta(days=days))
    return valid_until, [f"The certification expired on {expiry.isoformat()} (DATA-02): valid only until "
                         f"{valid_until.isoformat()}, when renewed evidence is due."]


def _dedupe(remediations: list[Remediation]) -> list[Remediation]:
    seen: set[tuple] = set()
    out = []
    for r in remediations:
        key = (r.action, r.question, r.country)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _context_reasons(answers: dict, principles: dict[str, float], not_applicable: list[str],
                     countries: list[CountryRisk], flags: set[str], rubric: Rubric) -> list[str]:
    out: list[str] = []
    for p in not_applicable:
        out.append(f"{rubric.principles[p].title} does not apply to this vendor and is left out of the score.")
    if "pay_declaration_mismatch" in flags:
        out.append("PAY-02 declares living-wage pay everywhere, but the Countries sheet shows pay below the floor.")
    unverified = [c.name for c in countries if "living_wage_unverified" in c.flags]
    if unverified:
        out.append(f"Living wage unverified in {', '.join(unverified)} (no organisation figure): the decision relies "
                   f"on PAY-02 ({answers.get('PAY-02')}) and PAY-03 ({answers.get('PAY-03')}).")
    for c in countries:
        if "minimum_wage_currency_mismatch" in c.flags:
            out.append(f"{c.name}: the statutory minimum wage is in another currency than the pay reported; "
                       "the statutory check is unverified (no silent conversion).")
        if "minimum_wage_data_doubtful" in c.flags:
            out.append(f"{c.name}: the ILOSTAT minimum-wage figure is flagged doubtful; the statutory check is "
                       "unverified.")
        if "no_reference_data" in c.flags:
            out.append(f"{c.name}: no country reference data; scored high risk.")
    unsafe = [c.name for c in countries if "gender_question_unsafe" in c.flags]
    if unsafe:
        out.append(f"Gender-identity question unsafe in {', '.join(unsafe)}: the SOW's survey leaves it out there.")
    return out


def decision_rank(value: str) -> int:
    """not_qualified < conditional < qualified."""
    return DECISION_ORDER[value]
