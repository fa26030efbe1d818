"""A form as data: its questions in order, which of them apply to this person, what each one
asks and offers, and what an answer does. The scene (flows/forms/scene.py) walks it; a
slice only writes its questions.

Walking back goes to the previous question that applies. When one line of a finished form is
being changed (`editing` in the draft), an answer goes straight back to the review question
and going back returns to the list of lines, so nobody is walked through the rest again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Contact, Message, ReplyKeyboardMarkup

from flows.centre import CentreConfig
from flows.clock import Clock
from flows.forms.words import Choice
from storage.models import User

STEP = "step"  # in the draft: the question being asked
EDITING = "editing"  # in the draft: one line of a finished form is being changed


class Then(Enum):
    """What happens after an answer, besides going to a named question."""

    NEXT = "next"  # the next question that applies (the review, when editing one line)
    AGAIN = "again"  # the same question, asked again
    REDRAW = "redraw"  # the same question's buttons, redrawn in place (a ticked box)
    STAY = "stay"  # nothing more: the answer already said what it had to
    DONE = "done"  # the form is over


Next = str | Then


@dataclass
class Turn:
    """One answer in a form, with what the questions need to read and to act on it."""

    message: Message  # the chat's message: the person's own, or the question they pressed
    state: FSMContext
    data: dict[str, Any]  # the handler's data: user, services, centre, i18n, clock…
    draft: dict[str, Any]  # the answers so far, kept in the conversation state
    query: CallbackQuery | None = None

    @property
    def step(self) -> str:
        return str(self.draft.get(STEP, ""))

    @property
    def user(self) -> User:
        user: User = self.data["user"]
        return user

    @property
    def centre(self) -> CentreConfig:
        centre: CentreConfig = self.data["centre"]
        return centre

    @property
    def today(self) -> date:
        clock: Clock = self.data["clock"]
        return clock.now().astimezone(self.centre.zone).date()

    @property
    def editing(self) -> bool:
        return self.draft.get(EDITING) is True

    async def say(self, text: str, **kwargs: Any) -> None:
        await self.message.answer(text, **kwargs)


Text = Callable[[Turn], str]
Answer = Callable[[Turn, str], Awaitable[Next]]
Typed = Callable[[Turn, str], Awaitable[Next | None]]  # None: not an answer to this question


def _no_choices(turn: Turn) -> list[Choice]:
    return []


def _always(turn: Turn) -> bool:
    return True


@dataclass(frozen=True)
class Question:
    """One question of a form. `answer` takes a choice's value, pressed or typed; `typed`
    reads free text first (a name, a date) and returns None when the text is not for it."""

    step: str
    text: Text
    answer: Answer
    choices: Callable[[Turn], list[Choice]] = _no_choices
    typed: Typed | None = None
    simpler: Text | None = None  # for 听不懂: the question again in plainer words
    applies: Callable[[Turn], bool] = _always
    width: int = 2  # buttons per row
    back: bool = True  # offers ⬅️ 上一步
    leads_on: bool = False  # part of a chain with the next question (decade → year → month)
    reply_keyboard: Callable[[Turn], ReplyKeyboardMarkup] | None = None  # instead of buttons
    back_to: Callable[[Turn], Awaitable[Next]] | None = None  # ⬅️, when not the one before
    contact: Callable[[Turn, Contact], Awaitable[Next]] | None = None  # a shared phone number


@dataclass(frozen=True)
class Form:
    name: str  # in callback data: short
    questions: Sequence[Question]
    review: str | None = None  # the question an edited line returns to
    lines: str | None = None  # the question listing the lines one may change
    _by_step: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_step", {q.step: q for q in self.questions})

    def __getitem__(self, step: str) -> Question:
        return self._by_step[step]

    def __contains__(self, step: object) -> bool:
        return step in self._by_step

    @property
    def first(self) -> str:
        return self.questions[0].step

    def after(self, step: str, turn: Turn) -> str:
        """The question that follows an answer to `step`."""
        if turn.editing and self.review and not self[step].leads_on:
            return self.review
        return self._neighbour(step, turn, +1)

    async def before(self, step: str, turn: Turn) -> Next:
        """Where ⬅️ 上一步 leads from `step`."""
        question = self[step]
        if question.back_to is not None:
            return await question.back_to(turn)
        previous = self._neighbour(step, turn, -1)
        if turn.editing and self.lines and not self[previous].leads_on:
            return self.lines
        return previous

    def _neighbour(self, step: str, turn: Turn, direction: int) -> str:
        steps = [q.step for q in self.questions]
        index = steps.index(step) + direction
        while 0 <= index < len(steps) and not self.questions[index].applies(turn):
            index += direction
        return steps[index] if 0 <= index < len(steps) else step
