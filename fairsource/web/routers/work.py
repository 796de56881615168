"""Work given to people: a vendor's review waiting, or a vendor's response to a remediation waiting for a decision,
assigned to a reviewer with a due date (from the vendor's page), reassigned, unassigned after a confirmation; My
work: what is assigned to me (overdue first, then by due date), what waits with nobody assigned (reviews and
responses, each a page at a time, keyset), and my choice of the daily digest by e-mail."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from flows.usecases import assignments as work
from flows.usecases.vendor_list import rows_for_the_day
from supplier_models.errors import ActionRefused

from ..deps import InputsDep, Reviewer, SettingsDep, StoreDep, check_csrf
from ..queries import vendor_or_404
from ..rendering import render
from ..schemas import PAGE_SIZES, PagedFilters
from .invites import portal_base
from .vendors import vendor_refused

router = APIRouter(include_in_schema=False)
MINE_SHOWN = 500
"""Assignments of mine My work lists (the soonest due; the count above them is of all)."""
NOTICES = {"taken": "The review is yours: it is listed under Assigned to me.",
           "taken_response": "The response is yours to decide: it is listed under Assigned to me.",
           "digest_on": "You will get the daily digest by e-mail.",
           "digest_off": "You will no longer get the daily digest by e-mail."}


def due_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        raise ActionRefused(f"{value.strip()!r} is not a day: give the due date as YYYY-MM-DD", "due_on") from None


class WorkQuery(PagedFilters):
    """My work's URL: the page of the reviews waiting unassigned (size, cursor), of the responses (rcursor), and
    what was just done."""

    done: str = ""
    rcursor: str = ""


@router.get("/work", response_class=HTMLResponse)
def my_work(request: Request, staff: Reviewer, store: StoreDep, settings: SettingsDep,
            paged: Annotated[WorkQuery, Query()]) -> Response:
    today = dt.date.today()
    rows_for_the_day(store, settings, today)
    try:
        page = work.unassigned_page(store, paged.cursor or None, paged.size)
    except ActionRefused:  # a cursor from a hand-made URL: the first page
        paged = paged.model_copy(update={"cursor": ""})
        page = work.unassigned_page(store, None, paged.size)
    try:
        answers = work.unassigned_responses_page(store, paged.rcursor or None, paged.size)
    except ActionRefused:
        paged = paged.model_copy(update={"rcursor": ""})
        answers = work.unassigned_responses_page(store, None, paged.size)
    user = store.staff.get(staff.id)
    assigned, overdue = store.assignments.counts(today).get(staff.email, (0, 0))
    return render(request, "work.html", nav="work", notice=NOTICES.get(paged.done),
                  mine=store.assignments.mine(staff.email, MINE_SHOWN), assigned=assigned, overdue=overdue,
                  waiting=page.reviews, waiting_responses=answers.responses,
                  unassigned=store.assignments.count_unassigned_reviews(),
                  unassigned_responses=store.assignments.count_unassigned_responses(), sizes=PAGE_SIZES, paged=paged,
                  next_query=paged.query(cursor=page.cursor, done="") if page.cursor else None,
                  first_query=paged.query(cursor="", done="") if paged.cursor else None,
                  next_responses=paged.query(rcursor=answers.cursor, done="") if answers.cursor else None,
                  first_responses=paged.query(rcursor="", done="") if paged.rcursor else None,
                  digest=bool(user and user.digest_mail), default_due=work.default_due(today))


@router.post("/vendors/{vendor_id}/assignment")
def assign(request: Request, vendor_id: str, staff: Reviewer, store: StoreDep, settings: SettingsDep,
           inputs: InputsDep, csrf_token: Annotated[str, Form()] = "", assignee: Annotated[str, Form()] = "",
           due_on: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "") -> Response:
    """Give the vendor's review waiting to a reviewer (or take it: `back` work, from My work)."""
    check_csrf(request, csrf_token, staff)
    vendor = vendor_or_404(store, vendor_id)
    today = dt.date.today()
    try:
        done = work.assign_review(store, vendor, assignee=assignee, due_on=due_day(due_on), by=staff.email,
                                  today=today)
    except ActionRefused as exc:
        return vendor_refused(request, store, inputs, vendor, f"The review was not assigned: {exc}")
    made = done.assignment
    sent, _ = work.mail_assignment(settings, vendor=vendor.name, to=made.assignee, by=staff.email,
                                   due_on=made.due_on, link=f"{portal_base(request, settings)}/vendors/{vendor.id}",
                                   before=done.before)
    if sent:
        store.audit.record("work_assignment_mailed", actor=staff.email, vendor_id=vendor.id, subject=made.assignee,
                           detail={"kind": made.kind, "due_on": made.due_on.isoformat()})
    if back == "work":
        return RedirectResponse("/work?done=taken", status_code=303)
    told = "assigned_mailed" if sent else "assigned"
    return RedirectResponse(f"/vendors/{vendor.id}?done={told}", status_code=303)


