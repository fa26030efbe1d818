"""A doctor never holds more residents than their maximum: full doctors are not offered, the
grid's households wait and hear when a place frees, and two residents signing the last free
place at the same moment never both get it. Double taps and simultaneous updates keep every
resident in at most one contract, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from flows.action_buttons import button_data
from flows.signing.callbacks import CardAction
from flows.signing.service import (
    DoctorFull,
    FamilyMemberDraft,
    SigningProblem,
    SigningService,
    StateChanged,
)
from storage import contracts as q
from storage.models import Contract, ContractState, Relation, Sex, Staff, User
from tests.signing.conftest import Account, Centre


async def with_spouse(world: Centre, account: Account) -> int:
    async with world.update(account) as (signing, user):
        spouse = await signing.add_family_member(
            user,
            FamilyMemberDraft(Relation.SPOUSE, "李国强", date(1950, 6, 1), Sex.MALE),
        )
    return spouse.id


async def request_for_all(world: Centre, account: Account, staff_id: str = "dr-wang") -> Contract:
    async with world.update(account) as (signing, user):
        members = await signing.members(user)
        return await signing.request(user, staff_id, {m.resident.id: [] for m in members}, 1)


# ---- a full doctor -----------------------------------------------------------------------------


async def test_a_full_doctor_is_not_offered_and_the_grid_may_wait(world: Centre) -> None:
    doctor = await world.staff("dr-wang")
    await world.set_max_residents("dr-wang", 2)
    couple = await world.resident()
    await with_spouse(world, couple)
    async with world.update(couple) as (signing, user):
        choices = await signing.doctor_choices(user, places=2)
    assert [(c.staff_id, c.places_left, c.in_grid) for c in choices.offered] == [
        ("dr-wang", 2, True), ("dr-chen", 1800, False),
    ]  # fmt: skip
    assert not choices.grid_full
    couples_request = await request_for_all(world, couple)

    neighbour = await world.resident(name="刘德华", sex=Sex.MALE, community="xingfu-2")
    async with world.update(neighbour) as (signing, user):
        choices = await signing.doctor_choices(user, places=1)
        assert [c.staff_id for c in choices.offered] == ["dr-chen"]  # another team's doctor
        assert choices.grid_full
        with pytest.raises(DoctorFull):
            await signing.request(user, "dr-wang", {user.resident.id: []}, 1)  # type: ignore[union-attr]
        entry = await signing.join_waitlist(user)
    async with world.update(neighbour) as (signing, user):
        assert (await signing.join_waitlist(user)).id == entry.id  # waiting once is enough
    assert entry.community_id == "xingfu-2"
    assert await world.places_taken("dr-wang") == 2

    async with world.update(doctor) as (signing, user):
        await signing.reject(user, couples_request.id, "full")
    [told] = await world.messages("waitlist_place", to=neighbour)
    [[button]] = told.payload["buttons"]
    assert button["text"] == "📝 去签约"
    assert button_data(button) == CardAction(action="start").pack()  # the wizard's own button
    async with world.update(neighbour) as (signing, user):
        choices = await signing.doctor_choices(user, places=1)
        assert (choices.offered[0].staff_id, choices.offered[0].places_left) == ("dr-wang", 2)
        assert not choices.grid_full
        await signing.request(user, "dr-wang", {user.resident.id: []}, 1)  # type: ignore[union-attr]
    async with world.db.sessionmaker() as session:  # signing ends the wait
        assert await q.waitlist_entry(session, entry.household_id) is None


async def test_a_freed_place_goes_to_the_longest_waiting_household_of_the_grid(
    world: Centre,
) -> None:
    doctor = await world.staff("dr-wang")
    await world.set_max_residents("dr-wang", 1)
    grandma = await world.resident()
    contract = await world.signed(grandma, doctor)
    first = await world.resident(name="刘德华", sex=Sex.MALE, community="xingfu-2")
    second = await world.resident(name="张学友", sex=Sex.MALE, community="xingfu-1")
    elsewhere = await world.resident(name="黎明", sex=Sex.MALE, community="yulin-east")
    for account in (first, second, elsewhere):
        async with world.update(account) as (signing, user):
            await signing.join_waitlist(user)
        world.clock.advance(timedelta(minutes=1))

    async with world.update(grandma) as (signing, user):
        await signing.cancel(user, "moved")
    assert len(await world.messages("waitlist_place", to=first)) == 1
    assert await world.messages("waitlist_place", to=second) == []  # one place, one household
    assert await world.messages("waitlist_place", to=elsewhere) == []  # not dr-wang's grid
    assert (await world.contract(contract.id)).state is ContractState.CANCELLED

    # The household told but not signing goes to the back: the next free place is the other's.
    world.clock.advance(timedelta(minutes=1))
    taker = await world.request(grandma)
    async with world.update(doctor) as (signing, user):
        await signing.reject(user, taker.id, "full")
    assert len(await world.messages("waitlist_place", to=second)) == 1
    assert len(await world.messages("waitlist_place", to=first)) == 1


async def test_an_expired_contract_frees_its_place_for_whoever_waits(world: Centre) -> None:
    doctor = await world.staff("dr-wang")
    await world.set_max_residents("dr-wang", 1)
    grandma = await world.resident()
    await world.signed(grandma, doctor)
    waiting = await world.resident(name="刘德华", sex=Sex.MALE)
    async with world.update(waiting) as (signing, user):
        await signing.join_waitlist(user)
    world.clock.advance(timedelta(days=366))
    async with world.update(waiting) as (signing, _user):
        assert await signing.expire_ended() == 1
    assert len(await world.messages("waitlist_place", to=waiting)) == 1
    assert (await request_for_all(world, waiting)).state is ContractState.REQUESTED


async def test_a_household_that_does_not_fit_is_refused_as_a_whole(world: Centre) -> None:
    await world.set_max_residents("dr-wang", 1)
    couple = await world.resident()
    await with_spouse(world, couple)
    with pytest.raises(DoctorFull):
        await request_for_all(world, couple)
    assert await world.places_taken("dr-wang") == 0
    assert await world.contracts() == []


async def test_a_change_of_doctor_needs_a_free_place_with_the_new_doctor(world: Centre) -> None:
    wang = await world.staff("dr-wang")
    await world.set_max_residents("dr-chen", 0)
    grandma = await world.resident()
    contract = await world.signed(grandma, wang)
    async with world.update(grandma) as (signing, user):
        with pytest.raises(DoctorFull):
            await signing.request_change(user, "dr-chen")
    assert [c.id for c in await world.contracts()] == [contract.id]


# ---- the last place, and other things happening at the same moment ---------------------------


Outcome = Any  # what the action returned, or the SigningProblem it raised


async def at_the_same_moment(
    world: Centre,
    *actions: tuple[Account, Callable[[SigningService, User], Awaitable[Any]]],
) -> list[Outcome]:
    """Runs each action as its own update (own session, own connection); all of them have
    loaded their user, and so begun their transaction, before any goes on."""
    everyone_loaded = asyncio.Barrier(len(actions))

    async def run(account: Account, action: Callable[..., Awaitable[Any]]) -> Outcome:
        async with world.update(account) as (signing, user):
            await everyone_loaded.wait()
            try:
                return await action(signing, user)
            except SigningProblem as problem:
                return problem

    return list(await asyncio.gather(*(run(account, action) for account, action in actions)))


def sign_self(staff_id: str = "dr-wang") -> Callable[[SigningService, User], Awaitable[Contract]]:
    async def action(signing: SigningService, user: User) -> Contract:
        assert user.resident is not None
        return await signing.request(user, staff_id, {user.resident.id: ["hypertension"]}, 1)

    return action


async def test_two_residents_signing_the_last_free_place_at_the_same_moment_one_gets_it(
    any_world: Centre, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two households see one place left with dr-wang and press "sign" together, each in its
    own update (own session, own connection, own transaction). Exactly one gets the place,
    the other hears the doctor is full, and the doctor never holds more than their maximum.
    Three rounds.

    Both requests count the places in their transaction before either commits (the doctor
    list). On PostgreSQL they also both hold their household's lock and have read everything
    before either asks for the doctor's lock: the doctor's lock alone decides. (On SQLite a
    request is the only writer from its first lock to its commit, so the second request can
    only start once the first has committed.)"""
    world = any_world
    await world.staff("dr-wang")
    await world.request(await world.resident(name="赵大爷", sex=Sex.MALE))  # holds a place
    real_lock = q.lock_doctor

    for round_ in range(3):
        taken = await world.places_taken("dr-wang")
        await world.set_max_residents("dr-wang", taken + 1)  # exactly one place left
        a = await world.resident(name=f"钱阿姨{round_}", community="xingfu-1")
        b = await world.resident(name=f"孙大妈{round_}", community="xingfu-2")
        both_counted, both_at_the_lock = asyncio.Barrier(2), asyncio.Barrier(2)

        async def lock_together(
            session: AsyncSession, staff_id: str, gate: asyncio.Barrier = both_at_the_lock
        ) -> Staff | None:
            await gate.wait()
            return await real_lock(session, staff_id)

        if not world.db.is_sqlite:
            monkeypatch.setattr(q, "lock_doctor", lock_together)

        async def sign(
            signing: SigningService, user: User, gate: asyncio.Barrier = both_counted
        ) -> Contract:
            choices = await signing.doctor_choices(user, places=1)
            assert choices.offered[0].staff_id == "dr-wang"
            assert choices.offered[0].places_left == 1
            await gate.wait()
            return await sign_self("dr-wang")(signing, user)

        outcomes = await at_the_same_moment(world, (a, sign), (b, sign))
        monkeypatch.setattr(q, "lock_doctor", real_lock)

        assert sorted(type(o).__name__ for o in outcomes) == ["Contract", "DoctorFull"], outcomes
        assert await world.places_taken("dr-wang") == taken + 1  # == max_residents
        assert len(await world.contracts(ContractState.REQUESTED)) == round_ + 2
        # The one who lost has nothing half-signed and may wait for a place.
        loser = (a, b)[[isinstance(o, DoctorFull) for o in outcomes].index(True)]
        async with world.update(loser) as (signing, user):
            assert await signing.current(user) is None
            choices = await signing.doctor_choices(user, places=1)
            assert choices.grid_full and "dr-wang" not in [c.staff_id for c in choices.offered]
            await signing.join_waitlist(user)


