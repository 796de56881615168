"""Hand a command's intake to the warm process of `fairsource serve`.

`fairsource intake` that runs its flow itself must first import Prefect, SQLAlchemy, openpyxl and the SOW
renderer (2-3 s on a laptop, more on a busy machine) before the first workbook is read. While `fairsource
serve` runs in the same home, all of that is already loaded in its process: the command then imports none of
it, sends the paths of the files over a Unix socket in the home (`<home>/serve/serve.sock`, in a folder only
its owner can open), and serve's process runs the same intake flow against its Prefect server, as a real flow
run tagged `handed-off`, and answers with the decisions. The command prints them exactly as if it had run the
flow itself.

The command runs the flow itself instead whenever serve could not give the same result: no serve process
answers, its settings differ from the command's (another database, policy, template or country data; paths
compared as absolute paths), or the command names another Prefect server than serve's (`PREFECT_API_URL`).

The protocol: one JSON request line from the command; then JSON lines from serve: `{"progress": n}` as
batches finish, and one last line, `{"result": {...}}`, `{"error": "..."}` (a FairsourceError: the
command fails with it) or `{"refused": "..."}` (the command runs the flow itself). This module imports no
Prefect: the server side imports the flow only when serve starts it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from supplier_models.errors import FairsourceError, ServeStopped
from supplier_models.settings import Settings

PROTOCOL = 1
TAG = "handed-off"
MAX_REQUEST = 4 * 1024 * 1024  # bytes: paths of several thousand files
_SOCKET_PATH_LIMIT = 100  # bytes: AF_UNIX paths are limited to 104-108 bytes, depending on the system

log = logging.getLogger("fairsource.handoff")


class IntakeRequest(BaseModel):
    """What a command sends: absolute paths, its day, and what must match serve's for the same result."""

    protocol: int = PROTOCOL
    command: Literal["intake"] = "intake"
    paths: list[str] = Field(min_length=1)
    as_of: dt.date | None = None
    settings: str
    prefect_api_url: str | None = None


def socket_path(settings: Settings) -> Path:
    return settings.home / "serve" / "serve.sock"


def settings_key(settings: Settings) -> str:
    """The settings as one string, every path absolute, so two processes can tell whether they would give the
    same result (the same store, SOW folder, policy, template and reference data)."""
    values = {name: os.path.abspath(value) if isinstance(value, Path) else value
              for name, value in settings.model_dump().items()}
    return json.dumps(values, sort_keys=True, default=str)


# -- the command's side ------------------------------------------------------------------------------------------

def intake_via_serve(settings: Settings, paths: list[str], as_of: dt.date | None,
                     progress: Callable[[int], None] = lambda n: None) -> dict | None:
    """Run the intake in serve's process, if one runs for this home and would give the same result.

    Returns serve's result (`{"outcomes": [...], "rejected": [...]}`, as `flows.handoff.result_of` makes it),
    or None when the command must run the flow itself (nothing was done). Raises FairsourceError for an error
    serve reports (a store it cannot write, say), and ServeStopped if serve went away mid-way (the files it
    had stored are recognised when the command is run again: nothing is stored twice)."""
    where = socket_path(settings)
    if not hasattr(socket, "AF_UNIX") or not where.exists():
        return None
    request = IntakeRequest(paths=[os.path.abspath(p) for p in paths], as_of=as_of, settings=settings_key(settings),
                            prefect_api_url=os.environ.get("PREFECT_API_URL") or None)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(2)
        try:
            sock.connect(str(where))
        except OSError:  # a socket left behind by a serve that was killed: nobody answers
            return None
        sock.settimeout(None)  # an intake of many files takes as long as it takes; Ctrl-C still interrupts
        sock.sendall(request.model_dump_json().encode() + b"\n")
        with sock.makefile("rb") as replies:
            for line in replies:
                reply = json.loads(line)
                if "progress" in reply:
                    progress(int(reply["progress"]))
                elif "refused" in reply:
                    return None
                elif "error" in reply:
                    raise FairsourceError(reply["error"])
                elif "result" in reply:
                    return reply["result"]
    except (ConnectionError, json.JSONDecodeError) as exc:
        raise ServeStopped(f"fairsource serve stopped during the intake ({exc}); run the command again: files "
                           f"already stored are recognised, nothing is stored twice") from exc
    finally:
        sock.close()
    raise ServeStopped("fairsource serve stopped during the intake; run the command again: files already stored "
                       "are recognised, nothing is stored twice")


