"""Notices: what is due on a date for each vendor, said so that the reader knows what changed, why, what to do and
by when; and their record, once each.

Kinds (the store keeps each (vendor, kind, subject) once, so a re-run on the same day sends nothing):

    decision_changed         a rescoring or a new submission changed the decision (up or down)    subject: assessment
    review_outcome           a person approved, rejected or changed the decision                   subject: review
    expiry_60/_30/_7         the qualification ends in 60, 30 or 7 days                            subject: attestation
    reattestation_requested  the pre-filled form, attached                                         subject: attestation
    expired                  the qualification ended without a fresh attestation       (repeats)   subject: attestation
    remediation_overdue      a remediation past its due date                           (repeats)   subject: R-n
    review_waiting           to the owner only: a decision waits for a review          (repeats)   subject: assessment

What is still not done repeats every `FAIRSOURCE_OVERDUE_REPEAT_DAYS` (7) until done: the n-th period's notice has
the subject `R3@w2` (`R3` the first, `R3@w1` the second...), never sooner than that many days after the last.
Decision changes and reviews are told once, at the first run after them (looked for `CHANGE_LOOKBACK_DAYS` back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from scoring.lifecycle import REMINDER_DAYS, expiry_reminder
from scoring.states import REPEATING, repeat_subject
from supplier_models import Settings, Store
from supplier_models.store.tables import NoticeRecord

from . import notice_words, vendor_state
from .notice_events import DecisionEvent, decision_events
from .status import VendorStatus
from .vendor_state import due_status_chunks

if TYPE_CHECKING:
    from supplier_models.store.rows import AssessmentFacts

    from .inputs import ScoringInputs

CHANGE_LOOKBACK_DAYS = 92
"""Decision changes and reviews older than this on the day of a run are not told any more (a store that had no
such notices before does not tell its whole history)."""
NOTICE_VENDORS = 250
"""Vendors whose notices are built (and recorded) at a time."""
KIND_ORDER = ("decision_changed", "review_outcome", "expired", "reattestation_requested", "expiry_7", "expiry_30",
              "expiry_60", "remediation_overdue", "review_waiting")


class RemediationLine(BaseModel):
    id: str = Field(description="R1, R2, ...")
    action: str
    evidence: str | None = Field(None, description="what a reviewer accepts as done")
    due_date: dt.date
    priority: str
    overdue: bool = False


class VendorFacts(BaseModel):
    """Where a vendor stands, as every notice about it says: status, dates, SOW, remediations, the form."""

    vendor: str
    vendor_id: str
    status: str
    decision: str
    valid_until: dt.date | None = None
    review_on: dt.date | None = None
    contact: str | None = None
    sow_reference: str | None = None
    sow_status: str | None = None
    remediations: list[RemediationLine] = Field(default_factory=list)
    form: str | None = Field(None, description="the pre-filled form, once issued")
    form_sent_on: dt.date | None = None
    link: str | None = Field(None, description="the vendor's page in the web app (for the owner)")


class Notice(BaseModel):
    """One item to tell: to the vendor's contact and the owner, or the owner only for internal matters."""

    vendor: str
    vendor_id: str
    kind: str
    subject_id: str
    subject: str
    text: str = ""
    to: list[str] = Field(default_factory=list)
    attachment: str | None = None
    emailed: bool = False
    what: str = Field("", description="what changed or is due")
    why: list[str] = Field(default_factory=list, description="why, in words")
    todo: str = Field("", description="what to do, and by when")
    by: dt.date | None = Field(None, description="the date it is to be done by, if any")
    vendor_too: bool = True
    shown: bool = Field(True, description="False: said by another notice of the same mail (an expiry reminder "
                                          "sent with the pre-filled form), recorded all the same")
    facts: VendorFacts | None = None


def _text(n: Notice) -> str:
    return "\n".join([n.what, *(f"Why: {w}" for w in n.why), f"To do: {n.todo}" if n.todo else ""]).strip()


def web_base(settings: Settings) -> str | None:
    """The web app's address when it was set (FAIRSOURCE_WEB_BASE_URL), not its local default."""
    return settings.web_base_url.rstrip("/") if "web_base_url" in settings.model_fields_set else None




def due_notices(store: Store, settings: Settings, inputs: ScoringInputs, as_of: dt.date) -> list[Notice]:
    """Every notice due on `as_of` that was not sent before, each with its vendor's facts, most urgent first."""
    return sorted((n for chunk in notice_chunks(store, settings, inputs, as_of) for n in chunk), key=notice_order)


def notice_order(n: Notice) -> tuple:
    return n.vendor.lower(), n.vendor_id, KIND_ORDER.index(n.kind), n.subject_id


