"""Answers given by pressing a button in the onboarding form: one function per step, looked
up in a table; ⬅️ 上一步 goes back to the previous step that applies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.buttons import main_menu_keyboard
from flows.onboarding import keyboards as kb
from flows.onboarding.form import (
    ask,
    current_step,
    load_draft,
    name_on_telegram,
    neighbour_step,
    save_draft,
)
from flows.onboarding.service import OnboardingService, ProfileIncomplete
from flows.onboarding.texts import full_privacy_notice, tags_sentence
from flows.person import ProfileDraft, clean_name, plausible_birth_date
from flows.prompts import buttons_taken_away
from flows.settings.service import SettingsService
from flows.texts import join_list, local_name, month_name
from storage.models import ConsentKind, Pregnancy, Sex, User


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
            step,
            self.message,
            self.state,
            self.onboarding,
            self.centre,
            name_on_telegram(self.query),
        )

    async def stale(self) -> None:
        await self.query.answer(_("这个按钮已经不能用了，请点最新消息里的按钮。"))

    async def save(self, draft: ProfileDraft) -> None:
        await save_draft(self.state, draft)


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
    draft = await load_draft(state)
    if value == "back":
        await turn.settle(_("上一步"))
        await turn.go(neighbour_step(step, draft, turn.today, -1))
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
    name = clean_name(name_on_telegram(turn.query) or "") if value == "telegram" else None
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
    await turn.go(neighbour_step("address", draft, turn.today, +1))


async def _on_condition(turn: Turn, value: str, draft: ProfileDraft) -> None:
    centre = turn.centre
    if value == "done":
        names = [
            local_name(c.name, c.name_en) for c in centre.conditions if c.code in draft.conditions
        ]
        await turn.settle(join_list(names) if names else _("没有"))
        await turn.go(neighbour_step("cond", draft, turn.today, +1))
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
