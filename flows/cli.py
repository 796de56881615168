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


@app.command()
def demo(
    folder: Annotated[Path | None, typer.Option("--out", help="where the demo's files go")] = None,
) -> None:
    """Run the bundled example vendors end to end on the embedded store."""
    from rich.progress import track

    from supplier_models import Store, get_settings, receive_workbook
    from supplier_models.examples import EXAMPLES, write_example

    settings = get_settings()
    folder = folder or settings.home / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    store = Store(settings.url)
    table = Table(title="Example vendors: returned questionnaires read back")
    for column in ("Vendor", "Countries (share %, lowest hourly pay)", "Services", "Stored"):
        table.add_column(column)
    for vendor in track(EXAMPLES, description="Writing and reading the example workbooks", console=err,
                        transient=True):
        path = folder / f"{vendor.slug}.xlsx"
        if not path.exists():  # a second demo re-submits the same files: nothing is stored twice
            write_example(vendor, folder)
        received = receive_workbook(path, store)
        sub = received.submission
        countries = ", ".join(f"{c.iso2} {c.share_pct}% {c.lowest_hourly_pay} {c.currency}" for c in sub.countries)
        table.add_row(sub.vendor_name, countries, "; ".join(sub.answers["COMP-03"]),
                      "already stored" if received.duplicate else "new submission")
    out.print(table)
    out.print(f"Workbooks: {folder}")
    out.print(f"Store: {store.url}  {store.counts()}")
    store.close()


def main() -> None:  # pragma: no cover - console entry point
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
