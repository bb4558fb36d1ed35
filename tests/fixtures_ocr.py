"""Test pages for the OCR and invoice tests: Korean forms rendered with reportlab, and degraded scans.

Everything is generated from a seed so a failing measurement can be reproduced exactly.
"""

from __future__ import annotations

import os
import random
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractors.layout_rows import Box, group_rows
from quotes.fonts import korean_font
from schemas.text import Page

NANUM_GOTHIC = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")


def shared_data_dir() -> Path:
    """The third-party documents (../shared/data beside the repo, or INTAKE_SHARED_DATA)."""
    configured = os.environ.get("INTAKE_SHARED_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "data"


# ---------------------------------------------------------------- Korean documents

_PRODUCTS = [
    ("A4 복사용지 80g", "500매", "박스", 24_500),
    ("볼펜 0.7mm 흑색", "12입", "갑", 6_000),
    ("스테이플러 심 33호", "1000개", "갑", 1_200),
    ("무선 마우스 M185", "USB", "개", 18_900),
    ("토너 카트리지 TN-2480", "정품", "개", 89_000),
    ("포장 테이프 48mm", "50m", "롤", 1_800),
    ("클리어 파일 20매", "A4", "권", 2_300),
    ("모니터 받침대", "원목", "개", 32_000),
    ("물티슈 캡형", "100매", "팩", 2_900),
    ("종이컵 6.5온스", "1000개", "박스", 21_000),
    ("라벨 스티커 21칸", "100매", "팩", 15_400),
    ("안전 장갑 코팅", "L", "켤레", 1_100),
    ("점착 메모지 76x76", "12패드", "세트", 9_800),
    ("서류 보관함 5단", "회색", "개", 45_000),
    ("건전지 AA", "20입", "팩", 11_500),
    ("형광펜 5색", "세트", "세트", 4_500),
]
_UNIT_WORDS = ["건", "개", "박스", "EA", "세트"]
_COMPANIES = [
    ("(주)한빛사무기기", "214-86-12347", "서울특별시 강남구 테헤란로 152"),
    ("대성유통 주식회사", "130-81-55021", "경기도 성남시 분당구 판교로 235"),
    ("미래오피스(주)", "305-87-00918", "대전광역시 유성구 대학로 99"),
    ("주식회사 새벽물산", "617-81-20455", "부산광역시 해운대구 센텀중앙로 48"),
    ("청솔상사", "104-26-77310", "서울특별시 중구 세종대로 110"),
]


@dataclass
class KoreanItem:
    name: str
    spec: str
    unit: str
    quantity: int
    unit_price: int

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price


@dataclass
class KoreanDocument:
    """A rendered Korean form and its truth: the fields and every line of text printed on it."""

    kind: str
    number: str
    issued: str
    supplier: tuple[str, str, str]
    buyer: tuple[str, str, str]
    items: list[KoreanItem]
    text_lines: list[str] = field(default_factory=list)

    @property
    def net(self) -> int:
        return sum(i.amount for i in self.items)

    @property
    def tax(self) -> int:
        return self.net // 10

    @property
    def gross(self) -> int:
        return self.net + self.tax

    def expected_items(self) -> list[tuple[Decimal, Decimal]]:
        return [(Decimal(i.quantity), Decimal(i.unit_price)) for i in self.items]


def make_korean_document(seed: int) -> KoreanDocument:
    rng = random.Random(seed)
    kind = ("거래명세서", "발주서")[seed % 2]
    supplier, buyer = rng.sample(_COMPANIES, 2)
    items = []
    for name, spec, unit, price in rng.sample(_PRODUCTS, rng.randint(4, 8)):
        # Some lines use the unit words that Tesseract glues to the number (`120건` read as `1207`).
        unit_word = rng.choice(_UNIT_WORDS) if rng.random() < 0.4 else unit
        items.append(KoreanItem(name, spec, unit_word, rng.choice([1, 2, 3, 5, 10, 12, 20, 24, 50, 120, 180]), price))
    prefix = "TS" if kind == "거래명세서" else "PO"
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    return KoreanDocument(
        kind=kind,
        number=f"{prefix}-2025{month:02d}-{rng.randint(100, 999)}",
        issued=f"2025-{month:02d}-{day:02d}",
        supplier=supplier,
        buyer=buyer,
        items=items,
    )


def _won(value: int) -> str:
    return f"{value:,}"


def render_korean_pdf(doc: KoreanDocument, path: Path) -> Path:
    """Draw the form the way Korean SMB software prints it: a title, two party boxes, a ruled item table."""
    korean_font()  # the one registration of NanumGothic + bold, shared with the quote renderer
    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4)
    lines: list[str] = []

    def text(x: float, y: float, value: str, size: float = 10, bold: bool = False, right: bool = False) -> None:
        pdf.setFont("NanumGothicBold" if bold else "NanumGothic", size)
        (pdf.drawRightString if right else pdf.drawString)(x, y, value)

    title = " ".join(doc.kind)
    text(width / 2 - 70, height - 70, title, size=22, bold=True)
    lines.append(title)
    number_label = "문서번호" if doc.kind == "거래명세서" else "발주번호"
    date_label = "거래일자" if doc.kind == "거래명세서" else "발주일자"
    text(50, height - 105, f"{number_label}: {doc.number}")
    text(330, height - 105, f"{date_label}: {doc.issued}")
    lines.append(f"{number_label}: {doc.number} {date_label}: {doc.issued}")

    supplier_label, buyer_label = ("공급자", "공급받는자") if doc.kind == "거래명세서" else ("수신", "발신")
    parties = [(supplier_label, doc.supplier), (buyer_label, doc.buyer)]
    top = height - 125
    pdf.setLineWidth(0.8)
    for column, (label, (name, business_no, address)) in enumerate(parties):
        x0 = 50 + column * 255
        pdf.rect(x0, top - 70, 245, 70)
        text(x0 + 8, top - 18, f"{label}: {name}", bold=True)
        text(x0 + 8, top - 38, f"등록번호: {business_no}")
        text(x0 + 8, top - 58, address, size=8.5)
    lines += [
        f"{parties[0][0]}: {parties[0][1][0]} {parties[1][0]}: {parties[1][1][0]}",
        f"등록번호: {parties[0][1][1]} 등록번호: {parties[1][1][1]}",
        f"{parties[0][1][2]} {parties[1][1][2]}",
    ]

    headers = ["품목", "규격", "수량", "단가", "금액"]
    columns = [50, 230, 310, 380, 465, 545]
    row_height = 24
    y = top - 100
    table_height = row_height * (len(doc.items) + 1)
    pdf.rect(columns[0], y - table_height, columns[-1] - columns[0], table_height)
    for row in range(1, len(doc.items) + 1):
        pdf.line(columns[0], y - row_height * row, columns[-1], y - row_height * row)
    for x in columns[1:-1]:
        pdf.line(x, y, x, y - table_height)
    for i, header in enumerate(headers):
        text((columns[i] + columns[i + 1]) / 2 - 10, y - 16, header, bold=True)
    lines.append(" ".join(headers))
    for row, item in enumerate(doc.items, start=1):
        baseline = y - row_height * row - 16
        quantity = f"{item.quantity}{item.unit}"
        text(columns[0] + 6, baseline, item.name)
        text(columns[1] + 6, baseline, item.spec)
        text(columns[3] - 6, baseline, quantity, right=True)
        text(columns[4] - 6, baseline, _won(item.unit_price), right=True)
        text(columns[5] - 6, baseline, _won(item.amount), right=True)
        lines.append(f"{item.name} {item.spec} {quantity} {_won(item.unit_price)} {_won(item.amount)}")

    y -= row_height * (len(doc.items) + 1) + 30
    for label, value in (("공급가액", doc.net), ("세액", doc.tax), ("합계금액", doc.gross)):
        text(330, y, label, bold=label == "합계금액")
        text(545, y, f"{_won(value)}원", right=True, bold=label == "합계금액")
        lines.append(f"{label} {_won(value)}원")
        y -= 20
    text(50, y - 20, "위 금액을 정히 영수(청구)합니다.", size=9)
    lines.append("위 금액을 정히 영수(청구)합니다.")
    pdf.showPage()
    pdf.save()
    doc.text_lines = lines
    return path


