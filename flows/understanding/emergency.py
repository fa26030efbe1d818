"""Red flags come first, for everyone, in any conversation state, on texts, edits and captions
alike: someone typing 胸口疼得厉害 at the name question must hear "call 120", not be registered
as a name. Then their care team is alerted."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.callbacks import BackToMenu
from flows.routes import SliceRoutes
from flows.texts import join_list
from flows.understanding.red_flags import CATEGORY_NAMES, first_aid_for
from flows.understanding.service import RED_FLAG_ALERT, UnderstandingService
from nlu.triage import TriageResult, assess
from storage.models import User

log = logging.getLogger(__name__)
triage_routes = SliceRoutes("triage")


class ShowEmergencyNumber(CallbackData, prefix="sos"):
    pass


class RedFlag(Filter):
    """Matches words that triage reads as an emergency, in a text, an edited text or the
    caption of a photo, file or video; hands the result on. (Filters run before the services
    exist, so this one works from the centre's thresholds alone.)"""

    async def __call__(
        self, message: Message, centre: CentreConfig
    ) -> bool | dict[str, TriageResult]:
        words = message.text or message.caption
        if not words or words.startswith("/"):
            return False
        result = assess(words, centre.triage)
        return {"triage": result} if result.red_flag else False


def emergency_keyboard(centre: CentreConfig, *, with_menu: bool) -> InlineKeyboardMarkup:
    """The number, and the way back to the menu for someone who has one (someone still
    registering carries on with the question they were at)."""
    number = centre.centre.emergency_number
    rows = [[InlineKeyboardButton(text=_("📞 急救电话 {number}").format(number=number),
                                  callback_data=ShowEmergencyNumber().pack())]]  # fmt: skip
    if with_menu:
        rows.append(
            [InlineKeyboardButton(text=_("🏠 回主菜单"), callback_data=BackToMenu().pack())]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


@triage_routes.message(RedFlag())
@triage_routes.edited_message(RedFlag())
async def respond_to_emergency(
    message: Message,
    triage: TriageResult,
    user: User,
    understanding: UnderstandingService,
    centre: CentreConfig,
    bot: Bot,
    i18n: I18n,
) -> None:
    """First the person is told to call 120, then their care team is alerted."""
    number = centre.centre.emergency_number
    warning = _(
        "⚠️ 您说的情况可能很危险。\n"
        "请马上拨打 {number} 急救电话！\n\n"
        "身边有人的话，请他们帮您打电话、打开家门。"
    ).format(number=number)
    first_aid = first_aid_for(triage.categories)
    if first_aid is not None:
        warning += "\n\n" + _("等救护车时：{advice}").format(advice=_(first_aid))
    keyboard = emergency_keyboard(centre, with_menu=user.is_onboarded)
    await message.answer(warning, reply_markup=keyboard)
    await understanding.record_red_flag(user, triage)
    alert = await understanding.red_flag_alert(
        user, message_id=message.message_id, words=message.text or message.caption or ""
    )
    if not alert.recipients:
        return
    for member in alert.recipients:
        locale = member.language or centre.centre.default_language
        reasons = [i18n.gettext(CATEGORY_NAMES.get(c, c), locale=locale) for c in triage.categories]
        values = {**alert.values, "reasons": join_list(reasons)}
        try:
            await bot.send_message(
                member.telegram_id, i18n.gettext(RED_FLAG_ALERT, locale=locale).format(**values)
            )
        except Exception as exc:
            log.warning("red-flag alert not sent at once (%s): queued", type(exc).__name__)
            await understanding.retry_alert_later(member, values, alert=alert.key)
    await message.answer(_("已通知您的家庭医生团队。"))


@triage_routes.callback_query(ShowEmergencyNumber.filter())
async def show_emergency_number(query: CallbackQuery, centre: CentreConfig) -> None:
    await query.answer(
        _("急救电话：{number}").format(number=centre.centre.emergency_number), show_alert=True
    )
