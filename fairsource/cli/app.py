"""The `fairsource` command line (DESIGN.md, "Command line")."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

app = typer.Typer(
    help="Qualify suppliers of human-data services and write the SOWs that bind them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_REJECTED = 2


def _fail(message: str, code: int = 1) -> None:
    err.print(Text.assemble(("error: ", "bold red"), message))  # the message as text, never as markup
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"fairsource {version('fairsource')}", highlight=False)
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="print the version and exit")] = False,
) -> None:
    """Qualify suppliers of human-data services and write the SOWs that bind them."""


def _day(option: str, value: str | None):
    """A YYYY-MM-DD option, or exit 2 saying what was wrong."""
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} {value}: give a date as YYYY-MM-DD", EXIT_REJECTED)


def _today(as_of: str | None):
    import datetime as dt

    return _day("--as-of", as_of) or dt.date.today()


@app.command()
def form(
    vendor: Annotated[str, typer.Option("--vendor", help="the vendor's name, as it will appear in the SOW")],
    out_path: Annotated[Path, typer.Option("--out", help="where to write the .xlsx")],
    contact: Annotated[str | None, typer.Option("--contact", help="the vendor's e-mail address, for reminders")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
) -> None:
    """Write a blank qualification questionnaire for a vendor."""

    from supplier_models import FairsourceError, write_form
    from supplier_models.names import is_email
    from supplier_models.questionnaire import current

    name = vendor.strip()
    if not name:
        _fail("--vendor: give the vendor's name (it cannot be empty)", EXIT_REJECTED)
    if out_path.suffix.lower() != ".xlsx":
        _fail(f"{out_path}: the questionnaire is an Excel workbook; name it .xlsx", EXIT_REJECTED)
    if out_path.exists() and not force:
        _fail(f"{out_path} exists (it may be a filled-in form): choose another name, or add --force", EXIT_REJECTED)
    if contact is not None and not is_email(contact):
        _fail(f"--contact {contact}: not an e-mail address", EXIT_REJECTED)
    try:
        path = write_form(out_path, name)
        if contact:  # the store only then: a blank form needs no database
            from supplier_models import Store, get_settings

            Store(get_settings().url).vendors.set_contact(name, contact.strip())
    except (FairsourceError, OSError) as exc:
        _fail(str(exc))
    q = current()
    out.print(f"Wrote {path} ({q.id} v{q.version}, {len(q.questions)} questions) for ", end="", highlight=False)
    out.print(name, style="bold", highlight=False, markup=False, end="")
    out.print(f"; reminders go to {contact.strip()}." if contact else ".", highlight=False, markup=False)


def _print_problems(problems, path: Path) -> None:
    err.print(f"[bold red]{path}: rejected[/], {len(problems)} problem(s):", highlight=False)
    for p in problems:
        where = p.cell or "file"
        about = f" [{p.question}]" if p.question else ""
        err.print(f"  {where}{about}: {p.message}", highlight=False, markup=False)


def _print_rejected(rejected: dict) -> None:
    """A file the intake rejected (`{"file", "errors"}`, as `_run_intake` returns it), every problem listed."""
    from supplier_models.errors import Problem

    _print_problems([Problem.model_validate(p) for p in rejected["errors"]], Path(rejected["file"]))


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="returned questionnaire workbooks", exists=False)],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object per file")] = False,
) -> None:
    """Validate returned questionnaires without storing anything (exit 2 if any is rejected)."""
    from supplier_models import WorkbookRejected, read_workbook

    rejected = False
    for path in files:
        try:
            sub = read_workbook(path)
        except WorkbookRejected as exc:
            rejected = True
            if as_json:
                print(json.dumps({"file": str(path), **exc.as_json()}))
            _print_problems(exc.problems, path)
            continue
        if as_json:
            print(json.dumps({"file": str(path), "vendor": sub.vendor_name, "errors": []}))
        else:
            out.print(f"{path}: OK, {sub.vendor_name}, {sub.questionnaire_id} v{sub.questionnaire_version}, "
                      f"{len(sub.countries)} countries")
    if rejected:
        raise typer.Exit(EXIT_REJECTED)


def _flow(name: str):
    """Import a flow's module (and Prefect) only for the command that runs it, and only that one."""
    from importlib import import_module

    from flows.runtime import configure_prefect

    configure_prefect()
    return import_module(f"flows.{name}")


