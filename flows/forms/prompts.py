"""Questions asked with inline buttons, in forms a person may also answer by typing.

Only the newest question keeps its buttons. A pressed button's question loses them as it is
answered; a typed answer would leave them live on the screen (offering answers the form has
moved past), so the next question takes them away first."""

from __future__ import annotations

from contextlib import suppress

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup

# In the conversation's state: the id of the question whose inline buttons still show.
PROMPT_KEY = "prompt_id"


async def ask_with_buttons(
    message: Message,
    state: FSMContext,
    text: str,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup,
) -> Message:
    """Sends the question after taking the buttons off the one before it, if still there."""
    await _take_buttons_off(message, await _live_prompt(state))
    sent = await message.answer(text, reply_markup=markup)
    live = sent.message_id if isinstance(markup, InlineKeyboardMarkup) else None
    await state.update_data({PROMPT_KEY: live})
    return sent


async def buttons_taken_away(state: FSMContext, message: Message) -> None:
    """The handler took `message`'s buttons away itself: nothing left for the next question."""
    if await _live_prompt(state) == message.message_id:
        await state.update_data({PROMPT_KEY: None})


async def retire_buttons(message: Message, state: FSMContext) -> None:
    """Takes the buttons off the last question asked in this chat, if they still show: the
    form is done with it (answered by typing, or the form is over)."""
    prompt_id = await _live_prompt(state)
    if prompt_id is not None:
        await _take_buttons_off(message, prompt_id)
        await state.update_data({PROMPT_KEY: None})


async def _live_prompt(state: FSMContext) -> int | None:
    prompt_id = (await state.get_data()).get(PROMPT_KEY)
    return prompt_id if isinstance(prompt_id, int) else None


async def _take_buttons_off(message: Message, prompt_id: int | None) -> None:
    if prompt_id is None or message.bot is None:
        return
    # Already gone (deleted, or too old to edit) is fine: nothing is left to take away.
    with suppress(TelegramBadRequest):
        await message.bot.edit_message_reply_markup(
            chat_id=message.chat.id, message_id=prompt_id, reply_markup=None
        )
