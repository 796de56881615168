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
from pathlib import Path

from supplier_models.settings import get_settings

_EPHEMERAL_SERVICES_OFF = (
    "SCHEDULER", "LATE_RUNS", "FOREMAN", "PAUSE_EXPIRATIONS", "REPOSSESSOR", "CANCELLATION_CLEANUP",
    "TRIGGERS", "PROACTIVE_TRIGGERS", "DB_VACUUM", "CLEANUP_RECONCILER",
)


def configure_prefect(*, serving: bool = False) -> None:
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
