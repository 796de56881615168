"""The workbooks a person hands out or gets back, without the flows: `form` (a blank questionnaire for a vendor),
`check` (validate returned questionnaires, storing nothing) and `policy` (a blank organisation policy workbook)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .shared import EXIT_REJECTED, fail, open_store, out, print_problems


def form(
    vendor: Annotated[str, typer.Option("--vendor", help="the vendor's name, as it will appear in the SOW")],
    out_path: Annotated[Path, typer.Option("--out", help="where to write the .xlsx")],
    contact: Annotated[str | None, typer.Option("--contact", help="the vendor's e-mail address, for reminders")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
) -> None:
    """Write a blank qualification questionnaire for a vendor."""

    from supplier_models import write_form
    from supplier_models.errors import FairsourceError
    from supplier_models.names import is_email
    from supplier_models.questionnaire import current

    name = vendor.strip()
    if not name:
        fail("--vendor: give the vendor's name (it cannot be empty)", EXIT_REJECTED)
    if out_path.suffix.lower() != ".xlsx":
        fail(f"{out_path}: the questionnaire is an Excel workbook; name it .xlsx", EXIT_REJECTED)
    if out_path.exists() and not force:
        fail(f"{out_path} exists (it may be a filled-in form): choose another name, or add --force", EXIT_REJECTED)
    if contact is not None and not is_email(contact):
        fail(f"--contact {contact}: not an e-mail address", EXIT_REJECTED)
    try:
        path = write_form(out_path, name)
        if contact:  # the store only then: a blank form needs no database
            open_store().vendors.set_contact(name, contact.strip())
    except (FairsourceError, OSError) as exc:
        fail(str(exc))
    q = current()
    out.print(f"Wrote {path} ({q.id} v{q.version}, {len(q.questions)} questions) for ", end="", highlight=False)
    out.print(name, style="bold", highlight=False, markup=False, end="")
    out.print(f"; reminders go to {contact.strip()}." if contact else ".", highlight=False, markup=False)


def check(
    files: Annotated[list[Path], typer.Argument(help="returned questionnaire workbooks", exists=False)],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object per file")] = False,
) -> None:
    """Validate returned questionnaires without storing anything (exit 2 if any is rejected)."""
    from supplier_models import read_workbook
    from supplier_models.errors import WorkbookRejected

    rejected = False
    for path in files:
        try:
            sub = read_workbook(path)
        except WorkbookRejected as exc:
            rejected = True
            if as_json:
                print(json.dumps({"file": str(path), **exc.as_json()}))
            print_problems(exc.problems, path)
            continue
        if as_json:
            print(json.dumps({"file": str(path), "vendor": sub.vendor_name, "errors": []}))
        else:
            out.print(f"{path}: OK, {sub.vendor_name}, {sub.questionnaire_id} v{sub.questionnaire_version}, "
                      f"{len(sub.countries)} countries")
    if rejected:
        raise typer.Exit(EXIT_REJECTED)


def policy(
    out_path: Annotated[Path, typer.Option("--out", help="where to write the blank policy workbook")],
) -> None:
    """Write a blank organisation policy workbook (prohibited countries, score overrides, living wages)."""
    from supplier_models.workbooks.policy_workbook import write_blank_policy

    path = write_blank_policy(out_path)
    out.print(f"Wrote {path}. Fill it in and set FAIRSOURCE_POLICY_FILE={path}", highlight=False)
