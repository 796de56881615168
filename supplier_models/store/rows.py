"""The typed rows the store's queries return where a whole record would cost too much (streams over every vendor,
batches of a requalification): each field by name, never by position."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from .tables import AssessmentRecord, RemediationRecord


class VendorName(NamedTuple):
    id: str
    name: str


class PortfolioAssessment(NamedTuple):
    """The parts of a vendor's latest assessment the portfolio shows; `data` holds only the decision's principles,
    geo score, flags, knockouts and remediations."""

    id: str
    decision: str
    score: float
    geo_band: str
    valid_until: dt.date
    assessed_on: dt.date
    rubric_version: str
    country_data_version: str
    data: dict[str, Any]


class PortfolioEntry(NamedTuple):
    vendor: VendorName
    assessment: PortfolioAssessment


class StatusInputs(NamedTuple):
    """What a vendor's status depends on, from its latest assessment (`Views.status_rows`)."""

    vendor_id: str
    vendor: str
    contact: str | None
    assessment_id: str
    submission_id: str
    decision: str
    valid_until: dt.date
    assessed_on: dt.date
    reason: str
    received_at: dt.datetime
    reattestation_requested_on: dt.date | None
    reattestation_form: str | None
    answers: dict[str, Any]
    """The answers to the questions asked for (what the review policy reads)."""


class Received(NamedTuple):
    """A stored submission, as read, and the day it was received (the day the attestation counts from)."""

    submission: Any
    """Its `Submission`."""
    received_on: dt.date


class VendorGeography(NamedTuple):
    vendor_id: str
    vendor: str
    geo_band: str
    countries: list[dict[str, Any]]
    """The decision's countries, each with iso2, name, share, score, band, flags."""
    workers: dict[str, int]
    """iso2 -> workers, from the Countries sheet of the submission the assessment rests on."""
    services: list[str]


class RequalificationCandidate(NamedTuple):
    assessment_id: str
    rubric_changed: bool
    policy_changed: bool
    country_data_changed: bool
    country_fingerprints: dict[str, str]


class RescoreInput(NamedTuple):
    """One vendor to rescore: its latest assessment, the previous decision as far as a SOW re-issue depends on it,
    its stored submission (JSON) and when that was received."""

    assessment_id: str
    vendor_id: str
    submission_id: str
    decision: str
    previous: dict[str, Any]
    submission: dict[str, Any]
    vendor: str
    received_at: dt.datetime
    valid_until: dt.date
    """When the qualification (or, for a refusal, its review date) ended before this rescoring."""


class Rescoring(NamedTuple):
    assessment_id: str
    vendor_id: str
    vendor: str
    previous_decision: str
    decision: str
    score: float
    valid_until: dt.date
    sow: str | None


class AssessmentHistory(NamedTuple):
    """One assessment of a vendor's history, without its decision data."""

    id: str
    created_at: dt.datetime
    assessed_on: dt.date
    decision: str
    score: float
    geo_band: str
    valid_until: dt.date
    reason: str
    rubric_version: str
    country_data_version: str


class AssessedAs(NamedTuple):
    submission_id: str
    decision: str


class SowSummary(NamedTuple):
    path: str
    status: str


class RemediationRow(NamedTuple):
    vendor_id: str
    name: str
    """The vendor's name."""
    code: str
    action: str
    question: str | None
    country: str | None
    priority: str
    due_date: dt.date
    state: str
    closed_on: dt.date | None
    closed_by: str | None
    evidence: str | None


class TrackedRemediation(NamedTuple):
    """A remediation the register holds, as the remediation sync reads it."""

    vendor_id: str
    code: str
    key: str
    state: str
    closed_how: str | None
    closed_on: dt.date | None = None
    closed_answer: str | None = None


class ClosedRemediation(NamedTuple):
    vendor_id: str
    code: str
    how: str
    evidence: str
    on: dt.date
    assessment_id: str


class RescheduledRemediation(NamedTuple):
    """An open remediation a new SOW carries with another due date: the register follows the newest SOW."""

    vendor_id: str
    code: str
    due_date: dt.date
    assessment_id: str


class RemediationChanges(NamedTuple):
    """What a new assessment changes in the register: rows to open (column values), remediations to close, and
    open ones whose due date the new SOW sets."""

    opened: list[dict[str, Any]]
    closed: list[ClosedRemediation]
    rescheduled: list[RescheduledRemediation] = []


