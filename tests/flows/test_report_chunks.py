"""Every vendor's status and the portfolio workbook are read a chunk of vendors at a time (so memory stays flat at
100,000 vendors): over more vendors than one chunk they say exactly what one read of every vendor says, in
vendor-name order across the chunks' boundaries."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from flows import usecases
from flows.usecases.status import vendor_pages
from flows.usecases.vendor_state import open_store
from scoring.lifecycle import load_review_policy
from supplier_models import Settings, read_workbook
from supplier_models.workbooks.examples import EXAMPLES, write_example

DAY = dt.date(2026, 11, 23)
ONE_READ = 10_000  # more than the vendors here: every vendor in one chunk, as before the chunks


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    """Twelve assessed vendors (the six examples twice, so every decision and status is there), one of them
    reviewed, and two vendors with a contact but no submission yet (in the chunks, without a status)."""
    settings = Settings(home=tmp_path / "home", database_url=database_url, policy_file=None, country_data=None,
                        organisation="", sow_template=None, review_policy=None, smtp_url=None, _env_file=None)
    store = open_store(settings)
    inputs = usecases.load_inputs(settings)
    for copy in ("", " II"):
        for v in EXAMPLES:
            named = v.model_copy(update={"name": v.name + copy, "answers": {**v.answers, "COMP-01": v.name + copy}})
            path = write_example(named, tmp_path / f"returned{copy.strip()}")
            usecases.intake_one(read_workbook(path), store, inputs, DAY, settings.sow_dir, received_on=DAY)
    for name in ("Aardvark Not Yet Ltd", "Zulu Not Yet Ltd"):
        store.vendors.set_contact(name, "contact@example.org")
    policy = load_review_policy(None)
    waiting = [s for s in usecases.statuses(store, policy, DAY) if s.review_pending]
    assert waiting, "the examples hold a decision waiting for review"
    usecases.record_review(store, settings, inputs, waiting[-1].vendor, action="approve",
                           reason="evidence checked", reviewer="A. Reviewer", as_of=DAY)
    return settings


def test_statuses_read_in_chunks_are_those_of_one_read_in_vendor_name_order(settings):
    store = open_store(settings)
    policy = load_review_policy(None)
    whole = list(usecases.statuses(store, policy, DAY, chunk=ONE_READ))
    assessed = {s.vendor for s in whole}
    assert len(whole) == 12 and any(s.last_review for s in whole) and any(s.open_remediations for s in whole)
    assert any(s.sow for s in whole)
    for chunk in (1, 2, 5):
        chunked = list(usecases.statuses(store, policy, DAY, chunk=chunk))
        assert len(list(vendor_pages(store, chunk))) > 2  # boundaries crossed
        assert [s.model_dump() for s in chunked] == [s.model_dump() for s in whole], chunk
        # the order is the store's vendor-name order (as its lists sort), the unassessed vendors left out
        assert [s.vendor for s in chunked] == [v.name for v in store.vendors.all() if v.name in assessed], chunk


def _sheets(path: str) -> dict[str, list[tuple]]:
    book = load_workbook(path, read_only=True)
    return {name: [tuple(c.value for c in row) for row in book[name].iter_rows()] for name in book.sheetnames}


def test_the_portfolio_written_in_chunks_is_the_one_written_in_one_read(settings, tmp_path):
    whole = _sheets(usecases.write_report(settings, str(tmp_path / "whole.xlsx"), DAY, chunk=ONE_READ))
    chunked = _sheets(usecases.write_report(settings, str(tmp_path / "chunked.xlsx"), DAY, chunk=2))
    assert chunked == whole
    names = [row[0] for row in chunked["Portfolio"][1:]]
    store = open_store(settings)
    assert len(names) == 12 and names == [v.name for v in store.vendors.all() if v.name in set(names)]
    assert [row[0] for row in chunked["Principles"][1:]] == names
    assert len(chunked["Remediations"]) > 1


def test_a_page_of_vendors_holds_at_least_one():
    with pytest.raises(ValueError, match="at least one"):
        next(vendor_pages(None, 0))
