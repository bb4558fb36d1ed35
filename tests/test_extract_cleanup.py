"""Mail bodies split into request, signature, quoted history and footer, with offsets kept."""

from __future__ import annotations

import pytest

from extractors.cleanup import split_message, strip_non_request

REQUEST = "안녕하세요, 아래 품목 견적 부탁드립니다.\n\n- 6204 베어링 100개\n- M8x30 볼트 500개"
SIGNATURE = "감사합니다.\n김철수 과장\n(주)한결정밀 구매팀\nTel 031-123-4567 / kimcs@gmail.com"


@pytest.mark.parametrize(
    "history",
    [
        "-----Original Message-----\nFrom: sales@testparts.co.kr\nSent: Monday, March 4, 2024 10:00 AM\n"
        "To: kimcs@gmail.com\nSubject: 견적서\n\n6205 베어링 300개 견적드립니다.",
        "-----원본 메시지-----\n보낸 사람: 영업팀 <sales@testparts.co.kr>\n"
        "보낸 날짜: 2024년 3월 4일 월요일 오전 10:00\n받는 사람: 김철수\n제목: 견적서\n\n"
        "6205 베어링 300개 견적드립니다.",
        "________________________________\nFrom: 영업팀 <sales@testparts.co.kr>\nSent: Monday, March 4, 2024\n"
        "To: 김철수\nSubject: RE: 견적\n\n6205 베어링 300개 견적드립니다.",
        "2024년 3월 4일 (월) 오전 10:00, 영업팀 <sales@testparts.co.kr>님이 작성:\n"
        "> 6205 베어링 300개 견적드립니다.\n> 감사합니다.",
        "On Mon, Mar 4, 2024 at 10:00 AM Sales Team <\nsales@testparts.co.kr> wrote:\n\n"
        "> 6205 베어링 300개 견적드립니다.",
    ],
)
def test_quoted_earlier_mail_is_not_the_request(history: str) -> None:
    text = f"{REQUEST}\n\n{SIGNATURE}\n\n{history}\n"
    sections = split_message(text)
    assert sections.request_text == REQUEST
    assert sections.signature_text == SIGNATURE
    assert "6205" in "\n".join(line.text for line in sections.quoted)
    assert "6205" not in strip_non_request(text)
    assert not sections.forwarded


def test_offsets_point_into_the_original_text() -> None:
    text = f"> 예전 6205 10개\n{REQUEST}\n{SIGNATURE}"
    for line in split_message(text).request + split_message(text).signature:
        assert text[line.start : line.end] == line.text


def test_bottom_posted_reply_keeps_the_new_text_after_the_quote() -> None:
    text = (
        "On Mon, Mar 4, 2024 Kim wrote:\n> 6205 300개 가능할까요?\n> 감사합니다\n"
        "네, 6204 50 EA로 해 주세요.\nThanks,\nBob"
    )
    sections = split_message(text)
    assert sections.request_text == "네, 6204 50 EA로 해 주세요."
    assert sections.signature_text == "Thanks,\nBob"


def test_a_forwarded_mail_is_the_request_and_its_sender_is_kept() -> None:
    text = (
        "FYI 견적 부탁드립니다.\n---------- Forwarded message ---------\nFrom: 이영희 <lee@bada-mc.kr>\n"
        "Date: 2024년 3월 5일 (화) 오전 10:20\nSubject: 견적 요청\nTo: <sales@testparts.co.kr>\n\n\n"
        "6204 베어링 100개 견적 부탁드립니다.\n\n감사합니다.\n이영희 / 바다기계\n"
    )
    sections = split_message(text)
    assert sections.forwarded and sections.forwarded_from == "lee@bada-mc.kr"
    assert "6204 베어링 100개 견적 부탁드립니다." in sections.request_text
    assert sections.signature_text == "감사합니다.\n이영희 / 바다기계"


def test_outlook_forward_is_recognised_by_its_subject() -> None:
    text = "참고 바랍니다\n\nFrom: 이영희 <lee@bada-mc.kr>\nSent: Tuesday\nTo: 김철수\nSubject: FW: 발주\n\n6204 10개"
    sections = split_message(text)
    assert sections.forwarded
    assert sections.request_text.endswith("6204 10개")


def test_a_sign_off_before_items_does_not_cut_them() -> None:
    text = "감사합니다. 아래와 같이 주문합니다.\n감사합니다.\n6204 10개\n6205 20개\n감사합니다.\n김철수 드림"
    sections = split_message(text)
    assert "6204 10개\n6205 20개" in sections.request_text
    assert sections.signature_text == "감사합니다.\n김철수 드림"


def test_a_contact_block_without_sign_off_is_a_signature() -> None:
    text = "6204 100개 보내주세요\n\n김철수\n한결정밀 구매팀 대리\nTel. 031-123-4567\nkimcs@gmail.com"
    sections = split_message(text)
    assert sections.request_text == "6204 100개 보내주세요"
    assert sections.signature_text.startswith("김철수\n한결정밀 구매팀")


def test_dash_signature_mobile_footer_and_disclaimer() -> None:
    text = (
        "6204 100개 부탁드립니다.\n-- \nKim, Hangyeol Precision\n\n"
        "본 메일은 법적으로 보호되는 정보를 포함하고 있습니다. 무단 배포를 금합니다."
    )
    sections = split_message(text)
    assert sections.request_text == "6204 100개 부탁드립니다."
    assert sections.signature_text == "-- \nKim, Hangyeol Precision"
    assert [line.text for line in sections.footer if line.text] == [text.splitlines()[-1]]
    assert split_message("6204 10개\n\niPhone에서 보냄").request_text == "6204 10개"


def test_a_mail_that_is_all_request_is_left_alone() -> None:
    text = "6204 베어링 100개\n6205 베어링 50개\n납기는 다음 주 금요일까지입니다."
    assert split_message(text).request_text == text
    assert split_message("").request_text == ""
