"""Checks of the SOW tests' own fixtures (tests/helpers/sow_stories.py): valid decisions that tell the stories."""

from __future__ import annotations

from tests.helpers.sow_stories import STORIES, story


def test_fixture_decisions_are_valid_and_tell_the_stories():
    for name, value in STORIES.items():
        sub, decision = story(name)
        assert decision.decision == value
        assert {c.iso2 for c in decision.geo.countries} == {r.iso2 for r in sub.countries}
    _, savanna = story("Savanna Voices Collection Ltd")
    assert all("gender_question_unsafe" in c.flags for c in savanna.geo.countries)
