"""Ways into the onboarding form: /start, a staff invite link (`/start doc_…`), and the
buttons that resume registering or change a saved profile."""

from __future__ import annotations

from aiogram.filters import CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.scene import ScenesManager
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.forms.form import EDITING
from flows.menu.buttons import main_menu_keyboard
from flows.onboarding.answers import FROM_SETTINGS
from flows.onboarding.scene import OnboardingScene
from flows.onboarding.service import (
    AccountHasOtherRole,
    InviteInvalid,
    OnboardingService,
    StaffPostHeld,
)
from flows.texts import local_name
from storage.models import User


async def join_as_staff(
    message: Message,
    command: CommandObject,
    user: User,
    state: FSMContext,
    onboarding: OnboardingService,
    centre: CentreConfig,
) -> None:
    try:
        joined = await onboarding.redeem_invite(user, command.args or "")
    except InviteInvalid:
        await message.answer(_("这个邀请码无效或已过期，请向中心管理员重新要一个。"))
        return
    except StaffPostHeld:
        await message.answer(
            _(
                "这个岗位已经有一个账号在用了。\n"
                "如果您换了手机或账号，请联系中心管理员，先停用旧账号，再用这个邀请码。"
            )
        )
        return
    except AccountHasOtherRole:
        await message.answer(
            _("您这个账号已经有别的工作身份了，不能再用这个邀请码。请联系中心管理员。")
        )
        return
    await state.clear()
    staff = joined.staff
    if staff is None:
        text = _("欢迎您！您现在是{centre}的管理员，催办通知会发给您。").format(
            centre=local_name(centre.centre.name, centre.centre.name_en)
        )
    else:
        text = _("欢迎您，{name}！您已加入{team}。").format(
            name=staff.name, team=local_name(staff.team.name, staff.team.name_en)
        )
    await message.answer(text, reply_markup=main_menu_keyboard(user))


async def start(message: Message, user: User, state: FSMContext, scenes: ScenesManager) -> None:
    if user.is_onboarded:
        await state.clear()
        await message.answer(_("欢迎回来！请选择要办的事："), reply_markup=main_menu_keyboard(user))
        return
    await scenes.enter(OnboardingScene)  # where the answers so far left off, or the start


async def resume(query: CallbackQuery, user: User, scenes: ScenesManager) -> None:
    if user.is_onboarded:
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(_("您已经登记好了。"), reply_markup=main_menu_keyboard(user))
        return
    await scenes.enter(OnboardingScene)


async def edit_profile(
    query: CallbackQuery,
    user: User,
    state: FSMContext,
    onboarding: OnboardingService,
    scenes: ScenesManager,
) -> None:
    """From ⚙️ 设置 → 我的资料: the summary's lines, to change one and keep the rest."""
    if user.role.is_staff or user.resident is None:
        await query.answer()
        return
    draft = await onboarding.draft_from_profile(user)
    await state.set_data({**draft.to_state(), EDITING: True, FROM_SETTINGS: True})
    await scenes.enter(OnboardingScene, step="fix")
