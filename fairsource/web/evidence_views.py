"""What the portal page and the vendor page show of a vendor's evidence files and remediation responses."""

import datetime as dt
from typing import Any, NamedTuple

from flows.usecases.evidence import EvidenceView, evidence_of
from supplier_models import Store
from supplier_models.store.evidence_tables import RemediationResponse


class ResponseView(NamedTuple):
    response: RemediationResponse
    files: list[EvidenceView]
    state: str  # the response's, or "set aside" for one still waiting on a remediation closed meanwhile


def evidence_context(store: Store, vendor_id: str, today: dt.date) -> dict[str, Any]:
    """The vendor's files (newest first), its responses (waiting first, then newest), the remediations a response
    waits for, and the files whose recorded expiry has passed or comes within 30 days."""
    files = evidence_of(store, vendor_id, today)
    by_id = {f.id: f for f in files}
    still_open = {r.code for r in store.remediations.all(vendor_id) if r.state == "open"}
    responses = [ResponseView(r, [by_id[i] for i in r.evidence_ids if i in by_id],
                              "set aside" if r.state == "waiting" and r.remediation not in still_open else r.state)
                 for r in store.responses.of_vendor(vendor_id)]
    responses.sort(key=lambda v: v.state != "waiting")
    return dict(evidence=files, responses=responses, expiring=[f for f in files if f.expiry],
                waiting={v.response.remediation: v.response for v in responses if v.state == "waiting"})
