"""Regenerate a vendor's SOW from its latest qualifying assessment."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from scoring import Decision
from supplier_models import Settings, get_settings

from . import steps


class NotQualified(steps.SowError):
    """The vendor has no qualifying assessment, so no SOW can be written."""


@task(name="render, verify and record the SOW", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE,
      retry_condition_fn=lambda task, run, state: not isinstance(state.result(raise_on_failure=False),
                                                                  steps.SowError))
def regenerate(vendor: str, out: str | None, template: str | None, settings: Settings) -> str:
    store = steps.store_for(settings.url)
    found = store.find_vendor(vendor)
    if found is None:
        raise NotQualified(f'no vendor "{vendor}" in the store')
    assessment = store.latest_qualifying_assessment(found.id)
    if assessment is None:
        latest = store.latest_assessment(found.id)
        state = f"{latest.decision} on {latest.assessed_on}" if latest else "not assessed"
        raise NotQualified(f"{found.name} is not qualified ({state}): no SOW can be written")
    submission = store.submission_by_id(assessment.submission_id)
    decision = Decision.model_validate(assessment.data)
    inputs = steps.load_inputs(settings)
    if template:
        inputs = inputs.model_copy(update={"template": Path(template)})
    target = Path(out) if out else steps.sow_path(settings.sow_dir, found.name, decision, assessment.id)
    rendered = steps.issue_sow(submission, decision, inputs, target)
    store.add_sow(steps.sow_record(rendered, assessment_id=assessment.id, vendor_id=found.id))
    return str(rendered.path)


@flow(name="sow", description="Write the SOW of a vendor's latest qualifying assessment.")
def sow(vendor: str, out: str | None = None, template: str | None = None) -> str:
    return regenerate(vendor, out, template, get_settings())
