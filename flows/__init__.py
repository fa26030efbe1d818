"""The conversation slices. `routers()` is the order they are asked in: red-flag triage
first, onboarding (it owns /start), feature slices (only for registered users), free-text
understanding, the fallback last."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Router
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from flows.fallback.router import routes as fallback
from flows.menu.router import routes as menu
from flows.onboarding.router import routes as onboarding
from flows.onboarding.service import OnboardingService
from flows.settings.router import routes as settings
from flows.settings.service import SettingsService
from flows.signing.family import routes as signing_family
from flows.signing.review_router import routes as signing_review
from flows.signing.router import routes as signing
from flows.signing.service import SigningService
from flows.understanding.emergency import triage_routes as triage
from flows.understanding.router import routes as understanding
from flows.understanding.service import UnderstandingService
from storage.models import User


class Registered(Filter):
    """Feature slices serve people who finished onboarding (or staff)."""

    async def __call__(self, event: Message | CallbackQuery, user: User | None = None) -> bool:
        return user is not None and user.is_onboarded


def routers() -> list[Router]:
    registered = Registered()
    return [
        triage.build(),  # red flags before anything else, for everyone, in any state
        onboarding.build(),
        menu.build(only_for=registered),
        settings.build(only_for=registered),
        signing_family.build(only_for=registered),  # before signing: its states come first
        signing.build(only_for=registered),
        signing_review.build(only_for=registered),
        understanding.build(only_for=registered),  # free text nobody above claimed
        fallback.build(),
    ]


# Per-update services handed to handlers by name (see bot.middlewares.services).
SERVICES: dict[str, Callable[..., Any]] = {
    "onboarding": OnboardingService,
    "settings": SettingsService,
    "signing": SigningService,
    "understanding": UnderstandingService,
}
