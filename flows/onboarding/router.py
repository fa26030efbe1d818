"""Onboarding: language → privacy notice → health-data consent → profile → main menu.
Staff join with `/start doc_…` from a one-time invite.

The questions are in questions.py, walked by the form engine (flows/forms) as
OnboardingScene; these are the ways in. aiogram tries a router's own handlers before its
scene's, so /start always works, and an invite link is tried before plain /start."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import CommandStart

from flows.admin.service import INVITE_PREFIXES
from flows.onboarding import keyboards as kb
from flows.onboarding.scene import OnboardingScene
from flows.onboarding.start_and_join import edit_profile, join_as_staff, resume, start
from flows.routes import SliceRoutes

routes = SliceRoutes("onboarding", scenes=(OnboardingScene,))

routes.message(CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PREFIXES)))(
    join_as_staff
)
routes.message(CommandStart())(start)
routes.callback_query(kb.Answer.filter(F.step == "resume"))(resume)
routes.callback_query(kb.Answer.filter(F.step == "edit"))(edit_profile)
