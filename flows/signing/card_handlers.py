"""📝 签约 from the resident's side: the family doctor card when signed (renew, change of
doctor, cancel), else an invitation to sign; the packages to browse. Registered in order by
flows/signing/router.py."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.buttons import main_menu_keyboard
from flows.packages.service import package_by_id
from flows.routes import Nudge
from flows.signing import keyboards as kb
from flows.signing.callbacks import CardAction, PackageInfo
from flows.signing.change_handlers import offer_other_doctors
from flows.signing.screens import open_signing_for, show_card_or_intro, show_packages
from flows.signing.service import AlreadyCovered, SigningProblem, SigningService, StateChanged
from flows.signing.texts import package_details, problem_text
from flows.signing.wizard_handlers import start_signing
from flows.texts import format_date
from nlu.intents import Intent
from storage.models import ContractState, User


async def open_signing(
    message: Message, user: User, state: FSMContext, signing: SigningService,
    centre: CentreConfig,
) -> None:  # fmt: skip
    await state.clear()
    await open_signing_for(Intent.SIGN_CONTRACT, message, user, signing, centre)


async def card_action(
    query: CallbackQuery, callback_data: CardAction, user: User, state: FSMContext,
    signing: SigningService, centre: CentreConfig, nudge: Nudge,
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
            await show_card_or_intro(message, user, signing)
        elif action == "more":
            await query.answer()
            await show_card_or_intro(message, user, signing, edit=True, full=True)
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
