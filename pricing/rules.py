"""Load pricing.yaml from a company folder: YAML, then the schema, then references to catalog and customers.

Every problem names where it is (`rules[2] (id 'bolt-tiers'): when.min_qty`) and why, and all problems
of a file are reported together so the owner can fix them in one pass.
"""

from __future__ import annotations

import hashlib
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pricing.schema import DEFAULT_LIST, PricingFile, PricingRules
from schemas.company import CompanyConfig, ConfigError

__all__ = ["PricingError", "PricingRules", "load_pricing", "parse_pricing", "reference_problems"]

_LISTED_SECTIONS = {"rules": "id", "approval_bands": "id"}


class PricingError(ConfigError):
    """pricing.yaml is not usable; `problems` holds one line per problem."""

    def __init__(self, path: Path, problems: list[str], line: int | None = None):
        message = problems[0] if len(problems) == 1 else "\n  - ".join([f"{len(problems)} problems:", *problems])
        super().__init__(path, message, line)
        self.problems = problems


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys; in a price list that silently drops a price."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_pricing(company: CompanyConfig) -> PricingRules:
    """The company's pricing rules; catalog prices only (no rules, 10 % VAT) when there is no pricing.yaml."""
    path = company.pricing_path
    if path is None:
        return PricingRules()
    data = path.read_bytes()
    try:
        raw = yaml.load(
            data.decode("utf-8-sig"), Loader=_UniqueKeyLoader
        )  # a SafeLoader subclass: no arbitrary objects
    except UnicodeDecodeError as exc:
        raise PricingError(path, [f"not UTF-8 text: {exc.reason} at byte {exc.start}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PricingError(path, [f"not valid YAML: {exc}"], mark.line + 1 if mark else None) from None
    pricing = parse_pricing(raw, path)
    if problems := reference_problems(pricing, company):
        raise PricingError(path, problems)
    return PricingRules(version=hashlib.sha256(data).hexdigest(), **dict(pricing))


def parse_pricing(raw: Any, path: Path) -> PricingFile:
    """Validate parsed YAML against the schema; raise PricingError listing every problem."""
    if raw is None:
        return PricingFile()
    if not isinstance(raw, dict):
        raise PricingError(
            path, [f"the file must be a mapping of sections (currency, rules, …), not {type(raw).__name__}"]
        )
    try:
        return PricingFile.model_validate(raw)
    except ValidationError as exc:
        raise PricingError(path, [problem for error in exc.errors() for problem in _describe(error, raw)]) from None


def _describe(error: Any, raw: dict[str, Any]) -> list[str]:
    """One line per problem; the file-wide checks report several problems in one error, one per line."""
    where = _location(list(error["loc"]), raw)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling; docs/pricing.md lists every key)"
    elif not isinstance(error.get("input"), dict | list) and error["type"] not in {"missing", "value_error"}:
        message += f" (got {error['input']!r})"
    return [f"{where}: {line}" if where else line for line in message.splitlines()]


def _location(loc: list[Any], raw: dict[str, Any]) -> str:
    """`['rules', 2, 'when', 'min_qty']` -> `rules[2] (id 'bolt-tiers'): when.min_qty`."""
    if len(loc) >= 2 and loc[0] in _LISTED_SECTIONS and isinstance(loc[1], int):
        section, index, rest = loc[0], loc[1], loc[2:]
        entries = raw.get(section)
        entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
        key = entry.get(_LISTED_SECTIONS[section]) if isinstance(entry, dict) else None
        head = f"{section}[{index}]" + (f" (id '{key}')" if key else "")
        return f"{head}: {_dotted(rest)}" if rest else head
    return _dotted(loc)


def _dotted(parts: list[Any]) -> str:
    return ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in parts).replace(".[", "[")


def reference_problems(pricing: PricingFile, company: CompanyConfig) -> list[str]:
    """SKUs, customers and customer groups the file names that the company folder does not have."""
    skus = {item.sku for item in company.catalog}
    customers = {customer.customer_id for customer in company.customers}
    groups = {customer.group for customer in company.customers if customer.group}
    problems: list[str] = []

    def check(where: str, values: list[str], known: set[str], what: str) -> None:
        hint = f" (known: {', '.join(sorted(known))})" if what == "customer group" else ""
        problems.extend(f"{where}: unknown {what} '{value}'{hint}" for value in values if value not in known)

    for group_id, group in pricing.item_groups.items():
        check(f"item_groups.{group_id}.skus", group.skus, skus, "SKU")
        problems.extend(
            f"item_groups.{group_id}.patterns: '{pattern}' matches no SKU in catalog.csv"
            for pattern in group.patterns
            if not any(fnmatchcase(sku, pattern) for sku in skus)
        )
    for list_id, price_list in pricing.price_lists.items():
        if list_id == DEFAULT_LIST:
            continue
        check(f"price_lists.{list_id}.prices", list(price_list.prices), skus, "SKU")
        check(f"price_lists.{list_id}.customers", price_list.customers, customers, "customer")
        check(f"price_lists.{list_id}.customer_groups", price_list.customer_groups, groups, "customer group")
    for index, rule in enumerate(pricing.rules):
        where = f"rules[{index}] (id '{rule.id}')"
        check(f"{where}: scope.skus", rule.scope.skus, skus, "SKU")
        check(f"{where}: who.customers", rule.who.customers, customers, "customer")
        check(f"{where}: who.customer_groups", rule.who.customer_groups, groups, "customer group")
        if rule.free_item and rule.free_item.sku:
            check(f"{where}: free_item.sku", [rule.free_item.sku], skus, "SKU")
    check("max_discount.skus", list(pricing.max_discount.skus), skus, "SKU")
    return problems
