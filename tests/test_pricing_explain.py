"""`intake price`: one price explained, rule by rule, from a real company folder."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import typer
import yaml
from fixtures_pricing import make_rules, tiny_company, write_company
from typer.testing import CliRunner

from flows.cli_price import register
from pricing.explain import ExplainError, explain_price, render_explanation

PRICING = textwrap.dedent(
    """
    item_groups:
      bolts: {name: 볼트류, patterns: ["BOLT-*"]}
    price_lists:
      wholesale: {name: 도매 단가표, customer_groups: [wholesale], discount_percent: 10}
    max_discount: {default: 20}
    rules:
      - id: bolt-tiers
        name: 볼트 수량 할인
        scope: {groups: [bolts]}
        priority: 1
        tiers: {mode: whole_line, bands: [{min_qty: 100, discount_percent: 10}, {min_qty: 500, discount_percent: 20}]}
      - id: bolt-special
        name: 볼트 특가
        scope: {skus: [BOLT-8]}
        discount_percent: 5
      - id: vip
        name: VIP 추가 할인
        who: {customer_groups: [vip]}
        discount_percent: 10
        stackable: true
      - id: year-end
        name: 연말 프로모션
        when: {valid_from: 2026-12-01, valid_to: 2026-12-31}
        discount_percent: 3
        stackable: true
      - id: gift
        name: 너트 증정
        scope: {skus: [BOLT-8]}
        free_item: {per: 100, qty: 10, sku: NUT-8}
    approval_bands:
      - {id: approver, name: 팀장 승인, role: approver, min_line_discount_percent: 15}
    """
)


@pytest.fixture
def company_dir(tmp_path: Path) -> Path:
    return write_company(tmp_path / "company", PRICING)


def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def main() -> None:
        """A stand-in for the `intake` app, so `price` stays a sub-command."""

    return app


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli(), ["price", *args])
    return result.exit_code, result.stdout, result.stderr


def test_every_rule_is_listed_with_why(company_dir: Path) -> None:
    company = tiny_company(company_dir)
    rules = make_rules(yaml.safe_load(PRICING), company)
    explanation = explain_price(company, rules, "K1", "BOLT-8", Decimal(120), date(2026, 12, 10))
    verdicts = {v.rule_id: (v.status, v.reason) for v in explanation.rules}
    assert verdicts["bolt-tiers"] == ("applied", "100EA 이상 10% 할인")
    assert verdicts["bolt-special"] == (
        "outranked",
        "not stackable; bolt-tiers applies instead: higher priority (1 > 0)",
    )
    assert verdicts["vip"] == ("applied", "10% 할인")
    assert verdicts["year-end"] == ("applied", "3% 할인")
    assert verdicts["gift"][0] == "applied"
    assert verdicts["max-discount"][0] == "applied" and "20% (default)" in verdicts["max-discount"][1]
    # 100 -> 90 (tier) -> 81 (vip) -> 78.57 (year-end) -> capped at 80
    assert (explanation.list_price, explanation.line.unit_price, explanation.line.amount) == (100, 80, 9600)
    assert [(line.sku, int(line.quantity)) for line in explanation.free_lines] == [("NUT-8", 10)]
    assert explanation.approval is not None and explanation.approval.required_role == "approver"


def test_rules_that_do_not_apply_say_why(company_dir: Path) -> None:
    company = tiny_company(company_dir)
    rules = make_rules(yaml.safe_load(PRICING), company)
    explanation = explain_price(company, rules, "K3", "BOLT-8", Decimal(50), date(2026, 6, 1))
    verdicts = {v.rule_id: (v.status, v.reason) for v in explanation.rules}
    assert verdicts["bolt-special"] == ("applied", "5% 할인")
    assert verdicts["bolt-tiers"] == ("not_applicable", "quantity 50 is below the first tier (100)")
    assert verdicts["vip"] == ("not_applicable", "only for customer group vip (the customer has 'retail')")
    assert verdicts["year-end"] == ("not_applicable", "not yet valid on 2026-06-01 (from 2026-12-01)")
    assert verdicts["gift"][0] == "not_applicable"
    assert "max-discount" not in verdicts


def test_human_output(company_dir: Path) -> None:
    code, out, _ = invoke(
        "--customer", "K2", "--sku", "BOLT-10", "--qty", "120", "--date", "2026-12-01", "--config", str(company_dir)
    )
    assert code == 0
    assert "BOLT-10 볼트 M10 × 120 EA" in out
    assert "price list:   도매 단가표 (prices exclude VAT)" in out
    assert "list price:   135원 / EA (catalog.csv: 150원)" in out
    assert "✓ bolt-tiers (볼트 수량 할인): applied: 100EA 이상 10% 할인 → 122원" in out
    assert "· vip (VIP 추가 할인): does not apply: only for customer group vip" in out
    assert "result:       unit price 118원, amount 14,160원" in out


def test_json_output(company_dir: Path) -> None:
    code, out, _ = invoke(
        "--customer",
        "K1",
        "--sku",
        "BOLT-8",
        "--qty",
        "120",
        "--date",
        "2026-12-10",
        "--config",
        str(company_dir),
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["line"]["unit_price"] == 80 and data["quantity"] == 120
    assert [rule["rule_id"] for rule in data["line"]["rules"]] == ["bolt-tiers", "vip", "year-end", "max-discount"]
    assert {v["rule_id"] for v in data["rules"]} == {
        "bolt-tiers",
        "bolt-special",
        "vip",
        "year-end",
        "gift",
        "max-discount",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sku", "NOPE", "--qty", "1"], "SKU NOPE is not in catalog.csv"),
        (["--sku", "OIL", "--qty", "1", "--customer", "K99"], "customer K99 is not in customers.csv"),
        (["--sku", "OIL", "--qty", "many"], "--qty must be a number"),
        (["--sku", "OIL", "--qty", "0"], "quantity must be positive"),
        (["--sku", "OIL", "--qty", "NaN"], "--qty must be a number"),
    ],
)
def test_bad_questions_exit_2(company_dir: Path, args: list[str], message: str) -> None:
    code, _, err = invoke(*args, "--config", str(company_dir))
    assert code == 2 and message in err


def test_a_broken_pricing_file_exits_2_with_the_problem(tmp_path: Path) -> None:
    folder = write_company(tmp_path / "broken", "rules:\n  - {id: a, name: A}\n")
    code, _, err = invoke("--sku", "OIL", "--qty", "1", "--config", str(folder))
    assert code == 2 and "rules[0] (id 'a'): give exactly one outcome" in err


def test_no_customer_uses_the_default_list(company_dir: Path) -> None:
    code, out, _ = invoke("--sku", "OIL", "--qty", "2", "--config", str(company_dir))
    assert code == 0 and "no customer (default list, rules for everyone)" in out
    assert "totals:       subtotal 2,468원, VAT 10% 247원, total 2,715원 (this line alone)" in out


def test_render_without_rules() -> None:
    company = tiny_company()
    text = render_explanation(explain_price(company, make_rules(), None, "OIL", Decimal("2.5"), date(2026, 1, 1)))
    assert "rules considered: none" in text and "× 2.5 L" in text


def test_explain_refuses_unknown_items() -> None:
    with pytest.raises(ExplainError):
        explain_price(tiny_company(), make_rules(), None, "GHOST", Decimal(1), date(2026, 1, 1))
