"""What each onboarding answer does: consents recorded, the draft filled in, the profile saved.
The questions themselves (texts, buttons, order) are in questions.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from aiogram.types import Contact, ReplyKeyboardRemove
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from flows.forms.form import EDITING, Answer, Next, Then, Turn
from flows.forms.words import arabic_numerals
from flows.menu.buttons import main_menu_keyboard
from flows.onboarding.service import OnboardingService, ProfileIncomplete
from flows.onboarding.texts import full_privacy_notice, tags_sentence
from flows.person import (
    ProfileDraft,
    age_on,
    clean_address,
    clean_name,
    name_has_link,
    normalise_phone,
    parse_birth_date,
    plausible_birth_date,
    without_name_intro,
)
from flows.settings.service import SettingsService
from flows.texts import format_date
from storage.models import ConsentKind, Pregnancy, Sex

NAME_CHECK = "name_check"  # in the draft: a name taken out of a sentence, to be confirmed
FROM_SETTINGS = "from_settings"  # in the draft: the edit began in ⚙️ 设置


def profile(turn: Turn) -> ProfileDraft:
    return ProfileDraft.from_state(turn.draft)


def keep(turn: Turn, draft: ProfileDraft) -> None:
    turn.draft.update(draft.to_state())


def stored(field: str, convert: Callable[[str], object]) -> Answer:
    """An answer that only fills in one field of the profile draft, then moves on."""

    async def store(turn: Turn, value: str) -> Next:
        draft = profile(turn)
        setattr(draft, field, convert(value))
        keep(turn, draft)
        return Then.NEXT

    return store


def noted(key: str) -> Answer:
    """An answer kept in the form's draft only (the parts of a date picked one by one)."""

    async def note(turn: Turn, value: str) -> Next:
        turn.draft[key] = int(value) if value.isdigit() else value
        return Then.NEXT

    return note


decade, year, month, days = noted("decade"), noted("year"), noted("month"), noted("days")
sex = stored("sex", Sex)
address = stored("address", lambda value: None)  # 跳过: typed addresses come in typed_address
pregnancy = stored("pregnancy", Pregnancy)
disability = stored("disability", lambda value: value == "yes")


def _onboarding(turn: Turn) -> OnboardingService:
    service: OnboardingService = turn.data["onboarding"]
    return service


