"""Line-item tables from word boxes: columns from the header, continuation lines, totals rows, page breaks."""

from __future__ import annotations

from extractors.layout_tables import located_tables, tables_from_lines, tables_from_pages
from schemas.text import Line, Page, Word

HEIGHT = 10.0


def _line(y: float, *cells: tuple[float, str], confidence: float = 1.0) -> Line:
    """Words placed at x positions on one row (each cell's words spaced like text)."""
    words = []
    for x, text in cells:
        for token in text.split():
            width = 6.0 * len(token)
            words.append(Word(text=token, bbox=(x, y, x + width, y + HEIGHT), confidence=confidence))
            x += width + 3.0
    return Line(text=" ".join(w.text for w in words), bbox=(words[0].bbox[0], y, words[-1].bbox[2], y + HEIGHT),
                words=words)  # fmt: skip


# Columns as a German invoice prints them: left-aligned description, right-aligned numbers.
POSITION, DESCRIPTION, QUANTITY, PRICE, AMOUNT = 40, 80, 300, 380, 470


def _invoice_lines() -> list[Line]:
    return [
        _line(100, (40, "Rechnung Nr. 4711")),
        _line(140, (POSITION, "Pos."), (DESCRIPTION, "Bezeichnung"), (QUANTITY, "Menge"), (PRICE, "Einzelpreis"),
              (AMOUNT, "Gesamt")),
        _line(160, (POSITION, "1"), (DESCRIPTION, "Amboss 250 kg"), (QUANTITY + 6, "2 Stk"), (PRICE + 20, "1.000,00"),
              (AMOUNT + 14, "2.000,00")),
        _line(172, (DESCRIPTION, "geschmiedet, schwarz")),
        _line(190, (POSITION, "2"), (DESCRIPTION, "Kette verzinkt"), (QUANTITY + 6, "30 m"), (PRICE + 38, "10,00"),
              (AMOUNT + 32, "300,00")),
        _line(230, (PRICE - 60, "Summe netto"), (AMOUNT + 14, "2.300,00")),
        _line(244, (PRICE - 60, "MwSt. 19 %"), (AMOUNT + 26, "437,00")),
        _line(300, (40, "Bankverbindung: IBAN DE02 1203 0000 0000 2020 51")),
    ]


def test_header_words_give_the_columns_and_rows_the_cells() -> None:
    (table,) = tables_from_lines(_invoice_lines())
    assert table.rows == [
        ["Pos.", "Bezeichnung", "Menge", "Einzelpreis", "Gesamt"],
        ["1", "Amboss 250 kg\ngeschmiedet, schwarz", "2 Stk", "1.000,00", "2.000,00"],
        ["2", "Kette verzinkt", "30 m", "10,00", "300,00"],
    ]


def test_totals_and_footer_are_not_items() -> None:
    (table,) = tables_from_lines(_invoice_lines())
    assert not any("Summe" in (cell or "") or "IBAN" in (cell or "") for row in table.rows for cell in row)


def test_cells_keep_their_words_box_and_confidence() -> None:
    lines = _invoice_lines()
    lines[2] = _line(160, (POSITION, "1"), (DESCRIPTION, "Amboss 250 kg"), (QUANTITY + 6, "2 Stk"),
                     (PRICE + 20, "1.000,00"), (AMOUNT + 14, "2.000,00"), confidence=0.62)  # fmt: skip
    (table,) = located_tables([Page(number=3, method="ocr", lines=lines)])
    quantity = table.rows[0][2]
    assert table.page == 3
    assert quantity is not None and quantity.text == "2 Stk" and quantity.confidence == 0.62
    assert quantity.bbox == (QUANTITY + 6, 160, QUANTITY + 6 + 6 + 3 + 18, 170)


def test_korean_table_with_units_glued_to_quantities() -> None:
    lines = [
        _line(100, (50, "품목"), (230, "규격"), (310, "수량"), (380, "단가"), (465, "금액")),
        _line(124, (56, "A4 복사용지"), (236, "500매"), (318, "120건"), (400, "24,500"), (480, "2,940,000")),
        _line(148, (56, "볼펜 흑색"), (236, "12입"), (330, "5개"), (410, "6,000"), (490, "30,000")),
        _line(190, (330, "공급가액"), (480, "2,970,000원")),
    ]
    (table,) = tables_from_lines(lines)
    assert [row[2] for row in table.rows] == ["수량", "120건", "5개"]
    assert len(table.rows) == 3


def test_a_table_cut_by_a_page_break_continues_on_the_next_page() -> None:
    first = Page(number=1, method="pdf", lines=_invoice_lines()[:4])
    second = Page(
        number=2,
        method="pdf",
        lines=[
            _line(60, (POSITION, "2"), (DESCRIPTION, "Kette verzinkt"), (QUANTITY + 6, "30 m"), (PRICE + 38, "10,00"),
                  (AMOUNT + 32, "300,00")),
            _line(100, (PRICE - 60, "Summe netto"), (AMOUNT + 14, "2.300,00")),
        ],
    )
    per_page = tables_from_pages([first, second])
    assert [len(tables) for tables in per_page] == [1, 1]
    assert per_page[1][0].rows[0] == per_page[0][0].rows[0], "the continued table repeats the header labels"
    assert per_page[1][0].rows[1][1] == "Kette verzinkt"


def test_a_page_without_an_item_header_has_no_table() -> None:
    lines = [_line(100, (40, "Sehr geehrte Damen und Herren,")), _line(120, (40, "anbei unser Angebot 4711."))]
    assert tables_from_lines(lines) == []
