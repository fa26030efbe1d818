"""Free text from registered users, after red-flag triage (emergency.py) has let it pass: Rasa's
reading of the words opens the slice that owns them, or one clarifying question is asked."""

from __future__ import annotations

import logging

from aiogram import Bot, F
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from flows.centre import CentreConfig
from flows.menu.buttons import main_menu_keyboard
from flows.menu.callbacks import BackToMenu
from flows.menu.router import show_help
from flows.routes import SliceRoutes
from flows.settings.router import language_keyboard
from flows.signing.router import open_signing_for
from flows.signing.service import SigningService
from flows.texts import LANGUAGE_PROMPT, N_
from flows.understanding.emergency import respond_to_emergency
from flows.understanding.service import UnderstandingService
from nlu.client import NluClient, Understanding
from nlu.triage import TriageResult
from storage.models import User

log = logging.getLogger(__name__)
routes = SliceRoutes("understanding")

CONFIDENT = 0.6  # below this, ask one clarifying question instead of guessing
CLARIFY_FLOOR = 0.15  # intents below this are not offered as choices
PENDING_TEXT = "pending_question"

# What the resident wants, in the words a clarifying button shows, and the feature it needs.
INTENT_LABELS = {
    "sign_contract": N_("签约家庭医生"),
    "renew_contract": N_("续约"),
    "cancel_contract": N_("解约"),
    "change_doctor": N_("换医生"),
    "contract_status": N_("查签约"),
    "ask_packages": N_("看服务包"),
    "my_doctor": N_("我的医生"),
    "book_appointment": N_("预约看病"),
    "cancel_appointment": N_("取消预约"),
    "reschedule_appointment": N_("改预约时间"),
    "my_appointments": N_("我的预约"),
    "ask_doctor": N_("问医生"),
    "report_measurement": N_("记血压血糖"),
    "medication_taken": N_("已经吃药"),
    "medication_skipped": N_("没吃药"),
    "medication_snooze": N_("等会儿提醒"),
    "set_medication_reminder": N_("设吃药提醒"),
    "my_medications": N_("我的药"),
    "request_home_visit": N_("上门服务"),
    "request_referral": N_("转诊"),
    "link_family": N_("绑定家人"),
    "export_my_data": N_("导出我的资料"),
    "delete_my_data": N_("删除我的资料"),
    "feedback": N_("提意见"),
    "help": N_("帮助"),
    "change_language": N_("换语言"),
}


class PickIntent(CallbackData, prefix="nlu"):
    intent: str


class SendToDoctor(CallbackData, prefix="ask"):
    send: bool


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
    session: AsyncSession,
    nlu: NluClient | None = None,
) -> None:
    text = message.text or ""
    reading = await nlu.parse(text) if nlu is not None else None
    if reading is None or reading.intent == "out_of_scope":
        await not_understood(message, state, text)
        return
    if reading.confidence < CONFIDENT or reading.intent == "nlu_fallback":
        choices = _choices(reading)
        if choices:
            await message.answer(_("您是想办下面哪件事？"), reply_markup=_clarify_keyboard(choices))
            await state.update_data(**{PENDING_TEXT: text})
            return
        await not_understood(message, state, text)
        return
    await act_on(reading.intent, message, user, state, understanding, centre, bot, i18n, text,
                 signing=signing, session=session)  # fmt: skip


def _choices(reading: Understanding | None) -> list[str]:
    if reading is None:
        return []
    ranked = [name for name, score in reading.ranking if score >= CLARIFY_FLOOR]
    return [name for name in ranked if name in INTENT_LABELS][:3]


