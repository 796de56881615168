"""Fixtures of the web tests: the scoring inputs loaded once, an app on a fresh store with its test client, a folder
for returned workbooks."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from flows import usecases
from supplier_models import Settings
from tests.helpers.web import web_app


@pytest.fixture(scope="module")
def inputs():
    return usecases.load_inputs(Settings())


@pytest.fixture
def web(tmp_path, database_url, inputs):
    app, settings = web_app(tmp_path / "home", database_url, inputs)
    store = app.state.web.store
    with TestClient(app) as client:
        yield client, store, settings


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "returned"
    path.mkdir()
    return path


