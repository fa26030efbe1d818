"""The two views of a message that triage's patterns read.

Traditional characters are read as simplified ones. Chinese patterns read a compact view with
no spaces inside words (胸 口 疼 → 胸口疼) but a comma where a space parts two phrases
(我妈倒了 喊不醒 → 我妈倒了,喊不醒): people who type no punctuation use spaces for it.
English patterns read a view with single spaces. Both views have the speech-to-text slips and
dialect words of the lexicon mended and its figurative idioms blanked out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import opencc

from nlu.readings import nfkc_within_bounds
from nlu.triage.fast import fast

# Telegram caps messages at 4096 characters; forwarded/pasted text is cut well past that.
MAX_TEXT = 16384

_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_WHITESPACE = re.compile(r"\s+")
_CJK = r"\u3400-\u9fff"
# A space between two Chinese characters parts two phrases, unless the message spaces out
# nearly every character (胸 口 疼 得 厉 害), when the spaces mean nothing.
# (The space is matched before the lookbehind for the character before it, so the regex engine
# skips ahead to a space instead of trying the pattern at every character.)
_PHRASE_SPACE = re.compile(rf"[^\S\n](?<=[{_CJK}][^\S\n])[^\S\n]*(?=[{_CJK}])")
_OTHER_SPACE = re.compile(r"[^\S\n]+")
_SPACED_OUT = re.compile(rf"[{_CJK}][^\S\n](?=[{_CJK}])")


@dataclass(frozen=True, slots=True)
class Views:
    compact: str  # Chinese patterns
    spaced: str  # English patterns and the readings
    # Every character the compact view may hold (a few more at most): a sign none of whose
    # matches could start with one is not searched (collected while mending: a set of a long
    # message's characters costs as much as a search)
    characters: frozenset[str]


class Mender:
    """Rewrites slips and dialect words (血唐 → 血糖, 唔 → 不), then blanks idioms
    (笑到我喘不到气) in the mended text."""

    def __init__(self, slips: dict[str, str], idioms: list[str]) -> None:
        self._slips = slips
        self._longest_first = sorted(slips, key=len, reverse=True)
        # An idiom becomes a comma: no pattern matches across it, and it reads as no words.
        self._idiom = fast("|".join(f"(?:{idiom})" for idiom in idioms)) if idioms else None

    def __call__(self, text: str) -> str:
        return self.with_characters(text)[0]

    def with_characters(self, text: str) -> tuple[str, set[str]]:
        """The mended text, and its characters or a few more (the text's own, those the
        slips put in, and the idioms' comma)."""
        # Substring tests run at C speed, and only slips whose first character is in the text
        # are tested at all: cheaper than one regex over every position.
        letters = set(text)
        characters = {*letters, ","}
        for slip in self._longest_first:
            if slip[0] in letters and slip in text:
                text = text.replace(slip, self._slips[slip])
                characters.update(self._slips[slip])
        mended = self._idiom.sub(",", text) if self._idiom is not None else text
        return mended, characters


def _wide_characters(text: str) -> int:
    """About how many Chinese characters ``text`` holds (three UTF-8 bytes each), counted at
    C speed."""
    return (len(text.encode("utf-8", "surrogatepass")) - len(text)) // 2


@cache
def _simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")  # traditional characters read as simplified (發紫 → 发紫)


@cache
def _traditional() -> re.Pattern[str]:
    """The characters OpenCC changes, as one character class: a message with none of them need
    not be converted (the regex engine scans for them several times faster than a set test)."""
    every = "".join(chr(code) for code in range(0x3400, 0xA000))
    simplified = _simplified().convert(every)
    if len(simplified) != len(every):  # a one-to-many mapping: convert every message instead
        return re.compile(r"[\s\S]")
    changed = "".join(a for a, b in zip(every, simplified, strict=True) if a != b)
    return re.compile(f"[{re.escape(changed)}]")


def simplified(text: str) -> str:
    return _simplified().convert(text) if _traditional().search(text) else text


def prepare(text: str, mend: Mender) -> Views:
    text = simplified(nfkc_within_bounds(text[:MAX_TEXT])).lower()
    text = _INVISIBLE.sub(" ", text)
    text = text.replace("\u2019", "'").replace("`", "'")  # can’t → can't
    text, characters = mend.with_characters(text.replace("\r\n", "\n").replace("\r", "\n"))
    spaced = _WHITESPACE.sub(" ", text).strip()
    head = text[:2000]
    spaced_out = len(_SPACED_OUT.findall(head))
    if spaced_out > 2 and spaced_out > 0.6 * _wide_characters(head):
        compact = _OTHER_SPACE.sub("", text)
    else:
        compact = _OTHER_SPACE.sub("", _PHRASE_SPACE.sub(",", text))
    return Views(compact=compact, spaced=spaced, characters=frozenset(characters))