def _one_off():
    """The settings of a flow run this command waits for (see `flows.runtime.one_off_flow_runs`)."""
    from flows.runtime import one_off_flow_runs

    return one_off_flow_runs()


def _decision_style(decision: str) -> str:
    return {"qualified": "green", "conditional": "yellow", "not_qualified": "red"}.get(decision, "")


def _print_outcome(o: dict, source: Path | str | None = None) -> None:
    """One decision (the `--json` decision object) as a person reads it: the vendor and decision, the file it
    came from, the reasons (a knockout once, with its question), remediations and the SOW. `source`: the path
    as given on the command line (default: the file's name)."""
    decision = o["decision"]
    note = " (received before: nothing new stored)" if o["duplicate"] else ""
    # A refusal is not valid until a date: its date is when the vendor may be looked at again.
    until = f"review on {o['valid_until']}" if decision == "not_qualified" else f"valid until {o['valid_until']}"
    out.print(Text.assemble((o["vendor"], "bold"), ": ", (decision, _decision_style(decision)),  # text, not markup
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
            intake_flow = _flow("intake")
            with _one_off():
                done = result_of(intake_flow.intake_in_batches(names, as_of), lambda n: progress.advance(job, n))
    sources = [given.get(o.pop("source")) for o in done["outcomes"]]
    for r in done["rejected"]:
        r["file"] = str(given.get(r["file"], r["file"]))
    return done["outcomes"], done["rejected"], sources


@app.command()
def intake(
    files: Annotated[list[Path], typer.Argument(help="returned questionnaire workbooks (.xlsx)")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON decision object per file")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="record the files as received on YYYY-MM-DD")] = None,
) -> None:
    """Validate, score and store returned questionnaires, and write their SOWs."""
    from supplier_models import FairsourceError

    day = _day("--as-of", as_of)
    try:
        outcomes, rejected, sources = _run_intake(files, day)
    except FairsourceError as exc:
        _fail(str(exc))
    for r in rejected:
        if as_json:
            print(json.dumps(r))
        _print_rejected(r)
    for o, source in zip(outcomes, sources, strict=True):
        if as_json:
            print(json.dumps(o))
        else:
            _print_outcome(o, source)
    if rejected:
        raise typer.Exit(EXIT_REJECTED)


@app.command()
def sow(
    vendor: Annotated[str, typer.Argument(help="the vendor's name (or id)")],
    out_path: Annotated[Path | None, typer.Option("--out", help="where to write the .docx")] = None,
    template: Annotated[Path | None, typer.Option("--template", help="your own docxtpl template")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="also convert to PDF with LibreOffice")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="as if today were YYYY-MM-DD")] = None,
) -> None:
    """Write the SOW for the vendor's latest qualifying assessment (exit 2 if not qualified or expired)."""
    from supplier_models import FairsourceError

    day = _day("--as-of", as_of)
    sow_flow = _flow("sow")
    try:
        with _one_off():
            path = sow_flow.sow(vendor, str(out_path) if out_path else None, str(template) if template else None,
                                day)
    except sow_flow.NotQualified as exc:
        _fail(str(exc), EXIT_REJECTED)
    except FairsourceError as exc:
        _fail(str(exc))
    from supplier_models import Store, get_settings

    store = Store(get_settings().url)
    record = store.sows.latest(store.vendors.find(vendor).id)
    draft = " (DRAFT: a review is pending; an approval issues the final SOW)" if record and record.status == "draft" \
        else ""
    out.print(f"SOW written: {path}{draft}", highlight=False)
    if pdf:
        from sow_templates import to_pdf

        try:
            out.print(f"PDF written: {to_pdf(Path(path), Path(path).parent)}", highlight=False)
        except FairsourceError as exc:
            _fail(str(exc))


@app.command()
def requalify(
    as_of: Annotated[str | None, typer.Option("--as-of", help="run as if today were YYYY-MM-DD")] = None,
    within_days: Annotated[int | None, typer.Option(
        help="ask for a fresh attestation this many days before expiry")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON summary")] = False,
) -> None:
    """Rescore vendors whose rubric, policy or country data changed; ask those about to expire for a fresh
    attestation (a pre-filled form); send reminders. Running it twice for one date adds nothing."""
    from supplier_models import FairsourceError

    day = _today(as_of)
    requalify_flow = _flow("requalify")
    try:
        results, report_path, run, notices = requalify_flow.requalify(as_of=day, within_days=within_days)
    except FairsourceError as exc:
        _fail(str(exc))
    if as_json:
        print(json.dumps({
            "as_of": day.isoformat(),
            "rescored": [r.model_dump(mode="json") for r in results],
            "reattestation_requested": [_jsonable(r) for r in run.reattestation_requested],
            "expired": [_jsonable(r) for r in run.expired],
            "reminders": [n.model_dump(mode="json", include={"vendor", "kind", "subject", "to", "emailed"})
                          for n in notices],
            "report": report_path,
        }))
        return
    table = Table(title=f"Requalification as of {day}: {len(results)} vendor(s) rescored on changed data")
    for column in ("Vendor", "Was", "Now", "Score", "Valid until", "SOW"):
        table.add_column(column)
    for r in results:
        table.add_row(r.vendor, r.previous_decision, f"[{_decision_style(r.decision)}]{r.decision}[/]",
                      f"{r.score:.1f}", str(r.valid_until), "re-issued" if r.sow_reissued else "unchanged")
    if results:
        out.print(table)
    else:
        out.print(table.title + ".", highlight=False)
    for r in run.reattestation_requested:
        out.print(f"Fresh attestation requested: {r['vendor']} (lapses {r['expires_on']}), pre-filled form "
                  f"{r['form']}", highlight=False, markup=False)
    for r in run.expired:
        out.print(f"Expired: {r['vendor']} on {r['expired_on']}: no SOW until a fresh submission", highlight=False,
                  markup=False)
    for n in notices:
        to = ", ".join(n.to) if n.to else "no address: see the Prefect artifact"
        out.print(f"Reminder {n.kind}: {n.subject} -> {to}{' (e-mailed)' if n.emailed else ''}", highlight=False,
                  markup=False)
    out.print(f"Portfolio: {report_path}", highlight=False)


def _jsonable(row: dict) -> dict:
    import datetime as dt

    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}


def _lifecycle():
    """The store and review policy for the lifecycle commands: no Prefect, no country data."""
    from scoring.lifecycle import load_review_policy
    from supplier_models import Store, get_settings

    settings = get_settings()
    return Store(settings.url), load_review_policy(settings.review_policy), settings


STATUS_STYLE = {"qualified": "green", "conditional": "yellow", "pending_review": "yellow",
                "reattestation_requested": "cyan", "action_required": "red", "not_qualified": "red", "expired": "red"}


@app.command()
def status(
    vendor: Annotated[str | None, typer.Argument(help="one vendor's name or id (default: every vendor)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per vendor, a line each")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="as if today were YYYY-MM-DD")] = None,
) -> None:
    """Where each vendor stands: qualified, conditional, pending_review, action_required, not_qualified, expired,
    reattestation_requested; with its dates, remediations and last review."""
    from flows.usecases import status_of, statuses
    from supplier_models import FairsourceError

    day = _today(as_of)
    try:
        store, policy, _ = _lifecycle()
        found = [status_of(store, policy, vendor, day)] if vendor else statuses(store, policy, day)
    except FairsourceError as exc:
        _fail(str(exc), EXIT_REJECTED if vendor else 1)
    if as_json:
        for s in found:
            print(s.model_dump_json())
        return
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


