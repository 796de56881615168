"""`fairsource status --json` carries each vendor's framework results under `frameworks` (docs/contracts.md), computed
from what the store holds, beside every key it had before."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from fairsource.cli import app
from flows import usecases
from supplier_models import Settings, Store, read_workbook
from supplier_models.workbooks.examples import EXAMPLES, write_example
from tests.scoring.test_frameworks import FAIRWORK, FAIRWORK_EXPECTED, PAI, PAI_EXPECTED

DAY = dt.date(2026, 11, 23)
KEYS_BEFORE = {"vendor", "vendor_id", "status", "decision", "assessed_decision", "assessment_id", "assessed_on",
               "valid_until", "review_on", "review_required", "review_pending", "last_review", "override_knockout",
               "open_remediations", "overdue_remediations", "remediations_done", "reattestation_requested_on",
               "reattestation_form", "sow", "sow_status", "contact"}


def test_status_json_has_the_frameworks_of_every_vendor(isolated_home):
    settings = Settings()
    store = Store(settings.url)
    try:
        inputs = usecases.load_inputs(settings)
        for vendor in EXAMPLES:
            path = write_example(vendor, isolated_home / "returned")
            usecases.intake_one(read_workbook(path), store, inputs, DAY, settings.sow_dir, received_on=DAY)
    finally:
        store.close()
    runner = CliRunner()
    result = runner.invoke(app, ["status", "--json", "--as-of", DAY.isoformat()])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["vendor"] for line in lines] == sorted(v.name for v in EXAMPLES)
    for line in lines:
        assert set(line) >= KEYS_BEFORE  # extended, never broken
        fairwork, pai = line["frameworks"][FAIRWORK], line["frameworks"][PAI]
        points, statuses = FAIRWORK_EXPECTED[line["vendor"]]
        assert (fairwork["points"], fairwork["items"]) == (points, statuses)
        assert (fairwork["version"], fairwork["questionnaire"], fairwork["max_points"]) == ("1.0.0", "RDE-1 v1.0.0",
                                                                                          10)
        assert pai["points"] == PAI_EXPECTED[line["vendor"]][0] and pai["not_answerable_needs"] == []
    lumen = next(line for line in lines if line["vendor"].startswith("Lumen"))
    assert lumen["frameworks"][FAIRWORK]["not_answerable_needs"] == ["COMM-06", "PAY-08", "RESP-03", "RESP-04",
                                                                     "WORK-06"]
    one = runner.invoke(app, ["status", "Lumen Data Services GmbH", "--json", "--as-of", DAY.isoformat()])
    assert json.loads(one.stdout)["frameworks"] == lumen["frameworks"]
