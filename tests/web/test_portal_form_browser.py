"""The web form in Chromium on a 390 px phone, no script needed: a vendor answers a section, leaves half-way, comes
back to its saved answers, meets the reader's problems beside its fields, finishes the whole questionnaire and
submits; the decision is the one the same answers give in a workbook. Screenshots of a section and of its errors
are written where `FAIRSOURCE_SCREENSHOTS` says (docs/images for the README), else to the test's folder. Skipped where
/usr/bin/chromium or Playwright is missing."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from flows import usecases
from flows.usecases import web_answers
from scoring import Decision
from supplier_models import read_workbook
from supplier_models.questionnaire import load
from tests.helpers.a11y import PHONE, overflow
from tests.helpers.web import CHROMIUM, CHROMIUM_ARGS, LUMEN, portal_link, running, shoot, web_app, workbook

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def answer_part(page, part: web_answers.Part, submission) -> None:
    """Type one part's answers as a person would: tick, pick, type; open an evidence field to fill it."""
    for question in part.questions:
        value = web_answers.typed_answer(submission.answers.get(question.id))
        if question.type in ("yes_no", "choice"):
            page.locator(f'input[name="a-{question.id}"][value="{value}"]').check()
        elif question.type == "multi":
            for box in page.locator(f'input[name="a-{question.id}"]').all():
                box.set_checked(box.get_attribute("value") in value)
        else:
            page.locator(f"#a-{question.id}").fill(value)
        evidence = submission.evidence.get(question.id)
        if evidence:
            page.locator(f"#q-{question.id} details.evidence summary").click()
            page.locator(f"#e-{question.id}").fill(evidence)


def answer_countries(page, submission) -> None:
    rows = web_answers.from_submission(submission)["countries"]
    while page.locator("fieldset.country-row").count() < len(rows):
        page.get_by_role("button", name="Save and add 5 rows").click()
    for r, row in enumerate(rows):
        for c, value in enumerate(row, start=1):
            field = page.locator(f"#c{r}-{c}")
            field.select_option(value) if c == 6 else field.fill(value)


def test_on_a_phone_a_vendor_answers_leaves_comes_back_and_submits_with_the_workbooks_result(tmp_path,
                                                                                             database_url):
    shots = Path(os.environ.get("FAIRSOURCE_SCREENSHOTS") or tmp_path)
    app, _ = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    read = read_workbook(workbook(LUMEN, tmp_path, questionnaire="RDE-2"))  # the web form asks RDE-2
    vendor, link = portal_link(store, LUMEN.name)
    parts = web_answers.parts(load(read.questionnaire_id, read.questionnaire_version))
    with running(app) as base, sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport=PHONE, java_script_enabled=False)  # nothing here needs a script
        page = context.new_page()
        page.goto(base + link)
        page.get_by_role("link", name="answer in the browser").click()
        expect(page.locator("h2").first).to_have_text(parts[0].title)
        half = len(parts) // 2
        for part in parts[:half]:
            answer_part(page, part, read)
            page.get_by_role("button", name="Save and continue").click()
            expect(page.locator(".alert-ok")).to_contain_text("Saved")
        assert overflow(page) == 0
        page.goto(base + link)  # leaves half-way
        expect(page.locator("#draft")).to_contain_text(f"saved as a draft ({half} of {len(parts)} parts)")
        page.get_by_role("link", name="go on answering in the browser").click()  # to the first part not saved
        expect(page.locator("h2").first).to_have_text(parts[half].title)
        expect(page.locator(".progress-line")).to_contain_text(f"{half} of {len(parts)} saved")
        page.goto(f"{base}{link}/answer/{parts[0].id}")  # the answers saved are there
        expect(page.locator("#a-COMP-01")).to_have_value(read.answers["COMP-01"])
        page.goto(f"{base}{link}/answer/WORK")
        shoot(page, shots / "web-portal-form.png")
        page.locator("#a-WORK-04").fill("lots")
        page.locator('input[name="a-WORK-01"][value=""]').check()
        page.get_by_role("button", name="Save", exact=True).click()
        errors = page.locator(".field-error")
        expect(errors).to_have_count(2)
        expect(errors.first).to_contain_text("An answer is required")
        page.locator("#a-WORK-04").scroll_into_view_if_needed()
        page.locator("#q-WORK-01").scroll_into_view_if_needed()
        shoot(page, shots / "web-portal-form-errors.png")
        assert overflow(page) == 0
        answer_part(page, next(x for x in parts if x.id == "WORK"), read)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".field-error")).to_have_count(0)
        for part in parts[half:]:
            page.goto(f"{base}{link}/answer/{part.id}")
            if part.id == web_answers.COUNTRIES:
                answer_countries(page, read)
            elif part.id == web_answers.ATTESTATION:
                page.locator("#att-name").fill(read.attestation.name)
                page.locator("#att-title").fill(read.attestation.title)
                page.locator("#att-date").fill(read.attestation.date.isoformat())
            else:
                answer_part(page, part, read)
            page.get_by_role("button", name="Save", exact=True).click()
            expect(page.locator(".field-error")).to_have_count(0)
            assert overflow(page) == 0
        page.get_by_role("button", name="Submit the questionnaire").click()
        expect(page.locator(".alert-ok")).to_contain_text("received and assessed")
        chromium.close()
    stored = store.submissions.latest_of(vendor.id).submission
    assert stored.filename == web_answers.WEB_FORM
    same_workbook = read.model_copy(update={"issued_at": stored.issued_at})  # the day its form was issued
    expected = usecases.decide(same_workbook, app.state.web.inputs, dt.date.today())
    got = Decision.model_validate(store.assessments.latest(vendor.id).data)
    assert got.model_dump(mode="json") == expected.model_dump(mode="json")
    assert got.decision == LUMEN.expected_decision


def test_with_a_script_a_question_not_needed_hides_as_its_condition_changes(tmp_path, database_url):
    app, _ = web_app(tmp_path / "home", database_url)
    _, link = portal_link(app.state.web.store, LUMEN.name)
    with running(app) as base, sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = chromium.new_context(viewport=PHONE).new_page()
        page.goto(f"{base}{link}/answer/VULN")
        needed_if_yes, optional_if_no = page.locator("#q-VULN-02"), page.locator("#q-VULN-03")
        expect(needed_if_yes).to_be_visible()  # VULN-01 not answered yet: everything shows
        page.locator('input[name="a-VULN-01"][value="No"]').check()
        expect(needed_if_yes).to_be_hidden()
        expect(optional_if_no).to_be_hidden()
        page.locator('input[name="a-VULN-01"][value="Yes"]').check()
        expect(needed_if_yes).to_be_visible()
        expect(optional_if_no).to_be_visible()
        # RDE-2's PAY-09 (a time estimate) is asked when PAY-01 is one of the two piece rates
        page.goto(f"{base}{link}/answer/PAY")
        estimate = page.locator("#q-PAY-09")
        expect(estimate).to_be_visible()
        page.locator('input[name="a-PAY-01"][value="Hourly wage"]').check()
        expect(estimate).to_be_hidden()
        page.locator('input[name="a-PAY-01"][value="Piece rate only"]').check()
        expect(estimate).to_be_visible()
        page.locator('input[name="a-PAY-01"][value="Salary"]').check()
        expect(estimate).to_be_hidden()
        page.locator('input[name="a-PAY-01"][value="Piece rate with hourly floor"]').check()
        expect(estimate).to_be_visible()
        chromium.close()
