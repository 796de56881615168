"""The documents written from the store: `sow` (a vendor's statement of work, .docx and optionally PDF) and
`report` (the portfolio workbook, a row per vendor)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .shared import EXIT_REJECTED, date_option, fail, flow_module, one_off, open_store, out


def sow(
    vendor: Annotated[str, typer.Argument(help="the vendor's name (or id)")],
    out_path: Annotated[Path | None, typer.Option("--out", help="where to write the .docx")] = None,
    template: Annotated[Path | None, typer.Option("--template", help="your own docxtpl template")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="also convert to PDF with LibreOffice")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="as if today were YYYY-MM-DD")] = None,
) -> None:
    """Write the SOW for the vendor's latest qualifying assessment (exit 2 if not qualified or expired)."""
    from supplier_models.errors import FairsourceError

    day = date_option("--as-of", as_of)
    sow_flow = flow_module("sow")
    try:
        with one_off():
            path = sow_flow.sow(vendor, str(out_path) if out_path else None, str(template) if template else None,
                                day)
    except sow_flow.NotQualified as exc:
        fail(str(exc), EXIT_REJECTED)
    except FairsourceError as exc:
        fail(str(exc))
    store = open_store()
    record = store.sows.latest(store.vendors.find(vendor).id)
    draft = " (DRAFT: a review is pending; an approval issues the final SOW)" if record and record.status == "draft" \
        else ""
    out.print(f"SOW written: {path}{draft}", highlight=False)
    if pdf:
        from sow_templates import to_pdf

        try:
            out.print(f"PDF written: {to_pdf(Path(path), Path(path).parent)}", highlight=False)
        except FairsourceError as exc:
            fail(str(exc))


def report(
    out_path: Annotated[Path, typer.Option("--out", help="where to write the .xlsx")],
    paper: Annotated[str | None, typer.Option(
        "--paper", help="print it on a4 or letter (landscape, one page wide); default: the printer's paper")] = None,
) -> None:
    """Write the portfolio workbook: one row per vendor, its latest assessment."""
    from flows.usecases import write_report  # no Prefect: a report needs no orchestration
    from supplier_models import get_settings
    from supplier_models.errors import FairsourceError

    if paper is not None and paper.lower() not in ("a4", "letter"):
        fail(f"--paper {paper}: a4 or letter", EXIT_REJECTED)
    try:
        path = write_report(get_settings(), str(out_path), paper=paper.lower() if paper else None)
    except FairsourceError as exc:
        fail(str(exc))
    out.print(f"Portfolio written: {path}", highlight=False)
