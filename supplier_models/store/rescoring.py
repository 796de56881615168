"""The queries of a requalification: which vendors' latest assessments used other rubric, policy or country-data
versions, what a batch of them needs to be rescored, and what their rescoring stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

from sqlalchemy import exists, func
from sqlmodel import select

from .assessments import latest_assessment_ids
from .engine import Repository
from .rows import RequalificationCandidate, RescoreInput, Rescoring
from .tables import AssessmentRecord, SowRecord, SubmissionRecord, Vendor


class Rescorings(Repository):
    def candidates(self, *, rubric_versions: Collection[str], country_data_version: str, policy_version: str | None,
                   batch: int = 5000, vendor_ids: list[str] | None = None) -> Iterator[RequalificationCandidate]:
        """Each vendor's latest assessment made with a rubric not among `rubric_versions` (the current one of each
        questionnaire), another country-data or policy version, streamed (of these vendors only, when given: their
        latest assessments found by the indexed vendor id)."""
        a = AssessmentRecord
        rubric_versions = tuple(rubric_versions)
        rubric_changed = a.rubric_version.not_in(rubric_versions)
        policy_changed = func.coalesce(a.policy_version, "") != (policy_version or "")
        data_changed = a.country_data_version != country_data_version
        with self.session() as s:
            query = (select(a.id, a.rubric_version, a.policy_version, a.country_data_version,
                            a.data["country_fingerprints"])
                     .where(a.id.in_(latest_assessment_ids(vendor_ids)))
                     .where(rubric_changed | policy_changed | data_changed)
                     .order_by(a.vendor_id)
                     .execution_options(yield_per=batch))
            for aid, rubric, policy, data_version, fingerprints in s.exec(query):
                yield RequalificationCandidate(aid, rubric not in rubric_versions,
                                               (policy or "") != (policy_version or ""),
                                               data_version != country_data_version, fingerprints or {})

    def batch(self, ids: list[str]) -> list[RescoreInput]:
        """What rescoring these latest-assessment ids needs, in one query of plain rows (no ORM objects to build,
        no parsing of the whole ~30 kB previous decision: of it only what `sow_needs_reissue` compares, its geo
        countries' pay floors)."""
        later = AssessmentRecord.__table__.alias("later")
        query = (select(AssessmentRecord.id, AssessmentRecord.vendor_id, AssessmentRecord.submission_id,
                        AssessmentRecord.decision, AssessmentRecord.data["geo"]["countries"], SubmissionRecord.data,
                        Vendor.name, SubmissionRecord.received_at, AssessmentRecord.valid_until)
                 .join(SubmissionRecord, SubmissionRecord.id == AssessmentRecord.submission_id)
                 .join(Vendor, Vendor.id == AssessmentRecord.vendor_id)
                 .where(AssessmentRecord.id.in_(ids))
                 # Still the vendor's latest: a batch given twice (a retried or duplicated shard) rescores nothing twice.
                 # NOT EXISTS, an anti-join on the unique supersedes index; NOT IN (SELECT supersedes ...) made
                 # PostgreSQL hash every superseded id, or rescan them for each row once they outgrow work_mem.
                 .where(~exists().where(later.c.supersedes == AssessmentRecord.id)))
        with self.connect() as conn:
            return [RescoreInput(aid, vid, sid, decision, {"decision": decision, "geo": {"countries": countries or []}},
                                 sub, name, received, valid_until)
                    for aid, vid, sid, decision, countries, sub, name, received, valid_until in conn.execute(query)]

    def versions(self, column: str) -> tuple[dict[str | None, int], dict[str | None, dt.datetime]]:
        """For one of `rubric_version`, `country_data_version`, `policy_version`: how many vendors' latest
        assessments used each version, and when each version was first used by any assessment."""
        a = AssessmentRecord
        version = getattr(a, column)
        with self.connect() as conn:
            in_use = dict(conn.execute(select(version, func.count()).where(a.id.in_(latest_assessment_ids()))
                                       .group_by(version)).all())
            first_used = dict(conn.execute(select(version, func.min(a.created_at)).group_by(version)).all())
        return in_use, first_used

    def results(self, superseded_ids: list[str], chunk: int = 1000) -> list[Rescoring]:
        """The assessments that rescored these, in vendor-name order."""
        new, old = AssessmentRecord.__table__.alias("new"), AssessmentRecord.__table__.alias("old")
        out = []
        with self.connect() as conn:
            for start in range(0, len(superseded_ids), chunk):
                query = (select(new.c.id, new.c.vendor_id, Vendor.name, old.c.decision, new.c.decision, new.c.score,
                                new.c.valid_until, SowRecord.path)
                         .join(old, old.c.id == new.c.supersedes)
                         .join(Vendor, Vendor.id == new.c.vendor_id)
                         .outerjoin(SowRecord, SowRecord.assessment_id == new.c.id)
                         .where(new.c.supersedes.in_(superseded_ids[start:start + chunk])))
                out += [Rescoring(*row) for row in conn.execute(query)]
        return sorted(out, key=lambda row: row.vendor)
