"""What each package exports, listed once: a name added to or dropped from a package's public surface is a change
someone decides (a user's script imports these), so it must be made here too. Every error lives in the one error
module, whose docstring draws the tree."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import fairsource
import flows
import scoring
import sow_templates
import supplier_models
from supplier_models import errors

PUBLIC = {
    "fairsource.cli": ["app", "main"],
    "fairsource.web": ["create_app"],
    "flows.usecases": [
        "LifecycleRun", "Notice", "Outcome", "Rejected", "RemediationView", "Requalified", "Reviewed",
        "ScoringInputs", "VendorStatus", "assessment_record", "cap_validity", "close_remediation", "closed_with_evidence", "decide",
        "due_notices", "find_vendor", "input_versions", "intake_one", "issue_sow", "load_inputs", "needs_review",
        "older_inputs",
        "portfolio_row", "prefilled_form", "read_files", "record_notices", "record_review", "request_reattestations",
        "rescore_batch", "rescorings_of", "select_changed", "sow_needs_reissue", "sow_path", "sow_record",
        "status_of", "statuses", "sweep_orphan_sows", "write_report",
    ],
    "scoring": [
        "HOURS_PER_MONTH", "Contribution", "CountryRisk", "Decision", "GeoModel", "GeoRisk", "KnockoutHit", "PayFloor",
        "Remediation", "Rubric", "assess", "country_risk", "geo_risk", "load_geo_model", "load_rubric", "pay_floor",
    ],
    "sow_templates": [
        "DEFAULT_TEMPLATE", "Clause", "ClauseLibrary", "ClauseLibraryError", "LibreOfficeNotFound",
        "PdfConversionError", "RenderedSow", "SowContext", "SowError", "SowNotAllowed", "SowTemplate",
        "SowVerificationError", "SurveyDefinition", "TemplateError", "build_context", "load_clause_library",
        "load_survey", "load_template", "read_docx_text", "render_sow", "to_pdf", "verify_document",
    ],
    "supplier_models": [
        "ConfigurationError", "CountryRow", "FairsourceError", "Problem", "Question", "Questionnaire",
        "QuestionnaireNotFound", "Settings", "Store", "StoreError", "Submission", "WorkbookRejected", "current",
        "fill_form", "get_settings", "load", "read_workbook", "write_form",
    ],
    "supplier_models.store": ["Store", "alembic_config", "close_engines", "make_engine", "migrate",
                              "migration_heads", "store_for"],
}

PUBLIC_ROOTS = {"fairsource", "flows", "scoring", "sow_templates", "supplier_models"}


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_each_package_exports_exactly_its_listed_names_and_each_resolves(package):
    module = importlib.import_module(package)
    assert sorted(module.__all__) == sorted(PUBLIC[package])
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


def _modules():
    """Every module of the project, imported (not the migration scripts, which run inside Alembic, nor the
    command's `__main__`, which runs the command)."""
    for package in (fairsource, flows, scoring, sow_templates, supplier_models):
        yield package
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" in info.name or info.name.endswith("__main__"):
                continue
            yield importlib.import_module(info.name)


def test_every_error_is_defined_in_the_error_module_and_derives_from_fairsource_error():
    found = {}
    for module in _modules():
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseException) and \
                    value.__module__.split(".")[0] in PUBLIC_ROOTS:
                found[value.__qualname__] = value
    assert len(found) >= 23, f"the scan found only {sorted(found)}"
    assert {cls.__module__ for cls in found.values()} == {"supplier_models.errors"}
    assert all(issubclass(cls, errors.FairsourceError) for cls in found.values())
    tree = errors.__doc__
    missing = [name for name in found if name not in tree]
    assert not missing, f"errors missing from the tree in supplier_models/errors.py's docstring: {missing}"

