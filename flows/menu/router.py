"""/menu, /help, /cancel and the main-menu buttons whose own slice is not built yet."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.buttons import MenuButton, MenuPressed, main_menu_keyboard
from flows.menu.callbacks import BackToMenu
from flows.menu.screens import show_help
from flows.routes import SliceRoutes
from storage.models import User

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


routes.message(Command("help"))(show_help)


@routes.message(MenuPressed(*COMING_SOON))
async def coming_soon(message: Message, user: User, centre: CentreConfig) -> None:
    await message.answer(
        _("这个功能正在准备中，很快就能用。\n有事可以先打中心电话：{phone}").format(
            phone=centre.centre.phone
        ),
        reply_markup=main_menu_keyboard(user),
    )
