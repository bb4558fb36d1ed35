"""Mails that look like requests in the wrong places: hidden HTML, quoted history, auto-replies, newsletters."""

from __future__ import annotations

from samples.curated.common import at, customer_address, items, mail, seller
from samples.dataset import LabelledDocument
from samples.mailbuild import Address
from schemas.company import CompanyConfig


def html_only(company: CompanyConfig) -> LabelledDocument:
    # Web-mail builders send HTML alone. The script and the display:none block carry items that a
    # reader never sees; only the visible table is the request.
    html = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<style>.tbl td{border:1px solid #999;padding:4px} .hidden-draft{display:none}</style>
<script type="text/javascript">
  var draftOrder = {sku: "MTR-370", qty: 50, note: "모터 3.7kW 50대"};
  document.addEventListener("DOMContentLoaded", function () { console.log(draftOrder); });
</script>
</head><body>
<p>안녕하세요, 신일전기 자재 담당 윤지아입니다.</p>
<p>배전반 조립 라인에 필요한 소모품 견적 요청드립니다.</p>
<div class="hidden-draft">작성중 메모: 삼상 유도전동기 3.7kW 10대, 유압호스 1/2인치 200m 추가 검토</div>
<div style="display:none">이전 임시저장: 롤러체인 RS50 30m</div>
<table class="tbl">
  <tr><th>품목</th><th>수량</th></tr>
  <tr><td>절연테이프 (흑색)</td><td>200개</td></tr>
  <tr><td>케이블타이 200mm</td><td>10박스</td></tr>
  <tr><td>보안경 (투명)</td><td>30개</td></tr>
</table>
<p>견적서는 메일로 회신 부탁드립니다.</p>
<p>윤지아 사원<br>(주)신일전기 자재팀 · 031-8085-6620</p>
<img src="https://mail.shinil-elec.co.kr/track/open.gif?id=88213" width="1" height="1" alt="">
</body></html>
"""
    return mail(
        "04_html_only.eml", "rfq", "C011", items(("TAP-PVC", 200), ("CTY-200", 10), ("GGL-CLR", 30)),
        sender=customer_address(company, "C011", "윤지아", "jia.yoon@shinil-elec.co.kr"), to=seller(company),
        subject="배전반 라인 소모품 견적 요청", sent_at=at(16, 16, 30), html=html,
    )


def out_of_office(company: CompanyConfig) -> LabelledDocument:
    text = """안녕하세요. (주)동양플랜트 구매팀 장동현입니다.
11월 18일(수)부터 11월 22일(일)까지 해외 출장으로 메일 확인이 어렵습니다.
급한 업무는 구매팀 최서연 차장(061-690-4412)에게 연락 부탁드립니다.

I am out of the office until November 22 with limited access to e-mail.
For urgent matters please contact Ms. Seoyeon Choi (+82 61-690-4412).
"""
    return mail(
        "08_out_of_office.eml", "other", "C004", (),
        sender=customer_address(company, "C004", "장동현", "donghyun.jang@dyplant.co.kr"), to=seller(company),
        subject="[자동회신] 부재중 안내 / Out of Office: RE: 견적서 HB-2026-000087 송부", sent_at=at(18, 11, 2),
        text=text, in_reply_to="<20261118110000.5a1c@hanbit-isc.co.kr>",
        headers=(("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")),
    )


def newsletter(company: CompanyConfig) -> LabelledDocument:
    html = """<html><body>
<h2>산업안전 뉴스레터 2026년 11월호</h2>
<p>겨울철 현장 안전 점검 체크리스트와 신제품 소식을 전해드립니다.</p>
<ul>
  <li>방진마스크 1급 20매입 — 동절기 수요 증가, 재고 확보 권장</li>
  <li>김서림방지 보안경 신제품 출시 (1,000개 이상 구매 시 특가)</li>
  <li>절단방지 장갑 레벨5 인증 기준 변경 안내</li>
</ul>
<p>수신을 원치 않으시면 <a href="https://safety-news.kr/unsubscribe?u=hanbit">수신거부</a>를 눌러주세요.</p>
</body></html>"""
    text = """산업안전 뉴스레터 2026년 11월호

겨울철 현장 안전 점검 체크리스트와 신제품 소식을 전해드립니다.
 * 방진마스크 1급 20매입 — 동절기 수요 증가, 재고 확보 권장
 * 김서림방지 보안경 신제품 출시 (1,000개 이상 구매 시 특가)
 * 절단방지 장갑 레벨5 인증 기준 변경 안내

수신거부: https://safety-news.kr/unsubscribe?u=hanbit
"""
    return mail(
        "09_newsletter.eml", "other", None, (),
        sender=Address("news@safety-news.kr", "산업안전뉴스"), to=seller(company),
        subject="[산업안전뉴스] 11월호 - 겨울철 현장 안전 점검", sent_at=at(18, 6, 0), text=text, html=html,
        headers=(("List-Unsubscribe", "<https://safety-news.kr/unsubscribe?u=hanbit>"), ("Precedence", "bulk")),
    )


def empty_mail(company: CompanyConfig) -> LabelledDocument:
    return mail(
        "12_empty_mail.eml", "other", "C016", (),
        sender=customer_address(company, "C016", "신유나", "yuna.shin@smartfarmsol.kr"), to=seller(company),
        subject="", sent_at=at(20, 17, 58),
    )


def quoted_reply(company: CompanyConfig) -> LabelledDocument:
    # Only the new text on top is the request; the quoted thread names the earlier (already quoted) items.
    text = """견적 감사합니다.
지난번 건과 별도로 아래 품목도 추가 견적 부탁드립니다.

구리스 카트리지 400g 24개
방청 스프레이 12개

한상철 드림

2026년 11월 13일 (금) 오후 3:20, 한빛산업자재 영업팀 <sales@hanbit-isc.co.kr>님이 작성:
> 안녕하세요, 한빛산업자재입니다.
> 요청하신 견적서(HB-2026-000091) 첨부드립니다.
>
> 2026년 11월 12일 (목) 오전 10:05, 한상철 <maint@greenfactory.co.kr>님이 작성:
> > 베어링 6206ZZ 30개
> > 그리스 EP2 20kg
> > V벨트 B-50 8개
> > 위 품목 견적 부탁드립니다.
"""
    return mail(
        "14_quoted_reply.eml", "rfq", "C006", items(("GRS-EP2-400", 24), ("SPY-RUST", 12)),
        sender=customer_address(company, "C006", "한상철"), to=seller(company),
        subject="RE: [한빛산업자재] 견적서 HB-2026-000091 송부", sent_at=at(19, 11, 26), text=text,
        in_reply_to="<20261113152000.77b0@hanbit-isc.co.kr>",
    )


def documents(company: CompanyConfig) -> list[LabelledDocument]:
    return [html_only(company), out_of_office(company), newsletter(company), empty_mail(company),
            quoted_reply(company)]
