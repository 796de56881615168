"""The qualification lifecycle, as pure functions of what the store holds.

A qualification rests on the vendor's attestation (its latest submission) and
expires with it: 12 months when qualified, 6 when conditional (the rubric's
`validity`), never after the certification in DATA-02. Rescoring the same
answers on new data never extends it. A person reviews, case by case, the
decisions the review policy names; until the review is approved the vendor is
`pending_review` and its SOW is a draft. Remediations carry stable ids and are
tracked to done. See README, "The qualification lifecycle".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field

from supplier_models.errors import ConfigurationError
from supplier_models.questionnaire import Condition
from supplier_models.yamlfile import safe_load as load_yaml

from .models import Remediation
from .rubric import Rubric, Validity
from .terms import DECISIONS, ReviewAction, Status

REMINDER_DAYS = (60, 30, 7)


# -- the review policy ------------------------------------------------------------------
class ReviewCondition(Condition):
    why: str


class ReviewPolicy(BaseModel):
    """Which decisions need a person's review before a SOW is final (policy data, not code)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = "review"
    version: str
    decisions: tuple[Literal["qualified", "conditional"], ...] = ("conditional",)
    answers: tuple[ReviewCondition, ...] = ()
    overrides: bool = True
    four_eyes: bool = True

    @property
    def key(self) -> str:
        return f"{self.id} {self.version}"

    def required(self, decision: str, answers: dict[str, object]) -> list[str]:
        """Why this assessment needs a review (empty: it needs none). A refusal issues no SOW: none."""
        if decision == "not_qualified":
            return []
        why = [f"the decision is {decision}"] if decision in self.decisions else []
        return why + [c.why for c in self.answers if c.holds(answers)]


def load_review_policy(path: str | Path | None = None) -> ReviewPolicy:
    """The organisation's review policy, or the shipped one (`scoring/policies/review-1.yaml`)."""
    return _load_policy(str(path) if path else str(resources.files("scoring") / "policies" / "review-1.yaml"))


