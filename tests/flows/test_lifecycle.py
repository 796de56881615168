"""The qualification lifecycle end to end, on the real Prefect engine and the backend under test:
fresh attestation, expiry, rescoring on data change, human review, remediation tracking, reminders."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml
from docx import Document
from openpyxl import load_workbook

from fairsource.cli import app
from supplier_models import Store, read_workbook
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.form import fill_form
from tests.helpers.rde2 import answer_new_questions
from tests.helpers.runs import run as _run
from tests.helpers.runs import runner

pytestmark = pytest.mark.usefixtures("prefect_engine")
TODAY = dt.date(2026, 11, 23)
LUMEN, BRIGHT = EXAMPLES[0], EXAMPLES[1]


def _days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


def _status(vendor: str, as_of: str) -> dict:
    return json.loads(_run("status", vendor, "--json", "--as-of", as_of).stdout)


def _requalify(as_of: str) -> dict:
    return json.loads(_run("requalify", "--as-of", as_of, "--json").stdout)


def _docx_text(path: str) -> str:
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)


@pytest.fixture
def lumen(isolated_home) -> Path:
    """Lumen, qualified, with its certificate valid well past a year: a plain 12-month qualification."""
    path = write_example(LUMEN, isolated_home / "returned")
    return fill_form(path, {"DATA-02": dt.date(2030, 1, 31)})


def test_a_qualification_rests_on_the_attestation_and_lapses_without_a_fresh_one(isolated_home, lumen, database_url):
    decision = json.loads(_run("intake", str(lumen), "--json", "--as-of", TODAY.isoformat()).stdout)
    assert decision["decision"] == "qualified" and decision["valid_until"] == "2027-11-23"
    store = Store(database_url)
    before = store.counts()

    # 11.5 months on: a pre-filled form of the current questionnaire, no new assessment.
    first = _requalify(_days(350))
    assert first["rescored"] == [] and first["expired"] == []
    (asked,) = first["reattestation_requested"]
    assert asked["vendor"] == LUMEN.name and asked["expires_on"] == "2027-11-23"
    # The form of the questionnaire issued now (RDE-2), pre-filled with the RDE-1 answers; the vendor answers what
    # RDE-2 adds (all of it, "Yes") and confirms the rest. Read by the real reader.
    answered = answer_new_questions(asked["form"])
    form = read_workbook(answered)
    original = store.submissions.get(store.assessments.latest(decision["vendor_id"]).submission_id)
    assert {k: v for k, v in form.answers.items() if k in original.answers} == original.answers
    assert form.countries == original.countries and form.questionnaire_id == "RDE-2"
    counts = store.counts()
    assert counts["assessment"] == before["assessment"] and counts["reattestation_request"] == 1
    assert _status(LUMEN.name, _days(350))["status"] == "reattestation_requested"

    # The same run again changes nothing: no assessment, no form, no event, no reminder.
    again = _requalify(_days(350))
    assert again["rescored"] == again["reattestation_requested"] == again["reminders"] == []
    assert store.counts() == counts

    # 13 months on, with no fresh submission: expired, and no SOW can be issued.
    late = _requalify(_days(396))
    assert [e["vendor"] for e in late["expired"]] == [LUMEN.name] and late["rescored"] == []
    assert store.counts()["assessment"] == before["assessment"]
    status = _status(LUMEN.name, _days(396))
    assert status["status"] == "expired" and status["valid_until"] == "2027-11-23"
    result = runner.invoke(app, ["sow", LUMEN.name, "--out", str(isolated_home / "late.docx"), "--as-of", _days(396)])
    assert result.exit_code == 2 and "expired on 2027-11-23" in result.stderr
    assert not (isolated_home / "late.docx").exists()
    report = Path(late["report"])
    ws = load_workbook(report)["Portfolio"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("Status") + 1).value == "expired"

    # The vendor returns the pre-filled form with the new questions answered: qualified for 12 months from that
    # day, now on RDE-2 and its rubric.
    renewed = json.loads(_run("intake", str(answered), "--json", "--as-of", _days(396)).stdout)
    assert renewed["decision"] == "qualified" and renewed["valid_until"] == "2028-12-24"
    assert renewed["rubric_version"] == "RDE-2-rubric v1.0.0" and renewed["score"] == 100
    assert _status(LUMEN.name, _days(396))["status"] == "qualified"


def test_a_country_data_change_rescores_but_keeps_the_attestations_expiry(isolated_home, monkeypatch, database_url):
    from supplier_models.reference_data import default_folder

    savanna = write_example(EXAMPLES[4], isolated_home / "returned")
    first = json.loads(_run("intake", str(savanna), "--json", "--as-of", TODAY.isoformat()).stdout)
    assert first["decision"] == "qualified"
    folder = isolated_home / "country-data"
    shutil.copytree(default_folder(), folder)
    version = yaml.safe_load((folder / "VERSION.yaml").read_text())
    version["version"] += "-test"
    (folder / "VERSION.yaml").write_text(yaml.safe_dump(version))
    wages = (folder / "minimum_wage_ilostat.csv").read_text()
    (folder / "minimum_wage_ilostat.csv").write_text(wages + "\n")  # same facts, new version: Kenya is unaffected
    monkeypatch.setenv("FAIRSOURCE_COUNTRY_DATA", str(folder))
    wars = (folder / "ucdp_wars_since2014.csv").read_text()
    header = wars.splitlines()[0].split(",")
    row = {k: "" for k in header} | {"iso3": "GHA", "iso2": "GH", "ongoing": "1", "start_year": "2026",
                                      "type_of_conflict": "intrastate", "conflict_name": "Test conflict"}
    (folder / "ucdp_wars_since2014.csv").write_text(wars.rstrip("\n") + "\n" + ",".join(row[k] for k in header) + "\n")

    run = _requalify(_days(40))
    (rescored,) = run["rescored"]
    assert rescored["vendor"] == EXAMPLES[4].name and rescored["decision"] == "conditional"
    # A conditional decision made today would run 6 months from today; rescoring old answers never extends the
    # attestation, and here the conditional validity from the answers' date ends sooner than the old expiry.
    assert rescored["valid_until"] == "2027-05-23"
    store = Store(database_url)
    latest = store.assessments.latest(first["vendor_id"])
    assert latest.reason == "data_change" and latest.id != first["assessment_id"]
    assert _requalify(_days(40))["rescored"] == []  # once per change


def test_review_approval_turns_a_draft_sow_final_and_needs_a_reason(isolated_home, database_url):
    bright = write_example(BRIGHT, isolated_home / "returned")
    decision = json.loads(_run("intake", str(bright), "--json", "--as-of", TODAY.isoformat()).stdout)
    assert decision["decision"] == "conditional" and decision["sow_status"] == "draft"
    again = _run("intake", str(bright), "--as-of", TODAY.isoformat()).stdout  # the same file: the stored outcome
    assert "(DRAFT: a review is pending" in again
    status = _status("Brightlabel", TODAY.isoformat())
    assert status["status"] == "pending_review" and status["sow_status"] == "draft"
    assert status["review_required"] == ["the decision is conditional"]
    store = Store(database_url)
    draft = store.sows.latest(decision["vendor_id"])
    assert draft.status == "draft" and "DRAFT - pending review" in _docx_text(draft.path)

    result = runner.invoke(app, ["review", "Brightlabel", "--decision", "approve", "--reviewer", "Ana Lima"])
    assert result.exit_code == 2 and "reason" in result.stderr
    assert store.counts()["review"] == 0

    _run("review", "Brightlabel", "--decision", "approve", "--reason", "Pay plan seen; pilot agreed",
         "--reviewer", "Ana Lima")
    status = _status("Brightlabel", TODAY.isoformat())
    assert status["status"] == "conditional" and status["sow_status"] == "final"
    assert status["last_review"]["reviewer"] == "Ana Lima" and status["last_review"]["action"] == "approve"
    final = store.sows.latest(decision["vendor_id"])
    assert final.id != draft.id and final.status == "final" and final.review_id
    assert final.reference and final.reference != draft.reference  # each document its own reference
    assert final.path != draft.path and "DRAFT - pending review" in _docx_text(draft.path)  # the draft stays as issued
    assert "DRAFT" not in _docx_text(final.path) and BRIGHT.name in _docx_text(final.path)
    assert store.assessments.latest(decision["vendor_id"]).id == decision["assessment_id"]  # never rewritten


def test_a_knockout_override_takes_a_flag_and_a_second_reviewer(isolated_home, database_url):
    quick = write_example(EXAMPLES[2], isolated_home / "returned")
    _run("intake", str(quick), "--as-of", TODAY.isoformat())
    args = ["review", "QuickTask", "--decision", "override", "--to", "conditional", "--reason",
            "Fees refunded to every worker; audited", "--reviewer", "Ana"]
    assert "--override-knockout" in runner.invoke(app, args).stderr
    _run(*args, "--override-knockout")
    assert _status("QuickTask", TODAY.isoformat())["status"] == "pending_review"
    same = runner.invoke(app, ["review", "QuickTask", "--decision", "approve", "--reason", "ok", "--reviewer", "ana"])
    assert same.exit_code == 2 and "another reviewer" in same.stderr
    _run("review", "QuickTask", "--decision", "approve", "--reason", "Refund evidence checked", "--reviewer", "Ben")
    status = _status("QuickTask", TODAY.isoformat())
    assert status["decision"] == "conditional" and status["override_knockout"] and status["sow_status"] == "final"
    sow = Store(database_url).sows.latest(status["vendor_id"])
    assert sow.override_knockout and sow.decision == "conditional"
    report = Path(_run("report", "--out", str(isolated_home / "p.xlsx")) and isolated_home / "p.xlsx")
    ws = load_workbook(report)["Portfolio"]
    header = [c.value for c in ws[1]]
    assert "overridden by review" in ws.cell(row=2, column=header.index("Knockouts") + 1).value


def test_remediations_are_tracked_closed_with_evidence_and_overdue_ones_need_action(isolated_home, database_url):
    bright = write_example(BRIGHT, isolated_home / "returned")
    _run("intake", str(bright), "--as-of", TODAY.isoformat())
    _run("review", "Brightlabel", "--decision", "approve", "--reason", "ok", "--reviewer", "Ana")
    status = _status("Brightlabel", TODAY.isoformat())
    ids = [r["id"] for r in status["open_remediations"]]
    assert ids == [f"R{i}" for i in range(1, len(ids) + 1)] and len(ids) == 11
    high = [r for r in status["open_remediations"] if r["priority"] == "high"]
    assert high, "Brightlabel owes a high-priority remediation"

    assert runner.invoke(app, ["remediate", "Brightlabel", "R99", "--evidence", "x", "--reviewer", "Ana"]).exit_code == 2
    closed = high[0]["id"]
    _run("remediate", "Brightlabel", closed, "--evidence", "Signed pay calendar, 2026-12-01", "--reviewer", "Ana")
    again = runner.invoke(app, ["remediate", "Brightlabel", closed, "--evidence", "y", "--reviewer", "Ben"])
    assert again.exit_code == 2 and f"{closed} of {BRIGHT.name} was closed already on" in again.output
    late = max(dt.date.fromisoformat(r["due_date"]) for r in high) + dt.timedelta(days=1)
    status = _status("Brightlabel", late.isoformat())
    assert len(high) == 2 and status["status"] == "action_required"
    assert high[1]["id"] in {r["id"] for r in status["overdue_remediations"]}
    assert closed not in {r["id"] for r in status["open_remediations"] + status["overdue_remediations"]}
    assert status["remediations_done"] == 1

    out = isolated_home / "portfolio.xlsx"
    _run("report", "--out", str(out))
    rows = list(load_workbook(out)["Remediations"].iter_rows(min_row=2, values_only=True))
    closed_row = next(r for r in rows if r[1] == closed)
    assert closed_row[0] == BRIGHT.name and closed_row[2] == "done"
    assert closed_row[9] == "Ana" and closed_row[10] == "Signed pay calendar, 2026-12-01"

    # A new submission whose answers now meet the bar closes the matching remediation by itself.
    better = fill_form(bright, {"PAY-06": "Every two weeks"}, out=isolated_home / "better.xlsx")
    _run("intake", str(better), "--as-of", _days(10))
    tracked = {r.code: r for r in Store(database_url).remediations.all()}
    pay = next(r for r in tracked.values() if r.question == "PAY-06")
    assert pay.state == "done" and pay.closed_how == "answer"
    # The rest keep their ids; the matter closed with evidence is raised again by the new answers, which still
    # fall short there: a new remediation, the closed one stays closed.
    assert sorted(tracked) == sorted(f"R{i}" for i in range(1, 13))
    assert tracked[closed].state == "done" and tracked["R12"].key == tracked[closed].key


def test_overdue_high_priority_remediation_makes_a_qualified_vendor_action_required(isolated_home):
    bright = write_example(BRIGHT, isolated_home / "returned")
    _run("intake", str(bright), "--as-of", TODAY.isoformat())
    _run("review", "Bright", "--decision", "override", "--to", "qualified", "--reason",
         "Pay plan agreed at the kick-off", "--reviewer", "Ana")
    _run("review", "Bright", "--decision", "approve", "--reason", "Plan seen", "--reviewer", "Ben")
    status = _status("Bright", TODAY.isoformat())
    assert status["status"] == "qualified" and status["decision"] == "qualified"
    first_due = min(r["due_date"] for r in status["open_remediations"] if r["priority"] == "high")
    assert _status("Bright", first_due)["status"] == "qualified"  # due that day: not yet overdue
    after = (dt.date.fromisoformat(first_due) + dt.timedelta(days=1)).isoformat()
    assert _status("Bright", after)["status"] == "action_required"


def test_reminder_mail_reaches_the_vendor_and_the_owner_once(isolated_home, lumen, monkeypatch, smtp_inbox):
    inbox, url = smtp_inbox
    monkeypatch.setenv("FAIRSOURCE_SMTP_URL", url)
    monkeypatch.setenv("FAIRSOURCE_OWNER_EMAIL", "procurement@client.example")
    _run("form", "--vendor", LUMEN.name, "--out", str(isolated_home / "blank.xlsx"), "--contact", "ops@lumen.example")
    _run("intake", str(lumen), "--as-of", TODAY.isoformat())
    run = _requalify(_days(350))
    kinds = {r["kind"] for r in run["reminders"]}
    assert {"expiry_30", "reattestation_requested"} <= kinds
    assert all(r["emailed"] for r in run["reminders"])
    # One digest per recipient (no longer one mail per notice): the vendor's contact and the owner, each told that
    # the qualification ends on 2027-11-23 and sent the pre-filled form.
    assert sorted(to for to, _ in inbox.messages) == [["ops@lumen.example"], ["procurement@client.example"]]
    for _, mail in inbox.messages:
        assert mail["Subject"] == f"{LUMEN.name}: please confirm or correct your answers (form attached)"
        assert "ends on 2027-11-23" in mail.get_body(("plain",)).get_content()
        (attachment,) = list(mail.iter_attachments())
        assert attachment.get_filename().endswith(".xlsx") and attachment.get_content()[:2] == b"PK"
    count = len(inbox.messages)
    assert _requalify(_days(350))["reminders"] == [] and len(inbox.messages) == count  # never twice


def test_a_requalification_cut_off_half_way_completes_the_rest_and_duplicates_nothing(
        isolated_home, monkeypatch, database_url):
    from flows.requalify import requalify
    from flows.usecases import rescore
    from supplier_models.errors import ConfigurationError

    folder = isolated_home / "returned"
    paths = [write_example(v, folder) for v in (EXAMPLES[0], EXAMPLES[1], EXAMPLES[3])]
    _run("intake", *map(str, paths), "--as-of", TODAY.isoformat())
    store = Store(database_url)
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(_policy_with_prohibited(isolated_home, "UA")))
    real_decide, calls = rescore.decide, []

    def dies_on_the_third(submission, inputs, as_of):
        calls.append(submission.vendor_name)
        if len(calls) == 3:
            raise ConfigurationError("the worker died")  # not transient: the task does not retry
        return real_decide(submission, inputs, as_of)

    monkeypatch.setattr(rescore, "decide", dies_on_the_third)
    with pytest.raises(ConfigurationError):
        requalify(as_of=TODAY + dt.timedelta(days=1), batch_size=1)
    assert store.counts()["assessment"] == 3 + 2  # two batches were stored, each whole
    monkeypatch.setattr(rescore, "decide", real_decide)
    results, *_ = requalify(as_of=TODAY + dt.timedelta(days=1), batch_size=1)
    assert len(results) == 1 and store.counts()["assessment"] == 3 + 3  # only the rest: one new each
    from sqlmodel import select

    from supplier_models.store.tables import AssessmentRecord

    with store.session() as s:
        rows = list(s.exec(select(AssessmentRecord)))
    assert sorted(r.vendor_id for r in rows if r.reason == "data_change") == sorted({r.vendor_id for r in rows})
    frontier = next(r for r in rows if r.reason == "data_change" and r.data["vendor"].startswith("Frontier"))
    assert frontier.decision == "not_qualified"  # Ukraine is now on the prohibited list
    again, *_ = requalify(as_of=TODAY + dt.timedelta(days=1), batch_size=1)
    assert again == [] and store.counts()["assessment"] == 6


def _policy_with_prohibited(home: Path, iso2: str) -> Path:
    """The organisation's policy workbook with one prohibited country: a new policy version, every vendor due."""
    from openpyxl import load_workbook as load

    from supplier_models.workbooks.policy_workbook import PROHIBITED_SHEET, write_blank_policy

    path = write_blank_policy(home / "policy.xlsx")
    wb = load(path)
    ws = wb[PROHIBITED_SHEET]
    ws["A2"], ws["B2"] = iso2, "Sanctions review"
    wb.save(path)
    return path


