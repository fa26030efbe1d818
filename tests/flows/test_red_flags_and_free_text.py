"""Red flags come first, for everyone; free text never meets silence, whether the NLU server
is down, slow or talking nonsense."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from aiogram.exceptions import TelegramServerError
from aiogram.methods import SendMessage
from aiohttp import web
from sqlalchemy import select, update

from bot.app import build_dispatcher
from bot.local_api import LocalBotApi
from bot.local_chat import LocalChat
from bot.settings import Settings
from flows.centre import CentreConfig
from flows.clock import FrozenClock
from nlu.client import NluClient
from storage.database import Database
from storage.models import AuditEntry, Question, QuestionState, Resident
from tests.flows.journeys import Deliver, JoinByInvite, onboard_by_buttons, start_onboarding


async def test_red_flag_mid_onboarding_is_answered_and_not_taken_as_a_name(
    person: Callable[..., LocalChat],
) -> None:
    chat = person()
    await start_onboarding(chat, health=False)
    replies = await chat.say("我胸口疼得厉害，喘不上气")
    assert "请马上拨打 120" in replies[0].text
    assert [b.text for b in chat.buttons()] == ["📞 急救电话 120"]  # no menu yet to go back to
    await chat.press("急救电话")
    assert chat.screen()[-1].kind == "alert" and "120" in chat.screen()[-1].text
    await chat.say("张秀兰")  # onboarding carries on where it was
    assert "手机号" in chat.last_text()


async def test_red_flag_alerts_the_residents_care_team(
    onboarded: LocalChat, db: Database, join_by_invite: JoinByInvite
) -> None:
    doctor = await join_by_invite("dr-wang")
    other_team = await join_by_invite("dr-chen")
    resident = onboarded  # lives in 幸福一社区: team A (dr-wang)

    replies = await resident.say("我爸突然口角歪斜，说话不清楚了")
    assert "请马上拨打 120" in replies[0].text
    assert "记下发病的时间" in replies[0].text  # the stroke line of first aid
    shown = [button.text for button in resident.buttons()]
    assert "📞 急救电话 120" in shown and "🏠 回主菜单" in shown  # a registered resident has a menu
    assert "已通知您的家庭医生团队" in replies[-1].text
    alert = doctor.last_text()
    assert alert.startswith("🚨 紧急：居民 张秀兰（138 0013 8000）")
    assert "中风迹象" in alert
    assert "「我爸突然口角歪斜，说话不清楚了」" in alert  # the team reads the words themselves
    assert "🚨" not in other_team.last_text()
    async with db.sessionmaker() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "red_flag"))
        assert entry is not None and entry.detail == {"categories": "stroke"}


async def test_calm_questions_about_emergencies_are_not_alarms(
    onboarded: LocalChat,
) -> None:
    resident = onboarded
    for calm in ("中风以后怎么康复", "想学点急救知识", "血压130/80，挺好的"):
        replies = await resident.say(calm)
        assert all("120" not in r.text for r in replies)


async def test_nlu_down_offers_the_menu_and_the_doctor(
    onboarded: LocalChat, db: Database, join_by_invite: JoinByInvite
) -> None:
    doctor = await join_by_invite("dr-wang")
    resident = onboarded

    await resident.say("我的降压药快吃完了，能不能多开点")  # no NLU server in this test
    assert "没太明白" in resident.last_text()
    await resident.press("发给我的医生")
    assert "已发给您的家庭医生团队，一般 2 小时内回复您" in resident.last_text()
    async with db.sessionmaker() as session:
        question = await session.scalar(select(Question))
        assert question is not None and question.state is QuestionState.OPEN
        assert question.text == "我的降压药快吃完了，能不能多开点"
        assert question.staff_id == "dr-wang"
    await doctor.press("待办")
    assert "居民提问：1 个" in doctor.last_text()


class StrangeNlu:
    """A real HTTP server on localhost that answers /model/parse badly."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def parse(self, request: web.Request) -> web.StreamResponse:
        if self.behaviour == "slow":
            await asyncio.sleep(5)  # longer than the client's deadline: it must give up
        if self.behaviour == "garbage":
            return web.Response(text="<html>502 Bad Gateway</html>", content_type="text/html")
        if self.behaviour == "wrong-shape":
            return web.json_response({"intent": {"name": 42, "confidence": "high"}})
        return web.json_response({"error": "boom"}, status=500)

    async def __aenter__(self) -> StrangeNlu:
        app = web.Application()
        app.router.add_post("/model/parse", self.parse)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


@pytest.fixture(params=["slow", "garbage", "wrong-shape", "error"])
async def strange_nlu(request: pytest.FixtureRequest) -> AsyncIterator[StrangeNlu]:
    async with StrangeNlu(request.param) as server:
        yield server


async def test_a_misbehaving_nlu_server_never_breaks_the_conversation(
    strange_nlu: StrangeNlu,
    settings: Settings,
    db: Database,
    clock: FrozenClock,
    onboarded: LocalChat,
) -> None:
    resident = onboarded
    client = NluClient(strange_nlu.url, timeout=0.5)
    resident.dp = build_dispatcher(settings, db, clock, nlu=client)
    replies = await resident.say("帮我约一下明天上午")
    await client.close()
    assert replies and "没太明白" in replies[-1].text