@app.command()
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
    from supplier_models import FairsourceError
    from supplier_models.errors import ActionRefused

    if decision not in ("approve", "reject", "override"):
        _fail(f"--decision {decision}: one of approve, reject, override", EXIT_REJECTED)
    if not reason.strip():
        _fail("a review needs a reason: --reason TEXT", EXIT_REJECTED)
    if not reviewer.strip():
        _fail("a review needs the reviewer's name: --reviewer NAME", EXIT_REJECTED)
    from flows import usecases

    try:
        store, _, settings = _lifecycle()
        done = record_review(store, settings, usecases.load_inputs(settings), vendor, action=decision, reason=reason,
                             reviewer=reviewer, to_decision=to, override_knockout=override_knockout)
    except ActionRefused as exc:
        _fail(str(exc), EXIT_REJECTED)
    except FairsourceError as exc:
        _fail(str(exc))
    s = done.status
    out.print(Text(f"{s.vendor}: {decision} recorded ({reviewer}). Status: {s.status}, decision {s.decision}."))
    if done.sow:
        out.print(Text(f"Final SOW: {done.sow}"))
    elif s.review_pending:
        out.print(Text("Still waiting for: " + "; ".join(s.review_required)))


@app.command()
def remediate(
    vendor: Annotated[str, typer.Argument(help="the vendor's name or id")],
    remediation_id: Annotated[str, typer.Argument(help="the remediation's id, e.g. R3 (see fairsource status)")],
    evidence: Annotated[str, typer.Option("--evidence", help="what shows it is done")] = "",
    reviewer: Annotated[str, typer.Option("--reviewer", help="who accepts the evidence")] = "",
) -> None:
    """Close a remediation with its evidence."""
    from flows.usecases import close_remediation
    from supplier_models import FairsourceError
    from supplier_models.errors import ActionRefused

    try:
        store, _, _ = _lifecycle()
        done = close_remediation(store, vendor, remediation_id, evidence=evidence, reviewer=reviewer)
    except ActionRefused as exc:
        _fail(str(exc), EXIT_REJECTED)
    except FairsourceError as exc:
        _fail(str(exc))
    out.print(Text(f"{done.id} closed on {done.closed_on} by {done.closed_by}: {done.action}"))


