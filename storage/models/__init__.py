"""All tables of the service. Import from here: `from storage.models import User`."""

from storage.models.audit import AuditEntry
from storage.models.base import Base
from storage.models.care import Answer, Appointment, CarerLink, Measurement, Plan, Question
from storage.models.centre import (
    ClinicHours,
    Community,
    DoctorInvite,
    Package,
    PackageItem,
    Staff,
    Team,
)
from storage.models.contracts import (
    Contract,
    ContractMember,
    ContractPackage,
    ContractTransition,
    ServiceDelivery,
    WaitlistEntry,
)
from storage.models.conversation import ConversationState
from storage.models.deployment import DatabaseUse
from storage.models.enums import (
    AppointmentKind,
    AppointmentState,
    ConsentKind,
    ContractState,
    GlucoseTiming,
    MeasurementKind,
    MessageState,
    PlanKind,
    Pregnancy,
    Priority,
    QuestionState,
    Relation,
    Role,
    Sex,
    TagSource,
)
from storage.models.messaging import ScheduledMessage
from storage.models.people import (
    Consent,
    Household,
    Resident,
    ResidentCondition,
    ResidentTag,
    User,
)

__all__ = [
    "Answer",
    "Appointment",
    "AppointmentKind",
    "AppointmentState",
    "AuditEntry",
    "Base",
    "CarerLink",
    "ClinicHours",
    "Community",
    "Consent",
    "ConsentKind",
    "Contract",
    "ContractMember",
    "ContractPackage",
    "ContractState",
    "ContractTransition",
    "ConversationState",
    "DatabaseUse",
    "DoctorInvite",
    "GlucoseTiming",
    "Household",
    "Measurement",
    "MeasurementKind",
    "MessageState",
    "Package",
    "PackageItem",
    "Plan",
    "PlanKind",
    "Pregnancy",
    "Priority",
    "Question",
    "QuestionState",
    "Relation",
    "Resident",
    "ResidentCondition",
    "ResidentTag",
    "Role",
    "ScheduledMessage",
    "ServiceDelivery",
    "Sex",
    "Staff",
    "TagSource",
    "Team",
    "User",
    "WaitlistEntry",
]
