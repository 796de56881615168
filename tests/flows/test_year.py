"""A year on the real stack, as a procurement team lives it: the six demo vendors and a seventh that joins in March,
through reviews, a remediation closed with evidence, a policy change, a country-data change, a pre-filled form
returned and one ignored, and the reminders of the months before an expiry. Each daily run (Prefect, the store
under test: SQLite, and PostgreSQL in CI's second pass, mail read back from a real SMTP server on 127.0.0.1) is
checked against the table below: every vendor's status and date, every notice, who got a mail; and after each run,
rebuilding the vendors' stored state from the history changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from supplier_models.workbooks.examples import EXAMPLES
from supplier_models.workbooks.form import fill_form
from tests.helpers.rde2 import answer_new_questions
from tests.helpers.runs import contact, country_data_with_war, intake, policy_prohibiting, requalify, run

pytestmark = pytest.mark.usefixtures("prefect_engine")
OWNER = "procurement@client.example"
LUMEN, BRIGHT, QUICK, FRONTIER, SAVANNA, CHEAP = EXAMPLES[:6]
NORTH = LUMEN.model_copy(update={"name": "Northwind Annotation Co"})
SHORT = {LUMEN.name: "lumen", BRIGHT.name: "bright", QUICK.name: "quick", FRONTIER.name: "frontier",
         SAVANNA.name: "savanna", CHEAP.name: "cheap", NORTH.name: "north"}

# Each run: the day; each vendor's status and its date (valid until, or a refusal's review date); the notices of the
# run as (vendor, kind), with the vendors rescored and those listed as expired; who got a mail (a vendor's contact
# by its short name, and the owner).
YEAR = [
    # The day after intake: two reviews told to the vendors and the owner; Frontier's waits (owner only).
    ('2027-01-16',
     {'bright': ('conditional', '2027-07-15'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('pending_review', '2027-07-15'),
      'lumen': ('qualified', '2028-01-15'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('qualified', '2027-09-29')},
     [('bright', 'review_outcome'), ('frontier', 'review_waiting'), ('savanna', 'review_outcome')],
     ['bright', 'owner', 'savanna']),
    # Remediations due 30 days after intake are overdue: Brightlabel's high one makes it action_required.
    ('2027-02-15',
     {'bright': ('action_required', '2027-07-15'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('pending_review', '2027-07-15'),
      'lumen': ('qualified', '2028-01-15'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('qualified', '2027-09-29')},
     [('bright', 'remediation_overdue'), ('frontier', 'remediation_overdue'), ('frontier', 'review_waiting')],
     ['bright', 'frontier', 'owner']),
    # Brightlabel's high item closed with evidence the day before: conditional again; within the week, silence.
    ('2027-02-16',
     {'bright': ('conditional', '2027-07-15'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('pending_review', '2027-07-15'),
      'lumen': ('qualified', '2028-01-15'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('qualified', '2027-09-29')},
     [],
     []),
    # Northwind joins (qualified, its first decision is no change); what is still overdue is told again.
    ('2027-03-02',
     {'bright': ('conditional', '2027-07-15'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('pending_review', '2027-07-15'),
      'lumen': ('qualified', '2028-01-15'),
      'north': ('qualified', '2028-03-01'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('qualified', '2027-09-29')},
     [('bright', 'remediation_overdue'), ('frontier', 'remediation_overdue'), ('frontier', 'review_waiting')],
     ['bright', 'frontier', 'owner']),
    # Ghana prohibited: everyone rescored; Savanna refused with 30 days' notice (review 2027-05-01), told, and
    # sent its form, as are the refusals whose review date comes within 30 days.
    ('2027-04-01',
     {'bright': ('action_required', '2027-07-15'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('pending_review', '2027-07-15'),
      'lumen': ('qualified', '2028-01-15'),
      'north': ('qualified', '2028-03-01'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('not_qualified', 'review 2027-05-01')},
     [('bright', 'remediation_overdue'),
      ('bright', 'rescored conditional -> conditional'),
      ('cheap', 'reattestation_requested'),
      ('cheap', 'rescored not_qualified -> not_qualified'),
      ('frontier', 'remediation_overdue'),
      ('frontier', 'rescored conditional -> conditional'),
      ('frontier', 'review_waiting'),
      ('lumen', 'rescored qualified -> qualified'),
      ('north', 'rescored qualified -> qualified'),
      ('quick', 'reattestation_requested'),
      ('quick', 'rescored not_qualified -> not_qualified'),
      ('savanna', 'decision_changed'),
      ('savanna', 'reattestation_requested'),
      ('savanna', 'rescored qualified -> not_qualified')],
     ['bright', 'cheap', 'frontier', 'owner', 'quick', 'savanna']),
    # A war in Colombia (country data 2027.05-1): only Brightlabel works there; still conditional.
    ('2027-05-03',
     {'bright': ('action_required', '2027-07-15'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('pending_review', '2027-07-15'),
      'lumen': ('qualified', '2028-01-15'),
      'north': ('qualified', '2028-03-01'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('not_qualified', 'review 2027-05-01')},
     [('bright', 'remediation_overdue'),
      ('bright', 'rescored conditional -> conditional'),
      ('frontier', 'remediation_overdue'),
      ('frontier', 'review_waiting')],
     ['bright', 'frontier', 'owner']),
    # 29 days before Brightlabel's and Frontier's end: the forms, with the 30-day reminder folded in.
    ('2027-06-16',
     {'bright': ('action_required', '2027-07-15'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('pending_review', '2027-07-15'),
      'lumen': ('qualified', '2028-01-15'),
      'north': ('qualified', '2028-03-01'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('not_qualified', 'review 2027-05-01')},
     [('bright', 'expiry_30'),
      ('bright', 'reattestation_requested'),
      ('bright', 'remediation_overdue'),
      ('frontier', 'expiry_30'),
      ('frontier', 'reattestation_requested'),
      ('frontier', 'remediation_overdue'),
      ('frontier', 'review_waiting')],
     ['bright', 'frontier', 'owner']),
    # Brightlabel returned its form on 2027-06-20: a new attestation, 6 months, waiting for its review.
    ('2027-06-21',
     {'bright': ('pending_review', '2027-12-20'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('pending_review', '2027-07-15'),
      'lumen': ('qualified', '2028-01-15'),
      'north': ('qualified', '2028-03-01'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('not_qualified', 'review 2027-05-01')},
     [('bright', 'review_waiting')],
     ['owner']),
    # Frontier ignored its form: expired, told, and listed. (Brightlabel's approval, recorded at the machine's
    # real date, falls outside the 92 days a run looks back for changes: a review is never backdated.)
    ('2027-07-16',
     {'bright': ('conditional', '2027-12-20'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('expired', '2027-07-15'),
      'lumen': ('qualified', '2028-01-15'),
      'north': ('qualified', '2028-03-01'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('not_qualified', 'review 2027-05-01')},
     [('frontier', 'expired'), ('frontier', 'expired (listed)'), ('frontier', 'review_waiting')],
     ['frontier', 'owner']),
    # A week on: Frontier told again; Brightlabel's new remediations (due 2027-07-20) overdue, but not the high one
    # it closed with evidence in February: its form showed that answer, it confirmed it, the item stays closed.
    ('2027-07-23',
     {'bright': ('conditional', '2027-12-20'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('expired', '2027-07-15'),
      'lumen': ('qualified', '2028-01-15'),
      'north': ('qualified', '2028-03-01'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('not_qualified', 'review 2027-05-01')},
     [('bright', 'remediation_overdue'),
      ('frontier', 'expired'),
      ('frontier', 'expired (listed)'),
      ('frontier', 'review_waiting')],
     ['bright', 'frontier', 'owner']),
    # Nothing new: the weekly repeats only.
    ('2027-10-01',
     {'bright': ('action_required', '2027-12-20'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('expired', '2027-07-15'),
      'lumen': ('qualified', '2028-01-15'),
      'north': ('qualified', '2028-03-01'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('not_qualified', 'review 2027-05-01')},
     [('bright', 'remediation_overdue'),
      ('frontier', 'expired'),
      ('frontier', 'expired (listed)'),
      ('frontier', 'review_waiting')],
     ['bright', 'frontier', 'owner']),
    # 60 days before Lumen's end; Brightlabel, 34 days before its own, gets the nearest reminder crossed (60).
    ('2027-11-16',
     {'bright': ('action_required', '2027-12-20'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('expired', '2027-07-15'),
      'lumen': ('qualified', '2028-01-15'),
      'north': ('qualified', '2028-03-01'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('not_qualified', 'review 2027-05-01')},
     [('bright', 'expiry_60'),
      ('bright', 'remediation_overdue'),
      ('frontier', 'expired'),
      ('frontier', 'expired (listed)'),
      ('frontier', 'review_waiting'),
      ('lumen', 'expiry_60')],
     ['bright', 'frontier', 'lumen', 'owner']),
    # Lumen's form 30 days before its end; Brightlabel's, 4 days before (the 7-day reminder with it).
    ('2027-12-16',
     {'bright': ('action_required', '2027-12-20'),
      'cheap': ('not_qualified', 'review 2027-04-15'),
      'frontier': ('expired', '2027-07-15'),
      'lumen': ('reattestation_requested', '2028-01-15'),
      'north': ('qualified', '2028-03-01'),
      'quick': ('not_qualified', 'review 2027-04-15'),
      'savanna': ('not_qualified', 'review 2027-05-01')},
     [('bright', 'expiry_7'),
      ('bright', 'reattestation_requested'),
      ('bright', 'remediation_overdue'),
      ('frontier', 'expired'),
      ('frontier', 'expired (listed)'),
      ('frontier', 'review_waiting'),
      ('lumen', 'expiry_30'),
      ('lumen', 'reattestation_requested')],
     ['bright', 'frontier', 'lumen', 'owner']),
]


@pytest.fixture
def mailed(isolated_home, monkeypatch, smtp_inbox):
    inbox, url = smtp_inbox
    monkeypatch.setenv("FAIRSOURCE_SMTP_URL", url)
    monkeypatch.setenv("FAIRSOURCE_OWNER_EMAIL", OWNER)
    return inbox


def _statuses(day: str) -> dict[str, tuple[str, str]]:
    out = {}
    for line in run("status", "--json", "--as-of", day).stdout.splitlines():
        s = json.loads(line)
        out[SHORT[s["vendor"]]] = (s["status"], s["valid_until"] or f"review {s['review_on']}")
    return out


def _observed(inbox, day: str):
    summary, mails = requalify(inbox, day)
    notices = {(SHORT[r["vendor"]], r["kind"]) for r in summary["reminders"]}
    notices |= {(SHORT[r["vendor"]], "expired (listed)") for r in summary["expired"]}
    notices |= {(SHORT[r["vendor"]], f"rescored {r['previous_decision']} -> {r['decision']}") for r in summary["rescored"]}
    by_contact = {contact(v): SHORT[v.name] for v in (*EXAMPLES[:6], NORTH)}
    told = {"owner" if to == OWNER else by_contact[to] for to in mails}
    rebuilt = json.loads(run("status", "--rebuild", "--as-of", day, "--json").stdout)
    assert rebuilt["changed"] == 0, (day, rebuilt["changes"])
    return (day, _statuses(day), sorted(notices), sorted(told)), summary, mails


def _certified(vendor, path):
    """Lumen's answers (and Northwind's, a copy) with a certificate valid past the year."""
    return fill_form(path, {"DATA-02": dt.date(2030, 1, 31)}) if vendor in (LUMEN, NORTH) else path


def test_a_year_of_qualification(isolated_home, monkeypatch, mailed):
    seen, mails_on = [], {}

    def step(day: str):
        observed, summary, mails = _observed(mailed, day)
        seen.append(observed)
        mails_on[day] = mails
        return summary, mails

    intake(isolated_home, EXAMPLES[:6], as_of=dt.date(2027, 1, 15), change=_certified)
    for vendor in (BRIGHT, SAVANNA):
        run("review", vendor.name, "--decision", "approve", "--reason", "Evidence seen", "--reviewer", "Ana Lima")
    step("2027-01-16")
    step("2027-02-15")
    high = json.loads(run("status", BRIGHT.name, "--json", "--as-of", "2027-02-15").stdout)
    high = next(r["id"] for r in high["overdue_remediations"] if r["priority"] == "high")
    run("remediate", BRIGHT.name, high, "--evidence", "Warning text and support rota", "--reviewer", "Ana Lima",
        "--as-of", "2027-02-15")
    step("2027-02-16")
    intake(isolated_home, [NORTH], as_of=dt.date(2027, 3, 1), change=_certified)
    step("2027-03-02")
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(policy_prohibiting(isolated_home, "GH")))
    step("2027-04-01")
    monkeypatch.setenv("FAIRSOURCE_COUNTRY_DATA", str(country_data_with_war(isolated_home, "CO", "COL", "2027.05-1")))
    step("2027-05-03")
    summary, _ = step("2027-06-16")
    forms = {SHORT[r["vendor"]]: r["form"] for r in summary["reattestation_requested"]}
    # Brightlabel confirms its answers on the RDE-2 form, answering what RDE-2 adds (all of it: no new remediation);
    # Frontier does not return its form.
    run("intake", str(answer_new_questions(forms["bright"])), "--as-of", "2027-06-20")
    step("2027-06-21")
    run("review", BRIGHT.name, "--decision", "approve", "--reason", "Answers confirmed", "--reviewer", "Ana Lima")
    step("2027-07-16")
    step("2027-07-23")
    step("2027-10-01")
    step("2027-11-16")
    step("2027-12-16")
    assert seen == YEAR
    # What the mails say, at the turns of the year.
    savanna = mails_on["2027-04-01"][contact(SAVANNA)]
    assert "changed from qualified to not qualified on 2027-04-01" in savanna.text
    assert "looked at again on 2027-05-01" in savanna.text and "prohibited list" in savanna.text
    assert [name for name, _ in savanna.attachments] == [f"{SAVANNA.slug}-reattestation-2027-04-01.xlsx"]
    assert "qualification expired on 2027-07-15" in mails_on["2027-07-16"][contact(FRONTIER)].msg["Subject"]
    lumen = mails_on["2027-12-16"][contact(LUMEN)]
    assert "ends on 2028-01-15, in 30 days" in lumen.text and "return the form by 2028-01-15" in lumen.text
    assert len(lumen.attachments) == 1 and lumen.attachments[0][1][:2] == b"PK"
    for mail in (m for day in mails_on.values() for m in day.values()):  # a refusal is never said to lapse
        assert not re.search(r"\blaps", mail.text + mail.html, re.IGNORECASE), mail
