"""What admins do to staff accounts from the command line, through the same functions as the web app's Users pages
(`fairsource.user_admin`): `user role`, `user disable`, `user enable`, `user reset-link`, `user revoke-token`,
`user sign-out`. Each is audited with the actor `cli`; a refusal (an unknown user, a bad role, the last active
admin) exits 2 with the reason."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from .shared import EXIT_REJECTED, fail, open_store, out

Email = Annotated[str, typer.Argument(help="the user's e-mail address")]


def _run(action, *args):
    """`action(store, *args, actor="cli")`, its refusal exiting 2 with the reason."""
    from supplier_models.errors import FairsourceError

    try:
        return action(open_store(), *args, actor="cli")
    except FairsourceError as exc:
        fail(str(exc), EXIT_REJECTED)


def user_role(email: Email, role: Annotated[str, typer.Argument(help="admin | reviewer | viewer")]) -> None:
    """Change a user's role (refused when it would leave no active admin)."""
    from fairsource import user_admin

    user = _run(user_admin.set_role, email, role)
    out.print(Text(f"{user.email} is now a {user.role}."))


def user_disable(email: Email) -> None:
    """Disable a user: they cannot sign in, and their sessions, API token and reset links end now."""
    from fairsource import user_admin

    user = _run(user_admin.disable, email)
    out.print(Text(f"Disabled {user.email}: signed out everywhere, API token and reset links ended."))


def user_enable(email: Email) -> None:
    """Enable a disabled user again (they sign in with their password; an API token must be made anew)."""
    from fairsource import user_admin

    user = _run(user_admin.enable, email)
    out.print(Text(f"Enabled {user.email}."))


def user_revoke_token(email: Email) -> None:
    """Revoke the user's API token."""
    from fairsource import user_admin

    revoked = _run(user_admin.revoke_api_token, email)
    out.print(Text(f"Revoked the API token of {email}." if revoked else f"{email} has no API token."))


def user_sign_out(email: Email) -> None:
    """Sign the user out everywhere (every web session of theirs ends)."""
    from fairsource import user_admin

    ended = _run(user_admin.sign_out_everywhere, email)
    out.print(Text(f"Signed {email} out everywhere ({ended} session{'' if ended == 1 else 's'} ended)."))


def user_reset_link(email: Email) -> None:
    """Make a password-reset link for the user (single use, 24 hours), mailed to them when FAIRSOURCE_SMTP_URL is
    set, and print it once."""
    from fairsource import user_admin
    from supplier_models import get_settings
    from supplier_models.errors import FairsourceError

    settings = get_settings()
    try:
        issued = user_admin.issue_reset(open_store(settings), settings, email, actor="cli",
                                        base=settings.web_base_url)
    except FairsourceError as exc:
        fail(str(exc), EXIT_REJECTED)
    if "web_base_url" not in settings.model_fields_set:
        out.print(Text("The link starts with the default address: set FAIRSOURCE_WEB_BASE_URL to the web app's "
                       "address as people reach it."))
    out.print(Text(f"{issued.said} Password-reset link for {issued.user.email} (works once, until "
                   f"{issued.reset.expires_at:%Y-%m-%d %H:%M} UTC; shown once):"))
    print(issued.link)
