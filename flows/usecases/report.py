"""The portfolio workbook from the store: one row per vendor with its status, and every remediation.
A plain function (no Prefect): `fairsource report`, the web app and the requalification flow's task call it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path, PurePosixPath, PureWindowsPath

from scoring.lifecycle import ReviewPolicy, remediation_state
from scoring.plain_words import plain_text
from supplier_models import Settings, Store, StoreError
from supplier_models.workbooks.portfolio import PortfolioRow, RemediationLine, write_portfolio

from .frameworks import summaries_by_vendor
from .status import CHUNK, VendorStatus, statuses, vendor_pages


def write_report(settings: Settings, out: str | None = None, as_of: dt.date | None = None,
                 paper: str | None = None, *, chunk: int = CHUNK) -> str:
    """Write the portfolio workbook (default: `<home>/reports/portfolio.xlsx`) and return its path. `paper`:
    "a4" or "letter" to print on, else the printer's own paper.

    Memory: the vendors are read `chunk` at a time in vendor-name order, each chunk's latest assessments beside
    their statuses and framework results (`portfolio_rows`), and the remediations are streamed after them, so
    neither 100,000 vendors nor what their statuses rest on ever sit in memory at once."""
    from scoring import load_rubric
    from scoring.lifecycle import load_review_policy

    from .vendor_state import open_store

    store = open_store(settings)
    as_of = as_of or dt.date.today()
    policy = load_review_policy(settings.review_policy)
    principles = list(load_rubric(questionnaire="RDE-1").principles)
    path = Path(out) if out else settings.reports_dir / "portfolio.xlsx"
    # One connection for every read, in one snapshot (a vendor assessed meanwhile is in no chunk's reads, or in
    # all of them), closed with its streams when the workbook is written or fails, in this thread, not whenever
    # the garbage collector finds them.
    with ExitStack() as reads:
        one = reads.enter_context(store.reading(snapshot=True))
        rows = reads.enter_context(closing(portfolio_rows(one, policy, as_of, chunk)))
        remediations = reads.enter_context(closing(one.remediations.rows()))
        lines = (RemediationLine(vendor=r.name, id=r.code, state=remediation_state(r.state, r.due_date, as_of),
                                 priority=r.priority, due_date=r.due_date, action=plain_text(r.action),
                                 question=r.question, country=r.country, closed_on=r.closed_on, closed_by=r.closed_by,
                                 evidence=r.evidence)
                 for r in remediations)
        return str(write_portfolio(rows, path, principles, lines, paper))


def portfolio_rows(store: Store, policy: ReviewPolicy, as_of: dt.date, chunk: int = CHUNK,
                   ) -> Iterator[PortfolioRow]:
    """Every assessed vendor's row, in vendor-name order: `chunk` vendors at a time (`vendor_pages`), each chunk's
    latest assessments streamed beside their statuses (both in vendor-name order), so only a row is held at once
    and a chunk's reviews, SOWs, decisions and framework results."""
    for ids in vendor_pages(store, chunk):
        results = dict(summaries_by_vendor(store, ids))  # the chunk's framework results, by vendor
        with closing(store.views.portfolio(vendor_ids=ids)) as entries, \
                closing(statuses(store, policy, as_of, ids)) as found:
            for (vendor, assessment), status in zip(entries, found, strict=True):
                yield portfolio_row(vendor, assessment, status).model_copy(
                    update={"frameworks": results.get(vendor.id, {})})


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
