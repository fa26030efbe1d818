"""Answers typed during the onboarding form (name, phone, birth date, address), and a
shared contact; anything else typed is pointed at the buttons."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.onboarding.form import (
    ask,
    current_step,
    load_draft,
    name_on_telegram,
    neighbour_step,
    save_draft,
)
from flows.onboarding.service import OnboardingService
from flows.person import (
    age_on,
    clean_address,
    clean_name,
    name_has_link,
    normalise_phone,
    parse_birth_date,
)
from flows.texts import format_date


async def typed_name(
    message: Message, state: FSMContext, onboarding: OnboardingService, centre: CentreConfig
) -> None:
    name = clean_name(message.text or "")
    if name is None and name_has_link(message.text or ""):
        await message.answer(_("请打出您的真实姓名就好，不要带网址、@ 或 / 这些符号。"))
        return
    if name is None:
        await message.answer(_("姓名需要 1 到 30 个字，请再打一次。"))
        return
    draft = await load_draft(state)
    draft.name = name
    await save_draft(state, draft)
    await ask("phone", message, state, onboarding, centre)


async def shared_contact(
    message: Message, state: FSMContext, onboarding: OnboardingService, centre: CentreConfig
) -> None:
    contact = message.contact
    assert contact is not None
    if message.from_user is None or contact.user_id != message.from_user.id:
        await message.answer(_("请发送您自己的手机号：点「📱 发送我的手机号」。"))
        return
    await _take_phone(contact.phone_number, message, state, onboarding, centre)


async def typed_phone(
    message: Message, state: FSMContext, onboarding: OnboardingService, centre: CentreConfig
) -> None:
    text = (message.text or "").strip()
    if text in (_("⬅️ 上一步"), "⬅️ 上一步", "⬅️ Back"):
        await message.answer(_("好的，回到上一步。"), reply_markup=ReplyKeyboardRemove())
        await ask("name", message, state, onboarding, centre, name_on_telegram(message))
        return
    await _take_phone(text, message, state, onboarding, centre)


async def _take_phone(
    raw: str,
    message: Message,
    state: FSMContext,
    onboarding: OnboardingService,
    centre: CentreConfig,
) -> None:
    phone = normalise_phone(raw)
    if phone is None:
        await message.answer(_("这个号码好像不对，请再试一次，比如 13812345678。"))
        return
    draft = await load_draft(state)
    draft.phone = phone
    await save_draft(state, draft)
    await message.answer(_("✅ 手机号已记下"), reply_markup=ReplyKeyboardRemove())
    await ask("decade", message, state, onboarding, centre)


async def typed_birth_date(
    message: Message, state: FSMContext, onboarding: OnboardingService, centre: CentreConfig
) -> None:
    born = parse_birth_date(message.text or "", onboarding.today())
    if born is None:
        await message.answer(_("没看懂这个日期。请点按钮选，或者打成 1950-3-5 这样。"))
        return
    draft = await load_draft(state)
    draft.birth_date = born
    await save_draft(state, draft)
    await message.answer(
        _("✅ 出生日期：{date}（{age}岁）").format(
            date=format_date(born), age=age_on(born, onboarding.today())
        )
    )
    await ask("sex", message, state, onboarding, centre)


async def typed_address(
    message: Message, state: FSMContext, onboarding: OnboardingService, centre: CentreConfig
) -> None:
    address = clean_address(message.text or "")
    if address is None:
        await message.answer(_("请打出地址，或点「跳过」。"))
        return
    draft = await load_draft(state)
    draft.address = address
    await save_draft(state, draft)
    await ask(
        neighbour_step("address", draft, onboarding.today(), +1), message, state, onboarding, centre
    )


async def needs_a_button(
    message: Message, state: FSMContext, onboarding: OnboardingService, centre: CentreConfig
) -> None:
    """Anything else during onboarding: point at the buttons and ask the question again."""
    step = await current_step(state) or "language"
    await message.answer(_("请点下面消息里的按钮来回答。"))
    await ask(step, message, state, onboarding, centre, name_on_telegram(message))
