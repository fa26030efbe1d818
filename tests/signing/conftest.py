"""Helpers for the signing tests: residents made through onboarding, staff accounts, and one
fresh session per action, as the bot has one session per Telegram update."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.centre import CentreConfig
from flows.clock import FrozenClock
from flows.onboarding.service import OnboardingService, ProfileDraft
from flows.signing.service import SigningService
from storage import contracts as q
from storage.database import Database
from storage.models import (
    ConsentKind,
    Contract,
    ContractState,
    Role,
    ScheduledMessage,
    Sex,
    Staff,
    User,
)
from storage.users import find_user

# One Telegram id per account, across every test (ids only need to be unique per database).
_telegram_ids = itertools.count(70001)


@dataclass(frozen=True)
class Account:
    """A Telegram account of the bot: what a test needs to act as that person again."""

    telegram_id: int
    user_id: int
    staff_id: str | None = None


class Centre:
    """The centre as the tests see it: accounts, actions in their own sessions, and reads."""

    def __init__(self, db: Database, clock: FrozenClock, centre: CentreConfig) -> None:
        self.db, self.clock, self.config = db, clock, centre

    # ---- accounts ---------------------------------------------------------------------------

    async def account(self, **fields: object) -> Account:
        """A bare Telegram account of the bot (no consent, no profile) with these fields."""
        now = self.clock.now()
        async with self.db.sessionmaker() as session:
            user = User(telegram_id=next(_telegram_ids), created_at=now, last_seen_at=now, **fields)
            session.add(user)
            await session.commit()
            return Account(user.telegram_id, user.id, user.staff_id)

    async def resident(
        self,
        name: str = "张秀兰",
        born: date = date(1948, 3, 5),
        sex: Sex = Sex.FEMALE,
        community: str = "xingfu-1",
        conditions: Sequence[str] = ("hypertension",),
        health_consent: bool = True,
    ) -> Account:
        """A resident who went through onboarding: privacy notice, health-data consent (or
        not), then the profile, in its own household."""
        account = await self.account(role=Role.RESIDENT)
        async with self.db.sessionmaker() as session:
            user = await find_user(session, account.telegram_id)
            assert user is not None
            onboarding = OnboardingService(session, self.clock, self.config)
            await onboarding.record_consent(user, ConsentKind.PRIVACY_NOTICE, granted=True)
            if health_consent:
                await onboarding.record_consent(user, ConsentKind.HEALTH_DATA, granted=True)
            await onboarding.complete_profile(
                user,
                ProfileDraft(
                    name=name,
                    phone="+8613800138000",
                    birth_date=born,
                    sex=sex,
                    community_id=community,
                    address="幸福路 12 号 3 栋",
                    health_consent=health_consent,
                    conditions=list(conditions) if health_consent else [],
                ),
            )
        return account

    async def staff(self, staff_id: str) -> Account:
        """The bot account of a staff member (as after redeeming an invite)."""
        return await self.account(role=Role.STAFF, staff_id=staff_id, onboarded_at=self.clock.now())

    async def admin(self) -> Account:
        return await self.account(role=Role.ADMIN, onboarded_at=self.clock.now())

    # ---- acting, one session per update -----------------------------------------------------

    @asynccontextmanager
    async def session_for(self, account: Account) -> AsyncIterator[tuple[AsyncSession, User]]:
        """What one Telegram update from this account sees: a fresh session and the user with
        resident and household loaded."""
        async with self.db.sessionmaker() as session:
            user = await find_user(session, account.telegram_id)
            assert user is not None
            yield session, user

    @asynccontextmanager
    async def update(self, account: Account) -> AsyncIterator[tuple[SigningService, User]]:
        """One update from this account, with the signing service."""
        async with self.session_for(account) as (session, user):
            yield SigningService(session, self.clock, self.config), user

    async def request(
        self,
        account: Account,
        packages: Sequence[str] = ("hypertension",),
        staff_id: str = "dr-wang",
        term_years: int = 1,
    ) -> Contract:
        """The account's own resident asks to sign with these packages."""
        async with self.update(account) as (signing, user):
            assert user.resident is not None
            return await signing.request(
                user, staff_id, {user.resident.id: list(packages)}, term_years
            )

    async def approve(self, doctor: Account, contract_id: int) -> Contract:
        async with self.update(doctor) as (signing, user):
            return await signing.approve(user, contract_id)

    async def signed(
        self, account: Account, doctor: Account, packages: Sequence[str] = ("hypertension",)
    ) -> Contract:
        """Requested and approved: an active contract."""
        assert doctor.staff_id is not None
        requested = await self.request(account, packages, staff_id=doctor.staff_id)
        return await self.approve(doctor, requested.id)

    # ---- reading back -----------------------------------------------------------------------

    async def resident_id(self, account: Account) -> int:
        async with self.db.sessionmaker() as session:
            user = await find_user(session, account.telegram_id)
            assert user is not None and user.resident is not None
            return user.resident.id

    async def contract(self, contract_id: int) -> Contract:
        async with self.db.sessionmaker() as session:
            contract = await q.contract_by_id(session, contract_id)
            assert contract is not None
            return contract

    async def contracts(self, state: ContractState | None = None) -> list[Contract]:
        async with self.db.sessionmaker() as session:
            return list(await q.all_contracts(session, None if state is None else [state]))

    async def messages(
        self, kind: str | None = None, to: Account | None = None
    ) -> list[ScheduledMessage]:
        async with self.db.sessionmaker() as session:
            query = select(ScheduledMessage).order_by(ScheduledMessage.id)
            if kind is not None:
                query = query.where(ScheduledMessage.kind == kind)
            if to is not None:
                query = query.where(ScheduledMessage.recipient_user_id == to.user_id)
            return list(await session.scalars(query))

    async def places_taken(self, staff_id: str) -> int:
        async with self.db.sessionmaker() as session:
            return (await q.places_taken(session, [staff_id]))[staff_id]

    async def set_max_residents(self, staff_id: str, places: int) -> None:
        async with self.db.sessionmaker() as session:
            await session.execute(
                update(Staff).where(Staff.id == staff_id).values(max_residents=places)
            )
            await session.commit()


@pytest.fixture
def world(db: Database, clock: FrozenClock, centre: CentreConfig) -> Centre:
    """The centre on SQLite (the default deployment)."""
    return Centre(db, clock, centre)


@pytest.fixture
def any_world(any_db: Database, clock: FrozenClock, centre: CentreConfig) -> Centre:
    """The centre on SQLite and on PostgreSQL."""
    return Centre(any_db, clock, centre)
