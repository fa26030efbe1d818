"""Choosing a doctor: who has room, taking their places, and the waiting list for households
whose grid's doctors are all full (told in turn when a place is freed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.signing.context import SigningContext
from flows.signing.problems import AlreadyCovered, DoctorFull, NotAllowed, NotOffered
from storage import contracts as q
from storage.models import Staff, StaffRole, User, WaitlistEntry


@dataclass(frozen=True)
class DoctorChoice:
    staff_id: str
    name: str
    title: str
    team_id: str
    places_left: int
    in_grid: bool
    title_en: str = ""  # from config.yml; "" when it gives none


@dataclass(frozen=True)
class DoctorChoices:
    offered: list[DoctorChoice]  # doctors with room: the grid's first
    grid_full: bool  # every doctor of the household's grid is full: offer the waiting list


async def doctor_choices(ctx: SigningContext, user: User, places: int) -> DoctorChoices:
    """Doctors with room for `places` residents: the household's grid team first, then
    the other teams. Full doctors are not offered."""
    resident = user.resident
    if user.role.is_staff or resident is None:
        raise NotAllowed
    community = ctx.centre.community(resident.household.community_id or "")
    grid_team = community.team if community else None
    doctors = list(await q.gps(ctx.session))
    taken = await q.places_taken(ctx.session, [d.id for d in doctors])
    choices = [
        DoctorChoice(d.id, d.name, d.title, d.team_id, d.max_residents - taken[d.id],
                     d.team_id == grid_team, _title_en(ctx, d.id))
        for d in doctors
    ]  # fmt: skip
    grid = [c for c in choices if c.in_grid]
    with_room = [c for c in choices if c.places_left >= places]
    with_room.sort(key=lambda c: (not c.in_grid, c.team_id, c.staff_id))
    grid_full = bool(grid) and all(c.places_left < places for c in grid)
    return DoctorChoices(with_room, grid_full)


def _title_en(ctx: SigningContext, staff_id: str) -> str:
    described = ctx.centre.staff(staff_id)
    return described.title_en if described else ""


async def take_places(ctx: SigningContext, household_id: int, staff_id: str, places: int) -> Staff:
    doctor = await q.lock_doctor(ctx.session, staff_id)
    if doctor is None or not doctor.active or doctor.role is not StaffRole.GP:
        raise NotOffered
    taken = (await q.places_taken(ctx.session, [staff_id]))[staff_id]
    if taken + places > doctor.max_residents:
        raise DoctorFull
    return doctor


async def join_waitlist(ctx: SigningContext, user: User) -> WaitlistEntry:
    """The waiting list is for households without a doctor: a signed household (or one
    with a request) cannot join it, whatever button it presses."""
    household_id = ctx.household_id(user)
    await q.lock_household(ctx.session, household_id)  # a double tap waits once
    if await q.household_contract(ctx.session, household_id, q.HOLDS_A_PLACE):
        raise AlreadyCovered
    existing = await q.waitlist_entry(ctx.session, household_id)
    if existing is not None:
        return existing
    community_id = user.resident.household.community_id if user.resident else None
    if community_id is None:
        raise NotOffered
    entry = WaitlistEntry(
        household_id=household_id, community_id=community_id, created_at=ctx.clock.now()
    )
    ctx.session.add(entry)
    await ctx.session.commit()
    return entry


async def offer_freed_places(
    ctx: SigningContext, staff_id: str, places: int, now: datetime
) -> None:
    """The households waiting longest in this doctor's grid hear a place is free. A
    household told goes to the back of the line (it leaves it by signing), so one that
    never signs does not keep every freed place from the others."""
    team = ctx.centre.team_of(staff_id)
    if team is None:
        return
    grid = [c.id for c in ctx.centre.communities if c.team == team.id]
    for entry in list(await q.waiting_households(ctx.session, grid))[:places]:
        user = await q.household_user(ctx.session, entry.household_id)
        if user is not None:
            key = f"waitlist:{entry.id}:{now.isoformat()}"
            await ctx.notices.place_free(user, now, key)
        entry.created_at = now
