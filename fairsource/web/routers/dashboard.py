"""The analysts' dashboard: vendors by status, qualifications expiring, overdue remediations, reviews waiting,
and where the vendors' workers are."""

import datetime as dt
from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from flows import usecases
from scoring.terms import BANDS, STATUSES
from supplier_models import Store

from ..deps import InputsDep, StoreDep, Viewer
from ..queries import vendor_rows
from ..rendering import render
from ..schemas import CountryWorkers

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, staff: Viewer, store: StoreDep, inputs: InputsDep) -> Response:
    today = dt.date.today()
    rows = vendor_rows(store, inputs.review_policy, today)
    return render(request, "dashboard.html", **summary([s for _, s in rows], today),
                  countries=country_panel(store), bands=BANDS)


def summary(statuses: list[usecases.VendorStatus | None], today: dt.date) -> dict[str, Any]:
    """Each vendor's status (None before a first submission) counted; the qualifications expiring within 30,
    60 and 90 days; the overdue remediations; the reviews waiting."""
    counts = Counter(s.status if s else "awaiting_submission" for s in statuses)
    expiring: dict[int, list] = {30: [], 60: [], 90: []}
    for s in statuses:
        if s and s.valid_until and s.status != "expired":
            days = (s.valid_until - today).days
            for limit in (30, 60, 90):
                if days <= limit:
                    expiring[limit].append((s, days))
                    break
    overdue = [(s, r) for s in statuses if s for r in s.overdue_remediations]
    waiting = [s for s in statuses if s and s.review_pending]
    return dict(counts=[(k, counts.get(k, 0)) for k in STATUSES], total=len(statuses), expiring=expiring,
                overdue=overdue, waiting=waiting)


def worse(a: str, b: str) -> str:
    return max(a, b, key=lambda band: BANDS.index(band) if band in BANDS else len(BANDS))


def country_panel(store: Store) -> list[CountryWorkers]:
    """Every country where the assessed vendors' workers are (by each vendor's latest assessment), with
    its vendors and workers, most workers first: one streamed query."""
    found: dict[str, CountryWorkers] = {}
    for geo in store.views.geography():
        for c in geo.countries:
            entry = found.setdefault(c["iso2"], CountryWorkers(iso2=c["iso2"], name=c["name"], band=c["band"]))
            entry.band = worse(entry.band, c["band"])
            entry.vendors += 1
            entry.workers += geo.workers.get(c["iso2"], 0)
    return sorted(found.values(), key=lambda c: (-c.workers, -c.vendors, c.name))