async def test_a_red_flag_as_the_very_first_message_gets_the_120_answer_and_no_apology(
    person: Callable[..., LocalChat], db: Database, join_by_invite: JoinByInvite
) -> None:
    doctor = await join_by_invite("dr-wang")
    newcomer = person()
    replies = await newcomer.say("救命，我胸口疼得厉害")  # no /start, no account yet
    assert "请马上拨打 120" in replies[0].text
    assert all("出了点小问题" not in r.text for r in replies), [r.text for r in replies]
    # Nobody is registered yet, so there is no care team to alert; the operator still sees
    # that an alert fired, but not which symptoms: there is no health-data consent.
    assert "🚨" not in doctor.last_text()
    async with db.sessionmaker() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "red_flag"))
        assert entry is not None and entry.detail == {}


async def test_without_health_consent_the_audit_log_says_an_alert_fired_not_why(
    person: Callable[..., LocalChat], db: Database, join_by_invite: JoinByInvite
) -> None:
    doctor = await join_by_invite("dr-wang")
    resident = person()
    await onboard_by_buttons(resident, health=False)

    replies = await resident.say("我爸突然口角歪斜，说话不清楚了")
    assert "请马上拨打 120" in replies[0].text
    # The care team still hears what is wrong: in an emergency that is what they need.
    assert "中风迹象" in doctor.last_text()
    async with db.sessionmaker() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "red_flag"))
        assert entry is not None and entry.detail == {}


@pytest.mark.parametrize("send", ["photo", "document"])
async def test_a_red_flag_in_a_caption_is_answered(
    send: str, onboarded: LocalChat, join_by_invite: JoinByInvite
) -> None:
    doctor = await join_by_invite("dr-wang")
    resident = onboarded
    caption = "刚量的，血压210/120，头疼得厉害"
    if send == "photo":
        replies = await resident.send_photo(caption=caption)
    else:
        replies = await resident.send_document("血压记录.jpg", caption=caption)
    assert "请马上拨打 120" in replies[0].text
    assert "血压很高" in doctor.last_text()


async def test_a_photo_with_a_calm_caption_still_gets_the_text_only_answer(
    onboarded: LocalChat,
) -> None:
    resident = onboarded
    replies = await resident.send_photo(caption="今天的血压130/80")
    assert len(replies) == 1 and "只能看懂文字和按钮" in replies[0].text


async def test_a_message_edited_into_a_red_flag_is_answered(
    onboarded: LocalChat, db: Database, join_by_invite: JoinByInvite
) -> None:
    doctor = await join_by_invite("dr-wang")
    resident = onboarded
    await resident.say("我爸有点不舒服")
    replies = await resident.edit("我爸突然晕倒了，叫不醒")
    assert "请马上拨打 120" in replies[0].text
    assert "昏迷、叫不醒" in doctor.last_text()
    # An edit that is not an emergency is still ignored, as before.
    assert await resident.edit("我爸有点不舒服，想约个时间") == []


async def test_red_flag_edits_and_captions_reach_people_not_yet_registered(
    person: Callable[..., LocalChat],
) -> None:
    newcomer = person()
    await newcomer.say("/start")
    replies = await newcomer.edit("救命，喘不上气")
    assert replies and "请马上拨打 120" in replies[0].text
    replies = await newcomer.send_photo(caption="我胸口疼得厉害")
    assert replies and "请马上拨打 120" in replies[0].text


async def test_an_alert_that_reaches_no_one_in_the_team_reaches_the_duty_doctor_once_unlinked(
    onboarded: LocalChat, db: Database, clock: FrozenClock, centre: CentreConfig,
    api: LocalBotApi, deliver: Deliver, join_by_invite: JoinByInvite,
) -> None:  # fmt: skip
    doctor = await join_by_invite("dr-wang")
    nurse = await join_by_invite("nurse-li")
    on_duty = await join_by_invite("dr-chen")  # team B, on duty
    resident = onboarded
    async with db.sessionmaker() as session:  # a name stored before names were checked
        await session.execute(update(Resident).values(name="@free_prizes_bot"))
        await session.commit()
    unreachable = {doctor.person.id, nurse.person.id}
    send = api.make_request

    async def telegram_down_for_team_a(bot, method, timeout=None):  # type: ignore[no-untyped-def]
        if isinstance(method, SendMessage) and method.chat_id in unreachable:
            raise TelegramServerError(method=method, message="Bad Gateway")
        return await send(bot, method, timeout)

    api.make_request = telegram_down_for_team_a  # type: ignore[method-assign]

    await resident.say("我胸口疼得厉害，喘不上气")
    for _ in range(centre.delivery.red_flag_max_attempts):
        await deliver()
        clock.advance(timedelta(minutes=1))

    # Both of team A's alerts failed over; the doctor on duty hears of the emergency once.
    alerts = [s.text for s in on_duty.screen() if s.text and s.text.startswith("🚨")]
    assert len(alerts) == 1
    assert "@free_prizes_bot" not in alerts[0] and "free_prizes_bot" in alerts[0]


@pytest.mark.parametrize(
    ("words", "advice"),
    [
        ("孩子把我的降压药当糖豆吃了好几片", "带上药盒"),
        ("老伴吃了虾以后嘴唇舌头都肿了，嗓子发紧", "肾上腺素笔"),
        ("宝宝出生二十天，体温38.3", "别给宝宝捂汗"),
        ("my husband is having a seizure and won't stop shaking", "Move hard things away"),
    ],
)
async def test_each_kind_of_emergency_gets_its_own_first_aid_line(
    person: Callable[..., LocalChat], words: str, advice: str
) -> None:
    chat = person()
    await chat.say("/start")
    await chat.press("English" if words.isascii() else "中文")
    replies = await chat.say(words)  # red flags are answered at any step, registered or not
    assert advice in replies[0].text
