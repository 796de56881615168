"""Everything a SOW template may use, built from one `Submission` and its `Decision`.

`SowContext` is the contract between fairsource and a Word template: its
top-level fields are the only variables a template may name. Every value is
display-ready text (numbers and dates already formatted), so a template
needs no filters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from scoring.framework_model import shipped_frameworks
from scoring.lifecycle import RegisterRef
from scoring.models import Decision
from scoring.plain_words import plain_text
from scoring.terms import ISSUES_SOW
from supplier_models.errors import SowError, SowNotAllowed
from supplier_models.submission import Submission

from .clauses import Clause, ClauseFacts, ClauseLibrary, load_clause_library
from .country_terms import CountryTerms, country_label, country_name, country_terms, pay_floors
from .country_terms import short_source as short_source  # importable from here, as before the move
from .survey import SurveyDefinition, load_survey
from .text import as_list, clean_text, format_date, join_names
from .text import format_money as format_money  # importable from here, as before the move

DATA_COLLECTION = "Data collection from contributors"
DEFAULT_ORGANISATION = "The Client"  # what the flows pass when no organisation is configured
# With no organisation configured the client's particulars are blanks to fill in before signature.
CLIENT_BLANKS = {"name": "[Client legal name]", "trading_name": "[Client trading name, if any]",
                 "registered_in": "[Client country of registration]"}
DRAFT_NOTICE = "DRAFT - pending review"
# U+2011 (non-breaking hyphen): the title never breaks as "Human-/Data".
TITLE = "Statement of Work: Responsible Human\u2011Data Services"
REMEDIATION_CLAUSE = "remediation-schedule"


class Party(BaseModel):
    model_config = ConfigDict(frozen=True)
    role: str = Field(description="Client or Supplier")
    name: str = Field(description="legal name as it appears in the SOW")
    registered_in: str = ""
    trading_name: str = ""
    to_complete: bool = Field(False, description="the particulars are bracketed blanks to fill in before signature")


class Qualification(BaseModel):
    model_config = ConfigDict(frozen=True)
    decision: str = Field(description="qualified | conditional")
    label: str = Field(description="e.g. 'Qualified' or 'Qualified with conditions'")
    score: str
    geo_band: str
    assessed_on: str
    valid_until: str
    questionnaire: str
    rubric_version: str
    country_data_version: str
    frameworks: str = Field("", description="the frameworks and versions the assessment was checked against, as a "
                            "sentence saying they inform and bind only where the policy requires an item")


class Pilot(BaseModel):
    model_config = ConfigDict(frozen=True)
    min_days: str
    max_workers: str
    summary: str


class ClauseText(BaseModel):
    """A clause as it appears in this SOW: placeholders filled."""

    model_config = ConfigDict(frozen=True)
    id: str
    version: str
    index: int = Field(description="1-based position in the clause list")
    title: str
    text: str = Field(description="the paragraphs joined by newlines (render with {{ clause.text }})")
    paragraphs: list[str]
    mandatory: bool
    schedule_items: list[int] = Field(default_factory=list,
                                      description="the Schedule 1 items that amend this clause (their `index`)")
    schedule_ids: list[str] = Field(default_factory=list,
                                    description="the same items by the id the clause cites them by (their `id`)")


class RemediationTerms(BaseModel):
    """One item of Schedule 1, with the clause it amends."""

    model_config = ConfigDict(frozen=True)
    index: int
    id: str = Field("", description="the item's id, which the clauses cite: the remediation's id in the Client's "
                                    "register (R3), the same in every later SOW and notice; its number when the "
                                    "SOW is made without the register")
    action: str
    evidence: str = Field("", description="what the Client accepts as evidence that the action is done")
    done_on: str = Field("", description="the day the Client accepted the evidence that it is done (then also its "
                                         "`due_date`): the register keeps it closed; empty while it is open")
    question: str = ""
    country: str = Field("All", description="the country's name when the action concerns one country, else 'All'")
    iso2: str = ""
    due_date: str
    due_in_days: int
    clause_id: str = ""
    clause_index: int = Field(0, description="the position of the amended clause in `clauses` (1-based)")
    clause_title: str = ""


class Representation(BaseModel):
    """A questionnaire answer the vendor backed with evidence: the SOW relies on it."""

    model_config = ConfigDict(frozen=True)
    question: str
    text: str
    answer: str
    evidence: str


class SurveyItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    prompt: str
    instruction: str
    options: list[str]


class SurveyVersion(BaseModel):
    """The survey as asked in a group of countries (countries with the same adaptations share one)."""

    model_config = ConfigDict(frozen=True)
    label: str
    countries: list[str] = Field(description="ISO alpha-2 codes")
    country_names: str
    questions: list[SurveyItem]
    omitted: list[str] = Field(description="question ids left out here")
    notes: list[str] = Field(description="one sentence per question left out, saying why")


class SurveyAppendix(BaseModel):
    model_config = ConfigDict(frozen=True)
    title: str
    version: str
    introduction: str
    prefer_not_to_answer: str
    versions: list[SurveyVersion]


class SowContext(BaseModel):
    """The variables of a SOW template. Top-level field names are the template's vocabulary."""

    model_config = ConfigDict(frozen=True)
    title: str
    reference: str = Field(description="identifies this one document, e.g. SOW-ACME-ANNOTATION-LTD-20261123-3F9A1C2E")
    issued_on: str
    draft: bool = Field(False, description="a draft pending human review, not for signature")
    draft_notice: str = Field("", description="'DRAFT - pending review' for a draft, else empty")
    client: Party
    supplier: Party
    qualification: Qualification
    services: list[str]
    workforce_model: list[str]
    collects_data: bool
    vulnerable_groups: bool
    uses_subcontractors: bool
    countries: list[CountryTerms]
    pilot: Pilot
    clauses: list[ClauseText]
    clause_numbers: dict[str, int] = Field(default_factory=dict,
                                           description="clause id -> its index, for cross-references")
    remediations: list[RemediationTerms]
    representations: list[Representation]
    survey: SurveyAppendix
    clause_library: str = Field(description="clause library id and version")
    decision: Decision = Field(description="the full decision the SOW is based on")


