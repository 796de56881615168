"""Workbooks that expand into far more XML than a questionnaire: refused from the zip's central directory, before a
part is inflated, in well under a second, naming the part, storing nothing (the reader, `fairsource check`)."""

from __future__ import annotations

import io
import struct
import time
import zipfile

import pytest
from typer.testing import CliRunner

from fairsource.cli import app as cli
from supplier_models.errors import WorkbookRejected
from supplier_models.workbooks.container import ZipLimits
from supplier_models.workbooks.reader import read_workbook
from tests.helpers.broken_workbooks import only, rejected, write_bytes

SHEET = "xl/worksheets/sheet2.xml"  # the Questionnaire sheet of the base workbook
ROW = b'<row><c t="inlineStr"><is><t>padding padding padding</t></is></c></row>'
MB = 1024 * 1024


def bomb(base: bytes, mb: int, part: str = SHEET) -> bytes:
    """The base workbook with `part` replaced by `mb` MB of one row repeated: a sheet that compresses very well."""
    chunk = ROW * (MB // len(ROW))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name != part:
                dst.writestr(name, src.read(name))
        with dst.open(part, "w") as member:
            member.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                         b'2006/main"><sheetData>')
            for _ in range(mb):
                member.write(chunk)
            member.write(b"</sheetData></worksheet>")
    return out.getvalue()


@pytest.fixture(scope="module")
def big_bomb(base_bytes) -> bytes:
    """As the issue found it: under 1 MB on disk, 190 MB of sheet XML (accepted after 14 s of CPU before)."""
    data = bomb(base_bytes, 190)
    assert len(data) < MB
    return data


def timed_rejection(data: bytes, **kwargs) -> tuple[float, list]:
    start = time.perf_counter()
    with pytest.raises(WorkbookRejected) as caught:
        read_workbook("bomb.xlsx", data=data, **kwargs)
    return time.perf_counter() - start, caught.value.problems


def test_a_workbook_of_190_mb_of_xml_is_refused_at_once_naming_the_part(big_bomb, tmp_path, rejecting_store):
    seconds, problems = timed_rejection(big_bomb)
    assert seconds < 1.0
    found = only(problems, None, None, "The workbook expands to more than 25 MB (190 MB; its part "
                                       f"{SHEET} alone is 190 MB); it is not a questionnaire.")
    assert found.cell is None  # the file itself, as every container problem
    only(rejected(write_bytes(tmp_path, big_bomb), rejecting_store), None, None, found.message)  # stores nothing


def test_a_part_that_expands_hundreds_of_times_is_refused_under_the_total_limit(base_bytes):
    seconds, problems = timed_rejection(bomb(base_bytes, 8))
    assert seconds < 1.0
    found = only(problems, None, None, f"The workbook's part {SHEET} expands ")
    assert "MB" in found.message and "at most 100 times" in found.message


def test_the_limits_are_settings(base_bytes, monkeypatch):
    read_workbook("ok.xlsx", data=base_bytes)  # a real questionnaire is far below both
    monkeypatch.setenv("FAIRSOURCE_WORKBOOK_MAX_EXPANDED_MB", "0.05")
    with pytest.raises(WorkbookRejected, match="expands to more than 51 KB"):
        read_workbook("ok.xlsx", data=base_bytes)
    monkeypatch.delenv("FAIRSOURCE_WORKBOOK_MAX_EXPANDED_MB")
    data = bomb(base_bytes, 8)
    monkeypatch.setenv("FAIRSOURCE_WORKBOOK_MAX_PART_RATIO", "1000")
    assert ZipLimits.from_settings().part_ratio == 1000
    with pytest.raises(WorkbookRejected, match="Column A must be headed"):  # let through, then read
        read_workbook("big.xlsx", data=data)
    with pytest.raises(WorkbookRejected, match="expands 8|expands [0-9]+ times"):  # given limits win
        read_workbook("big.xlsx", data=data, limits=ZipLimits())


def test_a_central_directory_that_understates_a_part_gets_no_further_than_the_size_it_states(base_bytes):
    """The check trusts the declared sizes; zipfile (and so openpyxl) inflates no part past its declared size, so a
    part that holds more is refused as damaged, quickly, not read whole."""
    data = bytearray(bomb(base_bytes, 40))
    name = SHEET.encode()
    for signature, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # central and local headers
        at = data.find(signature)
        while at != -1:
            name_at = at + (46 if signature == b"PK\x01\x02" else 30)
            if data[name_at:name_at + len(name)] == name:
                data[at + size_at:at + size_at + 4] = struct.pack("<I", 200_000)
            at = data.find(signature, at + 4)
    start = time.perf_counter()
    with pytest.raises(WorkbookRejected) as caught:
        read_workbook("liar.xlsx", data=bytes(data))
    assert time.perf_counter() - start < 2.0
    assert "damaged" in caught.value.problems[0].message or "cannot be read" in caught.value.problems[0].message


def test_fairsource_check_refuses_it_with_the_same_message(big_bomb, isolated_home):
    path = isolated_home / "bomb.xlsx"
    path.write_bytes(big_bomb)
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["check", str(path), "--json"])
    assert time.perf_counter() - start < 5.0  # the command's imports included
    assert result.exit_code == 2
    assert f"its part {SHEET} alone is 190 MB" in result.stdout