def test_a_batch_rescored_twice_adds_one_assessment_a_vendor(isolated_home, monkeypatch, database_url):
    """Two workers handed the same shard (or a shard retried after it committed): one rescoring per vendor."""
    from flows import usecases
    from flows.usecases import remediations
    from supplier_models import StoreError, get_settings

    paths = [write_example(v, isolated_home / "returned") for v in (EXAMPLES[0], EXAMPLES[1])]
    _run("intake", *map(str, paths), "--as-of", TODAY.isoformat())
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(_policy_with_prohibited(isolated_home, "UA")))
    settings = get_settings()
    store, inputs = Store(database_url), usecases.load_inputs(settings)
    due = usecases.select_changed(store, inputs)
    assert len(due) == 2
    first = usecases.rescore_batch(store, due, inputs, TODAY, settings.sow_dir)
    assert len(first) == 2 and store.counts()["assessment"] == 4
    assert usecases.rescore_batch(store, due, inputs, TODAY, settings.sow_dir) == []
    assert store.counts()["assessment"] == 4
    # Two runs that read the same vendor at the same moment: the database keeps one rescoring.
    latest = store.assessments.latest(first[0].vendor_id)
    twin = latest.model_copy(update={"id": "twin-of-" + latest.id[:20], "supersedes": latest.supersedes})
    with pytest.raises(StoreError, match="at the same time"):
        store.assessments.add_many([(twin, None)], sync=remediations.sync)
    assert store.counts()["assessment"] == 4


