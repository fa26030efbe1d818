"""Red-flag triage: does this message describe an emergency happening now?

Runs on every free-text message before the NLU, with no network, so it is precompiled regex
only. It errs towards firing: a missed stroke costs far more than one "call 120" reply too many.
It stays quiet on calm talk *about* the same topics (挂什么科, 怎么预防, 去年中风现在恢复得不错,
血压130/80) by looking at cues in the same sentence:

1. a negation right before the symptom (没有胸痛, no chest pain) drops that match;
2. a strong urgency cue (救命, 120, 突然, 刚才, 厉害, right now) makes it fire regardless;
3. a hypothetical, knowledge, long-past or recovery cue (万一, 怎么预防, 挂什么科, 去年, 恢复)
   silences it;
4. otherwise it fires.

Reason codes are stable strings; the bot maps them to replies and doctor alerts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from nlu.readings import nfkc_within_bounds, pressure_parts_and_glucose

__all__ = ["REASONS", "TriageResult", "TriageThresholds", "assess"]

_log = logging.getLogger(__name__)

REASONS: tuple[str, ...] = (
    "chest_pain",
    "stroke",
    "unconscious",
    "breathing",
    "bleeding",
    "convulsion",
    "poisoning",
    "suicide",
    "bp_crisis",
    "glucose_low",
    "glucose_high",
    "pregnancy_bleeding",
    "fall",
    "distress",
)

# Telegram caps messages at 4096 characters; forwarded/pasted text is cut well past that.
MAX_TEXT = 16384
# Bounds on the work one message can cause (triage runs on the event loop for everyone):
SENTENCE_REACH = 160  # characters either side of a symptom that count as its sentence
HITS_PER_RULE = 16  # matches of one rule weighed per message: the first 8 and the last 8


@dataclass(frozen=True, slots=True)
class TriageThresholds:
    """Alarm limits; the defaults follow the national hypertension and diabetes guidelines."""

    systolic_high: int = 180
    diastolic_high: int = 110
    glucose_low: float = 3.9
    glucose_high: float = 16.7


@dataclass(frozen=True, slots=True)
class TriageResult:
    red_flag: bool
    reasons: tuple[str, ...] = ()


# --- text preparation --------------------------------------------------------------------

_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_WHITESPACE = re.compile(r"\s+")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_SENTENCE_END = re.compile(r"[\n。!！?？;；…]+|\.(?:\s|$)")
_SENTENCE_END_REVERSED = re.compile(r"[\n。!！?？;；…]|\s\.|^\.")  # the same, read backwards


def _prepare(text: str) -> tuple[str, str]:
    """Two views: Chinese patterns see no spaces (胸 口 疼), English ones see single spaces."""
    text = nfkc_within_bounds(text[:MAX_TEXT]).lower()
    text = _INVISIBLE.sub(" ", text)
    # Curly apostrophes (can’t) become straight after NFKC only sometimes.
    text = text.replace("\u2019", "'").replace("`", "'")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    spaced = _WHITESPACE.sub(" ", text).strip()
    compact = _HORIZONTAL_SPACE.sub("", text)  # keeps newlines: they end sentences
    return compact, spaced


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around text[start:end], at most SENTENCE_REACH characters either side: a
    cue further away is not about this phrase, and a text with no full stop stays linear."""
    reach = max(0, start - SENTENCE_REACH)
    # The nearest end before the phrase: the first one in the reversed text before it.
    before = _SENTENCE_END_REVERSED.search(text[reach:start][::-1])
    left = start - before.start() if before else reach
    limit = min(len(text), end + SENTENCE_REACH)
    after = _SENTENCE_END.search(text, end, limit)
    return left, after.start() if after else limit


# --- cues ---------------------------------------------------------------------------------

# Speed: Python's regex engine skips ahead with a fast character scan only when every top-level
# option of a pattern starts with a plain character; otherwise it tries the whole pattern at
# every position of the message. So _fast() spreads leading groups out ((?:手|脚)麻 → 手麻|脚麻:
# the same matches in the same order) and moves a leading \b or ^ after the first letter
# (\bhelp → h(?<!\w.)elp, ^sos → s(?<![\s\S]s)os). A lookbehind goes after the first
# character by hand: 晕(?<!头晕)到.


