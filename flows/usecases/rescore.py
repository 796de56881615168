"""Rescoring on a change of rubric, policy or country data: which vendors are due, and a batch of them rescored
from their stored answers, never valid past the attestation those answers are."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, Field, computed_field

from scoring import Decision
from scoring.lifecycle import RegisterRef, attestation_expiry, newer_versions, rescored_until
from supplier_models import Store, Submission
from supplier_models.store.tables import AssessmentRecord, SowRecord

from . import remediations
from .inputs import ScoringInputs, decide, needs_review
from .records import assessment_record, sow_record
from .sow_issue import SWEEP_AFTER, check_fresh, issue_sow, sow_needs_reissue, sow_path, sweep_orphan_sows


def select_changed(store: Store, inputs: ScoringInputs) -> list[str]:
    """The latest-assessment ids of the vendors to rescore: assessed under another rubric or policy, or
    the country data changed for a country they work in. (An expiring qualification is not rescored: it
    needs the vendor's fresh attestation, see `flows.usecases`.) All at once: the requalification flow reads them
    a page at a time (`due_page`)."""
    return _due(store, inputs)


def due_page(store: Store, inputs: ScoringInputs, after: str | None, vendors: int) -> DuePage:
    """The vendors to rescore (as `select_changed`) among the next `vendors` vendors after the vendor id `after`
    (from the first when None), in vendor-id order: a page of a keyset walk over the vendor table, so a run holds
    one page of ids, not every vendor's, and what it stores between two pages never shifts the walk."""
    page = store.vendors.next_ids(after, vendors)
    return DuePage(_due(store, inputs, page) if page else [], page[-1] if len(page) == vendors else None)


class DuePage(NamedTuple):
    ids: list[str]
    """the latest-assessment ids of the page's vendors that are due"""
    after: str | None
    """the last vendor id of the page, where the next begins; None: no vendor left"""


def _due(store: Store, inputs: ScoringInputs, vendor_ids: list[str] | None = None) -> list[str]:
    reference = inputs.reference
    due = []
    for aid, rubric_changed, policy_changed, data_changed, fingerprints in store.rescorings.candidates(
        rubric_versions=inputs.rubric_keys, vendor_ids=vendor_ids,
        country_data_version=inputs.country_data_version, policy_version=inputs.policy.version,
    ):
        affected = data_changed and (not fingerprints or any(
            reference.fingerprint(iso2) != old for iso2, old in fingerprints.items()))
        if rubric_changed or policy_changed or affected:
            due.append(aid)
    return due


VERSIONED = (("rubric", "rubric_version"), ("country data", "country_data_version"), ("policy", "policy_version"))


def older_inputs(store: Store, inputs: ScoringInputs) -> list[str]:
    """What this run would rescore with that is older than what vendors' latest assessments used, in words (empty:
    nothing). Rescoring onto older data would silently undo a newer rubric, country data or policy. Rubrics are
    compared within one questionnaire's (RDE-1's with RDE-1's): RDE-2's is not a newer RDE-1 rubric."""
    current = {"country_data_version": inputs.country_data_version, "policy_version": inputs.policy.version}
    found = []
    for label, column in VERSIONED:
        in_use, first_used = store.rescorings.versions(column)
        mine = list(inputs.rubric_keys) if column == "rubric_version" else [current[column]]
        for version in mine:
            same_kind = in_use if column != "rubric_version" else {
                v: n for v, n in in_use.items() if v is not None and _rubric_of(v) == _rubric_of(version)}
            for newer in newer_versions(version, same_kind, first_used):
                found.append(f"{label} {version or 'none'} is older than {newer or 'none'}, which the latest "
                             f"assessment of {in_use[newer]} vendor(s) used")
    return found


def _rubric_of(key: str) -> str:
    """The rubric a version key belongs to: "RDE-1-rubric" of "RDE-1-rubric v1.2.0"."""
    return key.rsplit(" v", 1)[0]


def rescorings_of(store: Store, due_ids: list[str]) -> list[Requalified]:
    """What the rescoring of these latest-assessment ids stored (by whichever worker did it)."""
    return [Requalified(vendor=r.vendor, vendor_id=r.vendor_id, assessment_id=r.assessment_id,
                        previous_decision=r.previous_decision, decision=r.decision, score=r.score,
                        valid_until=r.valid_until, sow=r.sow)
            for r in store.rescorings.results(due_ids)]


class Rescored(Sequence["Requalified"]):
    """What a run rescored, read back from the store a thousand at a time whenever it is gone through: the run keeps
    only the ids it gave to rescore (the vendors' previous assessments, ~90 bytes each), not an object per vendor
    (100,000 `Requalified` are 130 MB). In the order the vendors were selected, by vendor name within each thousand.
    A rescoring stores its assessment with the id it supersedes, so whichever worker did it is found."""

    CHUNK = 1000

    def __init__(self, url: str, due_ids: Iterable[str] = ()) -> None:
        self.url = url
        self._ids: list[str] = list(due_ids)
        self._len: int | None = None

    def add(self, due_ids: Iterable[str]) -> None:
        self._ids += due_ids
        self._len = None

    def chunks(self) -> Iterator[list[Requalified]]:
        from supplier_models.store import store_for

        store = store_for(self.url)
        for start in range(0, len(self._ids), self.CHUNK):
            yield rescorings_of(store, self._ids[start:start + self.CHUNK])

    def __iter__(self) -> Iterator[Requalified]:
        for chunk in self.chunks():
            yield from chunk

    def __len__(self) -> int:
        if self._len is None:
            self._len = sum(len(chunk) for chunk in self.chunks())
        return self._len

    def __getitem__(self, index):  # a whole read: for a test's or a script's few vendors
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Rescored({len(self._ids)} vendor(s) given to rescore)"


def cap_validity(decision: Decision, inputs: ScoringInputs, received_on: dt.date, *, previous_until: dt.date,
                 on: dt.date) -> Decision:
    """The decision, valid no longer than the attestation it rests on, and never ending before `on` plus the notice
    period (`scoring.lifecycle.rescored_until`): a rescoring on `on` that shortens or refuses a qualification gives
    the vendor time, up to when it ended before (`previous_until`)."""
    rubric = inputs.rubric_for(decision.questionnaire_id)
    end = attestation_expiry(rubric.validity, decision.decision, received_on)
    allowed = min(decision.valid_until, end)
    until = rescored_until(allowed=allowed, previous=previous_until, on=on, notice_days=inputs.rescore_notice_days)
    if until == decision.valid_until:
        return decision
    what = "Review on" if decision.decision == "not_qualified" else "Valid until"
    if until == allowed:
        why = (f"{what} {until.isoformat()}: rescored on the vendor's answers of {received_on.isoformat()}, the "
               "qualification ends with that attestation; a fresh submission renews it.")
    else:
        why = (f"{what} {until.isoformat()}: rescored on {on.isoformat()} on the vendor's answers of "
               f"{received_on.isoformat()}, which allow a {decision.decision.replace('_', ' ')} decision until "
               f"{allowed.isoformat()} only; the vendor is given {inputs.rescore_notice_days} days' notice from the "
               f"rescoring, never past {previous_until.isoformat()}, when the qualification ended before. A fresh "
               "submission renews it.")
    return decision.model_copy(update={"valid_until": until, "reasons": [*decision.reasons, why]})


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
                  sow_dir: Path, actor: str | None = None, *, sweep_after: float = SWEEP_AFTER) -> list[Requalified]:
    """Rescore a batch of vendors from their stored submissions (the rubric, policy or country data
    changed); store the new assessments together.

    `due_ids` are the vendors' latest assessment ids: those assessments stay as they are. A new
    assessment is never valid past the attestation it rests on (received date + the validity of its
    decision): rescoring old answers does not extend a qualification. Nor is it backdated: what it
    shortens or refuses holds at least the notice period from `as_of` (`cap_validity`). No SOW is issued
    whose term would have ended by the day it is issued. `sweep_after`: the age from which a SOW file no record
    names is removed (`sow_issue.sweep_orphan_sows`); the batch stores nothing if it took half that long.
    """
    # Speed: one query of plain rows for the whole batch (previous assessment, submission, vendor name),
    # and each decision dumped to JSON once, for both the re-issue check and the stored record.
    rows = store.rescorings.batch(due_ids)
    sweep_orphan_sows(store, sow_dir, {row.vendor_id: row.vendor for row in rows}, older_than=sweep_after)
    registers = store.remediations.tracked([row.vendor_id for row in rows])  # what each SOW's Schedule 1 names
    items: list[tuple[AssessmentRecord, SowRecord | None]] = []
    printed: dict[str, list[RegisterRef]] = {}
    results: list[Requalified] = []
    written: list[Path] = []
    try:
        for row in rows:
            due_id, vendor_id, submission_id, vendor = row.assessment_id, row.vendor_id, row.submission_id, row.vendor
            submission = Submission.model_validate(row.submission)
            decision = cap_validity(decide(submission, inputs, as_of), inputs, row.received_at.date(),
                                    previous_until=row.valid_until, on=as_of)
            data = decision.model_dump(mode="json")
            assessment_id = str(uuid.uuid4())
            rendered = None
            draft = bool(needs_review(submission, decision.decision, inputs))
            if sow_needs_reissue(row.previous, data) and decision.valid_until > as_of:
                refs = remediations.plan(registers.get(vendor_id, []), decision.remediations,
                                         new_submission=False).refs
                rendered = issue_sow(submission, decision, inputs, sow_path(sow_dir, vendor, decision, assessment_id),
                                     draft=draft, register=refs)
                if rendered is not None:
                    written.append(Path(rendered.path))
                    printed[assessment_id] = refs
            record = assessment_record(decision, assessment_id=assessment_id, vendor_id=vendor_id,
                                       submission_id=submission_id, reason="data_change", data=data,
                                       supersedes=due_id)
            sow = sow_record(rendered, assessment_id=assessment_id, vendor_id=vendor_id, decision=decision.decision,
                             draft=draft) if rendered else None
            items.append((record, sow))
            results.append(Requalified(vendor=vendor, vendor_id=vendor_id, assessment_id=assessment_id,
                                       previous_decision=row.decision, decision=decision.decision,
                                       score=decision.score, valid_until=decision.valid_until,
                                       sow=str(rendered.path) if rendered else None))
        check_fresh(written, sweep_after)
        store.assessments.add_many(items, sync=remediations.checked(printed), actor=actor)
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return results
