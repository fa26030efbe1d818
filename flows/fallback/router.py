"""Last in line: whatever no slice took. Never silence, never a crash, never another's data."""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from flows.menu.buttons import main_menu_keyboard
from flows.onboarding.keyboards import resume_keyboard
from flows.routes import SliceRoutes
from storage.models import User

routes = SliceRoutes("fallback")


@routes.message(F.text)
async def unhandled_text(message: Message, user: User) -> None:
    if not user.is_onboarded:
        await message.answer(
            _("您好！先花一分钟登记一下，就能找家庭医生了。"), reply_markup=resume_keyboard()
        )
        return
    await message.answer(
        _("我没太明白您的意思。请点下面的按钮选择要办的事。"),
        reply_markup=main_menu_keyboard(user),
    )


@routes.message()
async def unhandled_media(message: Message, user: User) -> None:
    """Stickers, photos, voice, files, locations…: the bot reads text and buttons only."""
    markup = main_menu_keyboard(user) if user.is_onboarded else resume_keyboard()
    await message.answer(
        _("我现在只能看懂文字和按钮。请打字，或点下面的按钮。"), reply_markup=markup
    )


@routes.callback_query()
async def unknown_button(query: CallbackQuery) -> None:
    """Buttons from old messages, other bots' formats, or forged data."""
    await query.answer(_("这个按钮已经不能用了，请点最新消息里的按钮。"))


@routes.edited_message()
async def edited_message(message: Message) -> None:
    """Edits of old messages are not new requests: ignored on purpose."""
