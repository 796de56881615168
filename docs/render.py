"""Render pictures of what fairsource's users see into docs/images/.

    .venv/bin/python docs/render.py            # writes docs/images/{form,sow-qualified,sow-conditional,report}.png

In a temporary FAIRSOURCE_HOME it writes a blank questionnaire, takes the bundled example vendors through
intake (plain functions, no Prefect), records a reviewer's approval of the conditional vendor (so its SOW is
the final one, not the draft issued while the review was pending), writes the portfolio report, converts the
four documents to PDF with LibreOffice and renders the first page of each to PNG with pdftoppm.

Every date is 2026-11-23 and every generated id comes from a seeded generator, so the pictures come out the
same each time. Needs LibreOffice (`soffice`) and poppler (`pdftoppm`, `pdfinfo`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from supplier_models import FairsourceError  # noqa: E402

DAY = dt.date(2026, 11, 23)
ISSUED_AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
FORM_VENDOR = "Acme Annotation Ltd"
QUALIFIED = "Lumen Data Services GmbH"
CONDITIONAL = "Brightlabel Solutions Inc."
NAMES = ("form", "sow-qualified", "sow-conditional", "report")
SCALE_TO = {"report": 1600}  # pixels on the long side of a picture: the report's full page of 8-point text needs more
DEFAULT_SCALE = 1000
TIMEOUT_SECONDS = 300


class RenderError(FairsourceError):
    """A document could not be rendered to a picture (LibreOffice or poppler missing or failing)."""


class Picture(BaseModel):
    name: str
    source: Path
    pdf: Path
    pages: int
    png: Path


def tools() -> dict[str, str | None]:
    """The programs rendering needs, by name: None for a missing one."""
    from sow_templates.pdf import libreoffice

    return {"soffice": libreoffice(), "pdftoppm": shutil.which("pdftoppm"), "pdfinfo": shutil.which("pdfinfo")}


@contextlib.contextmanager
def _seeded_ids(seed: int = 20261123) -> Iterator[None]:
    """uuid4 from a seeded generator while the documents are made: the same ids, references and file names
    on every run."""
    rng = random.Random(seed)
    with mock.patch.object(uuid, "uuid4", lambda: uuid.UUID(int=rng.getrandbits(128), version=4)):
        yield


def make_documents(work: Path) -> dict[str, Path]:
    """The four documents a user sees, made in `work` (its own FAIRSOURCE_HOME and SQLite store)."""
    from flows import usecases
    from flows.usecases import record_review, write_report
    from supplier_models import Settings, Store, Submission, write_form
    from supplier_models.workbooks.examples import EXAMPLES, write_example

    work = work.resolve()
    home = work / ".fairsource"
    home.mkdir(parents=True, exist_ok=True)
    # Everything that changes a document is given, not read from the environment. The home is relative to
    # `work` (the working directory meanwhile), so the report shows `.fairsource/sows/...`, not a temporary path.
    settings = Settings(home=Path(".fairsource"), database_url=f"sqlite:///{home / 'fairsource.db'}",
                        policy_file=None, country_data=None, organisation="", sow_template=None, review_policy=None,
                        smtp_url=None, _env_file=None)
    docs: dict[str, Path] = {}
    with _seeded_ids(), contextlib.chdir(work):
        docs["form"] = write_form(work / "questionnaire.xlsx", FORM_VENDOR, issued_at=ISSUED_AT,
                                  form_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "fairsource-docs:form")))
        returned = [write_example(v, work / "returned") for v in EXAMPLES]
        store = Store(settings.url)
        try:
            inputs = usecases.load_inputs(settings)
            outcomes = {}
            for read in usecases.read_files([str(p) for p in returned]):
                if not isinstance(read, Submission):
                    raise RenderError(f"an example workbook was rejected: {read.file}: {read.problems[0].message}")
                o = usecases.intake_one(read, store, inputs, DAY, settings.sow_dir, received_on=DAY)
                outcomes[o.vendor] = o
            if outcomes[QUALIFIED].sow is None or outcomes[CONDITIONAL].decision.decision != "conditional":
                raise RenderError("the example vendors no longer decide as the pictures expect")
            docs["sow-qualified"] = work / outcomes[QUALIFIED].sow
            # A conditional decision waits for a person's review; the approval issues the final SOW.
            reviewed = record_review(store, settings, inputs, CONDITIONAL, action="approve",
                                     reason="Remediation plan agreed with the vendor", reviewer="A. Reviewer",
                                     as_of=DAY)
            docs["sow-conditional"] = work / (reviewed.sow or outcomes[CONDITIONAL].sow)
            docs["report"] = Path(write_report(settings, str(work / "portfolio.xlsx"), as_of=DAY))
        finally:
            store.close()
    return docs


def to_pdfs(sources: dict[str, Path], out_dir: Path) -> dict[str, Path]:
    """Every document to PDF in one LibreOffice run (a private profile, so a running LibreOffice is no bother)."""
    exe = tools()["soffice"]
    if exe is None:
        raise RenderError("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    staged = {}
    for name, source in sources.items():  # each under its picture's name, so the PDFs cannot collide
        staged[name] = out_dir / f"{name}{source.suffix}"
        shutil.copyfile(source, staged[name])
    with tempfile.TemporaryDirectory(prefix="fairsource-lo-") as profile:
        done = subprocess.run([exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                               "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, staged.values())],
                              capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    pdfs = {name: out_dir / f"{name}.pdf" for name in sources}
    missing = [str(p) for p in pdfs.values() if not p.is_file()]
    if done.returncode != 0 or missing:
        raise RenderError(f"LibreOffice did not convert {', '.join(missing) or 'the documents'} "
                          f"(exit {done.returncode}): {(done.stderr or done.stdout).strip()}")
    return pdfs


def page_count(pdf: Path) -> int:
    done = subprocess.run([tools()["pdfinfo"] or "pdfinfo", str(pdf)], capture_output=True, text=True,
                          timeout=60, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise RenderError(f"pdfinfo cannot read {pdf}: {done.stderr.strip()}")


def _text_bottom(pdf: Path) -> tuple[float, float, float] | None:
    """(page width, page height, bottom of the lowest text above the footer) of the first page, in points."""
    done = subprocess.run([shutil.which("pdftotext") or "pdftotext", "-f", "1", "-l", "1", "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, timeout=60, check=False)
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', done.stdout)
    if done.returncode != 0 or page is None:
        return None
    width, height = float(page[1]), float(page[2])
    bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', done.stdout)]
    body = [y for y in bottoms if y < height * 0.9]  # the footer ("page 1 of 2") is not content
    return (width, height, max(body)) if body else None


def first_page_png(pdf: Path, png: Path, scale_to: int = DEFAULT_SCALE) -> Path:
    """The first page as a PNG `scale_to` pixels wide (portrait pages: high), cut below its last line of text
    when the page is mostly empty (a short report or form page), so the picture is the part with content."""
    png.parent.mkdir(parents=True, exist_ok=True)
    size = ["-scale-to", str(scale_to)]
    found = _text_bottom(pdf)
    if found is not None:
        width, height, bottom = found
        pixels = scale_to / max(width, height)
        if bottom < height * 0.8:
            size += ["-W", str(round(width * pixels)), "-H", str(round(min(bottom + 30, height) * pixels))]
    done = subprocess.run([tools()["pdftoppm"] or "pdftoppm", "-png", "-f", "1", "-l", "1", *size, "-singlefile",
                           str(pdf), str(png.with_suffix(""))], capture_output=True, text=True, timeout=120,
                          check=False)
    if done.returncode != 0 or not png.is_file():
        raise RenderError(f"pdftoppm could not render {pdf} (exit {done.returncode}): {done.stderr.strip()}")
    return png


def render(images: Path, work: Path | None = None) -> list[Picture]:
    """Make the documents, convert them, and write `images/<name>.png` for each of NAMES. `work` keeps the
    documents and PDFs (a temporary folder, removed afterwards, when not given)."""
    missing = [name for name, path in tools().items() if path is None]
    if missing:
        raise RenderError(f"not installed: {', '.join(missing)} (apt-get install libreoffice-writer-nogui "
                          "libreoffice-calc-nogui poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="fairsource-docs-") as tmp:
        work = work or Path(tmp)
        docs = make_documents(work)
        pdfs = to_pdfs(docs, work / "pdf")
        return [Picture(name=name, source=docs[name], pdf=pdfs[name], pages=page_count(pdfs[name]),
                        png=first_page_png(pdfs[name], images / f"{name}.png",
                                           SCALE_TO.get(name, DEFAULT_SCALE))) for name in NAMES]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="fairsource-docs-prefect-") as prefect_home:
        # Prefect is imported (never run): keep it out of ~/.prefect, offline and quiet.
        os.environ.setdefault("PREFECT_HOME", prefect_home)
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        try:
            pictures = render(Path(__file__).resolve().parent / "images")
        except FairsourceError as exc:
            sys.exit(f"error: {exc}")
    for p in pictures:
        print(f"{p.png.relative_to(ROOT)}: {p.source.name}, {p.pages} page(s), {p.png.stat().st_size // 1024} kB")


if __name__ == "__main__":
    main()
