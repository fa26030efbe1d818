"""Signing (签约) and the life of a contract: who may sign with whom, the request, the doctor's
answer, renewal, change of doctor, cancellation and expiry. No aiogram here.

Rules that always hold: a resident is covered by at most one active contract (and at most
one request on top of it, while changing doctor); a doctor never holds more residents than
their maximum, requests included; a household sees only its own contracts and a doctor only
their own residents; every change of state is recorded with who and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from flows.catalogue import N_
from flows.centre import CentreConfig
from flows.clock import Clock
from flows.onboarding.service import (
    ProfileDraft,
    clean_name,
    may_be_pregnant,
    priority_tags,
    unlinkable,
)
from flows.packages.service import Offer, Person, free_packages, offers_for
from flows.signing.lifecycle import move, term_end
from flows.signing.notices import SigningNotices
from storage import contracts as q
from storage.audit import record_audit
from storage.consents import (
    has_consent,
    lock_consents,
    member_consent_to_bind,
    record_member_health_consent,
)
from storage.models import (
    ConsentKind,
    Contract,
    ContractMember,
    ContractPackage,
    ContractState,
    Pregnancy,
    Relation,
    Resident,
    ResidentCondition,
    ResidentTag,
    Role,
    Sex,
    Staff,
    TagSource,
    User,
    WaitlistEntry,
)

FAMILY_RELATIONS = (
    Relation.SPOUSE, Relation.FATHER, Relation.MOTHER, Relation.SON, Relation.DAUGHTER,
    Relation.GRANDCHILD, Relation.OTHER,
)  # fmt: skip
MAX_HOUSEHOLD = 8
# Why a doctor may turn a request down, and why a resident may cancel: codes the routers word.
REJECT_REASONS = ("outside_area", "full", "incomplete", "other")
CANCEL_REASONS = ("moved", "other_centre", "unhappy", "other")


class SigningProblem(Exception):
    """A rule said no; `code` tells the router what to say."""

    code = "problem"


class NotAllowed(SigningProblem):
    code = "not_allowed"  # not your household's contract, not your resident, not a doctor


class AlreadyCovered(SigningProblem):
    code = "already_covered"


class DoctorFull(SigningProblem):
    code = "doctor_full"


class NotOffered(SigningProblem):
    code = "not_offered"  # a package the person may not choose, an unknown doctor or term


class StateChanged(SigningProblem):
    code = "state_changed"  # someone else already answered, or the contract moved on


class ChangeLimit(SigningProblem):
    code = "change_limit"


class NotYetRenewable(SigningProblem):
    code = "not_yet_renewable"


class ContractReplaced(StateChanged):
    code = "contract_replaced"  # a button shown for a contract that is no longer current


class NoLongerAssigned(NotAllowed):
    code = "no_longer_assigned"  # the household moved on from this team: nothing is shown


@dataclass(frozen=True)
class DoctorChoice:
    staff_id: str
    name: str
    title: str
    team_id: str
    places_left: int
    in_grid: bool


@dataclass(frozen=True)
class DoctorChoices:
    offered: list[DoctorChoice]  # doctors with room: the grid's first
    grid_full: bool  # every doctor of the household's grid is full: offer the waiting list


@dataclass(frozen=True)
class MemberOption:
    resident: Resident
    offers: list[Offer]
    covered: bool  # already in an active contract or a request


@dataclass
class FamilyMemberDraft:
    relation: Relation
    name: str
    birth_date: date
    sex: Sex
    conditions: list[str] = field(default_factory=list)
    pregnancy: Pregnancy | None = None
    disability: bool | None = None
    # The member consent the user recorded for this person (SigningService.agree_member_health)
    consent_id: int | None = None


class SigningService:
    def __init__(self, session: AsyncSession, clock: Clock, centre: CentreConfig) -> None:
        self._session, self._clock, self._centre = session, clock, centre
        self._notices = SigningNotices(session, centre)

    def today(self) -> date:
        return self._clock.now().astimezone(self._centre.zone).date()

    # ---- the household ----------------------------------------------------------------------

    def _household_id(self, user: User) -> int:
        if user.role.is_staff or user.resident is None:
            raise NotAllowed
        return user.resident.household_id

    async def health_known(self, user: User) -> bool:
        return await has_consent(self._session, user.id, ConsentKind.HEALTH_DATA)

    async def members(self, user: User) -> list[MemberOption]:
        """The household's people, what each may choose, and who is already covered."""
        household_id = self._household_id(user)
        residents = list(await q.household_residents(self._session, household_id))
        covered = {
            member.resident_id
            for contract in await q.contracts_holding(
                self._session, [r.id for r in residents], q.HOLDS_A_PLACE
            )
            for member in contract.members
        }
        consent = await self.health_known(user)
        today = self.today()
        # Health facts are recorded only with consent (disability is then set, true or
        # false): without them, disease packages are "unknown", not "you don't have it".
        return [
            MemberOption(
                r,
                offers_for(
                    Person.of(r, today, health_known=consent and r.disability is not None),
                    self._centre,
                ),
                r.id in covered,
            )
            for r in residents
        ]

    async def agree_member_health(self, user: User) -> int | None:
        """The user pressed "record (the family member agreed)": the member's consent is
        recorded now, given by the user for that member, and bound to the member when the
        form saves them. None when the user's own health-data consent no longer stands (no
        health facts are recorded under a withdrawn consent, the user's or a member's)."""
        self._household_id(user)
        await lock_consents(self._session, user.id)
        if not await self.health_known(user):
            return None
        consent = await record_member_health_consent(
            self._session,
            user_id=user.id,
            version=self._centre.privacy.health_consent_version,
            now=self._clock.now(),
        )
        await self._session.commit()
        return consent.id

    async def add_family_member(self, user: User, draft: FamilyMemberDraft) -> Resident:
        """A spouse, parent or child with their own profile, in the user's household. Their
        health facts are written only on a member consent the user recorded for them (and
        while the user's own consent stands), both read in this transaction under the
        consent lock: whatever the form's state says."""
        household_id = self._household_id(user)
        if draft.relation not in FAMILY_RELATIONS:
            raise NotOffered
        name = clean_name(draft.name)
        if name is None or draft.birth_date > self.today():
            raise NotOffered
        if len(await q.household_residents(self._session, household_id)) >= MAX_HOUSEHOLD:
            raise NotOffered
        await lock_consents(self._session, user.id)
        consent = (
            await member_consent_to_bind(self._session, user.id, draft.consent_id)
            if draft.consent_id is not None and await self.health_known(user)
            else None
        )
        health = consent is not None
        now = self._clock.now()
        resident = Resident(
            household_id=household_id,
            relation=draft.relation,
            name=name,
            birth_date=draft.birth_date,
            sex=draft.sex,
            created_by_user_id=user.id,
            created_at=now,
            updated_at=now,
            conditions=[],
            tags=[],
        )
        pregnant = may_be_pregnant(draft.sex, draft.birth_date, self.today())
        if health:
            resident.pregnancy = draft.pregnancy if pregnant and draft.pregnancy else Pregnancy.NONE
            resident.disability = bool(draft.disability)
            resident.conditions = [
                ResidentCondition(code=code, recorded_at=now)
                for code in dict.fromkeys(draft.conditions)
                if self._centre.condition(code) is not None
            ]
        profile = ProfileDraft(
            birth_date=draft.birth_date,
            sex=draft.sex,
            health_consent=health,
            conditions=[c.code for c in resident.conditions],
            pregnancy=resident.pregnancy,
            disability=resident.disability,
        )
        resident.tags = [
            ResidentTag(tag=tag, source=TagSource.DERIVED, added_at=now)
            for tag in priority_tags(profile, self.today(), self._centre.priority)
        ]
        self._session.add(resident)
        if consent is not None:
            await self._session.flush()
            consent.subject_resident_id = resident.id
        record_audit(
            self._session, at=now, actor_user_id=user.id, action="family_member_added",
            subject_type="household", subject_id=household_id,
        )  # fmt: skip
        await self._session.commit()
        return resident

    # ---- choosing a doctor ------------------------------------------------------------------

    async def doctor_choices(self, user: User, places: int) -> DoctorChoices:
        """Doctors with room for `places` residents: the household's grid team first, then
        the other teams. Full doctors are not offered."""
        resident = user.resident
        if user.role.is_staff or resident is None:
            raise NotAllowed
        community = self._centre.community(resident.household.community_id or "")
        grid_team = community.team if community else None
        doctors = list(await q.gps(self._session))
        taken = await q.places_taken(self._session, [d.id for d in doctors])
        choices = [
            DoctorChoice(d.id, d.name, d.title, d.team_id, d.max_residents - taken[d.id],
                         d.team_id == grid_team)
            for d in doctors
        ]  # fmt: skip
        grid = [c for c in choices if c.in_grid]
        with_room = [c for c in choices if c.places_left >= places]
        with_room.sort(key=lambda c: (not c.in_grid, c.team_id, c.staff_id))
        grid_full = bool(grid) and all(c.places_left < places for c in grid)
        return DoctorChoices(with_room, grid_full)

    async def join_waitlist(self, user: User) -> WaitlistEntry:
        """The waiting list is for households without a doctor: a signed household (or one
        with a request) cannot join it, whatever button it presses."""
        household_id = self._household_id(user)
        await q.lock_household(self._session, household_id)  # a double tap waits once
        if await q.household_contract(self._session, household_id, q.HOLDS_A_PLACE):
            raise AlreadyCovered
        existing = await q.waitlist_entry(self._session, household_id)
        if existing is not None:
            return existing
        community_id = user.resident.household.community_id if user.resident else None
        if community_id is None:
            raise NotOffered
        entry = WaitlistEntry(
            household_id=household_id, community_id=community_id, created_at=self._clock.now()
        )
        self._session.add(entry)
        await self._session.commit()
        return entry

    # ---- the request ------------------------------------------------------------------------

    async def request(
        self, user: User, staff_id: str, chosen: dict[int, list[str]], term_years: int
    ) -> Contract:
        """A signing request for these household members with these packages (the free
        basic package is always included). Takes the doctor's places at once, or raises
        DoctorFull when another household took the last ones first."""
        household_id = self._household_id(user)
        if not chosen or term_years not in self._centre.contract.terms_years:
            raise NotOffered
        # Before reading who is covered: a request sent twice at once (to one doctor or two)
        # waits here for the first and then finds its members covered.
        await q.lock_household(self._session, household_id)
        # One contract per household (members share it): a second one is not a new request.
        if await q.household_contract(self._session, household_id, q.HOLDS_A_PLACE):
            raise AlreadyCovered
        now = self._clock.now()
        options = {m.resident.id: m for m in await self.members(user)}
        if any(rid not in options for rid in chosen):
            raise NotAllowed
        if any(options[rid].covered for rid in chosen):
            raise AlreadyCovered
        packages = {rid: self._checked_packages(options[rid], ids) for rid, ids in chosen.items()}
        await self._take_places(household_id, staff_id, len(chosen))
        # Inside both locks: nobody is covered twice (checked above too, under the same lock).
        if await q.contracts_holding(self._session, chosen, q.HOLDS_A_PLACE):
            raise AlreadyCovered
        contract = Contract(
            household_id=household_id,
            staff_id=staff_id,
            term_years=term_years,
            requested_by_user_id=user.id,
            requested_at=now,
            members=[
                ContractMember(
                    resident_id=rid, packages=[ContractPackage(package_id=p) for p in ids]
                )
                for rid, ids in packages.items()
            ],
            transitions=[],
        )
        move(contract, ContractState.REQUESTED, by_user_id=user.id, at=now)
        self._session.add(contract)
        waiting = await q.waitlist_entry(self._session, household_id)
        if waiting is not None:
            await self._session.delete(waiting)
        await self._session.flush()
        applicant = options[next(iter(chosen))].resident.name
        await self._notices.request_received(contract, applicant, len(chosen), now)
        self._audit(user, "contract_requested", contract)
        await self._session.commit()
        return contract

    def _checked_packages(self, option: MemberOption, ids: list[str]) -> list[str]:
        offered = {o.package.id for o in option.offers if o.eligible}
        if any(i not in offered for i in ids):
            raise NotOffered
        basic = [p.id for p in free_packages(self._centre)]
        return list(dict.fromkeys([*basic, *ids]))

    async def _take_places(self, household_id: int, staff_id: str, places: int) -> Staff:
        doctor = await q.lock_doctor(self._session, staff_id)
        if doctor is None or not doctor.active or doctor.role != "gp":
            raise NotOffered
        taken = (await q.places_taken(self._session, [staff_id]))[staff_id]
        if taken + places > doctor.max_residents:
            raise DoctorFull
        return doctor

    # ---- the household's contract -----------------------------------------------------------

    async def current(self, user: User) -> Contract | None:
        """The household's active contract, or else its pending request."""
        household_id = self._household_id(user)
        return await q.household_contract(
            self._session, household_id, (ContractState.ACTIVE,)
        ) or await q.household_contract(self._session, household_id, (ContractState.REQUESTED,))

    async def pending_change(self, contract: Contract) -> Contract | None:
        pending = await q.household_contract(
            self._session, contract.household_id, (ContractState.REQUESTED,)
        )
        return pending if pending is not None and pending.replaces_id == contract.id else None

    async def _own_active(self, user: User, contract_id: int | None = None) -> Contract:
        """The household's active contract, read under the household's lock: renewing,
        changing doctor and cancelling never interleave with each other, a double tap or the
        doctor's answer. With `contract_id` (the contract a button was shown for), a button
        left from a contract since renewed or replaced acts on nothing."""
        household_id = self._household_id(user)
        await q.lock_household(self._session, household_id)
        contract = await q.household_contract(self._session, household_id, (ContractState.ACTIVE,))
        if contract is None:
            raise StateChanged
        if contract_id is not None and contract.id != contract_id:
            raise ContractReplaced
        return contract

    def renewable_from(self, contract: Contract) -> date:
        assert contract.ends_on is not None
        return contract.ends_on - timedelta(days=max(self._centre.contract.renewal_notice_days))

    async def renew(self, user: User) -> Contract:
        """One tap: the same doctor, members and packages (those still open to each member)
        for another term starting the day after the current one ends."""
        old = await self._own_active(user)
        if await self.pending_change(old) is not None:
            raise StateChanged  # changing doctor: the new contract decides the next term
        if self.today() < self.renewable_from(old):
            raise NotYetRenewable
        assert old.ends_on is not None
        now = self._clock.now()
        options = {m.resident.id: m for m in await self.members(user)}
        starts = old.ends_on + timedelta(days=1)
        new = Contract(
            household_id=old.household_id,
            staff_id=old.staff_id,
            term_years=old.term_years,
            requested_by_user_id=user.id,
            requested_at=now,
            starts_on=starts,
            ends_on=term_end(starts, old.term_years),
            renewed_from_id=old.id,
            members=[
                ContractMember(
                    resident_id=m.resident_id,
                    packages=[ContractPackage(package_id=p) for p in self._kept(m, options)],
                )
                for m in old.members
            ],
            transitions=[],
        )
        move(new, ContractState.ACTIVE, by_user_id=user.id, at=now, note="renewal")
        move(old, ContractState.RENEWED, by_user_id=user.id, at=now)
        self._session.add(new)
        await self._notices.withdraw(old)
        await self._session.flush()
        await self._notices.plan_renewal(new, user.id, now)
        await self._notices.tell_doctor(
            old.staff_id, N_("{name} 家已续约，到 {end}。"), now,
            dates=("end",), name=unlinkable(options[old.members[0].resident_id].resident.name),
            end=new.ends_on.isoformat(),
        )  # fmt: skip
        self._audit(user, "contract_renewed", new)
        await self._session.commit()
        return new

    def _kept(self, member: ContractMember, options: dict[int, MemberOption]) -> list[str]:
        option = options.get(member.resident_id)
        open_to_them = {o.package.id for o in option.offers if o.eligible} if option else set()
        basic = [p.id for p in free_packages(self._centre)]
        kept = [p.package_id for p in member.packages if p.package_id in open_to_them]
        return list(dict.fromkeys([*basic, *kept]))

    async def request_change(
        self, user: User, staff_id: str, contract_id: int | None = None
    ) -> Contract:
        """改签: a request to another doctor for the same members and packages; the current
        contract stays until the new doctor agrees (config: doctor_changes_per_year).
        `contract_id`: the contract the confirm button was shown for."""
        old = await self._own_active(user, contract_id)
        if staff_id == old.staff_id:
            raise NotOffered
        if await self.pending_change(old) is not None:
            raise StateChanged
        now = self._clock.now()
        year_ago = now - timedelta(days=365)
        used = await q.changes_since(self._session, old.household_id, year_ago)
        if used >= self._centre.contract.doctor_changes_per_year:
            raise ChangeLimit
        await self._take_places(old.household_id, staff_id, len(old.members))
        new = Contract(
            household_id=old.household_id,
            staff_id=staff_id,
            term_years=old.term_years,
            requested_by_user_id=user.id,
            requested_at=now,
            replaces_id=old.id,
            members=[
                ContractMember(
                    resident_id=m.resident_id,
                    packages=[ContractPackage(package_id=p.package_id) for p in m.packages],
                )
                for m in old.members
            ],
            transitions=[],
        )
        move(new, ContractState.REQUESTED, by_user_id=user.id, at=now, note="change of doctor")
        self._session.add(new)
        await self._session.flush()
        residents = await q.residents_by_id(self._session, [m.resident_id for m in old.members])
        applicant = residents[old.members[0].resident_id].name
        await self._notices.request_received(new, applicant, len(old.members), now)
        self._audit(user, "contract_change_requested", new)
        await self._session.commit()
        return new

    async def cancel(self, user: User, reason: str, contract_id: int | None = None) -> Contract:
        """解约 with a reason; the doctor is told and the place goes to whoever waits.
        `contract_id`: the contract the confirm button was shown for."""
        if reason not in CANCEL_REASONS:
            raise NotOffered
        contract = await self._own_active(user, contract_id)
        now = self._clock.now()
        contract.reason = reason
        move(contract, ContractState.CANCELLED, by_user_id=user.id, at=now, note=reason)
        pending = await self.pending_change(contract)
        if pending is not None:  # a change of doctor is moot once the contract is cancelled
            pending.reason = "withdrawn"
            move(pending, ContractState.REJECTED, by_user_id=user.id, at=now, note="withdrawn")
            await self._notices.withdraw(pending)
            await self._offer_freed_places(pending.staff_id, len(pending.members), now)
        await self._notices.withdraw(contract)
        await self._notices.tell_doctor(
            contract.staff_id, N_("有一户居民解约了（{count} 人）。"), now,
            count=len(contract.members),
        )  # fmt: skip
        await self._offer_freed_places(contract.staff_id, len(contract.members), now)
        self._audit(user, "contract_cancelled", contract)
        await self._session.commit()
        return contract

    # ---- the doctor's side ------------------------------------------------------------------

    def _staff_id(self, user: User) -> str:
        if not user.role.is_staff or user.staff_id is None:
            raise NotAllowed
        return user.staff_id

    def _team_staff(self, user: User) -> list[str]:
        """The staff whose residents this staff member cares for: their whole team (the
        doctor and the team serve the same residents)."""
        staff_id = self._staff_id(user)
        team = self._centre.team_of(staff_id)
        return [m.id for m in team.members] if team else [staff_id]

    async def review_queue(self, user: User) -> list[Contract]:
        """Requests waiting for the team's doctors, oldest first (a request holds a place:
        its household is assigned to the team, as q.household_assigned_to defines it)."""
        return list(
            await q.doctor_contracts(
                self._session, self._team_staff(user), (ContractState.REQUESTED,)
            )
        )

    async def contract_for_staff(self, user: User, contract_id: int) -> Contract:
        """A contract held by this staff member's own team whose household is still assigned
        to the team (storage.contracts.household_assigned_to), or NotAllowed: staff see a
        household only while it is theirs, whatever the contract's state."""
        contract = await self._team_contract(user, contract_id)
        if not await q.household_assigned_to(
            self._session, contract.household_id, self._team_staff(user)
        ):
            raise NoLongerAssigned
        record_audit(
            self._session, at=self._clock.now(), actor_user_id=user.id, action="contract_viewed",
            subject_type="contract", subject_id=contract.id,
        )  # fmt: skip
        return contract

    async def _team_contract(self, user: User, contract_id: int) -> Contract:
        """A contract held by this staff member's team (shown to nobody by itself)."""
        contract = await q.contract_by_id(self._session, contract_id)
        if contract is None or contract.staff_id not in self._team_staff(user):
            raise NotAllowed
        return contract

    async def approve(self, user: User, contract_id: int) -> Contract:
        contract = await self._decidable(user, contract_id)
        now = self._clock.now()
        contract.starts_on = self.today()
        contract.ends_on = term_end(contract.starts_on, contract.term_years)
        move(contract, ContractState.ACTIVE, by_user_id=user.id, at=now)
        if contract.replaces_id is not None:
            old = await q.contract_by_id(self._session, contract.replaces_id)
            if old is not None and old.state is ContractState.ACTIVE:
                old.reason = "changed_doctor"
                move(old, ContractState.CANCELLED, by_user_id=user.id, at=now, note="change")
                await self._notices.withdraw(old)
                await self._notices.tell_doctor(
                    old.staff_id, N_("有一户居民换到了别的医生（{count} 人）。"), now,
                    count=len(old.members),
                )  # fmt: skip
                await self._offer_freed_places(old.staff_id, len(old.members), now)
        await self._notices.decided(contract, await self._doctor_name(contract), now)
        await self._notices.plan_renewal(contract, contract.requested_by_user_id, now)
        self._audit(user, "contract_approved", contract)
        await self._session.commit()
        return contract

    async def reject(self, user: User, contract_id: int, reason: str) -> Contract:
        if reason not in REJECT_REASONS:
            raise NotOffered
        contract = await self._decidable(user, contract_id)
        now = self._clock.now()
        contract.reason = reason
        move(contract, ContractState.REJECTED, by_user_id=user.id, at=now, note=reason)
        await self._notices.decided(contract, await self._doctor_name(contract), now)
        await self._offer_freed_places(contract.staff_id, len(contract.members), now)
        self._audit(user, "contract_rejected", contract)
        await self._session.commit()
        return contract

    async def _decidable(self, user: User, contract_id: int) -> Contract:
        # Only a request (which holds a place, so its household is assigned) is decided:
        # a contract decided already says so, and shows nothing.
        contract = await self._team_contract(user, contract_id)
        if user.role is not Role.DOCTOR or contract.staff_id != user.staff_id:
            raise NotAllowed  # the team sees requests; the resident's own doctor decides
        # Decided once: a second tap (or the household cancelling meanwhile) waits for the
        # first to commit and then reads the contract as it left it.
        await q.lock_household(self._session, contract.household_id)
        fresh = await q.contract_by_id(self._session, contract_id)
        if fresh is None or fresh.state is not ContractState.REQUESTED:
            raise StateChanged
        return fresh

    async def _doctor_name(self, contract: Contract) -> str:
        doctor = await self._session.get(Staff, contract.staff_id)
        return doctor.name if doctor else ""

    async def my_residents(self, user: User) -> list[tuple[Resident, Contract]]:
        """The team's signed residents (a doctor's own team, for every member of it): the
        households assigned to the team by an active contract (q.household_assigned_to)."""
        contracts = await q.doctor_contracts(
            self._session, self._team_staff(user), (ContractState.ACTIVE,), limit=500
        )
        residents = await q.residents_by_id(
            self._session, [m.resident_id for c in contracts for m in c.members]
        )
        return [(residents[m.resident_id], c) for c in contracts for m in c.members]

    # ---- time -------------------------------------------------------------------------------

    async def expire_ended(self) -> int:
        """Active contracts past their last day become expired; the household is told how to
        sign again and the places go to whoever waits. Returns how many expired."""
        now, today = self._clock.now(), self.today()
        expired = 0
        for ended in list(await q.ended_contracts(self._session, today)):
            await q.lock_household(self._session, ended.household_id)
            contract = await q.contract_by_id(self._session, ended.id)
            if contract is None or contract.state is not ContractState.ACTIVE:
                continue  # cancelled or renewed while the sweep ran
            expired += 1
            move(contract, ContractState.EXPIRED, by_user_id=None, at=now)
            await self._notices.withdraw(contract)
            await self._notices.ended(
                contract,
                contract.requested_by_user_id,
                N_("您的家庭医生签约已到期。想继续请重新签约，点下面的按钮就行。"),
                now,
            )
            await self._offer_freed_places(contract.staff_id, len(contract.members), now)
        await self._session.commit()
        return expired

    async def _offer_freed_places(self, staff_id: str, places: int, now: datetime) -> None:
        """The households waiting longest in this doctor's grid hear a place is free. A
        household told goes to the back of the line (it leaves it by signing), so one that
        never signs does not keep every freed place from the others."""
        team = self._centre.team_of(staff_id)
        if team is None:
            return
        grid = [c.id for c in self._centre.communities if c.team == team.id]
        for entry in list(await q.waiting_households(self._session, grid))[:places]:
            user = await q.household_user(self._session, entry.household_id)
            if user is not None:
                key = f"waitlist:{entry.id}:{now.isoformat()}"
                await self._notices.place_free(user, now, key)
            entry.created_at = now

    def _audit(self, user: User, action: str, contract: Contract) -> None:
        record_audit(
            self._session, at=self._clock.now(), actor_user_id=user.id, action=action,
            subject_type="contract", subject_id=contract.id,
        )  # fmt: skip
