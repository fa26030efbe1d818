"""Service packages (服务包): who may choose which package, and what it costs them.
Plain rules over config.yml; no aiogram, no SQL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from flows.centre import CentreConfig, Package, PackageItem, PriorityRules
from flows.person import age_on, may_be_pregnant
from storage.models import Pregnancy, Resident, Sex

PERIODS_PER_YEAR = {"year": 1, "quarter": 4, "month": 12}


class NotEligible(StrEnum):
    """Why a package is not offered to someone; the wording lives with the router."""

    TOO_YOUNG = "too_young"  # below min_age
    TOO_OLD = "too_old"  # above max_age
    CONDITION = "condition"  # needs one of the package's conditions
    PREGNANCY = "pregnancy"  # only during pregnancy and a year after birth
    DISABILITY = "disability"
    HEALTH_UNKNOWN = "health_unknown"  # depends on health data we may not hold


@dataclass(frozen=True)
class Person:
    """What eligibility needs to know about a resident."""

    age: int
    sex: Sex
    # None: no health-data consent, so conditions, pregnancy and disability are unknown.
    conditions: frozenset[str] | None
    pregnancy: Pregnancy | None
    disability: bool | None
    # Known without health data (sex and age): a man is never asked for consent to learn
    # that a pregnancy package is not for him.
    can_be_pregnant: bool = True

    @classmethod
    def of(
        cls, resident: Resident, today: date, rules: PriorityRules, *, health_known: bool
    ) -> Person:
        return cls(
            age=age_on(resident.birth_date, today),
            sex=resident.sex,
            conditions=frozenset(c.code for c in resident.conditions) if health_known else None,
            pregnancy=resident.pregnancy if health_known else None,
            disability=resident.disability if health_known else None,
            can_be_pregnant=may_be_pregnant(resident.sex, resident.birth_date, today, rules),
        )


@dataclass(frozen=True)
class Offer:
    package: Package
    refusal: NotEligible | None = None

    @property
    def eligible(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class Price:
    """Yuan per year: the list price, what insurance pays and what the resident pays."""

    full: float
    insurance: float
    own: float


def refusal(package: Package, person: Person) -> NotEligible | None:
    """None when `person` may choose `package`, else the first reason they may not."""
    rule = package.eligibility
    if rule.min_age is not None and person.age < rule.min_age:
        return NotEligible.TOO_YOUNG
    if rule.max_age is not None and person.age > rule.max_age:
        return NotEligible.TOO_OLD
    if rule.pregnancy and not person.can_be_pregnant:
        return NotEligible.PREGNANCY
    needs_health = bool(rule.conditions) or rule.pregnancy is not None or rule.disability
    if needs_health and person.conditions is None:
        return NotEligible.HEALTH_UNKNOWN
    if rule.conditions and not (person.conditions or frozenset()) & set(rule.conditions):
        return NotEligible.CONDITION
    pregnant = person.pregnancy in (Pregnancy.PREGNANT, Pregnancy.POSTPARTUM)
    if rule.pregnancy is not None and pregnant != rule.pregnancy:
        return NotEligible.PREGNANCY
    if rule.disability is not None and bool(person.disability) != rule.disability:
        return NotEligible.DISABILITY
    return None


def offers_for(person: Person, centre: CentreConfig) -> list[Offer]:
    """Every package of the catalogue, free ones first, each with why it is not offered."""
    ordered = sorted(centre.packages, key=lambda p: (p.price > 0, centre.packages.index(p)))
    return [Offer(p, refusal(p, person)) for p in ordered]


def is_free(package: Package) -> bool:
    return package.price == 0


def comes_with_contract(offer: Offer) -> bool:
    """Free packages come with every contract for everyone they are open to (the basic
    package for all; a free package with rules for those it fits): nobody picks them."""
    return offer.eligible and is_free(offer.package)


def choosable(offer: Offer) -> bool:
    """A package the person may pick: open to them, and not one that comes anyway."""
    return offer.eligible and not is_free(offer.package)


def included_packages(offers: Iterable[Offer], picked: Iterable[str]) -> list[Package]:
    """What a member's contract holds: the free packages open to them and the paid ones
    they picked (if still open to them), in the order of `offers` (free first). The request,
    renewal, the agreement summary and the keyboards all go by this."""
    wanted = set(picked)
    return [
        o.package for o in offers
        if comes_with_contract(o) or (choosable(o) and o.package.id in wanted)
    ]  # fmt: skip


def price_of(package: Package) -> Price:
    insurance = round(package.price * package.insurance_share, 2)
    return Price(full=package.price, insurance=insurance, own=round(package.price - insurance, 2))


def yearly_times(item: PackageItem) -> int:
    """4 a year, 1 a quarter → 4, 1 a month → 12: what the card counts against."""
    return item.times * PERIODS_PER_YEAR[item.per]


def package_by_id(centre: CentreConfig, package_id: str) -> Package | None:
    return next((p for p in centre.packages if p.id == package_id), None)
