"""Requests written as people write when they do not fill in a list: sentences, Korean number words, items named
by what they do, a quantity changed in a reply, a phone memo turned into text, a site foreman's short note.

Each label is what a careful person at the seller would enter from the mail alone.
"""

from __future__ import annotations

from samples.curated.common import at, customer_address, items, mail, seller
from samples.dataset import LabelledDocument
from samples.mailbuild import Address
from schemas.company import CompanyConfig


def korean_number_words(company: CompanyConfig) -> LabelledDocument:
    text = """안녕하세요, 대한물류 시설관리팀 오민석입니다.

이천 센터 컨베이어 정비 때문에 연락드렸습니다.
롤러 쪽 베어링이 많이 상해서 6205ZZ로 스무 개 정도 교체하려고 하고요, 예비로 6204ZZ도 열 개 같이 받아두려고 합니다.
프레임 볼트 풀린 데가 많아서 M12 너트도 백 개 넣어주시고,
구동부에 들어가는 V벨트 B-50도 네 개 부탁드려요.

수량 괜찮으시면 견적서 먼저 보내주세요. 확인하고 바로 발주 넣겠습니다.

오민석 드림
(주)대한물류 시설관리팀 | 031-637-2210
"""
    return mail(
        "23_prose_korean_numbers.eml", "rfq", "C013",
        items(("BRG-6205ZZ", 20), ("BRG-6204ZZ", 10), ("NUT-M12", 100), ("VBT-B50", 4)),
        sender=customer_address(company, "C013", "오민석", "minseok.oh@daehanlogis.co.kr"), to=seller(company),
        subject="컨베이어 정비 부품 견적 부탁드립니다", sent_at=at(24, 9, 40), text=text,
    )


def english_prose(company: CompanyConfig) -> LabelledDocument:
    text = """Hello,

We're rebuilding two packaging lines next month and would like a price for a few parts.

For the idler rollers we'd need about forty of the 6204 bearings, the rubber-sealed kind (2RS), and the drive
side takes UCP205 pillow blocks, of which we need twelve. We'll also replace the belts while we're at it:
six A-42s should cover both lines.

If you have them in stock, please include delivery to our Siheung plant in the quote.

Best regards,
Daniel Park
Maintenance Lead | Bukwang Engineering
"""
    return mail(
        "24_prose_english.eml", "rfq", "C009",
        items(("BRG-6204DDU", 40), ("BRG-UCP205", 12), ("VBT-A42", 6)),
        sender=customer_address(company, "C009", "Daniel Park", "daniel.park@bukwang-eng.co.kr"), to=seller(company),
        subject="Parts for packaging line rebuild", sent_at=at(24, 10, 15), text=text,
    )


def items_in_one_paragraph(company: CompanyConfig) -> LabelledDocument:
    # The request is one paragraph on one line, as a mail client sends it unwrapped.
    text = (
        "안녕하세요 유성금속 생산팀 배성훈입니다.\n"
        "신규 지그 제작 건으로 체결류 견적 부탁드립니다. M8x40 볼트 200개랑 같은 규격 너트도 같은 수량으로, "
        "평와셔 M8도 볼트 수만큼 맞춰서 주시면 됩니다. 추가로 M10 나일론 록너트 50개도 같이 견적 내주세요.\n"
        "납기는 다음주 수요일 전이면 좋겠습니다.\n"
        "\n"
        "배성훈 드림\n"
    )
    return mail(
        "25_prose_one_paragraph.eml", "rfq", "C008",
        items(("BLT-M8X40", 200), ("NUT-M8", 200), ("WSH-M8", 200), ("NUT-M10-NY", 50)),
        sender=customer_address(company, "C008", "배성훈", "sh.bae@ysmetal.co.kr"), to=seller(company),
        subject="지그 제작용 체결류 견적", sent_at=at(24, 13, 5), text=text,
    )


