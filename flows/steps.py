"""The work the flows orchestrate, as plain functions over batches (no Prefect here).

Each function takes and returns plain data, so a flow can wrap it in a task,
a benchmark can call it in a loop, and a test can call it directly.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, computed_field

from scoring import Decision, assess, load_geo_model, load_rubric
from scoring.lifecycle import ReviewPolicy, attestation_expiry, load_review_policy
from scoring.rubric import GeoModel, Rubric
from sow_templates import RenderedSow, SowError, build_context, render_sow
from supplier_models import Settings, Store, Submission, WorkbookRejected, read_workbook
from supplier_models.errors import Problem
from supplier_models.names import slug
from supplier_models.policy import OrgPolicy, read_policy
from supplier_models.reference_data import CountryReference, load_country_reference
from supplier_models.store import store_for
from supplier_models.tables import AssessmentRecord, SowRecord


class ScoringInputs(BaseModel):
    """Everything a decision depends on besides the answers: loaded once per run."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)
    reference: CountryReference
    policy: OrgPolicy
    geo_model: GeoModel
    rubrics: dict[str, Rubric]
    organisation: str
    template: Path | None
    review_policy: ReviewPolicy

    def rubric_for(self, questionnaire_id: str) -> Rubric:
        if questionnaire_id not in self.rubrics:
            self.rubrics[questionnaire_id] = load_rubric(questionnaire=questionnaire_id)
        return self.rubrics[questionnaire_id]

    @property
    def country_data_version(self) -> str:
        return self.reference.version


def input_versions(inputs: ScoringInputs) -> dict[str, str | None]:
    """The versions of what a decision depends on besides the answers: the same on every worker of a run."""
    return {"rubric": inputs.rubric_for("RDE-1").key, "country_data": inputs.country_data_version,
            "policy": inputs.policy.version, "review_policy": inputs.review_policy.key}


def load_inputs(settings: Settings) -> ScoringInputs:
    policy = read_policy(settings.policy_file) if settings.policy_file else OrgPolicy()
    return ScoringInputs(
        reference=load_country_reference(settings.country_data),
        policy=policy,
        geo_model=load_geo_model(),
        rubrics={"RDE-1": load_rubric(questionnaire="RDE-1")},
        organisation=settings.organisation or "The Client",
        template=settings.sow_template,
        review_policy=load_review_policy(settings.review_policy),
    )


class Rejected(BaseModel):
    file: str
    problems: list[Problem]


