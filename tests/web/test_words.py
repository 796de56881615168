"""The web app speaks to people, not to a command line: a refused review or remediation says what is missing in
words naming the form's field (no `--reason`), as a sentence, and an e-mail address at the start of a sentence is
written as it is. (The command line still points at its option: tests/flows/test_lifecycle.py.)"""

from __future__ import annotations

from tests.helpers.web import BRIGHT, api_token, csrf_of, post_intake, staff_client, workbook


def test_refusals_on_the_vendor_page_name_the_field_in_words(web, folder):
    client, store, _ = web
    decision = post_intake(client, api_token(store, "rev@example.org", "reviewer"), workbook(BRIGHT, folder)).json()
    vendor = decision["vendor_id"]
    reviewer = staff_client(web, "reviewer@example.org", "reviewer")
    page = reviewer.get(f"/vendors/{vendor}").text
    token = csrf_of(page)

    no_reason = reviewer.post(f"/vendors/{vendor}/review", data={"csrf_token": token, "decision": "approve"})
    assert no_reason.status_code == 400 and "A review needs a reason." in no_reason.text
    no_to = reviewer.post(f"/vendors/{vendor}/review", data={"csrf_token": token, "decision": "override",
                                                             "reason": "Plan agreed"})
    assert "An override needs the decision it sets: qualified, conditional or not qualified." in no_to.text
    code = store.remediations.all(vendor)[0].code
    no_evidence = reviewer.post(f"/vendors/{vendor}/remediations/{code}/close", data={"csrf_token": token})
    assert no_evidence.status_code == 400 and "Closing a remediation needs its evidence." in no_evidence.text
    assert not any("--" + flag in r.text for r in (no_reason, no_to, no_evidence)
                   for flag in ("reason", "to", "evidence", "reviewer", "override"))

    overridden = reviewer.post(f"/vendors/{vendor}/review", data={"csrf_token": token, "decision": "override",
                                                                  "to": "qualified", "reason": "Plan agreed"})
    assert overridden.status_code == 200  # followed to the vendor page: the override waits for a second reviewer
    assert "reviewer@example.org overrode the decision to qualified" in overridden.text
    assert "Reviewer@example.org" not in overridden.text
    same = reviewer.post(f"/vendors/{vendor}/review", data={"csrf_token": token, "decision": "approve",
                                                            "reason": "fine"})
    assert same.status_code == 400 and "Reviewer@example.org" not in same.text
    assert "reviewer@example.org made the override: another reviewer approves it" in same.text


def test_the_portal_says_a_file_was_received_before_and_a_file_too_large_has_a_way_back(web, folder):
    from tests.helpers.web import LUMEN, portal_link

    client, store, _ = web
    _, link = portal_link(store, LUMEN.name)
    page = client.get(link)
    data = workbook(LUMEN, folder).read_bytes()
    sent = [client.post(f"{link}/upload", data={"csrf_token": csrf_of(page.text)},
                        files={"file": ("lumen.xlsx", data)}) for _ in range(2)]
    assert "Thank you: your questionnaire was received and assessed." in sent[0].text
    assert "This file was received before: nothing was stored again" in sent[1].text
    assert "Thank you" not in sent[1].text and store.counts()["submission"] == 1

    big = client.post(f"{link}/upload", data={"csrf_token": csrf_of(page.text)},
                      files={"file": ("big.xlsx", b"\0" * (20 * 2**20 + 1))})
    assert big.status_code == 413 and big.headers["content-type"].startswith("text/html")
    assert "File too large" in big.text and "more than 20 MB" in big.text
    assert f'<a href="{link}">Back to your portal page</a>' in big.text
    streamed = client.post(f"{link}/upload", data={"csrf_token": csrf_of(page.text)},  # the whole body over the limit
                           files={"file": ("big.xlsx", b"\0" * (40 * 2**20))})
    assert streamed.status_code == 413 and '<html lang="en">' in streamed.text
    assert "<title>File too large · fairsource</title>" in streamed.text
    assert f'<a href="{link}">Back to your portal page</a>' in streamed.text