def _policy_with_override(home: Path, iso2: str, band: str) -> Path:
    """The organisation's policy workbook rating one country's risk itself: a new policy version, every vendor due."""
    from openpyxl import load_workbook as load

    from supplier_models.workbooks.policy_workbook import OVERRIDES_SHEET, write_blank_policy

    path = write_blank_policy(home / f"policy-{iso2}-{band}.xlsx")
    wb = load(path)
    ws = wb[OVERRIDES_SHEET]
    ws["A2"], ws["B2"], ws["C2"] = iso2, band, "Our own risk review"
    wb.save(path)
    return path


def test_a_rescoring_that_shortens_a_qualification_never_backdates_it_and_gives_notice(
        isolated_home, lumen, monkeypatch, database_url):
    # Lumen is qualified on 2026-11-23 until 2027-11-23. On 2027-07-01 the organisation rates Germany high: a
    # conditional decision, which its attestation of 2026-11-23 allows until 2027-05-23 only, a date already past.
    first = json.loads(_run("intake", str(lumen), "--json", "--as-of", TODAY.isoformat()).stdout)
    assert (first["decision"], first["valid_until"]) == ("qualified", "2027-11-23")
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(_policy_with_override(isolated_home, "DE", "high")))
    run = _requalify("2027-07-01")
    (rescored,) = run["rescored"]
    assert rescored["decision"] == "conditional"
    assert rescored["valid_until"] == "2027-07-31"  # 30 days' notice from the rescoring, not 2027-05-23
    status = _status(LUMEN.name, "2027-07-01")
    assert status["status"] != "expired" and status["valid_until"] == "2027-07-31"
    latest = Store(database_url).assessments.latest(first["vendor_id"])
    assert any("30 days' notice" in r and "2027-05-23" in r for r in latest.data["reasons"])
    sow = _docx_text(rescored["sow"])  # re-issued (the decision changed): its term runs to the new date
    assert "1 July 2027" in sow and "31 July 2027" in sow and "29 May 2027" not in sow
    assert _status(LUMEN.name, "2027-07-31")["status"] != "expired"
    assert _status(LUMEN.name, "2027-08-01")["status"] == "expired"