def _survey(survey: SurveyDefinition, countries: list[CountryTerms]) -> SurveyAppendix:
    groups: dict[tuple, list[CountryTerms]] = {}
    for c in countries:
        omitted = tuple(
            (q.id, flag) for q in survey.questions for flag in q.omit_for_flags if flag in c.flags
        )
        groups.setdefault(omitted, []).append(c)
    versions = []
    for n, (omitted, members) in enumerate(sorted(groups.items(), key=lambda kv: len(kv[0]))):
        left_out = {qid for qid, _ in omitted}
        names = join_names([m.name for m in members])
        items = []
        for q in survey.questions:
            if q.id in left_out:
                continue
            options = [*q.options]
            if q.self_describe:
                options.append(survey.self_describe_label)
            options.append(survey.prefer_not_to_answer)
            items.append(SurveyItem(id=q.id, prompt=q.prompt, options=options,
                                    instruction="Choose all that apply." if q.multiple else "Choose one answer."))
        by_id = {q.id: q for q in survey.questions}
        notes = [" ".join(by_id[qid].omit_for_flags[flag].replace("{countries}", names).split())
                 for qid, flag in omitted]
        versions.append(SurveyVersion(label=chr(ord("A") + n) if n < 26 else str(n + 1),
                                      countries=[m.iso2 for m in members], country_names=names,
                                      questions=items, omitted=sorted(left_out), notes=notes))
    return SurveyAppendix(title=survey.title, version=survey.key, introduction=" ".join(survey.introduction.split()),
                          prefer_not_to_answer=survey.prefer_not_to_answer, versions=versions)


def _question_texts(submission: Submission) -> dict[str, str]:
    try:
        from supplier_models.questionnaire import load
        q = load(submission.questionnaire_id, submission.questionnaire_version)
    except Exception:  # an unknown questionnaire only costs the question texts
        return {}
    return {question.id: question.text for question in q.questions}


