"""Regenerate a vendor's SOW from its latest qualifying assessment."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.usecases.vendor_state import open_store
from scoring import Decision
from supplier_models import Settings, get_settings
from supplier_models.errors import NotQualified, SowError

from . import usecases
from .usecases.remediations import register_refs_of


@task(name="render, verify and record the SOW", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE,
      retry_condition_fn=lambda task, run, state: not isinstance(state.result(raise_on_failure=False),
                                                                  SowError))
def regenerate(vendor: str, out: str | None, template: str | None, settings: Settings,
               as_of: dt.date | None = None) -> str:
    store = open_store(settings)
    found = store.vendors.find(vendor)
    if found is None:
        raise NotQualified(f'no vendor "{vendor}" in the store')
    inputs = usecases.load_inputs(settings)
    assessment = store.assessments.latest(found.id)
    if assessment is None:
        raise NotQualified(f"{found.name} is not qualified (not assessed): no SOW can be written")
    status = usecases.status_of(store, inputs.review_policy, found.id, as_of or dt.date.today())
    if status.decision == "not_qualified":
        why = "by review" if status.assessed_decision != "not_qualified" else f"on {assessment.assessed_on}"
        raise NotQualified(f"{found.name} is not qualified ({status.decision} {why}): no SOW can be written")
    if status.status == "expired":
        raise NotQualified(f"{found.name}'s qualification expired on {status.valid_until}: no SOW can be issued "
                           "until the vendor's fresh attestation (a returned, confirmed questionnaire) is received")
    submission = store.submissions.get(assessment.submission_id)
    decision = Decision.model_validate(assessment.data)
    if status.decision != decision.decision:
        decision = decision.model_copy(update={"decision": status.decision})
    if template:
        inputs = inputs.model_copy(update={"template": Path(template)})
    target = Path(out) if out else usecases.sow_path(settings.sow_dir, found.name, decision, str(uuid.uuid4()))
    rendered = usecases.issue_sow(submission, decision, inputs, target, draft=status.review_pending,
                                  register=register_refs_of(store, found.id, decision))
    store.sows.add(usecases.sow_record(rendered, assessment_id=assessment.id, vendor_id=found.id,
                                   decision=status.decision, draft=status.review_pending,
                                   override_knockout=status.override_knockout))
    return str(rendered.path)


@flow(name="sow", description="Write the SOW of a vendor's latest qualifying assessment.")
def sow(vendor: str, out: str | None = None, template: str | None = None, as_of: dt.date | None = None) -> str:
    return regenerate(vendor, out, template, get_settings(), as_of)
