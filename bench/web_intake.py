"""Benchmark 5: upload-to-decision through the web app, against the same steps called in-process.

Web: `fairsource web`'s app served by uvicorn in this process (warm: scoring inputs loaded at start), one
`POST /api/intake` per workbook with an API token, over HTTP on 127.0.0.1, timed from the request to the
decision object received.

In-process: the same steps without HTTP, on its own fresh store: `read_workbook` on the same bytes, then
`usecases.intake_one` (score, SOW rendered and verified, stored), with the same scoring inputs.

Each workbook is a distinct returned file (its own vendor), so neither path meets a duplicate. Both stores
are SQLite files under a temporary home. Target: the web path at most 2x the in-process steps, and under
0.5 s a workbook (median).
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time
from pathlib import Path

from bench.common import Figure, example_workbooks, tempdir

TARGET_RATIO = 2.0
TARGET_SECONDS = 0.5


def _serve(app):
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


def run(quick: bool) -> list[Figure]:
    import httpx

    from fairsource import accounts
    from fairsource.web import create_app
    from flows import usecases
    from supplier_models import Settings, Store, read_workbook

    n_variants = 2 if quick else 5
    root = tempdir("web-intake")
    files = example_workbooks(root / "workbooks", variants_per_example=n_variants)
    # Both stores and SOW folders live under the temporary root, named explicitly in each Settings.
    web_settings = Settings(home=root / "web")
    inputs = usecases.load_inputs(web_settings)
    app = create_app(web_settings, inputs=inputs)
    store = Store(web_settings.url)
    accounts.add_user(store, "bench@example.org", "reviewer", "bench password 123")
    token = accounts.new_api_token(store, "bench@example.org")
    server, thread, base = _serve(app)
    web_times = []
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            client.get("/healthz")
            for path in files:
                body = path.read_bytes()
                start = time.perf_counter()
                response = client.post("/api/intake", files={"file": (path.name, body)})
                web_times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.text
    finally:
        server.should_exit = True
        thread.join(timeout=10)

    local_settings = Settings(home=root / "local")
    local_store = Store(local_settings.url)
    local_times = []
    today = dt.date.today()
    for path in files:
        body = path.read_bytes()
        start = time.perf_counter()
        submission = read_workbook(path, data=body)
        usecases.intake_one(submission, local_store, inputs, today, local_settings.sow_dir)
        local_times.append(time.perf_counter() - start)
    web, local = statistics.median(web_times), statistics.median(local_times)
    ratio = web / local
    return [
        Figure(f"Upload to decision, web app (warm), median of {len(files)} workbooks", web, "s", baseline=local,
               ratio=ratio, target=f"<= {TARGET_RATIO:g}x the in-process steps and < {TARGET_SECONDS} s",
               met=ratio <= TARGET_RATIO and web < TARGET_SECONDS,
               note="baseline: read_workbook + usecases.intake_one in-process (score, SOW, store)",
               extra={"web_p90": sorted(web_times)[int(0.9 * len(web_times)) - 1],
                      "local_p90": sorted(local_times)[int(0.9 * len(local_times)) - 1]}),
    ]


if __name__ == "__main__":  # pragma: no cover
    from bench.common import print_figure

    for figure in run(quick=True):
        print_figure(figure)
    print(Path(__file__).name, "done")