@app.command()
def report(
    out_path: Annotated[Path, typer.Option("--out", help="where to write the .xlsx")],
) -> None:
    """Write the portfolio workbook: one row per vendor, its latest assessment."""
    from flows.usecases import write_report  # no Prefect: a report needs no orchestration
    from supplier_models import FairsourceError, get_settings

    try:
        path = write_report(get_settings(), str(out_path))
    except FairsourceError as exc:
        _fail(str(exc))
    out.print(f"Portfolio written: {path}", highlight=False)


@app.command()
def policy(
    out_path: Annotated[Path, typer.Option("--out", help="where to write the blank policy workbook")],
) -> None:
    """Write a blank organisation policy workbook (prohibited countries, score overrides, living wages)."""
    from supplier_models.workbooks.policy_workbook import write_blank_policy

    path = write_blank_policy(out_path)
    out.print(f"Wrote {path}. Fill it in and set FAIRSOURCE_POLICY_FILE={path}", highlight=False)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="port of the local Prefect server and its UI (without PREFECT_API_URL)")]
    = 4200,
    intake_only: Annotated[bool, typer.Option(
        "--intake-only", help="serve no deployments (a team's workers run them): only run this home's intake "
        "commands in this warm process")] = False,
) -> None:
    """Serve the flows: requalification on its cron schedule, intake and SOW on demand (Ctrl-C stops). Meanwhile
    `fairsource intake` in the same home runs in this process."""
    import os

    from flows.runtime import configure_prefect, local_prefect_server
    from supplier_models import FairsourceError

    configure_prefect(serving=True)
    try:
        if os.environ.get("PREFECT_API_URL"):  # a team's Prefect server
            _serve(intake_only)
        else:
            with local_prefect_server(port) as url:  # stopped after the runner
                os.environ["PREFECT_API_URL"] = url
                out.print(f"Prefect server and UI: {url.removesuffix('/api')}", highlight=False)
                _serve(intake_only)
    except FairsourceError as exc:
        _fail(str(exc))
    out.print("Stopped.", highlight=False)


