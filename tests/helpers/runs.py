"""Running the lifecycle as a team does, through the command line, with the mail read back from a real SMTP server
(tests/flows/test_notices.py, tests/flows/test_year.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from fairsource.cli import app
from supplier_models.workbooks.examples import write_example
from supplier_models.workbooks.policy_workbook import PROHIBITED_SHEET, write_blank_policy

runner = CliRunner()


def run(*args: str, code: int = 0):
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result


def contact(vendor) -> str:
    return f"ops@{vendor.slug}.example"


def intake(home: Path, vendors, *, as_of: dt.date, change=None) -> dict:
    """Each vendor's contact recorded (a form issued to it), then its example answers taken in (`change` may
    rewrite a returned file first); the intake's JSON outcomes by vendor name."""
    paths = []
    for v in vendors:
        run("form", "--vendor", v.name, "--out", str(home / f"blank-{v.slug}.xlsx"), "--contact", contact(v))
        path = write_example(v, home / "returned")
        paths.append(str(change(v, path) if change else path))
    lines = run("intake", *paths, "--as-of", as_of.isoformat(), "--json").stdout.splitlines()
    return {o["vendor"]: o for o in map(json.loads, lines)}


class Mail:
    def __init__(self, to: list[str], msg) -> None:
        self.to, self.msg = to, msg
        self.text = msg.get_body(("plain",)).get_content()
        self.html = msg.get_body(("html",)).get_content()
        self.attachments = [(a.get_filename(), a.get_content()) for a in msg.iter_attachments()]

    def __repr__(self) -> str:
        return f"Mail({self.to}, {self.msg['Subject']!r})"


def requalify(inbox, as_of: str) -> tuple[dict, dict[str, Mail]]:
    """Run requalify on that day; its summary and the mails it sent, by recipient (one each, asserted)."""
    before = len(inbox.messages)
    summary = json.loads(run("requalify", "--as-of", as_of, "--json").stdout)
    sent = [Mail(to, msg) for to, msg in inbox.messages[before:]]
    recipients = [m.to[0] for m in sent]
    assert all(len(m.to) == 1 for m in sent) and len(set(recipients)) == len(recipients), sent  # one digest each
    assert set(recipients) == {a for r in summary["reminders"] for a in r["to"]}
    for m in sent:
        assert m.msg["Date"] and m.msg["Message-ID"] and m.msg["From"] == "fairsource@localhost"
        assert m.text.strip() and "<html" in m.html
    return summary, {m.to[0]: m for m in sent}


def policy_prohibiting(home: Path, *iso2: str) -> Path:
    path = write_blank_policy(home / f"policy-{'-'.join(iso2)}.xlsx")
    wb = load_workbook(path)
    for row, code in enumerate(iso2, start=2):
        wb[PROHIBITED_SHEET][f"A{row}"], wb[PROHIBITED_SHEET][f"B{row}"] = code, "Sanctions review"
    wb.save(path)
    return path


def country_data_with_war(home: Path, iso2: str, iso3: str, version: str) -> Path:
    """A copy of the shipped country data, under a newer version, with one more country at war."""
    import shutil

    import yaml

    from supplier_models.reference_data import default_folder

    folder = home / f"country-data-{version}"
    shutil.copytree(default_folder(), folder)
    meta = yaml.safe_load((folder / "VERSION.yaml").read_text())
    (folder / "VERSION.yaml").write_text(yaml.safe_dump({**meta, "version": version}))
    wars = (folder / "ucdp_wars_since2014.csv").read_text()
    header = wars.splitlines()[0].split(",")
    row = {k: "" for k in header} | {"iso3": iso3, "iso2": iso2, "ongoing": "1", "start_year": "2027",
                                      "type_of_conflict": "intrastate", "conflict_name": "Test conflict"}
    (folder / "ucdp_wars_since2014.csv").write_text(wars.rstrip("\n") + "\n" + ",".join(row[k] for k in header)
                                                    + "\n")
    return folder
