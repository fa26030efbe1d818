"""The onboarding form, question by question, in the order they are asked: what each one
says, the buttons it offers (with the other words people type for them), when it applies
and which answer function in answers.py takes the answer. To add a question, add a
Question here and put it in ONBOARDING."""

from __future__ import annotations

import calendar

from aiogram.types import KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from flows.forms.form import EDITING, Form, Question, Turn
from flows.forms.words import NO_WORDS, NONE_WORDS, YES_WORDS, Choice
from flows.onboarding import answers as a
from flows.onboarding.answers import profile
from flows.onboarding.texts import privacy_summary, profile_summary, tags_sentence
from flows.person import may_be_pregnant, priority_tags
from flows.texts import LANGUAGE_PROMPT, local_name, month_name


def _new(turn: Turn) -> bool:
    """Language and consents are asked of newcomers only: a registered resident changing
    her profile never walks back into them."""
    return not turn.user.is_onboarded


def _consented(turn: Turn) -> bool:
    return profile(turn).health_consent


def _choices(*choices: Choice) -> list[Choice]:
    return list(choices)


LANGUAGE = Question(
    "language",
    text=lambda t: LANGUAGE_PROMPT,
    choices=lambda t: _choices(
        Choice("zh_CN", "🇨🇳 中文", ("中文", "汉语", "普通话", "chinese")),
        Choice("en", "🇬🇧 English", ("english", "英文", "英语")),
    ),
    answer=a.language,
    applies=_new,
    back=False,
)
PRIVACY = Question(
    "privacy",
    text=lambda t: privacy_summary(t.centre),
    choices=lambda t: _choices(
        Choice("yes", _("✅ 同意，继续"), YES_WORDS),
        Choice("full", _("📄 看完整说明"), ("完整说明", "说明", "看说明"), settles=False),
        Choice("no", _("不同意"), NO_WORDS),
    ),
    answer=a.privacy,
    simpler=lambda t: _(
        "我们要记下您的姓名、电话和生日，只给您的家庭医生看。同意就点「同意，继续」。"
    ),
    applies=_new,
    width=1,
)
DECLINED = Question(
    "declined",
    text=lambda t: _(
        "没关系。不同意的话，我们没办法为您登记和提供服务。\n您也可以直接打电话给中心：{phone}"
    ).format(phone=t.centre.centre.phone),
    choices=lambda t: _choices(Choice("again", _("🔄 再看一下"), ("再看", "再看看", "看一下"))),
    answer=lambda t, v: _go("privacy"),
    applies=lambda t: t.step == "declined",  # reached only by declining, never walking back
    back=False,
)
HEALTH = Question(
    "health",
    text=lambda t: _(
        "还有一件事要征得您同意：\n\n"
        "您的慢病、怀孕、血压血糖等健康信息，属于敏感个人信息。"
        "我们只在您同意后才记录，只给您的家庭医生团队看，用来提醒和随访。\n\n"
        "不同意也可以登记，以后在「设置」里随时可以改。"
    ),
    choices=lambda t: _choices(
        Choice("yes", _("✅ 同意"), YES_WORDS), Choice("no", _("先不同意"), NO_WORDS)
    ),
    answer=a.health,
    simpler=lambda t: _("您的病情只记给您的医生看。同意就点「同意」，不想记就点「先不同意」。"),
    applies=_new,
    width=1,
)
NAME = Question(
    "name",
    text=lambda t: _("怎么称呼您？请点下面的按钮，或者直接打出您的姓名。"),
    choices=lambda t: (
        [Choice("telegram", _("就叫我「{name}」").format(name=name), YES_WORDS)]
        if (name := a.telegram_name(t))
        else []
    ),
    answer=a.name_button,
    typed=a.typed_name,
    simpler=lambda t: _("请打出您的名字，比如：张秀兰。"),
)
NAME_OK = Question(
    "name_ok",
    text=lambda t: _("您的名字是「{name}」，对吗？").format(name=profile(t).name),
    choices=lambda t: _choices(
        Choice("yes", _("✅ 对"), YES_WORDS), Choice("no", _("✏️ 重新打"), ("不对", "重新打"))
    ),
    answer=a.name_confirmed,
    typed=a.typed_name,
    applies=lambda t: t.draft.get(a.NAME_CHECK) is True,
)
PHONE = Question(
    "phone",
    text=lambda t: _("请点下面「📱 发送我的手机号」，医生有事好联系您。\n也可以直接打出手机号。"),
    answer=lambda t, v: _go("phone"),
    typed=a.typed_phone,
    contact=a.shared_contact,
    simpler=lambda t: _("点屏幕最下面的「📱 发送我的手机号」就行，或者打出 11 位手机号。"),
    reply_keyboard=lambda t: ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_("📱 发送我的手机号"), request_contact=True)],
            [KeyboardButton(text=_("⬅️ 上一步"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    ),
)


def _years(turn: Turn) -> list[Choice]:
    decade = int(turn.draft.get("decade", 1950))
    return [Choice(str(y), str(y)) for y in range(decade, decade + 10) if y <= turn.today.year]


def _type_the_year(turn: Turn) -> str:
    return _("请打出您的出生年份，比如 1948。")


DECADE = Question(
    "decade",
    text=lambda t: _("您是哪年出生的？先选年代。\n也可以直接打出生日，比如 1950-3-5。"),
    choices=lambda t: [
        Choice(str(d), _("{decade}年代").format(decade=d), (f"{d % 100:02d}年代",))
        for d in range(1920, t.today.year + 1, 10)
    ],
    answer=a.decade,
    typed=a.typed_date,
    simpler=_type_the_year,
    width=3,
    leads_on=True,
)
YEAR = Question(
    "year",
    text=lambda t: _("请选出生年份："),
    choices=_years,
    answer=a.year,
    typed=a.typed_date,
    simpler=_type_the_year,
    width=5,
    leads_on=True,
)
MONTH = Question(
    "month",
    text=lambda t: _("请选出生月份："),
    choices=lambda t: [Choice(str(m), month_name(m), (f"{m}月",)) for m in range(1, 13)],
    answer=a.month,
    typed=a.typed_date,
    width=4,
    leads_on=True,
)


def _last_day(turn: Turn) -> int:
    year, month = int(turn.draft.get("year", 1950)), int(turn.draft.get("month", 1))
    return calendar.monthrange(year, month)[1]


DAYS = Question(  # at most ~6 buttons a screen: a week of days first, then the day
    "days",
    text=lambda t: _("请选您是几号出生的：\n也可以直接打几号，比如 5。"),
    choices=lambda t: [
        Choice(
            f"{f}-{min(f + 6, _last_day(t))}",
            _("{first}–{last}日").format(first=f, last=min(f + 6, _last_day(t))),
        )
        for f in range(1, _last_day(t) + 1, 7)
    ],
    answer=a.days,
    typed=a.typed_date,
    width=2,
    leads_on=True,
)


def _days_picked(turn: Turn) -> range:
    first, last = (int(n) for n in str(turn.draft.get("days", "1-7")).split("-"))
    return range(first, last + 1)


DAY = Question(
    "day",
    text=lambda t: _("请选您是几号出生的："),
    choices=lambda t: [Choice(str(d), str(d), (f"{d}日", f"{d}号")) for d in _days_picked(t)],
    answer=a.day,
    typed=a.typed_date,
    width=4,
)
SEX = Question(
    "sex",
    text=lambda t: _("您的性别："),
    choices=lambda t: _choices(
        Choice("male", _("👨 男"), ("男", "男性", "男人", "male", "man")),
        Choice("female", _("👩 女"), ("女", "女性", "女人", "female", "woman")),
    ),
    answer=a.sex,
)
COMMUNITY = Question(
    "community",
    text=lambda t: _("您住在哪个社区？"),
    choices=lambda t: (
        [
            Choice(c.id, local_name(c.name, c.name_en), (c.name, c.name_en))
            for c in t.centre.communities
        ]
        + [Choice("none", _("都不是"), ("都不是", "不是", "不在", "none"))]
    ),
    answer=a.community,
    simpler=lambda t: _("您家在哪个社区？点下面社区的名字就行。"),
)
ADDRESS = Question(
    "address",
    text=lambda t: _("请打出详细地址，比如「3栋2单元501」，上门服务时用。\n不想填可以点「跳过」。"),
    choices=lambda t: _choices(
        Choice("skip", _("跳过"), ("不填", "不想填", "不用", "没有", "skip"))
    ),
    answer=a.address,
    typed=a.typed_address,
)
CONDITIONS = Question(
    "cond",
    text=lambda t: _(
        "您有下面这些慢性病吗？有几个点几个，点完再点「选好了」；都没有就点「没有这些病」。"
    ),
    choices=lambda t: (
        [
            Choice(
                c.code,
                ("✅ " if c.code in profile(t).conditions else "") + local_name(c.name, c.name_en),
                (c.name, c.name_en),
                settles=False,
            )
            for c in t.centre.conditions
        ]
        + [
            Choice(
                "done",
                _("✔️ 选好了") if profile(t).conditions else _("没有这些病"),
                ("选好了", "好了", "就这些", "没有这些病", "done", *NONE_WORDS),
            )
        ]
    ),
    answer=a.condition,
    simpler=lambda t: _("有哪个病就点哪个，可以点几个。点完了点最下面的按钮。"),
    applies=_consented,
)
PREGNANCY = Question(
    "preg",
    text=lambda t: _("您现在怀孕了吗，或者在产后一年内吗？"),
    choices=lambda t: _choices(
        Choice("none", _("没有"), NONE_WORDS),
        Choice("pregnant", _("怀孕中"), ("怀孕", "怀孕了", "有了", "pregnant")),
        Choice("postpartum", _("产后一年内"), ("产后", "刚生", "生了孩子", "一年", "postpartum")),
    ),
    answer=a.pregnancy,
    applies=lambda t: (
        _consented(t)
        and may_be_pregnant(profile(t).sex, profile(t).birth_date, t.today, t.centre.priority)
    ),
)
DISABILITY = Question(
    "disab",
    text=lambda t: _("您有残疾证吗？"),
    choices=lambda t: _choices(
        Choice("yes", _("有"), ("有", "有的", "有残疾证", "yes")),
        Choice("no", _("没有"), NONE_WORDS),
    ),
    answer=a.disability,
    applies=_consented,
)
CONFIRM = Question(
    "confirm",
    text=lambda t: (
        profile_summary(profile(t), t.centre, t.today)
        + tags_sentence(priority_tags(profile(t), t.today, t.centre.priority), t.centre)
    ),
    choices=lambda t: _choices(
        Choice("yes", _("✅ 对，保存"), ("保存", "存", "对的", *YES_WORDS)),
        Choice("redo", _("✏️ 改一下"), ("改", "修改", "改一下", "不对", "修改资料")),
    ),
    answer=a.confirm,
    back=False,
    width=1,
)


def _lines(turn: Turn) -> list[Choice]:
    lines = [
        Choice("name", _("姓名"), ("名字", "name")),
        Choice("phone", _("手机"), ("电话", "手机号", "phone")),
        Choice("decade", _("出生日期"), ("生日", "出生", "年龄", "birth")),
        Choice("sex", _("性别"), ("sex",)),
        Choice("community", _("社区"), ("community",)),
        Choice("address", _("地址"), ("住址", "address")),
    ]
    if _consented(turn):
        lines.append(Choice("cond", _("慢病"), ("慢性病", "病")))
        if PREGNANCY.applies(turn):
            lines.append(Choice("preg", _("怀孕"), ()))
        lines.append(Choice("disab", _("残疾证"), ("残疾",)))
    lines.append(Choice("none", _("✅ 不用改了"), ("不改了", "不用改", "不改", *YES_WORDS)))
    return lines


LINES = Question(  # one line of the summary changed, the rest kept
    "fix",
    text=lambda t: _("要改哪一项？点一下，别的都不变。"),
    choices=_lines,
    answer=a.change_line,
    applies=lambda t: t.draft.get(EDITING) is True,
    back_to=a.lines_back,
)


async def _go(step: str) -> str:
    return step


ONBOARDING = Form(
    "ob",
    [
        LANGUAGE, PRIVACY, DECLINED, HEALTH, NAME, NAME_OK, PHONE, DECADE, YEAR, MONTH, DAYS,
        DAY, SEX, COMMUNITY, ADDRESS, CONDITIONS, PREGNANCY, DISABILITY, CONFIRM, LINES,
    ],
    review="confirm",
    lines="fix",
)  # fmt: skip
