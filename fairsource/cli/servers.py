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
    workers: Annotated[int, typer.Option(min=1, help="worker processes answering requests (sessions, CSRF and "
                                                     "the sign-in limits are in the store, shared by all)")] = 1,
) -> None:
    """Serve the web app: analysts' pages, the vendor portal and the JSON API (Ctrl-C stops)."""
    import uvicorn

    from supplier_models import get_settings
    from supplier_models.errors import FairsourceError

    settings = get_settings()
    try:
        application = _app_checked(settings) if workers == 1 else _checks_for_workers(settings)
    except FairsourceError as exc:
        fail(str(exc))
    processes = f", {workers} worker processes" if workers > 1 else ""
    out.print(f"fairsource web on http://{host}:{port} (store {settings.url.split('://')[0]}{processes}; API docs "
              f"at /docs)", highlight=False)
    if workers == 1:
        uvicorn.run(application, host=host, port=port, log_level="info", proxy_headers=False)
    else:
        _run_workers(host, port, workers)


def _run_workers(host: str, port: int, workers: int) -> None:
    """What `uvicorn.run(..., workers=N)` does, each worker building its own app from the same environment (the
    parent checked it once), on a listening socket that says it is TCP: uvicorn's own leaves its protocol at 0,
    so asyncio never sets TCP_NODELAY on the connections it accepts and every answer on a kept-alive connection
    waits some 40 ms for the client's delayed ACK (uvicorn issue 3149)."""
    import contextlib

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("fairsource.web.app:from_environment", factory=True, workers=workers, host=host,
                            port=port, log_level="info", proxy_headers=False)
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[tcp_socket(config.bind_socket())]).run()


def tcp_socket(bound):
    """The bound socket, declared IPPROTO_TCP (the connections it accepts inherit it; asyncio then sets
    TCP_NODELAY on each)."""
    import socket

    sock = socket.socket(bound.family, socket.SOCK_STREAM, socket.IPPROTO_TCP, fileno=bound.detach())
    sock.set_inheritable(True)
    return sock


def _no_user_yet(store) -> None:
    if not store.staff.all():
        err.print("No user yet: create the first one with  fairsource user add EMAIL --role admin", highlight=False)


def _app_checked(settings):
    """The app (one process), and the hint when the store has no user yet."""
    from fairsource.web import create_app

    application = create_app(settings)
    _no_user_yet(application.state.web.store)
    return application


def _checks_for_workers(settings) -> None:
    """What building the app checks, once, in the parent of the worker processes: the store opens (upgraded to
    the current schema before the workers open it) and the scoring inputs load; the hint when there is no user
    yet. The parent then only supervises: it keeps neither the store's connections nor the inputs."""
    from flows import usecases
    from supplier_models.store import close_engines, store_for

    try:
        store = store_for(settings.url)
        usecases.load_inputs(settings)
        _no_user_yet(store)
    finally:
        close_engines()
