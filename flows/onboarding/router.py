"""Onboarding: language → privacy notice → health-data consent → profile → main menu.
Staff join with `/start doc_…` from a one-time invite.

The handlers live in start_and_join, button_answers and typed_answers; this is their table.
aiogram tries handlers in the order they are registered, so the order here is behaviour: an
invite link before plain /start, the resume and edit buttons before any other answer button,
and typed answers before `needs_a_button`, which takes whatever is left during the form."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import CommandStart, StateFilter

from flows.admin.service import INVITE_PREFIXES
from flows.onboarding import keyboards as kb
from flows.onboarding.button_answers import answer_button
from flows.onboarding.form import Step
from flows.onboarding.start_and_join import edit_profile, join_as_staff, resume, start
from flows.onboarding.typed_answers import (
    needs_a_button,
    shared_contact,
    typed_address,
    typed_birth_date,
    typed_name,
    typed_phone,
)
from flows.routes import SliceRoutes

routes = SliceRoutes("onboarding")

# ---- /start ---------------------------------------------------------------------------------
routes.message(CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PREFIXES)))(
    join_as_staff
)
routes.message(CommandStart())(start)

# ---- button answers -------------------------------------------------------------------------
routes.callback_query(kb.Answer.filter(F.step == "resume"))(resume)
routes.callback_query(kb.Answer.filter(F.step == "edit"))(edit_profile)
routes.callback_query(kb.Answer.filter())(answer_button)

# ---- typed answers --------------------------------------------------------------------------
routes.message(StateFilter(Step.name), F.text)(typed_name)
routes.message(StateFilter(Step.phone), F.contact)(shared_contact)
routes.message(StateFilter(Step.phone), F.text)(typed_phone)
routes.message(StateFilter(Step.decade, Step.year, Step.month, Step.day), F.text)(typed_birth_date)
routes.message(StateFilter(Step.address), F.text)(typed_address)
routes.message(StateFilter(Step))(needs_a_button)
