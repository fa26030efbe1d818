"""Hands each handler the slice services it names (e.g. `onboarding: OnboardingService`),
built for this update's session; handlers never open sessions or read config themselves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from flows.centre import CentreConfig
from flows.clock import Clock


class ServicesMiddleware(BaseMiddleware):
    def __init__(
        self, factories: Mapping[str, Callable[..., Any]], clock: Clock, centre: CentreConfig
    ) -> None:
        self._factories, self._clock, self._centre = factories, clock, centre

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        session = data["session"]
        for name, factory in self._factories.items():
            data[name] = factory(session, self._clock, self._centre)
        return await handler(event, data)
