"""The audit log in words: every action code the code records, as a sentence a person reads (the page, its CSV),
and what an event may show: a server file path in its subject or detail as the file's name only.

`tests/web/test_audit_log.py` walks the source for every action recorded and fails when one has no words here."""

from __future__ import annotations

import json
import re
from typing import Any

from supplier_models.store.audit import NOBODY
from supplier_models.store.rows import AuditRow

ACTIONS: dict[str, str] = {
    # sign-in and the users
    "login": "Signed in",
    "login_failed": "Failed to sign in (wrong e-mail or password)",
    "login_blocked": "Sign-in blocked (too many failures)",
    "logout": "Signed out",
    "user_added": "Added a staff user",
    "user_changed": "Changed a staff user",
    "user_role_changed": "Changed a staff user's role",
    "user_disabled": "Disabled a staff user (signed out, API token and reset links ended)",
    "user_enabled": "Enabled a staff user again",
    "api_token_revoked": "Revoked a staff user's API token",
    "sessions_ended": "Signed a staff user out everywhere",
    "password_reset_link_made": "Made a password-reset link",
    "password_reset_mailed": "E-mailed a password-reset link to the user",
    "password_reset_not_mailed": "Made a password-reset link that was not e-mailed",
    "password_reset": "Set a new password through a reset link",
    "password_changed": "Changed their own password",
    "password_change_failed": "Failed to change their password (wrong current password)",
    # vendors and their portal links
    "invite_created": "Created a vendor portal link",
    "invite_revoked": "Revoked a vendor portal link",
    "invite_mailed": "E-mailed a portal link to the vendor",
    "invite_not_mailed": "Made a portal link that was not e-mailed",
    "contact_set": "Set a vendor's contact e-mail",
    "owner_set": "Set a vendor's owner",
    "portal_form_downloaded": "Downloaded the questionnaire from the portal",
    "portal_draft_saved": "Saved answers in the portal's web form (a draft)",
    "portal_draft_downloaded": "Downloaded the web form's draft as a workbook",
    # workbooks received and scored
    "submission_received": "Received a questionnaire",
    "web_intake": "Uploaded a questionnaire through the web app",
    "web_form_intake": "Submitted the questionnaire in the portal's web form",
    "web_form_rejected": "Submitted the web form with problems (nothing stored)",
    "upload_rejected": "Uploaded a questionnaire with problems (nothing stored)",
    "upload_refused_too_large": "Uploaded a file too large (refused)",
    "upload_refused_wrong_vendor": "Uploaded another vendor's questionnaire (refused)",
    "upload_failed": "Uploaded a file that could not be read",
    "assessment_intake": "Scored a questionnaire",
    "assessment_data_change": "Rescored after the rubric, policy or country data changed",
    "assessment_requalification": "Rescored on expiry (requalification)",
    "reattestation_requested": "Asked the vendor to attest again",
    # reviews and remediations
    "review_approve": "Reviewed and approved a decision",
    "review_reject": "Reviewed and rejected a decision",
    "review_override": "Reviewed and changed a decision",
    "web_review_approve": "Approved a decision in the web app",
    "web_review_reject": "Rejected a decision in the web app",
    "web_review_override": "Changed a decision in the web app",
    "remediation_closed": "Closed a remediation",
    "web_remediation_closed": "Closed a remediation in the web app",
    # evidence files and remediation responses
    "evidence_added": "Attached an evidence file",
    "evidence_refused": "Sent an evidence file that was refused (nothing stored)",
    "evidence_downloaded": "Downloaded a vendor's evidence file",
    "remediation_response_done": "Said a remediation is done (response for a reviewer)",
    "remediation_response_new_date": "Asked for a new due date for a remediation",
    "remediation_response_accepted": "Accepted a vendor's response to a remediation",
    "remediation_response_rejected": "Rejected a vendor's response to a remediation",
    "remediation_rescheduled": "Moved a remediation's due date",
    # work given to people (routers/work.py, store/assignments.py)
    "work_assigned": "Assigned a review, or a response to decide, to a reviewer",
    "work_reassigned": "Gave a review, or a response to decide, to another reviewer",
    "work_unassigned": "Unassigned a review or a response to decide",
    "work_done": "Ended an assignment: its review was done, or its response decided",
    "work_assignment_mailed": "E-mailed a reviewer the work assigned to them",
    "work_digest_mailed": "E-mailed a reviewer the daily digest of their work",
    # SOWs, reports and exports
    "sow_issued": "Issued a SOW",
    "sow_downloaded": "Downloaded a SOW (.docx)",
    "sow_pdf_downloaded": "Downloaded a SOW (PDF)",
    "report_downloaded": "Downloaded the portfolio report (.xlsx)",
    "vendors_exported": "Exported the vendor list (CSV or Excel)",
    "audit_exported": "Exported the audit log (CSV)",
}


def in_words(action: str) -> str:
    """The action as a sentence; a code this table does not know (an older version's), the code itself."""
    return ACTIONS.get(action, action)


PATH_KEYS = frozenset({"sow", "path", "form", "form_path", "file", "folder"})
"""Detail keys whose value is a file on the server (a SOW, a form): shown by its name only."""
PATH_SUBJECTS = frozenset({"sow_issued", "sow_downloaded", "sow_pdf_downloaded", "reattestation_requested"})
"""Actions whose subject is a file on the server."""
_PATH_IN_TEXT = re.compile(r"""(?:(?<=^)|(?<=[\s'"(\[=,]))(?:[A-Za-z]:)?[\\/](?:[^\s'"\\/]+[\\/])+([^\s'"\\/]*)""")


def file_name(path: str) -> str:
    """The last part of a path, with / or \\ as separator."""
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1]


def without_paths(text: str) -> str:
    """Every absolute path in the text (/srv/x/sow.docx, C:\\x\\y.xlsx) as its file name."""
    return _PATH_IN_TEXT.sub(lambda m: m.group(1), text)


def shown_subject(action: str, subject: str) -> str:
    return file_name(subject) if action in PATH_SUBJECTS and subject else without_paths(subject)


def shown_detail(value: Any, key: str = "") -> Any:
    """The detail with every path as its file name (the keys that hold files, and absolute paths in any text)."""
    if isinstance(value, dict):
        return {k: shown_detail(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [shown_detail(v, key) for v in value]
    if isinstance(value, str):
        return file_name(value) if key in PATH_KEYS and value else without_paths(value)
    return value


CSV_COLUMNS = ("time_utc", "who", "action", "action_in_words", "vendor_id", "vendor", "subject", "detail")


def shown(event: AuditRow) -> dict[str, Any]:
    """An event as the page and the CSV show it: who (`fairsource` for no person), the action in words, the
    subject and detail without server paths."""
    return {"id": event.id, "at": event.at, "who": event.actor or NOBODY, "action": event.action, "words": in_words(event.action),
            "vendor_id": event.vendor_id, "vendor": event.vendor, "subject": shown_subject(event.action, event.subject),
            "detail": shown_detail(event.detail or {})}


def csv_cells(event: AuditRow) -> list[str]:
    """An event's CSV line, in `CSV_COLUMNS` order (the cells not yet guarded against formulas)."""
    row = shown(event)
    return [row["at"].strftime("%Y-%m-%dT%H:%M:%SZ"), row["who"], row["action"], row["words"], row["vendor_id"] or "",
            row["vendor"] or "", row["subject"],
            json.dumps(row["detail"], ensure_ascii=False, sort_keys=True, default=str) if row["detail"] else ""]
