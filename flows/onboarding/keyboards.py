"""The ways into onboarding (resume, change my profile) and the profile keyboards the family
form in signing still draws itself, with its own callback data. The onboarding questions'
own buttons come from questions.py through the form engine."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.texts import local_name, month_name


class Answer(CallbackData, prefix="ob"):
    """A way into the onboarding form from outside it: resume registering, change a profile."""

    step: str
    value: str


def _button(text: str, step: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=Answer(step=step, value=value).pack())


# The profile questions (birth date, sex, health) are asked again for family members by the
# signing slice, with its own callback data: those keyboards take the button maker.
ButtonMaker = Callable[[str, str, str], InlineKeyboardButton]


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _with_back(
    rows: list[list[InlineKeyboardButton]], step: str, make: ButtonMaker = _button
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[*rows, [make(_("⬅️ 上一步"), step, "back")]])


def decade_keyboard(today: date, make: ButtonMaker = _button) -> InlineKeyboardMarkup:
    decades = range(1920, today.year + 1, 10)
    buttons = [make(_("{decade}年代").format(decade=d), "decade", str(d)) for d in decades]
    return _with_back(_rows(buttons, 3), "decade", make)


def year_keyboard(decade: int, today: date, make: ButtonMaker = _button) -> InlineKeyboardMarkup:
    years = [y for y in range(decade, decade + 10) if y <= today.year]
    buttons = [make(str(y), "year", str(y)) for y in years]
    return _with_back(_rows(buttons, 5), "year", make)


def month_keyboard(make: ButtonMaker = _button) -> InlineKeyboardMarkup:
    buttons = [make(month_name(m), "month", str(m)) for m in range(1, 13)]
    return _with_back(_rows(buttons, 4), "month", make)


def day_keyboard(year: int, month: int, make: ButtonMaker = _button) -> InlineKeyboardMarkup:
    last = calendar.monthrange(year, month)[1]
    buttons = [make(str(d), "day", str(d)) for d in range(1, last + 1)]
    return _with_back(_rows(buttons, 7), "day", make)


def sex_keyboard(make: ButtonMaker = _button) -> InlineKeyboardMarkup:
    return _with_back(
        [[make(_("👨 男"), "sex", "male"), make(_("👩 女"), "sex", "female")]], "sex", make
    )


def conditions_keyboard(
    centre: CentreConfig, chosen: list[str], make: ButtonMaker = _button
) -> InlineKeyboardMarkup:
    buttons = [
        make(("✅ " if c.code in chosen else "") + local_name(c.name, c.name_en), "cond", c.code)
        for c in centre.conditions
    ]
    rows = _rows(buttons, 2)
    finish = _("✔️ 选好了") if chosen else _("没有这些病")
    rows.append([make(finish, "cond", "done")])
    return _with_back(rows, "cond", make)


def pregnancy_keyboard(make: ButtonMaker = _button) -> InlineKeyboardMarkup:
    return _with_back(
        [
            [make(_("没有"), "preg", "none")],
            [
                make(_("怀孕中"), "preg", "pregnant"),
                make(_("产后一年内"), "preg", "postpartum"),
            ],
        ],
        "preg",
        make,
    )


def disability_keyboard(make: ButtonMaker = _button) -> InlineKeyboardMarkup:
    return _with_back(
        [[make(_("有"), "disab", "yes"), make(_("没有"), "disab", "no")]], "disab", make
    )


def resume_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_button(_("▶️ 继续登记"), "resume", "go")]])
