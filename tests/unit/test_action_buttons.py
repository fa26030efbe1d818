"""A notice's button is pressed weeks after it was queued: it must pack to exactly what the
slice's own button packs, and notices queued before actions existed must still work."""

from __future__ import annotations

import pytest

from flows.action_buttons import button_data
from flows.actions import Action, ActionKind
from flows.signing.callbacks import CardAction, Review


@pytest.mark.parametrize(
    ("action", "packed"),
    [
        (Action(ActionKind.REVIEW_CONTRACT, 12), Review(contract_id=12).pack()),
        (Action(ActionKind.OPEN_CARD), CardAction(action="card").pack()),
        (Action(ActionKind.RENEW_CONTRACT), CardAction(action="renew").pack()),
        (Action(ActionKind.START_SIGNING), CardAction(action="start").pack()),
    ],
)
def test_every_action_packs_as_its_handler_reads_it(action: Action, packed: str) -> None:
    button = {"text": "…", **action.as_payload()}
    assert button_data(button) == packed
    assert Action.from_payload(button) == action


def test_every_kind_has_a_button() -> None:
    for kind in ActionKind:
        assert button_data({"action": kind.value, "contract_id": 1})


def test_a_notice_queued_before_actions_keeps_its_packed_data() -> None:
    assert button_data({"text": "📝 查看申请", "data": "sgr:7"}) == "sgr:7"


def test_an_unknown_action_is_refused_not_sent_blank() -> None:
    with pytest.raises(ValueError):
        button_data({"text": "…", "action": "fly_to_the_moon"})
