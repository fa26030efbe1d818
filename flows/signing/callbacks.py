"""Callback data of the signing buttons. Notices carry neutral actions that
flows/action_buttons.py packs with these classes when they are sent; buttons already in
people's chats keep their packed strings, so prefixes and fields must not change lightly."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class Wizard(CallbackData, prefix="sgs"):
    """A step of signing: who, which doctor, which packages, how long, confirm."""

    step: str
    value: str


class Family(CallbackData, prefix="sgf"):
    """A step of adding a family member (relation, name, birth date, sex, health)."""

    step: str
    value: str


class CardAction(CallbackData, prefix="sgc"):
    """start · card · more (the whole card) · renew · change · cancel · waitlist · packages"""

    action: str


class ChangeTo(CallbackData, prefix="sgx"):
    staff_id: str
    sure: bool = False
    contract_id: int = 0  # the contract the buttons were shown for (0: an old button)


class CancelWhy(CallbackData, prefix="sgq"):
    reason: str
    sure: bool = False
    contract_id: int = 0  # the contract the buttons were shown for (0: an old button)


class Withdraw(CallbackData, prefix="sgw"):
    """The household takes back its pending request (to sign, or to change doctor)."""

    contract_id: int
    sure: bool = False


class Review(CallbackData, prefix="sgr"):
    """A doctor opens a signing request."""

    contract_id: int


class Decide(CallbackData, prefix="sgd"):
    """yes · no (asks why) · a reason code · card"""

    contract_id: int
    verdict: str


class PackageInfo(CallbackData, prefix="pkg"):
    package_id: str


class StaffResident(CallbackData, prefix="sgv"):
    """Staff open one of their signed residents from 👥 居民."""

    resident_id: int


class ResidentsPage(CallbackData, prefix="sgl"):
    """A page of 👥 居民."""

    page: int
