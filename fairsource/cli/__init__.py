"""The `fairsource` command line (Typer), one module per command group; `app` assembles them."""

from .app import app, main

__all__ = ["app", "main"]
