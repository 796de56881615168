"""The words of a qualification, each spelled once: decisions, geographic bands, vendor statuses, review actions,
remediation priorities and states. Every other module imports them from here (the web app's labels and orders,
the command line's colours, the clause library's conditions, the store's rows).
"""

from __future__ import annotations

from typing import Literal, get_args

DecisionValue = Literal["qualified", "conditional", "not_qualified"]
"""What the engine decides for one submission (a reviewer may change it, `ReviewAction`)."""
DECISIONS: tuple[str, ...] = get_args(DecisionValue)
ISSUES_SOW: tuple[str, ...] = ("qualified", "conditional")
"""The decisions a SOW may be written for."""

Band = Literal["low", "medium", "high", "prohibited"]
"""A country's (and a vendor's) geographic risk band, best to worst."""
BANDS: tuple[str, ...] = get_args(Band)
BAND_ORDER: dict[str, int] = {band: rank for rank, band in enumerate(BANDS)}

Status = Literal["action_required", "pending_review", "expired", "reattestation_requested", "conditional",
                 "qualified", "not_qualified", "awaiting_submission"]
"""A vendor's status on a day (`scoring.lifecycle.vendor_status`; `awaiting_submission`: invited, not assessed)."""
STATUSES: tuple[str, ...] = get_args(Status)
"""In the order a person works through them: what needs action first."""
STATUS_LABELS: dict[str, str] = {
    "action_required": "Action required", "pending_review": "Review waiting", "expired": "Expired",
    "reattestation_requested": "Re-attestation requested", "conditional": "Conditional", "qualified": "Qualified",
    "not_qualified": "Not qualified", "awaiting_submission": "Awaiting submission",
}

ReviewAction = Literal["approve", "reject", "override"]
Priority = Literal["high", "normal"]
RemediationState = Literal["open", "overdue", "done"]
"""`overdue`: open past its due date (computed on the day, never stored)."""
