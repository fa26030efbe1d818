"""Red-flag triage: does this message describe an emergency happening now, and of what kind?

Runs on every free-text message before the NLU, with no network: precompiled patterns from the
category table only. It errs towards firing: a missed stroke costs far more than one "call 120"
reply too many. Calm talk about the same topics stays quiet (nlu/triage/context.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import cn2an

from nlu.readings import might_hold_reading, pressure_parts_and_glucose
from nlu.triage.context import about_now, negated
from nlu.triage.model import load_model
from nlu.triage.table import Category, Sign, Table, load_table
from nlu.triage.text import Views, prepare

_log = logging.getLogger(__name__)

HITS_PER_SIGN = 8  # matches of one sign weighed per message: the first 4 and the last 4
TAIL_REACH = 400  # characters at the end of a message searched for a sign's last matches
NEAR_HITS = 8  # matches of a `with` pattern weighed per sign match


@dataclass(frozen=True, slots=True)
class TriageThresholds:
    """Alarm limits; the defaults follow the national hypertension and diabetes guidelines,
    the obstetric warning signs and NICE's fever in under-5s (config.yml `triage:`)."""

    systolic_high: int = 180
    diastolic_high: int = 110
    glucose_low: float = 3.9
    glucose_high: float = 16.7
    pregnancy_systolic_high: int = 160
    pregnancy_diastolic_high: int = 110
    young_infant_days: int = 90


@dataclass(frozen=True, slots=True)
class TriageResult:
    red_flag: bool
    categories: tuple[str, ...] = ()


def category_ids() -> tuple[str, ...]:
    return tuple(category.id for category in load_table().categories)


# --- checks named by signs -----------------------------------------------------------------

_DAYS_PER_UNIT = {"天": 1, "日": 1, "周": 7, "星期": 7, "礼拜": 7, "月": 30,
                  "day": 1, "week": 7, "wk": 7, "month": 30}  # fmt: skip


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, IndexError, TypeError, ArithmeticError):
        return None


def _young_infant(match: re.Match[str], limits: TriageThresholds) -> bool:
    """A baby's age (二十天, 5周, 两个半月, 6 weeks old) under the young-infant limit."""
    count = _number(match.group("n") or "")
    unit = match.group("u") or ""
    per = next((days for name, days in _DAYS_PER_UNIT.items() if unit.startswith(name)), None)
    if count is None or per is None:
        return False
    groups = match.groupdict()
    if "who" in groups and not (groups["who"] or groups.get("tail")):
        return (
            False  # "a fever for 2 weeks" is no baby's age: "my 6 week old", "she is 7 weeks" are
        )
    days = count * per + (15 if match.group("half") else 0)
    return days < limits.young_infant_days


_CHECKS = {"young_infant": _young_infant}


# --- matching -------------------------------------------------------------------------------


def _first_and_last(pattern: re.Pattern[str], view: str) -> list[re.Match[str]]:
    """A sign's first and last few matches: a symptom named over and over (a pasted article, a
    flood) is weighed where an emergency is told, and the middle of a flood is not searched."""
    half = HITS_PER_SIGN // 2
    first = list(islice(pattern.finditer(view), half + 1))
    if len(first) <= half:
        return first
    tail = list(pattern.finditer(view, max(first[half].start(), len(view) - TAIL_REACH)))
    return first[:half] + tail[-half:]


def _near(
    table: Table, sign: Sign, view: str, match: re.Match[str], limits: TriageThresholds
) -> re.Match[str] | None:
    """The sign's `with` pattern, not negated, near the match, passing the sign's check; the
    match itself for a sign with no `with`."""
    if sign.near is None:
        return match
    check = _CHECKS[sign.check] if sign.check else None
    left, right = max(0, match.start() - sign.within), match.end() + sign.within
    for count, other in enumerate(sign.near.finditer(view, left, right)):
        if count >= NEAR_HITS:
            break
        if check is not None and not check(other, limits):
            continue
        if not negated(table.cues, view, other.start(), sign.english):
            return other
    return None


