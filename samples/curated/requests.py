"""Ordinary requests, written the way the sample company's customers write them."""

from __future__ import annotations

from samples.curated.common import at, customer_address, items, mail, seller
from samples.dataset import LabelledDocument
from samples.mailbuild import Address
from schemas.company import CompanyConfig


def korean_rfq(company: CompanyConfig) -> LabelledDocument:
    text = """한빛산업자재 담당자님께

안녕하세요. 삼우테크 구매팀 이지현 대리입니다.
설비 정기보수 건으로 아래 품목 견적 요청드립니다.

1. 베어링 6205ZZ - 40개
2. 베어링 6204ZZ - 60개
3. 육각볼트 M10x30 - 500개
4. 너트 M10 - 500개
5. 평와셔 M10 - 500개

납기는 11월 27일까지 가능한지도 함께 확인 부탁드립니다.
견적서는 부가세 별도로 작성해 주시면 됩니다.

감사합니다.

이지현 대리 | 삼우테크(주) 구매팀
T. 031-8041-2257  F. 031-8041-2258
"""
    return mail(
        "01_rfq_korean.eml", "rfq", "C003",
        items(("BRG-6205ZZ", 40), ("BRG-6204ZZ", 60), ("BLT-M10X30", 500), ("NUT-M10", 500), ("WSH-M10", 500)),
        sender=customer_address(company, "C003", "이지현"), to=seller(company),
        subject="베어링 및 볼트류 견적 요청드립니다", sent_at=at(16, 9, 12), text=text,
    )


def english_rfq(company: CompanyConfig) -> LabelledDocument:
    text = """Hi,

We'd like a quotation for the following, delivered to our Pangyo office:

- PC8-02 straight push-in fitting: 500 pcs
- PL8-02 elbow: 200 pcs
- PU tube 8mm (blue): 300 m
- Cable tie 300mm, black UV resistant: 3 cases

Could you also confirm the lead time? Prices excl. VAT are fine.

Thanks,
Michael Brandt
Procurement Engineer | Korea Robotics Co., Ltd.
+82 31-8017-5520
"""
    return mail(
        "02_rfq_english.eml", "rfq", "C012",
        items(("PNF-PC8-02", 500), ("PNF-PL8-02", 200), ("PNT-U08", 300), ("CTY-300-BK", 3)),
        sender=customer_address(company, "C012", "Michael Brandt", "m.brandt@korearobotics.co.kr"),
        to=seller(company), subject="RFQ: push-in fittings and PU tubing", sent_at=at(16, 10, 41), text=text,
    )


def mixed_rfq(company: CompanyConfig) -> LabelledDocument:
    text = """안녕하세요, 미래오토메이션 생산기술팀 정우진 과장입니다.
Line 3 conveyor retrofit 건으로 quotation 요청드립니다.

Item list:
 - Induction motor 2.2kW 4P (IE3) x 2
 - Worm gearbox NMRV050 1:20 x 2
 - Roller chain RS40 x 10m
 - Sprocket RS40 15T x 4

Lead time 확인 부탁드리고, datasheet 있으면 같이 보내주세요.
Thanks.

정우진 Manager
Mirae Automation Co., Ltd. | 생산기술팀
"""
    return mail(
        "03_rfq_mixed.eml", "rfq", "C007",
        items(("MTR-220", 2), ("RDC-NMRV050-20", 2), ("CHN-RS40", 10), ("SPR-40B15", 4)),
        sender=customer_address(company, "C007", "정우진", "woojin.jung@mirae-auto.com"), to=seller(company),
        subject="[RFQ] 감속기/모터 견적 요청 (Line 3 retrofit)", sent_at=at(16, 14, 5), text=text,
    )


def order_table_in_body(company: CompanyConfig) -> LabelledDocument:
    rows = [("1", "베어링", "6205DDU", "100", "EA"), ("2", "필로우블럭 베어링", "UCP205", "20", "EA"),
            ("3", "V벨트", "B-50", "40", "EA"), ("4", "오링 P22", "100개입", "2", "박스")]
    html_rows = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    html = f"""<html><head><meta charset="utf-8"></head><body style="font-family:맑은 고딕">
<p>한빛산업자재 영업팀 귀하</p>
<p>안녕하세요. ㈜한국기계공업 자재팀 박준호입니다.<br>아래와 같이 발주하오니 11/20(금)까지 납품 부탁드립니다.</p>
<table border="1" cellspacing="0" cellpadding="4">
<tr style="background:#dddddd"><th>No</th><th>품명</th><th>규격</th><th>수량</th><th>단위</th></tr>
{html_rows}
</table>
<p>납품처: 당사 2공장 자재창고 (경기도 안산시 단원구 산단로 163)</p>
<p>박준호 과장<br>㈜한국기계공업 자재팀<br>Tel. 031-492-7700</p>
</body></html>"""
    text_rows = "\n".join("\t".join(row) for row in rows)
    text = f"""한빛산업자재 영업팀 귀하

안녕하세요. ㈜한국기계공업 자재팀 박준호입니다.
아래와 같이 발주하오니 11/20(금)까지 납품 부탁드립니다.

No\t품명\t규격\t수량\t단위
{text_rows}

납품처: 당사 2공장 자재창고 (경기도 안산시 단원구 산단로 163)

박준호 과장
㈜한국기계공업 자재팀
Tel. 031-492-7700
"""
    return mail(
        "06_order_table_body.eml", "po", "C002",
        items(("BRG-6205DDU", 100), ("BRG-UCP205", 20), ("VBT-B50", 40), ("ORG-P22", 2)),
        sender=customer_address(company, "C002", "박준호"), to=seller(company),
        subject="[발주] 베어링 외 3건 (11/20 납품)", sent_at=at(17, 8, 55), text=text, html=html,
    )


