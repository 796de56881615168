"""Evidence files a vendor or an analyst sends (a certificate, a pay calendar, a consent form): what kind of file
each is, decided from its bytes, never from its name, and the name it is shown under.

Accepted: PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) and plain text (UTF-8), at most 20 MB each. A Word or Excel
file is checked as a returned questionnaire is (`workbooks.container`): a readable zip whose declared parts do
not expand past `ZipLimits` (a zip bomb is refused from its central directory, before anything is inflated), with
no macros (`vbaProject.bin`, a macro-enabled content type). Anything else (a program renamed .pdf, an old .doc, a
zip of other files) is refused, each with a message naming the file and what to send instead.

The name the client sent is a label only (`display_name`): shown and offered as the download's name, never a path;
a name that carries a folder (`../../etc/passwd.pdf`) is refused outright, as only a hand-made request sends one.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from .errors import ActionRefused
from .workbooks.container import MAX_FILE_BYTES, OLE_MAGIC, ZipLimits, expansion_problem

MAX_EVIDENCE_BYTES = MAX_FILE_BYTES  # 20 MB, as a questionnaire
MAX_NAME = 200
ACCEPTED = "PDF, PNG or JPEG image, Word (.docx), Excel (.xlsx) or plain text"


@dataclass(frozen=True)
class Kind:
    media_type: str
    extensions: tuple[str, ...]
    label: str


PDF = Kind("application/pdf", (".pdf",), "PDF")
PNG = Kind("image/png", (".png",), "PNG image")
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"), "JPEG image")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "Word document")
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "Excel workbook")
TEXT = Kind("text/plain; charset=utf-8", (".txt", ".csv", ".md"), "plain text")
KINDS = (PDF, PNG, JPEG, DOCX, XLSX, TEXT)
MEDIA_TYPES = {k.media_type: k for k in KINDS}

PROGRAMS = ((b"MZ", "a Windows program"), (b"\x7fELF", "a Linux program"), (b"\xca\xfe\xba\xbe", "a program"),
            (b"\xcf\xfa\xed\xfe", "a macOS program"), (b"#!", "a script"))
OTHER = ((b"Rar!", "a RAR archive"), (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
         (b"GIF8", "a GIF image"), (b"<?xml", "an XML file"), (b"{\\rtf", "an RTF document"))


@dataclass(frozen=True)
class Checked:
    """An accepted file: its bytes, their sha256, its kind and the name it is shown under."""

    data: bytes
    sha256: str
    kind: Kind
    name: str

    @property
    def size(self) -> int:
        return len(self.data)


def refused(name: str, why: str) -> ActionRefused:
    return ActionRefused(f"{name}: {why} Nothing was stored.", "file")


def display_name(raw: str | None) -> str:
    """The name the client sent, as a label: control characters dropped, at most 200 characters. A name with a
    folder in it is refused (a browser sends the file's own name only)."""
    name = "".join(ch for ch in unicodedata.normalize("NFC", raw or "") if unicodedata.category(ch)[0] != "C")
    name = name.strip()
    if not name:
        return "file"
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith(".."):
        shown = name[-MAX_NAME:]
        raise refused(shown, "the file name names a folder; send the file under its own name (no / or \\).")
    return name[:MAX_NAME]


def check(data: bytes, raw_name: str | None, limits: ZipLimits | None = None) -> Checked:
    """The file accepted, with its kind decided from its content; or `ActionRefused` naming the file and why."""
    name = display_name(raw_name)
    if not data:
        raise refused(name, "the file is empty.")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise refused(name, f"the file is {len(data) / (1024 * 1024):.0f} MB; an evidence file is at most "
                            f"{MAX_EVIDENCE_BYTES // (1024 * 1024)} MB. Send a smaller file (a PDF of fewer pages, "
                            "a smaller image).")
    return Checked(data, hashlib.sha256(data).hexdigest(), kind_of(data, name, limits), name)


def kind_of(data: bytes, name: str, limits: ZipLimits | None = None) -> Kind:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _office(data, name, limits or ZipLimits.from_settings())
    if data.startswith(OLE_MAGIC):
        raise refused(name, "this is an old-format Office file (.doc, .xls) or a password-protected one. Remove any "
                            "password and save it as .docx, .xlsx or PDF.")
    for magic, what in PROGRAMS + OTHER:
        if data.startswith(magic):
            raise refused(name, f"the file is {what}, whatever its name says. Send a {ACCEPTED} file.")
    if _plain_text(data):
        return TEXT
    raise refused(name, f"the file's content is not a {ACCEPTED} file, whatever its name says.")


def _plain_text(data: bytes) -> bool:
    """UTF-8 text without control characters other than tab, line ends and form feed."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text)


def _office(data: bytes, name: str, limits: ZipLimits) -> Kind:
    """A .docx or .xlsx, checked as a questionnaire is: expansion from the central directory first, no macros."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if expansion_problem(infos, limits) is not None:  # before any part is inflated
                total = sum(info.file_size for info in infos)
                raise refused(name, f"the file expands to {total / (1024 * 1024):.0f} MB when unpacked (at most "
                                    f"{limits.expanded_bytes // (1024 * 1024)} MB, each part at most "
                                    f"{limits.part_ratio:.0f} times its packed size): it is not an ordinary "
                                    "document. Save it as PDF and send that.")
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except ActionRefused:
        raise
    except Exception:  # zipfile, zlib and struct errors alike: the archive is damaged
        raise refused(name, "the file is damaged or incomplete (not a readable Word or Excel file). Save it "
                            "again and send it, or send a PDF.") from None
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in content_types:
        raise refused(name, "the file contains macros (.docm, .xlsm); macros are not accepted. Save it as a "
                            "Word document (.docx) or Excel workbook (.xlsx) without macros, or as PDF.")
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    raise refused(name, f"the file is a zip archive, not a Word or Excel file. Send a {ACCEPTED} file.")


def download_name(name: str, kind: Kind) -> str:
    """The shown name with the extension of what the file is (a PDF sent as `cert.docx` downloads as
    `cert.docx.pdf`)."""
    return name if name.lower().endswith(kind.extensions) else name + kind.extensions[0]
