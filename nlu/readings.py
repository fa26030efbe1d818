"""Blood-pressure and glucose readings pulled out of free text.

Residents type readings the way they say them: ``150/95``, ``高压150低压95``,
``血压一百四十五，九十``, ``餐后两小时血糖十一点二``, ``bp 150 over 95``. Everything here is
precompiled regex over a normalised copy of the text, so it is cheap enough to run on every
message (triage calls it for ``bp_crisis`` and the glucose flags).

Chinese numerals are converted with cn2an rather than hand-written code; the only thing added
on top is splitting a run such as ``一百五九十五`` into two numbers when exactly one split
gives a plausible systolic/diastolic pair.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import cn2an

__all__ = [
    "BloodPressure",
    "Glucose",
    "GlucoseKind",
    "extract_blood_pressure",
    "extract_glucose",
    "extract_pressure_parts",
    "find_blood_pressures",
    "find_glucose_readings",
    "might_hold_reading",
    "normalise_numerals",
    "pressure_parts_and_glucose",
]

GlucoseKind = Literal["fasting", "postprandial", "random"]

# Plausibility windows: anything outside is a typo, a date, a phone number or a price.
SYSTOLIC_RANGE = (60, 300)
DIASTOLIC_RANGE = (30, 200)
PULSE_RANGE = (25, 250)
GLUCOSE_RANGE_MMOL = (1.0, 40.0)
MG_DL_PER_MMOL_L = 18.016
MAX_TEXT = 16384  # well past Telegram's 4096: longer input is cut, never rejected
# NFKC can turn one character into eighteen (ﷺ); a real message grows by a few at most.
NFKC_GROWTH = 64


@dataclass(frozen=True, slots=True)
class BloodPressure:
    systolic: int
    diastolic: int
    pulse: int | None = None


@dataclass(frozen=True, slots=True)
class Glucose:
    """A glucose reading, always in mmol/L (``unit`` records what the resident wrote)."""

    value: float
    kind: GlucoseKind | None = None
    unit: Literal["mmol/L", "mg/dL"] = "mmol/L"


# --- normalisation -----------------------------------------------------------------------


# Full-width punctuation is in almost every Chinese message. Replaced first (one C-speed scan
# each, by what NFKC makes of it), it leaves most messages already normalised, and the
# piecewise pass below is spared.
_WIDE_PUNCTUATION = {"，": ",", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")",
                     "\u3000": " "}  # fmt: skip


def nfkc_within_bounds(text: str) -> str:
    """NFKC, cut so it is never much longer than ``text``: normalising cannot multiply work.
    Done a piece at a time, so a flood of ﷺ (eighteen characters each) is not expanded whole."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    for wide, narrow in _WIDE_PUNCTUATION.items():
        if wide in text:
            text = text.replace(wide, narrow)
    if unicodedata.is_normalized("NFKC", text):
        return text
    limit = len(text) + NFKC_GROWTH
    parts: list[str] = []
    size = start = 0
    while start < len(text) and size < limit:
        end = _fresh_start(text, start + _NFKC_PIECE)
        parts.append(unicodedata.normalize("NFKC", text[start:end]))
        size += len(parts[-1])
        start = end
    return "".join(parts)[:limit]


_NFKC_PIECE = 256
# Scripts where a character may compose with the one before it (Indic vowel signs, Hangul
# jamo, Myanmar, Balinese, and everything past the BMP): never cut in front of one.
_COMPOSING = re.compile(
    "[\u0900-\u0dff\u1000-\u109f\u1100-\u11ff\u1b00-\u1b7f\ua960-\ua97f\ud7b0-\ud7ff"
    "\U00010000-\U0010ffff]"
)


def _fresh_start(text: str, at: int) -> int:
    """The first index from ``at`` where NFKC may cut the text: a character whose normal form
    starts with a base character that composes with nothing before it. With none in reach,
    the rest goes in one piece: text in those scripts does not expand much."""
    for i in range(at, min(len(text), at + _NFKC_PIECE)):
        first = unicodedata.normalize("NFKD", text[i])[:1]
        if first and not unicodedata.combining(first) and not _COMPOSING.match(first):
            return i
    return len(text)


