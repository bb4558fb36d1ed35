"""How customers write an item and its quantity: `6204ZZ 1,200개`, `2박스`, `3 cases of ...`, `x 20`.

Quantities are always in the catalog's unit, so the label stays exact whatever the wording.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from schemas.company import CatalogItem

# Words per catalog unit, Korean and English. Unknown units are written as they are in the catalog.
UNIT_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "EA": {"ko": ("개", "개", "EA", "ea", "pcs"), "en": ("pcs", "pcs", "EA", "units", "pieces")},
    "BOX": {"ko": ("박스", "박스", "BOX", "box", "곽"), "en": ("boxes", "cases", "BOX", "ctns")},
    "SET": {"ko": ("세트", "SET", "set", "묶음"), "en": ("sets", "SET", "sets")},
    "M": {"ko": ("m", "M", "미터"), "en": ("m", "meters", "M")},
    "L": {"ko": ("L", "리터", "ℓ"), "en": ("L", "liters", "litres")},
    "KG": {"ko": ("kg", "KG", "키로"), "en": ("kg", "KG", "kgs")},
    "ROLL": {"ko": ("롤", "ROLL", "R"), "en": ("rolls", "ROLL")},
    "PACK": {"ko": ("팩", "PACK", "봉"), "en": ("packs", "PACK", "bags")},
}
_QUANTITIES: dict[str, tuple[int, ...]] = {
    "EA": (10, 20, 24, 30, 50, 60, 100, 120, 150, 200, 300, 500, 1000, 1200, 2000),
    "BOX": (1, 2, 3, 4, 5, 10, 12, 20, 30),
    "SET": (2, 3, 5, 10, 20, 30),
    "M": (5, 10, 15, 20, 30, 50, 100),
    "L": (20, 40, 60, 100, 200),
    "KG": (5, 10, 15, 20, 50),
}
_DEFAULT_QUANTITIES = (1, 2, 5, 10, 20, 50, 100)
EXPENSIVE = 100_000


@dataclass(frozen=True)
class WrittenItem:
    sku: str
    quantity: int
    text: str


def pick_quantity(item: CatalogItem, rng: random.Random) -> int:
    """A quantity a customer would plausibly order: few of the expensive items, more of the cheap ones."""
    if item.unit_price >= EXPENSIVE:
        return rng.choice((1, 2, 3, 4, 5))
    return rng.choice(_QUANTITIES.get(item.unit.upper(), _DEFAULT_QUANTITIES))


def item_wording(item: CatalogItem, rng: random.Random, language: str) -> str:
    """The catalog name, one of its aliases, or the bare code, the way different people write."""
    if language == "en":
        return rng.choice([a for a in item.aliases if a.isascii()] * 2 + [item.sku])
    return rng.choice([item.name, item.name, *item.aliases, item.sku])


def number_wording(quantity: int, rng: random.Random) -> str:
    return f"{quantity:,}" if quantity >= 1000 and rng.random() < 0.7 else str(quantity)


def unit_wording(item: CatalogItem, rng: random.Random, language: str) -> str:
    words = UNIT_WORDS.get(item.unit.upper())
    return rng.choice(words[language]) if words else item.unit


def write_item(item: CatalogItem, quantity: int, rng: random.Random, language: str, index: int) -> WrittenItem:
    """One order line in one of several house styles (bullets, numbering, `x N`, `N units of`)."""
    name = item_wording(item, rng, language)
    number = number_wording(quantity, rng)
    unit = unit_wording(item, rng, language)
    glue = "" if language == "ko" and not unit.isascii() else " "
    if language == "ko":
        styles = (
            f"- {name} {number}{glue}{unit}",
            f"{index}. {name} / {number}{glue}{unit}",
            f"{name} : {number}{glue}{unit}",
            f"* {name}  수량 {number}{glue}{unit}",
            f"{name} x {number}",
        )
    else:
        styles = (
            f"- {name}: {number} {unit}",
            f"{index}) {number} {unit} of {name}",
            f"{name} x {number}",
            f"- {name}, qty {number} {unit}",
        )
    return WrittenItem(item.sku, quantity, rng.choice(styles))


def pick_items(catalog: list[CatalogItem], rng: random.Random, count: int) -> list[tuple[CatalogItem, int]]:
    """`count` different catalog items, each with a plausible quantity."""
    chosen = rng.sample(catalog, min(count, len(catalog)))
    return [(item, pick_quantity(item, rng)) for item in chosen]
