"""Configuration from the environment (prefix `FAIRSOURCE_`) or a `.env` file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAIRSOURCE_", env_file=".env", extra="ignore")

    home: Path = Field(
        default_factory=lambda: Path.cwd() / ".fairsource",
        description="where the embedded store, SOWs and reports go",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default SQLite in <home>/fairsource.db. "
        "PostgreSQL: postgresql+psycopg://user@host/db",
    )
    policy_file: Path | None = Field(
        default=None, description="the organisation's policy workbook (prohibited countries, living wages)"
    )
    questionnaire: str = Field(default="RDE-2", description="the questionnaire new forms (and re-attestations) are "
                               "issued under; RDE-1 workbooks are still read and scored by RDE-1")
    questionnaires: Path | None = Field(
        default=None, description="a folder of the organisation's own questionnaire definitions (YAML)"
    )
    country_data: Path | None = Field(
        default=None, description="a folder of country reference data replacing the shipped copy (same layout)"
    )
    organisation: str = Field(default="", description="the buying organisation's name, as the SOW's client party")
    sow_template: Path | None = Field(default=None, description="a .docx template of the organisation's own")
    requalify_within_days: int = Field(
        default=30, description="ask for a fresh attestation this many days before a qualification expires")
    rescore_notice_days: int = Field(
        default=30, ge=0, description="a rescoring that shortens a qualification (or refuses it) gives the vendor at "
        "least this many days from the day it is made")
    requalify_shard_deployment: str | None = Field(
        default=None, description="on a team's Prefect server: the deployment that rescores one shard "
        "(e.g. requalify-shard/team), so the work pool's workers share a requalification")
    requalify_shard_timeout: float = Field(default=6 * 3600, description="seconds to wait for every shard")
    sow_sweep_after: float = Field(
        default=3600, gt=0, description="seconds after which a SOW file no stored record names (what a killed run "
        "wrote) is removed by the next rescoring of its vendor; a rescoring whose first file is half this old stores "
        "nothing, so no run removes a file another still stores")
    requalify_shard_size: int = Field(default=500, gt=0, description="vendors a shard (and a transaction)")
    requalify_read_size: int = Field(
        default=2000, gt=0, description="vendors a requalification reads at a time when it looks for those due "
        "(a page of a walk over the vendors, each page's due ones rescored before the next is read)")
    worker_name: str | None = Field(default=None, description="this worker's name, kept in the audit log")
    review_policy: Path | None = Field(
        default=None, description="the organisation's review policy (YAML); default scoring/policies/review-1.yaml")
    smtp_url: str | None = Field(
        default=None, description="send reminders by e-mail: smtp://host:port, smtp+starttls://user:password@host:587 "
        "or smtps://user:password@host:465")
    mail_from: str = Field(default="fairsource@localhost", description="the sender of reminder e-mails")
    owner_email: str | None = Field(
        default=None, description="the procurement owner: reminders and reviews waiting go here too")
    overdue_repeat_days: int = Field(
        default=7, gt=0, description="what is still not done (an overdue remediation, an expired qualification, a "
        "review waiting) is told again this many days after the last notice, until done")
    requalify_cron: str = Field(
        default="0 6 * * *", description="when `fairsource serve` runs requalification: daily, so expiry reminders "
        "(60, 30, 7 days) and the weekly repeats of what is overdue go out on their day (a run is idempotent per day)")
    workbook_max_expanded_mb: float = Field(
        default=25, gt=0, description="a returned workbook whose zip parts expand to more than this many MB in all is "
        "refused before it is read (a questionnaire expands to well under 1 MB)")
    workbook_max_part_ratio: float = Field(
        default=100, gt=1, description="a returned workbook with a part over 1 MB that expands more than this many "
        "times its compressed size is refused before it is read (a zip bomb; real parts expand 2 to 10 times)")
    web_base_url: str = Field(
        default="http://127.0.0.1:8000", description="the web app's address as vendors see it (portal links)")
    web_secure_cookies: bool = Field(
        default=False, description="mark cookies Secure: set when the web app is served over https")
    web_session_hours: int = Field(default=12, description="a staff sign-in lasts this long")
    web_password_checks: int = Field(
        default=2, ge=1, description="password checks (argon2, 64 MiB each) the web app runs at once; more sign-ins "
        "wait their turn, so a burst keeps memory flat")
    web_intake_workers: int = Field(
        default=2, ge=1, description="uploaded workbooks the web app reads, scores and stores at once; more wait their "
        "turn, so heavy uploads never hold the threads that serve pages")
    web_login_failures_per_address: int = Field(
        default=20, ge=1, description="failed sign-ins from one client address (any e-mail) within 15 minutes that "
        "block the next ones from it (five for one e-mail from one address block that e-mail there)")
    web_trusted_proxies: str = Field(
        default="", description="the reverse proxies (addresses or networks, comma-separated, e.g. 127.0.0.1) whose "
        "X-Forwarded-For and X-Forwarded-Proto the web app believes, so the sign-in limits count each client's own "
        "address; empty: the address a connection comes from is the client's")
    web_docs: Literal["signed_in", "public", "off"] = Field(
        default="signed_in", description="who sees the API's description (/openapi.json) and its page (/docs): "
        "signed_in (staff signed in, or with an API token), public, or off")
    invite_days: int = Field(default=30, description="a vendor's portal link expires after this many days")

    @property
    def sow_dir(self) -> Path:
        return self.home / "sows"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def forms_dir(self) -> Path:
        return self.home / "forms"

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'fairsource.db'}"


def get_settings() -> Settings:
    return Settings()
