"""Signing (签约) and the life of a contract: who may sign with whom, the request, the doctor's
answer, renewal, change of doctor, cancellation and expiry. No aiogram here.

Rules that always hold: a resident is covered by at most one active contract (and at most
one request on top of it, while changing doctor); a doctor never holds more residents than
their maximum, requests included; a household sees only its own contracts and a doctor only
their own residents; every change of state is recorded with who and when.

SigningService is the one door routers, jobs and tests use; each use case lives in its own
module (household, doctors, request, changes, review, expiry), and the names other modules
import from here are re-exported."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from flows.centre import CentreConfig, Package
from flows.clock import Clock
from flows.signing import cards, changes, doctors, expiry, household, request, review
from flows.signing.cards import CardView, ContractCard
from flows.signing.context import SigningContext
from flows.signing.doctors import DoctorChoice, DoctorChoices
from flows.signing.household import (
    FAMILY_RELATIONS,
    MAX_HOUSEHOLD,
    FamilyMemberDraft,
    MemberOption,
)
from flows.signing.notices import SigningNotices
from flows.signing.problems import (
    AlreadyCovered,
    ChangeLimit,
    ContractReplaced,
    DoctorFull,
    NoLongerAssigned,
    NotAllowed,
    NotOffered,
    NotYetRenewable,
    SigningProblem,
    StateChanged,
    Withdrawn,
)
from flows.signing.reasons import CANCEL_REASONS, REJECT_REASONS, WRITTEN
from flows.signing.review import NOTE_MAX, RequestLine, RequestView, ReviewDesk, reason_note
from storage.models import Contract, Resident, User, WaitlistEntry

__all__ = [
    "CANCEL_REASONS",
    "FAMILY_RELATIONS",
    "MAX_HOUSEHOLD",
    "NOTE_MAX",
    "REJECT_REASONS",
    "WRITTEN",
    "AlreadyCovered",
    "CardView",
    "ChangeLimit",
    "ContractCard",
    "ContractReplaced",
    "DoctorChoice",
    "DoctorChoices",
    "DoctorFull",
    "FamilyMemberDraft",
    "MemberOption",
    "NoLongerAssigned",
    "NotAllowed",
    "NotOffered",
    "NotYetRenewable",
    "RequestLine",
    "RequestView",
    "ReviewDesk",
    "SigningProblem",
    "SigningService",
    "StateChanged",
    "Withdrawn",
    "reason_note",
]


class SigningService:
    def __init__(self, session: AsyncSession, clock: Clock, centre: CentreConfig) -> None:
        self._ctx = SigningContext(session, clock, centre, SigningNotices(session, centre))

    def today(self) -> date:
        return self._ctx.today()

    # ---- the household (flows/signing/household.py) -------------------------------------------

    async def health_known(self, user: User) -> bool:
        return await household.health_known(self._ctx, user)

    async def members(self, user: User) -> list[MemberOption]:
        return await household.members(self._ctx, user)

    async def agree_member_health(self, user: User) -> int | None:
        return await household.agree_member_health(self._ctx, user)

    async def add_family_member(self, user: User, draft: FamilyMemberDraft) -> Resident:
        return await household.add_family_member(self._ctx, user, draft)

    # ---- choosing a doctor and the waiting list (flows/signing/doctors.py) --------------------

    async def doctor_choices(self, user: User, places: int) -> DoctorChoices:
        return await doctors.doctor_choices(self._ctx, user, places)

    async def join_waitlist(self, user: User) -> WaitlistEntry:
        return await doctors.join_waitlist(self._ctx, user)

    # ---- the request (flows/signing/request.py) -----------------------------------------------

    async def agreement(
        self, user: User, chosen: dict[int, list[str]]
    ) -> list[tuple[Resident, list[Package]]]:
        return await request.agreement(self._ctx, user, chosen)

    async def request(
        self, user: User, staff_id: str, chosen: dict[int, list[str]], term_years: int
    ) -> Contract:
        return await request.request(self._ctx, user, staff_id, chosen, term_years)

    # ---- the household's contract (flows/signing/changes.py) ----------------------------------

    async def current(self, user: User) -> Contract | None:
        return await changes.current(self._ctx, user)

    async def pending_change(self, contract: Contract) -> Contract | None:
        return await changes.pending_change(self._ctx, contract)

    def renewable_from(self, contract: Contract) -> date:
        return changes.renewable_from(self._ctx, contract)

    async def card_view(self, user: User) -> CardView | None:
        return await cards.card_view(self._ctx, user)

    async def card(self, contract: Contract) -> ContractCard:
        return await cards.build_card(self._ctx.session, self._ctx.centre, contract, self.today())

    async def renew(self, user: User) -> Contract:
        return await changes.renew(self._ctx, user)

    async def request_change(
        self, user: User, staff_id: str, contract_id: int | None = None
    ) -> Contract:
        return await changes.request_change(self._ctx, user, staff_id, contract_id)

    async def cancel(self, user: User, reason: str, contract_id: int | None = None) -> Contract:
        return await changes.cancel(self._ctx, user, reason, contract_id)

    async def withdraw(self, user: User, contract_id: int) -> Contract:
        return await changes.withdraw(self._ctx, user, contract_id)

    # ---- the doctor's side (flows/signing/review.py) ------------------------------------------

    async def review_queue(self, user: User) -> list[Contract]:
        return await review.review_queue(self._ctx, user)

    async def contract_for_staff(self, user: User, contract_id: int) -> Contract:
        return await review.contract_for_staff(self._ctx, user, contract_id)

    async def approve(self, user: User, contract_id: int) -> Contract:
        return await review.approve(self._ctx, user, contract_id)

    async def reject(
        self, user: User, contract_id: int, reason: str, note: str | None = None
    ) -> Contract:
        return await review.reject(self._ctx, user, contract_id, reason, note)

    async def review_desk(self, user: User) -> ReviewDesk:
        return await review.review_desk(self._ctx, user)

    async def request_for_staff(self, user: User, contract_id: int) -> RequestView:
        return await review.request_for_staff(self._ctx, user, contract_id)

    async def my_residents(self, user: User) -> list[tuple[Resident, Contract]]:
        return await review.my_residents(self._ctx, user)

    async def resident_for_staff(self, user: User, resident_id: int) -> tuple[Resident, Contract]:
        return await review.resident_for_staff(self._ctx, user, resident_id)

    # ---- time (flows/signing/expiry.py) -------------------------------------------------------

    async def expire_ended(self) -> int:
        return await expiry.expire_ended(self._ctx)
