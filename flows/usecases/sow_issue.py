"""Issuing a SOW for a decision: where its file goes, when a rescoring re-issues it, and the sweep of files a
killed run left behind.

The sweep and the runs that write files keep one rule between them, so no run removes a file another may still
store: a file is swept only once it is older than `sweep_after` seconds, and a rescoring never stores files it
wrote more than half that long ago (`check_fresh`): it stores nothing, removes its own files and says so."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from scoring import Decision
from scoring.lifecycle import RegisterRef
from sow_templates import RenderedSow, build_context, render_sow
from supplier_models import Store, Submission
from supplier_models.errors import StoreError
from supplier_models.names import slug

from .inputs import ScoringInputs

SWEEP_AFTER = 3600.0  # seconds; FAIRSOURCE_SOW_SWEEP_AFTER's default


def sow_path(sow_dir: Path, vendor: str, decision: Decision, assessment_id: str) -> Path:
    return sow_dir / f"{slug(vendor)}-{decision.assessed_on.isoformat()}-{assessment_id[:8]}.docx"


def issue_sow(submission: Submission, decision: Decision, inputs: ScoringInputs, out: Path, *,
              draft: bool = False, register: Sequence[RegisterRef] | None = None) -> RenderedSow | None:
    """Render and verify the SOW when the decision allows one; None for `not_qualified`.
    Every SOW written gets its own reference (`document_id`); `draft` marks one issued while a review
    the review policy requires is not approved ("DRAFT - pending review"); `register`: each remediation's id in
    the vendor's remediation register, which Schedule 1 names it by (`flows.usecases.remediations`)."""
    if decision.decision == "not_qualified":
        return None
    context = build_context(submission, decision, organisation=inputs.organisation, issued_on=decision.assessed_on,
                            document_id=uuid.uuid4().hex, draft=draft, register=register)
    return render_sow(context, template=inputs.template, out=out)


def _floors(decision_data: dict) -> dict[str, str | None]:
    floors = {}
    for country in decision_data.get("geo", {}).get("countries", []):
        pay = country.get("pay") or {}
        floors[country["iso2"]] = pay.get("living_wage_hourly") or pay.get("statutory_minimum_hourly")
    return floors


def sow_needs_reissue(previous: dict, decision: Decision | dict) -> bool:
    """A new SOW only when the decision or a pay floor changed. `decision` may be given already dumped
    (`model_dump(mode="json")`), so a caller that stores the dump too does it once."""
    now = decision if isinstance(decision, dict) else decision.model_dump(mode="json")
    return previous.get("decision") != now["decision"] or _floors(previous) != _floors(now)


def sweep_orphan_sows(store: Store, sow_dir: Path, vendors: dict[str, str], *, older_than: float) -> list[Path]:
    """Remove the SOW files of these vendors that no stored SOW record names and that are older than `older_than`
    seconds: what a rescoring killed between writing its files and storing its transaction left behind. Only files
    named as a rescoring names them (`<vendor>-<date>-<8 hex>.docx`) are considered, and only for the vendors
    about to be rescored. A younger file may be another run's, written and not stored yet (two requalifications
    at once, or a re-run while a failed run's shards still drain): it is left for a later sweep."""
    if not vendors or not sow_dir.is_dir():
        return []
    known = {str(Path(p).resolve()) for p in store.sows.paths_of(list(vendors))}
    cutoff = time.time() - older_than
    removed = []
    for name in set(vendors.values()):
        pattern = re.compile(rf"{re.escape(slug(name))}-\d{{4}}-\d{{2}}-\d{{2}}-[0-9a-f]{{8}}\.docx")
        for path in sow_dir.glob(f"{slug(name)}-*.docx"):
            if not pattern.fullmatch(path.name) or str(path.resolve()) in known:
                continue
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:  # another sweep took it
                continue
    return removed


def check_fresh(written: Sequence[Path], sweep_after: float) -> None:
    """Refuse to store files written more than half `sweep_after` ago: a sweep may take them from that age on
    (`sweep_orphan_sows`), and a record must never name a file that is gone. The half is the margin between this
    check and the commit."""
    if not written:
        return
    age = time.time() - min(path.stat().st_mtime for path in written)
    if age > sweep_after / 2:
        raise StoreError(f"this rescoring wrote its first SOW {age:.0f} s ago, longer than half the sweep age "
                         f"(FAIRSOURCE_SOW_SWEEP_AFTER, {sweep_after:g} s): a later run may remove files that old, so "
                         "nothing was stored. Run again with smaller shards (FAIRSOURCE_REQUALIFY_SHARD_SIZE) or a "
                         "longer sweep age.")
