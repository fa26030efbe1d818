"""⚙️ 设置: language, my profile, health-data consent, help."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.buttons import MenuButton, MenuPressed, main_menu_keyboard
from flows.onboarding.keyboards import Answer as OnboardingAnswer
from flows.onboarding.service import OnboardingService
from flows.onboarding.texts import profile_summary, tags_sentence
from flows.routes import SliceRoutes
from flows.settings.keyboards import (
    PickLanguage,
    SettingsChoice,
    home_button,
    language_keyboard,
    settings_choice_button,
    settings_keyboard,
)
from flows.settings.service import SettingsService
from flows.texts import LANGUAGE_PROMPT
from storage.models import User

routes = SliceRoutes("settings")


@routes.message(MenuPressed(MenuButton.SETTINGS))
@routes.message(Command("settings"))
async def show_settings(message: Message, user: User) -> None:
    await message.answer(_("设置：请选择"), reply_markup=settings_keyboard(user))


@routes.message(Command("language"))
async def ask_language(message: Message) -> None:
    await message.answer(LANGUAGE_PROMPT, reply_markup=language_keyboard())


@routes.callback_query(PickLanguage.filter())
async def switch_language(
    query: CallbackQuery,
    callback_data: PickLanguage,
    user: User,
    settings: SettingsService,
    i18n: I18n,
) -> None:
    if callback_data.language not in i18n.available_locales:
        await query.answer(_("这个按钮已经不能用了，请点最新消息里的按钮。"))
        return
    await settings.set_language(user, callback_data.language)
    i18n.current_locale = callback_data.language
    await query.answer()
    if isinstance(query.message, Message):
        chosen = "中文" if callback_data.language == "zh_CN" else "English"
        if query.message.text:  # the picker keeps the answer and loses its buttons
            await query.message.edit_text(f"{query.message.text}\n\n👉 {chosen}", reply_markup=None)
        await query.message.answer(_("已换成中文。"), reply_markup=main_menu_keyboard(user))


@routes.callback_query(SettingsChoice.filter())
async def settings_choice(
    query: CallbackQuery,
    callback_data: SettingsChoice,
    user: User,
    settings: SettingsService,
    onboarding: OnboardingService,
    centre: CentreConfig,
) -> None:
    message = query.message
    await query.answer()
    if not isinstance(message, Message):
        return
    if message.reply_markup is not None:  # one choice per menu: no stale buttons left behind
        await message.edit_reply_markup(reply_markup=None)
    action = callback_data.action
    if action == "language":
        await message.answer(LANGUAGE_PROMPT, reply_markup=language_keyboard())
    elif action == "help":
        await message.answer(
            _("需要帮助请发 /help ，或打中心电话：{phone}").format(phone=centre.centre.phone),
            reply_markup=main_menu_keyboard(user),
        )
    elif user.role.is_staff:
        await message.answer(_("这一项是给居民用的。"), reply_markup=main_menu_keyboard(user))
    elif action == "profile":
        draft = await onboarding.draft_from_profile(user)
        tags = [t.tag for t in user.resident.tags] if user.resident else []
        edit = InlineKeyboardButton(
            text=_("✏️ 修改资料"),
            callback_data=OnboardingAnswer(step="edit", value="profile").pack(),
        )
        await message.answer(
            profile_summary(draft, centre, onboarding.today()).replace(
                _("请核对您的资料："), _("您的资料：")
            )
            + tags_sentence(tags, centre),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[edit], [home_button()]]),
        )
    elif action == "health":
        await _show_health_consent(message, await settings.health_consent_given(user))
    elif action == "health_on":
        await settings.grant_health_consent(user)
        await message.answer(
            _("好的，已同意。医生可以帮您管理慢病了。"), reply_markup=main_menu_keyboard(user)
        )
    elif action == "health_off":
        await settings.withdraw_health_consent(user)
        await message.answer(
            _(
                "好的，已不再同意。您和您替家人填的慢病等健康信息都已删除。"
                "以后想用，再到这里点「同意」就行。"
            ),
            reply_markup=main_menu_keyboard(user),
        )


async def _show_health_consent(message: Message, given: bool) -> None:
    if given:
        text = _("您已同意我们记录您的健康信息，只给您的家庭医生团队看。")
        button = settings_choice_button(_("不再同意"), "health_off")
    else:
        text = _(
            "您还没有同意记录健康信息。\n同意后，医生才能帮您管理慢病、记录血压血糖、提醒吃药。"
        )
        button = settings_choice_button(_("✅ 同意"), "health_on")
    await message.answer(
        text, reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button], [home_button()]])
    )
