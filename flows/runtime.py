"""Prefect defaults for fairsource, set before Prefect is imported.

Without `PREFECT_API_URL`, flows run on Prefect's temporary local server.
These defaults keep that quiet and quick: no telemetry calls (the machine may
have no internet), none of Prefect's console logging in one-off commands, the temporary server's
database under fairsource's home, and the server's scheduling services off
(a one-off command needs none of them). A team's own Prefect server or
profile settings always win: only unset variables are filled in.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from supplier_models.errors import ConfigurationError
from supplier_models.settings import get_settings

_EPHEMERAL_SERVICES_OFF = (
    "SCHEDULER", "LATE_RUNS", "FOREMAN", "PAUSE_EXPIRATIONS", "REPOSSESSOR", "CANCELLATION_CLEANUP",
    "TRIGGERS", "PROACTIVE_TRIGGERS", "DB_VACUUM", "CLEANUP_RECONCILER",
)


def configure_prefect(*, serving: bool = False) -> None:
    if not serving and not os.environ.get("PREFECT_API_URL"):
        running = running_local_server()
        if running:  # the server `fairsource serve` runs here: no temporary server to start (4-5 s, not 12-30)
            os.environ["PREFECT_API_URL"] = running
    team_server = bool(os.environ.get("PREFECT_API_URL"))
    defaults = {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # Run logs go to the API (the UI of a team's server shows them); the terminal shows
        # fairsource's own messages, not Prefect's tracebacks of an error we report anyway.
        "PREFECT_LOGGING_LEVEL": "INFO" if team_server or serving else "WARNING",
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING" if serving else "CRITICAL",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "PREFECT_HOME": str(get_settings().home / "prefect"),
    }
    if not serving and not team_server:
        defaults.update({f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in _EPHEMERAL_SERVICES_OFF})
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    # Prefect creates its home without parents, and warns when it cannot.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)


_HEARTBEAT_VARIABLES = ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY")


@contextmanager
def one_off_flow_runs() -> Iterator[None]:
    """Prefect settings for the flow runs a command runs in its own process and waits for (`intake`, `sow`):
    no flow-run heartbeats, unless the environment or the Prefect profile sets their frequency.

    A heartbeat tells the server a long flow run is still alive (every 180 s by default); a command's run
    lasts seconds and its person sees it end, so the first beat is the only one, and Prefect's heartbeat
    thread sleeps in 1 s steps that the end of every flow run waits out (0.5-1 s of a 2 s intake).
    """
    from prefect.context import SettingsContext, get_settings_context
    from prefect.settings.models.flows import FlowsSettings

    context = get_settings_context()
    settings = context.settings
    if any(os.environ.get(name) for name in _HEARTBEAT_VARIABLES) or \
            settings.flows.heartbeat_frequency != FlowsSettings.model_fields["heartbeat_frequency"].default:
        yield
        return
    # A copy of the settings in use with that one change (Prefect's `temporary_settings` would rebuild them all
    # from the environment and profile, which costs more than the heartbeat).
    quiet = settings.model_copy(update={"flows": settings.flows.model_copy(update={"heartbeat_frequency": None})})
    with SettingsContext(profile=context.profile, settings=quiet):
        yield


@contextmanager
def local_prefect_server(port: int = 4200, timeout: float = 120) -> Iterator[str]:
    """A Prefect server for `fairsource serve` on this machine, with its UI, in its own session.

    The temporary server Prefect starts by itself shares the terminal, so Ctrl-C stopped it before
    the runner that needs it; this one is stopped after the runner, cleanly.
    """
    port = port if _port_free(port) else _free_port()
    home = Path(os.environ["PREFECT_HOME"])
    log = (home / "server.log").open("ab")
    prefect = Path(sys.executable).with_name("prefect")
    command = [str(prefect) if prefect.exists() else "prefect", "server", "start", "--host", "127.0.0.1",
               "--port", str(port)]
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    marker = _server_marker()
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                raise ConfigurationError(f"the local Prefect server did not start; see {home / 'server.log'}")
            time.sleep(0.5)
        marker.write_text(url)  # other fairsource commands in this home use it (running_local_server)
        yield url
    finally:
        marker.unlink(missing_ok=True)
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _server_marker() -> Path:
    return get_settings().home / "prefect-server.url"


def running_local_server() -> str | None:
    """The API URL of the Prefect server `fairsource serve` runs for this home, if it answers."""
    try:
        url = _server_marker().read_text().strip()
    except OSError:
        return None
    return url if url.startswith("http://127.0.0.1:") and _healthy(url, timeout=1) else None


def _healthy(url: str, timeout: float = 2) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