def notice_chunks(store: Store, settings: Settings, inputs: ScoringInputs, as_of: dt.date) -> Iterator[list[Notice]]:
    """`due_notices` a chunk of the vendors due at a time (`vendor_state.CHUNK`), each chunk's notices whole (with
    their facts, and the notices of one vendor together) and in order: only a chunk's statuses and notices are
    built at once, and no read is open when a chunk is yielded (the caller may record it)."""
    every = settings.overdue_repeat_days
    horizon = as_of + dt.timedelta(days=max(REMINDER_DAYS))
    # A chunk of `NOTICE_VENDORS` vendors: a vendor with its overdue items makes a dozen notices with their facts;
    # 2,000 vendors' (21,600 notices) were 180 MB of the coordinator at 100,000 vendors (README).
    for chunk in due_status_chunks(store, inputs.review_policy, as_of, min(vendor_state.CHUNK, NOTICE_VENDORS)):
        # The chunk's vendors' decision events alone: every vendor's of the last three months, read ahead, were
        # 170 MB at 100,000 vendors (65,000 vendors with one; README, "Every page at 100,000 vendors").
        events = decision_events(store, inputs.review_policy, as_of - dt.timedelta(days=CHANGE_LOOKBACK_DAYS),
                                 [s.vendor_id for s in chunk])
        concerned = [s for s in chunk if (s.valid_until and s.valid_until <= horizon) or s.reattestation_form
                     or s.overdue_remediations or s.review_pending or s.vendor_id in events]
        if not concerned:
            continue
        ids = [s.vendor_id for s in concerned]
        # A repeating notice's subject names its period, which began at most `every - 1` days ago: only those sent
        # since are read (they accumulate week after week), with every once-only notice; of these vendors only.
        this_period = store.notices.sent_since(REPEATING, as_of - dt.timedelta(days=every - 1), ids)
        sent = store.notices.sent(exclude=REPEATING, vendor_ids=ids) | this_period
        recent = {(v, k, sid.split("@")[0]) for v, k, sid in this_period}
        expiries: dict[tuple[str, str], list[int]] = {}
        for vid, kind, sid in sent:
            if kind.startswith("expiry_"):
                expiries.setdefault((vid, sid), []).append(int(kind.split("_")[1]))
        out: list[Notice] = []
        for s in concerned:
            for n in _vendor_items(s, events.get(s.vendor_id, []), expiries, settings, as_of):
                base = n.subject_id.split("@")[0]
                too_soon = n.kind in REPEATING and n.subject_id != base and (s.vendor_id, n.kind, base) in recent
                if (s.vendor_id, n.kind, n.subject_id) in sent or too_soon:
                    continue
                out.append(n)
        _add_facts(store, settings, inputs, out, {s.vendor_id: s for s in concerned}, events, as_of)
        owner = [settings.owner_email] if settings.owner_email else []
        for n in out:
            n.to = list(dict.fromkeys(([n.facts.contact] if n.vendor_too and n.facts and n.facts.contact else [])
                                      + owner))
            n.text = _text(n)
        _fold_expiry_into_form(out)
        yield sorted(out, key=notice_order)


def _vendor_items(s: VendorStatus, events: list[DecisionEvent], expiries: dict[tuple[str, str], list[int]],
                  settings: Settings, as_of: dt.date) -> Iterator[Notice]:
    """One vendor's notices due today (before the once-only check), without their wording's facts yet."""
    every = settings.overdue_repeat_days
    attestation = s.submission_id

    def item(kind: str, subject_id: str, subject: str, **fields) -> Notice:
        return Notice(vendor=s.vendor, vendor_id=s.vendor_id, kind=kind, subject_id=subject_id,
                      subject=f"{s.vendor}: {subject}", **fields)

    for e in events:
        yield item(e.kind, e.subject_id, e.subject, vendor_too=e.vendor_too)
    if s.valid_until and s.status != "expired":
        days = expiry_reminder(s.valid_until, as_of, expiries.get((s.vendor_id, attestation), []))
        if days is not None:
            yield item(f"expiry_{days}", attestation, f"qualification ends on {s.valid_until} (in "
                       f"{(s.valid_until - as_of).days} days)")
    if s.status == "expired" and s.valid_until:
        yield item("expired", repeat_subject(attestation, s.valid_until + dt.timedelta(days=1), as_of, every),
                   f"qualification expired on {s.valid_until}")
    if s.reattestation_form and s.reattestation_requested_on:
        yield item("reattestation_requested", attestation, "please confirm or correct your answers (form attached)",
                   attachment=s.reattestation_form)
    if s.decision != "not_qualified" and s.status != "expired":
        for r in s.overdue_remediations:
            yield item("remediation_overdue", repeat_subject(r.id, r.due_date + dt.timedelta(days=1), as_of, every),
                       f"remediation {r.id} overdue since {r.due_date}")
    if s.review_pending:
        yield item("review_waiting", repeat_subject(s.assessment_id, s.assessed_on, as_of, every),
                   f"{s.assessed_decision.replace('_', ' ')} decision waits for a review", vendor_too=False)


