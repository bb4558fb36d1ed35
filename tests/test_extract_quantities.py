"""Quantities in Korean and English, and the numbers that must not be taken for quantities."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.quantities import find_quantities, normalize_unit, parse_cell_quantity


@pytest.mark.parametrize(
    ("text", "value", "unit", "form"),
    [
        ("6204 베어링 1,200개 부탁드립니다", "1200", "EA", "unit"),
        ("케이블타이 2박스", "2", "BOX", "unit"),
        ("please quote 3 cases", "3", "CASE", "unit"),
        ("hex bolt 500 pcs", "500", "EA", "unit"),
        ("ball bearing 6205 x 20", "20", None, "times"),
        ("6205 × 20", "20", None, "times"),
        ("V-belt 20 EA", "20", "EA", "unit"),
        ("수량: 15", "15", None, "label"),
        ("Qty 1,200 EA", "1200", "EA", "label"),
        ("주문수량 30개", "30", "EA", "label"),
        ("열 개 보내주세요", "10", "EA", "words"),
        ("두 박스를 주문합니다", "2", "BOX", "words"),
        ("열두 개", "12", "EA", "words"),
        ("M12 너트도 백 개 넣어주시고", "100", "EA", "words"),
        ("작동유 이백 리터", "200", "L", "words"),
        ("사십오 개", "45", "EA", "words"),
        ("100개로 변경해 주세요", "100", "EA", "unit"),
        ("유압호스 20m", "20", "M", "unit"),
        ("구리스 15키로", "15", "KG", "unit"),
        ("1만개", "10000", "EA", "unit"),
        ("코팅장갑 10세트", "10", "SET", "unit"),
        ("베어링100개", "100", "EA", "unit"),
    ],
)
def test_quantity_formats(text: str, value: str, unit: str | None, form: str) -> None:
    [mention] = find_quantities(text)
    assert (mention.value, mention.unit, mention.form) == (Decimal(value), unit, form)
    assert text[mention.start : mention.end] == mention.text


def test_each_quantity_is_marked_for_every_item() -> None:
    [per_item] = find_quantities("6204, 6205 15개씩")
    [with_each] = find_quantities("6204, 6205 각 10개")
    assert per_item.each and per_item.value == 15
    assert with_each.each and with_each.value == 10


@pytest.mark.parametrize(
    "text",
    [
        "볼트 M8 x 30",  # a thread size times a length
        "6204",  # a model number
        "케이블타이 200mm",  # a size
        "유압호스 1/2\"",  # an inch size
        "단가 4,200원",  # a price
        "₩5,000",
        "1,200 KRW",
        "2024-03-05 까지",  # a date
        "납기 3/15",
        "010-1234-5678",  # a phone number
        "3개월 안에",  # months, not pieces
        "100개입 케이블타이",  # pieces per pack, a property of the item
        "경기도 시흥시 공단1대로 237",  # a street name
        "스프로킷 RS40 15T",
        "감속비 1:20",
        "#40 체인",
        "2통화 드렸습니다",  # two phone calls
        "200 x 300mm",  # a dimension
        "이 박스에 담아 주세요",  # "this box": a sino digit alone is no number
        "백색 케이블타이",  # white, not a hundred
    ],
)
def test_numbers_that_are_not_quantities(text: str) -> None:
    assert find_quantities(text) == []


def test_sizes_and_quantities_on_one_line_are_told_apart() -> None:
    mentions = find_quantities("볼트 M8x30 500개, 케이블타이 200mm 5박스")
    assert [(m.value, m.unit) for m in mentions] == [(Decimal(500), "EA"), (Decimal(5), "BOX")]


def test_a_measure_in_a_name_is_still_reported_so_the_catalog_can_decide() -> None:
    mentions = find_quantities("기어오일 20L 말통 3개")
    assert [(m.value, m.unit, m.is_measure) for m in mentions] == [
        (Decimal(20), "L", True),
        (Decimal(3), "EA", False),
    ]


def test_units_are_normalised_to_one_code() -> None:
    assert {normalize_unit(u) for u in ("개", "EA", "pcs", "Pieces", "대")} == {"EA"}
    assert {normalize_unit(u) for u in ("박스", "box", "BOXES", "상자")} == {"BOX"}
    assert normalize_unit("묶음") == "묶음"
    assert normalize_unit(None) is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("100", (Decimal(100), None)), ("1,200", (Decimal(1200), None)), ("15 EA", (Decimal(15), "EA")),
     ("2.5", (Decimal("2.5"), None)), ("abc", None), ("", None), ("1,2", None)],
)  # fmt: skip
def test_table_cells(cell: str, expected: tuple[Decimal, str | None] | None) -> None:
    assert parse_cell_quantity(cell) == expected
