"""When an update fails at commit (the database refused it), the person is still told, in
their own language, that something went wrong, instead of the bot going silent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram import Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import ErrorTally, make_bot
from bot.local_api import LocalBotApi
from bot.local_chat import LocalChat
from bot.settings import Settings
from storage.database import Database
from storage.models import User
from tests.flows.journeys import OwnDispatcher

SORRY_ZH = "抱歉，出了点小问题，请再试一次。"
SORRY_EN = "Sorry, something went wrong. Please try again."


@pytest.fixture
def net(own_dispatcher: OwnDispatcher, db: Database) -> tuple[Dispatcher, ErrorTally]:
    """Here the safety net is meant to catch something."""
    return own_dispatcher(db)


def commits_fail_with_a_duplicate_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every commit from now on hits a unique constraint, as a real conflict would: the
    flush fails, the transaction rolls back, the loaded user is expired and detached."""
    real_commit = AsyncSession.commit

    async def commit(self: AsyncSession) -> None:
        now = datetime.now(UTC)
        self.add(User(telegram_id=1, created_at=now, last_seen_at=now))
        self.add(User(telegram_id=1, created_at=now, last_seen_at=now))
        await real_commit(self)

    monkeypatch.setattr(AsyncSession, "commit", commit)


@pytest.mark.parametrize(("first_button", "sorry"), [("中文", SORRY_ZH), ("English", SORRY_EN)])
async def test_a_failed_commit_still_gets_an_apology_in_the_users_language(
    net: tuple[Dispatcher, ErrorTally],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    first_button: str,
    sorry: str,
) -> None:
    dp, tally = net
    api = LocalBotApi()
    chat = LocalChat(dp, make_bot(settings, session=api), api, telegram_id=9101, first_name="秀兰")
    await chat.say("/start")
    await chat.press(first_button)  # the language is now stored on the user
    assert tally.count == 0

    commits_fail_with_a_duplicate_user(monkeypatch)
    answer = await chat.say("/menu")
    assert [s.text for s in answer][-1:] == [sorry]
    assert tally.kinds == ["IntegrityError"]


async def test_a_failed_commit_on_a_button_press_answers_the_press(
    net: tuple[Dispatcher, ErrorTally], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    dp, tally = net
    api = LocalBotApi()
    chat = LocalChat(dp, make_bot(settings, session=api), api, telegram_id=9102, first_name="秀兰")
    await chat.say("/start")

    commits_fail_with_a_duplicate_user(monkeypatch)
    answer = await chat.press("中文")
    assert [(s.kind, s.text) for s in answer][-1:] == [("toast", SORRY_ZH)]
    assert tally.kinds == ["IntegrityError"]
