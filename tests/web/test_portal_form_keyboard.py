"""The web form in Chromium at 390 px, no script. With the keyboard alone: Tab from the top of a part's page to
its Save and continue button, each answer given as a keyboard user gives it (arrow keys in a radio group, Space
on a checkbox, typing in a field), Enter to save; the saved draft holds the answers the vendor's workbook gives.
And a draft downloaded from the page, finished offline and uploaded on the portal page. Skipped where /usr/bin/chromium or Playwright is missing."""

from __future__ import annotations

import pytest

from flows.usecases import web_answers
from supplier_models import read_workbook
from supplier_models.questionnaire import load
from tests.helpers.a11y import PHONE
from tests.helpers.web import CHROMIUM, CHROMIUM_ARGS, LUMEN, portal_link, running, web_app, workbook

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

FOCUSED = """() => { const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), type: (e.type || '').toLowerCase(), name: e.name || '', id: e.id || '',
          value: e.value || '', checked: !!e.checked, text: (e.innerText || '').trim()}; }"""


def give(page, focused: dict, wanted: dict[str, str | list[str]]) -> None:
    """Answer the focused field from the keyboard, as `wanted` says (field name -> value, or values of a
    multiple choice)."""
    name = focused["name"]
    if name not in wanted:
        return
    value = wanted[name]
    if focused["type"] == "radio":
        for _ in range(12):  # arrow keys move through the group, checking each radio they reach
            now = page.evaluate(f"() => document.querySelector('input[name=\"{name}\"]:checked')?.value ?? null")
            if now == value:
                return
            page.keyboard.press("ArrowRight")
        raise AssertionError(f"{name}: {value!r} not reached with the arrow keys")
    if focused["type"] == "checkbox":
        if (focused["value"] in value) != focused["checked"]:
            page.keyboard.press("Space")
        return
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(str(value))


SHOWN = """(names) => Object.fromEntries(names.map(n => {
  const all = [...document.querySelectorAll(`[name="${n}"]`)];
  if (all[0].type === 'radio') return [n, (all.find(e => e.checked) || {value: ''}).value];
  if (all[0].type === 'checkbox') return [n, all.filter(e => e.checked).map(e => e.value)];
  return [n, all[0].value]; }))"""


@pytest.mark.parametrize("part_id", ["COMP", "WORK"])  # checkboxes and text; radio groups and a number
def test_a_part_is_answered_and_saved_with_the_keyboard_alone(tmp_path, database_url, part_id):
    app, _ = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    read = read_workbook(workbook(LUMEN, tmp_path, questionnaire="RDE-2"))  # the web form asks RDE-2
    _, link = portal_link(store, LUMEN.name)
    part = next(p for p in web_answers.parts(load(read.questionnaire_id, read.questionnaire_version))
                if p.id == part_id)
    wanted = {f"a-{q.id}": web_answers.typed_answer(read.answers.get(q.id)) for q in part.questions}
    with running(app) as base, sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = chromium.new_context(viewport=PHONE, java_script_enabled=False).new_page()
        page.goto(f"{base}{link}/answer/{part.id}")
        seen: list[str] = []
        for _ in range(400):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused["tag"] == "button" and focused["text"] == "Save and continue":
                break
            seen.append(focused["name"])
            give(page, focused, wanted)
        else:
            raise AssertionError(f"Save and continue never reached with Tab: {seen[-20:]}")
        assert set(wanted) <= set(seen)  # every question reached by Tab
        page.keyboard.press("Enter")
        expect(page.locator(".alert-ok")).to_contain_text("Saved")
        page.goto(f"{base}{link}/answer/{part.id}")  # the saved draft, as the page shows it again
        shown = page.evaluate(SHOWN, list(wanted))
        chromium.close()
    assert shown == {n: sorted(v) if isinstance(v, list) else v for n, v in wanted.items()} or \
        shown == wanted, (shown, wanted)


def test_a_draft_downloaded_in_the_browser_finished_offline_and_uploaded_is_one_submission(tmp_path, database_url):
    """Half the parts saved in the web form; the draft downloaded from its page in Chromium; the rest typed in
    the workbook (answers, Countries rows, attestation, as in an office suite); the file uploaded on the portal
    page: the submission the same answers give, under the draft's form id, and the draft gone."""
    import httpx

    from supplier_models.workbooks.form import fill_form
    from tests.helpers.web_form import part_fields, save

    app, _ = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    read = read_workbook(workbook(LUMEN, tmp_path, questionnaire="RDE-2"))  # the web form asks RDE-2
    vendor, link = portal_link(store, LUMEN.name)
    parts = web_answers.parts(load(read.questionnaire_id, read.questionnaire_version))
    half = parts[:len(parts) // 2]
    with running(app) as base, httpx.Client(base_url=base) as client, sync_api.sync_playwright() as p:
        for part in half:
            assert save(client, link, part.id, part_fields(read, part)).status_code == 303
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = chromium.new_context(viewport=PHONE, java_script_enabled=False, accept_downloads=True).new_page()
        page.goto(f"{base}{link}/answer/{parts[len(half)].id}")
        page.get_by_text("All parts").click()  # the parts and the draft's download, folded once started
        with page.expect_download() as got:
            page.get_by_role("link", name="Download this draft as a workbook (.xlsx)").click()
        draft = tmp_path / got.value.suggested_filename
        got.value.save_as(draft)
        rest = {q.id: read.answers[q.id] for part in parts[len(half):] for q in part.questions
                if read.answers.get(q.id) is not None}
        rows = web_answers.from_submission(read)["countries"]
        fill_form(draft, rest, rows, {q: e for q, e in read.evidence.items() if q in rest},
                  attestation=read.attestation)
        page.goto(base + link)
        page.get_by_label("Workbook").set_input_files(str(draft))
        page.get_by_role("button", name="Upload").click()
        expect(page.locator(".alert-ok")).to_contain_text("received and assessed")
        chromium.close()
    stored = store.submissions.latest_of(vendor.id).submission
    invite = store.invites.of_vendor(vendor.id)[0]
    different = {"sha256", "filename", "form_id", "issued_at"}
    assert stored.model_dump(exclude=different) == read.model_dump(exclude=different)
    assert stored.filename == draft.name and web_answers.drafts(store).get(vendor.id, invite.id) is None
