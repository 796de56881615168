"""The web app's pydantic models: what the JSON API answers, and what some pages are given."""

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows import usecases
from scoring.lifecycle import ReviewView
from supplier_models.errors import Problem
from supplier_models.store.rows import SORTS, AuditFilters


# -- API models -----------------------------------------------------------------------------------------------
class VendorItem(BaseModel):
    vendor_id: str
    vendor: str
    status: str = Field(description="as `fairsource status`, or awaiting_submission before a first submission")
    decision: str | None = None
    valid_until: dt.date | None = None
    review_pending: bool = False
    open_remediations: int = 0
    overdue_remediations: int = 0
    contact: str | None = None
    owner: str | None = Field(None, description="the analyst who looks after the vendor (a staff user's e-mail)")


class AssessmentItem(BaseModel):
    assessment_id: str
    assessed_on: dt.date
    decision: str
    score: float
    geo_band: str
    valid_until: dt.date
    reason: str
    rubric_version: str
    country_data_version: str


class VendorDetail(BaseModel):
    vendor_id: str
    vendor: str
    contact: str | None
    status: usecases.VendorStatus | None
    assessments: list[AssessmentItem]
    latest_decision: dict[str, Any] | None = Field(None, description="the latest assessment's full decision, "
                                                   "with the explanation of every point")
    remediations: list[usecases.RemediationView]
    reviews: list[ReviewView]


class IntakeErrors(BaseModel):
    """A workbook refused (422: every problem; 413: too large), or a request the API could not take (422)."""

    errors: list[Problem]
    detail: list[dict[str, Any]] | None = Field(
        None, description="a request the API could not parse (no file, not multipart): FastAPI's validation errors, "
        "each also in `errors`; absent for a workbook's problems")


class ErrorDetail(BaseModel):
    """Any other refusal: 400 (an unreadable request body), 401, 403, 404."""

    detail: str


class IntakeDecision(BaseModel):
    """The `fairsource intake --json` decision object (docs/contracts.md): these keys and more, which may be added."""

    model_config = ConfigDict(extra="allow")
    vendor: str
    vendor_id: str | None
    assessment_id: str
    decision: str = Field(description="qualified, conditional or not_qualified")
    score: float
    principles: dict[str, float | None]
    knockouts: list[dict[str, Any]]
    geo: dict[str, Any]
    remediations: list[dict[str, Any]]
    valid_until: str | None
    sow: str | None = Field(description="the SOW's path (to a vendor's token: its file name), or null")
    rubric_version: str
    country_data_version: str
    duplicate: bool = Field(description="the same file was received before: its stored decision, not stored again")


# -- page models -------------------------------------------------------------------------------------------------
class CountryWorkers(BaseModel):
    """One country of the dashboard's panel: how many vendors have workers there, and how many workers."""

    iso2: str
    name: str
    band: str = Field(description="the worst band any vendor's latest assessment gave the country")
    vendors: int = 0
    workers: int = 0


PAGE_SIZES = (25, 50, 100, 200)


class PagedFilters(BaseModel):
    """What a paged list's URL gives beside its filters: the page size (the nearest of PAGE_SIZES) and where the
    page starts (a cursor the list gave); and the URL query that carries them with the filters."""

    model_config = ConfigDict(str_strip_whitespace=True)
    size: int = Field(50, description="rows a page: 25, 50, 100 or 200")
    cursor: str = ""

    @field_validator("size", mode="before")
    @classmethod
    def _size(cls, value: object) -> int:
        try:
            size = int(str(value))
        except ValueError:
            return 50
        return min(PAGE_SIZES, key=lambda s: abs(s - size))

    def query(self, **changes: object) -> str:
        """This list's URL query, with `changes` (e.g. another cursor), the empty filters left out."""
        from urllib.parse import urlencode

        values = {**self.model_dump(exclude={"size", "cursor"}), "size": self.size, "cursor": self.cursor, **changes}
        return urlencode({k: v for k, v in values.items() if v not in ("", None) and not (k == "size" and v == 50)})


