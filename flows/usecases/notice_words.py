"""The words of each notice: what changed or is due, why, what to do and by when. Plain sentences for a vendor's
contact and the procurement owner alike; `flows.usecases.mail` lays them out. A refusal is never said to "lapse"
(it has a review date), and no notice refers to a pre-filled form before it was issued."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from scoring.lifecycle import remediation_key
from scoring.models import Remediation

WORDS = {"qualified": "qualified", "conditional": "conditional", "not_qualified": "not qualified"}

if TYPE_CHECKING:
    from scoring.rubric import Rubric
    from supplier_models import Settings
    from supplier_models.store.rows import AssessmentFacts

    from .notice_events import DecisionEvent
    from .notices import Notice, RemediationLine
    from .status import VendorStatus


def remediation_lines(s: VendorStatus, latest: AssessmentFacts | None, keys: dict[tuple[str, str], str],
                      rubric: Rubric) -> list[RemediationLine]:
    """The vendor's open remediations, overdue first, each with the evidence it needs: as the latest decision
    states it, else as the current rubric does."""
    from .notices import RemediationLine

    stated: dict[str, str] = {}
    for raw in latest.remediations if latest else []:
        r = Remediation.model_validate(raw)
        if r.evidence:
            stated.setdefault(remediation_key(r), r.evidence)
    lines = []
    tracked = [(r, True) for r in s.overdue_remediations] + [(r, False) for r in s.open_remediations]
    tracked.sort(key=lambda x: (not x[1], x[0].due_date, int(x[0].id[1:]) if x[0].id[1:].isdigit() else 0))
    for r, overdue in tracked:
        key = keys.get((s.vendor_id, r.id), "")
        evidence = stated.get(key) or rubric.evidence_for(key.split("|")[0] or r.question or "", r.action)
        lines.append(RemediationLine(id=r.id, action=r.action, evidence=evidence, due_date=r.due_date,
                                     priority=r.priority, overdue=overdue))
    return lines


def fill(n: Notice, s: VendorStatus, event: DecisionEvent | None, facts_of: dict[str, AssessmentFacts],
         settings: Settings, as_of: dt.date) -> None:
    """Write the notice's what, why, to do and by when, by its kind."""
    received = facts_of[s.assessment_id].received_on if s.assessment_id in facts_of else s.assessed_on
    if event is not None:
        reasons = facts_of[event.assessment_id].reasons if event.assessment_id in facts_of else []
        (_decision_changed if n.kind == "decision_changed" else _review_outcome)(n, s, event, reasons, settings)
    elif n.kind.startswith("expiry_"):
        _expiry(n, s, received, settings, as_of)
    elif n.kind == "expired":
        _expired(n, s, received, as_of)
    elif n.kind == "reattestation_requested":
        reasons = facts_of[s.assessment_id].reasons if s.assessment_id in facts_of else []
        _reattestation(n, s, received, reasons, as_of)
    elif n.kind == "remediation_overdue":
        _overdue(n, s, as_of)
    elif n.kind == "review_waiting":
        n.what = (f"The {s.assessed_decision.replace('_', ' ')} decision on {s.vendor} of {s.assessed_on} waits "
                  "for a person's review.")
        n.why = [f"The review policy asks for one: {'; '.join(s.review_required)}."] if s.review_required else []
        n.todo = ("Approve, reject or change the decision, with a reason (the vendor's page in the web app, or "
                  "`fairsource review`). Its SOW stays a draft until the review is approved.")


def _the_form(s: VendorStatus, as_of: dt.date) -> str:
    """The pre-filled form, as a notice that attaches it names it."""
    if s.reattestation_requested_on is None or s.reattestation_requested_on >= as_of:
        return "the attached pre-filled form"
    return f"the pre-filled form we sent on {s.reattestation_requested_on} (attached again)"


def _form_todo(n: Notice, s: VendorStatus, until: dt.date, settings: Settings, as_of: dt.date) -> str:
    """What to do about the pre-filled form: return it if it was issued, else when it will be sent."""
    if s.reattestation_form and s.reattestation_requested_on:
        n.attachment = s.reattestation_form
        return f"Confirm or correct each answer on {_the_form(s, as_of)} and return it by {until}."
    on = max(until - dt.timedelta(days=settings.requalify_within_days), as_of + dt.timedelta(days=1))
    return (f"Nothing yet. A form pre-filled with your current answers will be sent to you on {on}; confirm or "
            f"correct each answer and return it by {until}.")


def _expiry(n: Notice, s: VendorStatus, received: dt.date, settings: Settings, as_of: dt.date) -> None:
    assert s.valid_until is not None
    n.what = (f"{qualification(s.decision).capitalize()} of {s.vendor} ends on {s.valid_until}, in "
              f"{days(s.valid_until - as_of)}.")
    n.why = [f"A qualification rests on the answers the vendor confirmed; {s.vendor}'s were received on {received} "
             f"and hold until {s.valid_until}."]
    n.todo = (_form_todo(n, s, s.valid_until, settings, as_of) + " If it is not back by then, the qualification "
              "expires and no new SOW can be issued.")
    n.by = s.valid_until


def _expired(n: Notice, s: VendorStatus, received: dt.date, as_of: dt.date) -> None:
    assert s.valid_until is not None
    n.what = f"The qualification of {s.vendor} expired on {s.valid_until}, {days(as_of - s.valid_until)} ago."
    n.why = [f"It rested on the answers received on {received}, and no confirmed questionnaire has come back since."]
    if s.reattestation_form and s.reattestation_requested_on:
        n.attachment = s.reattestation_form
        n.todo = (f"Return {_the_form(s, as_of)}, each answer confirmed or corrected, as soon as possible: no new "
                  "SOW can be issued until it is received and scored.")
    else:
        n.todo = ("A form pre-filled with your answers will be sent to you shortly; no new SOW can be issued until "
                  "it comes back, confirmed or corrected, and is scored.")


