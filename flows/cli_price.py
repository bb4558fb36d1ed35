"""`intake price`: explain one price from the command line (list price, every rule considered, the result)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from pricing.explain import ExplainError, explain_price, render_explanation
from pricing.rules import load_pricing
from schemas.company import ConfigError, load_company
from schemas.settings import Settings


def register(app: typer.Typer) -> None:
    """Add the `price` command to the `intake` app."""
    app.command("price")(price)


def price(
    sku: Annotated[str, typer.Option("--sku", help="catalog SKU")],
    qty: Annotated[str, typer.Option("--qty", help="quantity, e.g. 120 or 2.5")],
    customer: Annotated[str | None, typer.Option("--customer", help="customer id (none: default list)")] = None,
    on: Annotated[
        datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="price date (default: today)")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="company folder (default samples/company)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON for machines")] = False,
) -> None:
    """Explain one price: the price list, every rule considered and why it applied or not, and the result."""
    try:
        quantity = Decimal(qty)
    except InvalidOperation:
        _fail(f"--qty must be a number, got '{qty}'")
    if not quantity.is_finite():
        _fail(f"--qty must be a number, got '{qty}'")
    try:
        company = load_company(config or Settings().config_dir)
        rules = load_pricing(company)
        explanation = explain_price(company, rules, customer, sku, quantity, on.date() if on else date.today())
    except (ConfigError, ExplainError) as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(explanation.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_explanation(explanation))


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)
