"""The resident's side of signing: 📝 签约 → who → which doctor → packages → term →
agreement → request; the family doctor card with renew, change of doctor and cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from flows.centre import CentreConfig
from flows.menu.buttons import MenuButton, MenuPressed, main_menu_keyboard
from flows.packages.service import Offer, package_by_id
from flows.routes import SliceRoutes
from flows.signing import keyboards as kb
from flows.signing.callbacks import CancelWhy, CardAction, ChangeTo, PackageInfo, Wizard
from flows.signing.cards import build_card
from flows.signing.family import start_family_member
from flows.signing.service import (
    MAX_HOUSEHOLD,
    AlreadyCovered,
    DoctorChoice,
    DoctorFull,
    MemberOption,
    SigningProblem,
    SigningService,
    StateChanged,
)
from flows.signing.steps import Signing, ask_who
from flows.signing.texts import (
    agreement_summary,
    card_text,
    offers_text,
    package_details,
    person_label,
)
from flows.signing.words import CANCEL_REASONS
from flows.texts import N_, format_date, local_name
from storage.models import ContractState, User

routes = SliceRoutes("signing")
Nudge = Callable[[], None]


PROBLEMS = {
    "not_allowed": N_("这个按钮不是给您的。"),
    "no_longer_assigned": N_("这户居民已经不归您的团队负责了，他们的资料不再显示。"),
    "already_covered": N_("有人已经签约或正在申请中，不能再签一次。"),
    "doctor_full": N_("这位医生的名额刚刚签满了，请换一位。"),
    "not_offered": N_("这个选项现在不能选了，请重新选一下。"),
    "state_changed": N_("情况有变化，请看最新的签约卡。"),
    "contract_replaced": N_("这个按钮是之前那份签约的，现在的签约没有改动。请看最新的签约卡。"),
    "change_limit": N_("按规定，一年只能换 {n} 次医生。"),
    "not_yet_renewable": N_("快到期时（最后 {days} 天）才能续约。"),
}


def problem_text(problem: SigningProblem, centre: CentreConfig) -> str:
    policy = centre.contract
    return _(PROBLEMS[problem.code]).format(
        n=policy.doctor_changes_per_year, days=max(policy.renewal_notice_days)
    )


# ---- 📝 签约: the card when signed, else an invitation ---------------------------------------


@routes.message(MenuPressed(MenuButton.SIGN))
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
    centre: CentreConfig, *, edit: bool = False, say_unsigned: bool = False,
) -> None:  # fmt: skip
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
    text = card_text(card, signing.today())
    if contract.state is ContractState.REQUESTED:
        text += "\n\n" + _("医生审核后会发消息告诉您。")
        await _show(message, text, kb.pending_keyboard(), edit)
        return
    change = await signing.pending_change(contract)
    if change is not None:
        doctor = centre.staff(change.staff_id)
        text += "\n\n" + _("正在申请换到 {name} 医生，等医生同意。").format(
            name=doctor.name if doctor else ""
        )
    renewable = signing.today() >= signing.renewable_from(contract) and change is None
    await _show(message, text, kb.card_keyboard(contract, renewable, change is not None), edit)


async def _show(message: Message, text: str, markup: InlineKeyboardMarkup, edit: bool) -> None:
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


@routes.callback_query(CardAction.filter())
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
        elif action == "packages":
            await query.answer()
            await show_packages(message, user, signing, centre)
        elif action == "start":
            await query.answer()
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


@routes.callback_query(PackageInfo.filter())
async def package_info(
    query: CallbackQuery, callback_data: PackageInfo, centre: CentreConfig
) -> None:
    package = package_by_id(centre, callback_data.package_id)
    if package is None or not isinstance(query.message, Message):
        await query.answer(_("这个按钮已经不能用了。"))
        return
    await query.answer()
    await query.message.answer(package_details(package), reply_markup=kb.package_back_keyboard())


# ---- the signing wizard -------------------------------------------------------------------


async def start_signing(
    message: Message, user: User, state: FSMContext, signing: SigningService
) -> None:
    if await signing.current(user) is not None:
        await message.answer(_("您家已经签约或正在申请中。"), reply_markup=kb.card_link_keyboard())
        return
    members = await signing.members(user)
    own = user.resident.id if user.resident else None
    chosen = [m.resident.id for m in members if m.resident.id == own and not m.covered]
    await state.set_state(Signing.who)
    await state.set_data({"who": chosen})
    await ask_who(message, members, chosen)


@routes.callback_query(Wizard.filter())
async def wizard_step(
    query: CallbackQuery, callback_data: Wizard, user: User, state: FSMContext,
    signing: SigningService, centre: CentreConfig, nudge: Nudge,
) -> None:  # fmt: skip
    message = query.message
    current = await state.get_state()
    step = callback_data.step
    if (
        not isinstance(message, Message)
        or user.role.is_staff
        or step not in STEPS
        or current != getattr(Signing, step).state
    ):
        await query.answer(_("这个按钮已经不能用了，请点最新消息里的按钮。"))
        return
    turn = Turn(query, message, user, state, signing, centre, nudge)
    try:
        await STEPS[step](turn, callback_data.value)
    except SigningProblem as problem:
        await query.answer(problem_text(problem, centre), show_alert=True)


class Turn:
    """One button press in the wizard, with what answering it needs."""

    def __init__(
        self, query: CallbackQuery, message: Message, user: User, state: FSMContext,
        signing: SigningService, centre: CentreConfig, nudge: Nudge,
    ) -> None:  # fmt: skip
        self.query, self.message, self.user, self.state = query, message, user, state
        self.signing, self.centre, self.nudge = signing, centre, nudge

    async def data(self) -> dict[str, Any]:
        return await self.state.get_data()

    async def settle(self) -> None:
        """Answers the press and removes the old buttons, so they cannot be pressed twice."""
        await self.query.answer()
        await self.message.edit_reply_markup(reply_markup=None)


async def _on_who(turn: Turn, value: str) -> None:
    data = await turn.data()
    chosen: list[int] = list(data.get("who", []))
    members = await turn.signing.members(turn.user)
    if value == "covered":
        await turn.query.answer(_("这位家人已经签约或正在申请中。"), show_alert=True)
        return
    if value == "add":
        await turn.settle()
        await start_family_member(turn.message, turn.state, turn.user)
        return
    if value == "done":
        if not chosen:
            await turn.query.answer(_("请先选上要签约的人。"), show_alert=True)
            return
        await turn.settle()
        await ask_doctor(turn, len(chosen))
        return
    ids = {m.resident.id for m in members if not m.covered}
    if not value.isdigit() or int(value) not in ids:
        await turn.query.answer(_("这个按钮已经不能用了。"))
        return
    rid = int(value)
    chosen = [c for c in chosen if c != rid] if rid in chosen else [*chosen, rid]
    await turn.state.update_data(who=chosen)
    await turn.query.answer()
    await turn.message.edit_reply_markup(
        reply_markup=kb.members_keyboard(
            [(m.resident, m.covered) for m in members], chosen, len(members) < MAX_HOUSEHOLD
        )
    )


async def ask_doctor(turn: Turn, places: int) -> None:
    choices = await turn.signing.doctor_choices(turn.user, places)
    await turn.state.set_state(Signing.doctor)
    lines = [_("请选一位家庭医生：")]
    if choices.grid_full:
        lines = [_("您所在社区的医生名额都满了。可以排队等空位，或者选别的团队的医生：")]
    if not choices.offered:
        lines = [_("现在医生名额都满了。排个队吧，有空位马上告诉您。")]
    grid = [c for c in choices.offered if c.in_grid]
    if grid:
        lines.append(_("⭐ 是您社区的团队。"))
    await turn.message.answer(
        "\n".join(lines), reply_markup=kb.doctors_keyboard(choices.offered, choices.grid_full or
                                                           not choices.offered)
    )  # fmt: skip


async def _on_doctor(turn: Turn, value: str) -> None:
    data = await turn.data()
    if value == "back":
        await turn.settle()
        await turn.state.set_state(Signing.who)
        await ask_who(turn.message, await turn.signing.members(turn.user), data.get("who", []))
        return
    choices = await turn.signing.doctor_choices(turn.user, len(data.get("who", [])))
    choice = next((c for c in choices.offered if c.staff_id == value), None)
    if choice is None:
        await turn.query.answer(_("这位医生的名额刚刚签满了，请换一位。"), show_alert=True)
        return
    await turn.settle()
    await turn.state.update_data(doctor=value, pkg_index=0, packages={})
    await ask_packages(turn, 0)


async def _member_offers(turn: Turn) -> list[MemberOption]:
    data = await turn.data()
    members = {m.resident.id: m for m in await turn.signing.members(turn.user)}
    return [members[rid] for rid in data.get("who", []) if rid in members]


async def ask_packages(turn: Turn, index: int) -> None:
    chosen_people = await _member_offers(turn)
    member = chosen_people[index]
    data = await turn.data()
    picked = data.get("packages", {}).get(str(member.resident.id), [])
    await turn.state.set_state(Signing.pkg)
    await turn.state.update_data(pkg_index=index)
    await turn.message.answer(
        offers_text(person_label(member.resident), member.offers, picked, turn.centre),
        reply_markup=kb.offers_keyboard(member.offers, picked),
    )


async def _on_pkg(turn: Turn, value: str) -> None:
    data = await turn.data()
    index = int(data.get("pkg_index", 0))
    people = await _member_offers(turn)
    if index >= len(people):
        await turn.query.answer(_("这个按钮已经不能用了。"))
        return
    member = people[index]
    packages: dict[str, list[str]] = dict(data.get("packages", {}))
    picked = list(packages.get(str(member.resident.id), []))
    if value == "back":
        await turn.settle()
        if index == 0:
            await ask_doctor(turn, len(people))
        else:
            await ask_packages(turn, index - 1)
        return
    if value == "done":
        await turn.settle()
        if index + 1 < len(people):
            await ask_packages(turn, index + 1)
        else:
            await ask_term(turn)
        return
    if not _offered(member.offers, value):
        await turn.query.answer(_("这个服务包不能选。"), show_alert=True)
        return
    picked = [p for p in picked if p != value] if value in picked else [*picked, value]
    packages[str(member.resident.id)] = picked
    await turn.state.update_data(packages=packages)
    await turn.query.answer()
    await turn.message.edit_text(
        offers_text(person_label(member.resident), member.offers, picked, turn.centre),
        reply_markup=kb.offers_keyboard(member.offers, picked),
    )


def _offered(offers: list[Offer], package_id: str) -> bool:
    return any(o.package.id == package_id and o.eligible for o in offers)


async def ask_term(turn: Turn) -> None:
    policy = turn.centre.contract
    if len(policy.terms_years) == 1:
        await turn.state.update_data(term=policy.terms_years[0])
        await ask_confirm(turn)
        return
    await turn.state.set_state(Signing.term)
    await turn.message.answer(
        _("签几年？（⭐ 是常用的）"),
        reply_markup=kb.term_keyboard(policy.terms_years, policy.default_term_years),
    )


async def _on_term(turn: Turn, value: str) -> None:
    if value == "back":
        await turn.settle()
        await ask_packages(turn, len(await _member_offers(turn)) - 1)
        return
    if not value.isdigit() or int(value) not in turn.centre.contract.terms_years:
        await turn.query.answer(_("这个按钮已经不能用了。"))
        return
    await turn.settle()
    await turn.state.update_data(term=int(value))
    await ask_confirm(turn)


async def ask_confirm(turn: Turn) -> None:
    data = await turn.data()
    people = await _member_offers(turn)
    doctor = await _chosen_doctor(turn, data)
    if doctor is None:
        await ask_doctor(turn, len(people))
        return
    chosen = [
        (m.resident, [o.package for o in m.offers if o.eligible and _included(o, data, m)])
        for m in people
    ]
    team = next(t for t in turn.centre.teams if t.id == doctor.team_id)
    await turn.state.set_state(Signing.confirm)
    await turn.message.answer(
        agreement_summary(doctor, local_name(team.name, team.name_en), chosen,
                          int(data["term"]), turn.centre),
        reply_markup=kb.confirm_keyboard(),
    )  # fmt: skip


def _included(offer: Offer, data: dict[str, Any], member: MemberOption) -> bool:
    picked = data.get("packages", {}).get(str(member.resident.id), [])
    return offer.package.price == 0 or offer.package.id in picked


async def _chosen_doctor(turn: Turn, data: dict[str, Any]) -> DoctorChoice | None:
    choices = await turn.signing.doctor_choices(turn.user, len(data.get("who", [])))
    return next((c for c in choices.offered if c.staff_id == data.get("doctor")), None)


async def _on_confirm(turn: Turn, value: str) -> None:
    data = await turn.data()
    if value == "back":
        await turn.settle()
        if len(turn.centre.contract.terms_years) > 1:
            await ask_term(turn)
        else:
            await ask_packages(turn, len(data.get("who", [])) - 1)
        return
    if value == "no":
        await turn.settle()
        await turn.state.clear()
        await turn.message.answer(_("好的，先不签。想签的时候再点「📝 签约」。"),
                                  reply_markup=main_menu_keyboard(turn.user))  # fmt: skip
        return
    chosen = {int(rid): list(data.get("packages", {}).get(rid, [])) for rid in
              map(str, data.get("who", []))}  # fmt: skip
    try:
        await turn.signing.request(turn.user, str(data.get("doctor")), chosen, int(data["term"]))
    except DoctorFull:
        await turn.settle()
        await turn.message.answer(_("这位医生的名额刚刚签满了，请换一位。"))
        await ask_doctor(turn, len(chosen))
        return
    except AlreadyCovered:
        await turn.settle()
        await turn.state.clear()
        await turn.message.answer(_("您家已经签约或正在申请中。"),
                                  reply_markup=kb.card_link_keyboard())  # fmt: skip
        return
    turn.nudge()
    await turn.settle()
    await turn.state.clear()
    hours = turn.centre.contract.approval_escalate_after_hours
    await turn.message.answer(
        _("✅ 申请已提交！医生一般 {days} 天内审核，结果会发消息告诉您。").format(
            days=max(1, round(hours / 24))
        ),
        reply_markup=main_menu_keyboard(turn.user),
    )


STEPS = {"who": _on_who, "doctor": _on_doctor, "pkg": _on_pkg, "term": _on_term,
         "confirm": _on_confirm}  # fmt: skip


@routes.message(StateFilter(Signing), F.text)
async def typed_during_signing(message: Message) -> None:
    await message.answer(_("请点上面消息里的按钮。想停下来，发 /cancel。"))


# ---- change of doctor and cancellation ------------------------------------------------------


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


@routes.callback_query(ChangeTo.filter())
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
            _("确定要换到 {name} 医生吗？对方同意后生效。").format(name=doctor.name),
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


@routes.callback_query(CancelWhy.filter())
async def cancel_contract(
    query: CallbackQuery, callback_data: CancelWhy, user: User, signing: SigningService,
    centre: CentreConfig, nudge: Nudge,
) -> None:  # fmt: skip
    message = query.message
    reason = callback_data.reason
    if not isinstance(message, Message) or user.role.is_staff or reason not in CANCEL_REASONS:
        await query.answer(_("这个按钮已经不能用了。"))
        return
    if not callback_data.sure:
        await query.answer()
        await message.edit_text(
            _("原因：{reason}\n确定要解约吗？解约后医生团队不再为您提供签约服务。").format(
                reason=_(CANCEL_REASONS[reason])
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
