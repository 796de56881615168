"""Streams over every vendor's latest assessment, each joined to what one screen needs and streamed in vendor-name
order: the inputs of its status, its portfolio line, where its workers are. Speed: the database extracts the few
parts of each ~30 kB decision and submission a screen shows, so Python neither parses the whole of them nor builds
an ORM object per vendor (bench/requalify.py)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import select

from .assessments import latest_assessment_ids
from .engine import Repository, only
from .rows import PortfolioAssessment, PortfolioEntry, StatusInputs, VendorGeography, VendorName, VendorPlaces
from .tables import AssessmentRecord, ReattestationRecord, SubmissionRecord, Vendor

_STATUS_FIELDS = len(StatusInputs._fields) - 1  # all but the answers


class Views(Repository):
    def status_inputs(self, vendor_id: str | list[str] | None = None, *, questions: list[str] = (),
                      batch: int = 2000) -> Iterator[StatusInputs]:
        """Each vendor's latest assessment with what its status depends on: its decision and validity, the answers
        to `questions` (what the review policy reads), the submission's received date, and whether a fresh
        attestation was asked for. Vendors without an assessment are left out."""
        a, sub = AssessmentRecord, SubmissionRecord
        questions = list(dict.fromkeys(questions))
        query = (select(Vendor.id, Vendor.name, Vendor.contact_email, a.id, a.submission_id, a.decision, a.valid_until,
                        a.assessed_on, a.reason, sub.received_at, ReattestationRecord.requested_on,
                        ReattestationRecord.form_path, *[sub.data["answers"][q] for q in questions])
                 .join(a, a.vendor_id == Vendor.id)
                 .join(sub, sub.id == a.submission_id)
                 .outerjoin(ReattestationRecord, ReattestationRecord.submission_id == a.submission_id)
                 .where(a.id.in_(latest_assessment_ids(vendor_id))).order_by(Vendor.name)
                 .execution_options(yield_per=batch))
        query = only(query, Vendor.id, vendor_id)
        with self.connect() as conn:
            for row in conn.execute(query):
                yield StatusInputs(*row[:_STATUS_FIELDS],
                                   answers=dict(zip(questions, row[_STATUS_FIELDS:], strict=True)))

    def portfolio(self, batch: int = 1000, vendor_ids: list[str] | None = None) -> Iterator[PortfolioEntry]:
        """Every vendor (or these vendors) with its latest assessment: only the columns the portfolio shows and, of
        each assessment's `data`, only its principles, geo score, flags, knockouts and remediations."""
        a, d = AssessmentRecord, AssessmentRecord.data
        query = (select(Vendor.id, Vendor.name, a.id, a.decision, a.score, a.geo_band, a.valid_until, a.assessed_on,
                        a.rubric_version, a.country_data_version, d["principles"], d["geo"]["score"], d["flags"],
                        d["knockouts"], d["remediations"])
                 .join(a, a.vendor_id == Vendor.id)
                 .where(a.id.in_(latest_assessment_ids(vendor_ids))).order_by(Vendor.name)
                 .execution_options(yield_per=batch))
        query = only(query, Vendor.id, vendor_ids)
        with self.connect() as conn:
            for (vid, name, aid, decision, score, geo_band, valid_until, assessed_on, rubric, country_data,
                 principles, geo_score, flags, knockouts, remediations) in conn.execute(query):
                data = {"principles": principles or {}, "geo": {"score": geo_score or 0}, "flags": flags or [],
                        "knockouts": knockouts or [], "remediations": remediations or []}
                yield PortfolioEntry(VendorName(vid, name),
                                     PortfolioAssessment(aid, decision, score, geo_band, valid_until, assessed_on,
                                                         rubric, country_data, data))

    def geography(self, batch: int = 2000, vendor_ids: list[str] | None = None) -> Iterator[VendorGeography]:
        """Where each assessed vendor's workers are (or these vendors'), by its latest assessment: its band, the
        decision's countries, the workers per country from the submission that assessment rests on, and its services
        (COMP-03)."""
        a, sub = AssessmentRecord, SubmissionRecord
        query = (select(Vendor.id, Vendor.name, a.geo_band, a.data["geo"]["countries"], sub.data["countries"],
                        sub.data["answers"]["COMP-03"])
                 .join(a, a.vendor_id == Vendor.id)
                 .join(sub, sub.id == a.submission_id)
                 .where(a.id.in_(latest_assessment_ids(vendor_ids))).order_by(Vendor.name)
                 .execution_options(yield_per=batch))
        query = only(query, Vendor.id, vendor_ids)
        keep = ("iso2", "name", "share", "score", "band", "flags")
        with self.connect() as conn:
            for vid, name, geo_band, countries, rows, services in conn.execute(query):
                workers: dict[str, int] = {}
                for r in rows or []:
                    workers[r["iso2"]] = workers.get(r["iso2"], 0) + int(r.get("workers") or 0)
                yield VendorGeography(vid, name, geo_band, [{k: c.get(k) for k in keep} for c in countries or []],
                                      workers,
                                      _services(services))

    def countries(self, vendor_ids: list[str] | None = None, batch: int = 2000) -> dict[str, VendorPlaces]:
        """vendor id -> its geographic band, the ISO codes of the countries where its workers are, the services it
        offers, and each country with its name, band and workers: by its latest assessment and the submission it
        rests on."""
        a, sub = AssessmentRecord, SubmissionRecord
        query = only(select(a.vendor_id, a.geo_band, a.data["geo"]["countries"], sub.data["answers"]["COMP-03"],
                            sub.data["countries"])
                     .join(sub, sub.id == a.submission_id)
                     .where(a.id.in_(latest_assessment_ids(vendor_ids))), a.vendor_id, vendor_ids)
        found = {}
        with self.connect() as conn:
            for vid, band, countries, services, rows in conn.execute(query.execution_options(yield_per=batch)):
                workers: dict[str, int] = {}
                for r in rows or []:
                    workers[r["iso2"]] = workers.get(r["iso2"], 0) + int(r.get("workers") or 0)
                places = [{"iso2": c["iso2"], "name": c.get("name") or c["iso2"], "band": c.get("band") or "",
                           "workers": workers.get(c["iso2"], 0)} for c in countries or [] if c.get("iso2")]
                found[vid] = VendorPlaces(band, [p["iso2"] for p in places], _services(services), places)
        return found

    def framework_inputs(self, vendor_id: str | list[str] | None = None, *, questions: list[str] = (),
                         batch: int = 2000) -> Iterator[tuple[str, str, str, dict, list]]:
        """What a framework is evaluated on, per vendor by its latest assessment, in vendor-name order: (vendor id,
        questionnaire id, questionnaire version, the answers to `questions`, the decision's countries)."""
        a, sub = AssessmentRecord, SubmissionRecord
        questions = list(dict.fromkeys(questions))
        query = only(select(Vendor.id, sub.questionnaire_id, sub.questionnaire_version, a.data["geo"]["countries"],
                            *[sub.data["answers"][q] for q in questions])
                     .join(a, a.vendor_id == Vendor.id)
                     .join(sub, sub.id == a.submission_id)
                     .where(a.id.in_(latest_assessment_ids(vendor_id))).order_by(Vendor.name, Vendor.id)
                     .execution_options(yield_per=batch), Vendor.id, vendor_id)
        with self.connect() as conn:
            for vid, qid, version, countries, *answers in conn.execute(query):
                yield vid, qid, version, dict(zip(questions, answers, strict=True)), countries or []


def _services(answer) -> list[str]:
    return answer if isinstance(answer, list) else [answer] if answer else []
