"""Contracts (签约): a household signed with one doctor, the packages chosen, every state change."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column
from storage.models.enums import ContractState
from storage.types import EncryptedText


class Contract(Base):
    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    state: Mapped[ContractState] = mapped_column(enum_column(ContractState), index=True)
    term_years: Mapped[int] = mapped_column(Integer())
    requested_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime]
    starts_on: Mapped[date | None] = mapped_column(Date())
    ends_on: Mapped[date | None] = mapped_column(Date())
    reason: Mapped[str | None] = mapped_column(Text())  # rejection or cancellation reason
    # A doctor's own words for declining (reason "written"): they may name the person.
    reason_note: Mapped[str | None] = mapped_column(EncryptedText())
    renewed_from_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    # A change of doctor (改签) is a new request that replaces this contract once approved.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))

    members: Mapped[list[ContractMember]] = relationship(cascade="all, delete-orphan")
    transitions: Mapped[list[ContractTransition]] = relationship(
        cascade="all, delete-orphan", order_by="ContractTransition.at"
    )


class ContractMember(Base):
    """A resident covered by a contract, with the packages chosen for them."""

    __tablename__ = "contract_members"
    __table_args__ = (UniqueConstraint("contract_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)

    packages: Mapped[list[ContractPackage]] = relationship(cascade="all, delete-orphan")


class ContractPackage(Base):
    __tablename__ = "contract_packages"
    __table_args__ = (UniqueConstraint("member_id", "package_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("contract_members.id", ondelete="CASCADE"))
    package_id: Mapped[str] = mapped_column(ForeignKey("packages.id"))


class ContractTransition(Base):
    """Who moved a contract from one state to another, and when (the audit of 签约)."""

    __tablename__ = "contract_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[ContractState | None] = mapped_column(enum_column(ContractState))
    to_state: Mapped[ContractState] = mapped_column(enum_column(ContractState))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(String(200))


class ServiceDelivery(Base):
    """One use of a package item (a follow-up done, a check-up held): used vs included."""

    __tablename__ = "service_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    package_item_id: Mapped[int] = mapped_column(ForeignKey("package_items.id"))
    delivered_at: Mapped[datetime]
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class WaitlistEntry(Base):
    """A household waiting for a place when every doctor of its grid is full."""

    __tablename__ = "waitlist"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), unique=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("communities.id"))
    created_at: Mapped[datetime]  # the place in line: moved back when told of a free place