def _add_facts(store: Store, settings: Settings, inputs: ScoringInputs, notices: list[Notice],
               by_vendor: dict[str, VendorStatus], events: dict[str, list[DecisionEvent]], as_of: dt.date) -> None:
    """Each notice's vendor facts and its words (what, why, to do, by when), from three batched queries."""
    vendors = list(dict.fromkeys(n.vendor_id for n in notices))
    if not vendors:
        return
    wanted = [by_vendor[v].assessment_id for v in vendors] + [e.assessment_id for v in vendors
                                                               for e in events.get(v, []) if e.assessment_id]
    facts_of = store.notices.assessment_facts(wanted)
    sows = store.notices.sow_references(vendors)
    keys = store.notices.remediation_keys(vendors)
    base = web_base(settings)
    rubric = inputs.newest_rubric  # holds every earlier questionnaire's remediations, word for word
    facts: dict[str, VendorFacts] = {}
    for vid in vendors:
        s = by_vendor[vid]
        latest: AssessmentFacts | None = facts_of.get(s.assessment_id)
        sow = sows.get(vid)
        facts[vid] = VendorFacts(
            vendor=s.vendor, vendor_id=vid, status=s.status, decision=s.decision, valid_until=s.valid_until,
            review_on=s.review_on, contact=s.contact, sow_reference=sow.reference if sow else None,
            sow_status=sow.status if sow else None,
            remediations=notice_words.remediation_lines(s, latest, keys, rubric),
            form=s.reattestation_form, form_sent_on=s.reattestation_requested_on,
            link=f"{base}/vendors/{vid}" if base else None)
    for n in notices:
        s = by_vendor[n.vendor_id]
        event = next((e for e in events.get(n.vendor_id, []) if e.subject_id == n.subject_id), None)
        n.facts = facts[n.vendor_id]
        notice_words.fill(n, s, event, facts_of, settings, as_of)


def _fold_expiry_into_form(notices: list[Notice]) -> None:
    """An expiry reminder (or the expiry) due with the pre-filled form is said by the form's notice: one item, not
    two saying the same."""
    forms = {n.vendor_id: n for n in notices if n.kind == "reattestation_requested"}
    for n in notices:
        form = forms.get(n.vendor_id)
        if form is not None and (n.kind.startswith("expiry_") or n.kind == "expired"):
            n.shown = False
            form.what = f"{n.what} {form.what}"
            form.text = _text(form)


class Told(Sequence[Notice]):
    """The notices a run recorded, written to a temporary file as they come (JSON lines: what is said about each, not
    its facts nor its text, which the store keeps) and read back, in order, as they are gone through: a `Notice` is
    built again for each. 46,000 notices of a busy day held as tuples were 90 MB of a coordinator's 300 (bench).
    Each `add` is a run in notice order (`notice_order`); going through merges the runs."""

    FIELDS = ("vendor", "vendor_id", "kind", "subject_id", "subject", "to", "attachment", "emailed", "what", "why",
              "todo", "by", "vendor_too", "shown")

    def __init__(self, notices: Iterable[Notice] = ()) -> None:
        import tempfile

        self._file = tempfile.NamedTemporaryFile(prefix="fairsource-notices-", suffix=".jsonl")  # noqa: SIM115
        self._runs: list[tuple[int, int]] = []  # (offset, count)
        self.add(notices)

    def add(self, notices: Iterable[Notice]) -> None:
        """A run of notices, in notice order."""
        import json

        start, count = self._file.seek(0, 2), 0
        for n in notices:
            row = [getattr(n, f) for f in self.FIELDS]
            row[11] = row[11].isoformat() if row[11] else None
            self._file.write(json.dumps(row).encode() + b"\n")
            count += 1
        self._file.flush()
        if count:
            self._runs.append((start, count))

    def _run(self, offset: int, count: int) -> Iterator[dict[str, Any]]:
        import json

        with open(self._file.name, "rb") as f:
            f.seek(offset)
            for _ in range(count):
                row = dict(zip(self.FIELDS, json.loads(f.readline()), strict=True))
                row["by"] = dt.date.fromisoformat(row["by"]) if row["by"] else None
                yield row

    def rows(self) -> Iterator[dict[str, Any]]:
        """Each notice's fields, as plain values (no model built), in notice order."""
        import heapq

        kinds = {k: i for i, k in enumerate(KIND_ORDER)}
        yield from heapq.merge(*(self._run(o, c) for o, c in self._runs),
                               key=lambda r: (r["vendor"].lower(), r["vendor_id"], kinds[r["kind"]], r["subject_id"]))

    def __iter__(self) -> Iterator[Notice]:
        for row in self.rows():
            yield Notice.model_construct(**row)

    def __len__(self) -> int:
        return sum(count for _, count in self._runs)

    def __getitem__(self, index):  # a whole read: for a test's or a script's few notices
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self):
        return Told, (list(self),)


def record_notices(store: Store, notices: list[Notice], as_of: dt.date) -> list[Notice]:
    """Record the notices sent (once each); returns those recorded now."""
    done = store.notices.add([NoticeRecord(vendor_id=n.vendor_id, kind=n.kind, subject_id=n.subject_id,
                                           sent_on=as_of, recipients=n.to, emailed=n.emailed,
                                           text=(n.text or n.subject)[:4000])
                              for n in notices])
    return [n for n, now in zip(notices, done, strict=True) if now]
