"""The `fairsource` command line (DESIGN.md, "Command line")."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Qualify suppliers of human-data services and write the SOWs that bind them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_REJECTED = 2


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@app.command()
def form(
    vendor: Annotated[str, typer.Option("--vendor", help="the vendor's name, as it will appear in the SOW")],
    out_path: Annotated[Path, typer.Option("--out", help="where to write the .xlsx")],
) -> None:
    """Write a blank qualification questionnaire for a vendor."""
    from supplier_models import FairsourceError, write_form
    from supplier_models.questionnaire import current

    if out_path.suffix.lower() != ".xlsx":
        _fail(f"{out_path}: the questionnaire is an Excel workbook; name it .xlsx")
    try:
        path = write_form(out_path, vendor.strip())
    except (FairsourceError, OSError) as exc:
        _fail(str(exc))
    q = current()
    out.print(f"Wrote {path} ({q.id} v{q.version}, {len(q.questions)} questions) for [bold]{vendor}[/].")


def _print_problems(problems, path: Path) -> None:
    err.print(f"[bold red]{path}: rejected[/], {len(problems)} problem(s):", highlight=False)
    for p in problems:
        where = p.cell or "file"
        about = f" [{p.question}]" if p.question else ""
        err.print(f"  {where}{about}: {p.message}", highlight=False, markup=False)


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


def _flows():
    """Import the flows (and Prefect) only for the commands that run them."""
    from .runtime import configure_prefect

    configure_prefect()
    from . import intake, requalify, sow

    return intake, requalify, sow


def _decision_style(decision: str) -> str:
    return {"qualified": "green", "conditional": "yellow", "not_qualified": "red"}.get(decision, "")


def _print_outcome(o) -> None:
    d = o.decision
    style = _decision_style(d.decision)
    note = " (received before: nothing new stored)" if o.duplicate else ""
    out.print(f"[bold]{o.vendor}[/]: [{style}]{d.decision}[/] - score {d.score:.1f}, geography {d.geo.band}, "
              f"valid until {d.valid_until}{note}", highlight=False)
    for reason in d.reasons:
        out.print(f"  - {reason}", highlight=False, markup=False)
    for k in d.knockouts:
        out.print(f"  - knockout {k.rule} ({k.question or 'country data'}): {k.reason}", highlight=False, markup=False)
    for r in d.remediations:
        out.print(f"  - remediation: {r.action} (due {r.due_date})", highlight=False, markup=False)
    out.print(f"  SOW: {o.sow}" if o.sow else "  no SOW (not qualified)", highlight=False)


def _run_intake(paths: list[Path]) -> tuple[list, list]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    intake_flow, _, _ = _flows()
    outcomes, rejected = [], []
    batch = 25
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=len(paths) < 2) as progress:
        job = progress.add_task("Intake", total=len(paths))
        for start in range(0, len(paths), batch):
            chunk = [str(p) for p in paths[start:start + batch]]
            done, bad = intake_flow.intake(chunk)
            outcomes += done
            rejected += bad
            progress.advance(job, len(chunk))
    return outcomes, rejected


@app.command()
def intake(
    files: Annotated[list[Path], typer.Argument(help="returned questionnaire workbooks (.xlsx)")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON decision object per file")] = False,
) -> None:
    """Validate, score and store returned questionnaires, and write their SOWs."""
    from supplier_models import FairsourceError

    try:
        outcomes, rejected = _run_intake(files)
    except FairsourceError as exc:
        _fail(str(exc))
    for r in rejected:
        if as_json:
            print(json.dumps({"file": r.file, "errors": [p.model_dump() for p in r.problems]}))
        _print_problems(r.problems, Path(r.file))
    for o in outcomes:
        if as_json:
            print(json.dumps(o.as_json()))
        else:
            _print_outcome(o)
    if rejected:
        raise typer.Exit(EXIT_REJECTED)


@app.command()
def sow(
    vendor: Annotated[str, typer.Argument(help="the vendor's name (or id)")],
    out_path: Annotated[Path | None, typer.Option("--out", help="where to write the .docx")] = None,
    template: Annotated[Path | None, typer.Option("--template", help="your own docxtpl template")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="also convert to PDF with LibreOffice")] = False,
) -> None:
    """Write the SOW for the vendor's latest qualifying assessment (exit 2 if not qualified)."""
    from supplier_models import FairsourceError

    _, _, sow_flow = _flows()
    try:
        path = sow_flow.sow(vendor, str(out_path) if out_path else None, str(template) if template else None)
    except sow_flow.NotQualified as exc:
        _fail(str(exc), EXIT_REJECTED)
    except FairsourceError as exc:
        _fail(str(exc))
    out.print(f"SOW written: {path}", highlight=False)
    if pdf:
        from sow_templates import to_pdf

        try:
            out.print(f"PDF written: {to_pdf(Path(path), Path(path).parent)}", highlight=False)
        except FairsourceError as exc:
            _fail(str(exc))


