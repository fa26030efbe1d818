"""Onboarding: language → privacy notice → health-data consent → profile → main menu.
Staff join with `/start doc_…` from a one-time invite."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from aiogram import F
from aiogram.filters import CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from flows.admin.service import INVITE_PREFIXES
from flows.centre import CentreConfig
from flows.menu.buttons import main_menu_keyboard
from flows.onboarding import keyboards as kb
from flows.onboarding.service import (
    AccountHasOtherRole,
    InviteInvalid,
    OnboardingService,
    ProfileDraft,
    ProfileIncomplete,
    StaffPostHeld,
    age_on,
    clean_address,
    clean_name,
    may_be_pregnant,
    name_has_link,
    normalise_phone,
    parse_birth_date,
    plausible_birth_date,
    priority_tags,
)
from flows.onboarding.texts import (
    full_privacy_notice,
    privacy_summary,
    profile_summary,
    tags_sentence,
)
from flows.prompts import ask_with_buttons, buttons_taken_away
from flows.routes import SliceRoutes
from flows.settings.service import SettingsService
from flows.texts import LANGUAGE_PROMPT, join_list, local_name, month_name
from storage.models import ConsentKind, Pregnancy, Sex, User

routes = SliceRoutes("onboarding")


class Step(StatesGroup):
    language = State()
    privacy = State()
    health = State()
    name = State()
    phone = State()
    decade = State()
    year = State()
    month = State()
    day = State()
    sex = State()
    community = State()
    address = State()
    cond = State()
    preg = State()
    disab = State()
    confirm = State()


ORDER = (
    "language", "privacy", "health", "name", "phone", "decade", "year", "month", "day", "sex",
    "community", "address", "cond", "preg", "disab", "confirm",
)  # fmt: skip


def _applies(step: str, draft: ProfileDraft, today: date) -> bool:
    if step in ("cond", "disab"):
        return draft.health_consent
    if step == "preg":
        return draft.health_consent and may_be_pregnant(draft.sex, draft.birth_date, today)
    return True


def _neighbour(step: str, draft: ProfileDraft, today: date, direction: int) -> str:
    index = ORDER.index(step) + direction
    while 0 <= index < len(ORDER) and not _applies(ORDER[index], draft, today):
        index += direction
    return ORDER[max(0, min(index, len(ORDER) - 1))]


async def _draft(state: FSMContext) -> ProfileDraft:
    return ProfileDraft.from_state(await state.get_data())


async def _save(state: FSMContext, draft: ProfileDraft, **extra: object) -> None:
    await state.update_data(**draft.to_state(), **extra)


async def ask(
    step: str,
    message: Message,
    state: FSMContext,
    onboarding: OnboardingService,
    centre: CentreConfig,
    telegram_name: str | None = None,
) -> None:
    """Puts the conversation on `step` and asks its question."""
    await state.set_state(getattr(Step, step))
    text, markup = _question(
        step, await state.get_data(), onboarding.today(), centre, telegram_name
    )
    await ask_with_buttons(message, state, text, markup)


def _question(
    step: str, data: dict[str, object], today: date, centre: CentreConfig, telegram_name: str | None
) -> tuple[str, InlineKeyboardMarkup | ReplyKeyboardMarkup]:
    draft = ProfileDraft.from_state(data)
    if step == "language":
        return LANGUAGE_PROMPT, kb.language_keyboard()
    if step == "privacy":
        return privacy_summary(centre), kb.privacy_keyboard()
    if step == "health":
        return (
            _(
                "还有一件事要征得您同意：\n\n"
                "您的慢病、怀孕、血压血糖等健康信息，属于敏感个人信息。"
                "我们只在您同意后才记录，只给您的家庭医生团队看，用来提醒和随访。\n\n"
                "不同意也可以登记，以后在「设置」里随时可以改。"
            ),
            kb.health_consent_keyboard(),
        )
    if step == "name":
        return (
            _("怎么称呼您？请点下面的按钮，或者直接打出您的姓名。"),
            kb.name_keyboard(clean_name(telegram_name or "")),
        )
    if step == "phone":
        return (
            _("请点下面「📱 发送我的手机号」，医生有事好联系您。\n也可以直接打出手机号。"),
            kb.phone_keyboard(),
        )
    if step == "decade":
        return (
            _("您是哪年出生的？先选年代。\n也可以直接打出生日，比如 1950-3-5。"),
            kb.decade_keyboard(today),
        )
    if step == "year":
        decade = int(str(data.get("decade", 1950)))
        return _("请选出生年份："), kb.year_keyboard(decade, today)
    if step == "month":
        return _("请选出生月份："), kb.month_keyboard()
    if step == "day":
        year, month = int(str(data.get("year", 1950))), int(str(data.get("month", 1)))
        return _("请选您是几号出生的："), kb.day_keyboard(year, month)
    if step == "sex":
        return _("您的性别："), kb.sex_keyboard()
    if step == "community":
        return _("您住在哪个社区？"), kb.community_keyboard(centre)
    if step == "address":
        return (
            _("请打出详细地址，比如「3栋2单元501」，上门服务时用。\n不想填可以点「跳过」。"),
            kb.address_keyboard(),
        )
    if step == "cond":
        return (
            _("您有下面这些慢性病吗？有几个点几个，点完再点「选好了」；都没有就点「没有这些病」。"),
            kb.conditions_keyboard(centre, draft.conditions),
        )
    if step == "preg":
        return _("您现在怀孕了吗，或者在产后一年内吗？"), kb.pregnancy_keyboard()
    if step == "disab":
        return _("您有残疾证吗？"), kb.disability_keyboard()
    if step == "confirm":
        summary = profile_summary(draft, centre, today)
        tags = priority_tags(draft, today, centre.priority)
        return summary + tags_sentence(tags, centre), kb.confirm_keyboard()
    raise ValueError(f"no onboarding step {step!r}")


async def current_step(state: FSMContext) -> str | None:
    name = await state.get_state()
    if name is None or not name.startswith(f"{Step.__name__}:"):
        return None
    return name.split(":", 1)[1]


# ---- /start ---------------------------------------------------------------------------------


@routes.message(CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PREFIXES)))
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


@routes.message(CommandStart())
async def start(
    message: Message,
    user: User,
    state: FSMContext,
    onboarding: OnboardingService,
    centre: CentreConfig,
) -> None:
    if user.is_onboarded:
        await state.clear()
        await message.answer(_("欢迎回来！请选择要办的事："), reply_markup=main_menu_keyboard(user))
        return
    step = await current_step(state) or "language"
    await ask(step, message, state, onboarding, centre, _telegram_name(message))


def _telegram_name(event: Message | CallbackQuery) -> str | None:
    sender = event.from_user
    if sender is None:
        return None
    first, last = sender.first_name, sender.last_name or ""
    if last and _is_chinese(first + last):
        return last + first  # 张 + 秀兰 → 张秀兰: family name first, no space
    return sender.full_name


def _is_chinese(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


# ---- button answers -------------------------------------------------------------------------


@routes.callback_query(kb.Answer.filter(F.step == "resume"))
async def resume(
    query: CallbackQuery,
    user: User,
    state: FSMContext,
    onboarding: OnboardingService,
    centre: CentreConfig,
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if user.is_onboarded:
        await query.message.answer(_("您已经登记好了。"), reply_markup=main_menu_keyboard(user))
        return
    step = await current_step(state) or "language"
    await ask(step, query.message, state, onboarding, centre, _telegram_name(query))


@dataclass
class Turn:
    """One button press during onboarding, with what every step needs to answer it."""

    query: CallbackQuery
    message: Message
    user: User
    state: FSMContext
    onboarding: OnboardingService
    settings: SettingsService
    centre: CentreConfig
    i18n: I18n
    today: date

    async def settle(self, chosen: str) -> None:
        """Shows what was chosen in the question itself and takes its buttons away."""
        await self.query.answer()
        if self.message.text:
            await self.message.edit_text(f"{self.message.text}\n\n👉 {chosen}", reply_markup=None)
        await buttons_taken_away(self.state, self.message)

    async def go(self, step: str) -> None:
        await ask(
            step, self.message, self.state, self.onboarding, self.centre, _telegram_name(self.query)
        )

    async def stale(self) -> None:
        await self.query.answer(_("这个按钮已经不能用了，请点最新消息里的按钮。"))

    async def save(self, draft: ProfileDraft) -> None:
        await _save(self.state, draft)


@routes.callback_query(kb.Answer.filter(F.step == "edit"))
async def edit_profile(
    query: CallbackQuery,
    user: User,
    state: FSMContext,
    onboarding: OnboardingService,
    centre: CentreConfig,
) -> None:
    """From ⚙️ 设置 → 我的资料: walk the profile questions again, answers kept as defaults."""
    await query.answer()
    if not isinstance(query.message, Message) or user.role.is_staff or user.resident is None:
        return
    draft = await onboarding.draft_from_profile(user)
    await state.set_data(draft.to_state())
    await ask("name", query.message, state, onboarding, centre, _telegram_name(query))


@routes.callback_query(kb.Answer.filter())
async def answer_button(
    query: CallbackQuery,
    callback_data: kb.Answer,
    user: User,
    state: FSMContext,
    onboarding: OnboardingService,
    settings: SettingsService,
    centre: CentreConfig,
    i18n: I18n,
) -> None:
    message = query.message
    if not isinstance(message, Message):  # too old for Telegram to show it
        await query.answer(_("这个按钮已经不能用了。"))
        return
    if user.is_onboarded and await current_step(state) is None:
        await query.answer()
        await message.answer(_("您已经登记好了。"), reply_markup=main_menu_keyboard(user))
        return
    turn = Turn(query, message, user, state, onboarding, settings, centre, i18n, onboarding.today())
    step, value = callback_data.step, callback_data.value
    if await current_step(state) != step:
        await turn.stale()
        return
    draft = await _draft(state)
    if value == "back":
        await turn.settle(_("上一步"))
        await turn.go(_neighbour(step, draft, turn.today, -1))
        return
    handler = _STEP_ANSWERS.get(step)
    if handler is None:
        await turn.stale()
        return
    await handler(turn, value, draft)


async def _on_language(turn: Turn, value: str, draft: ProfileDraft) -> None:
    if value not in turn.i18n.available_locales:
        await turn.stale()
        return
    await turn.settings.set_language(turn.user, value)
    turn.i18n.current_locale = value
    await turn.settle("中文" if value == "zh_CN" else "English")
    await turn.go("privacy")


async def _on_privacy(turn: Turn, value: str, draft: ProfileDraft) -> None:
    if value == "yes":
        await turn.onboarding.record_consent(turn.user, ConsentKind.PRIVACY_NOTICE, granted=True)
        await turn.settle(_("同意"))
        await turn.go("health")
    elif value == "full":
        await turn.query.answer()
        await turn.message.answer(full_privacy_notice(turn.centre))
    elif value == "no":
        await turn.onboarding.record_consent(turn.user, ConsentKind.PRIVACY_NOTICE, granted=False)
        await turn.settle(_("不同意"))
        await turn.message.answer(
            _(
                "没关系。不同意的话，我们没办法为您登记和提供服务。\n"
                "您也可以直接打电话给中心：{phone}"
            ).format(phone=turn.centre.centre.phone),
            reply_markup=kb.privacy_declined_keyboard(),
        )
    elif value == "again":
        await turn.query.answer()
        await turn.go("privacy")
    else:
        await turn.stale()


async def _on_health(turn: Turn, value: str, draft: ProfileDraft) -> None:
    if value not in ("yes", "no"):
        await turn.stale()
        return
    granted = value == "yes"
    await turn.onboarding.record_consent(turn.user, ConsentKind.HEALTH_DATA, granted=granted)
    draft.health_consent = granted
    if not granted:
        draft.conditions, draft.pregnancy, draft.disability = [], None, None
    await turn.save(draft)
    await turn.settle(_("同意") if granted else _("先不同意"))
    await turn.go("name")


async def _on_name(turn: Turn, value: str, draft: ProfileDraft) -> None:
    name = clean_name(_telegram_name(turn.query) or "") if value == "telegram" else None
    if name is None:
        await turn.query.answer(_("请直接打出您的姓名。"), show_alert=True)
        return
    draft.name = name
    await turn.save(draft)
    await turn.settle(name)
    await turn.go("phone")


async def _on_decade(turn: Turn, value: str, draft: ProfileDraft) -> None:
    if not (value.isdigit() and 1900 <= int(value) <= turn.today.year):
        await turn.stale()
        return
    await turn.state.update_data(decade=int(value))
    await turn.settle(_("{decade}年代").format(decade=value))
    await turn.go("year")


async def _on_year(turn: Turn, value: str, draft: ProfileDraft) -> None:
    if not (value.isdigit() and 1900 <= int(value) <= turn.today.year):
        await turn.stale()
        return
    await turn.state.update_data(year=int(value))
    await turn.settle(value)
    await turn.go("month")


async def _on_month(turn: Turn, value: str, draft: ProfileDraft) -> None:
    if not (value.isdigit() and 1 <= int(value) <= 12):
        await turn.stale()
        return
    await turn.state.update_data(month=int(value))
    await turn.settle(month_name(int(value)))
    await turn.go("day")


async def _on_day(turn: Turn, value: str, draft: ProfileDraft) -> None:
    data = await turn.state.get_data()
    try:
        born: date | None = date(int(data.get("year", 0)), int(data.get("month", 0)), int(value))
    except ValueError:
        born = None
    if born is None or not plausible_birth_date(born, turn.today):
        await turn.query.answer(_("这个日期不对，请重新选。"), show_alert=True)
        return
    draft.birth_date = born
    await turn.save(draft)
    await turn.settle(_("{day}日").format(day=value))
    await turn.go("sex")


async def _on_sex(turn: Turn, value: str, draft: ProfileDraft) -> None:
    if value not in ("male", "female"):
        await turn.stale()
        return
    draft.sex = Sex(value)
    await turn.save(draft)
    await turn.settle(_("男") if draft.sex is Sex.MALE else _("女"))
    await turn.go("community")


async def _on_community(turn: Turn, value: str, draft: ProfileDraft) -> None:
    if value == "none":
        await turn.settle(_("都不是"))
        await turn.message.answer(
            _(
                "本中心只服务上面这几个社区的居民。请打中心电话 {phone}，我们告诉您该去哪里。"
            ).format(phone=turn.centre.centre.phone)
        )
        await turn.go("community")
        return
    community = turn.centre.community(value)
    if community is None:
        await turn.stale()
        return
    draft.community_id = community.id
    await turn.save(draft)
    await turn.settle(local_name(community.name, community.name_en))
    await turn.go("address")


async def _on_address(turn: Turn, value: str, draft: ProfileDraft) -> None:
    if value != "skip":
        await turn.stale()
        return
    draft.address = None
    await turn.save(draft)
    await turn.settle(_("跳过"))
    await turn.go(_neighbour("address", draft, turn.today, +1))


async def _on_condition(turn: Turn, value: str, draft: ProfileDraft) -> None:
    centre = turn.centre
    if value == "done":
        names = [
            local_name(c.name, c.name_en) for c in centre.conditions if c.code in draft.conditions
        ]
        await turn.settle(join_list(names) if names else _("没有"))
        await turn.go(_neighbour("cond", draft, turn.today, +1))
        return
    if centre.condition(value) is None:
        await turn.stale()
        return
    if value in draft.conditions:
        draft.conditions.remove(value)
    else:
        draft.conditions.append(value)
    await turn.save(draft)
    await turn.query.answer()
    await turn.message.edit_reply_markup(
        reply_markup=kb.conditions_keyboard(centre, draft.conditions)
    )


async def _on_pregnancy(turn: Turn, value: str, draft: ProfileDraft) -> None:
    labels = {"none": _("没有"), "pregnant": _("怀孕中"), "postpartum": _("产后一年内")}
    if value not in labels:
        await turn.stale()
        return
    draft.pregnancy = Pregnancy(value)
    await turn.save(draft)
    await turn.settle(labels[value])
    await turn.go("disab")


async def _on_disability(turn: Turn, value: str, draft: ProfileDraft) -> None:
    if value not in ("yes", "no"):
        await turn.stale()
        return
    draft.disability = value == "yes"
    await turn.save(draft)
    await turn.settle(_("有") if draft.disability else _("没有"))
    await turn.go("confirm")


async def _on_confirm(turn: Turn, value: str, draft: ProfileDraft) -> None:
    if value == "redo":
        await turn.settle(_("改一下"))
        await turn.go("name")
        return
    if value != "yes":
        await turn.stale()
        return
    try:
        saved = await turn.onboarding.save_profile(turn.user, draft)
    except ProfileIncomplete:
        await turn.query.answer(_("资料还没填完，我们从姓名开始再来一次。"), show_alert=True)
        await turn.go("name")
        return
    await turn.state.clear()
    await turn.settle(_("保存"))
    if saved.health_left_out:  # consent withdrawn in ⚙️ 设置 while this was open
        await turn.message.answer(
            _(
                "您已经不再同意记录健康信息，所以慢病、怀孕、残疾这些我们没有保存，"
                "其他资料都存好了。想记录的话，到「设置」里点「同意」就行。"
            )
        )
    await turn.message.answer(
        _("登记好了，谢谢您！") + tags_sentence(saved.tags, turn.centre),
        reply_markup=main_menu_keyboard(turn.user),
    )
    await turn.message.answer(_("以后点下面的大按钮就能办事。需要帮助请发 /help 。"))


_STEP_ANSWERS: dict[str, Callable[[Turn, str, ProfileDraft], Awaitable[None]]] = {
    "language": _on_language,
    "privacy": _on_privacy,
    "health": _on_health,
    "name": _on_name,
    "decade": _on_decade,
    "year": _on_year,
    "month": _on_month,
    "day": _on_day,
    "sex": _on_sex,
    "community": _on_community,
    "address": _on_address,
    "cond": _on_condition,
    "preg": _on_pregnancy,
    "disab": _on_disability,
    "confirm": _on_confirm,
}


# ---- typed answers --------------------------------------------------------------------------


@routes.message(StateFilter(Step.name), F.text)
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
    draft = await _draft(state)
    draft.name = name
    await _save(state, draft)
    await ask("phone", message, state, onboarding, centre)


@routes.message(StateFilter(Step.phone), F.contact)
async def shared_contact(
    message: Message, state: FSMContext, onboarding: OnboardingService, centre: CentreConfig
) -> None:
    contact = message.contact
    assert contact is not None
    if message.from_user is None or contact.user_id != message.from_user.id:
        await message.answer(_("请发送您自己的手机号：点「📱 发送我的手机号」。"))
        return
    await _take_phone(contact.phone_number, message, state, onboarding, centre)


@routes.message(StateFilter(Step.phone), F.text)
async def typed_phone(
    message: Message, state: FSMContext, onboarding: OnboardingService, centre: CentreConfig
) -> None:
    text = (message.text or "").strip()
    if text in (_("⬅️ 上一步"), "⬅️ 上一步", "⬅️ Back"):
        await message.answer(_("好的，回到上一步。"), reply_markup=ReplyKeyboardRemove())
        await ask("name", message, state, onboarding, centre, _telegram_name(message))
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
    draft = await _draft(state)
    draft.phone = phone
    await _save(state, draft)
    await message.answer(_("✅ 手机号已记下"), reply_markup=ReplyKeyboardRemove())
    await ask("decade", message, state, onboarding, centre)


@routes.message(StateFilter(Step.decade, Step.year, Step.month, Step.day), F.text)
async def typed_birth_date(
    message: Message, state: FSMContext, onboarding: OnboardingService, centre: CentreConfig
) -> None:
    born = parse_birth_date(message.text or "", onboarding.today())
    if born is None:
        await message.answer(_("没看懂这个日期。请点按钮选，或者打成 1950-3-5 这样。"))
        return
    draft = await _draft(state)
    draft.birth_date = born
    await _save(state, draft)
    await message.answer(
        _("✅ 出生日期：{date}（{age}岁）").format(
            date=born.isoformat(), age=age_on(born, onboarding.today())
        )
    )
    await ask("sex", message, state, onboarding, centre)


@routes.message(StateFilter(Step.address), F.text)
async def typed_address(
    message: Message, state: FSMContext, onboarding: OnboardingService, centre: CentreConfig
) -> None:
    address = clean_address(message.text or "")
    if address is None:
        await message.answer(_("请打出地址，或点「跳过」。"))
        return
    draft = await _draft(state)
    draft.address = address
    await _save(state, draft)
    await ask(
        _neighbour("address", draft, onboarding.today(), +1), message, state, onboarding, centre
    )


@routes.message(StateFilter(Step))
async def needs_a_button(
    message: Message, state: FSMContext, onboarding: OnboardingService, centre: CentreConfig
) -> None:
    """Anything else during onboarding: point at the buttons and ask the question again."""
    step = await current_step(state) or "language"
    await message.answer(_("请点下面消息里的按钮来回答。"))
    await ask(step, message, state, onboarding, centre, _telegram_name(message))
