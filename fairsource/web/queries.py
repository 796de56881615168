"""What the analysts' pages and the API read of one vendor: the vendor (or 404), and all its page shows."""

import datetime as dt
from contextlib import closing
from typing import Any

from fairsource import accounts
from flows import usecases
from flows.usecases import assignments as usecases_assignments
from flows.usecases.frameworks import framework_results
from scoring import Decision
from scoring.lifecycle import ReviewPolicy
from sow_templates import pdf as sow_pdf
from supplier_models import Store
from supplier_models.errors import NotFound
from supplier_models.store.tables import Vendor

from .evidence_views import evidence_context


def vendor_or_404(store: Store, vendor_id: str) -> Vendor:
    vendor = store.vendors.get(vendor_id)
    if vendor is None:
        raise NotFound("No such vendor.")
    return vendor


def vendor_context(store: Store, policy: ReviewPolicy, vendor: Vendor, today: dt.date) -> dict[str, Any]:
    """The vendor page's context: status, latest decision with its explanation by principle, the frameworks
    evaluated for it, history, remediations, reviews, SOW, portal links."""
    found = list(usecases.statuses(store, policy, today, vendor.id))
    latest = store.assessments.latest(vendor.id)
    decision = Decision.model_validate(latest.data) if latest else None
    explanation: dict[str, list] = {}
    if decision:
        for c in decision.explanation:
            explanation.setdefault(c.principle or "other", []).append(c)
    sow = store.sows.latest(vendor.id)
    frameworks: list = []
    if latest:
        with closing(framework_results(store, vendor.id)) as found_results:
            frameworks = next(found_results, (None, []))[1]
    return dict(
        vendor=vendor, status=found[0] if found else None, decision=decision, explanation=explanation,
        history=store.assessments.history(vendor.id), latest=latest,
        remediations=[usecases.RemediationView.of(r, today) for r in store.remediations.all(vendor.id)],
        reviews=store.reviews.of_vendor(vendor.id), sow=sow, invites=store.invites.of_vendor(vendor.id), now=accounts.now(),
        pdf=sow_pdf.libreoffice() is not None, analysts=[u.email for u in store.staff.all()], frameworks=frameworks,
        **evidence_context(store, vendor.id, today),
        assignment=store.assignments.live("review", vendor.id), assignees=usecases_assignments.assignees(store),
        response_assignments={a.ref_id: a for a in store.assignments.of_vendor(vendor.id)
                               if a.kind == "response" and a.ended_at is None},
        default_due=usecases_assignments.default_due(today),
    )