@app.command()
def requalify(
    as_of: Annotated[str | None, typer.Option("--as-of", help="run as if today were YYYY-MM-DD")] = None,
    within_days: Annotated[int | None, typer.Option(help="requalify what expires within this many days")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON summary")] = False,
) -> None:
    """Rescore every vendor that is due, keeping the old assessments."""
    import datetime as dt

    from supplier_models import FairsourceError

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        _fail(f"--as-of {as_of}: give a date as YYYY-MM-DD")
    _, requalify_flow, _ = _flows()
    try:
        results, report_path = requalify_flow.requalify(as_of=day, within_days=within_days)
    except FairsourceError as exc:
        _fail(str(exc))
    if as_json:
        print(json.dumps({"as_of": str(day or dt.date.today()), "rescored": len(results), "report": report_path,
                          "vendors": [r.model_dump(mode="json") for r in results]}))
        return
    table = Table(title=f"Requalification: {len(results)} vendor(s) rescored")
    for column in ("Vendor", "Was", "Now", "Score", "Valid until", "SOW"):
        table.add_column(column)
    for r in results:
        table.add_row(r.vendor, r.previous_decision, f"[{_decision_style(r.decision)}]{r.decision}[/]",
                      f"{r.score:.1f}", str(r.valid_until), "re-issued" if r.sow_reissued else "unchanged")
    out.print(table)
    out.print(f"Portfolio: {report_path}", highlight=False)


@app.command()
def report(
    out_path: Annotated[Path, typer.Option("--out", help="where to write the .xlsx")],
) -> None:
    """Write the portfolio workbook: one row per vendor, its latest assessment."""
    from supplier_models import FairsourceError, get_settings

    _flows()
    from .tasks import write_report

    try:
        path = write_report.fn(get_settings(), str(out_path))
    except FairsourceError as exc:
        _fail(str(exc))
    out.print(f"Portfolio written: {path}", highlight=False)


@app.command()
def policy(
    out_path: Annotated[Path, typer.Option("--out", help="where to write the blank policy workbook")],
) -> None:
    """Write a blank organisation policy workbook (prohibited countries, score overrides, living wages)."""
    from supplier_models.policy import write_blank_policy

    path = write_blank_policy(out_path)
    out.print(f"Wrote {path}. Fill it in and set FAIRSOURCE_POLICY_FILE={path}", highlight=False)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="port of the local Prefect server and its UI (without PREFECT_API_URL)")]
    = 4200,
) -> None:
    """Serve the flows: requalification on its cron schedule, intake and SOW on demand (Ctrl-C stops)."""
    import os

    from supplier_models import FairsourceError

    from .runtime import configure_prefect, local_prefect_server

    configure_prefect(serving=True)
    if os.environ.get("PREFECT_API_URL"):  # a team's Prefect server
        from .serve import serve_all

        serve_all()
        return
    try:
        with local_prefect_server(port) as url:
            os.environ["PREFECT_API_URL"] = url
            out.print(f"Prefect server and UI: {url.removesuffix('/api')}", highlight=False)
            from .serve import serve_all

            serve_all()
    except FairsourceError as exc:
        _fail(str(exc))


@app.command()
def demo(
    folder: Annotated[Path | None, typer.Option("--out", help="where the demo's files go")] = None,
) -> None:
    """Run the intake flow on the bundled example vendors, end to end, on the embedded store."""
    from supplier_models import FairsourceError, get_settings
    from supplier_models.examples import EXAMPLES, write_example

    settings = get_settings()
    folder = folder or settings.home / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for vendor in EXAMPLES:
        path = folder / f"{vendor.slug}.xlsx"
        if not path.exists():  # a second demo re-submits the same files: nothing is stored twice
            write_example(vendor, folder)
        paths.append(path)
    err.print(f"Running the intake flow on {len(paths)} example vendors (Prefect starts a temporary server)...")
    try:
        outcomes, rejected = _run_intake(paths)
        from .tasks import write_report

        report_path = write_report.fn(settings, str(settings.reports_dir / "portfolio.xlsx"))
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
        d = o.decision
        why = ", ".join(k.rule for k in d.knockouts) or (
            f"{len(d.remediations)} remediation(s)" if d.remediations else "-")
        table.add_row(o.vendor, f"[{_decision_style(d.decision)}]{d.decision}[/]", f"{d.score:.1f}",
                      d.geo.band, why, "written" if o.sow else "-")
    out.print(table)
    if any(o.duplicate for o in outcomes):
        out.print("These workbooks were received before: nothing new was stored.")
    for r in rejected:
        _print_problems(r.problems, Path(r.file))
    out.print(f"Workbooks: {folder}", highlight=False)
    out.print(f"SOWs:      {settings.sow_dir}", highlight=False)
    out.print(f"Report:    {report_path}", highlight=False)
    out.print(f"Store:     {settings.url}", highlight=False)


def main() -> None:  # pragma: no cover - console entry point
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