def _reference(supplier_name: str, decision: Decision, unique: str) -> str:
    slug = "-".join(re.sub(r"[^A-Z0-9]+", " ", supplier_name.upper()).split()[:3])[:30] or "SUPPLIER"
    tail = re.sub(r"[^A-Z0-9]", "", unique.upper())[:8]
    if not tail:
        raise SowError(f"document_id {unique!r} has no letters or digits to make a reference from")
    return f"SOW-{slug}-{decision.assessed_on:%Y%m%d}-{tail}"


def _digest(*parts: object) -> str:
    """A short id of what a SOW says: two documents that differ in anything they state differ in it."""
    digest = hashlib.sha256()
    for part in parts:
        text = part.model_dump_json() if isinstance(part, BaseModel) else json.dumps(part, default=str)
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:8]


def build_context(
    submission: Submission,
    decision: Decision,
    *,
    organisation: str | None = None,
    clause_library: ClauseLibrary | None = None,
    survey: SurveyDefinition | None = None,
    issued_on: dt.date | None = None,
    reference: str | None = None,
    document_id: str | None = None,
    draft: bool = False,
    register: Sequence[RegisterRef] | None = None,
) -> SowContext:
    """The SOW's variables for this vendor. Raises `SowNotAllowed` for a `not_qualified` decision.

    `organisation`: the client's legal name; None, empty or "The Client" leave bracketed blanks to
    complete before signature. `reference`: the document's reference, used as given; else it is
    `SOW-<SUPPLIER>-<YYYYMMDD>-<ID>`, where ID is the first 8 characters of `document_id` (pass a fresh
    id per document, e.g. the SOW record's uuid) or, without one, a digest of everything the SOW says.
    `draft`: a draft pending human review; the template shows `draft_notice` on the first page and in
    the header, and verification requires it. `register`: each remediation's id in the Client's remediation
    register (`scoring.lifecycle.RegisterRef`, one per `decision.remediations`, in order), which Schedule 1 and
    the clauses it amends name it by; without it the items are numbered 1, 2, ...
    """
    _check_issues_sow(decision)
    library = clause_library or load_clause_library()
    survey_def = survey or load_survey()
    answers = submission.answers
    client, supplier = _client(organisation), _supplier(submission)
    countries = country_terms(submission, decision)
    values = _clause_values(submission, decision, library, client, supplier, countries)
    applicable = _applicable_clauses(library, answers, decision, countries)
    remediations, items = _remediations(decision, library, applicable, countries, register)
    clauses = _clauses(library, applicable, values, items, remediations)
    day = issued_on or decision.assessed_on
    if reference is not None:
        reference = _given_reference(reference)
    else:
        reference = _reference(supplier.name, decision, document_id or _digest(
            submission.sha256, decision, client.name, day.isoformat(), draft, library.key,
            *([[list(r) for r in register]] if register is not None else [])))
    return SowContext(
        title=TITLE,
        reference=reference,
        issued_on=format_date(day),
        draft=draft,
        draft_notice=DRAFT_NOTICE if draft else "",
        client=client,
        supplier=supplier,
        qualification=_qualification(submission, decision),
        services=as_list(answers.get("COMP-03")),
        workforce_model=as_list(answers.get("COMP-04")),
        collects_data=DATA_COLLECTION in as_list(answers.get("COMP-03")),
        vulnerable_groups=answers.get("VULN-01") == "Yes",
        uses_subcontractors=answers.get("SUPP-01") == "Yes",
        countries=countries,
        pilot=_pilot(values),
        clauses=clauses,
        clause_numbers={c.id: c.index for c in clauses},
        remediations=remediations,
        representations=_representations(submission),
        survey=_survey(survey_def, countries),
        clause_library=library.key,
        decision=decision,
    )


def _check_issues_sow(decision: Decision) -> None:
    """Raise `SowNotAllowed` unless the decision is one a SOW is written for."""
    if decision.decision not in ISSUES_SOW:
        raise SowNotAllowed(
            f"{decision.vendor} is {decision.decision} (assessed {decision.assessed_on}); "
            "a SOW is written only for a qualified or conditional vendor"
        )


