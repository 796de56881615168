"""YAML reading for the shipped and the organisation's definition files (questionnaires, rubrics, policies,
clauses): LibYAML's parser when PyYAML has it (ten times faster than the pure-Python one, which made loading
the rubric and questionnaire most of an intake's own work), the same safe constructor either way."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """`yaml.safe_load`, faster: the same documents give the same values; errors are `yaml.YAMLError`."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
