"""The `intake` command line: human output by default, `--json` for machines.

Exit codes (DESIGN.md): 0 done, 1 some documents failed (each reported), 2 bad usage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows import cli_audit, cli_batch, cli_doctor, cli_eval, cli_llm, cli_price, cli_review, cli_serve
from flows.display import print_results
from flows.inputs import expand_paths
from flows.results import DocumentResult
from flows.runtime import open_runtime
from schemas.company import ConfigError
from schemas.settings import PROJECT_ROOT

app = typer.Typer(help="intake: mail, forms and scans in; priced quotes out.", no_args_is_help=True)
# Wide enough for the result table when output goes to a file or CI log (rich assumes 80 columns there).
console = Console(width=160) if not Console().is_terminal else Console()
err_console = Console(stderr=True)

ConfigOption = Annotated[Path | None, typer.Option("--config", help="company folder (default samples/company)")]
OutOption = Annotated[Path | None, typer.Option("--out", help="where quote PDFs and the outbox go")]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON for machines")]


def _exit_code(results: list[DocumentResult]) -> int:
    return 1 if any(r.status == "failed" for r in results) else 0


def _run_paths(paths: list[Path], config: Path | None, out: Path | None) -> tuple[list[DocumentResult], Path]:
    from flows.process_document import process_files

    try:
        with open_runtime(config_dir=config, out_dir=out) as rt:
            results = process_files([str(p) for p in paths])
            return results, rt.out_dir
    except ConfigError as exc:
        err_console.print(f"[red]company configuration error:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(2) from None


@app.command()
def run(
    paths: Annotated[list[Path], typer.Argument(help=".eml, .pdf, .png/.jpg/.tif files or folders of them")],
    config: ConfigOption = None,
    out: OutOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run the whole pipeline on files: extract, price, quote or queue for review."""
    files = expand_paths(paths)
    if not files:
        err_console.print("no input files found")
        raise typer.Exit(2)
    results, out_dir = _run_paths(files, config, out)
    if as_json:
        print(json.dumps([r.model_dump(mode="json") for r in results], ensure_ascii=False, indent=2))
    else:
        print_results(console, results, out_dir)
    raise typer.Exit(_exit_code(results))


@app.command()
def demo(out: OutOption = None) -> None:
    """Process the sample inbox end to end and say where the quotes, review queue and audit log are."""
    inbox = PROJECT_ROOT / "samples" / "inbox" / "docs"
    files = expand_paths([inbox])
    console.print(f"Processing {len(files)} documents from {inbox} with the sample company …")
    results, out_dir = _run_paths(files, PROJECT_ROOT / "samples" / "company", out)
    print_results(console, results, out_dir)


@app.command()
def extract(path: Path, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """The extraction alone, with per-field confidence and evidence."""
    from flows.stages import extract_file

    if not path.is_file():
        err_console.print(f"not a file: {path}")
        raise typer.Exit(2)
    with open_runtime(config_dir=config) as rt:
        extraction = extract_file(rt, path)
    if as_json:
        print(extraction.model_dump_json(indent=2))
        return
    console.print(f"[bold]{path.name}[/bold]: {extraction.kind.value.value} ({extraction.kind.confidence:.2f}), "
                  f"customer {extraction.customer_id.value} ({extraction.customer_id.confidence:.2f}), "
                  f"extractor {extraction.extractor}")
    for item in extraction.items:
        console.print(f"  {item.sku.value or '?'} × {item.quantity.value} ({item.sku.confidence:.2f}/"
                      f"{item.quantity.confidence:.2f})  {item.description.value}")
    for v in extraction.failed_validators:
        console.print(f"  [yellow]check failed:[/yellow] {v.name}: {v.message}")


for _module in (cli_eval, cli_audit, cli_batch, cli_doctor, cli_llm, cli_price, cli_review, cli_serve):
    _module.register(app)