def _shows(
    table: Table, category: Category, views: Views, letters: Letters, limits: TriageThresholds
) -> bool:
    for sign in category.signs:
        if sign.english:
            view, present = views.spaced, letters.word_starts
        else:
            view, present = views.compact, letters.compact
        if sign.starts.isdisjoint(present):
            continue  # no match can start anywhere (hostile floods use few letters)
        for match in _first_and_last(sign.pattern, view):
            near = _near(table, sign, view, match, limits)
            if near is None:
                continue
            if sign.about_near and negated(table.cues, view, match.start(), sign.english):
                continue  # 没吐: the sign itself is denied, wherever the story is told
            if about_now(table.cues, view, near if sign.about_near else match, sign.english):
                return True
    return False


_WORD_START = re.compile(r"\b\w")


@dataclass(frozen=True, slots=True)
class Letters:
    """The characters the Chinese view is made of, and those that start a word in the English
    one (English signs start at a word boundary)."""

    compact: frozenset[str]
    word_starts: frozenset[str]

    @classmethod
    def of(cls, views: Views) -> Letters:
        return cls(frozenset(views.compact), frozenset(_WORD_START.findall(views.spaced)))


# --- readings -------------------------------------------------------------------------------

# Clauses: punctuation, or a space between two Chinese characters (people who type no
# punctuation part their phrases with spaces).
_CLAUSE = re.compile(r"[,，。！!？?；;\n]|(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")
# "The meter is broken": the readings in the message are not the person's.
_METER_FAULT = re.compile(
    r"(?:血压计|血糖仪|仪器|机器)(?:好像|可能)?(?:坏|不准|有问题|没电)|电池没电"
    r"|\bmeter (?:is )?(?:broken|faulty|wrong)"
)
_ABOUT = re.compile(r"([一二三四五六七八九])几")  # 一百八几 → 一百八十: "a hundred and eighty-odd"
# "sugar reading is 25", "glucose meter says 2.4": the words between are no part of the reading.
_METER_WORDS = re.compile(
    r"\b(?:meter|reading|level|monitor|machine)s?(?: (?:says|shows|reads|is|was|of))?\b"
)


# Someone with diabetes who writes "测了二十二点六" means their glucose; someone on blood
# pressure pills who writes "量了三次都是一百八几" means their blood pressure.
_DIABETES = re.compile(r"糖尿病|胰岛素|降糖药|血糖仪|\bdiabet|\binsulin\b|\btype ?[12]\b")
_MEASURED = re.compile(r"测(?:了|得|出来|出|到)?(?:一下|下)?(?:个)?(?=[\d一二两三四五六七八九十])")
_HYPERTENSION = re.compile(r"高血压|降压药|血压计")
_MEASURED_BP = re.compile(
    r"量(?:了|得|出来|出|到)?(?:一下|下|[一二两三四五六七八九十几]次)?(?:都是|是)?(?:个)?(?=[\d一二两三四五六七八九])"
)
# Whatever the context, a measured three-figure number is a blood pressure (量了三次都是一百九十几).
_MEASURED_HUNDREDS = re.compile(
    r"量(?:了|得|出来|出|到)?(?:一下|下|[一二两三四五六七八九十几]次)?(?:都是|是)?(?:个)?(?=[12]\d\d|[一两二]百)"
)
_DIABETES_EN_METER = re.compile(r"\bmeter (?:says|shows|reads|is)\b")


def _current_clauses(table: Table, spaced: str) -> str:
    """Drops what is told about the past: a clause with a past cue, and those after it until
    one says it is now again ("上个月低血糖过一回 测了3.5 吃了块糖就好了" is all past;
    "去年血压200/120，现在130/80" reads as 130/80)."""
    # With nothing told as past, no clause need be dropped.
    past = table.cues.past_readings
    kept = _clauses_told_now(past, table, spaced) if past.search(spaced) else [spaced]
    current = _ABOUT.sub(r"\1十", " ".join(kept))
    if _DIABETES.search(current):
        current = _MEASURED.sub("血糖", _DIABETES_EN_METER.sub("glucose", current))
    current = _METER_WORDS.sub("", current)
    if _HYPERTENSION.search(current):
        current = _MEASURED_BP.sub("血压", current)
    return _MEASURED_HUNDREDS.sub("血压", current)


