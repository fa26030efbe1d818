"""Reading what a person typed during a form: the words that leave or step back in it, and
which of the offered choices a typed answer means (its button's words, a synonym, or its
place in the list: 二, 第二个, 2). No aiogram here."""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from enum import Enum

import cn2an

# The longest text read as an answer to a question (a date, a phone, a choice); longer ones
# are left alone, so a pasted essay costs nothing here.
ANSWER_MAX = 40


class Escape(Enum):
    BACK = "back"
    MENU = "menu"
    CANCEL = "cancel"
    CONFUSED = "confused"  # 听不懂: say the question again, more simply


# Whole messages that mean an escape (compared after `plain`). Chinese and English are both
# read whatever the language: a person may type either.
_ESCAPES: dict[Escape, tuple[str, ...]] = {
    Escape.BACK: (
        "上一步", "返回", "后退", "回去", "退回", "点错了", "按错了", "选错了", "错了",
        "back", "go back", "previous",
    ),
    Escape.MENU: ("/menu", "menu", "主菜单", "菜单", "回主菜单", "main menu"),
    Escape.CANCEL: ("/cancel", "cancel", "取消", "不办了", "不弄了", "算了"),
    Escape.CONFUSED: (
        "听不懂", "看不懂", "不懂", "不明白", "没明白", "没看懂", "什么意思", "啥意思", "?", "？",
        "help", "/help", "帮助", "i don't understand", "what",
    ),
}  # fmt: skip

_POLITE_ENDS = "吧啊呀呢的了哦嗯"


def plain(text: str) -> str:
    """The answer without emoji, punctuation, spaces or case: "✅ 同意，继续" → "同意继续"."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch in "?/" or unicodedata.category(ch)[0] in "LN")


def escape_in(text: str) -> Escape | None:
    """Which escape a whole message means, if any (a sentence that merely holds 返回 is not)."""
    said = plain(text)
    said = said.rstrip("?") or said  # 什么意思？ is 什么意思
    for escape, words in _ESCAPES.items():
        if said in (plain(w) for w in words):
            return escape
    return None


def only_a_form_reply(text: str) -> bool:
    """Words that, sent on their own in the middle of a form, answer its question and say
    nothing about health: 听不懂 (a stroke sign in a sentence about someone, here "I don't
    follow"), or a phone number in Chinese digits (一三八…, where triage would read 三八 as
    a temperature)."""
    if escape_in(text) is Escape.CONFUSED:
        return True
    digits = arabic_numerals(text).replace(" ", "").replace("-", "")
    return len(digits) >= 7 and digits.isdigit()


@dataclass(frozen=True)
class Choice:
    """One answer offered on a button."""

    value: str
    label: str  # as shown, in the person's language
    words: tuple[str, ...] = field(default=())  # other ways to type it, in any language
    settles: bool = True  # False: pressing it leaves the question open (a toggle, a notice)


def pick(text: str, choices: list[Choice], *, by_place: bool = True) -> Choice | None:
    """The choice a typed answer means: its label or one of its words (with or without a
    polite ending: 好的, 女的, 没有啊; numerals as digits: 四十年代), else its place in the
    list (二, 第二个, 2)."""
    said = plain(text)
    if not said or len(said) > ANSWER_MAX:
        return None
    digits = plain(arabic_numerals(text))
    forms = {said, digits, said.rstrip(_POLITE_ENDS) or said, digits.rstrip(_POLITE_ENDS) or said}
    for choice in choices:
        names = {plain(choice.label)} | {plain(w) for w in choice.words}
        if forms & names:
            return choice
    if not by_place:
        return None
    place = ordinal(said)
    if place is not None and 1 <= place <= len(choices):
        return choices[place - 1]
    return None


_ORDINAL = re.compile(r"^(?:第|no\.?|#)?(\d{1,2})(?:个|项|条|行|号|种|)$")


def ordinal(said: str) -> int | None:
    """二 / 第二个 / 2 / 第2项 → 2. Numerals are read by cn2an."""
    match = _ORDINAL.match(arabic_numerals(said))
    return int(match.group(1)) if match else None


def arabic_numerals(text: str) -> str:
    """Numbers people type in Chinese, as digits: 一九四五年三月五号 → 1945年3月5号,
    一三八幺二… → 138 12…, full-width digits too. Text without numerals is unchanged."""
    text = unicodedata.normalize("NFKC", text)
    if len(text) > ANSWER_MAX:  # not an answer to a question: not worth cn2an's time
        return text
    text = text.replace("幺", "一").replace("〇", "零")
    with warnings.catch_warnings():  # cn2an warns about what it cannot read; we just keep it
        warnings.simplefilter("ignore")
        try:
            return str(cn2an.transform(text, "cn2an"))
        except (ValueError, KeyError, IndexError):
            return text


# Other common ways of saying yes, no and none, for every question that offers them. Words
# are read in both languages whatever the person's own: they are not translated.
YES_WORDS = ("同意", "可以", "好的", "好", "行", "对", "是", "嗯", "yes", "ok", "okay", "agree")
NO_WORDS = ("不同意", "不要", "不用", "不", "不行", "no", "disagree")
NONE_WORDS = ("没有", "没", "无", "都没有", "都不是", "没有病", "none", "no", "nothing")
