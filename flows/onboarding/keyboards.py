"""Onboarding keyboards and their callback data. Every question can be answered by buttons."""

from __future__ import annotations

import calendar
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


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _with_back(rows: list[list[InlineKeyboardButton]], step: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[*rows, [_button(_("⬅️ 上一步"), step, "back")]])


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


def decade_keyboard(today: date) -> InlineKeyboardMarkup:
    decades = range(1920, today.year + 1, 10)
    buttons = [_button(_("{decade}年代").format(decade=d), "decade", str(d)) for d in decades]
    return _with_back(_rows(buttons, 3), "decade")


def year_keyboard(decade: int, today: date) -> InlineKeyboardMarkup:
    years = [y for y in range(decade, decade + 10) if y <= today.year]
    buttons = [_button(str(y), "year", str(y)) for y in years]
    return _with_back(_rows(buttons, 5), "year")


def month_keyboard() -> InlineKeyboardMarkup:
    buttons = [_button(month_name(m), "month", str(m)) for m in range(1, 13)]
    return _with_back(_rows(buttons, 4), "month")


def day_keyboard(year: int, month: int) -> InlineKeyboardMarkup:
    last = calendar.monthrange(year, month)[1]
    buttons = [_button(str(d), "day", str(d)) for d in range(1, last + 1)]
    return _with_back(_rows(buttons, 7), "day")


def sex_keyboard() -> InlineKeyboardMarkup:
    return _with_back(
        [[_button(_("👨 男"), "sex", "male"), _button(_("👩 女"), "sex", "female")]], "sex"
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


def conditions_keyboard(centre: CentreConfig, chosen: list[str]) -> InlineKeyboardMarkup:
    buttons = [
        _button(("✅ " if c.code in chosen else "") + local_name(c.name, c.name_en), "cond", c.code)
        for c in centre.conditions
    ]
    rows = _rows(buttons, 2)
    finish = _("✔️ 选好了") if chosen else _("没有这些病")
    rows.append([_button(finish, "cond", "done")])
    return _with_back(rows, "cond")


def pregnancy_keyboard() -> InlineKeyboardMarkup:
    return _with_back(
        [
            [_button(_("没有"), "preg", "none")],
            [
                _button(_("怀孕中"), "preg", "pregnant"),
                _button(_("产后一年内"), "preg", "postpartum"),
            ],
        ],
        "preg",
    )


def disability_keyboard() -> InlineKeyboardMarkup:
    return _with_back(
        [[_button(_("有"), "disab", "yes"), _button(_("没有"), "disab", "no")]], "disab"
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
