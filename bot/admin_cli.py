"""Administration commands that talk to the database and print for a person to read."""

from __future__ import annotations

import sys

from bot.runtime import prepare_database
from bot.settings import Settings
from flows.admin.service import UnknownStaff, create_doctor_invite
from flows.clock import SystemClock


async def invite_doctor(settings: Settings, staff_id: str) -> int:
    db = await prepare_database(settings)
    try:
        async with db.sessionmaker() as session:
            try:
                invite = await create_doctor_invite(
                    session, staff_id=staff_id, clock=SystemClock(), centre=settings.centre
                )
            except UnknownStaff as exc:
                print(f"familydoc: {exc}", file=sys.stderr)
                return 2
            await session.commit()
    finally:
        await db.dispose()
    username = await _bot_username(settings)
    print(f"Invite for {invite.staff_name} (one use, valid until {invite.expires_at_local}):")
    if username:
        print(f"  https://t.me/{username}?start={invite.code}")
    print(f"  or send the bot: /start {invite.code}")
    return 0


async def _bot_username(settings: Settings) -> str | None:
    """The bot's @username for a clickable deep link, when a real token is configured."""
    if not settings.bot_token:
        return None
    from bot.app import make_bot

    bot = make_bot(settings)
    try:
        me = await bot.get_me()
        return me.username
    except Exception:
        return None
    finally:
        await bot.session.close()
