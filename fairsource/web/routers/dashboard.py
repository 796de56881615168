"""The analysts' dashboard: vendors by status, qualifications expiring, overdue remediations, reviews waiting,
where the vendors' workers are, and the distribution of Fairwork points."""

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from flows import usecases
from flows.usecases.frameworks import FAIRWORK
from flows.usecases.vendor_list import rows_for_the_day
from scoring.terms import BANDS, STATUSES
from supplier_models import Store

from ..deps import InputsDep, SettingsDep, StoreDep, Viewer
from ..rendering import render
from ..schemas import CountryWorkers

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, staff: Viewer, store: StoreDep, inputs: InputsDep, settings: SettingsDep) -> Response:
    """Counts and the first ten of each panel, from the vendors' state rows brought to the day (SQL aggregates:
    the page costs the same at 100 vendors as at 100,000), with a link to the whole list where there is one."""
    today = dt.date.today()
    rows_for_the_day(store, settings, today)
    counts = store.states.by_status()
    waiting = store.states.reviews_waiting(FIRST)
    why = {s.vendor_id: s.review_required
           for s in usecases.statuses(store, inputs.review_policy, today, [vid for vid, *_ in waiting.first])
           } if waiting.first else {}
    return render(request, "dashboard.html", counts=[(k, counts.get(k, 0)) for k in STATUSES],
                  total=sum(counts.values()), waiting=waiting, why=why, expiring=store.states.expiring(today),
                  overdue=store.states.overdue(today, FIRST), countries=country_panel(store), bands=BANDS,
                  fairwork=fairwork_panel(store))


FIRST = 10  # rows a panel shows; the rest behind its count and link


def fairwork_panel(store: Store) -> dict[str, object]:
    """How many vendors have each of Fairwork's 0 to 10 points (their latest assessment's, stored with it) and how
    many have no assessment: one grouped query over the state rows."""
    counts = store.states.fairwork_points()
    points = [(n, counts.get(n, 0)) for n in range(FAIRWORK_POINTS + 1)]
    return {"points": points, "none": counts.get(None, 0), "most": max([n for _, n in points] + [1]),
            "framework": FAIRWORK}


FAIRWORK_POINTS = 10


def worse(a: str, b: str) -> str:
    return max(a, b, key=lambda band: BANDS.index(band) if band in BANDS else len(BANDS))


def country_panel(store: Store) -> list[CountryWorkers]:
    """Every country where the assessed vendors' workers are (by each vendor's latest assessment), with its
    vendors, its workers and the worst band a vendor's assessment gave it, most workers first: one grouped query
    over the places kept with the vendors' state rows."""
    found: dict[str, CountryWorkers] = {}
    for iso2, name, band, vendors, workers in store.states.countries():
        entry = found.setdefault(iso2, CountryWorkers(iso2=iso2, name=name, band=band))
        entry.band = worse(entry.band, band)
        entry.vendors += vendors
        entry.workers += workers
    return sorted(found.values(), key=lambda c: (-c.workers, -c.vendors, c.name))
