"""The health centre as described by config.yml: typed, validated, read-only.

This is the domain's own description of the centre (teams, packages, policies), so it lives
with the flows that apply it; `bot.settings` reads the file and hands the result down.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nlu.triage.thresholds import TriageThresholds
from storage.models.enums import StaffRole

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LANGUAGES = ("zh_CN", "en")
_SLUG = r"^[a-z][a-z0-9_-]{0,31}$"
_CLOCK_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def normalise_language(value: str) -> str:
    """Accepts zh-CN / zh_CN / zh / en and returns the catalogue name (zh_CN or en)."""
    key = value.strip().replace("-", "_").lower()
    if key in ("zh", "zh_cn", "zh_hans"):
        return "zh_CN"
    if key.startswith("en"):
        return "en"
    raise ValueError(f"unsupported language {value!r}; use zh-CN or en")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ClinicHours(_Frozen):
    start: time
    end: time


class StaffMember(_Frozen):
    id: Annotated[str, Field(pattern=_SLUG)]
    name: Annotated[str, Field(min_length=1, max_length=40)]
    role: StaffRole
    title: str = ""
    title_en: str = ""  # English readers see the role's name when it is empty
    room: str = ""
    room_en: str = ""  # English readers see `room` when it is empty
    max_residents: Annotated[int | None, Field(gt=0)] = None
    schedule: dict[Weekday, tuple[ClinicHours, ...]] = Field(default_factory=dict)

    @field_validator("schedule", mode="before")
    @classmethod
    def _parse_ranges(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        parsed: dict[object, list[ClinicHours]] = {}
        for day, ranges in value.items():
            try:
                parsed[day] = [_parse_clock_range(r) for r in ranges]
            except ValueError as exc:
                raise ValueError(f"{day}: {exc}") from None
        return parsed


def _parse_clock_range(text: object) -> ClinicHours:
    match = _CLOCK_RANGE.match(str(text).strip())
    if not match:
        raise ValueError(f"clinic hours {text!r} must look like 08:30-11:30")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        start, end = time(h1, m1), time(h2, m2)
    except ValueError as exc:
        raise ValueError(f"clinic hours {text!r}: {exc}") from None
    if end <= start:
        raise ValueError(f"clinic hours {text!r} end before they start")
    return ClinicHours(start=start, end=end)


class Team(_Frozen):
    id: Annotated[str, Field(pattern=_SLUG)]
    name: str
    name_en: str = ""
    members: tuple[StaffMember, ...]

    @model_validator(mode="after")
    def _has_a_gp(self) -> Team:
        if not any(m.role is StaffRole.GP for m in self.members):
            raise ValueError(f"team {self.id} needs at least one gp")
        return self


class Community(_Frozen):
    id: Annotated[str, Field(pattern=_SLUG)]
    name: str
    name_en: str = ""
    team: str


class Condition(_Frozen):
    code: Annotated[str, Field(pattern=_SLUG)]
    name: str
    name_en: str


class PackageItem(_Frozen):
    name: str
    name_en: str = ""
    times: Annotated[int, Field(gt=0, le=366)]
    per: Literal["year", "quarter", "month"] = "year"


class Eligibility(_Frozen):
    min_age: Annotated[int | None, Field(ge=0, le=130)] = None
    max_age: Annotated[int | None, Field(ge=0, le=130)] = None
    conditions: tuple[str, ...] = ()
    pregnancy: bool | None = None
    disability: bool | None = None


class Package(_Frozen):
    id: Annotated[str, Field(pattern=_SLUG)]
    name: str
    name_en: str = ""
    price: Annotated[float, Field(ge=0)]
    insurance_share: Annotated[float, Field(ge=0, le=1)] = 0
    eligibility: Eligibility = Eligibility()
    items: tuple[PackageItem, ...]


class ContractPolicy(_Frozen):
    terms_years: tuple[Annotated[int, Field(ge=1, le=3)], ...] = (1, 2, 3)
    default_term_years: Annotated[int, Field(ge=1, le=3)] = 1
    approval_escalate_after_hours: Annotated[int, Field(gt=0)] = 72
    renewal_notice_days: tuple[Annotated[int, Field(gt=0)], ...] = (30, 7)
    doctor_changes_per_year: Annotated[int, Field(ge=0)] = 1
    default_max_residents: Annotated[int, Field(gt=0)] = 2000


class PriorityRules(_Frozen):
    elderly_min_age: Annotated[int, Field(ge=0, le=130)] = 65
    child_max_age: Annotated[int, Field(ge=0, le=18)] = 6
    conditions: tuple[str, ...] = ("hypertension", "diabetes", "tuberculosis", "mental")
    # Ages at which pregnancy questions and packages can apply (youngest, oldest).
    childbearing_ages: tuple[
        Annotated[int, Field(ge=0, le=130)], Annotated[int, Field(ge=0, le=130)]
    ] = (14, 55)

    @field_validator("childbearing_ages")
    @classmethod
    def _youngest_first(cls, ages: tuple[int, int]) -> tuple[int, int]:
        if ages[0] > ages[1]:
            raise ValueError("childbearing_ages: the youngest age comes first")
        return ages


class ReminderPolicy(_Frozen):
    medication_snooze_minutes: Annotated[int, Field(gt=0, le=24 * 60)] = 30
    refill_notice_days: Annotated[int, Field(ge=0, le=90)] = 7
    sweep_seconds: Annotated[int, Field(ge=1, le=3600)] = 30


class ReplyTargets(_Frozen):
    question_hours: Annotated[float, Field(gt=0)] = 2
    urgent_minutes: Annotated[int, Field(gt=0)] = 30


class QuietHours(_Frozen):
    start: time
    end: time


class DutyContacts(_Frozen):
    """Who hears a red-flag alert that could not reach the resident's care team."""

    staff: tuple[str, ...] = ()  # staff ids (their bot accounts)
    admins: bool = True  # and the centre's admins


