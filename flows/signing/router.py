"""The resident's side of signing: 📝 签约 → who → which doctor → packages → term →
agreement → request; the family doctor card with renew, change of doctor and cancel.

The handlers live by what the person is doing (card_handlers, wizard_handlers,
change_handlers); this table registers them. aiogram asks handlers in the order they are
registered, so the order below is part of the behaviour."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import StateFilter

from flows.menu.buttons import MenuButton, MenuPressed
from flows.routes import SliceRoutes
from flows.signing.callbacks import (
    CancelWhy,
    CardAction,
    ChangeTo,
    PackageInfo,
    Withdraw,
    Wizard,
)
from flows.signing.card_handlers import card_action, open_signing, package_info
from flows.signing.change_handlers import cancel_contract, change_doctor, withdraw_request
from flows.signing.steps import Signing
from flows.signing.wizard_handlers import typed_during_signing, wizard_step

routes = SliceRoutes("signing")

# 📝 签约: the card when signed, else an invitation
routes.message(MenuPressed(MenuButton.SIGN))(open_signing)
routes.callback_query(CardAction.filter())(card_action)
routes.callback_query(PackageInfo.filter())(package_info)

# the signing wizard
routes.callback_query(Wizard.filter())(wizard_step)
routes.message(StateFilter(Signing), F.text)(typed_during_signing)

# change of doctor, cancellation, taking back a request
routes.callback_query(ChangeTo.filter())(change_doctor)
routes.callback_query(CancelWhy.filter())(cancel_contract)
routes.callback_query(Withdraw.filter())(withdraw_request)
