"""`python -m fairsource.cli`: the `fairsource` command."""

from .app import main

main()