def personal_mailbox_order(company: CompanyConfig) -> LabelledDocument:
    text = """사장님 안녕하세요~ 성원기공입니다.
이번주 안으로 아래 물건 좀 보내주세요. 단가는 저번이랑 같게 해주시고요.

V벨트 A-40 10개
A-42 6개
구리스 EP2 15키로

계산서는 사업자 번호로 끊어주시면 됩니다.
수고하세요.

성원기공 대표 김성원
010-4417-2093
"""
    return mail(
        "15_personal_sender.eml", "po", "C014",
        items(("VBT-A40", 10), ("VBT-A42", 6), ("GRS-EP2", 15)),
        sender=Address("ksw6412@naver.com", "김성원"), to=seller(company),
        subject="물건 주문합니다", sent_at=at(19, 7, 48), text=text,
    )


def quantity_formats(company: CompanyConfig) -> LabelledDocument:
    text = """안녕하세요, 제이엠산업 구매 담당 서재원입니다.
라인 증설 건으로 소모품 견적 부탁드립니다.

- 육각볼트 M8x30 : 1,200개
- 육각너트 M8 : 1,200개
- 케이블타이 200mm 2박스
- Cable tie 300mm 3 cases
- 스텐볼트 M8*30 500 pcs
- 면장갑 x 20

위 수량 기준으로 단가 부탁드리고, 수량 많으면 할인 가능한지도 알려주세요.

서재원 대리
(주)제이엠산업 구매팀 | 032-817-3350
"""
    return mail(
        "16_quantity_formats.eml", "rfq", "C018",
        items(("BLT-M8X30", 1200), ("NUT-M8", 1200), ("CTY-200", 2), ("CTY-300", 3), ("BLT-M8X30-SUS", 500),
              ("GLV-COT", 20)),
        sender=customer_address(company, "C018", "서재원"), to=seller(company),
        subject="소모품 견적 요청 (볼트/너트/케이블타이)", sent_at=at(19, 13, 30), text=text,
    )


def large_order(company: CompanyConfig) -> LabelledDocument:
    text = """수신: 한빛산업자재(주) 영업팀
발신: (주)동양플랜트 구매팀 최서연
발주번호: DY-PO-2611-045

안녕하세요.
여수 현장 펌프 교체 공사 관련하여 아래와 같이 정식 발주합니다.
단가는 11/13 견적서(HB-2026-000087) 기준으로 적용 부탁드립니다.

1) 삼상 유도전동기 3.7kW 4P (IE3) — 6대
2) 삼상 유도전동기 2.2kW 4P (IE3) — 4대
3) 웜감속기 NMRV050 1:20 — 6대
4) 유압호스 3/4인치 2선 (R2AT-12) — 120m
5) 유압호스 어셈블리 1/2인치 1m — 40개

납기: 12월 4일까지 현장 직납
납품장소: 전라남도 여수시 여수산단로 1128 동양플랜트 여수현장

모터는 시험성적서 동봉 부탁드립니다.

최서연 차장
(주)동양플랜트 구매팀
Tel. 061-690-4412
"""
    return mail(
        "17_large_order.eml", "po", "C004",
        items(("MTR-370", 6), ("MTR-220", 4), ("RDC-NMRV050-20", 6), ("HOS-R2-12", 120), ("HOS-ASM-08", 40)),
        sender=customer_address(company, "C004", "최서연"), to=seller(company),
        subject="[정식발주] DY-PO-2611-045 여수현장 펌프 교체 자재", sent_at=at(20, 10, 2), text=text,
    )


def outlook_cp949_rfq(company: CompanyConfig) -> LabelledDocument:
    text = """안녕하십니까.
스마트팜솔루션 시공팀 강하늘입니다.

온실 관수 설비용으로 아래 자재 견적 부탁드립니다.
  - 우레탄튜브 10mm : 200m
  - 원터치피팅 PC10-03 : 100개
  - 절연테이프 : 50개

현장 일정상 다음주 화요일까지 받아볼 수 있으면 좋겠습니다.

강하늘 드림
㈜스마트팜솔루션 시공팀 / 041-552-0781
"""
    return mail(
        "22_outlook_ks_c_5601.eml", "rfq", "C016",
        items(("PNT-U10", 200), ("PNF-PC10-03", 100), ("TAP-PVC", 50)),
        sender=customer_address(company, "C016", "강하늘", "haneul.kang@smartfarmsol.kr"), to=seller(company),
        subject="관수설비 자재 견적 요청", sent_at=at(23, 16, 20), text=text,
        headers=(("X-Mailer", "Microsoft Outlook 16.0"),), charset="ks_c_5601-1987",
    )


def documents(company: CompanyConfig) -> list[LabelledDocument]:
    return [
        korean_rfq(company), english_rfq(company), mixed_rfq(company), order_table_in_body(company),
        personal_mailbox_order(company), quantity_formats(company), large_order(company), outlook_cp949_rfq(company),
    ]
