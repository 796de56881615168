"""`fairsource serve`: the flows as deployments, requalification on its cron schedule."""

from __future__ import annotations

from prefect import serve

from supplier_models import get_settings

from .intake import intake
from .requalify import requalify
from .sow import sow


def deployments() -> list:
    settings = get_settings()
    return [
        requalify.to_deployment(name="scheduled", cron=settings.requalify_cron,
                                description="Requalify vendors that are due (FAIRSOURCE_REQUALIFY_CRON)"),
        intake.to_deployment(name="on-demand", description="Intake of returned questionnaires"),
        sow.to_deployment(name="on-demand", description="Regenerate a vendor's SOW"),
    ]


def serve_all() -> None:
    serve(*deployments())