def _serve(intake_only: bool) -> None:
    """Serve the flows until Ctrl-C or SIGTERM (see flows.serve), and take the intakes of commands run in this
    home meanwhile (see flows.handoff)."""
    import os

    from flows.handoff import handoff_service
    from flows.serve import deployments, run_handed_off, send_queued, serve_all, wait_for_stop, warm_up
    from supplier_models import FairsourceError, get_settings

    deployed = [] if intake_only else deployments()
    try:
        warm_up()
    except FairsourceError as exc:  # the scheduled runs may still succeed later (a database that comes back)
        err.print(f"Warning: {exc}", highlight=False, markup=False)
    names = ", ".join(f"{d.flow_name}/{d.name}" + (f" (cron {d.schedules[0].schedule.cron})" if d.schedules else "")
                      for d in deployed)
    try:
        with handoff_service(get_settings(), os.environ["PREFECT_API_URL"], run_handed_off) as where:
            if where:
                out.print(f"fairsource intake in this home runs here: {where}", highlight=False, markup=False)
            if intake_only:
                if not where:
                    raise FairsourceError("another fairsource serve already runs this home's intakes (or this "
                                          "system has no Unix sockets): nothing to serve")
                out.print("Serving intakes only. Ctrl-C stops.", highlight=False)
                wait_for_stop()
            else:
                out.print(f"Serving {names}. Ctrl-C stops.", highlight=False, markup=False)
                serve_all(deployed)
    finally:
        send_queued()  # before the caller stops the local server


@app.command()
def demo(
    folder: Annotated[Path | None, typer.Option("--out", help="where the demo's files go")] = None,
) -> None:
    """Run the intake flow on the bundled example vendors, end to end, on the embedded store."""
    from supplier_models import FairsourceError, Store, get_settings
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
        _fail(str(exc))
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
        table.add_row(Text(o["vendor"]), f"[{_decision_style(o['decision'])}]{o['decision']}[/]", f"{o['score']:.1f}",
                      o["geo"]["band"], why, "written" if o["sow"] else "-")
    out.print(table)
    if any(o["duplicate"] for o in outcomes):
        out.print("These workbooks were received before: nothing new was stored.")
    for r in rejected:
        _print_rejected(r)
    out.print(f"Workbooks: {folder}", highlight=False)
    out.print(f"SOWs:      {settings.sow_dir}", highlight=False)
    out.print(f"Report:    {report_path}", highlight=False)
    out.print(f"Store:     {settings.url}", highlight=False)
    from flows.usecases import statuses
    from scoring.lifecycle import load_review_policy

    waiting = [s.vendor for s in statuses(Store(settings.url), load_review_policy(settings.review_policy),
                                          _today(None)) if s.review_pending]
    if waiting:
        out.print(Text(f"Waiting for a person's review (their SOWs are drafts): {', '.join(waiting)}.\n"
                       "Next: .venv/bin/fairsource status, then .venv/bin/fairsource review VENDOR --decision approve "
                       "--reason TEXT --reviewer NAME"))


