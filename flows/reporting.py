"""The portfolio workbook from the store: one row per vendor with its status, and every remediation.
A plain function (no Prefect): `fairsource report`, the web app and the requalification flow's task call it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from scoring.lifecycle import remediation_state
from supplier_models import Settings
from supplier_models.report import PortfolioRow, RemediationLine, write_portfolio

from . import lifecycle, steps


def write_report(settings: Settings, out: str | None = None, as_of: dt.date | None = None) -> str:
    """Write the portfolio workbook (default: `<home>/reports/portfolio.xlsx`) and return its path."""
    from scoring import load_rubric
    from scoring.lifecycle import load_review_policy

    store = steps.store_for(settings.url)
    as_of = as_of or dt.date.today()
    principles = list(load_rubric(questionnaire="RDE-1").principles)
    sows = store.latest_sow_paths()
    # Per vendor only a few words (status, override flag) and its open remediations are kept in memory.
    states: dict[str, tuple[str, bool]] = {}
    open_items: dict[str, list[str]] = {}
    for s in lifecycle.statuses(store, load_review_policy(settings.review_policy), as_of):
        states[s.vendor_id] = (s.status, s.override_knockout)
    for r in store.remediations():
        state = remediation_state(r.state, r.due_date, as_of)
        if state != "done":
            open_items.setdefault(r.vendor_id, []).append(f"{r.code} [{state}] {r.action} (due {r.due_date})")
    names = dict(store.vendor_names())
    lines = (RemediationLine(vendor=names.get(r.vendor_id, r.vendor_id), id=r.code,
                             state=remediation_state(r.state, r.due_date, as_of), priority=r.priority,
                             due_date=r.due_date, action=r.action, question=r.question, country=r.country,
                             closed_on=r.closed_on, closed_by=r.closed_by, evidence=r.evidence)
             for r in sorted(store.remediations(), key=lambda r: (names.get(r.vendor_id, ""), int(r.code[1:]))))
    rows = (portfolio_row(vendor, assessment, sows.get(vendor.id), states.get(vendor.id, ("", False)),
                          open_items.get(vendor.id, []))
            for vendor, assessment in store.latest_assessment_summaries())  # streamed, only the parts shown
    path = Path(out) if out else settings.reports_dir / "portfolio.xlsx"
    return str(write_portfolio(rows, path, principles, lines))


def portfolio_row(vendor, assessment, sow: str | None, state: tuple[str, bool] = ("", False),
                  open_remediations: list[str] | None = None) -> PortfolioRow:
    d = assessment.data
    status, override_knockout = state
    return PortfolioRow(
        vendor=vendor.name, vendor_id=vendor.id, decision=assessment.decision, status=status,
        score=assessment.score, principles=d.get("principles", {}), geo_band=assessment.geo_band,
        geo_score=d.get("geo", {}).get("score", 0), flags=d.get("flags", []),
        knockouts=[k["rule"] for k in d.get("knockouts", [])], valid_until=assessment.valid_until,
        assessed_on=assessment.assessed_on, open_remediations=open_remediations or [],
        sow=None if (status or assessment.decision) == "not_qualified" else sow,
        rubric_version=assessment.rubric_version, country_data_version=assessment.country_data_version,
        assessment_id=assessment.id, override_knockout=override_knockout,
    )
