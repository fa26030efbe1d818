"""The onboarding form: its steps in order, which of them apply to this person, the question
each one asks, and the draft kept in the conversation state between them."""

from __future__ import annotations

from datetime import date

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.onboarding import keyboards as kb
from flows.onboarding.service import OnboardingService
from flows.onboarding.texts import privacy_summary, profile_summary, tags_sentence
from flows.person import ProfileDraft, clean_name, may_be_pregnant, priority_tags
from flows.prompts import ask_with_buttons
from flows.texts import LANGUAGE_PROMPT


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


def neighbour_step(step: str, draft: ProfileDraft, today: date, direction: int) -> str:
    """The next (+1) or previous (-1) step that applies to this draft."""
    index = ORDER.index(step) + direction
    while 0 <= index < len(ORDER) and not _applies(ORDER[index], draft, today):
        index += direction
    return ORDER[max(0, min(index, len(ORDER) - 1))]


async def load_draft(state: FSMContext) -> ProfileDraft:
    return ProfileDraft.from_state(await state.get_data())


async def save_draft(state: FSMContext, draft: ProfileDraft, **extra: object) -> None:
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


def name_on_telegram(event: Message | CallbackQuery) -> str | None:
    """The sender's name on Telegram, offered as a one-tap answer to the name question."""
    sender = event.from_user
    if sender is None:
        return None
    first, last = sender.first_name, sender.last_name or ""
    if last and _is_chinese(first + last):
        return last + first  # 张 + 秀兰 → 张秀兰: family name first, no space
    return sender.full_name


def _is_chinese(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)
