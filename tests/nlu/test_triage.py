"""Red-flag triage: every emergency caught, calm look-alikes left alone, odd input survives."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pytest
import yaml

from nlu.triage import TriageResult, assess, category_ids
from tests.bench.bench_triage_worst import LIMIT, adversarial_inputs, time_entities, worst_case
from tests.nlu.configured import THRESHOLDS

_CASES = yaml.safe_load((Path(__file__).parent / "triage_cases.yml").read_text(encoding="utf-8"))
EMERGENCIES: list[tuple[str, str]] = [(text, reason) for text, reason in _CASES["emergencies"]]
CALM: list[str] = list(_CASES["calm"])


def test_table_is_big_enough() -> None:
    assert len(EMERGENCIES) >= 60
    assert len(CALM) >= 60
    assert {reason for _, reason in EMERGENCIES} == set(category_ids())


@pytest.mark.parametrize(("text", "reason"), EMERGENCIES, ids=[t for t, _ in EMERGENCIES])
def test_emergency_is_caught(text: str, reason: str) -> None:
    result = assess(text, THRESHOLDS)
    assert result.red_flag, text
    assert reason in result.categories, (text, result.categories)


@pytest.mark.parametrize("text", CALM, ids=CALM)
def test_calm_message_passes(text: str) -> None:
    result = assess(text, THRESHOLDS)
    assert not result.red_flag, (text, result.categories)


FALSE_ALARM_BUDGET = 0.05


def _full_width(text: str) -> str:
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


# The calm look-alikes as residents also type them. No case here is pinned on its own (the
# table's own wording is, above): this is where the documented budget is measured.
RETYPED = {
    "greeting first": lambda text: "医生您好，" + text,
    "full-width": _full_width,
    "spaced out": lambda text: re.sub(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])", " ", text),
    "emoji after": lambda text: text + "🙏🙏",
    "no punctuation": lambda text: re.sub(r"[，。、！？,.!?]", " ", text),
}


def test_false_alarm_rate_within_budget() -> None:
    retyped = [(how, change(text)) for how, change in RETYPED.items() for text in CALM]
    alarms = [f"{how}: {text}" for how, text in retyped if assess(text, THRESHOLDS).red_flag]
    assert len(alarms) <= FALSE_ALARM_BUDGET * len(retyped), alarms


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u0000\u0001\u0007\u001b[31m",
        "😀🙏🏻👨‍👩‍👧",
        "\u202e\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
        "\ufeff\u200b\u200d",
        "好" * 5000,
        "a" * 10000,
        "血压" * 3000,
        "1/" * 4000,
        "\ud800",  # lone surrogate, as a broken client might send
    ],
    ids=[
        "empty",
        "spaces",
        "control",
        "emoji",
        "rtl",
        "zero-width",
        "long-zh",
        "long-en",
        "repeated-keyword",
        "slashes",
        "surrogate",
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    result = assess(text, THRESHOLDS)
    assert isinstance(result, TriageResult)
    assert result.red_flag is False


def test_emergency_at_end_of_long_message_is_caught() -> None:
    assert assess("今天天气不错。" * 700 + "我爸突然晕倒了", THRESHOLDS).categories == (
        "unconscious",
    )


def test_non_string_input_is_not_a_red_flag() -> None:
    assert assess(None, THRESHOLDS).red_flag is False  # type: ignore[arg-type]


def test_categories_come_in_order_of_urgency_once_each() -> None:
    result = assess("胸口疼得厉害，喘不上气，血压200/120，胸口疼", THRESHOLDS)
    assert result.categories == ("breathing", "chest_pain", "bp_crisis")


def test_negation_and_full_width() -> None:
    assert not assess("没有胸痛，也没有晕倒", THRESHOLDS).red_flag
    assert assess("ＣＨＥＳＴ　ＰＡＩＮ", THRESHOLDS).categories == ("chest_pain",)
    assert assess("胸 口 疼 得 厉 害", THRESHOLDS).categories == ("chest_pain",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("血压179/109", ()),
        ("血压180/100", ("bp_crisis",)),
        ("血压170/110", ("bp_crisis",)),
        ("空腹血糖3.9", ()),
        ("空腹血糖3.8", ("glucose",)),
        ("血糖16.7", ()),
        ("血糖16.8", ("glucose",)),
    ],
)
def test_default_thresholds_are_inclusive_as_documented(
    text: str, expected: tuple[str, ...]
) -> None:
    assert assess(text, THRESHOLDS).categories == expected


def test_thresholds_are_configurable() -> None:
    strict = dataclasses.replace(
        THRESHOLDS, systolic_high=160, diastolic_high=100, glucose_low=4.4, glucose_high=13.9
    )
    assert assess("血压165/95", strict).categories == ("bp_crisis",)
    assert assess("血糖4.2", strict).categories == ("glucose",)
    assert assess("血糖14", strict).categories == ("glucose",)
    assert not assess("血压165/95", THRESHOLDS).red_flag


def test_result_types_are_frozen() -> None:
    result = assess("我想死", THRESHOLDS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.red_flag = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        THRESHOLDS.systolic_high = 1  # type: ignore[misc]


def test_fast_enough_for_every_message() -> None:
    messages = [text for text, _ in EMERGENCIES] + CALM
    start = time.perf_counter()
    for _ in range(5):
        for text in messages:
            assess(text, THRESHOLDS)
    per_message = (time.perf_counter() - start) / (5 * len(messages))
    # Generous bound for a loaded CI box; typical is well under a millisecond.
    assert per_message < 0.01


# The target is 5 ms of CPU per message on the project machine (tests/bench/bench_triage_worst);
# ten times that still fails the moment something goes quadratic again (a 4096-character
# numeral run once took 15 s), without flaking on a busy CI box.
WORST_TRIAGE_SECONDS = 0.050


def test_worst_adversarial_message_is_triaged_quickly() -> None:
    timings = worst_case()
    assert len(timings) >= 60
    seconds, name = timings[0]
    assert seconds < WORST_TRIAGE_SECONDS, f"{name!r}: {seconds * 1000:.1f} ms"


def test_worst_adversarial_message_is_read_for_entities_quickly() -> None:
    seconds, name = worst_case(timer=time_entities)[0]  # the raw text, as nlu/entities.py
    assert seconds < WORST_TRIAGE_SECONDS, f"{name!r}: {seconds * 1000:.1f} ms"


@pytest.mark.parametrize(
    "text", list(adversarial_inputs().values()), ids=list(adversarial_inputs())
)
def test_adversarial_input_never_raises(text: str, caplog: pytest.LogCaptureFixture) -> None:
    assert len(text) <= LIMIT
    assert isinstance(assess(text, THRESHOLDS), TriageResult)
    assert "triage failed" not in caplog.text  # no exception swallowed on the way


def test_a_reading_after_a_long_numeral_run_is_still_checked() -> None:
    assert assess("十" * 4000 + "。血压210/120", THRESHOLDS).categories == ("bp_crisis",)
    assert assess("十万" * 1900 + "。血糖二十五点五", THRESHOLDS).categories == ("glucose",)


@pytest.mark.parametrize(
    "answer",
    ["138 1234 5678", "13812345678", "1950-2-28", "12345", "1948", "张秀兰", "幸福一社区3栋2单元",
     "一九四五年三月五号", "李建华", "女", "2"],
)  # fmt: skip
def test_answers_typed_into_forms_are_not_red_flags(answer: str) -> None:
    # Triage reads every message in any state: a phone number, a date or a name must pass.
    assert not assess(answer, THRESHOLDS).red_flag, assess(answer, THRESHOLDS)
