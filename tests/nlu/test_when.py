"""Dates and times as people write them, normalised against Monday 23 November 2026, 09:00
in Shanghai: ISO date, ISO local datetime, or HH:MM for a daily time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.when import find_time

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)  # a Monday

CASES: list[tuple[str, str | None, str | None]] = [
    # text, kind, value
    ("明天上午9点", "datetime", "2026-11-24T09:00"),
    ("明天上午九点", "datetime", "2026-11-24T09:00"),
    ("我想约明天上午九点看王医生", "datetime", "2026-11-24T09:00"),
    ("明早七点", "datetime", "2026-11-24T07:00"),
    ("明早7点量血压", "datetime", "2026-11-24T07:00"),
    ("明晚八点半", "datetime", "2026-11-24T20:30"),
    ("今晚8点提醒吃药", "datetime", "2026-11-23T20:00"),
    ("今天下午三点", "datetime", "2026-11-23T15:00"),
    ("下午3点", "datetime", "2026-11-23T15:00"),
    ("后天下午两点", "datetime", "2026-11-25T14:00"),
    ("大后天", "date", "2026-11-26"),
    ("后天", "date", "2026-11-25"),
    ("明天", "date", "2026-11-24"),
    ("今天", "date", "2026-11-23"),
    ("三天后复查", "date", "2026-11-26"),
    ("一周后", "date", "2026-11-30"),
    ("周五", "date", "2026-11-27"),
    ("帮我改到周五", "date", "2026-11-27"),
    ("这周五上午十点", "datetime", "2026-11-27T10:00"),
    ("星期三", "date", "2026-11-25"),
    ("下周三", "date", "2026-12-02"),
    ("下周三下午", "datetime", "2026-12-02T13:00"),
    ("下周一上午9点半", "datetime", "2026-11-30T09:30"),
    ("周五下午三点半", "datetime", "2026-11-27T15:30"),
    ("12月1号上午", "datetime", "2026-12-01T07:00"),
    ("12月1日", "date", "2026-12-01"),
    ("12月1号", "date", "2026-12-01"),
    ("11月30号下午2点", "datetime", "2026-11-30T14:00"),
    ("2026年12月5日", "date", "2026-12-05"),
    ("2027年1月3日上午8点", "datetime", "2027-01-03T08:00"),
    ("下个月5号", "date", "2026-12-05"),
    ("每天早上8点提醒我吃二甲双胍", "daily", "08:00"),
    ("每天早上八点", "daily", "08:00"),
    ("每天晚上9点", "daily", "21:00"),
    ("每天中午12点吃药", "daily", "12:00"),
    ("天天早上7点半", "daily", "07:30"),
    ("每天下午4点", "daily", "16:00"),
    ("每晚十点提醒我", "daily", "22:00"),
    ("每天早上七点半吃降压药", "daily", "07:30"),
    ("每日晚上8点", "daily", "20:00"),
    ("早上8点", "datetime", "2026-11-23T08:00"),
    ("晚上七点", "datetime", "2026-11-23T19:00"),
    ("中午十二点", "datetime", "2026-11-23T12:00"),
    ("明天中午", "datetime", "2026-11-24T12:00"),
    ("明天晚上", "datetime", "2026-11-24T18:00"),
    ("周六上午", "datetime", "2026-11-28T07:00"),
    ("本周日", "date", "2026-11-29"),
    ("下下周一", "date", "2026-12-07"),
    ("半小时后", "datetime", "2026-11-23T09:30"),
    ("两个小时后", "datetime", "2026-11-23T11:00"),
    ("30分钟后提醒我", "datetime", "2026-11-23T09:30"),
    ("tomorrow at 9am", "datetime", "2026-11-24T09:00"),
    ("tomorrow", "date", "2026-11-24"),
    ("today at 3pm", "datetime", "2026-11-23T15:00"),
    ("at 3pm", "datetime", "2026-11-23T15:00"),
    ("tonight at 8", "datetime", "2026-11-23T20:00"),
    ("the day after tomorrow", "date", "2026-11-25"),
    ("on friday", "date", "2026-11-27"),
    ("friday at 10am", "datetime", "2026-11-27T10:00"),
    ("next monday", "date", "2026-11-30"),
    ("december 1st", "date", "2026-12-01"),
    ("Dec 5 at 2pm", "datetime", "2026-12-05T14:00"),
    ("in 30 minutes", "datetime", "2026-11-23T09:30"),
    ("in two hours", "datetime", "2026-11-23T11:00"),
    ("every day at 8pm", "daily", "20:00"),
    ("remind me every day at 8am", "daily", "08:00"),
    ("daily at 7:30am", "daily", "07:30"),
    ("daily at 7:30pm", "daily", "19:30"),
    ("every morning at 7", "daily", "07:00"),
    ("book me for tomorrow morning", "date", "2026-11-24"),
    ("I want to see the doctor on Wednesday", "date", "2026-11-25"),
    ("明天 tomorrow 9点", "date", "2026-11-24"),
    # no time at all: nothing invented
    ("血压150/95", None, None),
    ("空腹血糖7.8", None, None),
    ("你好", None, None),
    ("我想签约", None, None),
    ("hello", None, None),
    ("", None, None),
    ("😀😀😀", None, None),
    ("谢谢王医生", None, None),
    ("I took my pills", None, None),
    ("我妈妈想签约", None, None),
]


@pytest.mark.parametrize(("text", "kind", "value"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_time_is_normalised(text: str, kind: str | None, value: str | None) -> None:
    found = find_time(text, NOW, ZONE)
    got = (found.kind, found.value) if found is not None else (None, None)
    assert got == (kind, value)


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 80
