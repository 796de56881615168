"""Files sent to the browser: their media types, a file response that is never cached and may remove the
temporary folder it was written to once it is sent, and the CSV cell a spreadsheet reads as text."""

import shutil
from pathlib import Path

from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def send_file(path: str | Path, media_type: str, filename: str, *, then_remove: str | None = None) -> FileResponse:
    """The file as an attachment, not to be cached; `then_remove`: its temporary folder, removed once sent."""
    background = BackgroundTask(shutil.rmtree, then_remove, ignore_errors=True) if then_remove else None
    return FileResponse(path, media_type=media_type, filename=filename, headers={"Cache-Control": "no-store"},
                        background=background)


def as_text(value: object) -> str:
    """A CSV cell: empty for none; text a spreadsheet would take for a formula (=, +, -, @, a tab or a return
    first) behind a quote mark, so it shows as the text it is."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