# ---------------------------------------------------------------- rendering and degradation


def render_pdf_pages(pdf: Path, out_dir: Path, dpi: int) -> list[Path]:
    """Rasterise with poppler's pdftoppm, as a scanner driver would (one PNG per page)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(prefix)], check=True)
    return sorted(out_dir.glob(f"{pdf.stem}-*.png"))


def degrade_scan(image_path: Path, out_path: Path, seed: int) -> Path:
    """A cheap office scan: turned 1–3°, slightly blurred, sensor noise, saved as JPEG quality 60."""
    rng = np.random.default_rng(seed)
    gray = cv2.imread(str(image_path), cv2.IMREAD_GRAYSCALE)
    angle = float(rng.uniform(1.0, 3.0) * rng.choice([-1, 1]))
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    blurred = cv2.GaussianBlur(rotated, (3, 3), 0.8)
    noisy = np.clip(blurred.astype(np.float32) + rng.normal(0, 12, blurred.shape), 0, 255).astype(np.uint8)
    cv2.imwrite(str(out_path), noisy, [cv2.IMWRITE_JPEG_QUALITY, 60])
    return out_path



def char_accuracy(reference_lines: list[str], page: Page) -> float:
    """1 - normalised edit distance between the printed text and the OCR text, both read row by row.

    Spaces are ignored (Korean spacing is a matter of taste for OCR); rows are rebuilt from the word boxes
    so that reading order differences between layouts do not count as errors.
    """
    reference = "".join("".join(line.split()) for line in reference_lines)
    boxes = [Box(w.text, *w.bbox) for line in page.lines for w in line.words if w.bbox]
    read = "".join("".join(b.text for b in row.boxes) for row in group_rows(boxes))
    return Levenshtein.normalized_similarity(reference, read)
