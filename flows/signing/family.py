"""Adding a family member while signing: relation → name → birth date → sex → (with their
agreement) chronic conditions, pregnancy, disability. Then back to "who signs"."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig, PriorityRules
from flows.forms.prompts import ask_with_buttons, buttons_taken_away, retire_buttons
from flows.onboarding import keyboards as profile_kb
from flows.person import (
    clean_name,
    may_be_pregnant,
    name_has_link,
    parse_birth_date,
)
from flows.routes import SliceRoutes
from flows.signing import keyboards as kb
from flows.signing.callbacks import Family
from flows.signing.service import FamilyMemberDraft, SigningProblem, SigningService
from flows.signing.steps import Signing, ask_who
from flows.signing.texts import relation_label
from storage.models import Pregnancy, Relation, Sex, User

routes = SliceRoutes("signing-family")
SEX_OF = {
    Relation.FATHER: Sex.MALE,
    Relation.SON: Sex.MALE,
    Relation.MOTHER: Sex.FEMALE,
    Relation.DAUGHTER: Sex.FEMALE,
}
make = kb.family_button


class FamilyForm(StatesGroup):
    relation = State()
    name = State()
    decade = State()
    year = State()
    month = State()
    day = State()
    sex = State()
    health = State()
    cond = State()
    preg = State()
    disab = State()


async def start_family_member(message: Message, state: FSMContext, user: User) -> None:
    await state.update_data(fm={})
    await state.set_state(FamilyForm.relation)
    await message.answer(_("要添加哪位家人？"), reply_markup=kb.relation_keyboard())


async def _form(state: FSMContext) -> dict[str, Any]:
    return dict((await state.get_data()).get("fm", {}))


async def _keep(state: FSMContext, **values: Any) -> dict[str, Any]:
    form = {**await _form(state), **values}
    await state.update_data(fm=form)
    return form


async def _ask(step: str, message: Message, state: FSMContext, signing: SigningService,
               centre: CentreConfig) -> None:  # fmt: skip
    await state.set_state(getattr(FamilyForm, step))
    text, markup = _question(step, await _form(state), signing.today(), centre)
    await ask_with_buttons(message, state, text, markup)


def _question(step: str, form: dict[str, Any], today: date,
              centre: CentreConfig) -> tuple[str, InlineKeyboardMarkup]:  # fmt: skip
    relation = Relation(form["relation"]) if "relation" in form else Relation.OTHER
    who = relation_label(relation)
    if step == "name":
        return (_("{who}叫什么名字？请打字告诉我。").format(who=who),
                kb.family_name_keyboard(who))  # fmt: skip
    if step == "decade":
        return (_("{who}是哪一年出生的？先选年代：").format(who=who),
                profile_kb.decade_keyboard(today, make))  # fmt: skip
    if step == "year":
        return _("哪一年？"), profile_kb.year_keyboard(int(form["decade"]), today, make)
    if step == "month":
        return _("几月？"), profile_kb.month_keyboard(make)
    if step == "day":
        return _("几号？"), profile_kb.day_keyboard(int(form["year"]), int(form["month"]), make)
    if step == "sex":
        return _("{who}是男是女？").format(who=who), profile_kb.sex_keyboard(make)
    if step == "health":
        return (
            _("要记录{who}的慢病情况吗？这样能选到合适的服务包。\n"
              "健康信息很私密，请先征得{who}本人同意。").format(who=who),
            kb.family_health_keyboard(),
        )  # fmt: skip
    if step == "cond":
        return (_("{who}有这些慢病吗？可以多选：").format(who=who),
                profile_kb.conditions_keyboard(centre, form.get("cond", []), make))  # fmt: skip
    if step == "preg":
        return (_("{who}现在怀孕或刚生完孩子吗？").format(who=who),
                profile_kb.pregnancy_keyboard(make))  # fmt: skip
    if step == "disab":
        return _("{who}有残疾吗？").format(who=who), profile_kb.disability_keyboard(make)
    raise ValueError(f"no family form step {step!r}")


@routes.callback_query(Family.filter())
async def family_step(
    query: CallbackQuery, callback_data: Family, user: User, state: FSMContext,
    signing: SigningService, centre: CentreConfig,
) -> None:  # fmt: skip
    message = query.message
    step, value = callback_data.step, callback_data.value
    if (
        not isinstance(message, Message)
        or user.role.is_staff
        or step not in ORDER
        or await state.get_state() != getattr(FamilyForm, step).state
    ):
        await query.answer(_("这个按钮已经不能用了，请点最新消息里的按钮。"))
        return
    await query.answer()
    await message.edit_reply_markup(reply_markup=None)
    await buttons_taken_away(state, message)
    if value == "back":
        previous = _previous(step, await _form(state), signing.today(), centre.priority)
        if previous is None:
            await back_to_who(message, state, user, signing, None)
        else:
            await _ask(previous, message, state, signing, centre)
        return
    next_step = await _answer(step, value, state, signing, centre, user)
    # Not a valid answer: the same question again.
    await _go(next_step or step, message, state, user, signing, centre)


ORDER = ("relation", "name", "decade", "year", "month", "day", "sex", "health", "cond", "preg",
         "disab")  # fmt: skip


def _applies(step: str, form: dict[str, Any], today: date, rules: PriorityRules) -> bool:
    if step == "sex":
        return Relation(form.get("relation", "other")) not in SEX_OF
    if step in ("cond", "disab"):
        return bool(form.get("health"))
    if step == "preg":
        born = form.get("born")
        return bool(form.get("health")) and may_be_pregnant(
            Sex(form["sex"]) if "sex" in form else None,
            date.fromisoformat(born) if born else None,
            today,
            rules,
        )
    return True


def _following(
    step: str, form: dict[str, Any], today: date, rules: PriorityRules, health_known: bool
) -> str:
    index = ORDER.index(step) + 1
    while index < len(ORDER):
        candidate = ORDER[index]
        if candidate == "health" and not health_known:
            index += 1
            continue
        if _applies(candidate, form, today, rules):
            return candidate
        index += 1
    return "save"


def _previous(step: str, form: dict[str, Any], today: date, rules: PriorityRules) -> str | None:
    index = ORDER.index(step) - 1
    while index >= 0 and not _applies(ORDER[index], form, today, rules):
        index -= 1
    return ORDER[index] if index >= 0 else None


async def _answer(step: str, value: str, state: FSMContext, signing: SigningService,
                  centre: CentreConfig, user: User) -> str | None:  # fmt: skip
    """Records a button answer; the next step, 'save', or None when the answer is not valid."""
    form = await _form(state)
    today = signing.today()
    if step == "relation":
        try:
            relation = Relation(value)
        except ValueError:
            return None
        form = await _keep(state, relation=relation.value, **(
            {"sex": SEX_OF[relation].value} if relation in SEX_OF else {}))  # fmt: skip
    elif step == "name" and value == "relation":
        form = await _keep(state, name=relation_label(Relation(form["relation"])))
    elif step in ("decade", "year", "month") and value.isdigit():
        form = await _keep(state, **{step: int(value)})
    elif step == "day" and value.isdigit():
        try:
            born = date(int(form["year"]), int(form["month"]), int(value))
        except (KeyError, ValueError):
            return None
        if born > today:
            return None
        form = await _keep(state, born=born.isoformat())
    elif step == "sex" and value in (Sex.MALE.value, Sex.FEMALE.value):
        form = await _keep(state, sex=value)
    elif step == "health" and value in ("yes", "no"):
        # "Yes" records the member's consent now, in the database: saving the member later
        # writes health facts only on that record, never on the form's word.
        consent_id = await signing.agree_member_health(user) if value == "yes" else None
        form = await _keep(state, health=consent_id is not None, consent=consent_id)
    elif step == "cond":
        if value != "done":
            if centre.condition(value) is None:
                return None
            chosen = list(form.get("cond", []))
            chosen = [c for c in chosen if c != value] if value in chosen else [*chosen, value]
            await _keep(state, cond=chosen)
            return "cond"
    elif step == "preg" and value in {p.value for p in Pregnancy}:
        form = await _keep(state, preg=value)
    elif step == "disab" and value in ("yes", "no"):
        form = await _keep(state, disab=value == "yes")
    else:
        return None
    return _following(step, form, today, centre.priority, await signing.health_known(user))


@routes.message(StateFilter(FamilyForm.name), F.text)
async def typed_name(message: Message, state: FSMContext, signing: SigningService,
                     centre: CentreConfig) -> None:  # fmt: skip
    name = clean_name(message.text or "")
    if name is None and name_has_link(message.text or ""):
        await message.answer(_("请写家人的真实姓名就好，不要带网址、@ 或 / 这些符号。"))
        return
    if name is None:
        await message.answer(_("名字好像不太对，请再写一次（1 到 30 个字）。"))
        return
    await _keep(state, name=name)
    await _ask("decade", message, state, signing, centre)


@routes.message(StateFilter(FamilyForm.decade, FamilyForm.year, FamilyForm.month,
                            FamilyForm.day), F.text)  # fmt: skip
async def typed_birth_date(message: Message, user: User, state: FSMContext,
                           signing: SigningService, centre: CentreConfig) -> None:  # fmt: skip
    born = parse_birth_date(message.text or "", signing.today())
    if born is None:
        await message.answer(_("请点按钮选，或者照这样写：1950-03-05"))
        return
    form = await _keep(state, born=born.isoformat(), decade=born.year // 10 * 10,
                       year=born.year, month=born.month)  # fmt: skip
    following = _following(
        "day", form, signing.today(), centre.priority, await signing.health_known(user)
    )
    await _go(following, message, state, user, signing, centre)


async def _go(step: str, message: Message, state: FSMContext, user: User,
              signing: SigningService, centre: CentreConfig) -> None:  # fmt: skip
    """Asks `step`, or saves the family member when nothing is left to ask."""
    if step == "save":
        await retire_buttons(message, state)
        await _save(message, state, user, signing)
    else:
        await _ask(step, message, state, signing, centre)


@routes.message(StateFilter(FamilyForm))
async def other_input(message: Message) -> None:
    await message.answer(_("请点上面消息里的按钮。想停下来，发 /cancel。"))


async def _save(message: Message, state: FSMContext, user: User, signing: SigningService) -> None:
    form = await _form(state)
    draft = FamilyMemberDraft(
        relation=Relation(form["relation"]),
        name=str(form.get("name", "")),
        birth_date=date.fromisoformat(form["born"]),
        sex=Sex(form["sex"]),
        conditions=list(form.get("cond", [])),
        pregnancy=Pregnancy(form["preg"]) if "preg" in form else None,
        disability=form.get("disab"),
        consent_id=form["consent"] if isinstance(form.get("consent"), int) else None,
    )
    try:
        resident = await signing.add_family_member(user, draft)
    except SigningProblem:
        await message.answer(_("没能添加这位家人，请检查一下再试。"))
        await back_to_who(message, state, user, signing, None)
        return
    await message.answer(_("已添加：{name}").format(name=resident.name))
    if form.get("health") and resident.disability is None:  # consent withdrawn meanwhile
        await message.answer(_("您已经不再同意记录健康信息，所以这位家人的慢病等情况没有保存。"))
    await back_to_who(message, state, user, signing, resident.id)


async def back_to_who(
    message: Message, state: FSMContext, user: User, signing: SigningService, added: int | None
) -> None:
    data = await state.get_data()
    chosen = list(data.get("who", []))
    if added is not None:
        chosen.append(added)
    await state.update_data(who=chosen, fm={})
    await state.set_state(Signing.who)
    await ask_who(message, await signing.members(user), chosen)
