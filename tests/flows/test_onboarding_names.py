"""Names cannot become links: a URL, a domain, an @mention, a /command or a t.me address is
refused at input with a kind request for the real name (the resident's and a family
member's), and a name stored before that is shown to staff so Telegram makes no link of it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.local_chat import LocalChat
from flows import person as names
from storage.database import Database
from storage.models import Resident
from tests.flows.journeys import onboard_by_buttons

LINKS = ["www.evil.com", "evil.com", "EVIL.COM", "t.me/evil", "https://x.cn", "@bob",
         "张三 @李四", "/start", "x。com", "a．com", "例子.中国", "tg:resolve"]  # fmt: skip
NAMES = ["张秀兰", "Mary-Jane O'Neil", "J. Smith", "J.R. Smith", "阿卜杜·热合曼", "Li Na"]


@pytest.mark.parametrize("typed", LINKS)
def test_a_name_may_not_hold_a_link(typed: str) -> None:
    assert names.clean_name(typed) is None


@pytest.mark.parametrize("typed", NAMES)
def test_real_names_pass(typed: str) -> None:
    assert names.clean_name(typed) == typed


@pytest.mark.parametrize("stored", LINKS)
def test_a_stored_link_name_is_shown_without_link_characters(stored: str) -> None:
    """What Telegram reads as a mention, a command, a scheme or a domain: ASCII @ / : and a
    dot (or a CJK full stop) with text right after it."""
    shown = names.unlinkable(stored)
    assert not re.search(r"[@/:]|[.。．｡]\S", shown)
    assert len(shown) == len(stored)  # the same name, one look-alike for each character


async def test_onboarding_asks_for_the_real_name_instead_of_a_link(
    person: Callable[..., LocalChat], db: Database
) -> None:
    chat = person(first_name="evil.com", last_name=None)
    await chat.say("/start")
    await chat.press("中文")
    await chat.press("同意，继续")
    await chat.press("先不同意")
    assert "就叫我" not in " ".join(b.text for b in chat.buttons())  # no link offered as a name
    for typed in ("www.evil.com", "@bob 张", "t.me/joinchat"):
        await chat.say(typed)
        assert "真实姓名" in chat.last_text() and "不要带网址" in chat.last_text()
    await chat.say("张秀兰")
    assert "手机号" in chat.last_text()


async def test_a_family_member_name_cannot_be_a_link(
    person: Callable[..., LocalChat], db: Database
) -> None:
    chat = person()
    await onboard_by_buttons(chat, health=False)
    await chat.say("📝 签约")
    await chat.press("开始签约")
    await chat.press("添加家人")
    await chat.press("母亲")
    await chat.say("t.me/evil")
    assert "真实姓名" in chat.last_text()
    await chat.say("王桂芬")
    await chat.say("1932-04-08")
    async with db.sessionmaker() as session:
        names = [r.name for r in await session.scalars(select(Resident))]
    assert names == ["张秀兰", "王桂芬"]
