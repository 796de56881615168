"""Security headers on every answer (pages, the API, static files, refusals, errors), no inline script or style in
the templates, and the API's description and page: who sees them (FAIRSOURCE_WEB_DOCS) and Swagger UI served by
the app itself."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from fairsource.web import rendering
from fairsource.web.security_headers import CSP
from tests.helpers.web import api_token, portal_link, sign_in, staff_client, web_app

EXPECTED = {"content-security-policy": CSP, "x-frame-options": "DENY", "x-content-type-options": "nosniff",
            "referrer-policy": "same-origin"}


def secured(response, https: bool = False) -> None:
    for key, value in EXPECTED.items():
        assert response.headers.get(key) == value, (response.request.url, key)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert ("strict-transport-security" in response.headers) is https, response.request.url


def test_every_kind_of_answer_carries_the_headers(web):
    client, store, _ = web
    token = api_token(store, "rev@example.org", "reviewer")
    _, link = portal_link(store, "Acme Ltd")
    anonymous = [client.get("/login"), client.get("/healthz"), client.get("/static/app.css"), client.get(link),
                 client.get("/portal/" + "A" * 43), client.get("/api/vendors"), client.get("/nope"),
                 client.get("/", follow_redirects=False),
                 client.post("/login", data={"email": "a@example.org", "password": "x"}),  # no CSRF token: 403
                 client.post("/api/intake", headers={**token, "content-length": str(30 * 1024 * 1024)},
                             content=b"")]  # refused by the body limit before the app
    assert [r.status_code for r in anonymous] == [200, 200, 200, 200, 404, 401, 404, 303, 403, 413]
    signed = staff_client(web)
    pages = [signed.get("/"), signed.get("/vendors"), signed.get("/audit"), client.get("/api/vendors", headers=token),
             client.get("/api/vendors/nope", headers=token), client.post("/api/intake", headers=token),
             signed.get("/docs"), signed.get("/docs/assets/swagger-ui.css"), signed.get("/openapi.json")]
    assert [r.status_code for r in pages] == [200, 200, 200, 200, 404, 422, 200, 200, 200]
    for response in anonymous + pages:
        secured(response)


def test_an_unexpected_error_carries_them_too_and_https_adds_hsts(tmp_path, database_url):
    app, _ = web_app(tmp_path / "home", database_url, web_secure_cookies=True)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("unexpected")

    with TestClient(app, raise_server_exceptions=False) as client:
        failed = client.get("/boom")
        assert failed.status_code == 500
        secured(failed, https=True)
        secured(client.get("/login"), https=True)
        assert client.get("/login").headers["strict-transport-security"] == "max-age=31536000"


def test_the_templates_carry_no_inline_script_style_or_handler():
    for path in sorted((rendering.HERE / "templates").glob("*.html")):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path.name
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=|javascript:", text, re.IGNORECASE), path.name


def test_docs_are_for_signed_in_staff_by_default(web):
    client, store, _ = web
    docs = client.get("/docs", follow_redirects=False)
    assert docs.status_code == 303 and docs.headers["location"] == "/login?next=%2Fdocs"
    described = client.get("/openapi.json")
    assert described.status_code == 401 and "detail" in described.json()
    _, link = portal_link(store, "Acme Ltd")
    vendor = {"Authorization": f"Bearer {link.rsplit('/', 1)[1]}"}
    assert client.get("/openapi.json", headers=vendor).status_code == 403
    staff = api_token(store, "viewer@example.org", "viewer")
    assert "/api/intake" in client.get("/openapi.json", headers=staff).json()["paths"]
    assert sign_in(client, "viewer@example.org").status_code == 303
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing from another site
    assert "<script>" not in page.text
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 200, source
    assert client.get("/docs/assets/swagger-ui-bundle.js").headers["content-type"].startswith(
        ("application/javascript", "text/javascript"))


@pytest.mark.parametrize("mode", ["public", "off"])
def test_docs_public_or_off(tmp_path, database_url, mode):
    app, _ = web_app(tmp_path / "home", database_url, web_docs=mode)
    with TestClient(app) as client:
        expected = 200 if mode == "public" else 404
        for url in ("/docs", "/openapi.json", "/docs/assets/swagger-ui.css", "/static/docs.js"):
            assert client.get(url).status_code == (200 if url == "/static/docs.js" else expected), url


def test_an_address_no_page_answers_is_a_page_for_a_browser_and_json_for_a_program(web):
    client, _, _ = web
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = client.get("/no/such/page", headers=browser)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="en"' in page.text and "<title>" in page.text and "no page at this address" in page.text
    wrong = client.delete("/vendors", headers=browser)
    assert wrong.status_code == 405 and "does not take that kind of request" in wrong.text
    api = client.get("/api/no/such/thing", headers={**browser, "Authorization": "Bearer x"})
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    assert client.get("/no/such/page").json() == {"detail": "Not Found"}  # a program that asks for no HTML


def test_an_unexpected_error_is_a_page_for_a_browser(web, monkeypatch):
    from fastapi.testclient import TestClient

    client, _, _ = web
    app = client.app

    @app.get("/boom-for-the-test")
    def boom():
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as plain:
        page = plain.get("/boom-for-the-test", headers={"Accept": "text/html"})
        assert page.status_code == 500 and '<html lang="en"' in page.text and "Something went wrong" in page.text
        assert "a bug" not in page.text and page.headers["content-security-policy"]
        assert plain.get("/boom-for-the-test").text == "Internal Server Error"