def _client(organisation: str | None) -> Party:
    """The client: the organisation named, else bracketed blanks to complete before signature."""
    org = " ".join(clean_text(organisation or "").split())
    if org and org != DEFAULT_ORGANISATION:
        return Party(role="Client", name=org, trading_name=org)
    return Party(role="Client", to_complete=True, **CLIENT_BLANKS)


def _supplier(submission: Submission) -> Party:
    """The supplier as its submission names it."""
    return Party(role="Supplier", name=clean_text(submission.legal_entity),
                 registered_in=country_name(submission.answers.get("COMP-02")),
                 trading_name=clean_text(submission.vendor_name))


def _questionnaire(submission: Submission) -> str:
    """The questionnaire answered, e.g. 'RDE-1 v1.0.0'."""
    return f"{submission.questionnaire_id} v{submission.questionnaire_version}"


def _qualification(submission: Submission, decision: Decision) -> Qualification:
    """The assessment the SOW relies on, for section 2."""
    label = {"qualified": "Qualified", "conditional": "Qualified with conditions"}[decision.decision]
    return Qualification(
        decision=decision.decision, label=label, score=f"{decision.score:.0f}", geo_band=decision.geo.band,
        assessed_on=format_date(decision.assessed_on), valid_until=format_date(decision.valid_until),
        questionnaire=_questionnaire(submission), rubric_version=decision.rubric_version,
        country_data_version=decision.country_data_version, frameworks=frameworks_checked())


def frameworks_checked() -> str:
    """The shipped frameworks (docs/frameworks.md) the assessment was checked against, with their versions."""
    named = [f"{f.title} ({f.key})" for f in shipped_frameworks()]
    return (f"Checked against {join_names(named)}: informative, and not a condition of this SOW unless the "
            "Client's qualification policy requires an item.")


def _breach_notice_hours(answer: object, library: ClauseLibrary) -> Decimal:
    """The vendor's breach-notice time (DATA-04), never longer than the library's maximum."""
    breach_max = Decimal(library.parameters.get("breach_notice_max_hours", "72"))
    return min(Decimal(str(answer)), breach_max) if isinstance(answer, Decimal | int | float) else breach_max


def _clause_values(submission: Submission, decision: Decision, library: ClauseLibrary, client: Party,
                   supplier: Party, countries: list[CountryTerms]) -> dict[str, str]:
    """The values of the clauses' placeholders: the library's parameters and this vendor's facts."""
    answers = submission.answers
    return {
        **library.parameters,
        "client": client.name,
        "supplier": supplier.name,
        "services": join_names(as_list(answers.get("COMP-03"))) or "the services described in this SOW",
        "countries": join_names([country_label(c) for c in countries]),
        "pay_floors": pay_floors(countries),
        "payment_model": clean_text(answers.get("PAY-01") or "not declared"),
        "living_wage_benchmark": clean_text(answers.get("PAY-03") or "not declared"),
        "payment_frequency": clean_text(answers.get("PAY-06") or "not declared").lower(),
        "breach_notice_hours": f"{_breach_notice_hours(answers.get('DATA-04'), library).normalize():f}",
        "gender_unsafe_countries": join_names(
            [country_label(c) for c in countries if "gender_question_unsafe" in c.flags]),
        "high_risk_countries": join_names([country_label(c) for c in countries if c.band == "high"]),
        "flagged_countries": join_names([country_label(c) for c in countries if c.flags]),
        "remediation_count": str(len(decision.remediations)),
        "assessed_on": format_date(decision.assessed_on),
        "valid_until": format_date(decision.valid_until),
        "questionnaire": _questionnaire(submission),
    }


def _applicable_clauses(library: ClauseLibrary, answers: Mapping[str, object], decision: Decision,
                        countries: list[CountryTerms]) -> list[Clause]:
    """The library's clauses that apply to this vendor's answers, decision and countries, in order."""
    facts = ClauseFacts(
        answers=answers, decision=decision.decision,
        country_flags=frozenset(f for c in countries for f in c.flags),
        country_bands=frozenset(c.band for c in countries if c.band),
        has_remediations=bool(decision.remediations),
    )
    return library.applicable(facts)