def items_by_description(company: CompanyConfig) -> LabelledDocument:
    text = """안녕하세요. 한울식품 공장 안전관리 담당 문예린입니다.

세척실이랑 포장실 안전용품이 떨어져서 견적 부탁드립니다.
세척실에서 약품 다룰 때 쓰는, 눈 전체를 덮는 밀폐되는 고글이 8개 필요하고
칼 쓰는 작업자들용으로 베임 방지되는 장갑(레벨5) 12켤레,
포장실은 기계 소음 때문에 스펀지 귀마개 200조짜리로 두 박스 부탁드립니다.

견적서는 이 메일로 보내주시면 됩니다. 감사합니다.
"""
    return mail(
        "26_prose_described_items.eml", "rfq", "C015",
        items(("GGL-CHM", 8), ("GLV-CUT", 12), ("EAR-PLG", 2)),
        sender=customer_address(company, "C015", "문예린", "yerin.moon@hanulfood.co.kr"), to=seller(company),
        subject="안전용품 견적 요청 (세척실/포장실)", sent_at=at(24, 15, 50), text=text,
    )


def quantity_changed_in_reply(company: CompanyConfig) -> LabelledDocument:
    # The customer replies to their own request of the day before: the new text states the whole request.
    text = """정우진입니다. 어제 드린 견적 요청에 수량 변경이 있어서 다시 말씀드립니다.
PC8-02 피팅은 200개 말고 300개로 해주세요. 라인이 하나 더 늘었습니다.
우레탄튜브 8mm 150m는 그대로 견적 부탁드립니다.

정우진 드림

2026년 11월 23일 (월) 오후 2:12, 정우진 <woojin.jung@mirae-auto.com>님이 작성:
> 안녕하세요, 미래오토메이션 정우진입니다.
> 아래 품목 견적 부탁드립니다.
> - 원터치피팅 PC8-02 : 200개
> - 우레탄튜브 8mm : 150m
"""
    return mail(
        "27_prose_quantity_changed.eml", "rfq", "C007",
        items(("PNF-PC8-02", 300), ("PNT-U08", 150)),
        sender=customer_address(company, "C007", "정우진", "woojin.jung@mirae-auto.com"), to=seller(company),
        subject="RE: 피팅/튜브 견적 요청 (수량 변경)", sent_at=at(24, 8, 31), text=text,
        in_reply_to="<20261123141200.3f2e@mirae-auto.com>",
    )


def phone_memo_transcript(company: CompanyConfig) -> LabelledDocument:
    # Dictated into a phone's voice memo and mailed as the transcript: no punctuation, no lines, no list.
    text = (
        "[음성 메모 텍스트 변환]\n"
        "네 사장님 태광유압 김태수입니다 다름이 아니고 내일 오전 출고로 주문 좀 넣을게요 "
        "유압호스 반 인치 2선짜리 그거 50미터 하고요 양쪽에 피팅 달린 1미터짜리 어셈블리 10개 "
        "그리고 작동유 46번 200리터 그렇게 해서 보내주세요 단가는 지난번하고 똑같이 해주시면 되고요 네 수고하세요\n"
        "\n"
        "iPhone에서 보냄\n"
    )
    return mail(
        "28_prose_phone_memo.eml", "po", "C010",
        items(("HOS-R2-08", 50), ("HOS-ASM-08", 10), ("OIL-HYD46", 200)),
        sender=Address("tkhyd.kim@gmail.com", "김태수"), to=seller(company),
        subject="주문", sent_at=at(24, 18, 12), text=text,
    )


def site_foreman_note(company: CompanyConfig) -> LabelledDocument:
    text = """차장님 여수현장 김기철 소장입니다.
펌프실 2호기 구동부 교체 건으로 급하게 부탁드립니다.
2.2키로 모터 한 대랑 감속기 1/20짜리 한 대, 40번 체인 5미터, 스프라켓 40-15T 두 개
내일 오전까지 여수현장으로 보내주세요. 발주번호는 구매팀에서 따로 드린다고 합니다.
"""
    return mail(
        "29_prose_site_note.eml", "po", "C004",
        items(("MTR-220", 1), ("RDC-NMRV050-20", 1), ("CHN-RS40", 5), ("SPR-40B15", 2)),
        sender=customer_address(company, "C004", "김기철", "kc.kim@dyplant.co.kr"), to=seller(company),
        subject="펌프실 2호기 자재 급히 부탁드립니다", sent_at=at(25, 7, 20), text=text,
    )


def documents(company: CompanyConfig) -> list[LabelledDocument]:
    return [
        korean_number_words(company), english_prose(company), items_in_one_paragraph(company),
        items_by_description(company), quantity_changed_in_reply(company), phone_memo_transcript(company),
        site_foreman_note(company),
    ]
