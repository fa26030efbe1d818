"""Screens more than one slice shows: help (/help, ⚙️ → ❓, a typed "怎么用"). Not a router,
so any slice's handlers may import it."""

from __future__ import annotations

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.buttons import main_menu_keyboard
from storage.models import Role, User


def help_text(user: User, centre: CentreConfig) -> str:
    if user.role is Role.ADMIN:
        body = _("您是中心管理员：签约申请久没人处理时，催办通知会发给您。\n⚙️ 设置：语言")
    elif user.role.is_staff:
        body = _("📋 待办：签约申请和居民提问\n👥 居民：您签约的居民\n⚙️ 设置：语言、帮助")
    else:
        body = _(
            "📝 签约：找家庭医生、选服务包\n"
            "📅 预约：约医生看病\n"
            "💊 用药：吃药提醒\n"
            "👩‍⚕️ 问医生：给您的医生留言\n"
            "📈 记录：记血压、血糖\n"
            "⚙️ 设置：语言、我的资料"
        )
    footer = _(
        "随时发 /menu 回到主菜单，发 /cancel 取消正在办的事。\n"
        "中心电话：{phone}\n"
        "身体突然很不舒服，请马上打 {emergency}。"
    ).format(phone=centre.centre.phone, emergency=centre.centre.emergency_number)
    return f"{body}\n\n{footer}"


async def show_help(message: Message, user: User, centre: CentreConfig) -> None:
    await message.answer(help_text(user, centre), reply_markup=main_menu_keyboard(user))