def _remediations(decision: Decision, library: ClauseLibrary, applicable: list[Clause],
                  countries: list[CountryTerms], register: Sequence[RegisterRef] | None,
                  ) -> tuple[list[RemediationTerms], dict[str, list[int]]]:
    """Schedule 1: each remediation under its register id, its codes in words, with the clause it amends (the
    remediation clause when no clause names it), and for each clause id the items that amend it."""
    if register is not None and len(register) != len(decision.remediations):
        raise SowError(f"the register names {len(register)} remediation(s), the decision lists "
                       f"{len(decision.remediations)}: each Schedule 1 item needs its id")
    position = {clause.id: n for n, clause in enumerate(applicable, start=1)}
    fallback = next((c for c in applicable if c.id == REMEDIATION_CLAUSE), None)
    names = {c.iso2: c.name for c in countries}
    remediations = []
    items: dict[str, list[int]] = {}
    for n, r in enumerate(decision.remediations, start=1):
        ref = register[n - 1] if register is not None else None
        done_on = ref.done_on if ref is not None else None
        due = done_on or r.due_date or decision.assessed_on + dt.timedelta(days=r.due_in_days)
        amended = library.amended_clause([k for k in (r.rule, r.question) if k], applicable) or fallback
        if amended is not None:
            items.setdefault(amended.id, []).append(n)
        iso2 = (r.country or "").upper()
        remediations.append(RemediationTerms(
            index=n, id=clean_text(ref.code) if ref is not None else str(n), action=plain_text(clean_text(r.action)),
            evidence=clean_text(r.evidence or ""), done_on=format_date(done_on) if done_on else "",
            question=r.question or "", iso2=iso2,
            country=(names.get(iso2) or country_name(iso2) or iso2) if iso2 else "All",
            due_date=format_date(due), due_in_days=r.due_in_days,
            clause_id=amended.id if amended else "", clause_index=position[amended.id] if amended else 0,
            clause_title=amended.title if amended else ""))
    return remediations, items


def _clauses(library: ClauseLibrary, applicable: list[Clause], values: dict[str, str],
             items: dict[str, list[int]], remediations: list[RemediationTerms]) -> list[ClauseText]:
    """The applicable clauses with their placeholders filled, numbered from 1."""
    clauses = []
    for n, clause in enumerate(applicable, start=1):
        paragraphs = clause.paragraphs(values)
        ids = [remediations[i - 1].id for i in items.get(clause.id, [])]
        if ids:  # the clause says which Schedule 1 items amend it, by the ids Schedule 1 shows
            paragraphs.append(library.schedule_paragraph(ids))
        clauses.append(ClauseText(id=clause.id, version=clause.version, index=n, title=clause.title,
                                  text="\n".join(paragraphs), paragraphs=paragraphs, mandatory=clause.mandatory,
                                  schedule_items=items.get(clause.id, []), schedule_ids=ids))
    return clauses


def _representations(submission: Submission) -> list[Representation]:
    """The answers the vendor backed with evidence, by question id."""
    answers = submission.answers
    texts = _question_texts(submission)
    return [
        Representation(question=qid, text=texts.get(qid, qid), evidence=clean_text(ev),
                       answer=", ".join(as_list(answers.get(qid))) or "(no answer)")
        for qid, ev in sorted(submission.evidence.items()) if ev and str(ev).strip()
    ]


def _pilot(values: dict[str, str]) -> Pilot:
    """The paid pilot, sized by the library's parameters."""
    min_days, max_workers = values.get("pilot_min_days", "5"), values.get("pilot_max_workers", "25")
    return Pilot(min_days=min_days, max_workers=max_workers, summary=(
        f"A paid pilot of at least {min_days} working days with no more than {max_workers} workers, "
        "ending with a written pilot report that the Client accepts before production starts."))


def _given_reference(reference: str) -> str:
    """A reference passed in, with its whitespace tidied; it must not be empty."""
    reference = " ".join(clean_text(reference).split())
    if not reference:
        raise SowError("reference must not be empty (pass None to have one made)")
    return reference
