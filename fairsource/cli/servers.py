"""The long-running processes (Ctrl-C stops them): `serve` (the flows' deployments and this home's intakes, on a
Prefect server) and `web` (the web app: analysts' pages, the vendor portal, the JSON API)."""

from __future__ import annotations

from typing import Annotated

import typer

from .shared import err, fail, out


def serve(
    port: Annotated[int, typer.Option(help="port of the local Prefect server and its UI (without PREFECT_API_URL)")]
    = 4200,
    intake_only: Annotated[bool, typer.Option(
        "--intake-only", help="serve no deployments (a team's workers run them): only run this home's intake "
        "commands in this warm process")] = False,
) -> None:
    """Serve the flows: requalification on its cron schedule, intake and SOW on demand (Ctrl-C stops). Meanwhile
    `fairsource intake` in the same home runs in this process."""
    import os

    from flows.runtime import configure_prefect, local_prefect_server
    from supplier_models.errors import FairsourceError

    configure_prefect(serving=True)
    try:
        if os.environ.get("PREFECT_API_URL"):  # a team's Prefect server
            _serve(intake_only)
        else:
            with local_prefect_server(port) as url:  # stopped after the runner
                os.environ["PREFECT_API_URL"] = url
                out.print(f"Prefect server and UI: {url.removesuffix('/api')}", highlight=False)
                _serve(intake_only)
    except FairsourceError as exc:
        fail(str(exc))
    out.print("Stopped.", highlight=False)


def _serve(intake_only: bool) -> None:
    """Serve the flows until Ctrl-C or SIGTERM (see flows.serve), and take the intakes of commands run in this
    home meanwhile (see flows.handoff)."""
    import os

    from flows.handoff import handoff_service
    from flows.serve import deployments, run_handed_off, send_queued, serve_all, wait_for_stop, warm_up
    from supplier_models import get_settings
    from supplier_models.errors import FairsourceError

    deployed = [] if intake_only else deployments()
    try:
        warm_up()
    except FairsourceError as exc:  # the scheduled runs may still succeed later (a database that comes back)
        err.print(f"Warning: {exc}", highlight=False, markup=False)
    names = ", ".join(f"{d.flow_name}/{d.name}" + (f" (cron {d.schedules[0].schedule.cron})" if d.schedules else "")
                      for d in deployed)
    try:
        with handoff_service(get_settings(), os.environ["PREFECT_API_URL"], run_handed_off) as where:
            if where:
                out.print(f"fairsource intake in this home runs here: {where}", highlight=False, markup=False)
            if intake_only:
                if not where:
                    raise FairsourceError("another fairsource serve already runs this home's intakes (or this "
                                          "system has no Unix sockets): nothing to serve")
                out.print("Serving intakes only. Ctrl-C stops.", highlight=False)
                wait_for_stop()
            else:
                out.print(f"Serving {names}. Ctrl-C stops.", highlight=False, markup=False)
                serve_all(deployed)
    finally:
        send_queued()  # before the caller stops the local server


def web(
    host: Annotated[str, typer.Option(help="address to listen on (0.0.0.0: every interface)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Serve the web app: analysts' pages, the vendor portal and the JSON API (Ctrl-C stops)."""
    import uvicorn

    from fairsource.web import create_app
    from supplier_models import get_settings
    from supplier_models.errors import FairsourceError

    settings = get_settings()
    try:
        application = create_app(settings)
        if not application.state.web.store.staff.all():
            err.print("No user yet: create the first one with  fairsource user add EMAIL --role admin",
                      highlight=False)
    except FairsourceError as exc:
        fail(str(exc))
    out.print(f"fairsource web on http://{host}:{port} (store {settings.url.split('://')[0]}; API docs at /docs)",
              highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="info", proxy_headers=False)
