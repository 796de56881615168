"""The requalification reads the vendors due a page at a time and builds the notices a chunk of vendors at a time
(bench/requalify.py: 100,000 vendors in flat memory). Pages and chunks smaller than the vendors give what one
read gives."""

from __future__ import annotations

import datetime as dt

import pytest

from supplier_models import Store, get_settings
from supplier_models.workbooks.examples import EXAMPLES, write_example
from tests.helpers.runs import policy_prohibiting
from tests.helpers.runs import run as _run

pytestmark = pytest.mark.usefixtures("prefect_engine")
TODAY = dt.date(2026, 11, 23)


def _intake_every_example(home) -> None:
    paths = [str(write_example(v, home / "returned")) for v in EXAMPLES]
    _run("intake", *paths, "--as-of", TODAY.isoformat())


def test_the_vendors_due_read_two_at_a_time_are_rescored_as_one_read_finds_them(isolated_home, monkeypatch,
                                                                                 database_url):
    from flows import usecases
    from flows.requalify import requalify
    from flows.usecases import rescore

    _intake_every_example(isolated_home)
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(policy_prohibiting(isolated_home, "UA")))  # all due
    monkeypatch.setenv("FAIRSOURCE_REQUALIFY_READ_SIZE", "2")
    store = Store(database_url)
    settings = get_settings()
    inputs = usecases.load_inputs(settings)
    expected = usecases.select_changed(store, inputs)  # one read
    assert len(expected) == len(EXAMPLES)
    pages = []
    real_page = rescore.due_page

    def counted(*args, **kwargs):
        pages.append(found := real_page(*args, **kwargs))
        return found

    monkeypatch.setattr(rescore, "due_page", counted)
    results, *_ = requalify(as_of=TODAY + dt.timedelta(days=1), batch_size=4)  # shards across pages
    assert [len(p.ids) for p in pages] == [2, 2, 2, 0] and pages[-1].after is None  # the last page: empty
    assert len(results) == len(EXAMPLES) and sorted(r.vendor for r in results) == sorted(v.name for v in EXAMPLES)
    with store.session() as s:
        from sqlmodel import select

        from supplier_models.store.tables import AssessmentRecord

        rescored = [a for a in s.exec(select(AssessmentRecord)) if a.reason == "data_change"]
    assert sorted(a.supersedes for a in rescored) == sorted(expected)  # each due vendor once, none left out
    assert {a.id for a in rescored} == {r.assessment_id for r in results}
    assert {r.vendor: r.decision for r in results}["Frontier Language Services LLC"] == "not_qualified"  # Ukraine prohibited
    again, *_ = requalify(as_of=TODAY + dt.timedelta(days=1), batch_size=4)
    assert again == [] and len(again) == 0


def test_notices_built_two_vendors_at_a_time_are_those_of_one_chunk(isolated_home, monkeypatch, database_url):
    from flows import usecases
    from flows.usecases import vendor_state

    _intake_every_example(isolated_home)
    store, settings = Store(database_url), get_settings()
    inputs = usecases.load_inputs(settings)
    day = TODAY + dt.timedelta(days=170)  # expiry reminders, reviews waiting, decisions to tell

    def said(notices) -> list[tuple]:
        return [(n.vendor, n.kind, n.subject_id, n.subject, tuple(n.to), n.text, n.shown, n.attachment)
                for n in notices]

    whole = said(usecases.due_notices(store, settings, inputs, day))
    monkeypatch.setattr(vendor_state, "CHUNK", 2)
    chunked = said(usecases.due_notices(store, settings, inputs, day))
    assert len({n[0] for n in whole}) > 2 and chunked == whole


def test_decisions_to_tell_read_two_vendors_at_a_time_are_those_of_one_read(isolated_home, monkeypatch, database_url):
    """The decision events (a review's outcome, a decision changed) are read for each chunk's vendors alone: the
    notices that tell them are those one read of every vendor's events gives."""
    from flows import usecases
    from flows.usecases import vendor_state

    _intake_every_example(isolated_home)
    _run("review", EXAMPLES[1].name, "--decision", "approve", "--reason", "Pay plan seen", "--reviewer", "Ana Lima")
    store, settings = Store(database_url), get_settings()
    inputs = usecases.load_inputs(settings)
    day = TODAY + dt.timedelta(days=1)

    def said(notices) -> list[tuple]:
        return [(n.vendor, n.kind, n.subject_id, n.subject, tuple(n.to), n.text) for n in notices]

    whole = said(usecases.due_notices(store, settings, inputs, day))
    monkeypatch.setattr(vendor_state, "CHUNK", 2)
    chunked = said(usecases.due_notices(store, settings, inputs, day))
    assert ("review_outcome", EXAMPLES[1].name) in {(n[1], n[0]) for n in whole}
    assert len({n[0] for n in whole}) > 2 and chunked == whole
