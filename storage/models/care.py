"""Care delivered over time: appointments, plans, home readings, questions and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column
from storage.models.enums import (
    AppointmentKind,
    AppointmentState,
    GlucoseTiming,
    MeasurementKind,
    PlanKind,
    Priority,
    QuestionState,
)
from storage.types import EncryptedText


class Appointment(Base):
    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    kind: Mapped[AppointmentKind] = mapped_column(enum_column(AppointmentKind))
    state: Mapped[AppointmentState] = mapped_column(enum_column(AppointmentState))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    booked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Plan(Base):
    """A medication or follow-up plan set for a resident; its schedule is a small document
    (times of day, interval, supply) so new plan shapes need no migration."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    kind: Mapped[PlanKind] = mapped_column(enum_column(PlanKind))
    title: Mapped[str] = mapped_column(EncryptedText())  # e.g. 硝苯地平 10mg
    schedule: Mapped[dict[str, Any]]
    starts_on: Mapped[date] = mapped_column(Date())
    ends_on: Mapped[date | None] = mapped_column(Date())
    supply_until: Mapped[date | None] = mapped_column(Date())
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(Boolean(), default=True)
    created_at: Mapped[datetime]


class Measurement(Base):
    __tablename__ = "measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    kind: Mapped[MeasurementKind] = mapped_column(enum_column(MeasurementKind))
    systolic: Mapped[int | None] = mapped_column(Integer())
    diastolic: Mapped[int | None] = mapped_column(Integer())
    pulse: Mapped[int | None] = mapped_column(Integer())
    glucose_mmol: Mapped[float | None] = mapped_column(Float())
    glucose_timing: Mapped[GlucoseTiming | None] = mapped_column(enum_column(GlucoseTiming))
    weight_kg: Mapped[float | None] = mapped_column(Float())
    measured_at: Mapped[datetime] = mapped_column(index=True)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    flagged: Mapped[bool] = mapped_column(Boolean(), default=False)


class Question(Base):
    """A resident's question in their doctor's queue (问医生)."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    asked_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), index=True)
    text: Mapped[str] = mapped_column(EncryptedText())
    state: Mapped[QuestionState] = mapped_column(enum_column(QuestionState), index=True)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority))
    created_at: Mapped[datetime]
    reply_due_at: Mapped[datetime]

    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan")


class Answer(Base):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(EncryptedText())
    created_at: Mapped[datetime]


class CarerLink(Base):
    """A family member or carer allowed (by the resident's consent) to help with their care."""

    __tablename__ = "carer_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    carer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    scope: Mapped[str] = mapped_column(String(64))  # e.g. "alerts,booking,questions"
    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"))
    created_at: Mapped[datetime]
