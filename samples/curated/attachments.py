"""Documents that arrive as files: a PDF order, a scan, a supplier statement, and broken attachments."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date

from samples.curated.common import at, customer, customer_address, items, mail, seller
from samples.dataset import LabelledDocument
from samples.mailbuild import Attachment
from samples.pdf_common import DocumentLine, Party
from samples.pdf_order import OrderDocument, render_order_pdf
from samples.pdf_statement import StatementDocument, render_statement_pdf
from samples.scan import scan_pdf
from schemas.company import CompanyConfig


def pdf_purchase_order(company: CompanyConfig) -> LabelledDocument:
    buyer = customer(company, "C001")
    # The customer splits 품명 (what) and 규격 (which one), as Korean order forms do.
    lines = (
        DocumentLine("볼베어링", "6204ZZ", 200, "EA", 4800),
        DocumentLine("볼베어링", "6205ZZ", 150, "EA", 5700),
        DocumentLine("V-벨트", "A-42", 30, "EA", 7100),
        DocumentLine("그리스 카트리지", "EP2 400g", 48, "EA", 4500),
        DocumentLine("기어오일", "VG220 20L", 4, "EA", 119000, "말통"),
    )
    order = OrderDocument(
        title="발주서", number="DS-2611-0117", issued=date(2026, 11, 17),
        buyer=Party(name=buyer.name, business_no=buyer.business_no, representative="윤석진",
                    person="임수빈 주임 (구매팀)", phone="055-285-3301", fax="055-285-3309",
                    email=buyer.email, address="경상남도 창원시 성산구 공단로 271"),
        recipient=company.seller.name, lines=lines, due=date(2026, 11, 24), delivery_place="당사 본사 자재창고",
        remarks="납품 시 거래명세서 2부 지참 바랍니다.",
    )
    text = """안녕하세요. 대성정밀 구매팀 임수빈입니다.

금일 발주서 송부드립니다.
첨부 발주서 참고하시어 11/24(화)까지 납품 부탁드립니다.

감사합니다.

임수빈 주임
(주)대성정밀 구매팀 | T. 055-285-3301
"""
    attachment = Attachment("발주서_대성정밀_20261117.pdf", "application/pdf", render_order_pdf(order))
    return mail(
        "05_po_pdf_attached.eml", "po", "C001",
        items(("BRG-6204ZZ", 200), ("BRG-6205ZZ", 150), ("VBT-A42", 30), ("GRS-EP2-400", 48), ("OIL-GR220-P", 4)),
        sender=customer_address(company, "C001", "임수빈", "subin.lim@daesung-prec.co.kr"), to=seller(company),
        subject="[발주서] DS-2611-0117 베어링 외", sent_at=at(17, 11, 20), text=text, attachments=(attachment,),
    )


def scanned_order_form(company: CompanyConfig) -> LabelledDocument:
    buyer = customer(company, "C005")
    lines = (
        DocumentLine("면장갑 (10켤레)", "", 30, "묶음"),
        DocumentLine("NBR 코팅장갑", "10켤레", 20, "묶음"),
        DocumentLine("방진마스크 1급", "20매입", 5, "BOX"),
        DocumentLine("폼 귀마개", "200조", 2, "BOX"),
        DocumentLine("방청 스프레이", "360ml", 24, "EA"),
    )
    order = OrderDocument(
        title="주문서", number="SJ-1118", issued=date(2026, 11, 18),
        buyer=Party(name=buyer.name, business_no=buyer.business_no, representative="박세진",
                    person="박세진 사장", phone="031-355-2841", fax="031-355-2842",
                    address="경기도 화성시 향남읍 발안공단로 88"),
        recipient=company.seller.name, lines=lines, due=date(2026, 11, 21), delivery_place="세진산업 공장",
        remarks="오전 중 납품 요망", with_prices=False,
        fax_header="2026-11-18 08:41   FROM: 세진산업 031-355-2842   TO: 한빛산업자재   P.01/01",
    )
    return LabelledDocument(
        "07_scan_order_form.png", scan_pdf(render_order_pdf(order), seed=7), "po", "C005",
        items(("GLV-COT", 30), ("GLV-NBR", 20), ("MSK-DST", 5), ("EAR-PLG", 2), ("SPY-RUST", 24)),
    )


def supplier_statement(company: CompanyConfig) -> LabelledDocument:
    """A wholesaler's 거래명세서 for bearings the seller bought: kind invoice, no customer of ours."""
    statement = StatementDocument(
        number="20261118-07", issued=date(2026, 11, 18),
        supplier=Party(name="(주)동아베어링상사", business_no="131-81-05972", representative="최동아",
                       address="인천광역시 남동구 남동서로 112", business_type="도소매",
                       business_item="베어링, 동력전달부품", phone="032-812-4400", fax="032-812-4401"),
        buyer=Party(name=company.seller.name, business_no=company.seller.business_no),
        lines=(
            DocumentLine("깊은홈 볼베어링", "6204ZZ", 500, "EA", 3350),
            DocumentLine("깊은홈 볼베어링", "6205ZZ", 400, "EA", 3980),
            DocumentLine("깊은홈 볼베어링", "6206ZZ", 100, "EA", 5150),
        ),
        bank_note="입금계좌: 신한은행 140-012-345678 (주)동아베어링상사",
    )
    return LabelledDocument(
        "18_supplier_statement.pdf", render_statement_pdf(statement), "invoice", None,
        items(("BRG-6204ZZ", 500), ("BRG-6205ZZ", 400), ("BRG-6206ZZ", 100)),
    )


