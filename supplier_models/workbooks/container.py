"""Is a received file a plain .xlsx zip? Checked on its bytes before a spreadsheet library opens it.

Not empty, not too large, not an old .xls or a password-protected workbook, a
readable zip that does not expand into a bomb, no macros, and an Excel
workbook rather than a Word or PowerPoint file. The reader reports the one
problem found here and reads nothing further.

The bomb check reads only the zip's central directory (each part's declared
size, compressed and expanded), before any part is inflated: a workbook that
expands past `ZipLimits.expanded_bytes` in all, or one of whose large parts
expands more than `ZipLimits.part_ratio` times, is refused in milliseconds,
naming the part. The declared sizes bind: Python's zipfile, which openpyxl
reads through, never inflates a part past its declared size (a part that holds
more fails its CRC check and the workbook is refused as damaged).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MAX_FILE_BYTES = 20 * 1024 * 1024
MB = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """How far a returned workbook's zip may expand: `expanded_bytes` in all its parts, and `part_ratio` times its
    compressed size for any part over `ratio_floor` bytes expanded (a questionnaire's parts expand 2 to 10 times;
    a sheet of one row repeated a million times, several hundred)."""

    expanded_bytes: int = 25 * MB
    part_ratio: float = 100.0
    ratio_floor: int = 1 * MB

    @classmethod
    def from_settings(cls, settings=None) -> ZipLimits:
        """The limits of `FAIRSOURCE_WORKBOOK_MAX_EXPANDED_MB` and `FAIRSOURCE_WORKBOOK_MAX_PART_RATIO` (read now,
        from the environment, when no settings are given)."""
        if settings is None:
            from ..settings import get_settings

            settings = get_settings()
        return cls(expanded_bytes=int(settings.workbook_max_expanded_mb * MB),
                   part_ratio=float(settings.workbook_max_part_ratio))


def _size(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= 10 * MB else f"{n / MB:.1f} MB" if n >= MB else f"{max(1, n // 1024)} KB"


def expansion_problem(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> str | None:
    """Why these parts (the central directory's entries) expand too far, naming the part; or None."""
    total = sum(info.file_size for info in infos)
    if total > limits.expanded_bytes:
        largest = max(infos, key=lambda info: info.file_size)
        return (f"The workbook expands to more than {_size(limits.expanded_bytes)} ({_size(total)}; its part "
                f"{largest.filename} alone is {_size(largest.file_size)}); it is not a questionnaire. Use the form "
                "you were sent, without embedded files.")
    for info in infos:
        if info.file_size > limits.ratio_floor and info.file_size > limits.part_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            return (f"The workbook's part {info.filename} expands {ratio:.0f} times, from "
                    f"{_size(info.compress_size)} to {_size(info.file_size)} (a questionnaire's parts expand "
                    f"at most {limits.part_ratio:.0f} times); it is not a questionnaire. Use the form you were sent.")
    return None
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_CONTENT_TYPES = (b"macroEnabled", b"vbaProject")


def container_problem(data: bytes, limits: ZipLimits | None = None) -> str | None:
    """Why this is not a plain .xlsx zip (a macro file, an .xls, a damaged zip, a bomb...), or None. `limits`:
    how far it may expand (default: the settings')."""
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
            infos = archive.infolist()
            names = {info.filename for info in infos}
            expansion = expansion_problem(infos, limits or ZipLimits.from_settings())
            if expansion is not None:  # before any part is inflated, [Content_Types].xml included
                return expansion
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except Exception:  # zipfile, zlib and struct errors alike: the archive is damaged
        return ("The file is damaged or incomplete (it is not a readable .xlsx zip archive). "
                "Save the workbook again and resend it.")
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
