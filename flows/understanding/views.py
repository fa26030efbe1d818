"""The words and buttons of free-text understanding: a clarifying question's choices, the
offer to send the words to the doctor."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from flows.catalogue import N_
from flows.menu.callbacks import BackToMenu
from nlu.intents import Intent

# What the resident wants, in the words a clarifying button shows (every one of
# flows.understanding.service.OFFERED has one; tests/unit/test_understanding_rules.py checks).
INTENT_LABELS: dict[Intent, str] = {
    Intent.SIGN_CONTRACT: N_("签约家庭医生"),
    Intent.RENEW_CONTRACT: N_("续约"),
    Intent.CANCEL_CONTRACT: N_("解约"),
    Intent.CHANGE_DOCTOR: N_("换医生"),
    Intent.CONTRACT_STATUS: N_("查签约"),
    Intent.ASK_PACKAGES: N_("看服务包"),
    Intent.MY_DOCTOR: N_("我的医生"),
    Intent.BOOK_APPOINTMENT: N_("预约看病"),
    Intent.CANCEL_APPOINTMENT: N_("取消预约"),
    Intent.RESCHEDULE_APPOINTMENT: N_("改预约时间"),
    Intent.MY_APPOINTMENTS: N_("我的预约"),
    Intent.ASK_DOCTOR: N_("问医生"),
    Intent.REPORT_MEASUREMENT: N_("记血压血糖"),
    Intent.MEDICATION_TAKEN: N_("已经吃药"),
    Intent.MEDICATION_SKIPPED: N_("没吃药"),
    Intent.MEDICATION_SNOOZE: N_("等会儿提醒"),
    Intent.SET_MEDICATION_REMINDER: N_("设吃药提醒"),
    Intent.MY_MEDICATIONS: N_("我的药"),
    Intent.REQUEST_HOME_VISIT: N_("上门服务"),
    Intent.REQUEST_REFERRAL: N_("转诊"),
    Intent.LINK_FAMILY: N_("绑定家人"),
    Intent.EXPORT_MY_DATA: N_("导出我的资料"),
    Intent.DELETE_MY_DATA: N_("删除我的资料"),
    Intent.FEEDBACK: N_("提意见"),
    Intent.HELP: N_("帮助"),
    Intent.CHANGE_LANGUAGE: N_("换语言"),
}
NONE_OF_THESE = "none"


class PickIntent(CallbackData, prefix="nlu"):
    intent: str  # an Intent, or NONE_OF_THESE


class SendToDoctor(CallbackData, prefix="ask"):
    send: bool


def clarify_keyboard(intents: tuple[Intent, ...]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(text=_(INTENT_LABELS[i]), callback_data=PickIntent(intent=i).pack())]
        for i in intents
    ]
    none = PickIntent(intent=NONE_OF_THESE).pack()
    rows.append([InlineKeyboardButton(text=_("都不是"), callback_data=none)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def send_to_doctor_keyboard(decline: str) -> InlineKeyboardMarkup:
    send = InlineKeyboardButton(
        text=_("📨 发给我的医生"), callback_data=SendToDoctor(send=True).pack()
    )
    back = InlineKeyboardButton(text=decline, callback_data=BackToMenu().pack())
    return InlineKeyboardMarkup(inline_keyboard=[[send], [back]])
