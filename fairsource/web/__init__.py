"""The fairsource web app (`fairsource web`): analysts' pages, the vendor portal, a JSON API."""

from .app import create_app

__all__ = ["create_app"]
