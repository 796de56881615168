"""Requalification: `requalify` rescores the vendors whose rubric, policy or country data changed, asks those
about to expire for a fresh attestation and sends the reminders (the flow `fairsource serve` also runs on its
schedule)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from .shared import EXIT_REJECTED, as_of_or_today, decision_style, fail, flow_module, out


def requalify(
    as_of: Annotated[str | None, typer.Option("--as-of", help="run as if today were YYYY-MM-DD")] = None,
    within_days: Annotated[int | None, typer.Option(
        help="ask for a fresh attestation this many days before expiry")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON summary")] = False,
    allow_older_data: Annotated[bool, typer.Option(
        "--allow-older-data", help="rescore even with a rubric, country data or policy older than the vendors' "
        "latest assessments used (refused otherwise, exit 2)")] = False,
) -> None:
    """Rescore vendors whose rubric, policy or country data changed; ask those about to expire for a fresh
    attestation (a pre-filled form); send reminders. Running it twice for one date adds nothing."""
    from supplier_models.errors import ActionRefused, FairsourceError

    day = as_of_or_today(as_of)
    requalify_flow = flow_module("requalify")
    try:
        results, report_path, run, notices = requalify_flow.requalify(as_of=day, within_days=within_days,
                                                                      allow_older_data=allow_older_data)
    except ActionRefused as exc:
        fail(str(exc), EXIT_REJECTED)
    except FairsourceError as exc:
        fail(str(exc))
    if as_json:
        _print_json(day.isoformat(), results, run, notices, report_path)
        return
    table = Table(title=f"Requalification as of {day}: {len(results)} vendor(s) rescored on changed data")
    for column in ("Vendor", "Was", "Now", "Score", "Valid until", "SOW"):
        table.add_column(column)
    for r in results:
        table.add_row(r.vendor, r.previous_decision, f"[{decision_style(r.decision)}]{r.decision}[/]",
                      f"{r.score:.1f}", str(r.valid_until), "re-issued" if r.sow_reissued else "unchanged")
    if results:
        out.print(table)
    else:
        out.print(table.title + ".", highlight=False)
    for r in run.reattestation_requested:
        out.print(f"Fresh attestation requested: {r['vendor']} (due back by {r['expires_on']}), pre-filled form "
                  f"{r['form']}", highlight=False, markup=False)
    for r in run.expired:
        out.print(f"Expired: {r['vendor']} on {r['expired_on']}: no SOW until a fresh submission", highlight=False,
                  markup=False)
    for n in notices:
        to = ", ".join(n.to) if n.to else "no address: see the Prefect artifact"
        out.print(f"Reminder {n.kind}: {n.subject} -> {to}{' (e-mailed)' if n.emailed else ''}", highlight=False,
                  markup=False)
    out.print(f"Portfolio: {report_path}", highlight=False)


def _print_json(day: str, results, run, notices, report_path: str) -> None:
    """One JSON object on one line, each list written an item at a time as it is gone through (the rescored vendors
    read back from the store, the notices from the run's file): 100,000 vendors' are never a list in memory, nor one
    string (the 47,718 reminders of the bench's busy day as one string were the coordinator's peak)."""
    import sys

    write = sys.stdout.write
    write(json.dumps({"as_of": day})[:-1])
    _write_list(write, "rescored", (r.model_dump(mode="json") for r in results))
    _write_list(write, "reattestation_requested", (_jsonable(r) for r in run.reattestation_requested))
    _write_list(write, "expired", (_jsonable(r) for r in run.expired))
    _write_list(write, "reminders", (n.model_dump(mode="json", include={"vendor", "kind", "subject", "to", "emailed"})
                                     for n in notices))
    write(", " + json.dumps({"report": report_path})[1:] + "\n")
    sys.stdout.flush()


def _write_list(write, key: str, items) -> None:
    """`, "key": [item, item]` as `json.dumps` writes it, an item at a time."""
    write(f", {json.dumps(key)}: [")
    for i, item in enumerate(items):
        write((", " if i else "") + json.dumps(item))
    write("]")


def _jsonable(row: dict) -> dict:
    import datetime as dt

    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}
