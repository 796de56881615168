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
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from scoring.models import Decision, PayFloor
from scoring.terms import ISSUES_SOW
from supplier_models.countries import country_index
from supplier_models.errors import SowError, SowNotAllowed
from supplier_models.submission import Submission

from .clauses import ClauseFacts, ClauseLibrary, load_clause_library
from .survey import SurveyDefinition, load_survey

DATA_COLLECTION = "Data collection from contributors"
DEFAULT_ORGANISATION = "The Client"  # what the flows pass when no organisation is configured
# With no organisation configured the client's particulars are blanks to fill in before signature.
CLIENT_BLANKS = {"name": "[Client legal name]", "trading_name": "[Client trading name, if any]",
                 "registered_in": "[Client country of registration]"}
DRAFT_NOTICE = "DRAFT - pending review"
# U+2011 (non-breaking hyphen): the title never breaks as "Human-/Data".
TITLE = "Statement of Work: Responsible Human\u2011Data Services"
REMEDIATION_CLAUSE = "remediation-schedule"
_SOURCE_CODE = re.compile(r"^[A-Z0-9]+(?:_[A-Z0-9]+)+$")  # a dataset indicator code such as EAR_INEE_NOC_NB_A

# XML 1.0 forbids most control characters; a vendor's text must not be able to break the document.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(value: object) -> str:
    """Vendor text as it can appear in Word: XML-invalid characters dropped, newlines normalised."""
    text = "" if value is None else str(value)
    return _XML_INVALID.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def format_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def format_money(currency: str, amount: Decimal) -> str:
    return f"{currency} {amount:,.2f}"


def _country_name(text: object) -> str:
    """COMP-02 as the country's name where it is a code or name we know, else as typed."""
    typed = clean_text(text or "")
    country = country_index().resolve(typed) if typed else None
    return country.name if country is not None else typed


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


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


class CountryTerms(BaseModel):
    """One row of the countries table: where the work is done and the pay it must meet."""

    model_config = ConfigDict(frozen=True)
    iso2: str
    name: str
    share: str = Field(description="workforce share, e.g. '60%'")
    workers: str
    pay_basis: str
    currency: str
    declared_lowest_pay: str = Field(description="the vendor's lowest hourly pay, e.g. 'KES 150.00'")
    floor: str = Field(description="the pay floor per hour, e.g. 'KES 250.00', or 'No figure on record'")
    floor_kind: str = Field(description="living wage | statutory minimum wage | none")
    floor_note: str = Field("", description="e.g. 'no living-wage figure on record'")
    floor_source: str = Field(description="the figure's source and its date, e.g. 'ILOSTAT, as of 2024'")
    floor_as_of: str = ""
    floor_basis: str = Field("", description="the countries table's cell: kind of figure, source and date")
    floor_provenance: str = Field("", description="the full provenance of the figure (dataset, file, "
                                                  "conversion), for the sources appendix")
    band: str = ""
    flags: list[str] = Field(default_factory=list)


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
                                      description="the Schedule 1 items that amend this clause")


class RemediationTerms(BaseModel):
    """One item of Schedule 1, with the clause it amends."""

    model_config = ConfigDict(frozen=True)
    index: int
    action: str
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


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [clean_text(v) for v in value]
    return [clean_text(value)]


class _Floor(BaseModel):
    amount: str
    kind: str
    note: str = ""
    source: str
    as_of: str = ""
    basis: str
    provenance: str


def short_source(full: str) -> str:
    """The name of a figure's source as a contract states it: the provenance trail (", via <repository>
    commit ...", file names, indicator codes) left to the sources appendix.
    'ILOSTAT EAR_INEE_NOC_NB_A, statutory ... wage, via gabyro23/globeing commit c0a7e417' -> 'ILOSTAT'."""
    head = re.split(r" via |, | \(|; ", full, maxsplit=1)[0]
    words = [w for w in head.split() if not _SOURCE_CODE.match(w)]
    return " ".join(words) or " ".join(full.split())[:60]


