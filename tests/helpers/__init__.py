"""Helpers shared by the tests, in one place: `from tests.helpers.web import ...`."""