@cache
def _load_policy(path: str) -> ReviewPolicy:
    try:
        return ReviewPolicy.model_validate(load_yaml(Path(path).read_text("utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ConfigurationError(f"review policy {path} is invalid: {exc}") from exc


# -- validity -------------------------------------------------------------------------------
def months_valid(validity: Validity, decision: str) -> int:
    return {"qualified": validity.qualified_months, "conditional": validity.conditional_months,
            "not_qualified": validity.not_qualified_months}[decision]


def attestation_expiry(validity: Validity, decision: str, received_on: dt.date) -> dt.date:
    """When a qualification resting on an attestation received that day lapses, whatever is rescored later."""
    from .decision import add_months  # here: `fairsource status` needs no scoring engine (and no openpyxl)

    return add_months(received_on, months_valid(validity, decision))


def rescored_until(*, allowed: dt.date, previous: dt.date, on: dt.date, notice_days: int) -> dt.date:
    """Until when a qualification rescored on `on` holds (for a refusal: when it is looked at again).

    `allowed`: what the attestation allows the new decision (its received date plus the decision's months, or a
    certificate's earlier expiry); `previous`: when the qualification ended before this rescoring. Nothing is set
    before `on` plus the notice period, so a downgrade or a refusal gives the vendor time and is never backdated;
    the notice never carries the qualification past `previous` (it extends nothing); an upgrade keeps what its
    attestation allows. A term that had ended before `on` stays as it ended: no date before `on` is ever set."""
    until = max(allowed, min(previous, on + dt.timedelta(days=notice_days)))
    return previous if until < on else until


def _version_order(version: str) -> tuple[int, ...] | None:
    """A version's place when it says it: the numbers of `2026.11-1` (country data) or `RDE-1-rubric v1.2.0`
    (a rubric, after its `v`); None for one that does not (a policy workbook's hash)."""
    tail = version.rsplit(" v", 1)[1] if " v" in version else version
    parts = re.split(r"[.\-]", tail)
    return tuple(int(p) for p in parts) if parts and all(p.isdigit() for p in parts) else None


def newer_versions(current: str | None, in_use: Iterable[str | None], first_used: dict[str | None, dt.datetime],
                   ) -> list[str | None]:
    """The versions vendors' latest assessments were made with that are newer than `current` (what a run would
    rescore with): by the numbers the versions carry when both do, else by when each was first used in the store.
    A version never used before counts as new."""
    mine = _version_order(current) if current else None
    newer = []
    for version in in_use:
        if version == current:
            continue
        theirs = _version_order(version) if version else None
        if mine is not None and theirs is not None:
            if theirs > mine:
                newer.append(version)
        elif current in first_used and version in first_used and first_used[version] > first_used[current]:
            newer.append(version)
    return newer


# -- reviews ----------------------------------------------------------------------------------
class ReviewView(BaseModel):
    """A review as the lifecycle reads it."""

    model_config = ConfigDict(frozen=True)
    action: ReviewAction
    reviewer: str
    reason: str
    at: dt.datetime
    to_decision: str | None = None
    override_knockout: bool = False


class ReviewState(BaseModel):
    model_config = ConfigDict(frozen=True)
    decision: str = Field(description="the effective decision: the assessment's, or the one a reviewer set")
    pending: bool = Field(description="a required review is not approved yet")
    required: list[str] = Field(default_factory=list, description="why a review is required")
    approved_by: str | None = None
    overridden: bool = False
    override_knockout: bool = False


def review_state(assessed: str, required: list[str], reviews: Sequence[ReviewView], policy: ReviewPolicy) -> ReviewState:
    """Fold an assessment's reviews, oldest first, into its effective decision and whether one is pending."""
    decision, pending, approved_by = assessed, bool(required), None
    overridden = knockout = False
    reasons = list(required)
    for r in reviews:
        if r.action == "approve":
            pending, approved_by = False, r.reviewer
        elif r.action == "reject":
            decision, pending, approved_by = "not_qualified", False, r.reviewer
        else:
            decision, overridden = r.to_decision or decision, True
            knockout = knockout or r.override_knockout
            pending = policy.overrides and decision != "not_qualified"
            approved_by = None if pending else r.reviewer
            if pending:
                reasons.append(f"{r.reviewer} overrode the decision to {decision}")
    return ReviewState(decision=decision, pending=pending, required=reasons, approved_by=approved_by,
                       overridden=overridden, override_knockout=knockout)


class Refusal(NamedTuple):
    """Why a review cannot be recorded: in words, and the field at fault (None: the review as a whole)."""

    message: str
    field: str | None = None


def check_review(action: ReviewAction, reason: str, reviewer: str, to_decision: str | None, override_knockout: bool,
                 assessed: str, has_knockouts: bool, reviews: Sequence[ReviewView], policy: ReviewPolicy
                 ) -> Refusal | None:
    """Why this review cannot be recorded, or None when it can."""
    if not reason.strip():
        return Refusal("a review needs a reason", "reason")
    if not reviewer.strip():
        return Refusal("a review needs the reviewer's name", "reviewer")
    if action == "override":
        if to_decision not in DECISIONS:
            return Refusal("an override needs the decision it sets: qualified, conditional or not qualified", "to")
        if has_knockouts and to_decision != "not_qualified" and not override_knockout:
            return Refusal("the assessment has a knockout: an override past it must say so, and is flagged in the "
                           "report and the SOW record", "override_knockout")
    elif to_decision is not None:
        return Refusal(f"a decision to override to goes with an override, not with {action}", "to")
    if action == "approve" and policy.four_eyes:
        last_override = next((r for r in reversed(reviews) if r.action == "override"), None)
        if last_override is not None and last_override.reviewer.strip().lower() == reviewer.strip().lower():
            return Refusal(f"{reviewer} made the override: another reviewer approves it (four-eyes rule of the "
                           f"review policy {policy.key})", "reviewer")
    return None


# -- remediations -------------------------------------------------------------------------
def remediation_key(r: Remediation) -> str:
    """What a remediation is about, the same from one assessment to the next: the rule (without the answer that
    triggered it) and the country. `PAY-06:Monthly` and `PAY-06:Less often than monthly` are the same matter."""
    return f"{(r.rule or r.question or r.action).split(':')[0]}|{r.country or ''}"


class TrackedRemediation(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    key: str
    state: Literal["open", "done"]
    closed_how: str | None = None
    closed_on: dt.date | None = None
    closed_answer: str | None = Field(
        None, description="closed with evidence: the answer that stands for the evidence (`standing_answer`); "
                          "None when it was not recorded (closed before it was)")


class RegisterRef(NamedTuple):
    """How a SOW's Schedule 1 names one remediation: its id in the register, and the day it was closed with
    evidence when the register keeps it closed (None: open)."""

    code: str
    done_on: dt.date | None = None


class RemediationPlan(BaseModel):
    model_config = ConfigDict(frozen=True)
    open: list[tuple[str, Remediation]] = Field(default_factory=list, description="(new code, remediation)")
    carried: list[tuple[str, Remediation]] = Field(
        default_factory=list, description="(code, remediation as raised again): open and still raised")
    kept: list[tuple[str, Remediation]] = Field(
        default_factory=list, description="(code, remediation as raised again): closed with evidence, and the "
                                          "evidence still stands, so it stays closed")
    close: list[str] = Field(default_factory=list, description="codes no longer raised")
    refs: list[RegisterRef] = Field(
        default_factory=list, description="one per remediation raised, in order: the id (and, kept closed, the "
                                          "day it was closed) a SOW's Schedule 1 prints for it")


def _code_number(t: TrackedRemediation) -> int:
    """R12 -> 12 (0 for a code not of that form)."""
    m = re.fullmatch(r"R(\d+)", t.code)
    return int(m.group(1)) if m else 0


def standing_answer(remediation: Remediation, rubric: Rubric) -> str | None:
    """The answer that stands for the evidence a remediation is closed with: the answer that meets the bar when
    the rubric names one (`Rubric.answer_that_meets`: PILOT-01 "Yes"), else the answer it was raised on (what the
    vendor answered when it was closed: PAY-06 "Monthly"). A pre-filled form shows it, marked."""
    met = rubric.answer_that_meets(remediation.rule or remediation.question or "")
    return met or remediation.answer


def _evidence_stands(closed: TrackedRemediation | None, raised: Remediation, new_submission: bool) -> bool:
    if closed is None:
        return False
    if not new_submission:
        return True  # the same answers rescored
    return closed.closed_answer is not None and raised.answer == closed.closed_answer


def plan_remediations(tracked: Iterable[TrackedRemediation], raised: Iterable[Remediation], *,
                      new_submission: bool) -> RemediationPlan:
    """What a new assessment does to a vendor's tracked remediations.

    Still raised and open: carried (same id; its due date follows the newest SOW, see the register's sync). Open but
    no longer raised: closed (the new answers meet the bar, or the data changed). Raised and not open: opened under
    a new id, unless the evidence it was closed with still stands, then it stays closed under its id (`kept`):

    - rescoring the same answers never reopens what a reviewer closed with evidence;
    - a new submission does not reopen it when it gives, for the matter, the answer that stands for the evidence
      (`standing_answer`, recorded when it was closed, and what the vendor's pre-filled form shows, marked): the
      vendor confirmed it. A different answer that still raises it (PAY-06 "Less often than monthly" after
      "Monthly"; PILOT-01 "No" after the form showed "Yes") opens a new id, as does any new submission for a
      remediation closed before the answer was recorded.

    `refs` names each raised remediation as a SOW's Schedule 1 prints it: the id it is opened, carried or kept
    under (a remediation raised twice for one matter shares the first's id).
    """
    tracked, raised = list(tracked), list(raised)
    open_codes = {t.key: t.code for t in tracked if t.state == "open"}
    closed_with_evidence = {t.key: t for t in sorted(tracked, key=_code_number)
                            if t.state == "done" and t.closed_how == "evidence"}  # the latest per matter
    number = max((_code_number(t) for t in tracked), default=0)
    opened: list[tuple[str, Remediation]] = []
    carried: list[tuple[str, Remediation]] = []
    kept: list[tuple[str, Remediation]] = []
    refs: dict[str, RegisterRef] = {}
    for r in raised:
        key = remediation_key(r)
        if key in refs:
            continue
        closed = closed_with_evidence.get(key)
        if key in open_codes:
            carried.append((open_codes[key], r))
            refs[key] = RegisterRef(open_codes[key])
        elif _evidence_stands(closed, r, new_submission):
            kept.append((closed.code, r))  # type: ignore[union-attr]
            refs[key] = RegisterRef(closed.code, closed.closed_on)  # type: ignore[union-attr]
        else:
            number += 1
            opened.append((f"R{number}", r))
            refs[key] = RegisterRef(f"R{number}")
    close = [t.code for t in tracked if t.state == "open" and t.key not in refs]
    return RemediationPlan(open=opened, carried=carried, kept=kept, close=close,
                           refs=[refs[remediation_key(r)] for r in raised])


def register_refs(tracked: Iterable[TrackedRemediation], raised: Iterable[Remediation]) -> list[RegisterRef] | None:
    """The ids of a stored assessment's remediations in the register as it stands: each matter's open
    remediation, else the latest one closed with evidence (kept closed: with the day it was closed). None when a
    matter has neither (an assessment stored before the register kept it): a SOW then numbers its items."""
    by_key: dict[str, list[TrackedRemediation]] = {}
    for t in sorted(tracked, key=_code_number):
        by_key.setdefault(t.key, []).append(t)
    refs = []
    for r in raised:
        mine = by_key.get(remediation_key(r), [])
        current = next((t for t in mine if t.state == "open"), None) or next(
            (t for t in reversed(mine) if t.closed_how == "evidence"), None)
        if current is None:
            return None
        refs.append(RegisterRef(current.code, current.closed_on if current.state == "done" else None))
    return refs


def remediation_state(state: str, due_date: dt.date, as_of: dt.date) -> str:
    """open, overdue (open past its due date) or done."""
    return "overdue" if state == "open" and due_date < as_of else state


# -- status ---------------------------------------------------------------------------------
def vendor_status(*, decision: str, valid_until: dt.date, as_of: dt.date, review_pending: bool,
                  overdue_high: int, reattestation_requested: bool) -> Status:
    """One word for where a vendor stands, most urgent first."""
    if decision == "not_qualified":
        return "not_qualified"
    if valid_until < as_of:
        return "expired"
    if review_pending:
        return "pending_review"
    if overdue_high:
        return "action_required"
    if reattestation_requested:
        return "reattestation_requested"
    return decision  # type: ignore[return-value]


def expiry_reminder(valid_until: dt.date, as_of: dt.date, sent: Iterable[int] = ()) -> int | None:
    """The expiry reminder due on `as_of` (60, 30 or 7 days before), or None: only the nearest threshold
    crossed, and never one already sent or a farther one after a nearer was sent."""
    days = (valid_until - as_of).days
    if days < 0:
        return None
    crossed = [d for d in REMINDER_DAYS if days <= d]
    if not crossed:
        return None
    nearest = min(crossed)
    sent = set(sent)
    return None if any(s <= nearest for s in sent) else nearest
