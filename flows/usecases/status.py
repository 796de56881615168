"""Each vendor's status on a date, from the store: the lifecycle rules of `scoring.lifecycle` applied to its latest
assessment, its reviews, remediations and re-attestation request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pydantic import BaseModel, Field

from scoring.lifecycle import ReviewPolicy, ReviewView, remediation_state, review_state, vendor_status
from supplier_models import Store
from supplier_models.errors import ActionRefused
from supplier_models.store.tables import RemediationRecord, ReviewRecord


class RemediationView(BaseModel):
    id: str = Field(description="stable per vendor: R1, R2, ...")
    action: str
    question: str | None
    country: str | None
    priority: str
    due_date: dt.date
    state: str = Field(description="open, overdue or done")
    closed_on: dt.date | None = None
    closed_by: str | None = None
    evidence: str | None = None

    @classmethod
    def row(cls, r, as_of: dt.date) -> RemediationView:
        """From a `Store.remediation_rows` row (its fields by name, as the store selects them)."""
        return cls(id=r.code, action=r.action, question=r.question, country=r.country, priority=r.priority,
                   due_date=r.due_date, state=remediation_state(r.state, r.due_date, as_of), closed_on=r.closed_on,
                   closed_by=r.closed_by, evidence=r.evidence)

    @classmethod
    def of(cls, r: RemediationRecord, as_of: dt.date) -> RemediationView:
        return cls(id=r.code, action=r.action, question=r.question, country=r.country, priority=r.priority,
                   due_date=r.due_date, state=remediation_state(r.state, r.due_date, as_of), closed_on=r.closed_on,
                   closed_by=r.closed_by, evidence=r.evidence)


class VendorStatus(BaseModel):
    """`fairsource status --json`: one object per vendor (keys may be added, never removed)."""

    vendor: str
    vendor_id: str
    status: str
    decision: str = Field(description="the effective decision: the assessment's, or the one a reviewer set")
    assessed_decision: str
    assessment_id: str
    submission_id: str = Field(description="the attestation the status rests on")
    assessed_on: dt.date
    valid_until: dt.date | None = Field(None, description="when the qualification lapses (None for a refusal)")
    review_on: dt.date | None = Field(None, description="a refusal's date for a fresh look (None otherwise)")
    review_required: list[str] = Field(default_factory=list, description="why a review is (or was) required")
    review_pending: bool = False
    last_review: ReviewView | None = None
    override_knockout: bool = False
    open_remediations: list[RemediationView] = Field(default_factory=list)
    overdue_remediations: list[RemediationView] = Field(default_factory=list)
    remediations_done: int = 0
    reattestation_requested_on: dt.date | None = None
    reattestation_form: str | None = None
    sow: str | None = None
    sow_status: str | None = Field(None, description="final or draft")
    contact: str | None = None


CHUNK = 1000
"""How many vendors' statuses are read at a time when every vendor's are asked for: what a status read holds in
memory (their reviews, newest SOWs and assessed decisions) is a chunk's, whatever the size of the vendor base."""


def statuses(store: Store, policy: ReviewPolicy, as_of: dt.date, vendor_id: str | list[str] | None = None,
             *, chunk: int = CHUNK) -> Iterator[VendorStatus]:
    """Every vendor's status on `as_of` (or one vendor's, or a list's), in vendor-name order, streamed. Of each vendor's
    answers only those the review policy reads are fetched. Every vendor's are read `chunk` vendors at a time
    (`vendor_pages`), so memory stays flat in the number of vendors. Read on one connection (`Store.reading`): the
    streams merged here hold one of the pool's connections, not two (on SQLite in one read transaction: the chunks
    see one snapshot)."""
    with store.reading() as one:
        if vendor_id is not None:
            yield from _statuses(one, policy, as_of, vendor_id)
            return
        for ids in vendor_pages(one, chunk):
            yield from _statuses(one, policy, as_of, ids)


def vendor_pages(store: Store, size: int = CHUNK) -> Iterator[list[str]]:
    """Every vendor's id in vendor-name order (the order of the status and portfolio streams), `size` at a time: a
    keyset walk over the unique vendor names, each page read whole. Vendors not assessed yet are in their page (the
    reads of a page leave them out)."""
    if size < 1:
        raise ValueError(f"a page of vendors holds at least one: {size}")
    after = None
    while page := store.vendors.names_after(after, size):
        yield [v.id for v in page]
        after = page[-1].name


