"""/menu, /help, /cancel and the main-menu buttons whose own slice is not built yet."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.buttons import MenuButton, MenuPressed, main_menu_keyboard
from flows.menu.callbacks import BackToMenu
from flows.routes import SliceRoutes
from storage.models import Role, User

routes = SliceRoutes("menu")

# Buttons of the resident menu that later slices take over; until then they say so kindly.
COMING_SOON = (
    MenuButton.BOOK,
    MenuButton.MEDICINE,
    MenuButton.ASK_DOCTOR,
    MenuButton.READINGS,
)


@routes.message(Command("menu"))
@routes.message(MenuPressed(MenuButton.BACK_TO_MENU))
async def show_menu(message: Message, user: User, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("请选择要办的事："), reply_markup=main_menu_keyboard(user))


@routes.callback_query(BackToMenu.filter())
async def back_to_menu(query: CallbackQuery, user: User, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    if query.message is not None:
        await query.message.answer(_("请选择要办的事："), reply_markup=main_menu_keyboard(user))


@routes.message(Command("cancel"))
async def cancel(message: Message, user: User, state: FSMContext) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    text = _("好的，已取消。") if had_state else _("现在没有要取消的事。")
    await message.answer(text, reply_markup=main_menu_keyboard(user))


@routes.message(Command("help"))
async def show_help(message: Message, user: User, centre: CentreConfig) -> None:
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
    await message.answer(f"{body}\n\n{footer}", reply_markup=main_menu_keyboard(user))


@routes.message(MenuPressed(*COMING_SOON))
async def coming_soon(message: Message, user: User, centre: CentreConfig) -> None:
    await message.answer(
        _("这个功能正在准备中，很快就能用。\n有事可以先打中心电话：{phone}").format(
            phone=centre.centre.phone
        ),
        reply_markup=main_menu_keyboard(user),
    )
