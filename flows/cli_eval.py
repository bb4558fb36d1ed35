"""`intake eval DATASET` (metrics) and `intake calibrate DATASET` (threshold sweep) on a labelled set.

Neither records anything. Calibration is its own command because its output is a table of threshold
settings, not DESIGN.md's metrics object.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.calibration import (
    DEFAULT_VALUES,
    THRESHOLDS,
    Calibration,
    SweepRow,
    best_safe,
    frontier,
    one_at_a_time,
    sweep,
    sweep_json,
)
from flows.evaluation import Label, compute_metrics, document_correct, dump, load_labels, predict
from flows.runtime import open_runtime

DatasetArgument = Annotated[Path, typer.Argument(help="folder with labels.jsonl and the documents it names")]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="company folder")]


def _labels_or_exit(dataset: Path) -> list[Label]:
    if not (dataset / "labels.jsonl").is_file():
        Console(stderr=True).print(f"no labels.jsonl in {dataset}")
        raise typer.Exit(2)
    return load_labels(dataset)


def _parse_values(text: str) -> tuple[float, ...]:
    try:
        values = tuple(sorted({float(v) for v in text.split(",") if v.strip()}))
    except ValueError:
        values = ()
    if not values or not all(0 <= v <= 1 for v in values):
        Console(stderr=True).print(f"--values wants comma-separated numbers in [0, 1], got {text!r}")
        raise typer.Exit(2)
    return values


def _row_line(row: SweepRow, margin: float | None, notes: str = "") -> str:
    settings = " ".join(f"{value:>8.2f}" for value in row.thresholds.values())
    shown = "none" if margin is None else f"{margin:.3f}"
    return f"{row.auto_rate:6.3f} {row.undetected_error_rate:10.3f} {shown:>6}  {settings}  {notes}"


def _print_calibration(console: Console, calibration: Calibration, extractor: str) -> None:
    rows, current, margins = calibration.rows, calibration.current, calibration.margins
    console.print(f"{len(rows)} threshold settings over {current.documents} documents ({extractor})")
    console.print("\none threshold at a time, the others as now ([green]safe[/green] = undetected 0):")
    console.print(f"{'threshold':>10} {'value':>6} {'auto':>6} {'undetected':>10}")
    for name, value, row in one_at_a_time(rows, current):
        mark = "[green]safe[/green]" if row.safe else "[red]lets a wrong one through[/red]"
        now = "  <- now" if value == current.thresholds[name] else ""
        console.print(f"{name:>10} {value:6.2f} {row.auto_rate:6.3f} {row.undetected_error_rate:10.3f}  {mark}{now}")
    console.print(
        "\neach auto rate reached: the setting with the fewest undetected errors, then the highest thresholds\n"
        "(margin: how far all thresholds could drop together before a wrong document of the set goes through;"
        " none: not even thresholds of 0 let one through)"
    )
    header = f"{'auto':>6} {'undetected':>10} {'margin':>6}  " + " ".join(f"{name:>8}" for name in THRESHOLDS)
    console.print(header)
    for row in frontier(rows):
        now = row.auto_rate == current.auto_rate and row.undetected_error_rate == current.undetected_error_rate
        console.print(_row_line(row, margins.of(row), "current defaults reach this rate" if now else ""))
    console.print(f"\n{'':12}{header}")
    console.print(f"{'current':12}{_row_line(current, margins.of(current))}")
    best = margins.most(best_safe(rows))
    if best is not None:
        console.print(f"{'best safe':12}{_row_line(best, margins.of(best), '(highest safe auto rate, widest margin)')}")


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(
        dataset: DatasetArgument,
        config: ConfigOption = None,
        as_json: Annotated[bool, typer.Option("--json", help="print the metrics object")] = False,
    ) -> None:
        """Extraction and routing metrics on a labelled data set (DESIGN.md's `intake eval --json`)."""
        labels = _labels_or_exit(dataset)
        with open_runtime(config_dir=config) as rt:
            preds = [predict(rt, dataset, label, date.today())[1] for label in labels]
        metrics = compute_metrics(labels, preds)
        if as_json:
            print(dump(metrics))
            return
        console = Console()
        for label, pred in zip(labels, preds, strict=True):
            mark = "[green]ok[/green]" if document_correct(label, pred) else "[red]wrong[/red]"
            console.print(f"{mark:>16}  {pred.route.value:<11} {label.file}")
        console.print_json(dump(metrics))

    @app.command("calibrate")
    def calibrate_command(
        dataset: DatasetArgument,
        config: ConfigOption = None,
        values: Annotated[
            str, typer.Option("--values", help="threshold values tried for every field (the current ones are added)")
        ] = ",".join(f"{v:g}" for v in DEFAULT_VALUES),
        as_json: Annotated[bool, typer.Option("--json", help="print every row as JSON")] = False,
    ) -> None:
        """Extract each document once, then re-decide over a grid of thresholds: auto rate and undetected errors.

        See docs/thresholds.md for how the defaults were chosen with it.
        """
        grid = _parse_values(values)
        labels = _labels_or_exit(dataset)
        with open_runtime(config_dir=config) as rt:
            predicted = [predict(rt, dataset, label, date.today()) for label in labels]
            settings = rt.settings
        correct = [document_correct(label, pred) for label, (_, pred) in zip(labels, predicted, strict=True)]
        outcomes = [outcome for outcome, _ in predicted]
        calibration = sweep(outcomes, correct, settings, grid)
        extractor = next((o.extraction.extractor for o in outcomes if o.extraction), "no extraction")
        if as_json:
            print(sweep_json(calibration, extractor))
            return
        _print_calibration(Console(width=160), calibration, extractor)
