"""Readings past the thresholds (blood pressure, glucose) as red flags: only what is told as
now counts, and the words people put around a reading are read too (量了三次都是一百八几)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nlu.readings import might_hold_reading, pressure_parts_and_glucose
from nlu.triage.fast import fast
from nlu.triage.table import Table
from nlu.triage.text import Views
from nlu.triage.thresholds import TriageThresholds

# Clauses: punctuation, or a space between two Chinese characters (people who type no
# punctuation part their phrases with spaces).
_CLAUSE = re.compile(r"[,，。！!？?；;\n]|(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")
# Patterns with an English option that starts at a word boundary go through fast(): the regex
# engine then skips ahead to a possible first letter instead of trying every position.
# "The meter is broken": the readings in the message are not the person's.
_METER_FAULT = fast(
    r"(?:血压计|血糖仪|仪器|机器)(?:好像|可能)?(?:坏|不准|有问题|没电)|电池没电"
    r"|\bmeter (?:is )?(?:broken|faulty|wrong)"
)
# Asked, not said: "是不是机器不准啊" doubts the reading, it does not disown it.
_ASKED = re.compile(r"是不是|会不会|是否|难道|还是")
# A reading quoted from a leaflet or a standard is no one's (说明书上写的180/110是什么意思).
_QUOTED = re.compile(r"说明书|书上|网上(?:说|写)|上面写|写着|标准是|参考值")
_ABOUT = re.compile(r"([一二三四五六七八九])几")  # 一百八几 → 一百八十: "a hundred and eighty-odd"
# "sugar reading is 25", "glucose meter says 2.4": the words between are no part of the reading.
_METER_WORDS = fast(
    r"\b(?:meter|reading|level|monitor|machine)s?(?: (?:says|shows|reads|is|was|of))?\b"
)


# Someone with diabetes who writes "测了二十二点六" means their glucose; someone on blood
# pressure pills who writes "量了三次都是一百八几" means their blood pressure.
_DIABETES = fast(r"糖尿病|胰岛素|降糖药|血糖仪|\bdiabet|\binsulin\b|\btype ?[12]\b")
_MEASURED = re.compile(r"测(?:了|得|出来|出|到)?(?:一下|下)?(?:个)?(?=[\d一二两三四五六七八九十])")
_HYPERTENSION = re.compile(r"高血压|降压药|血压计")
_MEASURED_BP = re.compile(
    r"量(?:了|得|出来|出|到)?(?:一下|下|[一二两三四五六七八九十几]次)?(?:都是|是)?(?:个)?(?=[\d一二两三四五六七八九])"
)
# Whatever the context, a measured three-figure number is a blood pressure (量了三次都是一百九十几).
_MEASURED_HUNDREDS = re.compile(
    r"量(?:了|得|出来|出|到)?(?:一下|下|[一二两三四五六七八九十几]次)?(?:都是|是)?(?:个)?(?=[12]\d\d|[一两二]百)"
)
_DIABETES_EN_METER = fast(r"\bmeter (?:says|shows|reads|is)\b")


def _current_clauses(table: Table, spaced: str) -> str:
    """Drops what is told about the past: a clause with a past cue, and those after it until
    one says it is now again ("上个月低血糖过一回 测了3.5 吃了块糖就好了" is all past;
    "去年血压200/120，现在130/80" reads as 130/80)."""
    # With nothing told as past, no clause need be dropped.
    past = table.cues.past_readings
    told = past.search(spaced) or _QUOTED.search(spaced)
    kept = _clauses_told_now(past, table, spaced) if told else [spaced]
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
        if not in_past and not _QUOTED.search(part):
            kept.append(part)
    return kept


def _meter_blamed(spaced: str) -> bool:
    return any(
        not _ASKED.search(spaced, max(0, fault.start() - 6), fault.start())
        for fault in _METER_FAULT.finditer(spaced)
    )


_MEASURE_VERB = fast(r"测|量|\bmeter\b")


def reading_categories(table: Table, views: Views, limits: TriageThresholds) -> Iterator[str]:
    spaced = views.spaced
    if not (might_hold_reading(spaced) or _MEASURE_VERB.search(spaced)):
        return  # no reading can be found: spare the clause work
    if _meter_blamed(spaced):
        return  # the readings are the broken meter's
    (systolic, diastolic), glucose = pressure_parts_and_glucose(
        _current_clauses(table, views.spaced), prepared=True
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
