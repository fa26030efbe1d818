"""The form engine: an aiogram Scene that walks a Form (flows/forms/form.py).

What every form gets from it, on every question:
- one question per message, its answers as large buttons; only the newest question keeps
  them, and a pressed question shows what was chosen (👉 …);
- typed answers: the question's own reading of free text first (a name, a date), then the
  buttons' words, their synonyms and their place in the list (二, 第二个);
- 返回 / 上一步 / 点错了 (and ⬅️) go back; /menu, /cancel, 取消 and the main-menu buttons
  leave the form; 听不懂 says the question again in plainer words, with the centre's phone;
- buttons from older questions, or forged, are answered kindly and change nothing.

A slice subclasses FormScene with its Form and a state name, and may override `leave` (what
/menu and /cancel do) and `finish` (after the last answer)."""

from __future__ import annotations

from typing import Any, ClassVar

from aiogram import F
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.scene import Scene, on
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import gettext as _

from flows.forms.form import STEP, Form, Next, Question, Then, Turn
from flows.forms.prompts import PROMPT_KEY, ask_with_buttons, buttons_taken_away, retire_buttons
from flows.forms.words import Escape, escape_in, pick
from flows.menu.buttons import MenuButton, MenuPressed, main_menu_keyboard

BACK = "back"


class Pick(CallbackData, prefix="fp"):
    """A button answering one question of one form. `step` lets old buttons be told apart."""

    form: str
    step: str
    value: str


_ANY_MENU_BUTTON = MenuPressed(*MenuButton)


def stale_text() -> str:
    return _("这个按钮已经不能用了，请点最新消息里的按钮。")


