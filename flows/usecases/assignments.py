"""Work given to people: a vendor's review waiting, or a vendor's response to a remediation waiting for a decision,
assigned to a reviewer (or admin) with a due date, reassigned or unassigned; what is assigned to whom and what waits unassigned (a page at a time, keyset); the assignee told by
e-mail when `FAIRSOURCE_SMTP_URL` is set.

An assignment ends with its work, in the transaction of the event that ended the wait (a review recorded, or a new
assessment that needs none; the response decided): the store ends it as it writes the vendor's state row
(`supplier_models.store.assignments.end_finished`), or as it decides the response (`end_decided`), so no page filters out work that is done, and a review that
waits again later (a new submission) is new, unassigned work, not the old assignment coming back."""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage
from typing import NamedTuple

from supplier_models import Settings, Store
from supplier_models.errors import ActionRefused
from supplier_models.store.assignments import Assigned, WaitingResponse, WaitingReview
from supplier_models.store.tables import Vendor

from .cursors import pack, unpack
from .mail import SIGNATURE, envelope, one_line, send_all
from .responses import waiting_response

ASSIGNABLE_ROLES = ("reviewer", "admin")
DEFAULT_DAYS = 5
"""A review assigned without a due date is due this many days later."""


def assignees(store: Store) -> list[str]:
    """Who may be given a review: the enabled reviewers and admins, by e-mail."""
    return [u.email for u in store.staff.all() if u.role in ASSIGNABLE_ROLES and not u.disabled]


def default_due(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=DEFAULT_DAYS)


def assign_review(store: Store, vendor: Vendor, *, assignee: str, due_on: dt.date | None, by: str,
                  today: dt.date) -> Assigned:
    """Give the vendor's review waiting to `assignee` (a reassignment when someone had it)."""
    email, due_on = _checked(store, assignee, due_on, today, "the review")
    done = store.assignments.assign("review", vendor.id, None, assignee=email, due_on=due_on, by=by)
    if done is None:
        raise ActionRefused(f"no review of {vendor.name} waits any more: there is nothing to assign")
    return done


def _checked(store: Store, assignee: str, due_on: dt.date | None, today: dt.date, work: str) -> tuple[str, dt.date]:
    """The assignee's e-mail and the due date (the default when none), or `ActionRefused` naming the field."""
    email = assignee.strip().lower()
    if not email:
        raise ActionRefused(f"choose who is to do {work}", "assignee")
    if email not in assignees(store):
        raise ActionRefused(f"{email} cannot be given work: only enabled reviewers and admins can", "assignee")
    due_on = due_on or default_due(today)
    if due_on < today:
        raise ActionRefused(f"the due date {due_on} has passed: give today or a later day", "due_on")
    return email, due_on


def unassign_review(store: Store, vendor: Vendor, *, by: str) -> None:
    if store.assignments.unassign("review", vendor.id, None, by=by) is None:
        raise ActionRefused(f"nobody is assigned the review of {vendor.name}")


def assign_response(store: Store, vendor: Vendor, response_id: str, *, assignee: str, due_on: dt.date | None,
                    by: str, today: dt.date) -> Assigned:
    """Give the decision on the vendor's waiting response to `assignee` (a reassignment when someone had it)."""
    response = waiting_response(store, vendor, response_id)
    email, due_on = _checked(store, assignee, due_on, today, f"the decision on the response to {response.remediation}")
    done = store.assignments.assign("response", vendor.id, response.id, assignee=email, due_on=due_on, by=by)
    if done is None:  # decided, or its remediation closed, between our read and the assignment
        raise ActionRefused(f"the response to {response.remediation} no longer waits: there is nothing to assign",
                            "response")
    return done


def unassign_response(store: Store, vendor: Vendor, response_id: str, *, by: str) -> None:
    response = store.responses.get(vendor.id, response_id)
    if response is None or store.assignments.unassign("response", vendor.id, response.id, by=by) is None:
        raise ActionRefused("nobody is assigned this response")


class WorkPage(NamedTuple):
    reviews: list[WaitingReview]
    cursor: str | None
    """where the next page starts; None on the last page"""


