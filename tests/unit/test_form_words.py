"""Reading typed answers in forms (flows/forms/words.py): escapes, a choice by its words or
its place, numerals; and the person rules that read names, dates and phones as typed."""

from __future__ import annotations

from datetime import date

import pytest

from flows.forms.words import Choice, Escape, arabic_numerals, escape_in, only_a_form_reply, pick
from flows.person import normalise_phone, parse_birth_date, without_name_intro

SEX = [Choice("male", "👨 男", ("男", "男性")), Choice("female", "👩 女", ("女", "女性"))]
PREGNANCY = [
    Choice("none", "没有", ("没有", "无")),
    Choice("pregnant", "怀孕中", ("怀孕",)),
    Choice("postpartum", "产后一年内", ("产后", "一年")),
]


@pytest.mark.parametrize(
    ("typed", "escape"),
    [("返回", Escape.BACK), ("上一步", Escape.BACK), ("点错了", Escape.BACK),
     ("⬅️ 上一步", Escape.BACK), ("/menu", Escape.MENU), ("主菜单", Escape.MENU),
     ("/cancel", Escape.CANCEL), ("取消", Escape.CANCEL), ("听不懂", Escape.CONFUSED),
     ("什么意思？", Escape.CONFUSED), ("我想返回主页看看医生", None), ("张秀兰", None)],
)  # fmt: skip
def test_escapes_are_whole_messages(typed: str, escape: Escape | None) -> None:
    assert escape_in(typed) is escape


@pytest.mark.parametrize(
    ("typed", "value"),
    [("女", "female"), ("女的", "female"), ("👩 女", "female"), ("男性", "male"),
     ("二", "female"), ("第二个", "female"), ("2", "female"), ("第一个", "male"),
     ("三", None), ("蓝色", None)],
)  # fmt: skip
def test_a_choice_by_its_words_or_its_place(typed: str, value: str | None) -> None:
    choice = pick(typed, SEX)
    assert (choice.value if choice else None) == value


def test_synonyms_beat_places_and_polite_endings_are_ignored() -> None:
    assert pick("一年", PREGNANCY) == PREGNANCY[2]  # a word, not the first choice
    assert pick("没有啊", PREGNANCY) == PREGNANCY[0]
    assert pick("二", PREGNANCY, by_place=False) is None


def test_numerals_and_long_texts() -> None:
    assert arabic_numerals("一九四五年三月五号") == "1945年3月5号"
    assert arabic_numerals("幺三八") == "138"
    long = "十" * 500
    assert arabic_numerals(long) == long  # left alone: not an answer to a question


def test_people_type_dates_phones_and_names_their_own_way() -> None:
    today = date(2026, 12, 3)
    assert parse_birth_date("一九四五年三月五号", today) == date(1945, 3, 5)
    assert parse_birth_date("1945年3月5日出生", today) == date(1945, 3, 5)
    assert normalise_phone("一三八幺二三四五六七八") == "+8613812345678"
    assert without_name_intro("我叫张秀兰") == "张秀兰"
    assert without_name_intro("他叫李建华。") == "李建华"
    assert without_name_intro("My name is Mary Smith") == "Mary Smith"
    assert without_name_intro("张秀兰") is None


def test_form_replies_that_triage_leaves_alone() -> None:
    assert only_a_form_reply("听不懂")
    assert only_a_form_reply("一三八 一二三四 五六七八")
    assert not only_a_form_reply("他突然听不懂话了")
    assert not only_a_form_reply("发烧三十九度")
