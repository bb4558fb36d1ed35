"""Fictional people, places and suppliers that sample documents are written by and about.

None of this is about a particular company: the generator combines it with whatever company folder it
is given (its catalog, customers and seller).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from schemas.business_no import check_digit

# (Hangul name, romanised for mail addresses)
NAMES = (
    ("김민수", "minsu.kim"), ("이지현", "jihyun.lee"), ("박준호", "junho.park"), ("최서연", "seoyeon.choi"),
    ("정우진", "woojin.jung"), ("강하늘", "haneul.kang"), ("조성민", "sungmin.cho"), ("윤지아", "jia.yoon"),
    ("장동현", "donghyun.jang"), ("임수빈", "subin.lim"), ("한상철", "sangchul.han"), ("오민지", "minji.oh"),
    ("서재원", "jaewon.seo"), ("신유나", "yuna.shin"), ("권태호", "taeho.kwon"), ("황보라", "bora.hwang"),
)
TITLES = ("사원", "주임", "대리", "과장", "차장", "팀장", "부장")
TITLES_EN = {"사원": "Staff", "주임": "Associate", "대리": "Assistant Manager", "과장": "Manager",
             "차장": "Deputy General Manager", "팀장": "Team Lead", "부장": "General Manager"}
DEPARTMENTS = ("구매팀", "자재팀", "관리팀", "생산관리팀", "총무팀", "구매관리팀")
DEPARTMENTS_EN = {"구매팀": "Purchasing", "자재팀": "Materials", "관리팀": "Administration",
                  "생산관리팀": "Production Control", "총무팀": "General Affairs", "구매관리팀": "Procurement"}
PERSONAL_MAIL_DOMAINS = ("naver.com", "gmail.com", "daum.net", "hanmail.net")
ADDRESSES = (
    "경기도 안산시 단원구 산단로 163",
    "인천광역시 남동구 남동대로 215번길 30",
    "경기도 화성시 향남읍 발안공단로 88",
    "충청남도 천안시 서북구 직산읍 4산단6로 41",
    "경상남도 창원시 성산구 공단로 271",
    "대구광역시 달서구 성서공단로 11길 62",
    "부산광역시 강서구 녹산산단321로 24",
    "경기도 김포시 대곶면 대곶북로 512",
)
# Wholesalers the seller buys from: they send 거래명세서 (kind "invoice").
SUPPLIERS = (
    ("(주)대명상사", "daemyung-sangsa.co.kr"),
    ("한결유통(주)", "hangyeol-dist.co.kr"),
    ("(주)세종트레이딩", "sejongtrading.kr"),
    ("우리산업상사", "woori-sanup.com"),
    ("(주)동서종합상사", "dongseo-corp.co.kr"),
)
SUPPLIER_TRADES = (("도소매", "상품종합중개"), ("도매", "산업용품 및 포장재"))


@dataclass(frozen=True)
class Person:
    name: str
    roman: str
    title: str
    department: str

    @property
    def english_name(self) -> str:
        given, family = self.roman.split(".")
        return f"{given.capitalize()} {family.capitalize()}"

    @property
    def english_title(self) -> str:
        return f"{TITLES_EN[self.title]}, {DEPARTMENTS_EN[self.department]}"


def pick_person(rng: random.Random) -> Person:
    name, roman = rng.choice(NAMES)
    return Person(name=name, roman=roman, title=rng.choice(TITLES), department=rng.choice(DEPARTMENTS))


def phone_number(rng: random.Random, mobile: bool = False) -> str:
    if mobile:
        return f"010-{rng.randint(2000, 9999)}-{rng.randint(1000, 9999)}"
    area = rng.choice(("02", "031", "032", "041", "051", "053", "055"))
    return f"{area}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"


def business_number(rng: random.Random, corporate: bool = True) -> str:
    """A 사업자등록번호 that passes the check digit (middle 81/86/87 for corporations, 01–79 otherwise)."""
    office = rng.randint(101, 899)
    kind = rng.choice((81, 86, 87)) if corporate else rng.randint(1, 79)
    serial = rng.randint(0, 9999)
    first_nine = f"{office:03d}{kind:02d}{serial:04d}"
    return f"{first_nine[:3]}-{first_nine[3:5]}-{first_nine[5:]}{check_digit(first_nine)}"
