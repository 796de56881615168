"""A framework item the organisation's policy workbook requires, end to end through the intake use case: the policy
workbook names Fairwork 1.1, a vendor otherwise qualified is conditional, its SOW's Schedule 1 and the register
carry the remediation naming the item, and `status --json` shows it open (docs/frameworks.md)."""

from __future__ import annotations

import datetime as dt
import json

from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from fairsource.cli import app
from flows import usecases
from supplier_models import Settings, Store, read_workbook
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.policy_workbook import MINIMUMS_SHEET, write_blank_policy

DAY = dt.date(2026, 11, 23)
LUMEN = EXAMPLES[0]


def test_a_required_framework_item_makes_a_qualified_vendor_conditional_with_the_item_named(isolated_home,
                                                                                             monkeypatch):
    policy = write_blank_policy(isolated_home / "policy.xlsx")
    wb = load_workbook(policy)
    wb[MINIMUMS_SHEET].append(["fairwork-cloudwork-2024", "1.1", "conditional", "fair pay first (board, 2026)"])
    wb.save(policy)
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(policy))
    settings = Settings()
    store = Store(settings.url)
    try:
        inputs = usecases.load_inputs(settings)
        assert [(m.framework, m.item) for m in inputs.policy.framework_minimums] == [("fairwork-cloudwork-2024",
                                                                                      "1.1")]
        outcome = usecases.intake_one(read_workbook(write_example(LUMEN, isolated_home / "returned")), store,
                                      inputs, DAY, settings.sow_dir, received_on=DAY)
        register = store.remediations.all(outcome.vendor_id)
    finally:
        store.close()
    decision = outcome.decision
    assert decision.decision == "conditional" and not decision.knockouts  # qualified without the policy
    assert "Fairwork Cloudwork Principles 1.1" in decision.reasons[0] and "fair pay first" in decision.reasons[0]
    (tracked,) = register
    assert "Fairwork Cloudwork Principles 1.1 (Paid on time and for all completed work)" in tracked.action
    rows = next(t for t in Document(outcome.sow).tables if t.rows[0].cells[0].text == "Item").rows[1:]
    assert any("Fairwork Cloudwork Principles 1.1" in " ".join(c.text for c in r.cells) for r in rows)
    status = json.loads(CliRunner().invoke(app, ["status", LUMEN.name, "--json", "--as-of", DAY.isoformat()]).stdout)
    assert [r["id"] for r in status["open_remediations"]] == [tracked.code]
    assert status["frameworks"]["fairwork-cloudwork-2024"]["items"]["1.1"] == "not_answerable"
