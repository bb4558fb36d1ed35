"""`intake eval DATASET`: metrics on a labelled set without recording anything."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.evaluation import Label, Prediction, compute_metrics, document_correct, dump, load_labels
from flows.runtime import Runtime, open_runtime
from flows.stages import evaluate_file


def _predict(rt: Runtime, dataset: Path, label: Label, on: date) -> Prediction:
    started = time.perf_counter()
    outcome = evaluate_file(rt, dataset / label.file, on)
    ex = outcome.extraction
    return Prediction(
        route=outcome.decision.route,
        kind=ex.kind.value if ex else None,
        customer_id=ex.customer_id.value if ex else None,
        items=[(i.sku.value, i.quantity.value) for i in ex.items] if ex else [],
        seconds=time.perf_counter() - started,
    )


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(
        dataset: Annotated[Path, typer.Argument(help="folder with labels.jsonl and the documents it names")],
        config: Annotated[Path | None, typer.Option("--config", help="company folder")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print the metrics object")] = False,
    ) -> None:
        """Extraction and routing metrics on a labelled data set (DESIGN.md's `intake eval --json`)."""
        if not (dataset / "labels.jsonl").is_file():
            Console(stderr=True).print(f"no labels.jsonl in {dataset}")
            raise typer.Exit(2)
        labels = load_labels(dataset)
        with open_runtime(config_dir=config) as rt:
            preds = [_predict(rt, dataset, label, date.today()) for label in labels]
        metrics = compute_metrics(labels, preds)
        if as_json:
            print(dump(metrics))
            return
        console = Console()
        for label, pred in zip(labels, preds, strict=True):
            mark = "[green]ok[/green]" if document_correct(label, pred) else "[red]wrong[/red]"
            console.print(f"{mark:>16}  {pred.route.value:<11} {label.file}")
        console.print_json(dump(metrics))
