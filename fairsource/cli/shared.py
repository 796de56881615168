"""What the command groups share: the consoles `out` and `err`, `fail` and the rejected exit status, the
`--as-of` dates, a rejected workbook's problems as printed, a decision's colour, the one way to open the store
and to run a flow. Nothing heavy at import: each helper imports what it needs when called."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.text import Text

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_REJECTED = 2


OPTIONS = {"reason": "--reason", "reviewer": "--reviewer", "to": "--to", "override_knockout": "--override-knockout",
           "evidence": "--evidence"}
"""The command line's option for each field a refusal names (`supplier_models.errors.ActionRefused.field`)."""


def refused(exc) -> None:
    """A refused action (exit 2), pointing at the option at fault."""
    option = OPTIONS.get(getattr(exc, "field", None) or "")
    fail(f"{exc} ({option})" if option else str(exc), EXIT_REJECTED)


def fail(message: str, code: int = 1) -> None:
    err.print(Text.assemble(("error: ", "bold red"), message))  # the message as text, never as markup
    raise typer.Exit(code)


def date_option(option: str, value: str | None):
    """A YYYY-MM-DD option, or exit 2 saying what was wrong."""
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value}: give a date as YYYY-MM-DD", EXIT_REJECTED)


def as_of_or_today(as_of: str | None):
    import datetime as dt

    return date_option("--as-of", as_of) or dt.date.today()


def print_problems(problems, path: Path) -> None:
    err.print(f"[bold red]{path}: rejected[/], {len(problems)} problem(s):", highlight=False)
    for p in problems:
        where = p.cell or "file"
        about = f" [{p.question}]" if p.question else ""
        err.print(f"  {where}{about}: {p.message}", highlight=False, markup=False)


def print_rejected(rejected: dict) -> None:
    """A file the intake rejected (`{"file", "errors"}`, as `intakes._run_intake` returns it), every problem listed."""
    from supplier_models.errors import Problem

    print_problems([Problem.model_validate(p) for p in rejected["errors"]], Path(rejected["file"]))


def decision_style(decision: str) -> str:
    return {"qualified": "green", "conditional": "yellow", "not_qualified": "red"}.get(decision, "")


def open_store(settings=None):
    """The store of `settings` (default: this home's): `store_for`, one per database per process."""
    from flows.usecases.vendor_state import keep_states
    from supplier_models.settings import get_settings
    from supplier_models.store import store_for

    return keep_states(store_for((get_settings() if settings is None else settings).url))


def flow_module(name: str):
    """Import a flow's module (and Prefect) only for the command that runs it, and only that one."""
    from importlib import import_module

    from flows.runtime import configure_prefect

    configure_prefect()
    return import_module(f"flows.{name}")


def one_off():
    """The settings of a flow run this command waits for (see `flows.runtime.one_off_flow_runs`)."""
    from flows.runtime import one_off_flow_runs

    return one_off_flow_runs()