def _structural(pattern: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """Positions of ``(``, ``)`` and ``|`` from ``start``, past escapes and character classes."""
    i = start
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(pattern, i)
        elif char in "()|":
            yield i, char
        i += 1


def _class_end(pattern: str, start: int) -> int:
    """Index of the ``]`` closing the character class that opens at ``start``."""
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1
    while pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i


def _closing(pattern: str, start: int) -> int:
    """Index of the ``)`` closing the group that opens at ``start``."""
    depth = 0
    for i, char in _structural(pattern, start):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced pattern: {pattern!r}")


def _top_level(pattern: str) -> list[str]:
    """``a|b(?:c|d)`` → ``[a, b(?:c|d)]``."""
    parts, depth, begin = [], 0, 0
    for i, char in _structural(pattern):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            parts.append(pattern[begin:i])
            begin = i + 1
    return [*parts, pattern[begin:]]


def _spread(option: str) -> list[str]:
    """``\b(?:a|b)c`` → ``[\bac, \bbc]``, down to options that start with a character."""
    anchor = next((a for a in ("\\b", "^") if option.startswith(a + "(?:")), "")
    if not option.startswith(anchor + "(?:"):
        return [option]
    start = len(anchor)
    end = _closing(option, start)
    rest = option[end + 1 :]
    if rest[:1] in ("?", "*", "+", "{"):
        raise ValueError(f"option starts with an optional group: {option!r}")
    branches = _top_level(option[start + 3 : end])
    return [spread for branch in branches for spread in _spread(anchor + branch + rest)]


def _plain_start(option: str) -> str:
    if option.startswith("\\b") and option[2:3].isalnum():
        return f"{option[2]}(?<!\\w.){option[3:]}"
    if option.startswith("^") and option[1:2].isalnum():
        return f"{option[1]}(?<![\\s\\S]{option[1]}){option[2:]}"
    if not option or option[0] in "([\\.^$|?*+{":
        raise ValueError(f"option must start with a plain character: {option!r}")
    return option


def _fast(pattern: str) -> re.Pattern[str]:
    """``pattern``, rewritten so every top-level option starts with a plain character."""
    options = [_plain_start(o) for part in _top_level(pattern) for o in _spread(part)]
    return re.compile("|".join(options))


def _zh(*alternatives: str) -> re.Pattern[str]:
    return _fast("|".join(alternatives))


def _en(*alternatives: str) -> re.Pattern[str]:
    return _fast("|".join(rf"\b(?:{a})\b" for a in alternatives))


# Gap inside a Chinese pattern: a few characters that are not punctuation or a negation.
_G = r"[^，,。.！!？?；;不没无未别]"

_ZH_NEGATION = re.compile(
    r"(?:没有|没|不是|不|无|未|否认|并无|并没有|别)(?:再|太|什么|出现过?|发生过?|有过?|感到|觉得)?$"
)
# 是不是中风 / 会不会是心梗 are worried questions, not negations.
_ZH_QUESTION = re.compile(r"(?:是不是|是不|会不会|是否|有没有|是没是)[^，,。.！!？?；;]{0,3}$")
_EN_NEGATION = re.compile(
    r"\b(?:no|not|never|without|denies|denied|don't|doesn't|didn't|isn't|wasn't|hasn't)"
    r"(?:\s+\S+){0,2}\s*$"
)

_ZH_STRONG = (
    r"救命|快不行|不行了|受不了|1(?<![\d/]1)20(?![\d/])|急救车|救护车|赶紧|快来|快点|马上|突然|忽然|"
    r"刚才|刚刚|正在|这会儿|厉害|得很|要命|吓死|咋办啊|怎么办啊|急急急|急死|"
    r"救救"
)
_EN_STRONG = (
    r"\bhelp\s*!|^help\b|\bplease help\b|\bsomeone help\b|\bambulance\b|\b911\b|"
    r"\bemergency\b|\bright now\b|\bsuddenly\b|"
    r"\bhurry\b|\burgent\b|\bjust now\b|\bplease come\b"
)
# Talk about the topic in general, or about "what if".
_ZH_CALM = (
    r"万一|如果|假如|假设|要是|预防|防止|避免|会不会(?:引起|导致|得|遗传|传染)|容易|"
    r"挂什么科|挂哪个科|哪个科|什么科|看什么科|知识|科普|讲座|培训|课程|宣传|资料|视频|文章|"
    r"什么症状|哪些症状|症状有|有什么症状|征兆|前兆|早期信号|表现有|有哪些|是什么原因|什么原因|"
    r"原因是|为什么会|是什么病|什么是|吃什么药|什么药好|的药(?:能|可以|有哪些|叫什么|怎么吃|吃多久)|注意什么|注意事项|怎么护理|护理|"
    r"饮食|能吃什么|吃什么好|危害|副作用|了解|康复|恢复|后遗症|以后怎么|之后怎么|"
    r"去年|前年|年前|以前|从前|曾经|小时候|年轻时|当年|那年|上个月|个月前|病史|好多了|好了|治好|"
    r"出院|稳定|不错|多年|好几年|几年了|年(?<=[\d一二两三四五六七八九十几]年)了|年多了|老毛病|"
    r"演练|测试一下|举个例子|比如"
)
_EN_CALM = (
    r"\bhow (?:to|do|can|should)\b|\bwhat (?:is|are|causes|to do if)\b|\bsigns? of\b|"
    r"\bsymptoms? of\b|\bwarning signs?\b|\bprevent|\bprevention\b|\brisks?\b|\brehab|"
    r"\brecover|\blast (?:year|month)\b|\byears? ago\b|\bmonths? ago\b|\bhistory of\b|"
    r"\bused to\b|\bwhich (?:department|doctor|clinic)\b|\bcourse\b|\bclass\b|\bfirst aid\b|"
    r"\barticle\b|\binformation\b|\binfo\b|\bdiet\b|\bexercises?\b|\bif\b|\bin case\b|"
    r"\bcauses?\b|\bmedicine for\b|\bmedication for\b|\bafter a\b"
)
# Cues are only searched for (is there one?), so 年(?<=[…]年)了 may stand for [\d…]+年了.
_STRONG = _fast(f"{_ZH_STRONG}|{_EN_STRONG}")
_CALM = _fast(f"{_ZH_CALM}|{_EN_CALM}")


@dataclass(frozen=True, slots=True)
class _Rule:
    reason: str
    zh: re.Pattern[str] | None
    en: re.Pattern[str] | None
    # Some words are alarming however they are framed (想死, 吃了一整瓶): only negation and a
    # clear knowledge/prevention framing silence them, never a past or recovery cue.
    calm: re.Pattern[str] = _CALM


_PAIN = r"痛|疼|通|闷得|闷的|憋得|压着|压得|堵得|揪着|绞着|撕裂|紧得|像压|喘不"
_ONE_SIDE = r"(?:一侧|一边|半边|半身|半个身子|左边|右边|左侧|右侧|左半|右半|一只|一条|单侧)"
_WEAK = r"(?:无力|没力|没劲|没有力|动不了|不能动|动弹不得|抬不起|不听使唤|发麻|麻了|麻木|瘫)"
_PERSON = (
    r"(?:人|他|她|妈|爸|爹|娘|老人|老伴|老公|老婆|爷爷|奶奶|外公|外婆|孩子|宝宝|老头|老太|媳妇)"
)

_HYPOTHETICAL = r"万一|如果|假如|假设|要是|\bif\b|\bin case\b|\bwhat if\b"
_KNOWLEDGE_ONLY = _fast(
    r"预防|防止|避免|知识|科普|讲座|培训|课程|宣传|资料|文章|视频|热线是|心理健康|"
    r"\bprevent|\bprevention\b|\bcourse\b|\bclass\b|\barticle\b|\bawareness\b|"
    r"\bwarning signs?\b|\bhow to (?:help|support|spot|recognise|recognize)\b"
)

_DISTRESS_CALM = _fast(
    f"{_KNOWLEDGE_ONLY.pattern}|多少钱|收费|费用|怎么打|电话是多少|号码|"
    r"\bhow much\b|\bnumber\b|\bcost\b"
)

_RULES: tuple[_Rule, ...] = (
    _Rule(
        "chest_pain",
        _zh(
            rf"胸(?!椎|罩|围|怀|有成竹|肌)(?:口|部|前|膛|腔|骨后|前区)?{_G}{{0,4}}(?:{_PAIN})",
            rf"胸{_G}{{0,2}}闷{_G}{{0,4}}(?:厉害|受不了|出汗|冷汗|喘|透不过|难受得|要命|得慌)",
            r"胸(?:口|部)?闷[^。！？!?\n]{0,8}?(?:冷汗|大汗|出汗|喘不|透不过|左胳膊|左臂|左肩)",
            rf"心口{_G}{{0,4}}(?:{_PAIN}|闷|压|堵|难受得|好难受|很难受)",
            rf"心脏{_G}{{0,3}}(?:痛|疼|绞|揪|压得|像被|难受得|好难受|很难受)",
            r"心绞痛(?:犯|发作|又|了)",
            r"心梗|心肌梗",
            r"压榨(?:样|性|感)",
        ),
        _en(
            r"chest (?:pain|pains|hurts?|hurting|is (?:tight|hurting|killing)|tightness|pressure)",
            r"pain in (?:my|his|her|the) chest",
            r"(?:tight|crushing|heavy|squeezing) (?:feeling in (?:my|his|her|the) )?chest",
            r"heart attack",
            r"crushing pain",
        ),
    ),
    _Rule(
        "stroke",
        _zh(
            r"口角(?:歪|斜|偏)|嘴(?:角|巴)?(?:也|都|有点|突然)?歪|口眼歪|眼歪嘴斜|嘴歪眼斜|脸(?:也|都)?歪",
            r"说话(?:说)?(?:不清|含糊|不利索|不利落|大舌头|吐字不清|不出|不出来|费劲|舌头)",
            r"口齿不清|吐字不清|讲话不清|讲话含糊|话(?:都)?说不清|说不出话|舌头(?:发硬|不灵|发麻|硬了)",
            rf"{_ONE_SIDE}{_G}{{0,5}}{_WEAK}",
            rf"(?:突然|忽然){_G}{{0,6}}(?:{_WEAK}|看不见|看不清|说不出|站不稳|走不了)",
            rf"(?:手脚|手|脚|腿|胳膊|胳臂|半边脸|脸)(?:突然|忽然){_G}{{0,3}}(?:麻|没劲|无力|动不了)",
            r"中风|中疯|脑卒中|卒中|脑梗|脑血栓|脑溢血|脑出血|脑梗塞",
        ),
        _en(
            r"stroke",
            r"(?:face|mouth|smile) (?:is |looks )?(?:drooping|droopy|crooked|lopsided)",
            r"(?:drooping|droopy) (?:face|mouth)",
            r"facial droop",
            r"slurr(?:ed|ing)(?: (?:his|her|my))?(?: speech| words)?",
            r"can'?t (?:move|feel|lift) (?:my|his|her) (?:left|right|arm|leg|hand)",
            r"(?:weak|numb|paralysed|paralyzed) on one side",
            r"one side (?:of (?:my|his|her) (?:body|face) )?(?:is )?"
            r"(?:weak|numb|paralysed|paralyzed)",
            r"can'?t (?:speak|talk) (?:properly|clearly|right)",
        ),
    ),
    _Rule(
        "unconscious",
        _zh(
            r"晕倒|晕过去|昏倒|昏过去|晕厥|昏厥|昏迷|不省人事|人事不省|晕(?<!头晕)到(?:了|在|地)",
            r"叫不醒|喊不醒|叫不应|喊不应|拍不醒|摇不醒|醒不过来|怎么叫都不",
            rf"(?:叫|喊|拍){_G}{{0,4}}没(?:有)?(?:反应|动静)|{_PERSON}没(?:有)?(?:反应|知觉|意识)了?",
            r"失去(?:了)?(?:意识|知觉)|没(?:有)?意识了|倒地不起|瘫在地上",
            rf"{_PERSON}(?:子|家|头子)?倒(?:在)?(?:地上|地下|地板上)",
        ),
        _en(
            r"unconscious",
            r"passed out",
            r"faint(?:ed|ing)",
            r"collapsed",
            r"unresponsive",
            r"not (?:responding|waking up)",
            r"won'?t wake(?: up)?",
            r"can'?t wake (?:him|her|them)(?: up)?",
            r"blacked out",
        ),
    ),
    _Rule(
        "breathing",
        _zh(
            r"喘(?<!忙得喘)不(?:上|过|动|来)|穿不上气|喘不了气|上不来气|透不过气|气都喘不|喘气都|喘得(?:厉害|不行|很|说不)",
            r"呼吸(?:困难|困南|急促|不畅|不上来|不过来)|吸不上气|吸不进气|没法呼吸|不能呼吸|没有呼吸",
            r"憋气|憋得(?:慌|难受|厉害|不行|喘)|憋死|快憋|没气了|没(?:有)?呼吸了|不喘气了|没有呼吸",
            r"嘴唇(?:发紫|发青|紫了|青了)|脸(?:色)?(?:发紫|青紫)",
            r"(?:哮喘|气喘)(?:犯了|发作)",
            r"噎住|卡住(?:了)?(?:喉咙|嗓子)|卡在(?:喉咙|嗓子)|呛住",
        ),
        _en(
            r"can'?t breathe",
            r"cannot breathe",
            r"can not breathe",
            r"(?:hard|difficult|struggling) to breathe",
            r"(?:difficulty|trouble|problems?) breathing",
            r"short(?:ness)? of breath",
            r"gasping(?: for (?:air|breath))?",
            r"choking",
            r"(?:not|isn'?t|stopped|stops) breathing",
            r"lips (?:are |turning )?(?:blue|purple)",
        ),
    ),
    _Rule(
        "bleeding",
        _zh(
            r"大出血|出血不止|血止不住|止不住血|止不住的血|血流不止|流血不止|流个不停的血|一直(?:在)?流血",
            r"(?:流|出)了(?:好多|很多|一大|一地|一摊)(?:的)?血|好多血|满(?:地|身)(?:是|都是)?血",
            r"吐(?<!气得吐)(?<!气得我吐)(?<!气到吐)(?<!气死吐)血|呕血|咯血|咳血|咳出血|吐了(?:好多|很多|一口|一大口)?血",
            rf"便血{_G}{{0,4}}(?:很多|好多|不少|一大|厉害)|拉血|(?:大便|便便|拉的)(?:里)?(?:全是|都是|好多)血",
            r"黑便|柏油(?:样|色)?(?:大便|便)",
            rf"鼻血{_G}{{0,4}}(?:止不住|不止|流个不停|停不下来)",
        ),
        _en(
            r"bleeding (?:heavily|a lot|badly|everywhere|won'?t stop)",
            r"heavy bleeding",
            r"won'?t stop bleeding",
            r"can'?t stop (?:the )?bleeding",
            r"(?:vomiting|throwing up|coughing(?: up)?) blood",
            r"blood in (?:his|her|my)? ?(?:stool|vomit|poo)",
            r"lots of blood",
        ),
    ),
    _Rule(
        "convulsion",
        _zh(
            r"抽搐|抽畜|抽风|抽起来了|抽了(?:好几|几|一两|两三|半)分钟|抽个不停|一直在抽|浑身抽|全身抽|四肢抽|手脚抽|口吐白沫|翻白眼",
            r"(?:癫痫|羊角风|羊癫疯|羊羔疯)(?:犯了|发作|又犯)",
        ),
        _en(r"seizures?", r"convuls(?:ing|ion|ions|ed)", r"having a fit", r"fitting"),
    ),
    _Rule(
        "poisoning",
        _zh(
            r"吃错(?:了)?药|喝错(?:了)?药|拿错药吃|误服|误食|误喝",
            r"一整瓶|整瓶(?:药|都)|一整盒|一整板|整板(?:药|都)",
            rf"吃了(?:一大把|一把|好多|很多|半瓶|好几板|好几瓶|一瓶){_G}{{0,4}}(?:药|片|安眠|降压|降糖)",
            rf"药{_G}{{0,2}}吃多了|多吃了(?:好几|一把|几|很多)|吃多了(?:药|安眠药|降压药|降糖药)",
            rf"(?:喝|吃|服|误|咽){_G}{{0,4}}(?:农药|敌敌畏|百草枯|老鼠药|鼠药|耗子药|除草剂|杀虫剂"
            r"|消毒液|84|洗洁精|安眠药)",
            r"(?:农药|敌敌畏|百草枯|老鼠药)(?:中毒|喝了|吃了)",
        ),
        _en(
            r"overdos(?:e|ed|ing)",
            r"took (?:too many|all (?:the|my|his|her)|a whole bottle of|the whole bottle)",
            r"swallowed (?:a|the) (?:whole )?bottle",
            r"(?:drank|swallowed|ate) (?:some )?(?:bleach|pesticide|poison|rat poison|weed killer)",
            r"too many (?:pills|tablets)",
        ),
        calm=_KNOWLEDGE_ONLY,
    ),
    # 中毒 on its own is also used for lead tests, food safety talk …: the full calm cues apply.
    _Rule(
        "poisoning",
        _zh(r"煤气中毒|一氧化碳|中毒|吃药过量|服药过量|过量服"),
        _en(r"poison(?:ed|ing)", r"carbon monoxide"),
    ),
    _Rule(
        "suicide",
        _zh(
            r"不想活|活不下去|活着没(?:意思|意义|劲)|活够了|想死(?!你|我了|了你)|去死|寻死|自杀|轻生|寻短见",
            r"了结(?:自己|生命)|结束(?:自己的?)?生命|跳楼(?!价|大甩卖)|跳河|割腕|上吊|一了百了|死了算了|不如死了|死了好",
            r"不想拖累(?:你们|孩子|家里)了?",
        ),
        _en(
            r"want(?:s)? to die",
            r"wanna die",
            r"kill(?:ing)? (?:my|him|her|them)sel(?:f|ves)",
            r"suicid(?:e|al)",
            r"end (?:my|his|her) (?:own )?life",
            r"(?:don'?t|do not) want to (?:live|be alive)",
            r"no reason to live",
            r"better off dead",
        ),
        calm=_KNOWLEDGE_ONLY,
    ),
    # 低血糖了 with no number: the resident is having a hypo now.
    _Rule(
        "glucose_low",
        _zh(r"低血糖(?:了|发作|又犯|犯了|昏|晕)"),
        _en(r"hypo(?:glycaemic|glycemic)? (?:attack|episode)", r"having a hypo"),
    ),
    _Rule(
        "pregnancy_bleeding",
        _zh(
            r"(?:怀孕|怀了|有孕|孕妇|孕期|孕早期|孕晚期|孕中期|怀胎|身孕|怀着孕|怀着|我孕|她孕|在孕"
            r"|孕[\d一二三四五六七八九十两]+(?:周|个月))"
            r"[^。！？!?]{0,24}?(?:出血|流血|见红|下面有血|流了血|有血|带血|血丝|血块)",
            r"(?:出血|流血|见红)[^。！？!?]{0,12}?(?:怀孕|孕妇|孕\d+周|有孕)",
        ),
        _en(
            r"pregnant[^.!?]{0,40}?bleed(?:ing)?",
            r"bleeding[^.!?]{0,40}?pregnan(?:t|cy)",
            r"spotting[^.!?]{0,30}?pregnan(?:t|cy)",
        ),
        calm=_KNOWLEDGE_ONLY,
    ),
    _Rule(
        "fall",
        _zh(
            r"(?:摔|跌|绊|滑)(?:倒|了一跤|了个跟头|跤)[^。.！!？?；;不没无未别]{0,6}(?:起不来|爬不起来|站不起来|动不了|骨折)",
            r"摔得(?:起不来|动不了|爬不起来)",
        ),
        _en(
            r"(?:fell|fallen|has had a fall)(?: down| over)?[^.!?]{0,30}?can'?t get up",
            r"can'?t get up after (?:a|the) fall",
        ),
    ),
    # A bare cry for help with no named symptom is still a red flag.
    _Rule(
        "distress",
        _zh(
            r"救命|救救我|快救救|快救人|救人[啊呀哪]|快叫救护车|叫救护车|叫个救护车|快打120|打120|叫120",
            r"人(?:快)?不行了|快不行了|要不行了|出大事了|快来人",
        ),
        # Not _en(): "^help!" and a message that is only "emergency" need anchors, not \b.
        _fast(
            r"\b(?:call|need|get) an ambulance\b|\bcall (?:911|120)\b|\bsomeone help\b|"
            r"\bplease help me\b|\bhelp me please\b|\bi'?m dying\b|^help\s*!|"
            r"^emergency\W*$|^sos\W*$"
        ),
        calm=_DISTRESS_CALM,
    ),
)


_FRAMING = _fast(f"{_KNOWLEDGE_ONLY.pattern}|{_HYPOTHETICAL}")
_EXTREME = _fast(
    r"救命|1(?<![\d/]1)20(?![\d/])|救护车|急救车|快不行|\bhelp\s*!|\bambulance\b|\b911\b"
)
_CLAUSE_SPLIT = re.compile(r"[，,。.！!？?；;]")


def _negated(view: str, start: int, english: bool) -> bool:
    before = view[max(0, start - 30) : start]
    if english:
        return bool(_EN_NEGATION.search(before))
    # Only a negation in the same clause counts: "没事，刚才晕倒了" still fires.
    clause = _CLAUSE_SPLIT.split(before)[-1]
    if _ZH_QUESTION.search(clause):
        return False
    return bool(_ZH_NEGATION.search(clause))


def _fires(view: str, match: re.Match[str], rule: _Rule, english: bool) -> bool:
    if _negated(view, match.start(), english):
        return False
    left, right = _sentence_bounds(view, match.start(), match.end())
    sentence = view[left:right]
    if not rule.calm.search(sentence):
        return True
    # Urgency must come from outside the matched phrase (叫救护车要多少钱 is a price question).
    around = view[left : match.start()] + " " + view[match.end() : right]
    if not _STRONG.search(around):
        return False
    # Calm and urgent cues together: a "what if"/knowledge framing still wins over 突然/厉害
    # (万一突然中风怎么办), but nothing wins over 救命/120.
    return not (_FRAMING.search(sentence) and not _EXTREME.search(around))


_Hit = tuple[re.Match[str], bool]  # a match and whether it is in the English view


def _matches(pattern: re.Pattern[str] | None, view: str) -> Iterable[re.Match[str]]:
    return pattern.finditer(view) if pattern is not None else ()


_LONG_AGO = re.compile(
    r"去年|前年|年前|以前|从前|曾经|上个月|个月前|\blast (?:year|month)\b|\bago\b"
)
_CLAUSE = re.compile(r"[，,。！!？?；;\n]")


def _current_clauses(spaced: str) -> str:
    """Drops clauses about long ago, so "去年血压200/120，现在130/80" reads as calm."""
    kept = [part for part in _CLAUSE.split(spaced) if not _LONG_AGO.search(part)]
    return ",".join(kept)  # what NFKC makes of "，" anyway: the readings need not normalise again


def _reading_reasons(spaced: str, limits: TriageThresholds) -> list[str]:
    current = _current_clauses(spaced)
    reasons: list[str] = []
    (systolic, diastolic), glucose = pressure_parts_and_glucose(current)
    if (systolic is not None and systolic >= limits.systolic_high) or (
        diastolic is not None and diastolic >= limits.diastolic_high
    ):
        reasons.append("bp_crisis")
    if any(value < limits.glucose_low for value in glucose):
        reasons.append("glucose_low")
    if any(value > limits.glucose_high for value in glucose):
        reasons.append("glucose_high")
    return reasons


def _first_and_last(hits: list[_Hit], count: int) -> list[_Hit]:
    """A symptom named over and over (a pasted article, a flood) is weighed at its first and
    last mentions, where an emergency is told, not at every one."""
    if len(hits) <= count:
        return hits
    return hits[: count // 2] + hits[-(count - count // 2) :]


def assess(text: str, thresholds: TriageThresholds = TriageThresholds()) -> TriageResult:
    """Red-flag triage of one message. Never raises; an empty or odd message is not a red flag."""
    if not isinstance(text, str) or not text.strip():
        return TriageResult(red_flag=False)
    found: set[str] = set()
    try:
        compact, spaced = _prepare(text)
        for rule in _RULES:
            hits = [(m, False) for m in _matches(rule.zh, compact)]
            hits += [(m, True) for m in _matches(rule.en, spaced)]
            for match, english in _first_and_last(hits, HITS_PER_RULE):
                if _fires(spaced if english else compact, match, rule, english):
                    found.add(rule.reason)
                    break
        found.update(_reading_reasons(spaced, thresholds))
    except Exception:  # triage must never take the message handler down: keep what was found
        _log.exception("triage failed on a %d-character message", len(text))
    reasons = tuple(reason for reason in REASONS if reason in found)
    return TriageResult(red_flag=bool(reasons), reasons=reasons)
