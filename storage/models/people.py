"""Users of the bot, the residents they manage, households, consents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column
from storage.models.enums import ConsentKind, Pregnancy, Relation, Role, Sex, TagSource
from storage.types import EncryptedText


class User(Base):
    """A Telegram account talking to the bot (resident, family carer or staff)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(unique=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.RESIDENT)
    language: Mapped[str | None] = mapped_column(String(8))
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), unique=True)
    onboarded_at: Mapped[datetime | None]
    blocked_bot_at: Mapped[datetime | None]  # Telegram said "Forbidden": stop sending
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]

    resident: Mapped[Resident | None] = relationship(
        back_populates="user", foreign_keys="Resident.user_id", uselist=False
    )

    @property
    def is_onboarded(self) -> bool:
        return self.onboarded_at is not None or self.role.is_staff


class Household(Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[str | None] = mapped_column(ForeignKey("communities.id"))
    address: Mapped[str | None] = mapped_column(EncryptedText())
    created_at: Mapped[datetime]

    members: Mapped[list[Resident]] = relationship(back_populates="household")


class Resident(Base):
    """A person who can be signed: the user themself or a family member without Telegram."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    relation: Mapped[Relation] = mapped_column(enum_column(Relation), default=Relation.SELF)
    name: Mapped[str] = mapped_column(EncryptedText())
    phone: Mapped[str | None] = mapped_column(EncryptedText())
    birth_date: Mapped[date] = mapped_column(Date())
    sex: Mapped[Sex] = mapped_column(enum_column(Sex))
    # Health fields stay NULL unless health-data consent was given.
    pregnancy: Mapped[Pregnancy | None] = mapped_column(enum_column(Pregnancy))
    disability: Mapped[bool | None] = mapped_column(Boolean())
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    user: Mapped[User | None] = relationship(back_populates="resident", foreign_keys=[user_id])
    household: Mapped[Household] = relationship(back_populates="members")
    conditions: Mapped[list[ResidentCondition]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    tags: Mapped[list[ResidentTag]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class ResidentCondition(Base):
    __tablename__ = "resident_conditions"
    __table_args__ = (UniqueConstraint("resident_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime]


class ResidentTag(Base):
    """Priority-population tags (重点人群): derived from the profile or added by a doctor."""

    __tablename__ = "resident_tags"
    __table_args__ = (UniqueConstraint("resident_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(32))
    source: Mapped[TagSource] = mapped_column(enum_column(TagSource))
    added_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime]


class Consent(Base):
    """What a person agreed to, which text version, when; revoking keeps the row."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[ConsentKind] = mapped_column(enum_column(ConsentKind))
    text_version: Mapped[str] = mapped_column(String(32))
    granted: Mapped[bool] = mapped_column(Boolean())
    # family access: who may see this person's data, and until when
    grantee_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Health data of a family member without Telegram: the user agreed for that person.
    # NULL: the consent is about the user themself.
    subject_resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime | None]
    decided_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