class ResponsesPage(NamedTuple):
    responses: list[WaitingResponse]
    cursor: str | None
    """where the next page starts; None on the last page"""


def unassigned_responses_page(store: Store, cursor: str | None = None, limit: int = 25) -> ResponsesPage:
    """The responses waiting for a decision with nobody assigned, the longest waiting first, after `cursor`."""
    after = decode_response_cursor(cursor) if cursor else None
    rows, places = store.assignments.unassigned_responses(after, limit + 1)
    more = len(rows) > limit
    return ResponsesPage(rows[:limit], encode_cursor(places[limit - 1]) if more else None)


def count_unassigned(store: Store) -> int:
    """The work waiting with nobody assigned: reviews and responses."""
    return store.assignments.count_unassigned_reviews() + store.assignments.count_unassigned_responses()


def unassigned_page(store: Store, cursor: str | None = None, limit: int = 25) -> WorkPage:
    """The reviews waiting with nobody assigned, the longest waiting first, after `cursor`."""
    after = decode_cursor(cursor) if cursor else None
    rows, places = store.assignments.unassigned_reviews(after, limit + 1)
    more = len(rows) > limit
    return WorkPage(rows[:limit], encode_cursor(places[limit - 1]) if more else None)


def encode_cursor(place: tuple) -> str:
    return pack(place)


NOT_OURS = "the cursor is not one this list gave: start again from the first page"


def decode_cursor(cursor: str) -> tuple:
    """The place of a review waiting unassigned (its day, vendor name and id), if this list gave the cursor."""
    try:
        day, name, vendor_id = unpack(cursor)
        if isinstance(name, str) and isinstance(vendor_id, str):
            return dt.date.fromisoformat(day), name, vendor_id
    except (ValueError, TypeError):
        pass
    raise ActionRefused(NOT_OURS)


def decode_response_cursor(cursor: str) -> tuple:
    """The place of a response waiting unassigned (when it was sent, its id), if this list gave the cursor."""
    try:
        sent_at, response_id = unpack(cursor)
        if isinstance(response_id, str):
            return dt.datetime.fromisoformat(sent_at), response_id
    except (ValueError, TypeError):
        pass
    raise ActionRefused(NOT_OURS)


# -- telling the assignee ----------------------------------------------------------------------------------------
def assignment_message(settings: Settings, *, vendor: str, to: str, by: str, due_on: dt.date, link: str,
                       before: str | None, work: str = "review") -> EmailMessage:
    """Plain text: who gave the work (`work`: the review, or the decision on a response), of which vendor, by when,
    and the link to the vendor's page."""
    msg = envelope(settings.mail_from, to, one_line(
        f"{work[:1].upper()}{work[1:]} of {vendor} assigned to you, due {due_on.isoformat()}")[:250], by)
    moved = f" (it was {before}'s)" if before else ""
    msg.set_content("\n".join([
        "Hello,", "",
        f"{by} assigned you the {work} of {one_line(vendor)}{moved}, due {due_on.isoformat()}.", "",
        f"The vendor's page, with the {'review form' if work == 'review' else 'response'}: {link}", "",
        "Everything assigned to you is on My work in fairsource. Questions: reply to this message.", "",
        "--", SIGNATURE]))
    return msg


def mail_assignment(settings: Settings, *, vendor: str, to: str, by: str, due_on: dt.date, link: str,
                    before: str | None = None, work: str = "review") -> tuple[bool, str]:
    """Tell the assignee (not when they assigned it to themselves): (sent, what to tell the person who assigned)."""
    if to == by:
        return False, ""
    if not settings.smtp_url:
        return False, f"E-mail is not set up (FAIRSOURCE_SMTP_URL): tell {to} yourself."
    try:
        send_all(settings.smtp_url, [assignment_message(settings, vendor=vendor, to=to, by=by, due_on=due_on,
                                                        link=link, before=before, work=work)], timeout=15)
    except (OSError, smtplib.SMTPException) as exc:
        return False, f"The e-mail to {to} could not be sent ({exc.__class__.__name__}): tell them yourself."
    return True, f"{to} was told by e-mail."