_CN_DIGITS = "零〇一二两三四五六七八九幺"
# A lone numeral is left alone unless it is 十 or has decimals (一直, 一侧, 三高, 两次 are
# words), so the pattern does not even match one: prose costs no conversion calls.
_CN_NUMBER = re.compile(
    f"(?:[{_CN_DIGITS}十百千]{{2,}}|十|[{_CN_DIGITS}百千](?=点[{_CN_DIGITS}]))(?:点[{_CN_DIGITS}]+)?"
)
_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2069\ufeff]"
)
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


# A reading is never a long numeral run: 二百九十九 / 一百九十九 are the longest figures a
# pressure half can be, so a run past these lengths is not a reading and is left as it is.
# Bounding the run (and the conversions per message) keeps this linear in the message length:
# triage runs it on the event loop for every message from anyone.
_MAX_FIGURE = 5  # characters in one spelled figure (二百九十九)
_MAX_RUN = 2 * _MAX_FIGURE  # a systolic and a diastolic figure run together (一百八十五一百一十)
_MAX_DECIMALS = 4  # 十一点二 → 11.2; nobody reads a meter to more places than this
_MAX_CONVERSIONS = 32  # cn2an calls per message (~20 µs each); a real message needs a handful


def _cn_to_number(span: str) -> float | None:
    """cn2an's reading of ``span``, or None when it is no number (or an absurdly large one)."""
    try:  # (cn2an warns past 16 decimals: runs are cut long before that)
        return float(cn2an.cn2an(span, "normal"))
    except (ValueError, KeyError, IndexError, TypeError, ArithmeticError):
        return None


class _Converter:
    """Chinese numeral runs of one message → numbers, with a memo and a budget of cn2an calls,
    so no message can make normalisation slow. Runs past the budget stay as written."""

    def __init__(self) -> None:
        self._memo: dict[str, float | None] = {}
        self._replaced: dict[str, str] = {}
        self._budget = _MAX_CONVERSIONS

    def number(self, span: str) -> float | None:
        if span in self._memo:
            return self._memo[span]
        if self._budget <= 0:
            raise _OutOfBudget
        self._budget -= 1
        value = self._memo[span] = _cn_to_number(span)
        return value

    def split_pressure_run(self, span: str) -> str | None:
        """``一百五九十五`` → ``150 95`` when exactly one split is a plausible BP pair. Each half is
        2 to 5 characters: a single numeral is at most 十 (10), too low for either figure."""
        found: list[str] = []
        for cut in range(max(2, len(span) - _MAX_FIGURE), min(_MAX_FIGURE, len(span) - 2) + 1):
            left = self.number(span[:cut])
            right = self.number(span[cut:]) if left is not None else None
            if left is not None and right is not None and _is_pressure_pair(left, right):
                found.append(f"{int(left)} {int(right)}")
        return found[0] if len(found) == 1 else None

    def replace(self, match: re.Match[str]) -> str:
        span = match.group()
        done = self._replaced.get(span)
        if done is None:
            if self._budget <= 0:
                return span  # what _replacement gives once the budget is spent, sooner
            done = self._replaced[span] = self._replacement(span)
        return done

    def _replacement(self, span: str) -> str:
        whole, _, decimals = span.partition("点")
        if len(whole) > _MAX_RUN or len(decimals) > _MAX_DECIMALS or self._budget <= 0:
            return span  # a phone number, a serial, someone leaning on the keyboard, a flood
        try:
            value = self.number(span)
            if value is not None and value <= SYSTOLIC_RANGE[1]:
                return _format(value)
            split = self.split_pressure_run(span)
        except _OutOfBudget:
            return span
        if split is not None:
            return split
        return _format(value) if value is not None else span


class _OutOfBudget(Exception):
    pass


def _is_pressure_pair(sys_value: float, dia_value: float) -> bool:
    return (
        float(sys_value).is_integer()
        and float(dia_value).is_integer()
        and SYSTOLIC_RANGE[0] <= sys_value <= SYSTOLIC_RANGE[1]
        and DIASTOLIC_RANGE[0] <= dia_value <= DIASTOLIC_RANGE[1]
        and sys_value > dia_value
    )


