"""The centre's side: communities, teams, staff and their clinic hours, packages, invites.
Rows mirror config.yml (synced at start-up) so contracts can reference them."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column
from storage.models.enums import StaffRole


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    active: Mapped[bool] = mapped_column(Boolean(), default=True)

    members: Mapped[list[Staff]] = relationship(back_populates="team", order_by="Staff.id")


class Community(Base):
    __tablename__ = "communities"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"))
    active: Mapped[bool] = mapped_column(Boolean(), default=True)


class Staff(Base):
    """A member of a family doctor team (GP, nurse, public-health doctor, assistant)."""

    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole, length=16))
    title: Mapped[str] = mapped_column(String(40), default="")
    room: Mapped[str] = mapped_column(String(80), default="")
    max_residents: Mapped[int] = mapped_column(Integer())
    active: Mapped[bool] = mapped_column(Boolean(), default=True)

    team: Mapped[Team] = relationship(back_populates="members")
    clinic_hours: Mapped[list[ClinicHours]] = relationship(
        cascade="all, delete-orphan", order_by="(ClinicHours.weekday, ClinicHours.start)"
    )


class ClinicHours(Base):
    __tablename__ = "clinic_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer())  # 0 = Monday
    start: Mapped[time] = mapped_column(Time())
    end: Mapped[time] = mapped_column(Time())


class Package(Base):
    __tablename__ = "packages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    price_yuan: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False))
    insurance_share: Mapped[float] = mapped_column(Numeric(4, 3, asdecimal=False))
    active: Mapped[bool] = mapped_column(Boolean(), default=True)

    items: Mapped[list[PackageItem]] = relationship(
        cascade="all, delete-orphan", order_by="PackageItem.position"
    )


class PackageItem(Base):
    __tablename__ = "package_items"
    __table_args__ = (UniqueConstraint("package_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(ForeignKey("packages.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer())
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    times: Mapped[int] = mapped_column(Integer())
    per: Mapped[str] = mapped_column(String(8))


class InviteKind(StrEnum):
    STAFF = "staff"  # joins as the staff member of config.yml the invite names
    ADMIN = "admin"  # joins as one of the centre's admins (Role.ADMIN)


class DoctorInvite(Base):
    """A one-time code a staff member (or an admin) redeems with /start <code>. Only its hash
    is kept. A newer invite for the same staff member revokes the older ones."""

    __tablename__ = "doctor_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[InviteKind] = mapped_column(enum_column(InviteKind), default=InviteKind.STAFF)
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), index=True)
    # What the operator called an admin invite (`--name`), so `list-admins` can tell them apart.
    label: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
