"""The frameworks (Fairwork's Cloudwork Principles, PAI's steps) evaluated for vendors' latest assessments, for
`fairsource status --json` (its `frameworks` key), the vendor page and the portfolio. Computed from what the
store holds (the answers and the decision's country facts), and the result names the framework version it was
evaluated with. Each assessment's summary (points) is also stored with its vendor's state row, once, for the
dashboard (`with_summaries`). See docs/frameworks.md."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

from scoring import CountryRisk
from scoring.framework_model import Framework, shipped_frameworks
from scoring.frameworks import FrameworkResult, evaluate
from supplier_models import Store
from supplier_models.questionnaire import load as load_questionnaire


def framework_questions(frameworks: tuple[Framework, ...]) -> list[str]:
    """Every question a condition (or its `when`) of these frameworks reads."""
    found: dict[str, None] = {}
    for f in frameworks:
        for item in f.items:
            for cond in item.conditions:
                for test in (cond.when, cond):
                    if test is not None and test.question:
                        found[test.question] = None
    return list(found)


def framework_results(store: Store, vendor_id: str | list[str] | None = None,
                      ) -> Iterator[tuple[str, list[FrameworkResult]]]:
    """(vendor id, each shipped framework's result) for every assessed vendor (or these), in vendor-name order."""
    frameworks = shipped_frameworks()
    with closing(store.views.framework_inputs(vendor_id, questions=framework_questions(frameworks))) as rows:
        for vid, qid, version, answers, countries in rows:
            questionnaire = load_questionnaire(qid, version)
            facts = [CountryRisk.model_validate(c) for c in countries]
            yield vid, [evaluate(f, answers, questionnaire, facts) for f in frameworks]


def framework_summary(result: FrameworkResult) -> dict[str, Any]:
    """What `status --json` prints of one framework's result (keys may be added, never removed)."""
    return {"framework": result.framework, "version": result.version, "questionnaire": result.questionnaire,
            "points": result.points, "max_points": result.max_points, "possible_points": result.possible_points,
            "groups": result.groups, "items": {i.id: i.status for i in result.items},
            "not_answerable_needs": sorted({q for i in result.items for q in i.needs})}


def summaries_by_vendor(store: Store, vendor_id: str | list[str] | None = None,
                        ) -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    """(vendor id, {framework id: summary}) for every assessed vendor (or these), in vendor-name order."""
    with closing(framework_results(store, vendor_id)) as found:
        for vid, results in found:
            yield vid, {r.framework: framework_summary(r) for r in results}


def ahead_of(stream: Iterator[tuple[str, dict[str, Any]]]) -> Callable[[str], dict[str, Any]]:
    """A look-up of a vendor-ordered stream for callers walking another vendor-ordered stream: a vendor's value
    is read ahead for until found ({} when the stream has none), and forgotten once given."""
    ahead: dict[str, dict[str, Any]] = {}

    def value(vendor_id: str) -> dict[str, Any]:
        while vendor_id not in ahead:
            found = next(stream, None)
            if found is None:
                return {}
            ahead[found[0]] = found[1]
        return ahead.pop(vendor_id)

    return value


FAIRWORK = "fairwork-cloudwork-2024"
"""The framework whose points the vendors' state rows hold, for the dashboard's distribution and the list filter."""


def with_summaries(store: Store, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """These state rows with their Fairwork points (`fairwork_points`), from the stored summary of the assessment
    each rests on; an assessment without one (just stored, or stored before summaries were) is evaluated here and
    its summary added to the row (`frameworks`), for the store to write with it, once."""
    stored = store.states.framework_summaries([r["assessment_id"] for r in rows])
    missing = [r["vendor_id"] for r in rows if r["assessment_id"] not in stored]
    evaluated = dict(framework_results(store, missing)) if missing else {}
    for row in rows:
        summaries = stored.get(row["assessment_id"])
        if summaries is None:
            results = evaluated.get(row["vendor_id"], [])
            row["frameworks"] = [{"assessment_id": row["assessment_id"], "framework": r.framework,
                                  "version": r.version, "points": r.points, "possible_points": r.possible_points,
                                  "max_points": r.max_points} for r in results]
            summaries = {f["framework"]: f for f in row["frameworks"]}
        fairwork = summaries.get(FAIRWORK)
        row["fairwork_points"] = fairwork["points"] if fairwork else None
    return rows