class Outcome(BaseModel):
    """What happened to one returned workbook at intake."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    file: str = ""
    vendor: str
    vendor_id: str | None = None
    assessment_id: str
    decision: Decision
    sow: str | None = None
    sow_status: str | None = Field(None, description="final, or draft while a required review is pending")
    duplicate: bool = False

    def as_json(self) -> dict:
        """The `--json` decision object of DESIGN.md (keys may be added, never removed)."""
        d = self.decision.model_dump(mode="json")
        return {
            "vendor": self.vendor,
            "vendor_id": self.vendor_id,
            "assessment_id": self.assessment_id,
            "decision": d["decision"],
            "score": d["score"],
            "principles": d["principles"],
            "knockouts": [{"rule": k["rule"], "question": k["question"], "reason": k["reason"]}
                          for k in d["knockouts"]],
            "geo": {
                "score": d["geo"]["score"],
                "band": d["geo"]["band"],
                "countries": [
                    {"iso2": c["iso2"], "share": c["share"], "score": c["score"], "band": c["band"],
                     "flags": c["flags"]}
                    for c in d["geo"]["countries"]
                ],
            },
            "remediations": [{"action": r["action"], "due_in_days": r["due_in_days"], "question": r["question"],
                              "due_date": r["due_date"], "country": r["country"]} for r in d["remediations"]],
            "valid_until": d["valid_until"],
            "sow": self.sow,
            "rubric_version": d["rubric_version"],
            "country_data_version": d["country_data_version"],
            "questionnaire": f'{d["questionnaire_id"]} v{d["questionnaire_version"]}',
            "policy_version": d["policy_version"],
            "reasons": d["reasons"],
            "flags": d["flags"],
            "file": self.file,
            "duplicate": self.duplicate,
            "sow_status": self.sow_status,
        }


# -- reading --------------------------------------------------------------------
def read_files(paths: list[str]) -> list[Submission | Rejected]:
    out: list[Submission | Rejected] = []
    for path in paths:
        try:
            out.append(read_workbook(path))
        except WorkbookRejected as exc:
            out.append(Rejected(file=str(path), problems=exc.problems))
    return out


# -- scoring and SOWs -----------------------------------------------------------
def decide(submission: Submission, inputs: ScoringInputs, as_of: dt.date) -> Decision:
    return assess(submission, reference=inputs.reference, policy=inputs.policy,
                  rubric=inputs.rubric_for(submission.questionnaire_id), geo_model=inputs.geo_model, as_of=as_of)


def sow_path(sow_dir: Path, vendor: str, decision: Decision, assessment_id: str) -> Path:
    return sow_dir / f"{slug(vendor)}-{decision.assessed_on.isoformat()}-{assessment_id[:8]}.docx"


def issue_sow(submission: Submission, decision: Decision, inputs: ScoringInputs, out: Path, *,
              draft: bool = False) -> RenderedSow | None:
    """Render and verify the SOW when the decision allows one; None for `not_qualified`.
    Every SOW written gets its own reference (`document_id`); `draft` marks one issued while a review
    the review policy requires is not approved ("DRAFT - pending review")."""
    if decision.decision == "not_qualified":
        return None
    context = build_context(submission, decision, organisation=inputs.organisation, issued_on=decision.assessed_on,
                            document_id=uuid.uuid4().hex, draft=draft)
    return render_sow(context, template=inputs.template, out=out)


def needs_review(submission: Submission | dict, decision: str, inputs: ScoringInputs) -> list[str]:
    """Why the review policy wants a person to review this decision (empty: it does not)."""
    answers = submission.answers if isinstance(submission, Submission) else submission.get("answers", {})
    return inputs.review_policy.required(decision, answers)


def assessment_record(decision: Decision, *, assessment_id: str, vendor_id: str, submission_id: str,
                      reason: str, data: dict | None = None, supersedes: str | None = None) -> AssessmentRecord:
    """`data`: the decision's `model_dump(mode="json")` when the caller has it already; `supersedes`: the
    assessment a rescoring replaces (the store keeps at most one rescoring of each)."""
    return AssessmentRecord(
        supersedes=supersedes,
        id=assessment_id, vendor_id=vendor_id, submission_id=submission_id, assessed_on=decision.assessed_on,
        decision=decision.decision, score=decision.score, geo_band=decision.geo.band,
        valid_until=decision.valid_until, rubric_version=decision.rubric_version,
        country_data_version=decision.country_data_version, policy_version=decision.policy_version,
        reason=reason, data=decision.model_dump(mode="json") if data is None else data,
    )


def sow_record(rendered: RenderedSow, *, assessment_id: str, vendor_id: str, decision: str, draft: bool = False,
               override_knockout: bool = False) -> SowRecord:
    return SowRecord(
        assessment_id=assessment_id, vendor_id=vendor_id, path=str(rendered.path), sha256=rendered.sha256,
        template_sha256=rendered.template_sha256,
        clauses=[{"library": rendered.clause_library, **c.model_dump()} for c in rendered.clauses],
        status="draft" if draft else "final", decision=decision, override_knockout=override_knockout,
        reference=rendered.reference,
    )


# -- intake ---------------------------------------------------------------------
def intake_one(submission: Submission, store: Store, inputs: ScoringInputs, as_of: dt.date,
               sow_dir: Path, received_on: dt.date | None = None) -> Outcome:
    """Score a new submission, write its SOW, and store all of it in one transaction.

    A file already received for this vendor is not scored again: its stored
    assessment is returned with `duplicate=True`. `received_on`: the day the
    vendor's attestation counts from (`intake --as-of`), else now.
    """
    existing = store.find_submission(submission.vendor_name, submission.sha256)
    if existing is not None:
        latest = max(store.assessments_for(existing.id), key=lambda a: a.created_at, default=None)
        if latest is not None:
            sow = store.latest_sow(existing.vendor_id)
            return Outcome(file=submission.filename, vendor=submission.vendor_name, vendor_id=existing.vendor_id,
                           assessment_id=latest.id, decision=Decision.model_validate(latest.data),
                           sow=sow.path if sow else None, sow_status=sow.status if sow else None, duplicate=True)
    decision = decide(submission, inputs, as_of)
    assessment_id, submission_id = str(uuid.uuid4()), str(uuid.uuid4())
    draft = bool(needs_review(submission, decision.decision, inputs))
    rendered = issue_sow(submission, decision, inputs, sow_path(sow_dir, submission.vendor_name, decision,
                                                                assessment_id), draft=draft)
    record = assessment_record(decision, assessment_id=assessment_id, vendor_id="", submission_id=submission_id,
                               reason="intake")
    sow = sow_record(rendered, assessment_id=assessment_id, vendor_id="", decision=decision.decision,
                     draft=draft) if rendered else None
    received_at = dt.datetime.combine(received_on, dt.time(), dt.UTC) if received_on else None
    try:
        _, stored = store.record_intake(submission, submission_id, record, sow, received_at)
    except Exception:
        if rendered is not None:  # nothing half-written: no SOW file without its records
            Path(rendered.path).unlink(missing_ok=True)
        raise
    return Outcome(file=submission.filename, vendor=submission.vendor_name, vendor_id=stored.vendor_id,
                   assessment_id=assessment_id, decision=decision, sow=str(rendered.path) if rendered else None,
                   sow_status=sow.status if sow else None)


# -- requalification ------------------------------------------------------------
def _floors(decision_data: dict) -> dict[str, str | None]:
    floors = {}
    for country in decision_data.get("geo", {}).get("countries", []):
        pay = country.get("pay") or {}
        floors[country["iso2"]] = pay.get("living_wage_hourly") or pay.get("statutory_minimum_hourly")
    return floors


def sow_needs_reissue(previous: dict, decision: Decision | dict) -> bool:
    """A new SOW only when the decision or a pay floor changed. `decision` may be given already dumped
    (`model_dump(mode="json")`), so a caller that stores the dump too does it once."""
    now = decision if isinstance(decision, dict) else decision.model_dump(mode="json")
    return previous.get("decision") != now["decision"] or _floors(previous) != _floors(now)


def select_changed(store: Store, inputs: ScoringInputs) -> list[str]:
    """The latest-assessment ids of the vendors to rescore: assessed under another rubric or policy, or
    the country data changed for a country they work in. (An expiring qualification is not rescored: it
    needs the vendor's fresh attestation, see `flows.lifecycle`.)"""
    reference = inputs.reference
    due = []
    for aid, rubric_changed, policy_changed, data_changed, fingerprints in store.requalification_candidates(
        rubric_version=inputs.rubric_for("RDE-1").key,
        country_data_version=inputs.country_data_version, policy_version=inputs.policy.version,
    ):
        affected = data_changed and (not fingerprints or any(
            reference.fingerprint(iso2) != old for iso2, old in fingerprints.items()))
        if rubric_changed or policy_changed or affected:
            due.append(aid)
    return due


def sweep_orphan_sows(store: Store, sow_dir: Path, vendors: dict[str, str]) -> list[Path]:
    """Remove the SOW files of these vendors that no stored SOW record names: what a rescoring killed between
    writing its files and storing its transaction left behind. Only files named as a rescoring names them
    (`<vendor>-<date>-<8 hex>.docx`) are considered, and only for the vendors about to be rescored, which no
    other run is rescoring (a vendor is rescored once: `Store.requalification_batch`)."""
    if not vendors or not sow_dir.is_dir():
        return []
    known = {str(Path(p).resolve()) for p in store.sow_paths_of(list(vendors))}
    removed = []
    for name in set(vendors.values()):
        pattern = re.compile(rf"{re.escape(slug(name))}-\d{{4}}-\d{{2}}-\d{{2}}-[0-9a-f]{{8}}\.docx")
        for path in sow_dir.glob(f"{slug(name)}-*.docx"):
            if pattern.fullmatch(path.name) and str(path.resolve()) not in known:
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def rescorings_of(store: Store, due_ids: list[str]) -> list[Requalified]:
    """What the rescoring of these latest-assessment ids stored (by whichever worker did it)."""
    return [Requalified(vendor=vendor, vendor_id=vendor_id, assessment_id=aid, previous_decision=previous,
                        decision=decision, score=score, valid_until=valid_until, sow=sow)
            for aid, vendor_id, vendor, previous, decision, score, valid_until, sow in store.rescorings(due_ids)]


def cap_validity(decision: Decision, inputs: ScoringInputs, received_on: dt.date) -> Decision:
    """The decision, valid no longer than the attestation it rests on."""
    rubric = inputs.rubric_for(decision.questionnaire_id)
    end = attestation_expiry(rubric.validity, decision.decision, received_on)
    if decision.valid_until <= end:
        return decision
    why = (f"Valid until {end.isoformat()}: rescored on the vendor's answers of {received_on.isoformat()}, the "
           "qualification ends with that attestation; a fresh submission renews it.")
    return decision.model_copy(update={"valid_until": end, "reasons": [*decision.reasons, why]})


class Requalified(BaseModel):
    """One vendor's requalification, compact: the full decision is in the store."""

    vendor: str
    vendor_id: str
    assessment_id: str
    previous_decision: str
    decision: str
    score: float
    valid_until: dt.date
    sow: str | None = Field(None, description="the SOW re-issued with this assessment, if any")

    @computed_field
    @property
    def sow_reissued(self) -> bool:
        return self.sow is not None


def rescore_batch(store: Store, due_ids: list[str], inputs: ScoringInputs, as_of: dt.date,
                  sow_dir: Path, actor: str | None = None) -> list[Requalified]:
    """Rescore a batch of vendors from their stored submissions (the rubric, policy or country data
    changed); store the new assessments together.

    `due_ids` are the vendors' latest assessment ids: those assessments stay as they are. A new
    assessment is never valid past the attestation it rests on (received date + the validity of its
    decision): rescoring old answers does not extend a qualification.
    """
    # Speed: one query of plain rows for the whole batch (previous assessment, submission, vendor name),
    # and each decision dumped to JSON once, for both the re-issue check and the stored record.
    rows = store.requalification_batch(due_ids)
    sweep_orphan_sows(store, sow_dir, {row[1]: row[6] for row in rows})
    items: list[tuple[AssessmentRecord, SowRecord | None]] = []
    results: list[Requalified] = []
    written: list[Path] = []
    try:
        for due_id, vendor_id, submission_id, previous_decision, previous_data, submission_data, vendor, received in rows:
            submission = Submission.model_validate(submission_data)
            decision = cap_validity(decide(submission, inputs, as_of), inputs, received.date())
            data = decision.model_dump(mode="json")
            assessment_id = str(uuid.uuid4())
            rendered = None
            draft = bool(needs_review(submission, decision.decision, inputs))
            if sow_needs_reissue(previous_data, data):
                rendered = issue_sow(submission, decision, inputs, sow_path(sow_dir, vendor, decision, assessment_id),
                                     draft=draft)
                if rendered is not None:
                    written.append(Path(rendered.path))
            record = assessment_record(decision, assessment_id=assessment_id, vendor_id=vendor_id,
                                       submission_id=submission_id, reason="data_change", data=data,
                                       supersedes=due_id)
            sow = sow_record(rendered, assessment_id=assessment_id, vendor_id=vendor_id, decision=decision.decision,
                             draft=draft) if rendered else None
            items.append((record, sow))
            results.append(Requalified(vendor=vendor, vendor_id=vendor_id, assessment_id=assessment_id,
                                       previous_decision=previous_decision, decision=decision.decision,
                                       score=decision.score, valid_until=decision.valid_until,
                                       sow=str(rendered.path) if rendered else None))
        store.add_assessments(items, actor)
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return results


__all__ = [
    "Outcome",
    "Rejected",
    "Requalified",
    "ScoringInputs",
    "SowError",
    "decide",
    "intake_one",
    "issue_sow",
    "load_inputs",
    "read_files",
    "rescore_batch",
    "rescorings_of",
    "select_changed",
    "sweep_orphan_sows",
    "sow_needs_reissue",
    "store_for",
]
