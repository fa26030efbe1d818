"""Dates and times in what people type, against the current time in the centre's zone.

Chinese goes to JioNLP (明天上午9点, 下周三下午, 每天早上8点, 三天后); English to Duckling
(tomorrow at 9am, every day at 8pm). Both are maintained libraries: this module only picks
one, repairs the gaps our tests found, and says what kind of time it is."""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from datetime import datetime, time
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

Kind = Literal["date", "datetime", "daily"]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DAILY_ZH = re.compile(r"每天|每日|天天|每晚|每早")
_DAILY_EN = re.compile(r"\b(every ?day|daily|each day|every (morning|evening|night))\b", re.I)
# JioNLP reads 明早/明晚 as this morning/evening (it takes 明 for nothing): spell them out.
_ZH_REPAIRS = (("明早", "明天早上"), ("明晚", "明天晚上"), ("明儿", "明天"))


@dataclass(frozen=True)
class TimeValue:
    kind: Kind
    value: str  # 2026-11-24 | 2026-11-24T09:00 | 08:00
    text: str  # the words it came from


def find_time(text: str, now: datetime, zone: ZoneInfo) -> TimeValue | None:
    """The first date or time mentioned in `text`, or None."""
    local_now = now.astimezone(zone)
    if _CJK.search(text):
        return _chinese(text, local_now) or _english(text, local_now, zone)
    return _english(text, local_now, zone)


# ---- Chinese: JioNLP ---------------------------------------------------------------------


@cache
def _jionlp() -> Any:
    # JioNLP and jiojio print a banner on import; it must not reach our CLI's JSON output.
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp

    return jionlp


def _chinese(text: str, now: datetime) -> TimeValue | None:
    repaired = text
    for wrong, right in _ZH_REPAIRS:
        repaired = repaired.replace(wrong, right)
    jio = _jionlp()
    base = now.replace(tzinfo=None).timestamp()  # JioNLP thinks in naive local time
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            found = jio.ner.extract_time(repaired, time_base=base, with_parsing=True)
    except Exception:
        return None
    for item in found:
        value = _from_jionlp(item.get("detail") or {}, repaired)
        if value is not None:
            return TimeValue(value[0], value[1], str(item.get("text", "")))
    return None


def _from_jionlp(detail: dict[str, Any], text: str) -> tuple[Kind, str] | None:
    kind, moment = detail.get("type"), detail.get("time")
    if kind == "time_period" and isinstance(moment, dict):
        delta = moment.get("delta") or {}
        point = (moment.get("point") or {}).get("time")
        if delta == {"day": 1} and isinstance(point, list) and point:
            return "daily", _parse_naive(point[0]).strftime("%H:%M")
        return None
    if kind == "time_point" and isinstance(moment, list) and len(moment) == 2:
        start, end = _parse_naive(moment[0]), _parse_naive(moment[1])
        if _DAILY_ZH.search(text):
            return "daily", start.strftime("%H:%M")
        if start.time() == time(0) and end.time() == time(23, 59, 59):
            return "date", start.date().isoformat()
        return "datetime", start.strftime("%Y-%m-%dT%H:%M")
    return None


def _parse_naive(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")


# ---- English: Duckling -------------------------------------------------------------------


@cache
def _duckling() -> tuple[Any, Any, Any]:
    import duckling

    zones = duckling.load_time_zones("/usr/share/zoneinfo")
    language = duckling.default_locale_lang(duckling.parse_lang("EN"))
    dims = duckling.parse_dimensions(["time"])
    return duckling, zones, (language, dims)


def _english(text: str, now: datetime, zone: ZoneInfo) -> TimeValue | None:
    try:
        duckling, zones, (language, dims) = _duckling()
        reference = duckling.parse_ref_time(zones, zone.key, int(now.timestamp()))
        found = duckling.parse(text, duckling.Context(reference, language), dims, False)
    except Exception:
        return None
    for item in found:
        value = item.get("value") or {}
        if value.get("type") == "interval":
            # "tomorrow morning" spans hours whose edges (00:00, 04:00) nobody means:
            # keep only the day it names.
            value = {**(value.get("from") or {}), "grain": "day"}
        moment, grain = value.get("value"), value.get("grain")
        if not isinstance(moment, str):
            continue
        at = datetime.fromisoformat(moment).astimezone(zone)
        if _DAILY_EN.search(text) and grain in ("hour", "minute", "second"):
            return TimeValue("daily", at.strftime("%H:%M"), str(item.get("body", "")))
        if grain in ("day", "week", "month", "year"):
            return TimeValue("date", at.date().isoformat(), str(item.get("body", "")))
        return TimeValue("datetime", at.strftime("%Y-%m-%dT%H:%M"), str(item.get("body", "")))
    return None
