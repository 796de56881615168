"""Pages: the Jinja2 environment (autoescaped), and `render`, which gives every page who is signed in, the form
token and today's date, and marks it not to be cached."""

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.responses import Response

from fairsource import accounts
from fairsource.accounts import Staff
from scoring.terms import STATUS_LABELS

from .cookies import CSRF_COOKIE, set_cookie

HERE = Path(__file__).parent


def templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.globals.update(status_label=STATUS_LABELS)
    env.filters["pct"] = lambda v: f"{float(v) * 100:.0f}%"
    env.filters["num"] = lambda v, n=1: f"{float(v):.{n}f}"
    env.filters["sentence"] = sentence
    return Jinja2Templates(env=env)


def sentence(text: str) -> str:
    """Text as a sentence's start: its first letter in capitals, the rest as written (Jinja's `capitalize` lowers
    it), and an e-mail address first left as it is ("reviewer@example.org overrode ...")."""
    first = text.split(" ", 1)[0]
    return text if "@" in first or not text else text[0].upper() + text[1:]


PAGES = templates()


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """The template `name` with `context`. A visitor not signed in who has no CSRF cookie yet is given one."""
    staff: Staff | None = getattr(request.state, "staff", None)
    anonymous_csrf = request.cookies.get(CSRF_COOKIE)
    fresh = None
    if staff is None and not anonymous_csrf:
        fresh = anonymous_csrf = accounts.new_secret()
    context.update(staff=staff, csrf_token=staff.csrf if staff else anonymous_csrf, today=dt.date.today())
    response = PAGES.TemplateResponse(request, name, context, status_code=status_code)
    if fresh:
        set_cookie(response, CSRF_COOKIE, fresh, max_age=None,
                   secure=request.app.state.web.settings.web_secure_cookies)
    response.headers["Cache-Control"] = "no-store"
    return response
