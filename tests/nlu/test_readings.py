"""Blood-pressure and glucose extraction, table-driven."""

from __future__ import annotations

import pytest

from nlu.readings import (
    BloodPressure,
    Glucose,
    _cn_to_number,
    extract_blood_pressure,
    extract_glucose,
    extract_pressure_parts,
    find_blood_pressures,
    find_glucose_readings,
    normalise_numerals,
)

BP = BloodPressure

# (message, expected reading or None)
BLOOD_PRESSURE_CASES: list[tuple[str, BloodPressure | None]] = [
    ("150/95", BP(150, 95)),
    ("150／95", BP(150, 95)),
    ("１５０／９５", BP(150, 95)),
    ("血压150/95", BP(150, 95)),
    ("早上量的血压 150 / 95 mmHg", BP(150, 95)),
    ("高压150低压95", BP(150, 95)),
    ("低压95，高压150", BP(150, 95)),
    ("收缩压150 舒张压95", BP(150, 95)),
    ("血压一百四十五，九十", BP(145, 90)),
    ("血压一百五九十五", BP(150, 95)),
    ("血压一百八一百一", BP(180, 110)),
    ("血压一八零一一零", BP(180, 110)),
    ("高压一百六十低压一百", BP(160, 100)),
    ("血压 150 95", BP(150, 95)),
    ("血压：138，86", BP(138, 86)),
    ("今天血压是132、84", BP(132, 84)),
    ("bp 150 over 95", BP(150, 95)),
    ("BP: 128/82", BP(128, 82)),
    ("blood pressure 140 over 90 this morning", BP(140, 90)),
    ("systolic 150 diastolic 95", BP(150, 95)),
    ("130/80/72", BP(130, 80, 72)),
    ("血压130/80，脉搏72", BP(130, 80, 72)),
    ("血压125/78 心率66", BP(125, 78, 66)),
    ("血压一百三八十五，还行吧", BP(130, 85)),
    ("早上8点测的血压145/92", BP(145, 92)),
    # negatives
    ("11/24下午来复查", None),
    ("2024/11/24", None),
    ("我的电话13812345678", None),
    ("约10:30的号", None),
    ("血压计200块贵不贵", None),
    ("血压有点高", None),
    ("血压150，心率80", None),
    ("95/150", None),  # diastolic above systolic: a typo, not a reading
    ("血压400/90", None),
    ("血压150/20", None),
    ("1/2片降压药", None),
    ("一百五九十五", None),  # no blood-pressure word: too ambiguous on its own
    ("", None),
    ("😀", None),
]

# (message, expected reading or None)
GLUCOSE_CASES: list[tuple[str, Glucose | None]] = [
    ("空腹血糖7.8", Glucose(7.8, "fasting")),
    ("餐后两小时血糖十一点二", Glucose(11.2, "postprandial")),
    ("血糖 7.8", Glucose(7.8)),
    ("血糖七点八", Glucose(7.8)),
    ("sugar 7.8", Glucose(7.8)),
    ("fasting glucose 5.6", Glucose(5.6, "fasting")),
    ("早上空腹6.1", Glucose(6.1, "fasting")),
    ("饭后2小时12.5", Glucose(12.5, "postprandial")),
    ("餐后2h血糖9.8mmol/L", Glucose(9.8, "postprandial")),
    ("随机血糖15", Glucose(15.0, "random")),
    ("血糖３．２", Glucose(3.2)),
    ("今天早饭前测血糖是6.4", Glucose(6.4, "fasting")),
    ("血糖十点测的7.8", Glucose(7.8)),
    ("blood sugar 140 mg/dl", Glucose(7.8, None, "mg/dL")),
    ("血糖140mg/dl", Glucose(7.8, None, "mg/dL")),
    ("my sugar was 250 after dinner", Glucose(13.9, None, "mg/dL")),
    ("after meals sugar 9.1", Glucose(9.1, "postprandial")),
    # negatives
    ("血糖一直很高", None),
    ("空腹8小时再来抽血", None),
    ("饭后30分钟吃药", None),
    ("糖化血红蛋白7.5%", None),
    ("血糖仪多少钱", None),
    ("血糖高吃什么好", None),
    ("血糖55", None),  # mmol/L is the norm in Chinese text: 55 is implausible, not mg/dL
    ("血糖0.5", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), BLOOD_PRESSURE_CASES)