def _reattestation(n: Notice, s: VendorStatus, received: dt.date, reasons: list[str], as_of: dt.date) -> None:
    n.attachment = s.reattestation_form
    n.what = f"A form pre-filled with the answers {s.vendor} gave on {received} is attached."
    if s.decision == "not_qualified":
        n.why = [f"{s.vendor} is not qualified (last assessed on {s.assessed_on}); the decision is looked at again "
                 f"on {s.review_on}, on fresh answers.", *reasons]
        n.todo = (f"If your practices or countries have changed, correct the answers, confirm the rest and return "
                  f"the form by {s.review_on}: it is scored afresh. If nothing changed, the decision stands.")
        n.by = s.review_on
        return
    assert s.valid_until is not None
    if s.valid_until < as_of:
        n.why = [f"The qualification rested on the answers received on {received}, and expired on {s.valid_until}."]
        n.todo = ("Confirm or correct each answer and the Countries sheet, and return the form as soon as possible: "
                  "it is scored afresh, and a qualification from it runs from the day it is received.")
        return
    n.why = [f"A qualification rests on the answers the vendor confirmed; these were received on {received} and "
             f"hold until {s.valid_until}."]
    n.todo = (f"Confirm or correct each answer and the Countries sheet, and return the form by {s.valid_until}. "
              "It is scored afresh; a qualification from it runs from the day it is received.")
    n.by = s.valid_until


def _overdue(n: Notice, s: VendorStatus, as_of: dt.date) -> None:
    r = next(r for r in s.overdue_remediations if r.id == n.subject_id.split("@")[0])
    line = next((x for x in (n.facts.remediations if n.facts else []) if x.id == r.id), None)
    n.what = (f"{r.id} ({r.priority} priority) was due on {r.due_date}, {days(as_of - r.due_date)} ago: "
              f"{r.action}")
    reference = n.facts.sow_reference if n.facts else None
    n.why = [f"Each remediation is a condition of {qualification(s.decision)}"
             + (f" (Schedule 1 of {reference})." if reference else ".")]
    if r.priority == "high":
        n.why.append("While a high-priority remediation is overdue, the vendor's status is \"action required\".")
    evidence = line.evidence if line and line.evidence else "what shows it is done"
    n.todo = f"Do it now and send the evidence: {evidence}"
    n.by = r.due_date


def _decision_changed(n: Notice, s: VendorStatus, e: DecisionEvent, reasons: list[str], settings: Settings) -> None:
    n.what = f"The decision on {s.vendor} changed from {words(e.before or '')} to {words(e.after)} on {e.on}."
    n.why = [e.cause[:1].upper() + e.cause[1:] + ".", *reasons]
    _after(n, s, e, settings)


def _review_outcome(n: Notice, s: VendorStatus, e: DecisionEvent, reasons: list[str], settings: Settings) -> None:
    if e.action == "approve":
        n.what = f"{e.reviewer} approved the {words(e.after)} decision on {s.vendor} on {e.on}."
    elif e.action == "reject":
        n.what = f"{e.reviewer} rejected the {words(e.before or '')} decision on {s.vendor} on {e.on}."
    else:
        n.what = (f"{e.reviewer} changed the decision on {s.vendor} from {words(e.before or '')} to "
                  f"{words(e.after)} on {e.on}.")
    n.why = [f"The reviewer's reason: {e.reason}", *reasons]
    if e.pending:
        n.todo = ("A second reviewer approves or rejects the change (four-eyes rule); until then the SOW stays a "
                  "draft and the vendor is not told.")
        return
    _after(n, s, e, settings)


def _after(n: Notice, s: VendorStatus, e: DecisionEvent, settings: Settings) -> None:
    """What to do once a decision is what it is now, and by when."""
    latest = e.assessment_id == s.assessment_id
    if e.after == "not_qualified":
        review_on = s.review_on if latest and s.review_on else e.valid_until
        form_on = review_on - dt.timedelta(days=settings.requalify_within_days)
        n.todo = (f"No new SOW can be issued while the vendor is not qualified. The decision is looked at again on "
                  f"{review_on}: " + (f"a form pre-filled with the vendor's answers is sent on {form_on}" if not
                                      s.reattestation_form else "the pre-filled form is attached")
                  + "; correct what has changed and return it by then.")
        n.by = review_on
        return
    until = s.valid_until if latest and s.valid_until else e.valid_until
    n.todo = f"{qualification(e.after).capitalize()} runs until {until}."
    if e.after == "conditional":
        n.todo += " Complete the remediations listed below by their due dates and send the evidence each needs."
    if latest and s.review_pending:
        n.todo += " A person reviews the decision first: the SOW stays a draft until then."
    elif n.facts and n.facts.sow_reference and e.after != e.before:
        n.todo += f" The SOW in force: {n.facts.sow_reference} ({n.facts.sow_status})."
    n.by = until


def words(decision: str) -> str:
    return WORDS.get(decision, decision.replace("_", " "))


def days(span: dt.timedelta) -> str:
    return "1 day" if span.days == 1 else f"{span.days} days"


def qualification(decision: str) -> str:
    """`the conditional qualification`, `the qualification`."""
    return "the conditional qualification" if decision == "conditional" else "the qualification"
