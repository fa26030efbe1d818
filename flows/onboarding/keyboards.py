"""Onboarding keyboards and their callback data. Every question can be answered by buttons."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.texts import local_name, month_name


class Answer(CallbackData, prefix="ob"):
    """An answer to one onboarding question. `step` lets old buttons be recognised as old."""

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


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button("🇨🇳 中文", "language", "zh_CN"), _button("🇬🇧 English", "language", "en")]
        ]
    )


def privacy_keyboard() -> InlineKeyboardMarkup:
    return _with_back(
        [
            [_button(_("✅ 同意，继续"), "privacy", "yes")],
            [_button(_("📄 看完整说明"), "privacy", "full")],
            [_button(_("不同意"), "privacy", "no")],
        ],
        "privacy",
    )


def privacy_declined_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_button(_("🔄 再看一下"), "privacy", "again")]])


def health_consent_keyboard() -> InlineKeyboardMarkup:
    return _with_back(
        [
            [_button(_("✅ 同意"), "health", "yes")],
            [_button(_("先不同意"), "health", "no")],
        ],
        "health",
    )


def name_keyboard(telegram_name: str | None) -> InlineKeyboardMarkup:
    rows = []
    if telegram_name:
        rows.append([_button(_("就叫我「{name}」").format(name=telegram_name), "name", "telegram")])
    return _with_back(rows, "name")


def phone_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_("📱 发送我的手机号"), request_contact=True)],
            [KeyboardButton(text=_("⬅️ 上一步"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


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


def community_keyboard(centre: CentreConfig) -> InlineKeyboardMarkup:
    buttons = [
        _button(local_name(c.name, c.name_en), "community", c.id) for c in centre.communities
    ]
    rows = _rows(buttons, 2)
    rows.append([_button(_("都不是"), "community", "none")])
    return _with_back(rows, "community")


def address_keyboard() -> InlineKeyboardMarkup:
    return _with_back([[_button(_("跳过"), "address", "skip")]], "address")


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


def confirm_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(_("✅ 对，保存"), "confirm", "yes")],
            [_button(_("✏️ 改一下"), "confirm", "redo")],
        ]
    )


def resume_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_button(_("▶️ 继续登记"), "resume", "go")]])