def test_extract_blood_pressure(text: str, expected: BloodPressure | None) -> None:
    assert extract_blood_pressure(text) == expected


@pytest.mark.parametrize(("text", "expected"), GLUCOSE_CASES)
def test_extract_glucose(text: str, expected: Glucose | None) -> None:
    assert extract_glucose(text) == expected


def test_case_table_sizes() -> None:
    assert len(BLOOD_PRESSURE_CASES) + len(GLUCOSE_CASES) >= 40


def test_several_readings_in_order() -> None:
    assert find_blood_pressures("早上150/90，晚上160/100") == [BP(150, 90), BP(160, 100)]
    assert find_glucose_readings("空腹6.2，餐后2小时9.8") == [
        Glucose(6.2, "fasting"),
        Glucose(9.8, "postprandial"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("血压都200了", (200, None)),
        ("高压一百九", (190, None)),
        ("低压115", (None, 115)),
        ("血压150/95", (150, 95)),
        ("血压有点高", (None, None)),
        ("早上150/90，晚上160/100", (160, 100)),
    ],
)
def test_pressure_parts(text: str, expected: tuple[int | None, int | None]) -> None:
    assert extract_pressure_parts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("血压一百四十五，九十", "血压145,90"),
        ("一直一侧无力", "一直一侧无力"),  # single numeral characters inside words stay
        ("ＢＰ　１５０／９５", "bp 150/95"),
        ("十点半", "10点半"),
    ],
)
def test_normalise_numerals(text: str, expected: str) -> None:
    assert normalise_numerals(text) == expected


ODD_INPUT = ["\u0000\u202e", "9" * 10000, "血压" * 3000, "/" * 5000]


@pytest.mark.parametrize("text", ODD_INPUT, ids=["control", "digits", "keyword", "slashes"])
def test_odd_input_is_no_reading(text: str) -> None:
    assert extract_blood_pressure(text) is None
    assert extract_glucose(text) is None
    assert extract_pressure_parts(text) == (None, None)


@pytest.mark.parametrize("text", ODD_INPUT, ids=["control", "digits", "keyword", "slashes"])
def test_a_reading_after_odd_input_is_still_read(text: str) -> None:
    message = text[:4000] + "。血压150/95，空腹血糖7.8"  # within Telegram's 4096 characters
    assert extract_blood_pressure(message) == BP(150, 95)
    assert extract_glucose(message) == Glucose(7.8, "fasting")


@pytest.mark.parametrize(
    "text",
    [
        "血压" + "十" * 4094,  # one numeral run as long as a message: no reading, no hang
        "十万" * 2048,
        "一二三四五六七八九" * 455,  # once a 4095-digit integer: OverflowError as a float
        "血糖" + "九" * 400 + "点" + "九" * 400,
    ],
    ids=["十-run", "十万-run", "digit-run", "decimal-run"],
)
def test_a_number_too_large_is_no_reading(text: str) -> None:
    assert find_blood_pressures(text) == []
    assert find_glucose_readings(text) == []
    assert extract_pressure_parts(text) == (None, None)


def test_an_overflowing_numeral_converts_to_none() -> None:
    assert _cn_to_number("一二三四五六七八九" * 40) is None  # 360 digits: too big for a float
    assert _cn_to_number("十万" * 30) is None  # not a number cn2an reads
    assert _cn_to_number("一百五") == 150


def test_a_long_numeral_run_stays_as_written() -> None:
    assert normalise_numerals("电话一三八零零一三八零零零") == "电话一三八零零一三八零零零"
    assert normalise_numerals("血压一百八十五一百一十") == "血压185 110"