@app.command()
def web(
    host: Annotated[str, typer.Option(help="address to listen on (0.0.0.0: every interface)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Serve the web app: analysts' pages, the vendor portal and the JSON API (Ctrl-C stops)."""
    import uvicorn

    from fairsource.web import create_app
    from supplier_models import FairsourceError, get_settings

    settings = get_settings()
    try:
        application = create_app(settings)
        if not application.state.web.store.staff.all():
            err.print("No user yet: create the first one with  fairsource user add EMAIL --role admin",
                      highlight=False)
    except FairsourceError as exc:
        _fail(str(exc))
    out.print(f"fairsource web on http://{host}:{port} (store {settings.url.split('://')[0]}; API docs at /docs)",
              highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="info", proxy_headers=False)


user_app = typer.Typer(help="Staff accounts of the web app.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="the person's e-mail address (their sign-in name)")],
    role: Annotated[str, typer.Option("--role", help="admin | reviewer | viewer")] = "viewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Add a staff user (the password is prompted for, or read from stdin)."""
    from fairsource import accounts
    from supplier_models import FairsourceError, Store, get_settings
    from supplier_models.names import is_email

    if role not in accounts.ROLES:
        _fail(f"--role {role}: one of {', '.join(accounts.ROLES)}", EXIT_REJECTED)
    if not is_email(email):
        _fail(f"{email}: not an e-mail address", EXIT_REJECTED)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.add_user(Store(get_settings().url), email, role, password, actor="cli")
    except accounts.AuthError as exc:
        _fail(str(exc), EXIT_REJECTED)
    except FairsourceError as exc:
        _fail(str(exc), EXIT_REJECTED)
    out.print(Text(f"Added {user.email} ({user.role})."))


@user_app.command("token")
def user_token(
    email: Annotated[str, typer.Argument(help="the user's e-mail address")],
) -> None:
    """Issue a new API token for the user (replacing the old one) and print it once."""
    from fairsource import accounts
    from supplier_models import FairsourceError, Store, get_settings

    try:
        token = accounts.new_api_token(Store(get_settings().url), email, actor="cli")
    except FairsourceError as exc:
        _fail(str(exc), EXIT_REJECTED)
    print(token)


@user_app.command("list")
def user_list() -> None:
    """List the staff users."""
    from supplier_models import Store, get_settings

    for u in Store(get_settings().url).staff.all():
        out.print(Text(f"{u.email}\t{u.role}{' (disabled)' if u.disabled else ''}"))


@app.command()
def invite(
    vendor: Annotated[str, typer.Argument(help="the vendor's name (a new vendor is created) or id")],
    contact: Annotated[str | None, typer.Option("--contact", help="the vendor's e-mail address")] = None,
    days: Annotated[int | None, typer.Option(help="the link expires after this many days (FAIRSOURCE_INVITE_DAYS)")]
    = None,
) -> None:
    """Make a portal link for a vendor: it downloads its form, uploads it, and sees its outcome."""
    from fairsource import accounts
    from supplier_models import FairsourceError, Store, get_settings

    settings = get_settings()
    try:
        invitation, found, token = accounts.create_invite(Store(settings.url), vendor, contact, created_by="cli",
                                                      days=days or settings.invite_days)
    except accounts.AuthError as exc:
        _fail(str(exc), EXIT_REJECTED)
    except FairsourceError as exc:
        _fail(str(exc))
    out.print(Text(f"Portal link for {found.name} (expires {invitation.expires_at.date()}; shown once):"))
    print(f"{settings.web_base_url.rstrip('/')}/portal/{token}")


_exit_status = 1  # what the process exits with if the command dies of an uncaught exception (Python's own)


def main() -> None:  # pragma: no cover - console entry point (tests/cli/test_cli.py runs it as a process)
    global _exit_status
    import atexit

    atexit.register(_exit_without_teardown)  # registered first, so it runs after every other exit handler
    try:
        app()
    except SystemExit as exc:
        _exit_status = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        raise
    except KeyboardInterrupt:
        _exit_status = 130
        sys.exit(130)
    _exit_status = 0


def _exit_without_teardown() -> None:  # pragma: no cover - runs at the exit of the console script
    """End the process once everything is done: the exit handlers ran (Prefect has sent its events and logs,
    its threads are stopped), the output is flushed and the database connections closed. What is left is the
    interpreter freeing every module and object one by one, which a command that loaded Prefect, SQLAlchemy
    and openpyxl waits 0.2-1 s for, for nothing: the operating system frees a process's memory at once."""
    import contextlib
    import os

    if "logging" in sys.modules:  # its own exit handler was registered after this one: it has not run yet
        sys.modules["logging"].shutdown()
    store = sys.modules.get("supplier_models.store")
    if store is not None:
        store.close_engines()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (| head): nothing more can be written
            stream.flush()
    os._exit(_exit_status)

