"""The settings slice's buttons, and the language keyboard other slices show too (a typed
"换语言" opens it from understanding)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from flows.menu.callbacks import BackToMenu
from storage.models import User


class SettingsChoice(CallbackData, prefix="set"):
    action: str  # language | profile | health | health_on | health_off | help


class PickLanguage(CallbackData, prefix="lang"):
    language: str


def settings_keyboard(user: User) -> InlineKeyboardMarkup:
    rows = [[settings_choice_button("🌐 语言 Language", "language")]]  # both scripts: the way back
    if not user.role.is_staff:
        rows.append([settings_choice_button(_("👤 我的资料"), "profile")])
        rows.append([settings_choice_button(_("🔒 健康信息同意"), "health")])
    rows.append([settings_choice_button(_("❓ 帮助"), "help")])
    rows.append([home_button()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def settings_choice_button(text: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=SettingsChoice(action=action).pack())


def home_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("🏠 回主菜单"), callback_data=BackToMenu().pack())


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text="🇨🇳 中文", callback_data=PickLanguage(language="zh_CN").pack()
                ),
                InlineKeyboardButton(
                    text="🇬🇧 English", callback_data=PickLanguage(language="en").pack()
                ),
            ],
            [home_button()],
        ]
    )
