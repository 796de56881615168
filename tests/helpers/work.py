"""A reviewer's morning in the browser, on the store `a11y.seed` makes (three reviews waiting: Frontier's, the
oldest, Brightlabel's and Savanna's): Frontier's was assigned to them days ago and is overdue; on My work they take
Brightlabel's; on Savanna's page they assign it to a colleague, then unassign it (after the confirmation), so it
waits again; they end on My work. What tests/web/test_my_work_browser.py checks and docs/web_screenshots.py
photographs (docs/images/web-my-work.png)."""

from __future__ import annotations

import datetime as dt

FRONTIER, BRIGHT, SAVANNA = "Frontier Language Services LLC", "Brightlabel Solutions Inc.", \
    "Savanna Voices Collection Ltd"


def my_work_story(page, base: str, store, me: str, colleague: str) -> None:
    from playwright.sync_api import expect

    today = dt.date.today()
    frontier, bright, savanna = (store.vendors.find(name) for name in (FRONTIER, BRIGHT, SAVANNA))
    store.assignments.assign("review", frontier.id, None, assignee=me, due_on=today - dt.timedelta(days=3),
                             by=colleague)  # made days ago: now overdue
    page.locator("nav.wide").get_by_role("link", name="My work").click()
    expect(page.locator("h1")).to_have_text("My work")
    expect(page.locator("#mine tbody tr")).to_have_count(1)
    page.get_by_role("button", name=f"Take the review of {bright.name}").click()
    expect(page.get_by_role("status")).to_contain_text("The review is yours")

    page.goto(f"{base}/vendors/{savanna.id}")
    callout = page.locator(".callout")
    callout.get_by_label("Reviewer").select_option(colleague)
    callout.get_by_label("Due").fill((today + dt.timedelta(days=4)).isoformat())
    callout.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text("Review assigned")
    expect(page.locator(".callout")).to_contain_text(f"Assigned to {colleague}")
    page.get_by_role("link", name="Unassign…").click()
    expect(page.locator("h1")).to_have_text("Unassign this review?")
    page.get_by_role("button", name="Unassign the review").click()
    expect(page.get_by_role("status")).to_contain_text("Review unassigned")

    page.locator("nav.wide").get_by_role("link", name="My work").click()
    expect(page.locator("#mine tbody tr")).to_have_count(2)
    expect(page.locator("#unassigned tbody tr")).to_have_count(1)
