"""Is a matched symptom about now? Cues in the words around it decide (the cue lists are in
lexicon.yml):

1. a negation right before the symptom (没有胸痛, no chest pain) drops that match;
2. no calm cue near it: it fires;
3. told as the past (去年, 上周 before it, with no word of now such as 今天 or 现在 between):
   only an extreme cue (救命) makes it fire;
4. a calm cue near it (万一, 挂什么科, 电视上), a long-standing state (几十年了都这样) or a
   joke anywhere in the message (哈哈) silences it unless an urgent cue (突然, 刚才, 厉害,
   right now) is there too, outside the symptom's own words;
5. a "what if" or knowledge framing (万一突然中风怎么办) still wins over urgency, except over
   the extreme cues (救命, help!).

"Near" is the symptom's clause and the clauses either side of it, within its sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlu.triage.fast import fast

SENTENCE_REACH = 160  # characters either side of a symptom that count as its sentence
NEGATION_REACH = 30
PAST_REACH = 240  # characters before a symptom where a story about the past may have begun

_SENTENCE_END = re.compile(r"[\n。!！?？;；…]+|\.(?:\s|$)")
_SENTENCE_END_REVERSED = re.compile(r"[\n。!！?？;；…]|\s\.|^\.")  # the same, read backwards
_CLAUSE_MARK = re.compile(r"[,，、:：]")
_CLAUSE_END = re.compile(r"[,，。.!！?？;；]")


@dataclass(frozen=True, slots=True)
class Cues:
    negation_zh: re.Pattern[str]
    question_zh: re.Pattern[str]
    negation_en: re.Pattern[str]
    strong: re.Pattern[str]
    calm: re.Pattern[str]
    asking: re.Pattern[str]  # 这正常吗: calm, except for a sign that is never normal
    well: re.Pattern[str]
    joking: re.Pattern[str]
    chronic: re.Pattern[str]
    past: re.Pattern[str]
    past_readings: re.Pattern[str]  # the past for a reading: yesterday too
    present: re.Pattern[str]
    framing: re.Pattern[str]
    extreme: re.Pattern[str]
    # The longest a Chinese negation or question can be, with what may follow it: both are
    # read at the end of a clause, so only that many characters of it need be searched.
    negation_zh_reach: int = NEGATION_REACH
    question_zh_reach: int = NEGATION_REACH

    @classmethod
    def from_lexicon(cls, cues: dict[str, list[str]]) -> Cues:
        def joined(*names: str) -> str:
            return "|".join(item for name in names for item in cues[name])

        return cls(
            negation_zh=re.compile(
                f"(?:{joined('negation_zh')})(?:{joined('negation_zh_tail')})?$"
            ),
            question_zh=re.compile(f"(?:{joined('question_zh')})[^,，。.!！?？;；]{{0,3}}$"),
            negation_en=re.compile(rf"\b(?:{joined('negation_en')})(?:\s+\S+){{0,2}}\s*$"),
            strong=fast(joined("strong_zh", "strong_en")),
            calm=fast(joined("calm_zh", "calm_en", "past_en", "knowledge", "hypothetical")),
            asking=fast(joined("asking")),
            chronic=fast(joined("chronic_zh")),
            well=fast(joined("well")),
            joking=fast(joined("joking")),
            past=fast(joined("past_zh", "past_en")),
            past_readings=fast(joined("past_zh", "past_en", "past_readings")),
            present=fast(joined("present")),
            framing=fast(joined("knowledge", "hypothetical")),
            extreme=fast(joined("extreme")),
            # (a word's pattern is never shorter than what it matches; +1: $ before a newline)
            negation_zh_reach=_longest(cues["negation_zh"])
            + _longest(cues["negation_zh_tail"])
            + 1,
            question_zh_reach=_longest(cues["question_zh"]) + 3 + 1,
        )


def _longest(words: list[str]) -> int:
    return max(len(word) for word in words)


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around text[start:end], at most SENTENCE_REACH characters either side: a
    cue further away is not about this phrase, and a text with no full stop stays linear."""
    reach = max(0, start - SENTENCE_REACH)
    before = _SENTENCE_END_REVERSED.search(text[reach:start][::-1])
    left = start - before.start() if before else reach
    limit = min(len(text), end + SENTENCE_REACH)
    after = _SENTENCE_END.search(text, end, limit)
    return left, after.start() if after else limit


def near_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The symptom's clause and one clause either side, inside its sentence."""
    left, right = sentence_bounds(text, start, end)
    marks_before = [m.start() for m in _CLAUSE_MARK.finditer(text, left, start)]
    if len(marks_before) >= 2:
        left = marks_before[-2] + 1
    marks_after = _CLAUSE_MARK.finditer(text, end, right)
    next(marks_after, None)
    second = next(marks_after, None)
    return left, second.start() if second else right


def negated(cues: Cues, view: str, start: int, english: bool) -> bool:
    before = view[max(0, start - NEGATION_REACH) : start]
    if english:
        return bool(cues.negation_en.search(before))
    # Only a negation in the same clause counts: "没事，刚才晕倒了" still fires.
    clause = _CLAUSE_END.split(before)[-1]
    # 是不是中风 / 会不会是心梗: worried, not denying
    if cues.question_zh.search(clause[-cues.question_zh_reach :]):
        return False
    return bool(cues.negation_zh.search(clause[-cues.negation_zh_reach :]))


def _told_as_past(cues: Cues, view: str, match: re.Match[str]) -> bool:
    """A story told about the past runs until a word of now: 上回低血糖是去年冬天的事，打完
    胰岛素没吃饭，出了一身汗 is all past; 以前放过支架，今天胸口又痛 is not."""
    start = max(0, match.start() - PAST_REACH)
    return any(
        not cues.present.search(view, past.end(), match.start())
        for past in cues.past.finditer(view, start, match.start())
    )


def _long_standing(cues: Cues, view: str, match: re.Match[str], left: int, right: int) -> bool:
    """几十年了都这样 anywhere near, unless it comes before with a word of now between
    (糖尿病十几年 … 今天 … 叫不醒)."""
    return any(
        chronic.start() >= match.end()
        or not cues.present.search(view, chronic.end(), match.start())
        for chronic in cues.chronic.finditer(view, left, right)
    )


@lru_cache(maxsize=8)
def _anywhere(cue: re.Pattern[str], view: str) -> bool:
    """Whether ``cue`` is anywhere in the message: asked for every sign's every match, it is
    searched once per message (the message's two views)."""
    return cue.search(view) is not None


def about_now(
    cues: Cues, view: str, match: re.Match[str], english: bool, asking_calms: bool = True
) -> bool:
    if negated(cues, view, match.start(), english):
        return False
    left, right = near_bounds(view, match.start(), match.end())
    # Urgency must come from outside the matched phrase (叫救护车要多少钱 is a price question).
    around = view[left : match.start()] + " " + view[match.end() : right]
    if _told_as_past(cues, view, match):  # 上周突然晕倒过一次: 突然 is part of the story
        return bool(cues.extreme.search(around))
    calm = (
        cues.calm.search(view, left, right)
        or (asking_calms and cues.asking.search(view, left, right))
        or _long_standing(cues, view, match, left, right)
        or _anywhere(cues.joking, view)
    )
    if not calm:
        return True
    if not cues.strong.search(around):
        return False
    return not (cues.framing.search(view, left, right) and not cues.extreme.search(around))
