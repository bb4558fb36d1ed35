"""Settings from the environment (prefix INTAKE_) with the embedded defaults: SQLite, local model, samples."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    # Where things live. `var/` holds the database, blobs, quotes, models and Prefect's home.
    home: Path = Field(default=PROJECT_ROOT / "var", description="data folder (INTAKE_HOME)")
    config_dir: Path = PROJECT_ROOT / "samples" / "company"
    database_url: str | None = Field(default=None, description="default: sqlite file under home")
    out_dir: Path | None = Field(default=None, description="quotes and outbox; default home/out")
    model_dir: Path = Field(default=PROJECT_ROOT / "var" / "models", description="the local model's GGUF file")

    # Decision thresholds: a document goes straight through only if every field clears its threshold
    # and no validator fails. How they were chosen: docs/thresholds.md.
    threshold_kind: float = 0.6
    threshold_customer: float = 0.75
    threshold_sku: float = 0.8
    threshold_quantity: float = 0.8
    threshold_invoice: float = 0.8

    # LLM: the embedded default is the local model; any OpenAI-compatible endpoint by URL.
    llm: str = Field(default="on", description='"off" uses the deterministic extractor alone')
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_model: str | None = None
    llm_timeout_seconds: float = 120.0
    llm_max_retries: int = 2
    llm_port: int = 8765
    llm_context: int = 4096
    llm_max_input_chars: int = 6000

    # OCR
    ocr_languages: str = "kor+eng"
    ocr_workers: int = 2

    # Mail intake (IMAP) and delivery (SMTP)
    imap_host: str | None = None
    imap_port: int = 993
    imap_user: str | None = None
    imap_password: str | None = None
    imap_folder: str = "INBOX"
    imap_tls: bool = True
    imap_done_folder: str = "intake/processed"
    imap_mark: str = Field(default="move", description='"move" to imap_done_folder or "flag"')
    imap_max_message_bytes: int = 50 * 1024 * 1024
    imap_timeout_seconds: float = 60.0
    # Transient faults (server down, connection dropped) are retried with exponential backoff:
    # delay, 2*delay, 4*delay ... then the poll ends with the error recorded and the next one tries again.
    poll_retries: int = 3
    poll_retry_delay_seconds: float = 10.0
    poll_cron: str = "*/5 * * * *"
    timezone: str = "Asia/Seoul"
    drop_dir: Path | None = None
    local_poll_seconds: int = Field(
        default=60, description="how often `intake serve` takes files from drop_dir and requests from the web form"
    )
    # `intake serve` needs a Prefect API with a scheduler: without PREFECT_API_URL it starts one on this port.
    prefect_port: int = 4200
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: bool = True
    smtp_from: str | None = None
    smtp_timeout_seconds: float = 60.0
    smtp_retries: int = 3
    smtp_retry_delay_seconds: float = 30.0
    smtp_max_attempts: int = Field(default=8, description="after this many failed sends a quote waits for a person")

    # Review web app
    review_host: str = "127.0.0.1"
    review_port: int = 8000
    secret_key: str | None = Field(default=None, description="session signing key; generated into home if unset")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'intake.db'}"

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def resolved_out_dir(self) -> Path:
        return self.out_dir or self.home / "out"

    @property
    def llm_enabled(self) -> bool:
        return self.llm.lower() not in {"off", "0", "false", "no"}
