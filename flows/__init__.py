"""Prefect flows and the `fairsource` command line: orchestration only."""
