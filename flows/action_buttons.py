"""Neutral actions (flows/actions.py) as the callback data of the slices' own buttons, so a
notice's button is read by the same handler, through the same CallbackData class, as the
button shown in the chat."""

from __future__ import annotations

from typing import Any

from aiogram.filters.callback_data import CallbackData

from flows.actions import Action, ActionKind
from flows.signing.callbacks import CardAction, Review


def callback_for(action: Action) -> CallbackData:
    if action.kind is ActionKind.REVIEW_CONTRACT and action.contract_id is not None:
        return Review(contract_id=action.contract_id)
    if action.kind is ActionKind.OPEN_CARD:
        return CardAction(action="card")
    if action.kind is ActionKind.RENEW_CONTRACT:
        return CardAction(action="renew")
    if action.kind is ActionKind.START_SIGNING:
        return CardAction(action="start")
    raise ValueError(f"no button for {action.kind}")


def button_data(button: dict[str, Any]) -> str:
    """A notice's button as callback data. Notices queued before actions existed carry the
    packed string itself ("data"); they are still due, so they are still read."""
    if "data" in button:
        return str(button["data"])
    return callback_for(Action.from_payload(button)).pack()