def telegram_name(turn: Turn) -> str | None:
    """The sender's name on Telegram, offered as a one-tap answer to the name question."""
    sender = turn.data.get("event_from_user")
    if sender is None:
        return None
    first, last = sender.first_name, sender.last_name or ""
    if last and all("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return clean_name(last + first)  # 张 + 秀兰 → 张秀兰: family name first, no space
    return clean_name(sender.full_name)


# ---- consents -------------------------------------------------------------------------------


async def language(turn: Turn, value: str) -> Next:
    i18n: I18n = turn.data["i18n"]
    settings: SettingsService = turn.data["settings"]
    await settings.set_language(turn.user, value)
    i18n.current_locale = value
    return Then.NEXT


async def privacy(turn: Turn, value: str) -> Next:
    if value == "full":
        await turn.say(full_privacy_notice(turn.centre))
        return Then.STAY
    granted = value == "yes"
    await _onboarding(turn).record_consent(turn.user, ConsentKind.PRIVACY_NOTICE, granted=granted)
    return Then.NEXT if granted else "declined"


async def health(turn: Turn, value: str) -> Next:
    granted = value == "yes"
    await _onboarding(turn).record_consent(turn.user, ConsentKind.HEALTH_DATA, granted=granted)
    draft = profile(turn)
    draft.health_consent = granted
    if not granted:
        draft.conditions, draft.pregnancy, draft.disability = [], None, None
    keep(turn, draft)
    return Then.NEXT


# ---- name and phone -------------------------------------------------------------------------


async def name_button(turn: Turn, value: str) -> Next:
    name = telegram_name(turn)
    if name is None:
        return "name"
    return _take_name(turn, name, check=False)


async def typed_name(turn: Turn, text: str) -> Next:
    """我叫张秀兰 / My name is …: the introduction is taken off, and the name confirmed."""
    intro_off = without_name_intro(text)
    name = clean_name(intro_off or text)
    if name is None and name_has_link(text):
        await turn.say(_("请打出您的真实姓名就好，不要带网址、@ 或 / 这些符号。"))
        return Then.STAY
    if name is None:
        await turn.say(_("姓名需要 1 到 30 个字，请再打一次。"))
        return Then.STAY
    return _take_name(turn, name, check=intro_off is not None)


def _take_name(turn: Turn, name: str, *, check: bool) -> Next:
    draft = profile(turn)
    draft.name = name
    keep(turn, draft)
    turn.draft[NAME_CHECK] = check
    return "name_ok" if check else Then.NEXT


async def name_confirmed(turn: Turn, value: str) -> Next:
    turn.draft[NAME_CHECK] = False
    return Then.NEXT if value == "yes" else "name"


async def typed_phone(turn: Turn, text: str) -> Next:
    return await _take_phone(turn, text)


async def shared_contact(turn: Turn, contact: Contact) -> Next:
    sender = turn.data.get("event_from_user")
    if sender is None or contact.user_id != sender.id:
        await turn.say(_("请发送您自己的手机号：点「📱 发送我的手机号」。"))
        return Then.STAY
    return await _take_phone(turn, contact.phone_number)


async def _take_phone(turn: Turn, raw: str) -> Next:
    phone = normalise_phone(raw)
    if phone is None:
        await turn.say(_("这个号码好像不对，请再试一次，比如 13812345678。"))
        return Then.STAY
    draft = profile(turn)
    draft.phone = phone
    keep(turn, draft)
    await turn.say(_("✅ 手机号已记下"), reply_markup=ReplyKeyboardRemove())
    return Then.NEXT


# ---- birth date: typed whole, or decade → year → month → day --------------------------------


async def typed_date(turn: Turn, text: str) -> Next | None:
    """A whole date at any of the date questions; a bare year where a year is asked."""
    born = parse_birth_date(text, turn.today)
    if born is not None:
        return await _take_birth_date(turn, born, typed=True)
    year = _bare_year(text, turn.today)
    if year is not None and turn.step in ("decade", "year"):
        turn.draft.update(decade=year - year % 10, year=year)
        return "month"
    if turn.step in ("days", "day"):
        return await typed_day(turn, text)
    await turn.say(_("没看懂这个日期。请点按钮选，或者打成 1950-3-5 这样。"))
    return Then.STAY


_YEAR = re.compile(r"^(\d{4})\s*年?\s*(?:出生|生)?的?$")


def _bare_year(text: str, today: date) -> int | None:
    match = _YEAR.match(arabic_numerals(text).strip())
    year = int(match.group(1)) if match else 0
    return year if 1900 <= year <= today.year else None


async def typed_day(turn: Turn, text: str) -> Next | None:
    said = arabic_numerals(text).strip().rstrip("日号").strip()
    if not said.isdigit():
        await turn.say(_("没看懂这个日期。请点按钮选，或者打成 1950-3-5 这样。"))
        return Then.STAY
    return await day(turn, said)


async def day(turn: Turn, value: str) -> Next:
    try:
        born = date(int(turn.draft.get("year", 0)), int(turn.draft.get("month", 0)), int(value))
    except ValueError:
        born = None
    if born is None or not plausible_birth_date(born, turn.today):
        await turn.say(_("这个日期不对，请重新选。"))
        return Then.AGAIN
    return await _take_birth_date(turn, born, typed=False)


async def _take_birth_date(turn: Turn, born: date, *, typed: bool) -> Next:
    from flows.onboarding.questions import ONBOARDING

    draft = profile(turn)
    draft.birth_date = born
    keep(turn, draft)
    first = (born.day - 1) // 7 * 7 + 1
    turn.draft.update(
        decade=born.year - born.year % 10, year=born.year, month=born.month,
        days=f"{first}-{min(first + 6, 31)}",
    )  # fmt: skip
    if typed:
        await turn.say(
            _("✅ 出生日期：{date}（{age}岁）").format(
                date=format_date(born), age=age_on(born, turn.today)
            )
        )
    return ONBOARDING.after("day", turn)


# ---- the rest of the profile ----------------------------------------------------------------


async def community(turn: Turn, value: str) -> Next:
    if value == "none":
        await turn.say(
            _(
                "本中心只服务上面这几个社区的居民。请打中心电话 {phone}，我们告诉您该去哪里。"
            ).format(phone=turn.centre.centre.phone)
        )
        return Then.AGAIN
    draft = profile(turn)
    draft.community_id = value
    keep(turn, draft)
    return Then.NEXT


async def typed_address(turn: Turn, text: str) -> Next:
    draft = profile(turn)
    draft.address = clean_address(text)
    if draft.address is None:
        await turn.say(_("请打出地址，或点「跳过」。"))
        return Then.STAY
    keep(turn, draft)
    return Then.NEXT


async def condition(turn: Turn, value: str) -> Next:
    if value == "done":
        return Then.NEXT
    draft = profile(turn)
    if value in draft.conditions:
        draft.conditions.remove(value)
    else:
        draft.conditions.append(value)
    keep(turn, draft)
    return Then.REDRAW


# ---- review, change one line, save ----------------------------------------------------------


async def confirm(turn: Turn, value: str) -> Next:
    if value == "redo":
        turn.draft[EDITING] = True
        return "fix"
    try:
        saved = await _onboarding(turn).save_profile(turn.user, profile(turn))
    except ProfileIncomplete:
        await turn.say(_("资料还没填完，我们从姓名开始再来一次。"))
        turn.draft[EDITING] = False
        return "name"
    if saved.health_left_out:  # consent withdrawn in ⚙️ 设置 while this was open
        await turn.say(
            _(
                "您已经不再同意记录健康信息，所以慢病、怀孕、残疾这些我们没有保存，"
                "其他资料都存好了。想记录的话，到「设置」里点「同意」就行。"
            )
        )
    await turn.say(
        _("登记好了，谢谢您！") + tags_sentence(saved.tags, turn.centre),
        reply_markup=main_menu_keyboard(turn.user),
    )
    await turn.say(_("以后点下面的大按钮就能办事。需要帮助请发 /help 。"))
    return Then.DONE


async def change_line(turn: Turn, value: str) -> Next:
    """Which line of the summary to change: that question, then straight back."""
    return "confirm" if value == "none" else value


async def lines_back(turn: Turn) -> Next:
    """⬅️ from the list of lines: back to the summary, or out when the edit began in 设置."""
    if not turn.draft.get(FROM_SETTINGS):
        return "confirm"
    await turn.say(_("好的，资料没有改动。"), reply_markup=main_menu_keyboard(turn.user))
    return Then.DONE


def shown_date(turn: Turn) -> str:
    born = profile(turn).birth_date
    return format_date(born) if born else "—"
