"""The main menu: at most six large buttons, an icon and 2–4 characters each.

Buttons are matched in every language the bot speaks, so a keyboard sent before the user
switched language still works."""

from __future__ import annotations

from enum import Enum

from aiogram.filters import Filter
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from flows.texts import N_
from storage.models import Role, User


class MenuButton(Enum):
    SIGN = N_("📝 签约")
    BOOK = N_("📅 预约")
    MEDICINE = N_("💊 用药")
    ASK_DOCTOR = N_("👩‍⚕️ 问医生")
    READINGS = N_("📈 记录")
    SETTINGS = N_("⚙️ 设置")
    TODO = N_("📋 待办")
    MY_RESIDENTS = N_("👥 居民")
    BACK_TO_MENU = N_("🏠 回主菜单")

    def text(self) -> str:
        return _(self.value)


RESIDENT_MENU = (
    (MenuButton.SIGN, MenuButton.BOOK),
    (MenuButton.MEDICINE, MenuButton.ASK_DOCTOR),
    (MenuButton.READINGS, MenuButton.SETTINGS),
)
STAFF_MENU = ((MenuButton.TODO, MenuButton.MY_RESIDENTS), (MenuButton.SETTINGS,))
# The centre's admins hold no team post: escalations come to them as notices.
ADMIN_MENU = ((MenuButton.SETTINGS,),)


def main_menu_keyboard(user: User | None) -> ReplyKeyboardMarkup:
    role = user.role if user is not None else Role.RESIDENT
    rows = {Role.RESIDENT: RESIDENT_MENU, Role.ADMIN: ADMIN_MENU}.get(role, STAFF_MENU)
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=button.text()) for button in row] for row in rows],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=_("点下面的按钮，或直接打字"),
    )


class MenuPressed(Filter):
    """True when the message is one of these menu buttons, in any language."""

    def __init__(self, *buttons: MenuButton) -> None:
        self.sources = tuple(b.value for b in buttons)

    async def __call__(self, message: Message, i18n: I18n) -> bool:
        if not message.text:
            return False
        return message.text.strip() in _translations(i18n, self.sources)


def _translations(i18n: I18n, sources: tuple[str, ...]) -> set[str]:
    return set(sources) | {
        i18n.gettext(source, locale=loc) for source in sources for loc in i18n.available_locales
    }
