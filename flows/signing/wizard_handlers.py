"""The signing wizard: who → which doctor → packages for each person → term → agreement →
request. One button press is a `Turn`; `STEPS` answers it by the step it belongs to.
Registered in order by flows/signing/router.py."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.buttons import main_menu_keyboard
from flows.packages.service import Offer, choosable
from flows.routes import Nudge
from flows.signing import keyboards as kb
from flows.signing.callbacks import Wizard
from flows.signing.family import start_family_member
from flows.signing.service import (
    MAX_HOUSEHOLD,
    AlreadyCovered,
    DoctorChoice,
    DoctorFull,
    MemberOption,
    SigningProblem,
    SigningService,
)
from flows.signing.steps import Signing, ask_who
from flows.signing.texts import (
    PROBLEMS,
    agreement_summary,
    doctor_card,
    offers_text,
    person_label,
    problem_text,
)
from flows.texts import local_name
from storage.models import User


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
        await turn.query.answer(_(PROBLEMS["doctor_full"]), show_alert=True)
        return
    await turn.settle()
    await turn.state.update_data(doctor=value, pkg_index=0, packages={})
    await turn.state.set_state(Signing.doctor_ok)
    await turn.message.answer(
        _("您选的是这位医生：") + "\n\n" + doctor_card(value, turn.centre),
        reply_markup=kb.doctor_ok_keyboard(),
    )


async def _on_doctor_ok(turn: Turn, value: str) -> None:
    data = await turn.data()
    if value == "back":
        await turn.settle()
        await ask_doctor(turn, len(data.get("who", [])))
        return
    if value != "yes":
        await turn.query.answer(_("这个按钮已经不能用了。"))
        return
    if await _chosen_doctor(turn, data) is None:  # filled up meanwhile
        await turn.settle()
        await turn.message.answer(_(PROBLEMS["doctor_full"]))
        await ask_doctor(turn, len(data.get("who", [])))
        return
    await turn.settle()
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
    return any(o.package.id == package_id and choosable(o) for o in offers)


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
    picked = data.get("packages", {})
    # What request() will store, from the same rule (a free package comes for whoever it fits).
    chosen = await turn.signing.agreement(
        turn.user, {m.resident.id: picked.get(str(m.resident.id), []) for m in people}
    )
    team = next(t for t in turn.centre.teams if t.id == doctor.team_id)
    await turn.state.set_state(Signing.confirm)
    await turn.message.answer(
        agreement_summary(doctor, local_name(team.name, team.name_en), chosen,
                          int(data["term"]), turn.centre),
        reply_markup=kb.confirm_keyboard(),
    )  # fmt: skip


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
        await turn.message.answer(_(PROBLEMS["doctor_full"]))
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
        reply_markup=kb.submitted_keyboard(),
    )


STEPS = {"who": _on_who, "doctor": _on_doctor, "doctor_ok": _on_doctor_ok, "pkg": _on_pkg,
         "term": _on_term, "confirm": _on_confirm}  # fmt: skip


async def typed_during_signing(message: Message) -> None:
    await message.answer(_("请点上面消息里的按钮。想停下来，发 /cancel。"))
