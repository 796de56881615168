"""Returned questionnaires taken in: `intake` (validate, score, store, write the SOWs; by `fairsource serve`'s
process when one runs for this home) and `demo` (the same on the bundled example vendors), with how a decision
is printed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from .shared import (
    EXIT_REJECTED,
    as_of_or_today,
    date_option,
    decision_style,
    err,
    fail,
    flow_module,
    one_off,
    open_store,
    out,
    print_rejected,
)


def _print_outcome(o: dict, source: Path | str | None = None) -> None:
    """One decision (the `--json` decision object) as a person reads it: the vendor and decision, the file it
    came from, the reasons (a knockout once, with its question), remediations and the SOW. `source`: the path
    as given on the command line (default: the file's name)."""
    decision = o["decision"]
    note = " (received before: nothing new stored)" if o["duplicate"] else ""
    # A refusal is not valid until a date: its date is when the vendor may be looked at again.
    until = f"review on {o['valid_until']}" if decision == "not_qualified" else f"valid until {o['valid_until']}"
    out.print(Text.assemble((o["vendor"], "bold"), ": ", (decision, decision_style(decision)),  # text, not markup
                            f" - score {o['score']:.1f}, geography {o['geo']['band']}, {until}{note}"))
    out.print(f"  file: {source or o['file']}", highlight=False, markup=False)
    for k in o["knockouts"]:  # first: a knockout is why the vendor is refused
        out.print(f"  - knockout {k['rule']} ({k['question'] or 'country data'}): {k['reason']}", highlight=False,
                  markup=False)
    knockouts = {f"Knockout ({k['rule']}): {k['reason']}" for k in o["knockouts"]}
    for reason in o["reasons"]:
        if reason not in knockouts:  # printed above, with the question it comes from
            out.print(f"  - {reason}", highlight=False, markup=False)
    for r in o["remediations"]:
        out.print(f"  - remediation: {r['action']} (due {r['due_date']})", highlight=False, markup=False)
    draft = " (DRAFT: a review is pending; its approval issues the final SOW)" if o["sow_status"] == "draft" else ""
    out.print(f"  SOW: {o['sow']}{draft}" if o["sow"] else "  no SOW (not qualified)", highlight=False, markup=False)


def _run_intake(paths: list[Path], as_of=None) -> tuple[list[dict], list[dict], list[Path | None]]:
    """The intake of `paths`: by `fairsource serve`'s process when one runs for this home (see flows.handoff),
    else by the intake flow run here, in batches. Returns the outcomes (`--json` decision objects), the rejected
    files (`{"file", "errors"}`, the file as given) and for each outcome the path it was read from as given
    (None where that cannot be told)."""
    import os

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.handoff import intake_via_serve, result_of
    from supplier_models.settings import get_settings

    names = [str(p) for p in paths]
    given = {**{os.path.abspath(p): p for p in paths}, **{str(p): p for p in paths}}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=len(paths) < 2) as progress:
        job = progress.add_task("Intake", total=len(paths))
        done = intake_via_serve(get_settings(), names, as_of, lambda n: progress.advance(job, n))
        if done is None:  # no serve for this home (or not one that gives the same result): run the flow here
            intake_flow = flow_module("intake")
            with one_off():
                done = result_of(intake_flow.intake_in_batches(names, as_of), lambda n: progress.advance(job, n))
    sources = [given.get(o.pop("source")) for o in done["outcomes"]]
    for r in done["rejected"]:
        r["file"] = str(given.get(r["file"], r["file"]))
    return done["outcomes"], done["rejected"], sources


def intake(
    files: Annotated[list[Path], typer.Argument(help="returned questionnaire workbooks (.xlsx)")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON decision object per file")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="record the files as received on YYYY-MM-DD")] = None,
) -> None:
    """Validate, score and store returned questionnaires, and write their SOWs."""
    from supplier_models.errors import FairsourceError

    day = date_option("--as-of", as_of)
    try:
        outcomes, rejected, sources = _run_intake(files, day)
    except FairsourceError as exc:
        fail(str(exc))
    for r in rejected:
        if as_json:
            print(json.dumps(r))
        print_rejected(r)
    for o, source in zip(outcomes, sources, strict=True):
        if as_json:
            print(json.dumps(o))
        else:
            _print_outcome(o, source)
    if rejected:
        raise typer.Exit(EXIT_REJECTED)


def demo(
    folder: Annotated[Path | None, typer.Option("--out", help="where the demo's files go")] = None,
) -> None:
    """Run the intake flow on the bundled example vendors, end to end, on the embedded store."""
    from supplier_models import get_settings
    from supplier_models.errors import FairsourceError
    from supplier_models.workbooks.examples import EXAMPLES, write_example

    settings = get_settings()
    folder = folder or settings.home / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for vendor in EXAMPLES:
        path = folder / f"{vendor.slug}.xlsx"
        if not path.exists():  # a second demo re-submits the same files: nothing is stored twice
            write_example(vendor, folder)
        paths.append(path)
    import os

    from flows.handoff import socket_path

    where = "on the running Prefect server" if os.environ.get("PREFECT_API_URL") or socket_path(settings).exists() \
        else "Prefect starts a temporary server"
    err.print(f"Running the intake flow on {len(paths)} example vendors ({where})...")
    try:
        outcomes, rejected, _ = _run_intake(paths)
        from flows.usecases import write_report

        report_path = write_report(settings, str(settings.reports_dir / "portfolio.xlsx"))
    except FairsourceError as exc:
        fail(str(exc))
    table = Table(title="fairsource demo: intake decisions")
    table.add_column("Vendor", ratio=3)
    table.add_column("Decision", no_wrap=True, min_width=13)
    table.add_column("Score", no_wrap=True)
    table.add_column("Geography", no_wrap=True)
    table.add_column("Knockouts / remediations", ratio=2)
    table.add_column("SOW", no_wrap=True)
    for o in outcomes:
        why = ", ".join(k["rule"] for k in o["knockouts"]) or (
            f"{len(o['remediations'])} remediation(s)" if o["remediations"] else "-")
        table.add_row(Text(o["vendor"]), f"[{decision_style(o['decision'])}]{o['decision']}[/]", f"{o['score']:.1f}",
                      o["geo"]["band"], why, "written" if o["sow"] else "-")
    out.print(table)
    if any(o["duplicate"] for o in outcomes):
        out.print("These workbooks were received before: nothing new was stored.")
    for r in rejected:
        print_rejected(r)
    out.print(f"Workbooks: {folder}", highlight=False)
    out.print(f"SOWs:      {settings.sow_dir}", highlight=False)
    out.print(f"Report:    {report_path}", highlight=False)
    out.print(f"Store:     {settings.url}", highlight=False)
    from flows.usecases import statuses
    from scoring.lifecycle import load_review_policy

    waiting = [s.vendor for s in statuses(open_store(settings), load_review_policy(settings.review_policy),
                                          as_of_or_today(None)) if s.review_pending]
    if waiting:
        out.print(Text(f"Waiting for a person's review (their SOWs are drafts): {', '.join(waiting)}.\n"
                       "Next: .venv/bin/fairsource status, then .venv/bin/fairsource review VENDOR --decision approve "
                       "--reason TEXT --reviewer NAME"))
