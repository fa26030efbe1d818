"""What every signing use case works with: one update's session, the clock, the centre's
configuration and the notices it plans, plus the few steps they all share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from flows.centre import CentreConfig
from flows.clock import Clock
from flows.signing.notices import SigningNotices
from flows.signing.problems import NotAllowed
from storage.audit import record_audit
from storage.models import Contract, User


@dataclass(frozen=True)
class SigningContext:
    session: AsyncSession
    clock: Clock
    centre: CentreConfig
    notices: SigningNotices

    def today(self) -> date:
        return self.clock.now().astimezone(self.centre.zone).date()

    def household_id(self, user: User) -> int:
        if user.role.is_staff or user.resident is None:
            raise NotAllowed
        return user.resident.household_id

    def audit(self, user: User, action: str, contract: Contract) -> None:
        record_audit(
            self.session, at=self.clock.now(), actor_user_id=user.id, action=action,
            subject_type="contract", subject_id=contract.id,
        )  # fmt: skip
