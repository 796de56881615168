"""`fairsource serve`: the flows as deployments, requalification on its cron schedule.

The deployments are served by a Prefect `Runner` run here rather than through `prefect.serve`: on SIGTERM,
the runner's own handler calls its sync `stop()` from inside the running event loop, which only creates the
`astop()` coroutine and never awaits it ("coroutine 'Runner.astop' was never awaited"), then exits from the
signal handler while the loop is still running, and the process hung. Here Ctrl-C (SIGINT) and SIGTERM
both set an event; the runner is then stopped with `await runner.astop()` and `start()` returns once its
loops end (pausing the served schedules on the way out), so the command returns normally.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
import threading
from collections.abc import Callable
from typing import Any

from prefect.runner import Runner

from supplier_models import get_settings

from .intake import intake
from .requalify import requalify
from .sow import sow

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def deployments() -> list:
    settings = get_settings()
    return [
        requalify.to_deployment(name="scheduled", cron=settings.requalify_cron,
                                description="Requalify vendors that are due (FAIRSOURCE_REQUALIFY_CRON)"),
        intake.to_deployment(name="on-demand", description="Intake of returned questionnaires"),
        sow.to_deployment(name="on-demand", description="Regenerate a vendor's SOW"),
    ]


class _Runner(Runner):
    """A runner whose SIGTERM handler asks for a clean stop instead of calling `stop()` inside the loop."""

    def __init__(self, stop: asyncio.Event, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._stop_requested = stop
        self._event_loop = asyncio.get_running_loop()

    def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:  # installed by Runner.start()
        self._logger.info("SIGTERM received, stopping...")
        self._event_loop.call_soon_threadsafe(self._stop_requested.set)


async def _serve(deployed: list) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def request_stop() -> None:
        stop.set()
        loop.remove_signal_handler(signal.SIGINT)  # a second Ctrl-C interrupts at once

    runner = _Runner(stop, pause_on_shutdown=True)
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, request_stop)
    try:
        for deployment in deployed:  # in the loop: the async method (the sync one would not be awaited)
            await runner.aadd_deployment(deployment)
            if stop.is_set():
                return
        running = asyncio.create_task(runner.start())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not running.done():
            if runner.started:
                await runner.astop()  # ends the polling loops; start() then leaves its context cleanly
            else:  # stopped while still starting: nothing runs yet
                running.cancel()
        stopping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


def warm_up() -> None:
    """Open (and create or upgrade) the store and load the scoring inputs once, so the first intake handed to
    this process costs what the next ones do."""
    from flows.usecases.vendor_state import open_store
    from supplier_models import get_settings

    from .usecases import load_inputs

    settings = get_settings()
    open_store(settings)
    load_inputs(settings)


def run_handed_off(paths: list[str], as_of: dt.date | None, progress: Callable[[int], None]) -> dict:
    """A command's intake, handed to this process (flows.handoff): the same flow runs, tagged, in batches."""
    from prefect import tags

    from .handoff import TAG, result_of
    from .intake import intake_in_batches
    from .runtime import one_off_flow_runs

    with tags(TAG), one_off_flow_runs():
        return result_of(intake_in_batches(paths, as_of), progress)


def send_queued() -> None:
    """Send what this process's flow runs still have queued for the server (Prefect sends logs and events in
    batches, every few seconds), while the server still runs: `fairsource serve` stops its local server next,
    and a run that ended just before Ctrl-C lost its last log lines ("Error logging to API")."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=5)


def wait_for_stop() -> None:
    """Block until Ctrl-C (SIGINT) or SIGTERM (`serve --intake-only`: the hand-off runs in its own threads)."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *args: stop.set()) for sig in STOP_SIGNALS}
    try:
        while not stop.wait(1):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve_all(deployed: list | None = None) -> None:
    """Serve the deployments until Ctrl-C or SIGTERM, then stop the runner and return."""
    asyncio.run(_serve(deployed if deployed is not None else deployments()))
