"""Signing read in English: names, titles and rooms from config.yml's English fields, one
date format (5 Mar 2026), money with two decimals, and no Chinese punctuation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.local_chat import LocalChat
from flows.clock import FrozenClock
from tests.flows.journeys import Deliver, JoinByInvite

FULL_WIDTH = "：（）、，。「」"


async def english_resident(person: Callable[..., LocalChat]) -> LocalChat:
    chat = person(first_name="Mary", last_name="Smith", language_code="en")
    await chat.say("/start")
    for label in ("English", "Agree", "✅ Agree", "Call me", "Send my phone number", "1940s",
                  "1948", "Mar", "1–7", "5", "Female", "Xingfu No.1", "Skip", "Hypertension",
                  "Done", "No", "save"):  # fmt: skip
        await chat.press(label)
    return chat


async def test_signing_reads_in_english(
    person: Callable[..., LocalChat], join_by_invite: JoinByInvite, clock: FrozenClock,
    deliver: Deliver,
) -> None:  # fmt: skip
    doctor = await join_by_invite("dr-wang")
    resident = await english_resident(person)
    await resident.say("📝 Sign")
    await resident.press("Start")
    await resident.press("Done, next")
    await resident.press("王建国")
    await resident.press("Choose this doctor")
    offers = resident.last_text()
    assert "• Pregnancy and postpartum: Only during pregnancy or within a year of giving birth" in (
        offers
    )
    assert "⬜ Hypertension · you pay ¥120.00/yr (insurance pays ¥180.00)" in labels(resident)
    await resident.press("Hypertension")
    await resident.press("Done, next")
    await resident.press("1 yr")
    assert "💰 Cost: you pay ¥120.00 a year after insurance" in resident.last_text()
    await resident.press("Confirm")
    assert labels(resident)[:2] == ["📇 See my request", "🏠 Main menu"]
    await deliver()
    await doctor.press("查看申请")
    await doctor.press("✅ 同意")
    await deliver()
    await resident.press("card")
    assert resident.last_text().split("\n") == [
        "📇 My family doctor: 王建国 (Attending physician)",
        "✅ Signed · 23 Nov 2026 to 22 Nov 2027",
        "🏥 Consulting room 205, 2nd floor · GP Team 1",
    ]
    await resident.press("More")
    whole = resident.screen()[-1].text or ""
    assert "🕘 Clinic hours\n  Mon 08:30-11:30, 14:00-17:00\n  Wed 08:30-11:30" in whole
    assert "💰 You pay ¥120.00 a year" in whole

    clock.advance(timedelta(days=334))  # 30 days before the last day: the renewal notice
    await deliver()
    assert "22 Nov 2027" in resident.last_text()  # as on the card, not "November 22, 2027"

    shown = [s.text or "" for s in resident.screen()]
    assert not [t for t in shown if any(mark in t for mark in FULL_WIDTH)]
    assert not any("sign up first" in t for t in shown)


def labels(chat: LocalChat) -> list[str]:
    return [b.text for b in chat.buttons()]
