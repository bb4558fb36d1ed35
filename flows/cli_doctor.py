"""`intake doctor`: check what intake needs on this machine and say how to fix each problem."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from schemas.settings import Settings

if TYPE_CHECKING:
    from extractors.llm import Endpoint

Check = Callable[[Settings], tuple[bool, str, str]]  # ok, what was found, how to fix

OPENAI_DEFAULT_BASE = "https://api.openai.com/v1"  # the SDK's default when no base URL is set
ENDPOINT_TIMEOUT_SECONDS = 5.0
_URL_FIX = "correct INTAKE_LLM_BASE_URL (or OPENAI_BASE_URL)"


def _tesseract(_: Settings) -> tuple[bool, str, str]:
    fix = "apt-get install tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng"
    if not shutil.which("tesseract"):
        return False, "tesseract not found", fix
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    missing = [lang for lang in ("kor", "eng") if lang not in langs]
    return not missing, f"languages: {', '.join(sorted(set(langs) & {'kor', 'eng', 'osd'}))}", fix


def _poppler(_: Settings) -> tuple[bool, str, str]:
    return bool(shutil.which("pdftoppm")), "pdftoppm", "apt-get install poppler-utils"


def _fonts(_: Settings) -> tuple[bool, str, str]:
    from quotes.fonts import FontNotFoundError, find_font_dir

    try:
        return True, str(find_font_dir()), ""
    except FontNotFoundError as exc:
        return False, str(exc), "apt-get install fonts-nanum (or set INTAKE_FONT_DIR)"


def _model(settings: Settings) -> tuple[bool, str, str]:
    """The LLM a run will use: the configured endpoint (INTAKE_LLM_* or OPENAI_*) must answer, else the local file."""
    if not settings.llm_enabled:
        return True, "LLM off (INTAKE_LLM=off)", ""
    from extractors.llm import LLMConfigError, configured_endpoint

    try:
        endpoint = configured_endpoint(settings)
    except LLMConfigError as exc:
        return False, str(exc), "set INTAKE_LLM_MODEL, or unset INTAKE_LLM_* / OPENAI_* to use the local model"
    if endpoint is not None:
        return _endpoint_answers(endpoint)
    from extractors.local_model import verified_model_path

    try:
        return True, f"local model {verified_model_path(settings)}", ""
    except (FileNotFoundError, ValueError) as exc:  # ModelInstallError is a ValueError
        return False, str(exc), "intake llm install (or make install)"


def _endpoint_answers(endpoint: Endpoint) -> tuple[bool, str, str]:
    """GET {base}/models with the key: reachable, key accepted, and the model among those served."""
    base = (endpoint.base_url or OPENAI_DEFAULT_BASE).rstrip("/")
    where = f"{base} (model {endpoint.model})"
    request = urllib.request.Request(f"{base}/models", headers={"Authorization": f"Bearer {endpoint.api_key}"})
    try:
        with urllib.request.urlopen(request, timeout=ENDPOINT_TIMEOUT_SECONDS) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            return False, f"{where} refused the API key (HTTP {exc.code})", "set INTAKE_LLM_API_KEY (or OPENAI_API_KEY)"
        return False, f"{where} answered HTTP {exc.code} to GET /models", f"{_URL_FIX} (it usually ends in /v1)"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, f"{where} did not answer: {reason}", f"start that server, or {_URL_FIX}"
    try:
        body = json.loads(raw)
    except ValueError:
        body = None  # answered, but no model list to check the name against
    served = [m.get("id") for m in body.get("data", []) if isinstance(m, dict)] if isinstance(body, dict) else []
    if served and endpoint.model not in served:
        listed = ", ".join(str(m) for m in served[:5])
        return False, f"{where} does not serve {endpoint.model}", f"set INTAKE_LLM_MODEL to one it serves: {listed}"
    return True, f"endpoint {where} answers", ""


def _database(settings: Settings) -> tuple[bool, str, str]:
    from store.db import migrate

    url = settings.resolved_database_url
    try:
        migrate(url)
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}", "check INTAKE_DATABASE_URL and that the server is up"
    return True, url.split("@")[-1], ""


CHECKS: dict[str, Check] = {
    "Tesseract (kor+eng)": _tesseract,
    "poppler (pdftoppm)": _poppler,
    "Korean font": _fonts,
    "LLM": _model,
    "database": _database,
}


def register(app: typer.Typer) -> None:
    @app.command()
    def doctor() -> None:
        """Check Tesseract languages, fonts, the LLM (configured endpoint or local model) and the database."""
        settings, console, failed = Settings(), Console(), 0
        for name, check in CHECKS.items():
            ok, found, fix = check(settings)
            mark = "[green]ok[/green]  " if ok else "[red]FAIL[/red]"
            # soft_wrap: a URL or a fix command stays on one line, whole for copying
            console.print(f"{mark} {name}: {found}" + ("" if ok else f"\n       fix: {fix}"), soft_wrap=True)
            failed += not ok
        raise typer.Exit(1 if failed else 0)
