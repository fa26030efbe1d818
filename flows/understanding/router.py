"""Free text from registered users, after red-flag triage (emergency.py) has let it pass: Rasa's
reading of the words opens the slice that owns them, or one clarifying question is asked.
What a reading leads to is the service's rule (interpret, destination_of); this only answers."""

from __future__ import annotations

import logging

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.buttons import main_menu_keyboard
from flows.menu.screens import show_help
from flows.routes import SliceRoutes
from flows.settings.keyboards import language_keyboard
from flows.signing.screens import open_signing_for
from flows.signing.service import SigningService
from flows.texts import LANGUAGE_PROMPT
from flows.understanding.emergency import respond_to_emergency
from flows.understanding.service import Next, UnderstandingService, destination_of, interpret
from flows.understanding.views import (
    PickIntent,
    SendToDoctor,
    clarify_keyboard,
    send_to_doctor_keyboard,
)
from nlu.client import NluClient
from nlu.intents import Intent, intent_of
from nlu.triage import TriageResult
from storage.models import User

log = logging.getLogger(__name__)
routes = SliceRoutes("understanding")

PENDING_TEXT = "pending_question"


@routes.message(F.text, ~F.text.startswith("/"))
async def understand(
    message: Message,
    user: User,
    state: FSMContext,
    understanding: UnderstandingService,
    centre: CentreConfig,
    bot: Bot,
    i18n: I18n,
    signing: SigningService,
    nlu: NluClient | None = None,
) -> None:
    text = message.text or ""
    reading = interpret(await nlu.parse(text) if nlu is not None else None)
    if reading.intent is not None:
        await act_on(reading.intent, message, user, state, understanding, centre, bot, i18n,
                     text, signing=signing)  # fmt: skip
    elif reading.choices:
        await message.answer(
            _("您是想办下面哪件事？"), reply_markup=clarify_keyboard(reading.choices)
        )
        await state.update_data(**{PENDING_TEXT: text})
    else:
        await not_understood(message, state, text)


@routes.callback_query(PickIntent.filter())
async def picked_intent(
    query: CallbackQuery,
    callback_data: PickIntent,
    user: User,
    state: FSMContext,
    understanding: UnderstandingService,
    centre: CentreConfig,
    bot: Bot,
    i18n: I18n,
    signing: SigningService,
) -> None:
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    if message.reply_markup is not None:
        await message.edit_reply_markup(reply_markup=None)
    text = str((await state.get_data()).get(PENDING_TEXT, ""))
    intent = intent_of(callback_data.intent)
    if intent is None:  # 都不是, or an old button
        await not_understood(message, state, text)
        return
    await act_on(intent, message, user, state, understanding, centre, bot, i18n, text,
                 signing=signing)  # fmt: skip


async def not_understood(message: Message, state: FSMContext, text: str) -> None:
    """Out of scope, or NLU down: the menu, and the offer to send the words to the doctor."""
    await state.update_data(**{PENDING_TEXT: text})
    await message.answer(
        _("我没太明白您的意思。\n您可以点下面菜单里的按钮，也可以把这句话发给您的医生。"),
        reply_markup=send_to_doctor_keyboard(_("🏠 回主菜单")),
    )


@routes.callback_query(SendToDoctor.filter())
async def send_to_doctor(
    query: CallbackQuery,
    callback_data: SendToDoctor,
    user: User,
    state: FSMContext,
    understanding: UnderstandingService,
    centre: CentreConfig,
) -> None:
    message = query.message
    data = await state.get_data()
    text = str(data.get(PENDING_TEXT) or "").strip()
    if not callback_data.send or not text or not isinstance(message, Message):
        await query.answer(_("这个按钮已经不能用了，请点最新消息里的按钮。"))
        return
    await query.answer()
    if message.reply_markup is not None:
        await message.edit_reply_markup(reply_markup=None)
    question = await understanding.send_to_doctor(user, text)
    await state.update_data(**{PENDING_TEXT: None})
    if question is None:
        await message.answer(
            _("请先完成登记，再给医生留言。"), reply_markup=main_menu_keyboard(user)
        )
        return
    hours = centre.reply_targets.question_hours
    await message.answer(
        _("已发给您的家庭医生团队，一般 {hours} 小时内回复您。").format(hours=f"{hours:g}"),
        reply_markup=main_menu_keyboard(user),
    )


async def act_on(
    intent: Intent,
    message: Message,
    user: User,
    state: FSMContext,
    understanding: UnderstandingService,
    centre: CentreConfig,
    bot: Bot,
    i18n: I18n,
    text: str,
    *,
    signing: SigningService,
) -> None:
    menu = main_menu_keyboard(user)
    destination = destination_of(intent)
    step = destination.next
    if step is Next.EMERGENCY:  # Rasa heard an emergency triage's patterns missed: same answer
        result = TriageResult(red_flag=True, categories=("distress",))
        await respond_to_emergency(message, result, user, understanding, centre, bot, i18n)
    elif step is Next.GREETING:
        await message.answer(_("您好！请问要办什么事？点下面的按钮就行。"), reply_markup=menu)
    elif step is Next.GOODBYE:
        await message.answer(_("再见，祝您身体健康！"), reply_markup=menu)
    elif step is Next.THANKS:
        await message.answer(_("不客气！有需要随时找我。"), reply_markup=menu)
    elif step is Next.HELP:
        await show_help(message, user, centre)
    elif step is Next.LANGUAGE:
        await message.answer(LANGUAGE_PROMPT, reply_markup=language_keyboard())
    elif step is Next.ASK_DOCTOR:
        await state.update_data(**{PENDING_TEXT: text})
        await message.answer(
            _("要把这句话发给您的家庭医生吗？"), reply_markup=send_to_doctor_keyboard(_("不用了"))
        )
    elif step is Next.SIGNING:
        await open_signing_for(intent, message, user, signing, centre)
    elif step is Next.COMING_SOON and destination.feature is not None:
        await message.answer(
            _("{feature}功能正在准备中，很快就能用。\n有急事可以先打中心电话：{phone}").format(
                feature=_(destination.feature), phone=centre.centre.phone
            ),
            reply_markup=menu,
        )
    else:
        await not_understood(message, state, text)
