"""The doctor's side of signing: 📋 待办 lists the requests, a request opens with the
applicant's summary, and the doctor agrees or turns it down with a reason, by buttons.
👥 居民 lists the team's signed residents, each a button to that resident's card. Every
press is checked on the server: only the request's own family doctor decides, and nobody
else's residents are ever shown."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.buttons import MenuButton, MenuPressed, main_menu_keyboard
from flows.person import unlinkable
from flows.routes import Nudge, SliceRoutes
from flows.signing import staff_keyboards as skb
from flows.signing.callbacks import Decide, ResidentsPage, Review, StaffResident
from flows.signing.card_texts import card_text
from flows.signing.decline_handlers import (
    Declining,
    ask_written_reason,
    send_written_reason,
    typed_reason,
)
from flows.signing.reasons import REJECT_REASONS, WRITTEN
from flows.signing.service import SigningProblem, SigningService
from flows.signing.texts import (
    problem_text,
    request_summary,
    resident_button,
    resident_lines,
)
from storage.models import User

routes = SliceRoutes("signing-review")
PAGE = 8  # residents a page of 👥 居民 shows: large buttons, little scrolling


async def _refused_to_residents(message: Message, user: User) -> bool:
    if user.staff_id is not None:
        return False
    await message.answer(_("这个按钮是给医生用的。"), reply_markup=main_menu_keyboard(user))
    return True


@routes.message(MenuPressed(MenuButton.TODO))
async def staff_todo(message: Message, user: User, signing: SigningService) -> None:
    if await _refused_to_residents(message, user):
        return
    desk = await signing.review_desk(user)
    text = _("待办事项：\n• 签约申请：{requests} 个\n• 居民提问：{questions} 个").format(
        requests=len(desk.requests), questions=desk.open_questions
    )
    if not desk.requests:
        await message.answer(text, reply_markup=main_menu_keyboard(user))
        return
    items = [
        (r.contract_id, _("📝 {name} 等 {people} 人").format(name=unlinkable(r.applicant),
                                                          people=r.people))
        for r in desk.requests
    ]  # fmt: skip
    await message.answer(
        text + "\n\n" + _("点一个申请查看："), reply_markup=skb.queue_keyboard(items)
    )


@routes.message(MenuPressed(MenuButton.MY_RESIDENTS))
async def staff_residents(message: Message, user: User, signing: SigningService) -> None:
    if await _refused_to_residents(message, user):
        return
    text, markup = await _residents_page(user, signing, 0)
    await message.answer(text, reply_markup=markup)


@routes.callback_query(ResidentsPage.filter())
async def residents_page(
    query: CallbackQuery, callback_data: ResidentsPage, user: User, signing: SigningService
) -> None:
    if not isinstance(query.message, Message) or user.staff_id is None:
        await query.answer(_("这个按钮不是给您的。"))
        return
    await query.answer()
    text, markup = await _residents_page(user, signing, max(0, callback_data.page))
    await query.message.edit_text(text, reply_markup=markup)


async def _residents_page(
    user: User, signing: SigningService, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    residents = await signing.my_residents(user)
    shown = residents[page * PAGE : (page + 1) * PAGE]
    text = _("您现在有 {count} 位签约居民。").format(count=len(residents))
    if residents:
        text += "\n" + _("点名字看这位居民的签约卡：")
    items = [(resident.id, resident_button(resident, contract)) for resident, contract in shown]
    return text, skb.residents_keyboard(items, page, len(residents) > (page + 1) * PAGE)


@routes.callback_query(StaffResident.filter())
async def open_resident(
    query: CallbackQuery, callback_data: StaffResident, user: User, signing: SigningService,
    centre: CentreConfig,
) -> None:  # fmt: skip
    message = query.message
    if not isinstance(message, Message):
        await query.answer(_("这个按钮已经不能用了。"))
        return
    try:  # the service checks the resident is the team's own, whatever the button said
        resident, contract = await signing.resident_for_staff(user, callback_data.resident_id)
    except SigningProblem as problem:
        await query.answer(problem_text(problem, centre), show_alert=True)
        return
    await query.answer()
    card = await signing.card(contract)
    head = "\n".join(resident_lines(resident, centre, signing.today()))
    await message.answer(head + "\n\n" + card_text(card, full=True, for_staff=True),
                         reply_markup=skb.resident_back_keyboard())  # fmt: skip


@routes.callback_query(Review.filter())
async def open_request(
    query: CallbackQuery, callback_data: Review, user: User, signing: SigningService,
    centre: CentreConfig, state: FSMContext,
) -> None:  # fmt: skip
    message = query.message
    if not isinstance(message, Message):
        await query.answer(_("这个按钮已经不能用了。"))
        return
    if await state.get_state() == Declining.reason.state:
        await state.clear()  # back from writing a reason: later text is not one
    try:
        request = await signing.request_for_staff(user, callback_data.contract_id)
    except SigningProblem as problem:
        await query.answer(problem_text(problem, centre), show_alert=True)
        return
    await query.answer()
    contract = request.contract
    text = request_summary(contract, request.residents, centre, signing.today())
    if request.decided:
        await message.answer(text + "\n\n" + _("这个申请已经处理过了。"),
                             reply_markup=skb.card_link_for_staff(contract.id))  # fmt: skip
        return
    await message.answer(text, reply_markup=skb.decision_keyboard(contract.id))


@routes.callback_query(Decide.filter())
async def decide(
    query: CallbackQuery, callback_data: Decide, user: User, signing: SigningService,
    centre: CentreConfig, nudge: Nudge, state: FSMContext,
) -> None:  # fmt: skip
    message = query.message
    verdict, contract_id = callback_data.verdict, callback_data.contract_id
    if not isinstance(message, Message):
        await query.answer(_("这个按钮已经不能用了。"))
        return
    try:
        if verdict == "card":
            contract = await signing.contract_for_staff(user, contract_id)
            await query.answer()
            card = await signing.card(contract)
            await message.answer(card_text(card, full=True, for_staff=True))
        elif verdict == "no":
            await signing.contract_for_staff(user, contract_id)
            await query.answer()
            await message.edit_reply_markup(reply_markup=skb.reject_reasons_keyboard(contract_id))
        elif verdict == "yes":
            await signing.approve(user, contract_id)
            nudge()
            await query.answer(_("已同意"))
            await message.edit_text(
                message.text + "\n\n" + _("✅ 已同意签约。居民会收到通知。")
                if message.text else _("✅ 已同意签约。"),
                reply_markup=skb.card_link_for_staff(contract_id),
            )  # fmt: skip
        elif verdict == skb.WRITE:
            await signing.contract_for_staff(user, contract_id)
            await query.answer()
            await ask_written_reason(message, state, contract_id)
        elif verdict == WRITTEN:
            await send_written_reason(query, message, user, state, signing, centre, contract_id,
                                      nudge)  # fmt: skip
        elif REJECT_REASONS.may_choose(verdict):
            await signing.reject(user, contract_id, verdict)
            nudge()
            await query.answer(_("已回复居民"))
            await message.edit_text(
                _("❌ 没有同意（{reason}）。居民会收到通知。").format(
                    reason=_(REJECT_REASONS.label(verdict))
                )
            )
        else:
            await query.answer(_("这个按钮已经不能用了。"))
    except SigningProblem as problem:
        await query.answer(problem_text(problem, centre), show_alert=True)


# A reason the doctor types (after "✏️ 自己写原因"); /commands and menu buttons are claimed
# by the routers before this one, and the typed words are shown back before they are sent.
routes.message(StateFilter(Declining.reason), F.text)(typed_reason)