def _is_whole_pressure_pair(sys_value: int, dia_value: int) -> bool:
    """_is_pressure_pair for figures read as whole numbers (no float conversions: a message
    full of readings asks this hundreds of times)."""
    return (
        SYSTOLIC_RANGE[0] <= sys_value <= SYSTOLIC_RANGE[1]
        and DIASTOLIC_RANGE[0] <= dia_value <= DIASTOLIC_RANGE[1]
        and sys_value > dia_value
    )


def _format(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def normalise_numerals(text: str) -> str:
    """NFKC (full-width → ASCII), lower case, no control/bidi chars, Chinese numerals → digits."""
    return _numerals_to_digits(_plain(text))


def _plain(text: str) -> str:
    text = nfkc_within_bounds(text[:MAX_TEXT])
    text = _INVISIBLE.sub(" ", text).lower()
    return _SPACES.sub(" ", text)


def _numerals_to_digits(plain: str) -> str:
    return _CN_NUMBER.sub(_Converter().replace, plain)


# --- blood pressure ----------------------------------------------------------------------

_NUM = r"(\d{2,3})"
# Units that show a number is something else (money, doses, durations, dates).
_NOT_BP_UNIT = (
    r"(?!\s*(?:\.\d|\d|块|元|钱|次|天|岁|号|日|月|年|斤|公斤|kg|克|g\b|mg|毫克|片|粒|ml|毫升"
    r"|步|分钟|小时|个|cm|厘米|%|:))"
)
_STOP = r"[^\d\n,，。.!！?？;；]"
_BP_WORD = r"(?:血压|bp|b\.p\.|blood\s?pressure)"
_SYS_WORD = r"(?:高压|收缩压|上压|systolic|sbp)"
_DIA_WORD = r"(?:低压|舒张压|下压|diastolic|dbp)"
_PULSE_WORD = r"(?:心率|脉搏|脉率|心跳|pulse|heart\s?rate|hr)"

# A figure's first digit is matched before the lookbehind that checks what precedes it
# ((?<![\d.])\d → \d(?<![\d.]\d)): the same matches, but the regex engine skips ahead to a
# digit instead of trying the pattern at every position.
_BP_SLASH = re.compile(
    r"(\d(?<![\d./:\-]\d)\d{1,2})\s*[/\\]\s*(\d{2,3})(?:\s*[/\\]\s*(\d{2,3}))?"
    r"(?![\d/]|\.\d)(?!\s*(?:号|日|月))"
)
_BP_OVER = re.compile(rf"(\d(?<![\d.]\d)\d{{1,2}})\s*(?:over|比)\s*(\d{{2,3}}){_NOT_BP_UNIT}")
# Between the two figures: spaces and at most one of / - ~, with commas anywhere. Written so
# no two parts can take the same spaces (possessive): a run of blank lines stays linear.
_PAIR_GAP = r"(?:\s*+[/~～-]|[,，、\s])[,，、\s]*+"
# {_STOP}{0,8}+ is possessive: the words between keyword and figure hold no digit, so giving
# any back could never let the figure match; not trying saves work on every keyword.
_BP_KEYWORD_PAIR = re.compile(
    rf"{_BP_WORD}{_STOP}{{0,8}}+(?<![\d.]){_NUM}(?![\d.]){_PAIR_GAP}{_NUM}{_NOT_BP_UNIT}"
)
_SYS_ALONE = re.compile(rf"{_SYS_WORD}{_STOP}{{0,4}}+(?<![\d.]){_NUM}{_NOT_BP_UNIT}")
_DIA_ALONE = re.compile(rf"{_DIA_WORD}{_STOP}{{0,4}}+(?<![\d.]){_NUM}{_NOT_BP_UNIT}")
_BP_ONE_NUMBER = re.compile(rf"{_BP_WORD}{_STOP}{{0,8}}+(?<![\d.]){_NUM}{_NOT_BP_UNIT}")
_PULSE = re.compile(rf"{_PULSE_WORD}{_STOP}{{0,4}}+(?<![\d.])(\d{{2,3}})(?![\d.])")


def _pulse_in(text: str) -> int | None:
    match = _PULSE.search(text)
    if match:
        value = int(match.group(1))
        if PULSE_RANGE[0] <= value <= PULSE_RANGE[1]:
            return value
    return None


_Figures = list[tuple[int, int]]  # (position, value) of 高压… or 低压… figures


def _alone(normalised: str) -> tuple[_Figures, _Figures]:
    """Systolic and diastolic figures named on their own (高压150, 低压95)."""
    systolics = [(m.start(1), int(m.group(1))) for m in _SYS_ALONE.finditer(normalised)]
    diastolics = [(m.start(1), int(m.group(1))) for m in _DIA_ALONE.finditer(normalised)]
    return systolics, diastolics


def _pairs(
    normalised: str, alone: tuple[_Figures, _Figures] | None = None
) -> list[tuple[int, int, int, int | None]]:
    """(position, systolic, diastolic, pulse-from-slash-triple) for every plausible pair."""
    found: list[tuple[int, int, int, int | None]] = []
    for pattern in (_BP_SLASH, _BP_OVER, _BP_KEYWORD_PAIR):
        if pattern is _BP_SLASH and "/" not in normalised and "\\" not in normalised:
            continue  # no slash, no 150/95: not worth a pass over the text
        if pattern is _BP_OVER and "over" not in normalised and "比" not in normalised:
            continue
        for match in pattern.finditer(normalised):
            sys_value, dia_value = int(match.group(1)), int(match.group(2))
            if not _is_whole_pressure_pair(sys_value, dia_value):
                continue
            pulse = None
            if pattern is _BP_SLASH and match.group(3):
                third = int(match.group(3))
                pulse = third if PULSE_RANGE[0] <= third <= PULSE_RANGE[1] else None
            found.append((match.start(1), sys_value, dia_value, pulse))
    # 高压150 … 低压95 in either order: pair each systolic with the nearest diastolic.
    found.extend(_nearest_pairs(*(alone or _alone(normalised))))
    found.sort(key=lambda item: item[0])
    unique: list[tuple[int, int, int, int | None]] = []
    seen_positions: set[int] = set()
    for item in found:
        if item[0] not in seen_positions:
            seen_positions.add(item[0])
            unique.append(item)
    return unique


def _nearest_pairs(
    systolics: list[tuple[int, int]], diastolics: list[tuple[int, int]]
) -> list[tuple[int, int, int, int | None]]:
    """Each systolic in turn takes the nearest diastolic not yet taken (the earlier one on a
    tie). Bisection keeps a message full of 高压…低压… from going quadratic."""
    value_at = dict(diastolics)
    free = [position for position, _ in diastolics]  # sorted: finditer goes left to right
    found: list[tuple[int, int, int, int | None]] = []
    for position, sys_value in systolics:
        if not free:
            break
        i = bisect.bisect_left(free, position)
        if i == len(free) or (i > 0 and position - free[i - 1] <= free[i] - position):
            i -= 1
        dia_position = free[i]
        if _is_pressure_pair(sys_value, value_at[dia_position]):
            del free[i]
            found.append((min(position, dia_position), sys_value, value_at[dia_position], None))
    return found


def find_blood_pressures(text: str) -> list[BloodPressure]:
    """Every plausible blood-pressure pair in ``text``, in reading order."""
    if not text:
        return []
    normalised = normalise_numerals(text)
    pairs = _pairs(normalised)
    if not pairs:
        return []
    pulse_word = _pulse_in(normalised)
    # A 心率/脉搏 figure belongs to the reading only when there is a single reading.
    single = len(pairs) == 1
    return [
        BloodPressure(s, d, p if p is not None else (pulse_word if single else None))
        for _, s, d, p in pairs
    ]


def extract_blood_pressure(text: str) -> BloodPressure | None:
    """The first plausible blood-pressure reading (systolic/diastolic, pulse if stated)."""
    readings = find_blood_pressures(text)
    return readings[0] if readings else None


def extract_pressure_parts(text: str) -> tuple[int | None, int | None]:
    """Highest systolic and diastolic figures stated, even on their own (高压190, 血压200).

    Triage needs this: "血压都200了" is a crisis even though no diastolic is given.
    """
    if not text:
        return None, None
    return _pressure_parts(normalise_numerals(text))


def _pressure_parts(normalised: str) -> tuple[int | None, int | None]:
    alone = _alone(normalised)
    pairs = _pairs(normalised, alone)
    systolics = [s for _, s, _, _ in pairs]
    diastolics = [d for _, _, d, _ in pairs]
    one_number = [(m.start(1), int(m.group(1))) for m in _BP_ONE_NUMBER.finditer(normalised)]
    for figures, bucket, bounds in (
        (alone[0], systolics, SYSTOLIC_RANGE),
        (one_number, systolics, SYSTOLIC_RANGE),
        (alone[1], diastolics, DIASTOLIC_RANGE),
    ):
        bucket.extend(value for _, value in figures if bounds[0] <= value <= bounds[1])
    return (max(systolics) if systolics else None, max(diastolics) if diastolics else None)


# --- glucose -----------------------------------------------------------------------------

_FASTING = (
    r"空腹|餐前|饭前|早餐前|早饭前|晨起|早上没吃|没吃早饭|fasting|before\s(?:breakfast|meals?)"
)
_POSTPRANDIAL = (
    r"餐后|饭后|吃完饭|吃饭后|早餐后|午餐后|晚餐后|after\s(?:meals?|eating|dinner|lunch|breakfast)"
    r"|post-?prandial|post-?meal"
)
_RANDOM = r"随机|random"
_KIND_WORD = rf"(?:{_FASTING}|{_POSTPRANDIAL}|{_RANDOM})"
_GLUCOSE_WORD = r"(?:血糖|血搪|glucose|blood\s?sugar|sugar|glu|bg)"
_GLUCOSE_VALUE = r"(?<![\d.])(\d{1,3}(?:\.\d{1,2})?)"
_GLUCOSE_UNIT = r"\s*(mmol\s*/\s*l|mmol|毫摩尔(?:每升)?|mg\s*/\s*dl|mg/dl|毫克每分升)?"
_NOT_GLUCOSE_UNIT = (
    r"(?!\d|\s*(?:个?小时|h\b|hours?|分钟|min|分(?!升)|点(?!\d)|片|粒|颗|次|天|岁|年|月|号|日|元|块"
    r"|mg(?!\s*/\s*dl)|毫克(?!每分升)|克|斤|kg|公斤|u\b|iu|单位|%|:|/\d))"
)
# 餐后两小时 → 餐后2小时: the hours belong to the kind, not the value.
_KIND_TAIL = r"(?:\s*\d{1,2}\s*(?:个)?(?:小时|h|hours?))?"
# 血糖十点测的7.8: a clock time may sit between the word and the value.
_CLOCK = r"(?:\d{1,2}\s*(?:点|:)\s*(?:半|\d{1,2}\s*分?)?)"
_GLUCOSE_BY_WORD = re.compile(
    rf"{_GLUCOSE_WORD}{_STOP}{{0,8}}?(?:{_CLOCK}{_STOP}{{0,6}}?)?"
    rf"{_GLUCOSE_VALUE}{_NOT_GLUCOSE_UNIT}{_GLUCOSE_UNIT}"
)
_GLUCOSE_BY_KIND = re.compile(
    rf"{_KIND_WORD}{_KIND_TAIL}{_STOP}{{0,6}}?{_GLUCOSE_VALUE}{_NOT_GLUCOSE_UNIT}{_GLUCOSE_UNIT}"
)
_FASTING_RE = re.compile(_FASTING)
_POSTPRANDIAL_RE = re.compile(_POSTPRANDIAL)
_RANDOM_RE = re.compile(_RANDOM)
_CLAUSE_BREAK = re.compile(r"[\n,，。!！?？;；]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _kind_before(normalised: str, end: int) -> GlucoseKind | None:
    """The kind word nearest before ``end`` in the same clause (空腹/餐后/随机)."""
    start = max(0, end - 24)
    window = normalised[start:end]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    best: tuple[int, GlucoseKind] | None = None
    kinds: tuple[tuple[re.Pattern[str], GlucoseKind], ...] = (
        (_FASTING_RE, "fasting"),
        (_POSTPRANDIAL_RE, "postprandial"),
        (_RANDOM_RE, "random"),
    )
    for pattern, kind in kinds:
        for match in pattern.finditer(window):
            if best is None or match.start() > best[0]:
                best = (match.start(), kind)
    return best[1] if best else None


def _glucose_value(match: re.Match[str]) -> tuple[float, bool] | None:
    """(value in mmol/L, written in mg/dL) of a glucose match, or None when implausible."""
    raw = float(match.group(1))
    unit_text = (match.group(2) or "").replace(" ", "")
    mg_dl = unit_text.startswith("mg") or unit_text.startswith("毫克")
    # Without a unit, a glucose "140" from an English speaker is a mg/dL meter reading;
    # in Chinese text mmol/L is the norm and such a number is rejected instead.
    if not unit_text and 40 < raw <= 600 and raw.is_integer() and not _CJK.search(match[0]):
        mg_dl = True
    value = round(raw / MG_DL_PER_MMOL_L, 1) if mg_dl else raw
    if not GLUCOSE_RANGE_MMOL[0] <= value <= GLUCOSE_RANGE_MMOL[1]:
        return None
    return value, mg_dl


def _glucose_matches(normalised: str) -> dict[int, tuple[re.Match[str], float, bool]]:
    """Position → (match, mmol/L, written in mg/dL) of every plausible glucose figure."""
    found: dict[int, tuple[re.Match[str], float, bool]] = {}
    for pattern in (_GLUCOSE_BY_WORD, _GLUCOSE_BY_KIND):
        for match in pattern.finditer(normalised):
            position = match.start(1)
            if position in found:
                continue
            reading = _glucose_value(match)
            if reading is not None:
                found[position] = (match, *reading)
    return found


def find_glucose_readings(text: str, first_only: bool = False) -> list[Glucose]:
    """Every plausible glucose reading in ``text`` (or just the first), in reading order,
    in mmol/L."""
    if not text:
        return []
    normalised = normalise_numerals(text)
    found = sorted(_glucose_matches(normalised).items())
    return [
        Glucose(
            value=value,
            kind=_kind_before(normalised, position),
            unit="mg/dL" if mg_dl else "mmol/L",
        )
        for position, (_, value, mg_dl) in (found[:1] if first_only else found)
    ]


def extract_glucose(text: str) -> Glucose | None:
    """The first plausible glucose reading, converted to mmol/L, with its kind when stated."""
    readings = find_glucose_readings(text, first_only=True)
    return readings[0] if readings else None


def pressure_parts_and_glucose(
    text: str, *, prepared: bool = False
) -> tuple[tuple[int | None, int | None], list[float]]:
    """``extract_pressure_parts`` and the glucose values (mmol/L) at once, normalising only
    once: triage needs both for every message, and nothing more. ``prepared``: the text is
    already lower case with no invisible characters and no whitespace but spaces (triage's
    view), so only NFKC and single spaces are made sure of."""
    if not text:
        return (None, None), []
    if prepared:
        plain = nfkc_within_bounds(text[:MAX_TEXT])
        if "  " in plain:  # (clauses joined again, words taken out)
            plain = _SPACES.sub(" ", plain)
    else:
        plain = _plain(text)
    if not might_hold_reading(plain):  # no word or sign a reading is found by: skip the work
        return (None, None), []
    normalised = _numerals_to_digits(plain)
    glucose = [value for _, value, _ in _glucose_matches(normalised).values()]
    return _pressure_parts(normalised), glucose


# Every reading is found by one of these (see the patterns above): a text with none of them
# holds no reading, and its numerals need not be converted.
_READING_CUE = re.compile(
    rf"[/\\]|over|比|{_BP_WORD}|{_SYS_WORD}|{_DIA_WORD}|{_GLUCOSE_WORD}|{_KIND_WORD}"
)


def might_hold_reading(text: str) -> bool:
    """False when ``text`` (lower case, NFKC) has none of the words and signs every reading is
    found by: it holds no reading, and nothing need be converted."""
    return _READING_CUE.search(text) is not None