# -- serve's side ------------------------------------------------------------------------------------------------
def result_of(batches: Iterator[tuple[list, list, list[str | None]]], progress: Callable[[int], None]) -> dict:
    """The intake's outcomes and rejected files as JSON-ready dicts: each outcome is the `--json` decision
    object with the path it was read from under `source`; each rejected file its path and problems."""
    outcomes: list[dict] = []
    rejected: list[dict] = []
    for done, bad, sources in batches:
        outcomes += [{**o.as_json(), "source": source} for o, source in zip(done, sources, strict=True)]
        rejected += [{"file": r.file, "errors": [p.model_dump() for p in r.problems]} for r in bad]
        progress(len(done) + len(bad))
    return {"outcomes": outcomes, "rejected": rejected}


class _Handler(socketserver.StreamRequestHandler):
    server: HandoffServer

    def handle(self) -> None:
        try:
            self._answer()
        except ConnectionError:  # the command was interrupted (a broken pipe, say): no one to tell
            log.info("a handed-off command went away before its answer")

    def _answer(self) -> None:
        line = self.rfile.readline(MAX_REQUEST + 1)
        try:
            request = IntakeRequest.model_validate_json(line)
        except ValidationError as exc:
            self._reply(refused=f"not a request this serve understands: {exc.errors()[0]['msg']}")
            return
        why = self.server.refusal(request)
        if why:
            self._reply(refused=why)
            return
        try:
            # A command interrupted mid-way stops the run after its current batch (a progress reply fails).
            result = self.server.run(request.paths, request.as_of, lambda n: self._reply(progress=n))
        except ConnectionError:
            raise
        except FairsourceError as exc:
            self._reply(error=str(exc))
        except Exception as exc:  # noqa: BLE001 - told to the command; the traceback stays in serve's log
            log.exception("handed-off intake failed")
            self._reply(error=f"fairsource serve could not run the intake: {type(exc).__name__}: {exc}")
        else:
            self._reply(result=result)

    def _reply(self, **message) -> None:
        self.wfile.write(json.dumps(message).encode() + b"\n")
        self.wfile.flush()


class HandoffServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """serve's end of the socket: each command in its own thread, running the intake flow in this process."""

    daemon_threads = True

    def __init__(self, where: Path, prefect_api_url: str,
                 run: Callable[[list[str], dt.date | None, Callable[[int], None]], dict]) -> None:
        self.prefect_api_url = prefect_api_url
        self.run = run
        super().__init__(str(where), _Handler)

    def refusal(self, request: IntakeRequest) -> str | None:
        if request.protocol != PROTOCOL:
            return f"protocol {request.protocol}, serve speaks {PROTOCOL}"
        if request.settings != settings_key(Settings()):  # read now: the flow reads them now too (.env may change)
            return "the command's settings differ from serve's"
        if request.prefect_api_url and request.prefect_api_url.rstrip("/") != self.prefect_api_url.rstrip("/"):
            return f"the command names another Prefect server ({request.prefect_api_url})"
        return None


@contextmanager
def handoff_service(settings: Settings, prefect_api_url: str,
                    run: Callable[[list[str], dt.date | None, Callable[[int], None]], dict]) -> Iterator[Path | None]:
    """Listen for commands of this home while the block runs; yields the socket's path, or None where none can
    be opened (no Unix sockets, a path too long for one, or another serve already listening): commands then
    run their flows themselves, as without serve."""
    where = socket_path(settings)
    if not hasattr(socket, "AF_UNIX") or len(os.fsencode(where)) > _SOCKET_PATH_LIMIT:
        yield None
        return
    where.parent.mkdir(parents=True, exist_ok=True)
    where.parent.chmod(0o700)  # only this user's commands can connect
    if where.exists():
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(where))
        except OSError:
            where.unlink()  # left behind by a serve that was killed
        else:
            yield None  # another serve of this home answers: it keeps the commands
            return
        finally:
            probe.close()
    server = HandoffServer(where, prefect_api_url, run)
    thread = threading.Thread(target=server.serve_forever, name="fairsource-handoff", daemon=True)
    thread.start()
    try:
        yield where
    finally:
        server.shutdown()
        server.server_close()
        where.unlink(missing_ok=True)
