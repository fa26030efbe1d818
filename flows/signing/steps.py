"""The signing wizard's states and its first question, shared by the wizard and the
family-member form that returns to it."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from flows.signing import keyboards as kb
from flows.signing.service import MAX_HOUSEHOLD, MemberOption


class Signing(StatesGroup):
    who = State()
    doctor = State()
    doctor_ok = State()  # "is this the doctor?": name, title, team, room, days
    pkg = State()
    term = State()
    confirm = State()


async def ask_who(message: Message, members: list[MemberOption], chosen: list[int]) -> None:
    await message.answer(
        _("这次给谁签约？点名字选上，可以选几个人。\n家里人可以一起签，同一个家庭医生。"),
        reply_markup=kb.members_keyboard(
            [(m.resident, m.covered) for m in members], chosen, len(members) < MAX_HOUSEHOLD
        ),
    )
