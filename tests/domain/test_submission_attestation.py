"""A submission carries its attestation (who attested the answers, their title, the date) through the JSON the store
keeps; a submission stored before forms carried one reads back with none."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from supplier_models.submission import Attestation, Submission

BASE = {
    "questionnaire_id": "RDE-1", "questionnaire_version": "1.0.0", "vendor_name": "Acme Annotation Ltd",
    "sha256": "0" * 64, "answers": {"WORK-04": "40", "DATA-02": "2027-03-31", "COMP-01": "Acme"}, "countries": [],
}


def test_the_attestation_survives_the_json_the_store_keeps():
    attestation = Attestation(name="Anna Weber", title="Managing Director", date=dt.date(2026, 11, 16))
    submission = Submission.model_validate({**BASE, "attestation": attestation})
    data = submission.model_dump(mode="json")
    assert data["attestation"] == {"name": "Anna Weber", "title": "Managing Director", "date": "2026-11-16"}
    again = Submission.model_validate(data)
    assert again.attestation == attestation and again == submission


def test_a_submission_stored_before_attestations_has_none():
    submission = Submission.model_validate(BASE)
    assert submission.attestation is None
    assert Submission.model_validate(submission.model_dump(mode="json")).attestation is None


def test_an_attestation_needs_a_real_date():
    with pytest.raises(ValidationError):
        Attestation(name="A", title="B", date="next week")