class FormScene(Scene):
    form: ClassVar[Form]

    # ---- ways in ----------------------------------------------------------------------------

    @on.message.enter()
    async def entered_by_message(
        self, message: Message, state: FSMContext, step: str | None = None, **data: Any
    ) -> None:
        await self._begin(Turn(message, state, data, await state.get_data()), step)

    @on.callback_query.enter()
    async def entered_by_button(
        self, query: CallbackQuery, state: FSMContext, step: str | None = None, **data: Any
    ) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            turn = Turn(query.message, state, data, await state.get_data(), query)
            await self._begin(turn, step)

    async def _begin(self, turn: Turn, step: str | None) -> None:
        chosen = step or str(turn.draft.get(STEP) or self.form.first)
        await self.ask(turn, chosen if chosen in self.form else self.form.first)

    # ---- answers ----------------------------------------------------------------------------

    @on.callback_query(Pick.filter())
    async def pressed(
        self, query: CallbackQuery, callback_data: Pick, state: FSMContext, **data: Any
    ) -> None:
        draft = await state.get_data()
        step, value = callback_data.step, callback_data.value
        message = query.message
        current = callback_data.form == self.form.name and step == draft.get(STEP)
        if not isinstance(message, Message) or not current or step not in self.form:
            await query.answer(stale_text())
            return
        turn = Turn(message, state, data, draft, query)
        question = self.form[step]
        if value == BACK and question.back:
            await self._settle(turn, _("上一步"))
            await self.follow(turn, await self.form.before(step, turn))
            return
        choice = next((c for c in question.choices(turn) if c.value == value), None)
        if choice is None:
            await query.answer(stale_text())
            return
        then = await question.answer(turn, choice.value)  # first: if it fails, nothing moved
        if choice.settles:
            await self._settle(turn, choice.label)
        else:
            await query.answer()
        await self.follow(turn, then)

    @on.message(F.text)
    async def typed(self, message: Message, state: FSMContext, **data: Any) -> None:
        text = message.text or ""
        turn = Turn(message, state, data, await state.get_data())
        if turn.step not in self.form:
            await self.ask(turn, self.form.first)
            return
        question = self.form[turn.step]
        if await _ANY_MENU_BUTTON(message, data["i18n"]):
            await self.leave(turn, Escape.MENU, menu_button=True)
            return
        escape = escape_in(text)
        if escape is Escape.BACK:
            await self._back_by_words(turn, question)
        elif escape is Escape.CONFUSED:
            await self._explain(turn, question)
        elif escape is not None:
            await self.leave(turn, escape)
        else:
            await self._read(turn, question, text)

    @on.message(F.contact)
    async def shared_contact(self, message: Message, state: FSMContext, **data: Any) -> None:
        turn = Turn(message, state, data, await state.get_data())
        question = self.form[turn.step] if turn.step in self.form else None  # noqa: SIM401
        if question is None or question.contact is None or message.contact is None:
            await self._not_understood(turn)
            return
        await self.follow(turn, await question.contact(turn, message.contact))

    @on.message(~F.text, ~F.contact)
    async def not_text(self, message: Message, state: FSMContext, **data: Any) -> None:
        await self._not_understood(Turn(message, state, data, await state.get_data()))

    async def _read(self, turn: Turn, question: Question, text: str) -> None:
        """A button's words first, then the question's own reading, then a place (第二个)."""
        choices = question.choices(turn)
        choice = pick(text, choices, by_place=False)
        if choice is None and question.typed is not None:
            then = await question.typed(turn, text)
            if then is not None:
                await self.follow(turn, then)
                return
        choice = choice or pick(text, choices)
        if choice is None:
            await self._not_understood(turn)
            return
        await self.follow(turn, await question.answer(turn, choice.value))

    async def _not_understood(self, turn: Turn) -> None:
        await turn.say(_("请点下面消息里的按钮来回答。"))
        await self.ask(turn, turn.step if turn.step in self.form else self.form.first)

    async def _back_by_words(self, turn: Turn, question: Question) -> None:
        if not question.back:
            await turn.say(_("这已经是第一步了。"))
            await self.ask(turn, question.step)
            return
        if question.reply_keyboard is not None:  # take its keyboard away as we leave it
            await turn.say(_("好的，回到上一步。"), reply_markup=ReplyKeyboardRemove())
        await self.follow(turn, await self.form.before(question.step, turn))

    async def _explain(self, turn: Turn, question: Question) -> None:
        simpler = question.simpler(turn) if question.simpler else _("点下面的一个按钮就行。")
        phone = _("还是不清楚的话，请打中心电话 {phone}，我们帮您办。").format(
            phone=turn.centre.centre.phone
        )
        await turn.say(f"{simpler}\n{phone}")
        await self.ask(turn, question.step)

    # ---- moving on --------------------------------------------------------------------------

    async def follow(self, turn: Turn, then: Next) -> None:
        if then is Then.STAY:
            await turn.state.set_data(turn.draft)
        elif then is Then.DONE:
            await self.finish(turn)
        elif then is Then.AGAIN:
            await self.ask(turn, turn.step)
        elif then is Then.REDRAW:
            await self._redraw(turn)
        elif then is Then.NEXT:
            await self.ask(turn, self.form.after(turn.step, turn))
        else:
            await self.ask(turn, then)

    async def ask(self, turn: Turn, step: str) -> None:
        """Puts the form on `step` and asks its question."""
        question = self.form[step]
        turn.draft[STEP] = step
        await turn.state.set_data(turn.draft)
        markup = (
            question.reply_keyboard(turn)
            if question.reply_keyboard is not None
            else self._buttons(turn, question)
        )
        await ask_with_buttons(turn.message, turn.state, question.text(turn), markup)

    async def _redraw(self, turn: Turn) -> None:
        """A pressed toggle redraws its own question's buttons; a typed one asks again."""
        await turn.state.set_data(turn.draft)
        if turn.query is None:
            await self.ask(turn, turn.step)
            return
        markup = self._buttons(turn, self.form[turn.step])
        await turn.message.edit_reply_markup(reply_markup=markup)

    def _buttons(self, turn: Turn, question: Question) -> InlineKeyboardMarkup:
        def button(text: str, value: str) -> InlineKeyboardButton:
            data = Pick(form=self.form.name, step=question.step, value=value).pack()
            return InlineKeyboardButton(text=text, callback_data=data)

        buttons = [button(c.label, c.value) for c in question.choices(turn)]
        rows = [buttons[i : i + question.width] for i in range(0, len(buttons), question.width)]
        if question.back:
            rows.append([button(_("⬅️ 上一步"), BACK)])
        return InlineKeyboardMarkup(inline_keyboard=rows)

    async def _settle(self, turn: Turn, chosen: str) -> None:
        """Shows what was chosen in the question itself and takes its buttons away."""
        if turn.query is not None:
            await turn.query.answer()
        if turn.message.text:
            await turn.message.edit_text(f"{turn.message.text}\n\n👉 {chosen}", reply_markup=None)
        await buttons_taken_away(turn.state, turn.message)
        if turn.draft.get(PROMPT_KEY) == turn.message.message_id:
            turn.draft[PROMPT_KEY] = None

    # ---- ways out (slices may override) -----------------------------------------------------

    async def finish(self, turn: Turn) -> None:
        """After the last answer (which said what there was to say): the form is forgotten."""
        await retire_buttons(turn.message, turn.state)
        await turn.state.clear()

    async def leave(self, turn: Turn, escape: Escape, *, menu_button: bool = False) -> None:
        """/menu, /cancel, 取消 or a main-menu button: the form is left behind."""
        await retire_buttons(turn.message, turn.state)
        await turn.state.clear()
        if menu_button:
            raise SkipHandler  # the button's own slice answers it
        text = _("好的，已取消。") if escape is Escape.CANCEL else _("请选择要办的事：")
        await turn.say(text, reply_markup=main_menu_keyboard(turn.user))
