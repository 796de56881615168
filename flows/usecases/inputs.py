"""What a decision depends on besides the answers (country data, policy, rubrics, review policy), loaded once per
run, and the decision made with them."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from scoring import Decision, assess, load_geo_model, load_rubric
from scoring.framework_model import shipped_frameworks
from scoring.lifecycle import ReviewPolicy, load_review_policy
from scoring.rubric import GeoModel, Rubric, rubric_dir
from supplier_models import Settings, Submission
from supplier_models.policy import OrgPolicy
from supplier_models.questionnaire import available as available_questionnaires
from supplier_models.reference_data import CountryReference, load_country_reference
from supplier_models.workbooks.policy_workbook import read_policy


class ScoringInputs(BaseModel):
    """Everything a decision depends on besides the answers: loaded once per run."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)
    reference: CountryReference
    policy: OrgPolicy
    geo_model: GeoModel
    rubrics: dict[str, Rubric]
    organisation: str
    template: Path | None
    review_policy: ReviewPolicy
    rescore_notice_days: int = 30

    def rubric_for(self, questionnaire_id: str) -> Rubric:
        if questionnaire_id not in self.rubrics:
            self.rubrics[questionnaire_id] = load_rubric(questionnaire=questionnaire_id)
        return self.rubrics[questionnaire_id]

    @property
    def rubric_keys(self) -> tuple[str, ...]:
        """The current rubric of every questionnaire: an assessment made with another is due for rescoring (by
        the rubric of the questionnaire it answered; an RDE-1 vendor stays on RDE-1 until it re-attests)."""
        return tuple(self.rubric_for(qid).key for qid in shipped_questionnaire_ids())

    @property
    def newest_rubric(self) -> Rubric:
        """The rubric of the newest questionnaire (RDE-2's): it holds every entry of the earlier ones unchanged
        (tests/domain/test_questionnaire_rde2.py), so a remediation's words are found in it whichever was answered."""
        return self.rubric_for(shipped_questionnaire_ids()[-1])

    @property
    def country_data_version(self) -> str:
        return self.reference.version


def shipped_questionnaire_ids() -> list[str]:
    """The questionnaires fairsource ships a rubric for (RDE-1, RDE-2), in order."""
    return sorted({q.id for q in available_questionnaires()} & _shipped_rubric_names())


@cache
def _shipped_rubric_names() -> frozenset[str]:
    """The files of the package's rubric folder, without `.yaml`: read once (`rubric_keys` asks on every page of a
    run's walk over the vendors)."""
    return frozenset(path.stem for path in rubric_dir().glob("*.yaml"))


def input_versions(inputs: ScoringInputs) -> dict[str, str | None]:
    """The versions of what a decision depends on besides the answers: the same on every worker of a run."""
    return {"rubric": "; ".join(inputs.rubric_keys), "country_data": inputs.country_data_version,
            "policy": inputs.policy.version, "review_policy": inputs.review_policy.key}


def load_inputs(settings: Settings) -> ScoringInputs:
    known = {f.id: [item.id for item in f.items] for f in shipped_frameworks()}
    policy = read_policy(settings.policy_file, frameworks=known) if settings.policy_file else OrgPolicy()
    return ScoringInputs(
        reference=load_country_reference(settings.country_data),
        policy=policy,
        geo_model=load_geo_model(),
        rubrics={qid: load_rubric(questionnaire=qid) for qid in shipped_questionnaire_ids()},
        organisation=settings.organisation or "The Client",
        template=settings.sow_template,
        review_policy=load_review_policy(settings.review_policy),
        rescore_notice_days=settings.rescore_notice_days,
    )


def decide(submission: Submission, inputs: ScoringInputs, as_of: dt.date) -> Decision:
    return assess(submission, reference=inputs.reference, policy=inputs.policy,
                  rubric=inputs.rubric_for(submission.questionnaire_id), geo_model=inputs.geo_model, as_of=as_of)


def needs_review(submission: Submission | dict, decision: str, inputs: ScoringInputs) -> list[str]:
    """Why the review policy wants a person to review this decision (empty: it does not)."""
    answers = submission.answers if isinstance(submission, Submission) else submission.get("answers", {})
    return inputs.review_policy.required(decision, answers)
