"""Red-flag alerts never fail quietly. One that could not reach a team member (given up after
its retries, or the member blocked the bot) goes to the rest of that member's team and to the
centre's duty contacts (config.yml `delivery.duty`) who have not had it yet. No aiogram here.

"Had it" is the dedupe key `red_flag:<alert>:<user id>` of the outbox: the alert key is the
payload's `alert` when the sender put one there (the same for every copy of one alert), else
the first failed message's id; forwarded copies carry it on, so a copy that fails too is
forwarded again without anyone getting it twice."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from flows.centre import CentreConfig
from storage.alerts import reachable_admins, reachable_staff, reachable_team_mates
from storage.models import Priority, ScheduledMessage
from storage.outbox import note_dedupe_key, schedule_message

log = logging.getLogger(__name__)


def alert_key(message: ScheduledMessage) -> str:
    return str(message.payload.get("alert") or f"m{message.id}")


def _had_it(alert: str, user_id: int) -> str:
    return f"red_flag:{alert}:{user_id}"


async def fallback_recipients(
    session: AsyncSession, centre: CentreConfig, failed_recipient_id: int
) -> list[int]:
    """Who else should hear an alert this user could not get: their team mates (GP first),
    then the duty staff, then the admins, each once, never the user themself."""
    duty = centre.delivery.duty
    candidates = await reachable_team_mates(session, failed_recipient_id)
    candidates += await reachable_staff(session, duty.staff)
    if duty.admins:
        candidates += await reachable_admins(session)
    return [u for u in dict.fromkeys(candidates) if u != failed_recipient_id]


async def forward_undelivered_alert(
    session: AsyncSession,
    centre: CentreConfig,
    message: ScheduledMessage,
    now: datetime,
    error: str,
) -> list[int]:
    """Queues the alert for those who should hear it instead and have not had it; logs at
    ERROR (ids only). Returns the users it was queued for. The caller commits."""
    alert = alert_key(message)
    await note_dedupe_key(session, message.id, _had_it(alert, message.recipient_user_id))
    payload = {**message.payload, "alert": alert}
    queued: list[int] = []
    for user_id in await fallback_recipients(session, centre, message.recipient_user_id):
        copy = await schedule_message(
            session, kind=message.kind, recipient_user_id=user_id, due_at=now, now=now,
            payload=payload, priority=Priority.RED_FLAG, dedupe_key=_had_it(alert, user_id),
        )  # fmt: skip
        if copy is not None:
            queued.append(user_id)
    log.error(
        "red-flag alert %s (message %s) did not reach user %s (%s); forwarded to users %s",
        alert, message.id, message.recipient_user_id, error, queued or "none: nobody else left",
    )  # fmt: skip
    return queued
