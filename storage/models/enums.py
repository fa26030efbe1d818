"""The states and kinds the service speaks of, as stored values."""

from enum import StrEnum


class Role(StrEnum):
    """What an account is to the bot. A staff member's post (GP, nurse…) is their Staff
    row's StaffRole, reached through users.staff_id, and stored nowhere else."""

    RESIDENT = "resident"
    STAFF = "staff"  # a member of a family doctor team (users.staff_id names which)
    ADMIN = "admin"

    @property
    def is_staff(self) -> bool:
        return self is not Role.RESIDENT


class StaffRole(StrEnum):
    """A post in a family doctor team (config.yml teams.members.role, staff.role)."""

    GP = "gp"  # the team's family doctor: residents sign with a GP
    NURSE = "nurse"
    PUBLIC_HEALTH = "public_health"
    ASSISTANT = "assistant"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Pregnancy(StrEnum):
    NONE = "none"
    PREGNANT = "pregnant"
    POSTPARTUM = "postpartum"


class Relation(StrEnum):
    SELF = "self"
    SPOUSE = "spouse"
    FATHER = "father"
    MOTHER = "mother"
    SON = "son"
    DAUGHTER = "daughter"
    GRANDCHILD = "grandchild"
    OTHER = "other"


class TagSource(StrEnum):
    DERIVED = "derived"
    DOCTOR = "doctor"


class ConsentKind(StrEnum):
    PRIVACY_NOTICE = "privacy_notice"
    HEALTH_DATA = "health_data"
    FAMILY_ACCESS = "family_access"
    # Given by a user for a family member without Telegram (consents.subject_resident_id).
    MEMBER_HEALTH_DATA = "member_health_data"


class ContractState(StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    RENEWED = "renewed"


class AppointmentKind(StrEnum):
    CLINIC = "clinic"
    FOLLOW_UP = "follow_up"
    HOME_VISIT = "home_visit"
    CHECK_UP = "check_up"


class AppointmentState(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    DONE = "done"
    NO_SHOW = "no_show"


class PlanKind(StrEnum):
    MEDICATION = "medication"
    FOLLOW_UP = "follow_up"


class MessageState(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class QuestionState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    RED_FLAG = "red_flag"


class MeasurementKind(StrEnum):
    BLOOD_PRESSURE = "blood_pressure"
    GLUCOSE = "glucose"
    WEIGHT = "weight"


class GlucoseTiming(StrEnum):
    FASTING = "fasting"
    POSTPRANDIAL = "postprandial"
    RANDOM = "random"