def corrupt_pdf(company: CompanyConfig) -> LabelledDocument:
    # A PDF header followed by garbage: what a mail gateway leaves of a file it mangled.
    garbage = random.Random(10).randbytes(6000)
    broken = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + garbage
    text = """안녕하세요. 부광엔지니어링 공무팀입니다.
발주서 첨부합니다. 확인 부탁드립니다.

권태호 드림
"""
    return mail(
        "10_corrupt_pdf.eml", "po", "C009", (),
        sender=customer_address(company, "C009", "권태호"), to=seller(company), subject="발주서 송부",
        sent_at=at(19, 9, 3), text=text,
        attachments=(Attachment("발주서_부광_1119.pdf", "application/pdf", broken),),
    )


def zero_byte_attachment(company: CompanyConfig) -> LabelledDocument:
    text = """안녕하세요. 대한물류 시설관리팀입니다.
물류센터 보수 자재 견적요청서 첨부드립니다.
검토 후 회신 부탁드립니다.
"""
    return mail(
        "11_zero_byte_attachment.eml", "rfq", "C013", (),
        sender=customer_address(company, "C013", "한상철"), to=seller(company), subject="견적요청서 송부",
        sent_at=at(19, 15, 47), text=text,
        attachments=(Attachment("견적요청서.pdf", "application/pdf", b""),),
    )


def _drawing_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("유압라인_사양.txt", date_time=(2026, 11, 20, 9, 0, 0))
        info.flag_bits |= 0x800  # the name is UTF-8
        spec = "프레스 2호기 유압라인 교체\n사용압력 210bar, 작동유 VG46\n배관 경로는 현장 실측 후 확정\n"
        archive.writestr(info, spec)
    return buffer.getvalue()


def unknown_attachment(company: CompanyConfig) -> LabelledDocument:
    text = """안녕하세요, 유성금속 설비팀 조성민입니다.
프레스 2호기 유압라인 교체 건 견적 요청드립니다.
사양은 첨부 압축파일 참고 부탁드리고, 주요 자재는 아래와 같습니다.

- 유압호스 1/2인치 (R2AT-08) 50m
- 유압호스 어셈블리 1/2인치 1m 12개
- 유압작동유 VG46 200리터

조성민 과장 / 유성금속(주) 설비팀 / 042-933-1185
"""
    return mail(
        "13_unknown_attachment.eml", "rfq", "C008",
        items(("HOS-R2-08", 50), ("HOS-ASM-08", 12), ("OIL-HYD46", 200)),
        sender=customer_address(company, "C008", "조성민"), to=seller(company),
        subject="프레스 유압라인 교체 자재 견적 요청", sent_at=at(20, 9, 15), text=text,
        attachments=(Attachment("유압라인_사양_유성금속.zip", "application/zip", _drawing_archive()),),
    )


def documents(company: CompanyConfig) -> list[LabelledDocument]:
    return [
        pdf_purchase_order(company), scanned_order_form(company), supplier_statement(company), corrupt_pdf(company),
        zero_byte_attachment(company), unknown_attachment(company),
    ]
