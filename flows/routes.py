"""Handler tables for slices. An aiogram Router can be attached to one parent only, but a
process may build several Dispatchers (tests, the benchmark, the trial chat), so each slice
records its handlers with these decorators and `build()` makes a fresh Router every time,
with a fresh router for each of its forms (Scenes make one per call)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Router
from aiogram.filters import Filter
from aiogram.fsm.scene import Scene, SceneRegistry

# What a handler calls after queuing a notice, so the delivery sweep runs now (dp["nudge"]).
Nudge = Callable[[], None]

Handler = Callable[..., Any]


class SliceRoutes:
    def __init__(self, name: str, scenes: tuple[type[Scene], ...] = ()) -> None:
        self.name = name
        self.scenes = scenes  # forms (flows/forms), tried after the slice's own handlers
        self._entries: list[tuple[str, Handler, tuple[Any, ...], dict[str, Any]]] = []

    def _on(self, event: str, *filters: Any, **kwargs: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._entries.append((event, handler, filters, kwargs))
            return handler

        return register

    def message(self, *filters: Any, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self._on("message", *filters, **kwargs)

    def edited_message(self, *filters: Any, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self._on("edited_message", *filters, **kwargs)

    def callback_query(self, *filters: Any, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self._on("callback_query", *filters, **kwargs)

    def build(self, *, only_for: Filter | None = None) -> Router:
        """A new Router with every recorded handler; `only_for` guards messages and buttons."""
        router = Router(name=self.name)
        if only_for is not None:
            router.message.filter(only_for)
            router.callback_query.filter(only_for)
        # Decorators stacked on one function run bottom-up; keep the written order.
        for event, handler, filters, kwargs in self._entries:
            router.observers[event].register(handler, *filters, **kwargs)
        if self.scenes:
            SceneRegistry(router).add(*self.scenes)
        return router