def _clarify_keyboard(intents: list[str]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(text=_(INTENT_LABELS[i]), callback_data=PickIntent(intent=i).pack())]
        for i in intents
    ]
    rows.append(
        [InlineKeyboardButton(text=_("都不是"), callback_data=PickIntent(intent="none").pack())]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


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
    session: AsyncSession,
) -> None:
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    if message.reply_markup is not None:
        await message.edit_reply_markup(reply_markup=None)
    text = str((await state.get_data()).get(PENDING_TEXT, ""))
    if callback_data.intent not in INTENT_LABELS:
        await not_understood(message, state, text)
        return
    await act_on(callback_data.intent, message, user, state, understanding, centre, bot, i18n, text,
                 signing=signing, session=session)  # fmt: skip


async def not_understood(message: Message, state: FSMContext, text: str) -> None:
    """Out of scope, or NLU down: the menu, and the offer to send the words to the doctor."""
    await state.update_data(**{PENDING_TEXT: text})
    await message.answer(
        _("我没太明白您的意思。\n您可以点下面菜单里的按钮，也可以把这句话发给您的医生。"),
        reply_markup=send_to_doctor_keyboard(_("🏠 回主菜单")),
    )


def send_to_doctor_keyboard(decline: str) -> InlineKeyboardMarkup:
    send = InlineKeyboardButton(
        text=_("📨 发给我的医生"), callback_data=SendToDoctor(send=True).pack()
    )
    back = InlineKeyboardButton(text=decline, callback_data=BackToMenu().pack())
    return InlineKeyboardMarkup(inline_keyboard=[[send], [back]])


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


# What a recognised wish leads to. Slices that exist answer for themselves; for the rest the
# resident hears, kindly, that it is coming, and what to do meanwhile.
SIGNING_INTENTS = (
    "sign_contract",
    "renew_contract",
    "cancel_contract",
    "change_doctor",
    "contract_status",
    "ask_packages",
    "my_doctor",
)
FEATURE_OF = {
    **dict.fromkeys(("book_appointment", "cancel_appointment", "reschedule_appointment",
                     "my_appointments", "request_home_visit", "request_referral"), N_("预约")),
    **dict.fromkeys(("medication_taken", "medication_skipped", "medication_snooze",
                     "set_medication_reminder", "my_medications"), N_("用药提醒")),
    "report_measurement": N_("记录血压血糖"),
    "link_family": N_("家人绑定"),
    "export_my_data": N_("导出资料"),
    "delete_my_data": N_("删除资料"),
    "feedback": N_("意见反馈"),
}  # fmt: skip


async def act_on(
    intent: str,
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
    session: AsyncSession,
) -> None:
    menu = main_menu_keyboard(user)
    if intent == "emergency":  # Rasa heard an emergency triage's patterns missed: same answer
        result = TriageResult(red_flag=True, categories=("distress",))
        await respond_to_emergency(message, result, user, understanding, centre, bot, i18n)
    elif intent == "greet":
        await message.answer(_("您好！请问要办什么事？点下面的按钮就行。"), reply_markup=menu)
    elif intent == "goodbye":
        await message.answer(_("再见，祝您身体健康！"), reply_markup=menu)
    elif intent == "thanks":
        await message.answer(_("不客气！有需要随时找我。"), reply_markup=menu)
    elif intent == "help":
        await show_help(message, user, centre)
    elif intent == "change_language":
        await message.answer(LANGUAGE_PROMPT, reply_markup=language_keyboard())
    elif intent == "ask_doctor":
        await state.update_data(**{PENDING_TEXT: text})
        await message.answer(
            _("要把这句话发给您的家庭医生吗？"), reply_markup=send_to_doctor_keyboard(_("不用了"))
        )
    elif intent in SIGNING_INTENTS:
        await open_signing_for(intent, message, user, signing, session, centre)
    elif intent in FEATURE_OF:
        await message.answer(
            _("{feature}功能正在准备中，很快就能用。\n有急事可以先打中心电话：{phone}").format(
                feature=_(FEATURE_OF[intent]), phone=centre.centre.phone
            ),
            reply_markup=menu,
        )
    else:
        await not_understood(message, state, text)
