"""The portfolio workbook has a sheet per framework: each vendor's points, the points it could reach, and each
item's result (docs/frameworks.md)."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from flows import usecases
from supplier_models import Settings, Store, read_workbook
from supplier_models.workbooks.examples import EXAMPLES, write_example
from tests.scoring.test_frameworks import FAIRWORK, FAIRWORK_EXPECTED, PAI, PAI_EXPECTED

DAY = dt.date(2026, 11, 23)


def test_the_portfolio_has_a_sheet_per_framework_with_every_vendors_points(tmp_path):
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'fairsource.db'}",
                        policy_file=None, country_data=None, organisation="", sow_template=None, review_policy=None,
                        smtp_url=None, _env_file=None)
    store = Store(settings.url)
    try:
        inputs = usecases.load_inputs(settings)
        for vendor in EXAMPLES:
            path = write_example(vendor, tmp_path / "returned")
            usecases.intake_one(read_workbook(path), store, inputs, DAY, settings.sow_dir, received_on=DAY)
    finally:
        store.close()
    book = load_workbook(usecases.write_report(settings, str(tmp_path / "portfolio.xlsx"), DAY))
    assert book.sheetnames == ["Portfolio", "Remediations", "Principles", FAIRWORK, PAI]
    fairwork = book[FAIRWORK]
    header = [c.value for c in fairwork[1]]
    assert header == ["Vendor", "Decision", "Points of 10", "Possible",
                      *[f"Item {i}" for i in ("1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2")]]
    rows = {r[0]: r for r in fairwork.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(FAIRWORK_EXPECTED)
    for name, (points, statuses) in FAIRWORK_EXPECTED.items():
        assert rows[name][2] == points
        assert list(rows[name][4:]) == [s.replace("_", " ") for s in statuses.values()]
    assert rows["Brightlabel Solutions Inc."][3] == 2  # 3.1 met, and 3.2 not answerable from RDE-1
    pai = {r[0]: r for r in book[PAI].iter_rows(min_row=2, values_only=True)}
    assert {name: r[2] for name, r in pai.items()} == {name: met for name, (met, _) in PAI_EXPECTED.items()}
    assert fairwork.print_title_rows == "$1:$1" and fairwork.page_setup.orientation == "landscape"