async def test_one_household_asking_two_doctors_at_once_is_covered_once(
    any_world: Centre,
) -> None:
    world = any_world
    grandma = await world.resident()
    outcomes = await at_the_same_moment(
        world, (grandma, sign_self("dr-wang")), (grandma, sign_self("dr-chen"))
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["AlreadyCovered", "Contract"], outcomes
    assert len(await world.contracts()) == 1
    assert await world.places_taken("dr-wang") + await world.places_taken("dr-chen") == 1


async def test_a_double_tap_on_approve_approves_once(any_world: Centre) -> None:
    world = any_world
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    requested = await world.request(grandma)

    async def approve(signing: SigningService, user: User) -> Contract:
        return await signing.approve(user, requested.id)

    outcomes = await at_the_same_moment(world, (doctor, approve), (doctor, approve))
    assert sorted(type(o).__name__ for o in outcomes) == ["Contract", "StateChanged"], outcomes
    contract = await world.contract(requested.id)
    assert_one_history(contract)
    assert [t.to_state for t in contract.transitions] == [
        ContractState.REQUESTED, ContractState.ACTIVE,
    ]  # fmt: skip
    assert len(await world.messages("signing_decided", to=grandma)) == 1


async def test_a_double_tap_on_renew_renews_once(any_world: Centre) -> None:
    world = any_world
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    old = await world.signed(grandma, doctor)
    world.clock.advance(timedelta(days=340))

    async def renew(signing: SigningService, user: User) -> Contract:
        return await signing.renew(user)

    outcomes = await at_the_same_moment(world, (grandma, renew), (grandma, renew))
    renewed = [o for o in outcomes if isinstance(o, Contract)]
    assert len(renewed) == 1, outcomes
    assert [c.id for c in await world.contracts(ContractState.ACTIVE)] == [renewed[0].id]
    assert (await world.contract(old.id)).state is ContractState.RENEWED
    assert await world.places_taken("dr-wang") == 1


async def test_a_double_tap_on_wait_for_a_place_waits_once(any_world: Centre) -> None:
    world = any_world
    await world.set_max_residents("dr-wang", 0)
    grandma = await world.resident()

    async def wait(signing: SigningService, user: User) -> int:
        return (await signing.join_waitlist(user)).id

    first, second = await at_the_same_moment(world, (grandma, wait), (grandma, wait))
    assert first == second


async def test_cancelling_while_the_new_doctor_approves_the_change(any_world: Centre) -> None:
    """The resident cancels as dr-chen approves the change of doctor: whichever comes first,
    the resident ends with at most one active contract and no request left hanging."""
    world = any_world
    wang = await world.staff("dr-wang")
    chen = await world.staff("dr-chen")
    grandma = await world.resident()
    await world.signed(grandma, wang)
    async with world.update(grandma) as (signing, user):
        change = await signing.request_change(user, "dr-chen")

    async def approve(signing: SigningService, user: User) -> Contract:
        return await signing.approve(user, change.id)

    async def cancel(signing: SigningService, user: User) -> Contract:
        return await signing.cancel(user, "moved")

    told_before = len(await world.messages("signing_decided", to=grandma))
    approved, cancelled = await at_the_same_moment(world, (chen, approve), (grandma, cancel))
    assert isinstance(cancelled, Contract)  # the household always gets to cancel
    holding = await world.contracts(ContractState.ACTIVE) + await world.contracts(
        ContractState.REQUESTED
    )
    assert holding == []
    assert await world.places_taken("dr-wang") + await world.places_taken("dr-chen") == 0
    for contract in await world.contracts():
        assert_one_history(contract)
    told = len(await world.messages("signing_decided", to=grandma)) - told_before
    if isinstance(approved, Contract):  # dr-chen was first: the new contract was cancelled
        assert cancelled.id == change.id and told == 1
    else:  # the household was first: the change was withdrawn before dr-chen answered
        assert isinstance(approved, StateChanged) and told == 0


async def test_cancelling_as_the_contract_expires(any_world: Centre) -> None:
    world = any_world
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    contract = await world.signed(grandma, doctor)
    world.clock.advance(timedelta(days=366))  # past the last day, not yet swept

    async def sweep(signing: SigningService, _user: User) -> int:
        return await signing.expire_ended()

    async def cancel(signing: SigningService, user: User) -> Contract:
        return await signing.cancel(user, "moved")

    swept, cancelled = await at_the_same_moment(world, (doctor, sweep), (grandma, cancel))
    ended = await world.contract(contract.id)
    assert_one_history(ended)
    if isinstance(cancelled, Contract):
        assert (swept, ended.state) == (0, ContractState.CANCELLED)
    else:
        assert isinstance(cancelled, StateChanged)
        assert (swept, ended.state) == (1, ContractState.EXPIRED)
    assert len(await world.messages("waitlist_place")) == 0
    assert len(await world.messages("contract_ended", to=grandma)) == swept


def assert_one_history(contract: Contract) -> None:
    """Each recorded move starts where the one before ended, and the last is where the
    contract is: nobody's answer was overwritten by someone else's."""
    states = [None, *(t.to_state for t in contract.transitions)]
    assert [t.from_state for t in contract.transitions] == states[:-1], contract.id
    assert states[-1] is contract.state
