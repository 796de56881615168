"""Where a vendor stands and what people do about it, without Prefect: `status` (every vendor's, or one's),
`review` (a person's approval, rejection or override of the latest assessment) and `remediate` (close a
remediation with its evidence)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from .shared import EXIT_REJECTED, as_of_or_today, fail, open_store, out, refused


def _lifecycle():
    """The store and review policy for the lifecycle commands: no Prefect, no country data."""
    from scoring.lifecycle import load_review_policy
    from supplier_models import get_settings

    settings = get_settings()
    return open_store(settings), load_review_policy(settings.review_policy), settings


STATUS_STYLE = {"qualified": "green", "conditional": "yellow", "pending_review": "yellow",
                "reattestation_requested": "cyan", "action_required": "red", "not_qualified": "red", "expired": "red"}


def _print_json(store, found) -> None:
    """One status object a line, each with its `frameworks` key (docs/contracts.md): the two streams come in
    vendor-name order; a vendor's frameworks are read ahead for in theirs."""
    from flows.usecases.frameworks import ahead_of, summaries_by_vendor

    results = None
    for s in found:
        if results is None:  # one vendor's, or every vendor's
            results = ahead_of(summaries_by_vendor(store, None if isinstance(found, Iterator) else s.vendor_id))
        line = s.model_dump(mode="json")
        line["frameworks"] = results(s.vendor_id)
        print(json.dumps(line, ensure_ascii=False, separators=(",", ":")))


def _rebuild(day, as_json: bool, *, given: bool) -> None:
    """As of `day`; without --as-of, as of the store's latest day when runs were made for later days than today."""
    import json

    from flows.usecases.vendor_state import rebuild
    from supplier_models import get_settings

    store = open_store()
    if not given:
        day = max(filter(None, [day, store.states.latest_day()]))
    counts = rebuild(store, get_settings(), day)
    if as_json:
        print(json.dumps({"as_of": day.isoformat(), **counts}))
    else:
        out.print(f"Vendor states rebuilt from the history as of {day}: {counts['unchanged']} unchanged, "
                  f"{counts['changed']} changed, {counts['added']} added.")
        for change in counts["changes"][:20]:
            out.print(Text("  " + "; ".join(f"{k}: {v}" for k, v in change.items())))


def status(
    vendor: Annotated[str | None, typer.Argument(help="one vendor's name or id (default: every vendor)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per vendor, a line each")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="as if today were YYYY-MM-DD")] = None,
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="recompute every vendor's stored state row from the history and say what changed (as of "
        "--as-of, else today or the latest day a run was made for)")] = False,
) -> None:
    """Where each vendor stands: qualified, conditional, pending_review, action_required, not_qualified, expired,
    reattestation_requested; with its dates, remediations and last review."""
    from flows.usecases import status_of, statuses
    from supplier_models.errors import FairsourceError

    day = as_of_or_today(as_of)
    if rebuild:
        return _rebuild(day, as_json, given=as_of is not None)
    try:
        store, policy, _ = _lifecycle()
        found = [status_of(store, policy, vendor, day)] if vendor else statuses(store, policy, day)
    except FairsourceError as exc:
        fail(str(exc), EXIT_REJECTED if vendor else 1)
    if as_json:
        return _print_json(store, found)
    table = Table(title=f"Vendor status on {day}")
    table.add_column("Vendor", ratio=2)
    table.add_column("Status", no_wrap=True)
    table.add_column("Until", no_wrap=True)
    table.add_column("Remediations", ratio=1)
    table.add_column("Review", ratio=1)
    for s in found:
        dates = f"{s.valid_until}" if s.valid_until else f"review {s.review_on}"
        rems = ", ".join(part for part in (
            f"{len(s.overdue_remediations)} overdue" if s.overdue_remediations else "",
            f"{len(s.open_remediations)} open" if s.open_remediations else "",
            f"{s.remediations_done} done" if s.remediations_done else "") if part) or "-"
        review = (f"{s.last_review.action} by {s.last_review.reviewer}" if s.last_review else
                  ("waiting" if s.review_pending else "-"))
        table.add_row(Text(s.vendor), Text(s.status, style=STATUS_STYLE.get(s.status, "")), dates, rems,
                      Text(review))
    out.print(table)
    if vendor and found:
        s = found[0]
        for r in [*s.overdue_remediations, *s.open_remediations]:
            out.print(Text(f"  {r.id} [{r.state}, {r.priority}, due {r.due_date}] {r.action}"))
        if s.review_pending:
            out.print(Text("  review required: " + "; ".join(s.review_required)))
        if s.sow:
            out.print(Text(f"  SOW ({s.sow_status}): {s.sow}"))


def review(
    vendor: Annotated[str, typer.Argument(help="the vendor's name or id")],
    decision: Annotated[str, typer.Option("--decision", help="approve | reject | override")],
    reason: Annotated[str, typer.Option("--reason", help="why: required, kept in the record")] = "",
    reviewer: Annotated[str, typer.Option("--reviewer", help="who reviews")] = "",
    to: Annotated[str | None, typer.Option("--to", help="override: qualified | conditional | not_qualified")] = None,
    override_knockout: Annotated[bool, typer.Option("--override-knockout",
                                                    help="allow an override past a knockout (flagged)")] = False,
) -> None:
    """Record a person's review of the vendor's latest assessment (append-only). An approval of a pending
    review issues the final SOW."""
    from flows.usecases import record_review
    from supplier_models.errors import ActionRefused, FairsourceError

    if decision not in ("approve", "reject", "override"):
        fail(f"--decision {decision}: one of approve, reject, override", EXIT_REJECTED)
    if not reason.strip():
        fail("a review needs a reason: --reason TEXT", EXIT_REJECTED)
    if not reviewer.strip():
        fail("a review needs the reviewer's name: --reviewer NAME", EXIT_REJECTED)
    from flows import usecases

    try:
        store, _, settings = _lifecycle()
        done = record_review(store, settings, usecases.load_inputs(settings), vendor, action=decision, reason=reason,
                             reviewer=reviewer, to_decision=to, override_knockout=override_knockout)
    except ActionRefused as exc:
        refused(exc)
    except FairsourceError as exc:
        fail(str(exc))
    s = done.status
    out.print(Text(f"{s.vendor}: {decision} recorded ({reviewer}). Status: {s.status}, decision {s.decision}."))
    if done.sow:
        out.print(Text(f"Final SOW: {done.sow}"))
    elif s.review_pending:
        out.print(Text("Still waiting for: " + "; ".join(s.review_required)))


def remediate(
    vendor: Annotated[str, typer.Argument(help="the vendor's name or id")],
    remediation_id: Annotated[str, typer.Argument(help="the remediation's id, e.g. R3 (see fairsource status)")],
    evidence: Annotated[str, typer.Option("--evidence", help="what shows it is done")] = "",
    reviewer: Annotated[str, typer.Option("--reviewer", help="who accepts the evidence")] = "",
    as_of: Annotated[str | None, typer.Option("--as-of", help="closed on YYYY-MM-DD (default today)")] = None,
) -> None:
    """Close a remediation with its evidence."""
    from flows.usecases import close_remediation
    from supplier_models.errors import ActionRefused, FairsourceError

    try:
        store, _, _ = _lifecycle()
        done = close_remediation(store, vendor, remediation_id, evidence=evidence, reviewer=reviewer,
                                 as_of=as_of_or_today(as_of))
    except ActionRefused as exc:
        refused(exc)
    except FairsourceError as exc:
        fail(str(exc))
    out.print(Text(f"{done.id} closed on {done.closed_on} by {done.closed_by}: {done.action}"))
