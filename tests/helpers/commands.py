"""Running `fairsource` in a fresh process that reports what it loaded (the start-up tests of the CLI and of the
hand-off)."""

NO_PREFECT = """
import sys
from fairsource.cli import app
try:
    app(sys.argv[1:])
except SystemExit as exc:
    code = exc.code or 0
loaded = sorted(m for m in sys.modules if m == "prefect" or m.startswith("prefect."))
print("PREFECT-MODULES", len(loaded), "EXIT", code)
print("LOADED", " ".join(sorted({m.split(".")[0] for m in sys.modules})))
"""
