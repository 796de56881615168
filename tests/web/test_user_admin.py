"""Staff users managed in the browser's pages (TestClient on the real app, a real store): an admin adds users,
changes roles, disables (the user's session and API token refused at once) and enables them again, revokes API
tokens and signs people out everywhere (each asked first), and sends password-reset links (mailed, read back from a
real SMTP server on 127.0.0.1; shown once; working once, for a day); users change their own password. Every action
audited; the last active admin is kept; a refused form comes back as typed with the reason beside its field; CSRF
and roles hold. The `fairsource user` commands do the same through the same functions."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from fairsource import accounts, user_admin
from fairsource.cli import app as cli
from supplier_models.store.tables import PasswordReset
from tests.flows.conftest import smtp_inbox  # noqa: F401  (a fixture: a real SMTP server on 127.0.0.1)
from tests.helpers.web import PASSWORD, add_user, csrf_of, sign_in, web_app

ADMIN, BOB = "ana@example.org", "bob@example.org"
NEW_PASSWORD = "a much longer new passphrase"


@pytest.fixture
def site(tmp_path, database_url):
    """(the app, its store, an admin's client): the admin Ana signed in, Bob a reviewer."""
    return _site(tmp_path, database_url)


def _site(tmp_path, database_url, **settings):
    app, _ = web_app(tmp_path / "home", database_url, **settings)
    store = app.state.web.store
    add_user(store, ADMIN, "admin")
    add_user(store, BOB, "reviewer")
    client = TestClient(app, base_url="http://fairsource.example:8611")
    assert sign_in(client, ADMIN).status_code == 303
    return app, store, client


def signed_in(app, email: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    assert sign_in(client, email, password).status_code == 303
    return client


def post(client, path: str, data: dict | None = None, page: str | None = None):
    """A form posted with the CSRF token of `page` (default: the page the form is on, `path` without its action)."""
    token = csrf_of(client.get(page or path.rsplit("/", 1)[0]).text)
    return client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=False)


def actions(store, actor: str = ADMIN) -> list[str]:
    return [e.action for e in store.audit.events() if e.actor == actor]


def is_signed_in(client) -> bool:
    return client.get("/", follow_redirects=False).status_code == 200


def test_an_admin_adds_a_user_and_changes_their_role(site):
    _, store, client = site
    added = post(client, "/users", {"email": "Cleo@Example.org", "role": "viewer", "password": PASSWORD}, "/users")
    assert added.status_code == 303
    cleo = store.staff.by_email("cleo@example.org")
    assert added.headers["location"] == f"/users/{cleo.id}?done=added" and cleo.role == "viewer"
    page = client.get(added.headers["location"])
    assert "User added." in page.text and "cleo@example.org" in page.text
    changed = post(client, f"/users/{cleo.id}/role", {"role": "reviewer"}, f"/users/{cleo.id}")
    assert changed.status_code == 303 and store.staff.get(cleo.id).role == "reviewer"
    assert "Role changed." in client.get(changed.headers["location"]).text
    [event] = [e for e in store.audit.events() if e.action == "user_role_changed"]
    assert (event.actor, event.subject, event.detail) == (ADMIN, "cleo@example.org", {"from": "viewer", "to": "reviewer"})
    assert actions(store)[:2] == ["user_role_changed", "user_added"]
    listed = client.get("/users").text
    assert f'<a href="/users/{cleo.id}">cleo@example.org</a></td><td>reviewer</td><td>active</td>' in listed
    assert "<td>1 browser</td>" in listed  # Ana, here; Cleo nowhere


def test_a_refused_new_user_comes_back_as_typed_with_the_reason_beside_its_field(site):
    _, store, client = site
    bad = post(client, "/users", {"email": "cleo at example", "role": "reviewer", "password": PASSWORD}, "/users")
    assert bad.status_code == 400
    assert 'value="cleo at example"' in bad.text and "<option selected>reviewer</option>" in bad.text
    assert 'id="email-error" role="alert">&#39;cleo at example&#39; is not an e-mail address.' in bad.text
    assert 'aria-invalid="true" aria-describedby="email-error"' in bad.text
    short = post(client, "/users", {"email": "cleo@example.org", "role": "admin", "password": "short"}, "/users")
    assert short.status_code == 400 and 'value="cleo@example.org"' in short.text
    assert 'id="password-error" role="alert">The password needs at least 12 characters.' in short.text
    assert "short" not in short.text.split('id="password-error"')[0].rsplit("<form", 1)[1]  # never sent back
    taken = post(client, "/users", {"email": BOB, "role": "viewer", "password": PASSWORD}, "/users")
    assert taken.status_code == 400 and f'id="email-error" role="alert">A user {BOB} exists already.' in taken.text
    role = post(client, "/users", {"email": "cleo@example.org", "role": "boss", "password": PASSWORD}, "/users")
    assert "The role &#39;boss&#39; is not one of viewer, reviewer, admin." in role.text and "--role" not in role.text
    assert store.staff.by_email("cleo@example.org") is None and "user_added" not in actions(store)


def test_disabling_refuses_the_users_session_and_token_at_once_and_enabling_lets_them_sign_in(site):
    app, store, client = site
    bob = store.staff.by_email(BOB)
    browser = signed_in(app, BOB)
    token = {"Authorization": f"Bearer {accounts.new_api_token(store, BOB)}"}
    assert browser.get("/api/vendors", headers=token).status_code == 200 and is_signed_in(browser)

    ask = client.get(f"/users/{bob.id}/disable")
    assert ask.status_code == 200 and f"Disable {BOB}?" in ask.text and "signed out everywhere" in ask.text
    assert store.staff.get(bob.id).disabled is False  # asking changes nothing
    done = post(client, f"/users/{bob.id}/disable", page=f"/users/{bob.id}/disable")
    assert done.status_code == 303 and "Disabled: signed out everywhere" in client.get(done.headers["location"]).text

    assert not is_signed_in(browser)  # the session Bob had: refused
    assert browser.get("/api/vendors", headers=token).status_code == 401  # the token he had: refused
    assert sign_in(TestClient(app), BOB).status_code == 401  # and he cannot sign in
    assert store.user_admin.sessions_of(bob.id, accounts.now()) == [] and store.staff.get(bob.id).api_token_sha256 is None
    [event] = [e for e in store.audit.events() if e.action == "user_disabled"]
    assert event.actor == ADMIN and event.detail == {"sessions_ended": 1, "api_token_revoked": True,
                                                     "reset_links_ended": 0}
    assert "<td>disabled</td>" in client.get("/users").text

    enabled = post(client, f"/users/{bob.id}/enable", page=f"/users/{bob.id}")
    assert "Enabled" in client.get(enabled.headers["location"]).text
    assert is_signed_in(signed_in(app, BOB))  # his password again
    assert browser.get("/api/vendors", headers=token).status_code == 401  # the old token stays dead
    assert actions(store)[:2] == ["user_enabled", "user_disabled"]


def test_the_last_active_admin_cannot_disable_or_demote_themself(site):
    _, store, client = site
    ana = store.staff.by_email(ADMIN)
    demoted = post(client, f"/users/{ana.id}/role", {"role": "viewer"}, f"/users/{ana.id}")
    assert demoted.status_code == 400
    assert (f'id="role-error" role="alert">{ADMIN} is the last active admin: make another user an admin first, or '
            "nobody could manage users any more.") in demoted.text
    disabled = post(client, f"/users/{ana.id}/disable", page=f"/users/{ana.id}/disable")
    assert disabled.status_code == 400 and 'id="disabled-error" role="alert"' in disabled.text
    assert "is the last active admin" in disabled.text
    assert store.staff.get(ana.id).role == "admin" and not store.staff.get(ana.id).disabled and is_signed_in(client)

    bob = store.staff.by_email(BOB)
    post(client, f"/users/{bob.id}/role", {"role": "admin"}, f"/users/{bob.id}")
    assert post(client, f"/users/{ana.id}/role", {"role": "reviewer"}, f"/users/{ana.id}").status_code == 303
    assert store.staff.get(ana.id).role == "reviewer"
    assert client.get("/users").status_code == 403  # she is a reviewer now
    assert [e.action for e in store.audit.events() if e.action.startswith("user_")][:2] == [
        "user_role_changed", "user_role_changed"]


def at_once(fn, *args) -> list[str]:
    """`fn(arg)` for each arg from threads released together: "done" or the refusal's words, each."""
    start = threading.Barrier(len(args))

    def one(arg):
        start.wait()
        try:
            fn(arg)
            return "done"
        except accounts.AuthError as exc:
            return str(exc)
    with ThreadPoolExecutor(len(args)) as pool:
        return list(pool.map(one, args))


def test_two_admins_demoting_each_other_at_once_leave_one_admin(site):
    _, store, _ = site
    add_user(store, "dan@example.org", "admin")
    ids = [store.staff.by_email(e).id for e in (ADMIN, "dan@example.org")]
    results = at_once(lambda user_id: store.user_admin.set_role(user_id, "viewer", actor="test"), *ids)
    assert results.count("done") == 1 and any("is the last active admin" in r for r in results), results
    assert [u.role for u in store.staff.all()].count("admin") == 1
    for user_id in ids:
        store.user_admin.set_role(user_id, "admin", actor="test")
    results = at_once(lambda job: job(), lambda: store.user_admin.set_role(ids[0], "viewer", actor="test"),
                      lambda: store.user_admin.set_disabled(ids[1], True, actor="test", now=accounts.now()))
    assert results.count("done") == 1, results  # one demoted, or one disabled: never both
    assert len([u for u in store.staff.all() if u.role == "admin" and not u.disabled]) == 1


def test_a_reset_link_used_twice_at_once_sets_one_password(site):
    app, store, _ = site
    token = user_admin.issue_reset(store, app.state.web.settings, BOB, actor=ADMIN, base="").link.rsplit("/", 1)[1]
    results = at_once(lambda password: user_admin.reset_password(store, token, password, password),
                      "first new passphrase", "second new passphrase")
    assert results.count("done") == 1 and any("does not work any more" in r for r in results), results
    won = "first new passphrase" if results[0] == "done" else "second new passphrase"
    assert sign_in(TestClient(app), BOB, won).status_code == 303
    assert [e.action for e in store.audit.events()].count("password_reset") == 1


def test_an_admin_who_disables_themself_is_signed_out_when_another_admin_remains(site):
    app, store, client = site
    add_user(store, "dan@example.org", "admin")
    ana = store.staff.by_email(ADMIN)
    assert "This is you:" in client.get(f"/users/{ana.id}/disable").text
    done = post(client, f"/users/{ana.id}/disable", page=f"/users/{ana.id}/disable")
    assert done.headers["location"] == "/login" and not is_signed_in(client)
    assert store.staff.get(ana.id).disabled and sign_in(TestClient(app), ADMIN).status_code == 401


def test_revoking_a_token_and_signing_out_everywhere_each_ask_first(site):
    app, store, client = site
    bob = store.staff.by_email(BOB)
    phone, laptop = signed_in(app, BOB), signed_in(app, BOB)
    token = {"Authorization": f"Bearer {accounts.new_api_token(store, BOB)}"}
    page = client.get(f"/users/{bob.id}").text
    assert page.count("<td class=\"nowrap\">") == 4  # two sessions listed, each started and ending
    assert f'href="/users/{bob.id}/revoke-token" class="danger">Revoke…' in page

    ask = client.get(f"/users/{bob.id}/revoke-token")
    assert ask.status_code == 200 and f"Revoke the API token of {BOB}?" in ask.text
    assert phone.get("/api/vendors", headers=token).status_code == 200
    post(client, f"/users/{bob.id}/revoke-token", page=f"/users/{bob.id}/revoke-token")
    assert phone.get("/api/vendors", headers=token).status_code == 401 and is_signed_in(phone)

    ask = client.get(f"/users/{bob.id}/sign-out")
    assert ask.status_code == 200 and f"Sign {BOB} out everywhere?" in ask.text and is_signed_in(laptop)
    done = post(client, f"/users/{bob.id}/sign-out", page=f"/users/{bob.id}/sign-out")
    assert "Signed out everywhere." in client.get(done.headers["location"]).text
    assert not is_signed_in(phone) and not is_signed_in(laptop) and is_signed_in(client)
    assert "Not signed in anywhere." in client.get(f"/users/{bob.id}").text
    assert actions(store)[:2] == ["sessions_ended", "api_token_revoked"]
    assert client.get(f"/users/{bob.id}/delete").status_code == 404


def link_on(html: str) -> str:
    return html.split('id="reset-link"', 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]


def test_a_reset_link_is_mailed_shown_once_and_works_once(tmp_path, database_url, smtp_inbox):  # noqa: F811
    inbox, url = smtp_inbox
    app, store, client = _site(tmp_path, database_url, smtp_url=url, organisation="Acme Data")
    bob = store.staff.by_email(BOB)
    earlier = signed_in(app, BOB)
    made = post(client, f"/users/{bob.id}/reset", page=f"/users/{bob.id}")
    assert made.status_code == 303
    shown = client.get(made.headers["location"])
    assert f"Sent by e-mail to {BOB}." in shown.text and 'data-copy="reset-link"' in shown.text
    link = link_on(shown.text)
    assert link.startswith("http://fairsource.example:8611/reset/")  # the address the request came to
    [reset] = [r for r in _resets(store) if r.user_id == bob.id]
    assert reset.token_sha256 == accounts.digest(link.rsplit("/", 1)[1]) and link.rsplit("/", 1)[1] not in str(
        [e.detail for e in store.audit.events()])  # stored as its fingerprint only, never logged
    assert dt.timedelta(hours=23, minutes=59) < reset.expires_at - reset.created_at <= dt.timedelta(hours=24)

    [(to, mail)] = inbox.messages
    assert to == [BOB] and mail["Reply-To"] == ADMIN and mail["Subject"] == "Acme Data: set your fairsource password"
    assert link in mail.get_content() and "It works once, until" in mail.get_content()
    again = client.get(made.headers["location"])  # a refresh: no link, none made
    assert "/reset/" not in again.text and "cannot be shown again" in again.text and len(inbox.messages) == 1

    path = link.removeprefix("http://fairsource.example:8611")
    visitor = TestClient(app)
    form = visitor.get(path)
    assert form.status_code == 200 and "Set your password" in form.text and BOB in form.text
    differ = visitor.post(path, data={"csrf_token": csrf_of(form.text), "password": NEW_PASSWORD,
                                      "confirm": NEW_PASSWORD + "!"})
    assert differ.status_code == 400 and 'id="confirm-error" role="alert">The two passwords are not the same' in differ.text
    set_ = visitor.post(path, data={"csrf_token": csrf_of(form.text), "password": NEW_PASSWORD,
                                    "confirm": NEW_PASSWORD}, follow_redirects=False)
    assert set_.status_code == 303 and set_.headers["location"] == "/reset/done"
    assert "Your password is set" in visitor.get("/reset/done").text
    assert not is_signed_in(earlier)  # a reset signs the user out everywhere
    assert sign_in(TestClient(app), BOB).status_code == 401 and is_signed_in(signed_in(app, BOB, NEW_PASSWORD))

    second = visitor.post(path, data={"csrf_token": csrf_of(form.text), "password": "yet another passphrase",
                                      "confirm": "yet another passphrase"})
    assert second.status_code == 410 and "This link does not work" in second.text and 'href="/login"' in second.text
    assert visitor.get(path).status_code == 404
    assert is_signed_in(signed_in(app, BOB, NEW_PASSWORD))  # the second use changed nothing
    assert [e.action for e in store.audit.events() if e.subject == BOB and e.action.startswith("password")] == [
        "password_reset", "password_reset_mailed", "password_reset_link_made"]


def _resets(store) -> list[PasswordReset]:
    from sqlmodel import select

    with store.staff.session() as s:
        return list(s.exec(select(PasswordReset)))


def test_an_expired_replaced_or_disabled_users_link_is_refused(site):
    app, store, _ = site
    settings = app.state.web.settings
    first = user_admin.issue_reset(store, settings, BOB, actor=ADMIN, base="http://x")
    assert "E-mail is not set up (FAIRSOURCE_SMTP_URL): give the link to" in first.said
    second = user_admin.issue_reset(store, settings, BOB, actor=ADMIN, base="http://x")
    visitor = TestClient(app)
    assert visitor.get(first.link.removeprefix("http://x")).status_code == 404  # replaced by the newer one
    path = second.link.removeprefix("http://x")
    form = visitor.get(path)
    assert form.status_code == 200
    with store.staff.begin() as conn:  # a day has passed
        conn.execute(update(PasswordReset).where(PasswordReset.id == second.reset.id)
                     .values(expires_at=accounts.now() - dt.timedelta(minutes=1)))
    assert visitor.get(path).status_code == 404
    late = visitor.post(path, data={"csrf_token": csrf_of(form.text), "password": NEW_PASSWORD,
                                    "confirm": NEW_PASSWORD})
    assert late.status_code == 410 and sign_in(TestClient(app), BOB).status_code == 303  # the old password holds

    third = user_admin.issue_reset(store, settings, BOB, actor=ADMIN, base="http://x")
    user_admin.disable(store, BOB, actor=ADMIN)
    assert visitor.get(third.link.removeprefix("http://x")).status_code == 404  # disabling ended it
    with pytest.raises(accounts.AuthError, match="is disabled: enable them"):
        user_admin.issue_reset(store, settings, BOB, actor=ADMIN, base="http://x")
    assert {r.id: r.ended_how for r in _resets(store)} == {first.reset.id: "replaced", second.reset.id: None,
                                                            third.reset.id: "disabled"}


def test_a_user_changes_their_own_password_with_the_current_one(site):
    app, store, _ = site
    here, elsewhere = signed_in(app, BOB), signed_in(app, BOB)
    page = here.get("/account")
    assert page.status_code == 200 and 'href="/account"' in page.text

    def change(current, new, confirm):
        return here.post("/account/password", data={"csrf_token": csrf_of(page.text), "current": current,
                                                     "password": new, "confirm": confirm}, follow_redirects=False)
    wrong = change("not my password at all", NEW_PASSWORD, NEW_PASSWORD)
    assert wrong.status_code == 400
    assert 'id="current-error" role="alert">That is not your current password.' in wrong.text
    assert "password_change_failed" in actions(store, BOB)
    short = change(PASSWORD, "short", "short")
    assert short.status_code == 400 and 'id="password-error"' in short.text
    done = change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert done.status_code == 303 and "Password changed." in here.get(done.headers["location"]).text
    assert is_signed_in(here) and not is_signed_in(elsewhere)
    assert sign_in(TestClient(app), BOB).status_code == 401 and is_signed_in(signed_in(app, BOB, NEW_PASSWORD))
    [event] = [e for e in store.audit.events() if e.action == "password_changed"]
    assert (event.actor, event.detail) == (BOB, {"other_sessions_ended": 1})


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_only_admins_manage_users_and_every_form_checks_its_csrf_token(site, role):
    app, store, client = site
    add_user(store, "rita@example.org", role)
    rita = signed_in(app, "rita@example.org")
    bob = store.staff.by_email(BOB)
    token = csrf_of(rita.get("/account").text)
    for path in ("/users", f"/users/{bob.id}", f"/users/{bob.id}/disable", f"/users/{bob.id}/sign-out",
                 f"/users/{bob.id}/revoke-token"):
        assert rita.get(path).status_code == 403, path
    for path, data in ((f"/users/{bob.id}/role", {"role": "viewer"}), (f"/users/{bob.id}/disable", {}),
                       (f"/users/{bob.id}/enable", {}), (f"/users/{bob.id}/reset", {}),
                       (f"/users/{bob.id}/sign-out", {}), (f"/users/{bob.id}/revoke-token", {}),
                       ("/users", {"email": "x@example.org", "role": "admin", "password": PASSWORD})):
        assert rita.post(path, data={"csrf_token": token, **data}).status_code == 403, path
        assert client.post(path, data={"csrf_token": "forged", **data}).status_code == 403, path
    assert client.post("/account/password", data={"csrf_token": "forged", "current": PASSWORD,
                                                  "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 403
    reset = user_admin.issue_reset(store, app.state.web.settings, BOB, actor=ADMIN, base="")
    assert TestClient(app).post(reset.link, data={"csrf_token": "forged", "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD}).status_code == 403
    assert store.staff.get(bob.id).role == "reviewer" and not store.staff.get(bob.id).disabled
    assert store.staff.by_email("x@example.org") is None and is_signed_in(signed_in(app, BOB))
    assert TestClient(app).get(f"/users/{bob.id}", follow_redirects=False).status_code == 303  # to sign in


def test_the_user_commands_do_the_same_through_the_same_functions(isolated_home, database_url):
    runner = CliRunner()
    for email, role in ((ADMIN, "admin"), (BOB, "reviewer")):
        assert runner.invoke(cli, ["user", "add", email, "--role", role, "--password-stdin"],
                             input=PASSWORD + "\n").exit_code == 0
    last = runner.invoke(cli, ["user", "role", ADMIN, "viewer"])
    assert last.exit_code == 2 and "is the last active admin" in last.output
    assert runner.invoke(cli, ["user", "disable", ADMIN]).exit_code == 2
    assert runner.invoke(cli, ["user", "role", BOB, "boss"]).exit_code == 2
    assert runner.invoke(cli, ["user", "role", "nobody@example.org", "viewer"]).exit_code == 2
    assert runner.invoke(cli, ["user", "role", BOB, "viewer"]).stdout.strip() == f"{BOB} is now a viewer."
    app, _ = web_app(isolated_home / ".fairsource", database_url)
    store = app.state.web.store
    browser = signed_in(app, BOB)
    token = {"Authorization": f"Bearer {accounts.new_api_token(store, BOB)}"}
    assert "1 session ended" in runner.invoke(cli, ["user", "sign-out", BOB]).stdout and not is_signed_in(browser)
    assert "Revoked the API token" in runner.invoke(cli, ["user", "revoke-token", BOB]).stdout
    assert browser.get("/api/vendors", headers=token).status_code == 401
    assert runner.invoke(cli, ["user", "disable", BOB]).exit_code == 0 and store.staff.by_email(BOB).disabled
    assert runner.invoke(cli, ["user", "enable", BOB]).exit_code == 0 and not store.staff.by_email(BOB).disabled
    made = runner.invoke(cli, ["user", "reset-link", BOB])
    assert made.exit_code == 0 and "give the link to" in made.stdout
    link = made.stdout.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:8000/reset/")
    assert TestClient(app).get(link.removeprefix("http://127.0.0.1:8000")).status_code == 200
    cli_events = [e.action for e in store.audit.events() if e.actor == "cli"]
    assert cli_events[:7] == ["password_reset_not_mailed", "password_reset_link_made", "user_enabled",
                              "user_disabled", "api_token_revoked", "sessions_ended", "user_role_changed"]
