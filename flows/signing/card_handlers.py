"""📝 签约 from the resident's side: the family doctor card when signed (renew, change of
doctor, cancel), else an invitation to sign; the packages to browse. Registered in order by
flows/signing/router.py."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from flows.centre import CentreConfig
from flows.menu.buttons import main_menu_keyboard
from flows.packages.service import package_by_id
from flows.routes import Nudge
from flows.signing import keyboards as kb
from flows.signing.callbacks import CardAction, PackageInfo
from flows.signing.card_texts import card_text
from flows.signing.cards import build_card
from flows.signing.change_handlers import offer_other_doctors
from flows.signing.service import AlreadyCovered, SigningProblem, SigningService, StateChanged
from flows.signing.texts import package_details, problem_text
from flows.signing.wizard_handlers import start_signing
from flows.texts import format_date
from storage.models import ContractState, User


async def open_signing(
    message: Message, user: User, state: FSMContext, signing: SigningService,
    session: AsyncSession, centre: CentreConfig,
) -> None:  # fmt: skip
    await state.clear()
    await open_signing_for("sign_contract", message, user, signing, session, centre)


async def open_signing_for(
    intent: str, message: Message, user: User, signing: SigningService,
    session: AsyncSession, centre: CentreConfig,
) -> None:  # fmt: skip
    """What a typed wish about signing leads to (NLU): the packages, or the card with its
    renew / change / cancel buttons, or the invitation to sign."""
    if user.role.is_staff:
        await message.answer(_("签约是给居民用的。请用「📋 待办」看签约申请。"),
                             reply_markup=main_menu_keyboard(user))  # fmt: skip
    elif intent == "ask_packages":
        await show_packages(message, user, signing, centre)
    else:
        # "取消签约" / "我的医生是谁" with nothing signed: say so before inviting.
        await show_card_or_intro(message, user, signing, session, centre,
                                 say_unsigned=intent != "sign_contract")  # fmt: skip


async def show_packages(
    message: Message, user: User, signing: SigningService, centre: CentreConfig
) -> None:
    signed = await signing.current(user) is not None
    await message.answer(_("服务包一览（点名字看详情）："),
                         reply_markup=kb.packages_keyboard(centre, signed))  # fmt: skip


async def show_card_or_intro(
    message: Message, user: User, signing: SigningService, session: AsyncSession,
    centre: CentreConfig, *, edit: bool = False, say_unsigned: bool = False, full: bool = False,
) -> None:  # fmt: skip
    """The card's three-line summary with "更多" (`full`: the whole card), or the invitation."""
    contract = await signing.current(user)
    if contract is None:
        if say_unsigned:
            await message.answer(_("您现在还没有签约家庭医生。"))
        text = _(
            "签个家庭医生吧！\n\n"
            "签约后，您有自己的医生团队：优先预约、随访提醒、慢病长处方、有事直接问。\n"
            "基础服务包免费。"
        )
        await _show(message, text, kb.intro_keyboard(), edit)
        return
    card = await build_card(session, centre, contract, signing.today())
    text = card_text(card, full=full)
    if contract.state is ContractState.REQUESTED:
        text += "\n\n" + _("医生审核后会发消息告诉您。")
        await _show(message, text, kb.pending_keyboard(contract.id, full), edit)
        return
    change = await signing.pending_change(contract)
    if change is not None:
        doctor = centre.staff(change.staff_id)
        text += "\n\n" + _("正在申请换到 {name} 医生，等医生同意。").format(
            name=doctor.name if doctor else ""
        )
    renewable = signing.today() >= signing.renewable_from(contract) and change is None
    change_id = change.id if change is not None else None
    await _show(message, text, kb.card_keyboard(contract, renewable, change_id, full), edit)


async def _show(message: Message, text: str, markup: InlineKeyboardMarkup, edit: bool) -> None:
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


async def card_action(
    query: CallbackQuery, callback_data: CardAction, user: User, state: FSMContext,
    signing: SigningService, session: AsyncSession, centre: CentreConfig, nudge: Nudge,
) -> None:  # fmt: skip
    message = query.message
    if not isinstance(message, Message) or user.role.is_staff or user.resident is None:
        await query.answer(_("这个按钮不是给您的。"))
        return
    action = callback_data.action
    try:
        if action == "card":
            await query.answer()
            await state.clear()
            await show_card_or_intro(message, user, signing, session, centre)
        elif action == "more":
            await query.answer()
            await show_card_or_intro(message, user, signing, session, centre, edit=True,
                                     full=True)  # fmt: skip
        elif action == "packages":
            await query.answer()
            await show_packages(message, user, signing, centre)
        elif action == "start":
            await query.answer()
            await message.edit_reply_markup(reply_markup=None)  # one way on: the wizard's
            await start_signing(message, user, state, signing)
        elif action == "waitlist":
            try:
                await signing.join_waitlist(user)
            except AlreadyCovered:
                await query.answer(_("您家已经签约或正在申请中，不用排队。"), show_alert=True)
                return
            await query.answer()
            await state.clear()
            await message.answer(
                _("已帮您排上队。有医生空出名额，会第一时间发消息告诉您。"),
                reply_markup=main_menu_keyboard(user),
            )
        elif action == "renew":
            new = await signing.renew(user)
            nudge()
            await query.answer(_("续约成功"))
            assert new.ends_on is not None
            await message.answer(
                _("🔄 续约成功！服务到 {end}，医生和服务包都不变。").format(
                    end=format_date(new.ends_on)
                ),
                reply_markup=kb.card_link_keyboard(),
            )
        elif action == "change":
            await query.answer()
            await offer_other_doctors(message, user, signing)
        elif action == "cancel":
            contract = await signing.current(user)
            if contract is None or contract.state is not ContractState.ACTIVE:
                raise StateChanged
            await query.answer()
            await message.answer(_("要解约吗？请告诉我们原因："),
                                 reply_markup=kb.cancel_reasons_keyboard(contract.id))  # fmt: skip
        else:
            await query.answer(_("这个按钮已经不能用了。"))
    except SigningProblem as problem:
        await query.answer(problem_text(problem, centre), show_alert=True)


async def package_info(
    query: CallbackQuery, callback_data: PackageInfo, centre: CentreConfig
) -> None:
    package = package_by_id(centre, callback_data.package_id)
    if package is None or not isinstance(query.message, Message):
        await query.answer(_("这个按钮已经不能用了。"))
        return
    await query.answer()
    await query.message.answer(package_details(package), reply_markup=kb.package_back_keyboard())
