"""Type values into cells with LibreOffice Calc (UNO) and save as .xlsx; report Calc's view of each
cell's validation (type, error alert style, whether the alert shows).

Not a test module: tests/workbooks/test_form.py runs it with a python that has LibreOffice's `uno` module
(Debian: /usr/bin/python3 with python3-uno), as `python3 calc_type.py JOB.json` where JOB is
{"in", "out", "report", "profile", "sheet", "type": {"E4": "typed text", ...}}.
"""
import contextlib
import json
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def _prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(job_path):
    with open(job_path, encoding="utf-8") as fh:
        job = json.load(fh)
    pipe = "fairsource_" + uuid.uuid4().hex
    office = subprocess.Popen(["soffice", f"-env:UserInstallation={uno.systemPathToFileUrl(job['profile'])}",
                               "--headless", "--norestore", "--nologo", f"--accept=pipe,name={pipe};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext())
        for _ in range(240):  # LibreOffice takes a few seconds to listen on its first start
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if office.poll() is not None:
                    raise SystemExit(f"soffice exited with {office.returncode}") from None
                time.sleep(0.5)
        else:
            raise SystemExit("soffice did not start listening")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(job["in"]), "_blank", 0, (_prop("Hidden", True),))
        report = {}
        try:
            sheet = doc.Sheets.getByName(job["sheet"])
            for ref, text in job["type"].items():
                cell = sheet.getCellRangeByName(ref)
                validation = cell.getPropertyValue("Validation")
                report[ref] = {"type": validation.Type.value, "alert": validation.ErrorAlertStyle.value,
                               "show_error": bool(validation.ShowErrorMessage)}
                cell.setString(text)
            doc.storeToURL(uno.systemPathToFileUrl(job["out"]), (_prop("FilterName", "Calc MS Excel 2007 XML"),))
        finally:
            doc.close(True)
        with open(job["report"], "w", encoding="utf-8") as fh:
            json.dump(report, fh)
        with contextlib.suppress(Exception):  # the bridge drops as the office quits
            desktop.terminate()
        office.wait(timeout=60)
    finally:
        if office.poll() is None:
            office.kill()
            office.wait()


if __name__ == "__main__":
    main(sys.argv[1])
