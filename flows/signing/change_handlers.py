"""Leaving the current doctor from the resident's side: asking to change to another
family doctor (who must agree), cancelling the contract with a reason, and taking back a
request not yet decided; each asks "sure?" first. Registered in order by
flows/signing/router.py."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.buttons import main_menu_keyboard
from flows.routes import Nudge
from flows.signing import keyboards as kb
from flows.signing.callbacks import CancelWhy, ChangeTo, Withdraw
from flows.signing.reasons import CANCEL_REASONS
from flows.signing.service import SigningProblem, SigningService
from flows.signing.texts import doctor_card, problem_text
from storage.models import ContractState, User


async def offer_other_doctors(message: Message, user: User, signing: SigningService) -> None:
    contract = await signing.current(user)
    if contract is None or contract.state is not ContractState.ACTIVE:
        await message.answer(_("还没有签约，不用换。"), reply_markup=kb.card_link_keyboard())
        return
    choices = await signing.doctor_choices(user, len(contract.members))
    others = [c for c in choices.offered if c.staff_id != contract.staff_id]
    if not others:
        await message.answer(_("现在别的医生名额都满了，暂时换不了。"),
                             reply_markup=kb.card_link_keyboard())  # fmt: skip
        return
    await message.answer(_("想换哪位医生？换好之前，现在的医生照常服务。"),
                         reply_markup=kb.change_keyboard(others, contract.id))  # fmt: skip


async def change_doctor(
    query: CallbackQuery, callback_data: ChangeTo, user: User, signing: SigningService,
    centre: CentreConfig, nudge: Nudge,
) -> None:  # fmt: skip
    message = query.message
    doctor = centre.staff(callback_data.staff_id)
    if not isinstance(message, Message) or user.role.is_staff or doctor is None:
        await query.answer(_("这个按钮已经不能用了。"))
        return
    if not callback_data.sure:
        await query.answer()
        await message.edit_text(
            doctor_card(doctor.id, centre)
            + "\n\n"
            + _("确定要换到 {name} 医生吗？对方同意后生效。").format(name=doctor.name),
            reply_markup=kb.change_sure_keyboard(doctor.id, callback_data.contract_id),
        )
        return
    try:
        await signing.request_change(user, doctor.id, callback_data.contract_id)
    except SigningProblem as problem:
        await query.answer(problem_text(problem, centre), show_alert=True)
        return
    nudge()
    await query.answer()
    await message.edit_text(
        _("已申请换到 {name} 医生。对方同意后会告诉您，之前现在的医生照常服务。").format(
            name=doctor.name
        ),
        reply_markup=kb.card_link_keyboard(),
    )


async def cancel_contract(
    query: CallbackQuery, callback_data: CancelWhy, user: User, signing: SigningService,
    centre: CentreConfig, nudge: Nudge,
) -> None:  # fmt: skip
    message = query.message
    reason = callback_data.reason
    if (
        not isinstance(message, Message)
        or user.role.is_staff
        or not CANCEL_REASONS.may_choose(reason)
    ):
        await query.answer(_("这个按钮已经不能用了。"))
        return
    if not callback_data.sure:
        await query.answer()
        await message.edit_text(
            _("原因：{reason}\n确定要解约吗？解约后医生团队不再为您提供签约服务。").format(
                reason=_(CANCEL_REASONS.label(reason))
            ),
            reply_markup=kb.cancel_sure_keyboard(reason, callback_data.contract_id),
        )
        return
    try:
        await signing.cancel(user, reason, callback_data.contract_id)
    except SigningProblem as problem:
        await query.answer(problem_text(problem, centre), show_alert=True)
        return
    nudge()
    await query.answer()
    await message.edit_text(_("已解约。以后想签，随时点「📝 签约」。"))
    await message.answer(_("请选择要办的事："), reply_markup=main_menu_keyboard(user))


async def withdraw_request(
    query: CallbackQuery, callback_data: Withdraw, user: User, signing: SigningService,
    centre: CentreConfig, nudge: Nudge,
) -> None:  # fmt: skip
    message = query.message
    if not isinstance(message, Message) or user.role.is_staff:
        await query.answer(_("这个按钮已经不能用了。"))
        return
    if not callback_data.sure:
        await query.answer()
        await message.edit_text(
            _("要撤回这个申请吗？撤回后医生就不用审核了。以后想签，可以再申请。"),
            reply_markup=kb.withdraw_sure_keyboard(callback_data.contract_id),
        )
        return
    try:
        withdrawn = await signing.withdraw(user, callback_data.contract_id)
    except SigningProblem as problem:
        await query.answer(problem_text(problem, centre), show_alert=True)
        return
    nudge()  # a freed place may go to a household waiting for one
    await query.answer(_("已撤回申请"))
    if withdrawn.replaces_id is not None:
        await message.edit_text(_("已撤回换医生的申请，现在的医生照常为您服务。"),
                                reply_markup=kb.card_link_keyboard())  # fmt: skip
        return
    await message.edit_text(_("已撤回签约申请。想签的时候，再点「📝 签约」。"))
    await message.answer(_("请选择要办的事："), reply_markup=main_menu_keyboard(user))