def _clauses_told_now(past: re.Pattern[str], table: Table, spaced: str) -> list[str]:
    kept, in_past = [], False
    for part in _CLAUSE.split(spaced):
        if table.cues.present.search(part):
            in_past = False
        if past.search(part):
            in_past = True
        if not in_past:
            kept.append(part)
    return kept


_MEASURE_VERB = re.compile(r"测|量|\bmeter\b")


def _reading_categories(table: Table, views: Views, limits: TriageThresholds) -> Iterator[str]:
    spaced = views.spaced
    if not (might_hold_reading(spaced) or _MEASURE_VERB.search(spaced)):
        return  # no reading can be found: spare the clause work
    if _METER_FAULT.search(spaced):
        return  # the readings are the broken meter's
    (systolic, diastolic), glucose = pressure_parts_and_glucose(
        _current_clauses(table, views.spaced)
    )
    if (systolic is not None and systolic >= limits.systolic_high) or (
        diastolic is not None and diastolic >= limits.diastolic_high
    ):
        yield "bp_crisis"
    elif (
        (systolic is not None and systolic >= limits.pregnancy_systolic_high)
        or (diastolic is not None and diastolic >= limits.pregnancy_diastolic_high)
    ) and table.pregnant.search(views.compact):
        yield "obstetric"  # severe pre-eclampsia range
    # The last reading told is the one that stands ("早上3.8，吃了饭现在6.5"); someone who
    # feels well after a low or high reading is not an emergency (a blood pressure at the
    # threshold is, with or without symptoms).
    outside = glucose and not limits.glucose_low <= glucose[-1] <= limits.glucose_high
    if outside and not table.cues.well.search(spaced):
        yield "glucose"


# A cry for help stands whatever the model reads: nothing may talk the bot out of 救命.
_UNVETOED = frozenset({"distress"})


def _weighed_with_model(words: set[str], spaced: str) -> set[str]:
    """The word signs, weighed with the model: it overrules them when it is sure the message
    is calm (a look-alike the signs match), and raises a red flag of its own when it is sure of
    an emergency they missed."""
    model = load_model()
    probability = model.emergency_probability(spaced)
    if probability is None:
        return words
    if probability < model.veto:
        return words & _UNVETOED
    if not words and probability >= model.fire and not _told_calmly(spaced):
        kind = model.likeliest_kind(spaced)
        return {kind} if kind else set()
    return words


_DENIAL = re.compile(r"\b(?:no|not|never|without)\b|没有|没|不是")


def _told_calmly(spaced: str) -> bool:
    """What the model cannot weigh alone: a what-if or a joke, or symptoms denied one by one
    ("no blackout, no vomiting, not on blood thinners"). The signs read those in context."""
    cues = load_table().cues
    return bool(
        cues.framing.search(spaced)
        or cues.joking.search(spaced)
        or len(_DENIAL.findall(spaced, 0, 2000)) >= 2
    )


def assess(text: str, thresholds: TriageThresholds = TriageThresholds()) -> TriageResult:
    """Red-flag triage of one message. Never raises; an empty or odd message is not a red flag."""
    if not isinstance(text, str) or not text.strip():
        return TriageResult(red_flag=False)
    found: set[str] = set()
    table = load_table()
    try:
        views = prepare(text, table.mend)
        letters = Letters.of(views)
        words = {c.id for c in table.categories if _shows(table, c, views, letters, thresholds)}
        found.update(_weighed_with_model(words, views.spaced))
        found.update(_reading_categories(table, views, thresholds))
    except Exception:  # triage must never take the message handler down: keep what was found
        _log.exception("triage failed on a %d-character message", len(text))
    ordered = tuple(category.id for category in table.categories if category.id in found)
    return TriageResult(red_flag=bool(ordered), categories=ordered)
