"""What a button on a notice does, said neutrally ("review contract 12"): services put it in
the outbox, and the router layer (flows/action_buttons.py) turns it into the callback data
the slice's handlers read when the notice is sent. No aiogram here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ActionKind(StrEnum):
    REVIEW_CONTRACT = "review_contract"  # a doctor opens a signing request
    OPEN_CARD = "open_card"  # the resident's family doctor card
    RENEW_CONTRACT = "renew_contract"  # one-tap renewal
    START_SIGNING = "start_signing"  # the signing wizard, from the start


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    contract_id: int | None = None

    def as_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"action": self.kind.value}
        if self.contract_id is not None:
            payload["contract_id"] = self.contract_id
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Action:
        """Raises ValueError or KeyError for a button this version does not know."""
        contract_id = payload.get("contract_id")
        return cls(ActionKind(payload["action"]), int(contract_id) if contract_id else None)
