"""`intake doctor`: check what intake needs on this machine and say how to fix each problem."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable

import typer
from rich.console import Console

from schemas.settings import Settings

Check = Callable[[Settings], tuple[bool, str, str]]  # ok, what was found, how to fix


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
    if not settings.llm_enabled:
        return True, "LLM off (INTAKE_LLM=off)", ""
    if settings.llm_base_url:
        return True, f"remote endpoint {settings.llm_base_url}", ""
    from extractors.local_model import verified_model_path

    try:
        return True, str(verified_model_path(settings)), ""
    except (FileNotFoundError, ValueError) as exc:  # ModelInstallError is a ValueError
        return False, str(exc), "intake llm install (or make install)"


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
    "local LLM": _model,
    "database": _database,
}


def register(app: typer.Typer) -> None:
    @app.command()
    def doctor() -> None:
        """Check Tesseract languages, fonts, the local model and the database; say how to fix each."""
        settings, console, failed = Settings(), Console(), 0
        for name, check in CHECKS.items():
            ok, found, fix = check(settings)
            mark = "[green]ok[/green]  " if ok else "[red]FAIL[/red]"
            console.print(f"{mark} {name}: {found}" + ("" if ok else f"\n       fix: {fix}"))
            failed += not ok
        raise typer.Exit(1 if failed else 0)