def _floor(pay: PayFloor | None, currency: str) -> _Floor:
    """The pay floor of one country as the SOW states it: the figure, its source and date, and (for the
    sources appendix) its full provenance."""
    if pay is None or pay.floor_hourly is None:
        return _Floor(amount="No figure on record", kind="none", source="no living-wage or statutory figure on record",
                      basis="None: no living-wage or statutory figure on record.", provenance=(
                          "The assessment names no living-wage or statutory figure for this country; the Supplier "
                          "documents its living-wage benchmark within 30 days of signature."))
    if pay.living_wage_hourly:
        full = clean_text(pay.living_wage_source or "source not recorded")
        as_of = clean_text(pay.living_wage_as_of or "")
        source = short_source(full) + (f", as of {as_of}" if as_of else "")
        return _Floor(amount=format_money(pay.currency or currency, pay.living_wage_hourly), kind="living wage",
                      source=source, as_of=as_of, basis=f"Living wage. Source: {source}.",
                      provenance=full + (f", as of {as_of}" if as_of else "") + ".")
    full = clean_text(pay.statutory_source or "source not recorded")
    as_of = clean_text(pay.statutory_as_of or "")
    source = short_source(full) + (f", as of {as_of}" if as_of else "")
    provenance = full + (f", as of {as_of}" if as_of else "")
    if pay.hours_per_month:
        provenance += f"; monthly figure divided by {pay.hours_per_month.normalize():f} hours"
    note = "no living-wage figure on record"
    return _Floor(amount=format_money(pay.currency or currency, pay.statutory_minimum_hourly),
                  kind="statutory minimum wage", note=note, source=source, as_of=as_of,
                  basis=f"Statutory minimum wage ({note}). Source: {source}.", provenance=provenance + ".")


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
        names = _join([m.name for m in members])
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
) -> SowContext:
    """The SOW's variables for this vendor. Raises `SowNotAllowed` for a `not_qualified` decision.

    `organisation`: the client's legal name; None, empty or "The Client" leave bracketed blanks to
    complete before signature. `reference`: the document's reference, used as given; else it is
    `SOW-<SUPPLIER>-<YYYYMMDD>-<ID>`, where ID is the first 8 characters of `document_id` (pass a fresh
    id per document, e.g. the SOW record's uuid) or, without one, a digest of everything the SOW says.
    `draft`: a draft pending human review; the template shows `draft_notice` on the first page and in
    the header, and verification requires it.
    """
    if decision.decision not in ISSUES_SOW:
        raise SowNotAllowed(
            f"{decision.vendor} is {decision.decision} (assessed {decision.assessed_on}); "
            "a SOW is written only for a qualified or conditional vendor"
        )
    library = clause_library or load_clause_library()
    survey_def = survey or load_survey()
    answers = submission.answers
    supplier_name = clean_text(submission.legal_entity)
    org = " ".join(clean_text(organisation or "").split())
    if org and org != DEFAULT_ORGANISATION:
        client = Party(role="Client", name=org, trading_name=org)
    else:
        client = Party(role="Client", to_complete=True, **CLIENT_BLANKS)
    client_name = client.name

    risk_by_iso = {c.iso2: c for c in decision.geo.countries}
    countries: list[CountryTerms] = []
    rows = submission.countries or []
    for row in rows:
        risk = risk_by_iso.get(row.iso2)
        floor = _floor(risk.pay if risk else None, row.currency)
        countries.append(CountryTerms(
            iso2=row.iso2, name=clean_text(row.name), share=f"{row.share_pct.normalize():f}%",
            workers=str(row.workers), pay_basis=clean_text(row.pay_basis), currency=row.currency,
            declared_lowest_pay=format_money(row.currency, row.lowest_hourly_pay),
            floor=floor.amount, floor_kind=floor.kind, floor_note=floor.note, floor_source=floor.source,
            floor_as_of=floor.as_of, floor_basis=floor.basis, floor_provenance=floor.provenance,
            band=risk.band if risk else "", flags=list(risk.flags) if risk else [],
        ))
    listed = {c.iso2 for c in countries}
    for risk in decision.geo.countries:  # a country the decision knows but the sheet lost: still bound
        if risk.iso2 not in listed:
            currency = risk.pay.currency if risk.pay else ""
            floor = _floor(risk.pay, currency)
            countries.append(CountryTerms(
                iso2=risk.iso2, name=clean_text(risk.name), share=f"{round(risk.share * 100, 1):g}%", workers="",
                pay_basis="", currency=currency,
                declared_lowest_pay=format_money(currency, risk.pay.lowest_hourly_pay) if risk.pay else "",
                floor=floor.amount, floor_kind=floor.kind, floor_note=floor.note, floor_source=floor.source,
                floor_as_of=floor.as_of, floor_basis=floor.basis, floor_provenance=floor.provenance,
                band=risk.band, flags=list(risk.flags)))

    def country_label(c: CountryTerms) -> str:
        return f"{c.name} ({c.iso2})"

    def floor_sentence(c: CountryTerms) -> str:
        if c.floor_kind == "none":
            return f"{country_label(c)}: no figure on record"
        basis = ", ".join(x for x in (c.floor_kind, c.floor_as_of and f"as of {c.floor_as_of}", c.floor_note) if x)
        return f"{country_label(c)}: at least {c.floor} per hour ({basis})"

    pay_floors = "; ".join(floor_sentence(c) for c in countries) + ". The source of each figure is stated in the countries table of this SOW."
    breach = answers.get("DATA-04")
    breach_max = Decimal(library.parameters.get("breach_notice_max_hours", "72"))
    breach_hours = min(Decimal(str(breach)), breach_max) if isinstance(breach, Decimal | int | float) else breach_max
    names = {c.iso2: c.name for c in countries}
    questionnaire = f"{submission.questionnaire_id} v{submission.questionnaire_version}"
    values = {
        **library.parameters,
        "client": client_name,
        "supplier": supplier_name,
        "services": _join(_as_list(answers.get("COMP-03"))) or "the services described in this SOW",
        "countries": _join([country_label(c) for c in countries]),
        "pay_floors": pay_floors,
        "payment_model": clean_text(answers.get("PAY-01") or "not declared"),
        "living_wage_benchmark": clean_text(answers.get("PAY-03") or "not declared"),
        "payment_frequency": clean_text(answers.get("PAY-06") or "not declared").lower(),
        "breach_notice_hours": f"{breach_hours.normalize():f}",
        "gender_unsafe_countries": _join([country_label(c) for c in countries if "gender_question_unsafe" in c.flags]),
        "high_risk_countries": _join([country_label(c) for c in countries if c.band == "high"]),
        "flagged_countries": _join([country_label(c) for c in countries if c.flags]),
        "remediation_count": str(len(decision.remediations)),
        "assessed_on": format_date(decision.assessed_on),
        "valid_until": format_date(decision.valid_until),
        "questionnaire": questionnaire,
    }
    facts = ClauseFacts(
        answers=answers, decision=decision.decision,
        country_flags=frozenset(f for c in countries for f in c.flags),
        country_bands=frozenset(c.band for c in countries if c.band),
        has_remediations=bool(decision.remediations),
    )
    applicable = library.applicable(facts)
    position = {clause.id: n for n, clause in enumerate(applicable, start=1)}
    fallback = next((c for c in applicable if c.id == REMEDIATION_CLAUSE), None)
    remediations = []
    items: dict[str, list[int]] = {}
    for n, r in enumerate(decision.remediations, start=1):
        due = r.due_date or decision.assessed_on + dt.timedelta(days=r.due_in_days)
        amended = library.amended_clause([k for k in (r.rule, r.question) if k], applicable) or fallback
        if amended is not None:
            items.setdefault(amended.id, []).append(n)
        iso2 = (r.country or "").upper()
        remediations.append(RemediationTerms(
            index=n, action=clean_text(r.action), question=r.question or "", iso2=iso2,
            country=(names.get(iso2) or _country_name(iso2) or iso2) if iso2 else "All",
            due_date=format_date(due), due_in_days=r.due_in_days,
            clause_id=amended.id if amended else "", clause_index=position[amended.id] if amended else 0,
            clause_title=amended.title if amended else ""))
    clauses = []
    for n, clause in enumerate(applicable, start=1):
        paragraphs = clause.paragraphs(values)
        if clause.id in items:  # the clause says which Schedule 1 items amend it
            paragraphs.append(library.schedule_paragraph(items[clause.id]))
        clauses.append(ClauseText(id=clause.id, version=clause.version, index=n, title=clause.title,
                                  text="\n".join(paragraphs), paragraphs=paragraphs, mandatory=clause.mandatory,
                                  schedule_items=items.get(clause.id, [])))

    texts = _question_texts(submission)
    representations = [
        Representation(question=qid, text=texts.get(qid, qid), evidence=clean_text(ev),
                       answer=", ".join(_as_list(answers.get(qid))) or "(no answer)")
        for qid, ev in sorted(submission.evidence.items()) if ev and str(ev).strip()
    ]
    min_days, max_workers = values.get("pilot_min_days", "5"), values.get("pilot_max_workers", "25")
    pilot = Pilot(min_days=min_days, max_workers=max_workers, summary=(
        f"A paid pilot of at least {min_days} working days with no more than {max_workers} workers, "
        "ending with a written pilot report that the Client accepts before production starts."))
    label = {"qualified": "Qualified", "conditional": "Qualified with conditions"}[decision.decision]
    day = issued_on or decision.assessed_on
    if reference is not None:
        reference = " ".join(clean_text(reference).split())
        if not reference:
            raise SowError("reference must not be empty (pass None to have one made)")
    else:
        reference = _reference(supplier_name, decision, document_id or _digest(
            submission.sha256, decision, client_name, day.isoformat(), draft, library.key))
    return SowContext(
        title=TITLE,
        reference=reference,
        issued_on=format_date(day),
        draft=draft,
        draft_notice=DRAFT_NOTICE if draft else "",
        client=client,
        supplier=Party(role="Supplier", name=supplier_name,
                       registered_in=_country_name(answers.get("COMP-02")),
                       trading_name=clean_text(submission.vendor_name)),
        qualification=Qualification(
            decision=decision.decision, label=label, score=f"{decision.score:.0f}", geo_band=decision.geo.band,
            assessed_on=format_date(decision.assessed_on), valid_until=format_date(decision.valid_until),
            questionnaire=questionnaire, rubric_version=decision.rubric_version,
            country_data_version=decision.country_data_version),
        services=_as_list(answers.get("COMP-03")),
        workforce_model=_as_list(answers.get("COMP-04")),
        collects_data=DATA_COLLECTION in _as_list(answers.get("COMP-03")),
        vulnerable_groups=answers.get("VULN-01") == "Yes",
        uses_subcontractors=answers.get("SUPP-01") == "Yes",
        countries=countries,
        pilot=pilot,
        clauses=clauses,
        clause_numbers={c.id: c.index for c in clauses},
        remediations=remediations,
        representations=representations,
        survey=_survey(survey_def, countries),
        clause_library=library.key,
        decision=decision,
    )