class NewAssessment(NamedTuple):
    """An assessment being stored, as the remediation sync reads it."""

    record: AssessmentRecord
    new_submission: bool
    """Whether it rests on a submission received now (an intake), not on stored answers rescored."""
    sow_issued: bool
    """Whether a SOW is issued with it (the SOW that then states the remediations' due dates)."""


class Closing(NamedTuple):
    """A remediation asked to be closed: the record, and whether this call closed it (False: it was done before)."""

    remediation: RemediationRecord
    closed_now: bool


class AssessmentStep(NamedTuple):
    """One assessment of a vendor's history, as the notices of decision changes read it."""

    id: str
    vendor_id: str
    submission_id: str
    decision: str
    assessed_on: dt.date
    created_at: dt.datetime
    reason: str
    valid_until: dt.date
    rubric_version: str
    country_data_version: str
    policy_version: str | None


class AssessmentFacts(NamedTuple):
    """What a notice quotes of one assessment: its reasons, its remediations, and when its answers came in."""

    reasons: list[str]
    remediations: list[dict[str, Any]]
    received_on: dt.date


class SowReference(NamedTuple):
    reference: str | None
    status: str
    decision: str | None


class NoticeKey(NamedTuple):
    vendor_id: str
    kind: str
    subject_id: str


class ListedVendor(NamedTuple):
    """A vendor as a list shows it, from its state row (`VendorStates.page`): `status` is `awaiting_submission`
    before a first submission; `open_remediations` counts the open items not overdue."""

    vendor_id: str
    vendor: str
    contact: str | None
    status: str
    decision: str | None
    valid_until: dt.date | None
    review_on: dt.date | None
    review_pending: bool
    open_remediations: int
    overdue_remediations: int
    band: str | None
    countries: list[str]
    owner: str | None = None


UNASSIGNED = "none"
"""The owner filter's value for the vendors no analyst looks after (an e-mail address always holds an @)."""


class ListFilters(NamedTuple):
    """What a vendor list is narrowed to (each empty: not narrowed): a status, a geographic band, countries where
    the vendor's workers are (any of these ISO 3166-1 alpha-2 codes), a service it offers, text found in the
    name or the contact, its owner (an e-mail, or `UNASSIGNED`), and the day its qualification ends (or, for a
    refusal, its review day) from and to, both included, and its Fairwork points."""

    status: str | None = None
    band: str | None = None
    countries: tuple[str, ...] | None = None
    service: str | None = None
    text: str | None = None
    owner: str | None = None
    until_from: dt.date | None = None
    until_to: dt.date | None = None
    fairwork: int | None = None
    """The Fairwork points of its latest assessment."""


SORTS = ("vendor", "status", "decision", "band", "until", "remediations", "contact", "owner")
"""The columns a vendor list sorts by: until is the day a qualification ends (a refusal's review day);
remediations puts the most overdue first when descending, then the most open."""


class ListOrder(NamedTuple):
    """How a vendor list is sorted: a column of `SORTS`, either way, then by name and id (so every vendor has one
    place). `ranks` orders the values of status, decision or band (e.g. what needs action first); values not in
    it come after."""

    by: str = "vendor"
    descending: bool = False
    ranks: tuple[str, ...] = ()


class Glance(NamedTuple):
    """A dashboard panel: how many there are, and the first few (each a row the panel shows)."""

    count: int
    first: list[Any]


class VendorPlaces(NamedTuple):
    """Where a vendor's workers are and what it offers, by its latest assessment (`Views.countries`)."""

    band: str
    countries: list[str]
    services: list[str]
    places: list[dict[str, Any]]
    """each country where its workers are: iso2, name, band (the assessment's), workers (the submission's)"""


class AuditFilters(NamedTuple):
    """What the audit log is narrowed to (each empty: not narrowed): text in who did it (`actor`; "fairsource"
    also finds the events no person did), one action code, a vendor (its id, or text in its name), and the days
    from and to (inclusive, UTC) of `at`."""

    actor: str | None = None
    action: str | None = None
    vendor: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


class AuditRow(NamedTuple):
    """An audit event as the log shows it, with its vendor's name (None: no vendor, or one no longer stored)."""

    id: int
    at: dt.datetime
    action: str
    actor: str | None
    vendor_id: str | None
    vendor: str | None
    subject: str
    detail: dict[str, Any]
