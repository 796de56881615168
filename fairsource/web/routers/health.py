"""GET /healthz: the app answers (for load balancers, `fairsource serve`'s warm-up, the benchmarks)."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    return {"status": "ok"}