class DeliveryPolicy(_Frozen):
    """Sending what is due: how long a sender holds a message, retries, giving up."""

    claim_lease_seconds: Annotated[float, Field(gt=0, le=3600)] = 300
    max_attempts: Annotated[int, Field(ge=1, le=20)] = 5
    red_flag_max_attempts: Annotated[int, Field(ge=1, le=20)] = 2
    retry_first_seconds: Annotated[float, Field(gt=0, le=3600)] = 30
    retry_max_minutes: Annotated[float, Field(gt=0, le=24 * 60)] = 30
    resend_after_unblock_hours: Annotated[float, Field(ge=0, le=24 * 30)] = 24
    duty: DutyContacts = DutyContacts()


class PrivacyPolicy(_Frozen):
    notice_version: Annotated[str, Field(min_length=1)]
    health_consent_version: Annotated[str, Field(min_length=1)]
    doctor_invite_days: Annotated[int, Field(gt=0, le=90)] = 7


class ConversationPolicy(_Frozen):
    # A half-filled form (phone, conditions…) or an unsent question left this long is
    # forgotten: it is personal data nobody is using.
    abandon_after_hours: Annotated[int, Field(gt=0, le=24 * 90)] = 72


class CentreInfo(_Frozen):
    name: str
    name_en: str = ""
    timezone: str = "Asia/Shanghai"
    default_language: str = "zh_CN"
    phone: str
    address: str = ""
    emergency_number: str = "120"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        return normalise_language(value)


class CentreConfig(_Frozen):
    centre: CentreInfo
    communities: tuple[Community, ...]
    teams: tuple[Team, ...]
    conditions: tuple[Condition, ...]
    priority: PriorityRules = PriorityRules()
    contract: ContractPolicy = ContractPolicy()
    packages: tuple[Package, ...]
    reminders: ReminderPolicy = ReminderPolicy()
    followup: dict[str, Annotated[int, Field(gt=0, le=52)]] = Field(default_factory=dict)
    reply_targets: ReplyTargets = ReplyTargets()
    quiet_hours: QuietHours
    triage: TriageThresholds  # config.yml holds the figures, with their sources
    delivery: DeliveryPolicy = DeliveryPolicy()
    privacy: PrivacyPolicy
    conversation: ConversationPolicy = ConversationPolicy()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.centre.timezone)

    @model_validator(mode="after")
    def _references_resolve(self) -> CentreConfig:
        team_ids = _unique("teams", [t.id for t in self.teams])
        staff_ids = _unique("staff", [m.id for t in self.teams for m in t.members])
        _unique("communities", [c.id for c in self.communities])
        _unique("packages", [p.id for p in self.packages])
        codes = _unique("conditions", [c.code for c in self.conditions])
        for community in self.communities:
            if community.team not in team_ids:
                raise ValueError(f"community {community.id} names unknown team {community.team!r}")
        for package in self.packages:
            for code in package.eligibility.conditions:
                if code not in codes:
                    raise ValueError(f"package {package.id} names unknown condition {code!r}")
        for code in self.priority.conditions:
            if code not in codes:
                raise ValueError(f"priority names unknown condition {code!r}")
        for staff_id in self.delivery.duty.staff:
            if staff_id not in staff_ids:
                raise ValueError(f"delivery.duty names unknown staff {staff_id!r}")
        if self.contract.default_term_years not in self.contract.terms_years:
            raise ValueError("contract.default_term_years must be one of contract.terms_years")
        if not any(p.price == 0 for p in self.packages):
            raise ValueError("packages need a free basic package (price 0)")
        return self

    def staff(self, staff_id: str) -> StaffMember | None:
        return next((m for t in self.teams for m in t.members if m.id == staff_id), None)

    def team_of(self, staff_id: str) -> Team | None:
        return next((t for t in self.teams if any(m.id == staff_id for m in t.members)), None)

    def condition(self, code: str) -> Condition | None:
        return next((c for c in self.conditions if c.code == code), None)

    def community(self, community_id: str) -> Community | None:
        return next((c for c in self.communities if c.id == community_id), None)


def _unique(what: str, ids: list[str]) -> set[str]:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{what}: id {item!r} appears twice")
        seen.add(item)
    return seen
