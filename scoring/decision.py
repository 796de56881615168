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

from .geo import country_risk, geo_risk
from .models import (
    Contribution,
    CountryRisk,
    Decision,
    DecisionValue,
    KnockoutHit,
    PayFloor,
    Remediation,
)
from .pay import HOURS_PER_MONTH, pay_floor
from .rubric import GeoModel, QuestionRule, RemediationRule, Rubric, load_geo_model, load_rubric
from .terms import BAND_ORDER

DECISION_ORDER: dict[str, int] = {"not_qualified": 0, "conditional": 1, "qualified": 2}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _answer_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


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
            out.lines.append(Contribution(principle=principle, question=question.id, answer=_answer_text(value),
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
        out.lines.append(Contribution(principle=principle, question=question.id, answer=_answer_text(value),
                                      rule=f"{question.id}:{key}", points=points, max_points=rule.max_points,
                                      source=rubric.key, as_of=answered_on, note=cell))
        if fix is not None:
            out.remediations.append(Remediation(action=fix.action, due_in_days=fix.due_in_days,
                                                question=question.id, principle=principle,
                                                due_date=as_of + dt.timedelta(days=fix.due_in_days),
                                                priority=fix.priority, rule=f"{question.id}:{key}"))
    return out


def _country_fix(rubric: Rubric, key: str, today: dt.date, iso2: str | None, question: str | None = None,
                 **fields: object) -> Remediation:
    rule = rubric.country_remediations[key]
    return Remediation(action=rule.action.format(**fields), due_in_days=rule.due_in_days, question=question,
                       country=iso2, due_date=today + dt.timedelta(days=rule.due_in_days),
                       priority=rule.priority, rule=key)


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
    principles: dict[str, float] = {}
    not_applicable: list[str] = []
    explanation = list(scored.lines)
    for principle in rubric.principles:
        available = scored.available.get(principle, 0.0)
        if available <= 0:
            not_applicable.append(principle)
            explanation.append(Contribution(principle=principle, rule=f"principle.{principle}.not_applicable",
                                            points=0, max_points=0, source=rubric.key, as_of=as_of.isoformat(),
                                            note="no applicable question: left out of the overall score"))
            continue
        principles[principle] = round(100 * scored.earned[principle] / available, 1)
        explanation.append(Contribution(principle=principle, rule=f"principle.{principle}",
                                        points=principles[principle], max_points=100, source=rubric.key,
                                        as_of=as_of.isoformat(),
                                        note=f"{scored.earned[principle]:g} of {available:g} points; "
                                             f"weight {rubric.principles[principle].weight:g}"))
    weights = {p: rubric.principles[p].weight for p in principles}
    total_weight = sum(weights.values())
    overall = round(sum(weights[p] * principles[p] for p in principles) / total_weight, 1) if total_weight else 0.0
    explanation.append(Contribution(rule="overall", points=overall, max_points=100, source=rubric.key,
                                    as_of=as_of.isoformat(), note="weighted mean of the applicable principles"))

    # 2. knockouts from the questionnaire's fixed contract
    knockouts: list[KnockoutHit] = []
    for question in questionnaire.questions:
        ko = question.knockout
        if ko is not None and ko.triggered(answers.get(question.id), answers):
            knockouts.append(KnockoutHit(rule=ko.rule, question=question.id, reason=ko.reason,
                                         source=questionnaire.key))

    # 3. countries: geographic risk and pay floors
    remediations = list(scored.remediations)
    flags: set[str] = set()
    countries: list[CountryRisk] = []
    for row in submission.countries:
        risk = country_risk(row.iso2, row.name, float(row.share_pct) / 100, reference, geo_model, policy)
        pay = pay_floor(row, reference.get(row.iso2), reference, policy, hours_per_month=hours_per_month)
        countries.append(risk.model_copy(update={"pay": pay, "flags": sorted(set(risk.flags) | set(pay.flags))}))
    pay_declared = answers.get("PAY-02") == "Yes"
    below = [c for c in countries if c.pay and c.pay.status in ("below_minimum_wage", "below_living_wage")]
    if pay_declared and below:
        flags.add("pay_declaration_mismatch")
        countries = [c.model_copy(update={"flags": sorted({*c.flags, "pay_declaration_mismatch"})})
                     if c in below else c for c in countries]
        remediations.append(_country_fix(rubric, "pay_declaration_mismatch", as_of, None, "PAY-02",
                                         countries=", ".join(c.name for c in below)))
    for c in countries:
        flags.update(c.flags)
        pay = c.pay
        assert pay is not None
        explanation.extend(c.components)
        explanation.extend(_pay_lines(pay, c.name))
        if pay.status == "below_minimum_wage":
            knockouts.append(KnockoutHit(
                rule="below_minimum_wage", question=None, source=pay.statutory_source or "",
                reason=f"Lowest pay in {c.name} ({pay.lowest_hourly_pay} {pay.currency} an hour) is below the "
                       f"statutory minimum wage ({pay.statutory_minimum_hourly} {pay.currency} an hour, "
                       f"{pay.statutory_as_of})."))
            remediations.append(_country_fix(rubric, "below_minimum_wage", as_of, c.iso2,
                                             country=c.name, floor=pay.statutory_minimum_hourly,
                                             currency=pay.currency, source="ILOSTAT", as_of=pay.statutory_as_of))
        elif pay.status == "below_living_wage":
            remediations.append(_country_fix(rubric, "below_living_wage", as_of, c.iso2, country=c.name,
                                             floor=pay.living_wage_hourly, currency=pay.currency,
                                             source=pay.living_wage_source, as_of=pay.living_wage_as_of))
        if c.band == "prohibited":
            reason = policy.prohibited[c.iso2].reason if c.iso2 in policy.prohibited else "prohibited"
            knockouts.append(KnockoutHit(rule="prohibited_country", question=None, source=policy.label,
                                         reason=f"{c.name} is on the organisation's prohibited list: {reason}"))
        elif c.band == "high":
            why = ", ".join(f for f in c.flags if f in ("active_war", "no_reference_data", "recent_war")) \
                or f"score {c.score:g}"
            remediations.append(_country_fix(rubric, "high_geo_risk", as_of, c.iso2, country=c.name,
                                             band=c.band, why=why))
    geo = geo_risk(countries)
    if not countries:
        flags.add("no_countries")

    # 4. certification expiry (DATA-02)
    validity = rubric.validity
    expiry = answers.get(validity.certification_expiry_question) if validity.certification_expiry_question else None
    if isinstance(expiry, dt.date) and expiry <= as_of:
        flags.add("certification_expired")
        remediations.append(_country_fix(rubric, "certification_expired", as_of, None,
                                         validity.certification_expiry_question, date=expiry.isoformat()))

    # 5. decide
    remediations = _dedupe(remediations)
    thresholds = rubric.decision.qualified
    open_high = [r for r in remediations if r.priority == "high"]
    below_living = [c for c in countries if c.pay and c.pay.status == "below_living_wage"]
    weak = {p: s for p, s in principles.items() if s < thresholds.min_principle}
    reasons: list[str] = []
    if knockouts:
        value: DecisionValue = "not_qualified"
        reasons.extend(f"Knockout ({k.rule}): {k.reason}" for k in knockouts)
    elif rubric.decision.not_qualified_below is not None and overall < rubric.decision.not_qualified_below:
        value = "not_qualified"
        reasons.append(f"Overall score {overall:g} is below {rubric.decision.not_qualified_below:g}, "
                       "the rubric's floor for a conditional qualification.")
    else:
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
        value = "conditional" if blockers else "qualified"
        if blockers:
            reasons.append("Conditional: " + "; ".join(blockers) + ".")
        else:
            reasons.append(f"Qualified: overall score {overall:g} (needs {thresholds.min_overall:g}), every "
                           f"principle at {thresholds.min_principle:g} or more, geographic risk {geo.band}, "
                           "no high-priority remediation open.")
    reasons.extend(_context_reasons(answers, principles, not_applicable, countries, flags, rubric))

    # 6. how long it holds
    months = {"qualified": validity.qualified_months, "conditional": validity.conditional_months,
              "not_qualified": validity.not_qualified_months}[value]
    valid_until = add_months(as_of, months)
    if isinstance(expiry, dt.date):
        if expiry > as_of:
            cap = expiry - dt.timedelta(days=validity.certification_margin_days)
            if cap < valid_until:
                valid_until = max(cap, as_of)
                reasons.append(f"Valid until {valid_until.isoformat()}, before the certification expires "
                               f"({expiry.isoformat()}, DATA-02).")
        else:
            days = rubric.country_remediations["certification_expired"].due_in_days
            valid_until = min(valid_until, as_of + dt.timedelta(days=days))
            reasons.append(f"The certification expired on {expiry.isoformat()} (DATA-02): valid only until "
                           f"{valid_until.isoformat()}, when renewed evidence is due.")

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
        explanation=explanation,
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
