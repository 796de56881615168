"""Evidence files for the tests, made in memory: good ones of each accepted kind, and hostile ones (a renamed
program, a zip bomb dressed as .docx, a macro document, a file over 20 MB)."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
TEXT = b"Pay calendar 2026: paid on the 1st and 15th of each month. Signed, Operations.\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
MB = 1024 * 1024


def docx(text: str = "Consent form, signed") -> bytes:
    from docx import Document

    out = io.BytesIO()
    document = Document()
    document.add_paragraph(text)
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "Pay calendar"
    book.save(out)
    return out.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb_docx() -> bytes:
    """A .docx whose one part expands from some KB to 60 MB of zeros."""
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>",
                 "word/media/filler.bin": b"\x00" * (60 * MB)})


def docm() -> bytes:
    """A Word document with macros (what Word saves as .docm)."""
    types = b'<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
    return _zip({"[Content_Types].xml": types, "word/document.xml": b"<w:document/>",
                 "word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})


def too_large() -> bytes:
    """21 MB of a PDF."""
    return PDF + b"0" * (21 * MB)
