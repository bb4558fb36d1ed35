"""Geometry for layout_tables: words into rows, header cells into columns, body words into column cells."""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass, field

from extractors.invoice_labels import column_role

TEXT_ROLES = ("description", "code", "spec", "position")
_MAX_LABEL_WORDS = 4


@dataclass
class Box:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float = 1.0

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class Column:
    role: str
    label: str
    x0: float
    x1: float


@dataclass
class Row:
    boxes: list[Box]
    cells: dict[int, list[Box]] = field(default_factory=dict)

    @property
    def top(self) -> float:
        return min(b.top for b in self.boxes)

    @property
    def bottom(self) -> float:
        return max(b.bottom for b in self.boxes)

    @property
    def text(self) -> str:
        return " ".join(b.text for b in self.boxes)

    def cell(self, k: int) -> str | None:
        return " ".join(b.text for b in self.cells[k]) if k in self.cells else None


def group_rows(boxes: list[Box]) -> list[Row]:
    """Words whose vertical middles lie within half a word height form one row, read left to right."""
    rows: list[Row] = []
    for box in sorted(boxes, key=lambda b: b.middle):
        if rows:
            last = rows[-1]
            middle = statistics.fmean(b.middle for b in last.boxes)
            tolerance = 0.5 * min(box.height, statistics.median(b.height for b in last.boxes))
            if abs(box.middle - middle) <= tolerance:
                last.boxes.append(box)
                continue
        rows.append(Row([box]))
    for row in rows:
        row.boxes.sort(key=lambda b: b.x0)
    return rows


def header_columns(row: Row) -> list[Column]:
    """Match runs of up to four neighbouring words against the column vocabulary, longest run first."""
    columns: list[Column] = []
    boxes = row.boxes
    i = 0
    while i < len(boxes):
        for span in range(min(_MAX_LABEL_WORDS, len(boxes) - i), 0, -1):
            words = boxes[i : i + span]
            label = " ".join(b.text for b in words)
            role = column_role(label, fuzzy=span == 1)
            if role and (span == 1 or _close_together(words)):
                columns.append(Column(role, label, words[0].x0, words[-1].x1))
                i += span
                break
        else:
            i += 1
    return columns


def _close_together(words: list[Box]) -> bool:
    return all(b.x0 - a.x1 < 1.2 * a.height for a, b in itertools.pairwise(words))


def complete_hyphenated_labels(rows: list[Row], index: int, columns: list[Column], height: float) -> list[Column]:
    """Add header labels hyphenated over two lines beside the main header row (`Positions-` / `betrag`)."""
    header = rows[index]
    roles = {c.role for c in columns}
    for row in rows[max(index - 3, 0) : index + 1]:
        if header.top - row.top > 3 * height:
            continue
        for box in row.boxes:
            if not box.text.endswith("-") or any(overlap(box.x0, box.x1, c.x0, c.x1) > 0 for c in columns):
                continue
            below = _box_below(rows, row, box)
            role = column_role(box.text + below.text) if below else None
            if below and role and role not in roles:
                columns.append(Column(role, box.text + below.text, min(box.x0, below.x0), max(box.x1, below.x1)))
                roles.add(role)
    return sorted(columns, key=lambda c: c.x0)


def _box_below(rows: list[Row], row: Row, box: Box) -> Box | None:
    below = [r for r in rows if r.top > row.top and r.top - row.bottom < 2 * box.height]
    for candidate in (b for r in below[:1] for b in r.boxes):
        if overlap(box.x0, box.x1, candidate.x0, candidate.x1) > 0:
            return candidate
    return None


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def boundaries(columns: list[Column]) -> list[float]:
    """Where one column's territory ends and the next begins.

    Text columns are left-aligned and run long (a description fills the space up to the quantity), numbers
    are right-aligned under their header: so after a text column the border sits just before the next
    header, between two number columns it sits halfway.
    """
    borders = []
    for left, right in itertools.pairwise(columns):
        if left.role in TEXT_ROLES and right.role not in TEXT_ROLES:
            borders.append(right.x0 - 0.25 * (right.x0 - left.x1))
        else:
            borders.append((left.x1 + right.x0) / 2)
    return borders


def column_of(box: Box, columns: list[Column], borders: list[float]) -> int:
    """The column a body word sits under: the header it overlaps most, else the territory that holds it."""
    best, best_overlap = None, 0.0
    for k, column in enumerate(columns):
        shared = overlap(box.x0, box.x1, column.x0, column.x1)
        if shared > best_overlap:
            best, best_overlap = k, shared
    if best is not None:
        return best
    middle = (box.x0 + box.x1) / 2
    return sum(middle >= border for border in borders)


def fill_cells(row: Row, columns: list[Column], borders: list[float]) -> None:
    row.cells = {}
    for box in row.boxes:
        row.cells.setdefault(column_of(box, columns, borders), []).append(box)


def row_pitch(rows: list[Row], height: float) -> float:
    """Typical distance between consecutive rows (at least 1.5 word heights)."""
    tops = [r.top for r in rows]
    gaps = [b - a for a, b in itertools.pairwise(tops) if b > a]
    return max(statistics.median(gaps) if gaps else 2 * height, 1.5 * height)
