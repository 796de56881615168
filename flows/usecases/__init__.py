"""The use cases: what a person asks fairsource to do, as plain functions over the store (no Prefect here).

The command line, the web app and the Prefect flows all call these, so a thing is done one way only. Each module is
one use case:

    inputs         what a decision depends on besides the answers, loaded once per run; the decision itself
    receive        intake of returned workbooks (read, score, write the SOW, store in one transaction)
    rescore        rescoring on a change of rubric, policy or country data
    sow_issue      issuing a SOW for a decision (its file, re-issue, the sweep of abandoned files)
    records        the store rows a decision becomes
    status         each vendor's status on a date
    review         a person's review of a decision; a remediation closed with its evidence
    reattestation  pre-filled forms for vendors whose qualification is about to lapse (marking what evidence closed)
    remediations   the remediation register kept in step with each new assessment; the ids a SOW prints
    notices        the notices due on a date (digests per recipient, weekly repeats), and their record
    notice_events  the decision changes and review outcomes a vendor's history holds, to be told
    notice_words   what each notice says: what changed, why, what to do and by when
    report         the portfolio workbook
    mail           sending notices by SMTP (text and HTML parts, real headers)
    mail_html      the HTML part of a digest, every piece of text escaped
    vendor_state   each vendor's state row, kept with every event and rebuilt from the history
    vendor_list    the vendor list a page at a time (keyset cursor), read from the state rows brought to the day

The names below are imported on first use (PEP 562): `fairsource status` loads neither the SOW renderer nor the
workbook writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from supplier_models.lazy import lazy_exports

_EXPORTS = {
    **{name: "inputs" for name in ("ScoringInputs", "decide", "input_versions", "load_inputs", "needs_review")},
    **{name: "receive" for name in ("Outcome", "Rejected", "intake_one", "read_files")},
    **{name: "rescore" for name in ("Requalified", "cap_validity", "older_inputs", "rescore_batch",
                                    "rescorings_of", "select_changed")},
    **{name: "sow_issue" for name in ("issue_sow", "sow_needs_reissue", "sow_path", "sweep_orphan_sows")},
    **{name: "records" for name in ("assessment_record", "sow_record")},
    **{name: "status" for name in ("RemediationView", "VendorStatus", "find_vendor", "status_of", "statuses")},
    **{name: "review" for name in ("Reviewed", "close_remediation", "record_review")},
    **{name: "reattestation" for name in ("LifecycleRun", "closed_with_evidence", "prefilled_form",
                                          "request_reattestations")},
    **{name: "notices" for name in ("Notice", "due_notices", "record_notices")},
    **{name: "report" for name in ("portfolio_row", "write_report")},
}
__all__ = [
    "LifecycleRun",
    "Notice",
    "Outcome",
    "Rejected",
    "RemediationView",
    "Requalified",
    "Reviewed",
    "ScoringInputs",
    "VendorStatus",
    "assessment_record",
    "cap_validity",
    "close_remediation",
    "closed_with_evidence",
    "decide",
    "due_notices",
    "find_vendor",
    "input_versions",
    "intake_one",
    "issue_sow",
    "load_inputs",
    "needs_review",
    "older_inputs",
    "portfolio_row",
    "prefilled_form",
    "read_files",
    "record_notices",
    "record_review",
    "request_reattestations",
    "rescore_batch",
    "rescorings_of",
    "select_changed",
    "sow_needs_reissue",
    "sow_path",
    "sow_record",
    "status_of",
    "statuses",
    "sweep_orphan_sows",
    "write_report",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:
    from .inputs import ScoringInputs, decide, input_versions, load_inputs, needs_review
    from .notices import Notice, due_notices, record_notices
    from .reattestation import LifecycleRun, closed_with_evidence, prefilled_form, request_reattestations
    from .receive import Outcome, Rejected, intake_one, read_files
    from .records import assessment_record, sow_record
    from .report import portfolio_row, write_report
    from .rescore import Requalified, cap_validity, older_inputs, rescore_batch, rescorings_of, select_changed
    from .review import Reviewed, close_remediation, record_review
    from .sow_issue import issue_sow, sow_needs_reissue, sow_path, sweep_orphan_sows
    from .status import RemediationView, VendorStatus, find_vendor, status_of, statuses
