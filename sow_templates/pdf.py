"""Convert a SOW to PDF with LibreOffice (headless)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from supplier_models.errors import LibreOfficeNotFound, PdfConversionError

TIMEOUT_SECONDS = 180


def libreoffice() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: str | Path, out_dir: str | Path) -> Path:
    """Write `out_dir/<name>.pdf` from `docx`; raises `LibreOfficeNotFound` when LibreOffice is absent."""
    exe = libreoffice()
    if exe is None:
        raise LibreOfficeNotFound(
            "LibreOffice is not installed (neither `soffice` nor `libreoffice` is on PATH); install it, e.g. "
            "`apt-get install libreoffice-writer-nogui`, to convert SOWs to PDF"
        )
    docx, out_dir = Path(docx), Path(out_dir)
    if not docx.is_file():
        raise PdfConversionError(f"{docx} does not exist")
    out_dir.mkdir(parents=True, exist_ok=True)
    # a private profile per call: concurrent conversions otherwise fight over the user's profile lock
    with tempfile.TemporaryDirectory(prefix="fairsource-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfConversionError(f"LibreOffice did not convert {docx.name} within {TIMEOUT_SECONDS} s") from exc
    pdf = out_dir / (docx.stem + ".pdf")
    if done.returncode != 0 or not pdf.is_file():
        raise PdfConversionError(
            f"LibreOffice could not convert {docx.name} (exit {done.returncode}): {(done.stderr or done.stdout).strip()}"
        )
    return pdf