@router.get("/vendors/{vendor_id}/assignment/unassign", response_class=HTMLResponse)
def unassign_page(request: Request, vendor_id: str, staff: Reviewer, store: StoreDep) -> Response:
    vendor = vendor_or_404(store, vendor_id)
    return render(request, "unassign.html", vendor=vendor, assignment=store.assignments.live("review", vendor.id))


@router.post("/vendors/{vendor_id}/assignment/unassign")
def unassign(request: Request, vendor_id: str, staff: Reviewer, store: StoreDep, inputs: InputsDep,
             csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    vendor = vendor_or_404(store, vendor_id)
    try:
        work.unassign_review(store, vendor, by=staff.email)
    except ActionRefused as exc:
        return vendor_refused(request, store, inputs, vendor, str(exc))
    return RedirectResponse(f"/vendors/{vendor.id}?done=unassigned", status_code=303)


@router.post("/work/digest")
def digest_setting(request: Request, staff: Reviewer, store: StoreDep, csrf_token: Annotated[str, Form()] = "",
                   digest: Annotated[str, Form()] = "") -> Response:
    """Turn my daily digest on or off (audited as a change of the user)."""
    check_csrf(request, csrf_token, staff)
    store.staff.update(staff.id, actor=staff.email, digest_mail=digest == "on")
    return RedirectResponse(f"/work?done=digest_{'on' if digest == 'on' else 'off'}", status_code=303)


# -- a vendor's response to a remediation, waiting for a decision -------------------------------------------------
@router.post("/vendors/{vendor_id}/responses/{response_id}/assignment")
def assign_response(request: Request, vendor_id: str, response_id: str, staff: Reviewer, store: StoreDep,
                    settings: SettingsDep, inputs: InputsDep, csrf_token: Annotated[str, Form()] = "",
                    assignee: Annotated[str, Form()] = "", due_on: Annotated[str, Form()] = "",
                    back: Annotated[str, Form()] = "") -> Response:
    """Give the decision on the vendor's waiting response to a reviewer (or take it: `back` work, from My work)."""
    check_csrf(request, csrf_token, staff)
    vendor = vendor_or_404(store, vendor_id)
    try:
        done = work.assign_response(store, vendor, response_id, assignee=assignee, due_on=due_day(due_on),
                                    by=staff.email, today=dt.date.today())
    except ActionRefused as exc:
        return vendor_refused(request, store, inputs, vendor, f"The response was not assigned: {exc}")
    made = done.assignment
    code = store.responses.get(vendor.id, response_id).remediation
    sent, _ = work.mail_assignment(settings, vendor=vendor.name, to=made.assignee, by=staff.email,
                                   due_on=made.due_on, before=done.before, work=f"decision on the response to {code}",
                                   link=f"{portal_base(request, settings)}/vendors/{vendor.id}#responses")
    if sent:
        store.audit.record("work_assignment_mailed", actor=staff.email, vendor_id=vendor.id, subject=made.assignee,
                           detail={"kind": made.kind, "ref_id": made.ref_id, "due_on": made.due_on.isoformat()})
    if back == "work":
        return RedirectResponse("/work?done=taken_response", status_code=303)
    told = "response_assigned_mailed" if sent else "response_assigned"
    return RedirectResponse(f"/vendors/{vendor.id}?done={told}#responses", status_code=303)


@router.get("/vendors/{vendor_id}/responses/{response_id}/assignment/unassign", response_class=HTMLResponse)
def unassign_response_page(request: Request, vendor_id: str, response_id: str, staff: Reviewer,
                           store: StoreDep) -> Response:
    vendor = vendor_or_404(store, vendor_id)
    response = store.responses.get(vendor.id, response_id)
    return render(request, "unassign_response.html", vendor=vendor, response=response,
                  assignment=store.assignments.live("response", vendor.id, response.id) if response else None)


@router.post("/vendors/{vendor_id}/responses/{response_id}/assignment/unassign")
def unassign_response(request: Request, vendor_id: str, response_id: str, staff: Reviewer, store: StoreDep,
                      inputs: InputsDep, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    vendor = vendor_or_404(store, vendor_id)
    try:
        work.unassign_response(store, vendor, response_id, by=staff.email)
    except ActionRefused as exc:
        return vendor_refused(request, store, inputs, vendor, str(exc))
    return RedirectResponse(f"/vendors/{vendor.id}?done=response_unassigned#responses", status_code=303)
