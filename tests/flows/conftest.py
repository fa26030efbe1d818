"""Fixtures for flow tests: deliveries, and the people most scenarios start from (a resident
who has onboarded, staff who joined by invite, a household request). The button walks they
are made of are in tests/flows/journeys.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiogram import Bot, Dispatcher

from bot.app import ErrorTally, build_dispatcher, make_i18n
from bot.delivery import Deliverer
from bot.local_chat import LocalChat
from bot.settings import Settings
from flows.admin.service import create_doctor_invite
from flows.centre import CentreConfig
from flows.clock import FrozenClock
from storage.database import Database
from tests.flows.journeys import (
    Deliver,
    Household,
    InviteCode,
    JoinByInvite,
    OwnDispatcher,
    onboard_by_buttons,
    sign_household_by_buttons,
)


@pytest.fixture
def deliver(bot: Bot, db: Database, clock: FrozenClock, centre: CentreConfig) -> Deliver:
    """Runs one delivery sweep, as the bot's scheduler does: notices reach other chats."""
    deliverer = Deliverer(bot, db.sessionmaker, clock, centre, make_i18n("zh_CN"))

    async def sweep() -> None:
        await deliverer.sweep()

    return sweep


@pytest.fixture
async def own_dispatcher(settings: Settings, clock: FrozenClock) -> AsyncIterator[OwnDispatcher]:
    """`own_dispatcher(database)`: a dispatcher with a tally of its own, for tests where the
    safety net is meant to catch a failure (the `dp` fixture fails a test on any crash)."""
    made: list[Dispatcher] = []

    def make(database: Database) -> tuple[Dispatcher, ErrorTally]:
        tally = ErrorTally()
        made.append(build_dispatcher(settings, database, clock, errors=tally))
        return made[-1], tally

    yield make
    for dispatcher in made:
        await dispatcher.storage.close()


@pytest.fixture
async def onboarded(person: Callable[..., LocalChat]) -> LocalChat:
    """A resident who has onboarded by buttons: 张秀兰, born 1948-03-05, of 幸福一社区 (team
    A, dr-wang's), hypertension and diabetes recorded with her health-data consent."""
    chat = person()
    await onboard_by_buttons(chat)
    return chat


@pytest.fixture
def invite_code(db: Database, clock: FrozenClock, centre: CentreConfig) -> InviteCode:
    """`await invite_code("dr-wang")`: a fresh one-time invite for that staff post."""

    async def make(staff_id: str) -> str:
        async with db.sessionmaker() as session:
            invite = await create_doctor_invite(
                session, staff_id=staff_id, clock=clock, centre=centre
            )
            await session.commit()
        return invite.code

    return make


@pytest.fixture
def join_by_invite(
    person: Callable[..., LocalChat], invite_code: InviteCode, centre: CentreConfig
) -> JoinByInvite:
    """`await join_by_invite("dr-wang")`: the chat of that staff member, who opened the bot
    with a fresh invite; their Telegram name is their name in config.yml."""

    async def join(staff_id: str) -> LocalChat:
        staff = centre.staff(staff_id)
        assert staff is not None, f"{staff_id} is not in config.yml"
        chat = person(first_name=staff.name[1:], last_name=staff.name[0])
        await chat.say(f"/start {await invite_code(staff_id)}")
        return chat

    return join


@pytest.fixture
def household_request(
    person: Callable[..., LocalChat],
    join_by_invite: JoinByInvite,
    deliver: Deliver,
) -> Household:
    """`await household_request("dr-wang", "nurse-li")`: those staff join; a resident onboards
    and asks 王建国 to sign her and her husband; the notices are delivered. Returns the staff
    chats in that order and the resident's chat."""

    async def request(*staff_ids: str) -> tuple[list[LocalChat], LocalChat]:
        staff = [await join_by_invite(staff_id) for staff_id in staff_ids]
        resident = person()
        await onboard_by_buttons(resident)
        await sign_household_by_buttons(resident)
        await deliver()
        return staff, resident

    return request


@pytest.fixture
def signed_household(household_request: Household, deliver: Deliver) -> Household:
    """household_request, approved by the first of the staff, with the notices delivered."""

    async def signed(*staff_ids: str) -> tuple[list[LocalChat], LocalChat]:
        staff, resident = await household_request(*staff_ids)
        await staff[0].press("查看申请")
        await staff[0].press("✅ 同意")
        await deliver()
        return staff, resident

    return signed
