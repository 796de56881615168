"""The `fairsource` command line (its contracts: docs/design.md, "Public contracts: extend, never break"; exit
statuses and `--json` objects: docs/contracts.md): the Typer app, its commands registered from one module per group,
in the order `fairsource --help` lists them, and `main`, the console script.

    forms            form, check, policy           the workbooks handed out or checked, no flow
    intakes          intake, demo                  returned questionnaires taken in
    documents        sow, report                   the SOW and the portfolio workbook
    requalification  requalify                     rescoring on changed data, re-attestation, reminders
    qualification    status, review, remediate     where a vendor stands, and people's decisions
    servers          serve, web                    the long-running processes
    access           invite, user add|token|list   the web app's staff accounts and vendors' portal links
    users            user role|disable|enable|reset-link|revoke-token|sign-out   staff accounts managed
    shared           the consoles, fail, dates, the store, a flow: what the groups share

A group module imports only Typer and Rich at load; each command imports what it uses when it runs.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from . import access, documents, forms, intakes, qualification, requalification, servers, users
from .shared import out

app = typer.Typer(
    help="Qualify suppliers of human-data services and write the SOWs that bind them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


# Typer lists the commands in the order they are registered (then the groups): the order of `fairsource --help`.
app.command()(forms.form)
app.command()(forms.check)
app.command()(intakes.intake)
app.command()(documents.sow)
app.command()(requalification.requalify)
app.command()(qualification.status)
app.command()(qualification.review)
app.command()(qualification.remediate)
app.command()(documents.report)
app.command()(forms.policy)
app.command()(servers.serve)
app.command()(intakes.demo)
app.command()(servers.web)

user_app = typer.Typer(help="Staff accounts of the web app.", no_args_is_help=True)
app.add_typer(user_app, name="user")
user_app.command("add")(access.user_add)
user_app.command("token")(access.user_token)
user_app.command("list")(access.user_list)
user_app.command("role")(users.user_role)
user_app.command("disable")(users.user_disable)
user_app.command("enable")(users.user_enable)
user_app.command("reset-link")(users.user_reset_link)
user_app.command("revoke-token")(users.user_revoke_token)
user_app.command("sign-out")(users.user_sign_out)
app.command()(access.invite)


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