def _statuses(store: Store, policy: ReviewPolicy, as_of: dt.date, vendor_id: str | list[str] | None,
              ) -> Iterator[VendorStatus]:
    reviews = store.reviews.by_vendor(vendor_id)
    sows = store.sows.latest_by_vendor(vendor_id)
    reviewed = store.assessments.assessed_as(list(reviews)) if reviews else {}
    # Speed and memory: the remediations stream beside the vendors, in the same (vendor-name) order, so only
    # one vendor's are held at a time (a vendor with remediations always has an assessment).
    pending = store.remediations.rows(vendor_id)
    try:
        yield from _merged(store, policy, as_of, vendor_id, reviews, sows, reviewed, pending)
    finally:
        pending.close()  # its cursor, whatever happens to the caller's loop


def _merged(store, policy, as_of, vendor_id, reviews, sows, reviewed, pending) -> Iterator[VendorStatus]:
    upcoming = next(pending, None)
    for row in store.views.status_inputs(vendor_id, questions=[c.question for c in policy.answers]):
        vid = row.vendor_id
        tracked = []
        while upcoming is not None and upcoming.vendor_id == vid:
            tracked.append(RemediationView.row(upcoming, as_of))
            upcoming = next(pending, None)
        mine = reviews_that_count(reviews.get(vid, []), reviewed, row.submission_id, row.decision)
        required = policy.required(row.decision, row.answers or {})
        state = review_state(row.decision, required, [view_of(r) for r in mine], policy)
        overdue = [r for r in tracked if r.state == "overdue"]
        refused = state.decision == "not_qualified"
        sow = sows.get(vid)
        status = vendor_status(
            decision=state.decision, valid_until=row.valid_until, as_of=as_of, review_pending=state.pending,
            overdue_high=sum(r.priority == "high" for r in overdue),
            reattestation_requested=row.reattestation_requested_on is not None)
        yield VendorStatus(
            vendor=row.vendor, vendor_id=vid, status=status, decision=state.decision,
            assessed_decision=row.decision, assessment_id=row.assessment_id,
            submission_id=row.submission_id, assessed_on=row.assessed_on,
            valid_until=None if refused else row.valid_until, review_on=row.valid_until if refused else None,
            review_required=state.required, review_pending=state.pending,
            last_review=view_of(mine[-1]) if mine else None,
            override_knockout=state.override_knockout,
            open_remediations=[r for r in tracked if r.state == "open"], overdue_remediations=overdue,
            remediations_done=sum(r.state == "done" for r in tracked),
            reattestation_requested_on=row.reattestation_requested_on, reattestation_form=row.reattestation_form,
            sow=sow.path if sow and not refused else None, sow_status=sow.status if sow and not refused else None,
            contact=row.contact)


def reviews_that_count(reviews: list[ReviewRecord], decisions: dict[str, tuple[str, str]], submission_id: str,
                        decision: str) -> list[ReviewRecord]:
    """The reviews that bear on an assessment: those of assessments of the same attestation that reached the same
    decision (a review carries over a rescoring of the same answers that changes nothing). `decisions`: assessment
    id -> (submission id, decision)."""
    return [r for r in reviews if decisions.get(r.assessment_id) == (submission_id, decision)]


def view_of(r: ReviewRecord) -> ReviewView:
    return ReviewView(action=r.action, reviewer=r.reviewer, reason=r.reason, at=r.at, to_decision=r.to_decision,
                      override_knockout=r.override_knockout)


def find_vendor(store: Store, name: str):
    vendor = store.vendors.find(name)
    if vendor is None:
        raise ActionRefused(f'no vendor "{name}" in the store')
    return vendor


def status_of(store: Store, policy: ReviewPolicy, name: str, as_of: dt.date) -> VendorStatus:
    vendor = find_vendor(store, name)
    found = list(statuses(store, policy, as_of, vendor.id))
    if not found:
        raise ActionRefused(f"{vendor.name} has not been assessed yet: no status")
    return found[0]
