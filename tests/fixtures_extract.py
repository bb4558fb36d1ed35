"""Inputs for the extractor tests, built inline: a tiny company, mails with Korean headers, PDFs with Korean text.

The company is deliberately not the sample company: look-alike items (6204 / 6204ZZ / 6205, M8x30 / M8x40),
a customer whose name is contained in another's (한결정밀 / 한결정밀공업사), one registered with a gmail address.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from quotes.fonts import korean_font
from schemas.company import CompanyConfig, load_company

NANUM_GOTHIC = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")

CATALOG_CSV = """sku,name,unit,unit_price,aliases
BRG-6204,볼베어링 6204,EA,4000,6204|베어링 6204|6204 베어링|ball bearing 6204
BRG-6204ZZ,볼베어링 6204ZZ,EA,4500,6204ZZ|6204-ZZ|6204 ZZ|베어링 6204ZZ
BRG-6205,볼베어링 6205,EA,5000,6205|베어링 6205|6205 베어링|ball bearing 6205
BLT-M8X30,육각볼트 M8x30,EA,100,M8x30|볼트 M8x30|hex bolt M8x30
BLT-M8X40,육각볼트 M8x40,EA,120,M8x40|볼트 M8x40|hex bolt M8x40
GLV-NBR,니트릴 코팅장갑 (10켤레),SET,9000,코팅장갑|NBR장갑|nitrile gloves
CTY-200,케이블타이 200mm (100개입),BOX,2500,케이블타이 200|cable tie 200mm
HOS-08,유압호스 1/2인치,M,14000,유압호스 1/2|hydraulic hose 1/2
OIL-46,유압유 VG46 (벌크),L,4300,유압유 46|VG46|hydraulic oil 46
TAP-PVC,절연테이프 흑색,EA,900,절연테이프|electrical tape
"""
CUSTOMERS_CSV = """customer_id,name,aliases,email,business_no,group
K001,(주)한결정밀,한결정밀㈜|한결정밀|Hangyeol Precision,buy@hangyeol.co.kr,123-45-67891,vip
K002,한결정밀공업사,한결정밀공업,,105-87-02319,retail
K003,㈜바다기계,바다기계|Bada Machinery,order@bada-mc.kr,314-86-20457,retail
K004,누리상사,,nuri.trade@gmail.com,617-81-00995,retail
"""
COMPANY_YAML = """name: 테스트부품(주)
name_en: Test Parts Co., Ltd.
business_no: 220-81-12341
address: 서울특별시 금천구 가산디지털1로 1
phone: 02-000-0000
email: sales@testparts.co.kr
"""


def make_company(folder: Path) -> CompanyConfig:
    """Write the tiny company's three files into `folder` and load it the way the product does."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "catalog.csv").write_text(CATALOG_CSV, encoding="utf-8")
    (folder / "customers.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    (folder / "company.yaml").write_text(COMPANY_YAML, encoding="utf-8")
    return load_company(folder)


def encoded_word(text: str, charset: str) -> str:
    """An RFC 2047 base64 word, in a charset Python may not even decode (the point of some tests)."""
    codec = {"ks_c_5601-1987": "cp949", "euc-kr": "cp949"}.get(charset, charset)
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def simple_mail(
    body: str,
    subject: str = "견적 요청",
    sender: str = "김철수 <kimcs@hangyeol.co.kr>",
    charset: str = "utf-8",
    extra_headers: str = "",
) -> bytes:
    """A one-part text/plain mail; the subject and display name are RFC 2047 encoded in `charset`."""
    name, _, address = sender.rpartition(" ")
    from_header = f"{encoded_word(name, charset)} {address}" if name else address
    head = (
        f"From: {from_header}\r\nTo: sales@testparts.co.kr\r\nSubject: {encoded_word(subject, charset)}\r\n"
        f"Date: Tue, 05 Mar 2024 10:20:00 +0900\r\nMessage-ID: <m1@example.kr>\r\nMIME-Version: 1.0\r\n{extra_headers}"
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    )
    codec = {"ks_c_5601-1987": "cp949", "euc-kr": "cp949"}.get(charset, charset)
    return head.encode("ascii") + base64.encodebytes(body.encode(codec))


def pdf_bytes(
    rows: Sequence[tuple[str, ...]], title: str = "발 주 서", lines: Sequence[str] = (), grid: bool = True
) -> bytes:
    """A born-digital A4 page with Korean text (NanumGothic embedded) and a table, ruled when `grid`."""
    korean_font()  # the one registration of NanumGothic + bold, shared with the quote renderer
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("NanumGothic", 11)
    y = 800
    for text in (title, *lines):
        page.drawString(50, y, text)
        y -= 18
    columns = [50, 260, 340, 400]
    top = y - 10
    for row in rows:
        for x, cell in zip(columns, row, strict=False):
            page.drawString(x + 4, y - 14, cell)
        y -= 20
    if grid:
        edges = [*columns, 460][: max(len(row) for row in rows) + 1]
        page.grid(edges, [top - 20 * i for i in range(len(rows) + 1)])
    page.showPage()
    page.save()
    return buffer.getvalue()


def png_bytes(width: int = 400, height: int = 200) -> bytes:
    picture = Image.new("L", (width, height), 255)
    ImageDraw.Draw(picture).rectangle((20, 20, width - 20, height - 20), outline=0, width=3)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def image_pdf_bytes() -> bytes:
    """A page holding only a picture: no text layer, so it needs OCR."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawImage(ImageReader(io.BytesIO(png_bytes())), 50, 500, width=400, height=200)
    page.showPage()
    page.save()
    return buffer.getvalue()