def test_the_notice_never_carries_a_qualification_past_its_old_end_nor_reissues_an_ended_sow(
        isolated_home, lumen, monkeypatch, database_url):
    first = json.loads(_run("intake", str(lumen), "--json", "--as-of", TODAY.isoformat()).stdout)
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(_policy_with_override(isolated_home, "DE", "high")))
    # Rescored 10 days before the old end: 30 days' notice would pass it, so the old end stays.
    (rescored,) = _requalify("2027-11-13")["rescored"]
    assert (rescored["decision"], rescored["valid_until"]) == ("conditional", "2027-11-23")
    # A refusal by rescoring gets a review date at least the notice ahead, never in the past.
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(_policy_with_prohibited(isolated_home, "ZA")))
    (refused,) = _requalify("2027-11-20")["rescored"]
    assert refused["decision"] == "not_qualified" and refused["valid_until"] == "2027-11-23"
    assert refused["sow"] is None
    # Rescored after the end: it stays ended on its old date, and no SOW is issued for a term that has ended.
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(_policy_with_override(isolated_home, "PT", "high")))
    (late,) = _requalify("2027-12-15")["rescored"]
    assert late["valid_until"] == "2027-11-23" and late["sow"] is None
    assert Store(database_url).assessments.latest(first["vendor_id"]).valid_until == dt.date(2027, 11, 23)


