"""What the main menu shows staff: their real queue sizes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Contract,
    ContractMember,
    ContractState,
    Question,
    QuestionState,
    Staff,
)


@dataclass(frozen=True)
class StaffDesk:
    signing_requests: int
    open_questions: int
    signed_residents: int


async def staff_desk(session: AsyncSession, staff_id: str) -> StaffDesk:
    """Open questions are the team's: residents' questions go to the GP, and the nurse and
    public-health doctor answer them too, so everyone on the team sees the same count."""
    team = select(Staff.team_id).where(Staff.id == staff_id).scalar_subquery()
    teammates = select(Staff.id).where(Staff.team_id == team)
    requests = await session.scalar(
        select(func.count(Contract.id)).where(
            Contract.staff_id == staff_id, Contract.state == ContractState.REQUESTED
        )
    )
    questions = await session.scalar(
        select(func.count(Question.id)).where(
            Question.staff_id.in_(teammates), Question.state == QuestionState.OPEN
        )
    )
    residents = await session.scalar(
        select(func.count(ContractMember.id))
        .join(Contract, Contract.id == ContractMember.contract_id)
        .where(Contract.staff_id == staff_id, Contract.state == ContractState.ACTIVE)
    )
    return StaffDesk(requests or 0, questions or 0, residents or 0)
