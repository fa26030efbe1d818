"""The onboarding form walked by the form engine. Someone who has not registered yet has no
main menu to go to: /menu asks the question again, /cancel keeps the answers for later."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from flows.forms.form import Turn
from flows.forms.prompts import retire_buttons
from flows.forms.scene import FormScene
from flows.forms.words import Escape
from flows.onboarding.keyboards import resume_keyboard
from flows.onboarding.questions import ONBOARDING


class OnboardingScene(FormScene, state="onboarding"):
    form = ONBOARDING

    async def leave(self, turn: Turn, escape: Escape, *, menu_button: bool = False) -> None:
        if turn.user.is_onboarded:  # changing her profile: the menu is there
            await super().leave(turn, escape, menu_button=menu_button)
            return
        if escape is Escape.CANCEL:
            await retire_buttons(turn.message, turn.state)
            await turn.state.set_state(None)  # the answers so far wait for ▶️ 继续登记
            await turn.say(
                _("好的，先停在这里。想接着登记，点「▶️ 继续登记」或发 /start。"),
                reply_markup=resume_keyboard(),
            )
            return
        await turn.say(_("登记好以后才有主菜单。我们接着登记："))
        await self.ask(turn, turn.step)
