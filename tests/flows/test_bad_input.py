"""A storm of odd and hostile updates: every one gets a kind answer or is ignored safely,
no handler crashes (the `dp` fixture fails the test if the safety net caught anything), no
button press is left spinning, and nobody's data changes because of someone else."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from aiogram.types import (
    Chat,
    Document,
    Location,
    Message,
    PhotoSize,
    Update,
    Voice,
)
from sqlalchemy import select

from bot.app import make_i18n
from bot.local_api import LocalBotApi
from bot.local_chat import LocalChat
from storage.database import Database
from storage.models import Resident
from storage.users import find_user
from tests.bench.bench_triage_worst import adversarial_inputs

TEXTS = [
    " ",
    "a" * 4096,
    "长" * 5000,
    "😀" * 300,
    "👨‍👩‍👧‍👦🏳️‍🌈",
    "مرحبا، أريد طبيب العائلة",  # RTL
    "שלום \u202e evil \u202c",
    "\x00\x07\x1b[31mred\x1b[0m",
    "\u200b\u200b\u200b",
    "'; DROP TABLE users; --",
    "<b>bold</b> <script>alert(1)</script>",
    "{phone} {0} %s %(name)s",
    "/start " + "x" * 300,
    "/start doc_" + "A" * 30,
    "/start doc_",
    "/unknowncommand",
    "/cancel",
    "/menu",
    "/help",
    "/language",
    "我要签约 please help 医生",
    "１３８００１３８０００",
    "1950-02-30",
    "⬅️ 上一步",
    "📋 待办",
    "⚙️ 设置",
]
_I18N = make_i18n("zh_CN")
# What a sticker may get: "text and buttons only", or during onboarding "use the buttons".
NUDGES = {
    _I18N.gettext(text, locale=locale)
    for text in (
        "我现在只能看懂文字和按钮。请打字，或点下面的按钮。",
        "请点下面消息里的按钮来回答。",
    )
    for locale in ("zh_CN", "en")
}
FORGED_CALLBACKS = [
    "ob:confirm:yes",
    "ob:language:fr",
    "ob:community:../../etc",
    "ob:cond:" + "x" * 40,
    "ob:day:99",
    "ob:year:-1",
    "ob:decade:1800",
    "ob:edit:profile",
    "ob:resume:go",
    "ob",
    "ob:",
    "set:health_off",
    "set:profile",
    "set:nonsense",
    "lang:xx",
    "lang:en",
    "home",
    "bk:1",
    "",
    "💣" * 10,
    ":::",
]


# The kinds of update in the storm, by the share of the random draw below each bound.
KINDS = [(0.45, "text"), (0.55, "sticker"), (0.65, "media"), (0.72, "edit"), (0.77, "group"),
         (1.0, "forged button")]  # fmt: skip
# By language: the answer to /menu, a resident's menu, and the first words of signing.
SERVED = {
    "zh_CN": ("请选择要办的事：",
              ["📝 签约", "📅 预约", "💊 用药", "👩‍⚕️ 问医生", "📈 记录", "⚙️ 设置"],
              "签个家庭医生吧"),
    "en": ("What would you like to do?",
           ["📝 Sign", "📅 Book", "💊 Meds", "👩‍⚕️ Ask doctor", "📈 Readings", "⚙️ Settings"],
           "Sign with a family doctor"),
}  # fmt: skip


def _media(chat: LocalChat, rng: random.Random) -> dict[str, object]:
    kind = rng.choice(["photo", "voice", "document", "location"])
    if kind == "photo":
        return {"photo": [PhotoSize(file_id="p", file_unique_id="p", width=10, height=10)]}
    if kind == "voice":
        return {"voice": Voice(file_id="v", file_unique_id="v", duration=3)}
    if kind == "document":
        return {"document": Document(file_id="d", file_unique_id="d", file_name="病历.pdf")}
    return {"location": Location(latitude=30.6, longitude=104.0)}


def _message(chat: LocalChat, message_id: int, **content: object) -> Message:
    return Message(
        message_id=message_id, date=datetime.now(UTC), chat=chat.chat, from_user=chat.person,
        **content,
    )  # fmt: skip


async def test_a_storm_of_bad_updates(
    onboarded: LocalChat, person: Callable[..., LocalChat], api: LocalBotApi, db: Database
) -> None:
    rng = random.Random(20261123)
    settled = onboarded
    halfway = person(first_name="建华", last_name="李")
    await halfway.say("/start")
    await halfway.press("中文")
    await halfway.press("同意，继续")
    people = [
        settled,
        halfway,
        person(first_name="New"),
        person(first_name="Mary", language_code="en"),
    ]
    old_message_ids = [s.message_id for s in settled.screen() if s.message_id]

    kinds: Counter[str] = Counter()
    for round_ in range(320):
        chat = rng.choice(people)
        draw = rng.random()
        calls_before = len(api.calls)
        kind = next(name for bound, name in KINDS if draw < bound)
        kinds[kind] += 1
        if kind == "text":
            replies = await chat.say(rng.choice(TEXTS))
            assert replies, f"silence after a text (round {round_})"
        elif kind == "sticker":
            replies = await chat.send_sticker()
            assert replies and replies[0].text in NUDGES, replies[0].text
        elif kind == "media":
            content = _media(chat, rng)
            replies = await chat.feed(
                Update(
                    update_id=10_000 + round_, message=_message(chat, 50_000 + round_, **content)
                )
            )
            assert replies, f"silence after {list(content)} (round {round_})"
        elif kind == "edit":
            edited = _message(chat, 1, text="改一下", edit_date=1)
            replies = await chat.feed(Update(update_id=20_000 + round_, edited_message=edited))
            assert replies == []  # edits are ignored on purpose
        elif kind == "group":
            group = Chat(id=-100123, type="supergroup", title="小区群")
            in_group = Message(message_id=7, date=datetime.now(UTC), chat=group,
                               from_user=chat.person, text="/start")  # fmt: skip
            before = len(api.sent)
            await chat.feed(Update(update_id=30_000 + round_, message=in_group))
            assert len(api.sent) == before  # the bot stays out of groups
        else:
            data = rng.choice(FORGED_CALLBACKS)
            own = [s.message_id for s in chat.screen() if s.message_id]
            target = rng.choice(own + old_message_ids[:3] + [999_999])
            await chat.press_data(data, target)
            assert "AnswerCallbackQuery" in api.calls[calls_before:], f"spinner left: {data!r}"
    # The storm really held every kind of bad update, many times over.
    assert set(kinds) == {name for _, name in KINDS} and min(kinds.values()) >= 10, kinds

    # Forged answers completed nobody's onboarding, and the one profile is unchanged.
    async with db.sessionmaker() as session:
        residents = (await session.scalars(select(Resident))).all()
        assert len(residents) == 1
        user = await find_user(session, settled.person.id)
        assert user is not None and user.resident is not None
        assert (user.resident.name, user.resident.phone) == ("张秀兰", "+8613800138000")
        language = user.language
    # And she is served as before, in whichever language a forged 「lang:en」 left her.
    assert language in SERVED, language  # a forged 「lang:xx」 changed nothing
    prompt, menu, signing = SERVED[language]
    assert [r.text for r in await settled.say("/menu")] == [prompt]
    assert [b.text for b in settled.buttons() if b.callback_data is None] == menu
    await settled.say(menu[0])
    assert signing in settled.last_text()


APOLOGY = "出了点小问题"
WORST_UPDATE_SECONDS = 1.0  # generous: a hostile message must never stall the bot for long


async def test_adversarial_long_messages_get_kind_answers_quickly(
    onboarded: LocalChat,
    person: Callable[..., LocalChat],
) -> None:
    """Messages built to make triage and the readings parser slow (tests/bench): through the
    real Dispatcher, as texts and as photo captions, from a resident, someone halfway through
    onboarding and a stranger. Each is answered kindly and none stalls the bot."""
    settled = onboarded
    halfway = person(first_name="建华", last_name="李")
    await halfway.say("/start")
    await halfway.press("中文")
    stranger = person(first_name="New")

    timings: list[tuple[float, str]] = []
    for name, text in adversarial_inputs().items():
        for chat in (settled, halfway, stranger):
            started = time.perf_counter()
            replies = await chat.say(text)
            timings.append((time.perf_counter() - started, name))
            assert replies, f"silence after {name!r}"
            assert all(APOLOGY not in r.text for r in replies), name
        started = time.perf_counter()
        replies = await settled.send_photo(caption=text[:1024])  # Telegram's caption cap
        timings.append((time.perf_counter() - started, f"caption: {name}"))
        assert replies and all(APOLOGY not in r.text for r in replies), name
    worst, which = max(timings)
    assert worst < WORST_UPDATE_SECONDS, f"{which!r} took {worst * 1000:.0f} ms"