class VendorFilters(PagedFilters):
    """The vendor list's filters, as given in its URL (GET form): each empty one filters nothing."""

    q: str = ""
    status: str = ""
    band: str = ""
    country: str = ""
    service: str = ""
    owner: str = Field("", description="an analyst's e-mail, or none: the vendors no one looks after")
    until_from: str = Field("", description="qualification ends (a refusal: review day) on or after, YYYY-MM-DD")
    until_to: str = Field("", description="... on or before, YYYY-MM-DD")
    fairwork: str = Field("", description="the Fairwork points of the latest assessment, 0 to 10")
    sort: str = Field("", description="the column sorted by (vendor when empty)")
    desc: str = Field("", description="1: the other way")

    @field_validator("q", "status", "band", "country", "service", "owner", "cursor", mode="after")
    @classmethod
    def _short(cls, value: str) -> str:  # a hand-made URL gets a list, not an error page
        return value.replace("\x00", "")[:200]

    @field_validator("until_from", "until_to", mode="after")
    @classmethod
    def _day(cls, value: str) -> str:  # a day the browser's date field did not give: no such filter
        try:
            return dt.date.fromisoformat(value).isoformat() if value else ""
        except ValueError:
            return ""

    @field_validator("fairwork", mode="after")
    @classmethod
    def _points(cls, value: str) -> str:  # not a number of points: no such filter
        return value if value.isdigit() and int(value) <= 10 else ""

    @field_validator("sort", mode="after")
    @classmethod
    def _sort(cls, value: str) -> str:
        return value if value in SORTS and value != "vendor" else ""

    @field_validator("desc", mode="after")
    @classmethod
    def _desc(cls, value: str) -> str:
        return "1" if value in ("1", "true", "yes", "on") else ""

    def day(self, name: str) -> dt.date | None:
        value = getattr(self, name)
        return dt.date.fromisoformat(value) if value else None

    def sorted_by(self, column: str) -> str:
        """The query of this list sorted by `column`: ascending, or the other way when it is already so sorted
        ascending (a header's link); from the first page."""
        by = "" if column == "vendor" else column
        return self.query(sort=by, desc="1" if self.sort == by and not self.desc else "", cursor="")

    def country_matches(self, iso2: str, name: str) -> bool:
        """By ISO code (KE) or by name, whole or in part (kenya, "united")."""
        needle = self.country.lower()
        return iso2.lower() == needle or name.lower() == needle or (len(needle) > 2 and needle in name.lower())


class AuditLogFilters(PagedFilters):
    """The audit log's filters, as given in its URL (GET form): who (text in the e-mail), an action code, a vendor
    (its id, or text in its name), the days from and to (YYYY-MM-DD, inclusive, UTC); each empty one filters
    nothing. A day that is not a date is not applied, and said (`narrowed`)."""

    who: str = ""
    action: str = ""
    vendor: str = ""
    since: str = ""
    until: str = ""

    @field_validator("who", "action", "vendor", "since", "until", "cursor", mode="after")
    @classmethod
    def _short(cls, value: str) -> str:  # a hand-made URL gets a page, not an error page
        return value.replace("\x00", "")[:200]

    def narrowed(self) -> tuple[AuditFilters, list[str]]:
        """The store's filters, and what could not be applied (a day that is not a date), in words."""
        days, problems = {}, []
        for name, label in (("since", "From"), ("until", "To")):
            text = getattr(self, name)
            try:
                days[name] = dt.date.fromisoformat(text) if text else None
            except ValueError:
                days[name] = None
                problems.append(f"{label} \u201c{text}\u201d is not a day (YYYY-MM-DD): not applied.")
        return AuditFilters(actor=self.who or None, action=self.action or None, vendor=self.vendor or None,
                            **days), problems


class UploadResult(BaseModel):
    """What became of one file of the upload page: an outcome, or every problem found, or why it was not read."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    filename: str
    outcome: usecases.Outcome | None = None
    problems: list[Problem] = Field(default_factory=list)
    error: str | None = None
