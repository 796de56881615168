"""Helpers of the accessibility test and the phone screenshots: a store seeded through the real intake (the six
example vendors, some received months ago so the pages have a review waiting, overdue remediations and expiring
qualifications), axe-core run in the page, and what a phone's 390 px shows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fairsource import accounts
from flows import usecases
from supplier_models import read_workbook
from supplier_models.workbooks.examples import EXAMPLES, write_example

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
# Days ago each example was received: Lumen is up for renewal, Frontier's remediations are overdue.
AGE = {"Lumen Data Services GmbH": 330, "Frontier Language Services LLC": 120, "QuickTask Crowd Ltd": 40}
BLOCKING = ("serious", "critical")


def seed(app, folder: Path) -> dict[str, str]:
    """The six example vendors through `usecases.intake_one` (as the CLI and the web upload take them in), each
    with a portal link: {vendor name: its portal path}."""
    state = app.state.web
    today = dt.date.today()
    links = {}
    for vendor in EXAMPLES:
        day = today - dt.timedelta(days=AGE.get(vendor.name, 0))
        submission = read_workbook(write_example(vendor, folder))
        usecases.intake_one(submission, state.store, state.inputs, day, state.settings.sow_dir, received_on=day)
        _, _, token = accounts.create_invite(state.store, vendor.name, f"qualification@{vendor.slug}.example",
                                             created_by="seed", days=30)
        links[vendor.name] = f"/portal/{token}"
    return links


def axe_violations(page, axe) -> list[dict]:
    """axe-core's serious and critical violations of the page as it stands (every WCAG A/AA rule and axe's best
    practices), each as {id, impact, help, targets}."""
    results = axe.run(page).response
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [" ".join(map(str, node["target"])) for node in v["nodes"]]}
            for v in results["violations"] if v["impact"] in BLOCKING]


def overflow(page) -> int:
    """How far the page as a whole scrolls sideways past its viewport, in CSS pixels (0: it does not)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def report(found: dict[str, list[dict]]) -> str:
    """The violations of each page, a line each, for a failure to read."""
    lines = []
    for where, violations in found.items():
        for v in violations:
            lines.append(f"{where}: {v['id']} ({v['impact']}: {v['help']}) at {'; '.join(v['targets'][:8])}")
    return "\n".join(lines)
