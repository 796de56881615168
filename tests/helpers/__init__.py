"""Helpers shared by the tests: one place, imported as `helpers.<module>` (tests/ is on the test path)."""
