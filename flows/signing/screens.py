"""The screens that open signing: the family doctor card (with renew, change of doctor and
cancel), the invitation to sign, the packages. Shown by 📝 签约 and by a typed wish about
signing (flows/understanding), so they live here rather than in a router."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.buttons import main_menu_keyboard
from flows.signing import keyboards as kb
from flows.signing.card_texts import card_text
from flows.signing.service import SigningService
from nlu.intents import Intent
from storage.models import User


async def open_signing_for(
    intent: Intent, message: Message, user: User, signing: SigningService, centre: CentreConfig
) -> None:
    """What a wish about signing leads to: the packages, or the card with its renew /
    change / cancel buttons, or the invitation to sign."""
    if user.role.is_staff:
        await message.answer(_("签约是给居民用的。请用「📋 待办」看签约申请。"),
                             reply_markup=main_menu_keyboard(user))  # fmt: skip
    elif intent is Intent.ASK_PACKAGES:
        await show_packages(message, user, signing, centre)
    else:
        # "取消签约" / "我的医生是谁" with nothing signed: say so before inviting.
        await show_card_or_intro(message, user, signing,
                                 say_unsigned=intent is not Intent.SIGN_CONTRACT)  # fmt: skip


async def show_packages(
    message: Message, user: User, signing: SigningService, centre: CentreConfig
) -> None:
    signed = await signing.current(user) is not None
    await message.answer(_("服务包一览（点名字看详情）："),
                         reply_markup=kb.packages_keyboard(centre, signed))  # fmt: skip


async def show_card_or_intro(
    message: Message, user: User, signing: SigningService, *, edit: bool = False,
    say_unsigned: bool = False, full: bool = False,
) -> None:  # fmt: skip
    """The card's three-line summary with "更多" (`full`: the whole card), or the invitation."""
    view = await signing.card_view(user)
    if view is None:
        if say_unsigned:
            await message.answer(_("您现在还没有签约家庭医生。"))
        text = _(
            "签个家庭医生吧！\n\n"
            "签约后，您有自己的医生团队：优先预约、随访提醒、慢病长处方、有事直接问。\n"
            "基础服务包免费。"
        )
        await _show(message, text, kb.intro_keyboard(), edit)
        return
    text = card_text(view.card, full=full)
    if view.requested:
        text += "\n\n" + _("医生审核后会发消息告诉您。")
        await _show(message, text, kb.pending_keyboard(view.card.contract_id, full), edit)
        return
    if view.changing_to is not None:
        text += "\n\n" + _("正在申请换到 {name} 医生，等医生同意。").format(name=view.changing_to)
    markup = kb.card_keyboard(view.renewable, view.change_id, full)
    await _show(message, text, markup, edit)


async def _show(message: Message, text: str, markup: InlineKeyboardMarkup, edit: bool) -> None:
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)