def test_requalify_refuses_older_data_than_the_vendors_were_assessed_with(isolated_home, lumen, monkeypatch,
                                                                           database_url):
    from supplier_models.reference_data import default_folder

    # Lumen assessed with newer country data than the bundled one...
    folder = isolated_home / "country-data-2027"
    shutil.copytree(default_folder(), folder)
    version = yaml.safe_load((folder / "VERSION.yaml").read_text())
    (folder / "VERSION.yaml").write_text(yaml.safe_dump({**version, "version": "2027.03-1"}))
    monkeypatch.setenv("FAIRSOURCE_COUNTRY_DATA", str(folder))
    _run("intake", str(lumen), "--as-of", TODAY.isoformat())
    # ... then a requalification run without it would rescore onto the bundled, older data: refused, nothing stored.
    monkeypatch.delenv("FAIRSOURCE_COUNTRY_DATA")
    before = Store(database_url).counts()
    refused = _run("requalify", "--as-of", _days(30), "--json", code=2)
    assert "country data 2026.11-1 is older than 2027.03-1, which the latest assessment of 1 vendor(s) used" \
        in refused.output and "--allow-older-data" in refused.output
    assert Store(database_url).counts() == before
    # On purpose, it runs (the two versions say the same of Lumen's countries: nothing to rescore).
    allowed = json.loads(_run("requalify", "--as-of", _days(30), "--json", "--allow-older-data").stdout)
    assert allowed["as_of"] == _days(30) and allowed["rescored"] == []


