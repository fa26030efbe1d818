"""A doctor declining a request in their own words: "✏️ 自己写原因" → they type it → they
see it once more and send it (or rewrite it). The words go to the resident as written.
Called from flows/signing/review_router.py, where the handlers are registered."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.buttons import main_menu_keyboard
from flows.routes import Nudge
from flows.signing import staff_keyboards as skb
from flows.signing.reasons import WRITTEN
from flows.signing.service import NOTE_MAX, SigningProblem, SigningService, reason_note
from flows.signing.texts import problem_text
from storage.models import User


class Declining(StatesGroup):
    reason = State()  # data: contract_id, and the note once typed


async def ask_written_reason(message: Message, state: FSMContext, contract_id: int) -> None:
    await state.set_state(Declining.reason)
    await state.set_data({"contract_id": contract_id})
    await message.answer(
        _("请打字写一下不同意的原因，一两句话就行。居民会看到这段话。"),
        reply_markup=skb.back_to_request_keyboard(contract_id),
    )


async def typed_reason(message: Message, state: FSMContext) -> None:
    """The doctor typed their reason: shown back once before it is sent."""
    data = await state.get_data()
    contract_id = int(data.get("contract_id", 0))
    note = reason_note(message.text)
    if note is None:
        await message.answer(
            _("请用一两句话写原因（{n} 字以内）。").format(n=NOTE_MAX),
            reply_markup=skb.back_to_request_keyboard(contract_id),
        )
        return
    await state.update_data(note=note)
    await message.answer(
        _("您写的原因：\n{note}\n\n确定不同意，并把这段话发给居民吗？").format(note=note),
        reply_markup=skb.send_written_reason_keyboard(contract_id),
    )


async def send_written_reason(
    query: CallbackQuery, message: Message, user: User, state: FSMContext,
    signing: SigningService, centre: CentreConfig, contract_id: int, nudge: Nudge,
) -> None:  # fmt: skip
    data = await state.get_data()
    note = data.get("note")
    if await state.get_state() != Declining.reason.state or data.get("contract_id") != contract_id:
        await query.answer(_("这个按钮已经不能用了。"))
        return
    try:
        await signing.reject(user, contract_id, WRITTEN, note=note)
    except SigningProblem as problem:
        await state.clear()
        await query.answer(problem_text(problem, centre), show_alert=True)
        return
    await state.clear()
    nudge()
    await query.answer(_("已回复居民"))
    await message.edit_text(_("❌ 没有同意。您写的原因已经发给居民：\n{note}").format(note=note))
    await message.answer(_("请选择要办的事："), reply_markup=main_menu_keyboard(user))
