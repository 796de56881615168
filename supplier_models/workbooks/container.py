"""Is a received file a plain .xlsx zip? Checked on its bytes before a spreadsheet library opens it.

Not empty, not too large, not an old .xls or a password-protected workbook, a
readable zip that does not expand into a bomb, no macros, and an Excel
workbook rather than a Word or PowerPoint file. The reader reports the one
problem found here and reads nothing further.
"""

from __future__ import annotations

import io
import zipfile

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_CONTENT_TYPES = (b"macroEnabled", b"vbaProject")


def container_problem(data: bytes) -> str | None:
    """Why this is not a plain .xlsx zip (a macro file, an .xls, a damaged zip, a bomb...), or None."""
    if not data:
        return "The file is empty. Save the questionnaire as an Excel workbook (.xlsx) and send it again."
    if len(data) > MAX_FILE_BYTES:
        return (f"The file is {len(data) // (1024 * 1024)} MB; a questionnaire is never more than "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Send the workbook without embedded files.")
    if data.startswith(OLE_MAGIC):
        return ("This is an old-format Excel file (.xls) or a password-protected workbook. "
                "Remove any password and save it as an Excel Workbook (.xlsx).")
    if not data.startswith(b"PK"):
        return "This is not an Excel workbook (.xlsx). Use the questionnaire file you were sent."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            total = sum(info.file_size for info in archive.infolist())
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except Exception:  # zipfile, zlib and struct errors alike: the archive is damaged
        return ("The file is damaged or incomplete (it is not a readable .xlsx zip archive). "
                "Save the workbook again and resend it.")
    if total > MAX_UNCOMPRESSED_BYTES:
        return f"The workbook expands to more than {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB; it is not a questionnaire."
    if any(name.lower().endswith("vbaproject.bin") for name in names) or any(
        marker in content_types for marker in MACRO_CONTENT_TYPES
    ):
        return ("This is a macro-enabled workbook (.xlsm); macros are not accepted. "
                "Save it as an Excel Workbook (.xlsx) without macros.")
    if "xl/workbook.xml" not in names:
        kind = "a Word document" if "word/document.xml" in names else (
            "a PowerPoint file" if "ppt/presentation.xml" in names else None)
        if kind is None:
            return ("The file is damaged or is not an Excel workbook (it has no workbook part). "
                    "Save the questionnaire again as .xlsx and resend it.")
        return f"This file is {kind}, not the Excel questionnaire (.xlsx)."
    return None
