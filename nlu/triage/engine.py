"""Red-flag triage: does this message describe an emergency happening now, and of what kind?

Runs on every free-text message before the NLU, with no network: precompiled patterns from the
category table only. It errs towards firing: a missed stroke costs far more than one "call 120"
reply too many. Calm talk about the same topics stays quiet (nlu/triage/context.py).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from itertools import islice

import cn2an

from nlu.triage.context import about_now, negated
from nlu.triage.reading_flags import reading_categories
from nlu.triage.table import Category, Sign, Table, load_table
from nlu.triage.text import Views, prepare
from nlu.triage.thresholds import TriageThresholds
from nlu.triage.weighing import weighed_with_model

_log = logging.getLogger(__name__)

HITS_PER_SIGN = 8  # matches of one sign weighed per message: the first 4 and the last 4
TAIL_REACH = 400  # characters at the end of a message searched for a sign's last matches
NEAR_HITS = 8  # matches of a `with` pattern weighed per sign match


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
    # "a fever for 2 weeks" is no baby's age; "my 6 week old" and "she is 7 weeks" are.
    if "who" in groups and not (groups["who"] or groups.get("tail")):
        return False
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


def assess(text: str, thresholds: TriageThresholds) -> TriageResult:
    """Red-flag triage of one message. Never raises; an empty or odd message is not a red flag."""
    if not isinstance(text, str) or not text.strip():
        return TriageResult(red_flag=False)
    found: set[str] = set()
    table = load_table()
    try:
        views = prepare(text, table.mend)
        letters = Letters.of(views)
        words = {c.id for c in table.categories if _shows(table, c, views, letters, thresholds)}
        found.update(weighed_with_model(words, views.spaced))
        found.update(reading_categories(table, views, thresholds))
    except Exception:  # triage must never take the message handler down: keep what was found
        _log.exception("triage failed on a %d-character message", len(text))
    ordered = tuple(category.id for category in table.categories if category.id in found)
    return TriageResult(red_flag=bool(ordered), categories=ordered)
