"""The portfolio workbook from the store: one row per vendor with its status, and every remediation.
A plain function (no Prefect): `fairsource report`, the web app and the requalification flow's task call it."""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack, closing
from pathlib import Path, PurePosixPath, PureWindowsPath

from scoring.lifecycle import remediation_state
from scoring.plain_words import plain_text
from supplier_models import Settings, StoreError
from supplier_models.workbooks.portfolio import PortfolioRow, RemediationLine, write_portfolio

from .status import VendorStatus, statuses


def write_report(settings: Settings, out: str | None = None, as_of: dt.date | None = None,
                 paper: str | None = None) -> str:
    """Write the portfolio workbook (default: `<home>/reports/portfolio.xlsx`) and return its path. `paper`:
    "a4" or "letter" to print on, else the printer's own paper.

    Memory: the vendors, their statuses, their framework results and the remediations are streamed side by side in
    vendor-name order (the store gives all four in that order), so 100,000 vendors never sit in memory at once."""
    from scoring import load_rubric
    from scoring.lifecycle import load_review_policy

    from .frameworks import ahead_of, summaries_by_vendor
    from .vendor_state import open_store

    store = open_store(settings)
    as_of = as_of or dt.date.today()
    principles = list(load_rubric(questionnaire="RDE-1").principles)
    path = Path(out) if out else settings.reports_dir / "portfolio.xlsx"
    # The three streamed reads are closed (their connections given back) when the workbook is written or fails,
    # in this thread, not whenever the garbage collector finds them.
    with ExitStack() as reads:
        status_rows = reads.enter_context(closing(statuses(store, load_review_policy(settings.review_policy), as_of)))
        entries = reads.enter_context(closing(store.views.portfolio()))
        remediations = reads.enter_context(closing(store.remediations.rows()))
        results = ahead_of(reads.enter_context(closing(summaries_by_vendor(store))))
        rows = (portfolio_row(vendor, assessment, status).model_copy(update={"frameworks": results(vendor.id)})
                for (vendor, assessment), status in zip(entries, status_rows, strict=True))
        lines = (RemediationLine(vendor=r.name, id=r.code, state=remediation_state(r.state, r.due_date, as_of),
                                 priority=r.priority, due_date=r.due_date, action=plain_text(r.action),
                                 question=r.question, country=r.country, closed_on=r.closed_on, closed_by=r.closed_by,
                                 evidence=r.evidence)
                 for r in remediations)
        return str(write_portfolio(rows, path, principles, lines, paper))


def portfolio_row(vendor, assessment, status: VendorStatus) -> PortfolioRow:
    """One vendor's row: its latest assessment (the parts the report shows) and its status on the day."""
    if status.vendor_id != vendor.id:  # the two streams are in the same order, or the report is wrong
        raise StoreError(f"the portfolio's streams disagree at {vendor.name}: write the report again")
    d = assessment.data
    remediations = [f"{r.id} [{r.state}] {plain_text(r.action)} (due {r.due_date})"
                    for r in (*status.overdue_remediations, *status.open_remediations)]
    return PortfolioRow(
        vendor=vendor.name, vendor_id=vendor.id, decision=assessment.decision, status=status.status,
        score=assessment.score, principles=d.get("principles", {}), geo_band=assessment.geo_band,
        geo_score=d.get("geo", {}).get("score", 0), flags=d.get("flags", []),
        knockouts=[k["rule"] for k in d.get("knockouts", [])], valid_until=status.valid_until,
        review_on=status.review_on, assessed_on=assessment.assessed_on, open_remediations=remediations,
        sow=_file_name(status.sow),
        rubric_version=assessment.rubric_version, country_data_version=assessment.country_data_version,
        assessment_id=assessment.id, override_knockout=status.override_knockout,
    )


def _file_name(path: str | None) -> str | None:
    """A stored file's name without its folder: what a reader of the report can look for (the folder is the
    server's, and a path from a Windows server has backslashes)."""
    return PureWindowsPath(PurePosixPath(path).name).name if path else None
