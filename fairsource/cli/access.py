"""Who gets into the web app: `user add`, `user token` and `user list` (staff accounts) and `invite` (a vendor's
portal link)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.text import Text

from .shared import EXIT_REJECTED, fail, open_store, out


def user_add(
    email: Annotated[str, typer.Argument(help="the person's e-mail address (their sign-in name)")],
    role: Annotated[str, typer.Option("--role", help="admin | reviewer | viewer")] = "viewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Add a staff user (the password is prompted for, or read from stdin)."""
    from fairsource import accounts
    from supplier_models.errors import AuthError, FairsourceError
    from supplier_models.names import is_email

    if role not in accounts.ROLES:
        fail(f"--role {role}: one of {', '.join(accounts.ROLES)}", EXIT_REJECTED)
    if not is_email(email):
        fail(f"{email}: not an e-mail address", EXIT_REJECTED)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.add_user(open_store(), email, role, password, actor="cli")
    except AuthError as exc:
        fail(str(exc), EXIT_REJECTED)
    except FairsourceError as exc:
        fail(str(exc), EXIT_REJECTED)
    out.print(Text(f"Added {user.email} ({user.role})."))


def user_token(
    email: Annotated[str, typer.Argument(help="the user's e-mail address")],
) -> None:
    """Issue a new API token for the user (replacing the old one) and print it once."""
    from fairsource import accounts
    from supplier_models.errors import FairsourceError

    try:
        token = accounts.new_api_token(open_store(), email, actor="cli")
    except FairsourceError as exc:
        fail(str(exc), EXIT_REJECTED)
    print(token)


def user_list() -> None:
    """List the staff users."""
    for u in open_store().staff.all():
        out.print(Text(f"{u.email}\t{u.role}{' (disabled)' if u.disabled else ''}"))


def invite(
    vendor: Annotated[str, typer.Argument(help="the vendor's name (a new vendor is created) or id")],
    contact: Annotated[str | None, typer.Option("--contact", help="the vendor's e-mail address")] = None,
    days: Annotated[int | None, typer.Option(min=1, help="the link expires after this many days, 1 or more "
                                                "(default FAIRSOURCE_INVITE_DAYS)")] = None,
) -> None:
    """Make a portal link for a vendor: it downloads its form, uploads it, and sees its outcome."""
    from fairsource import accounts
    from supplier_models import get_settings
    from supplier_models.errors import AuthError, FairsourceError

    settings = get_settings()
    try:
        invitation, found, token = accounts.create_invite(open_store(settings), vendor, contact, created_by="cli",
                                                      days=settings.invite_days if days is None else days)
    except AuthError as exc:
        fail(str(exc), EXIT_REJECTED)
    except FairsourceError as exc:
        fail(str(exc))
    if "web_base_url" not in settings.model_fields_set:
        out.print(Text("The link starts with the default address: set FAIRSOURCE_WEB_BASE_URL to the web app's "
                       "address as vendors reach it."))
    out.print(Text(f"Portal link for {found.name} (expires {invitation.expires_at.date()}; shown once):"))
    print(f"{settings.web_base_url.rstrip('/')}/portal/{token}")
