"""Reading a saved workbook's parts as the file holds them (what Excel reads), beside openpyxl's view of them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path


def sheet_xml(path: Path, name: str) -> str:
    """The XML of the sheet called `name` in the workbook at `path`."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet [^>]*name="{name}"[^>]*r:id="([^"]+)"', book).group(1)
        target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="/?(?:xl/)?([^"]+)"', rels)
        if target is None:  # attribute order differs between writers
            target = re.search(rf'<Relationship [^>]*Target="/?(?:xl/)?([^"]+)"[^>]*Id="{rid}"', rels)
        return archive.read("xl/" + target.group(1)).decode()