def test_requalify_refuses_going_back_to_an_earlier_policy(isolated_home, lumen, monkeypatch):
    _run("intake", str(lumen), "--as-of", TODAY.isoformat())  # no policy
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(_policy_with_override(isolated_home, "DE", "high")))
    assert _requalify(_days(30))["rescored"]  # the new policy: rescored
    monkeypatch.delenv("FAIRSOURCE_POLICY_FILE")  # a run that forgot it would go back to no policy
    refused = _run("requalify", "--as-of", _days(31), code=2)
    assert "policy none is older than" in refused.output


def test_a_carried_remediation_keeps_its_id_and_takes_the_due_date_of_the_newest_sow(isolated_home, database_url):
    from sow_templates.text import format_date

    bright = write_example(BRIGHT, isolated_home / "returned")
    _run("intake", str(bright), "--as-of", TODAY.isoformat())
    before = {r.code: r for r in Store(database_url).remediations.all()}
    # Sixty days later the vendor sends corrected answers that still fall short on the same matters: a new SOW.
    again = fill_form(bright, {"COMM-02": 2}, out=isolated_home / "again.xlsx")
    outcome = json.loads(_run("intake", str(again), "--json", "--as-of", _days(60)).stdout)
    after = {r.code: r for r in Store(database_url).remediations.all()}
    carried = [code for code in before if after[code].state == "open"]
    assert carried and set(carried) <= set(after)  # the same ids
    for code in carried:  # each due date is the one the newest SOW states, counted from its day
        assert after[code].due_date > before[code].due_date
        assert format_date(after[code].due_date) in _docx_text(outcome["sow"]).replace("\xa0", " ")
    history = Store(database_url).audit.events(limit=500)
    assert {e.subject for e in history if e.action == "remediation_rescheduled"} == set(carried)


def test_the_json_decision_names_the_evidence_each_remediation_needs(isolated_home):
    bright = write_example(BRIGHT, isolated_home / "returned")
    decision = json.loads(_run("intake", str(bright), "--json", "--as-of", TODAY.isoformat()).stdout)
    pay = next(r for r in decision["remediations"] if r["question"] == "PAY-06")
    assert pay["evidence"] and "pay calendar" in pay["evidence"].lower()
    assert all(r["evidence"] for r in decision["remediations"])
