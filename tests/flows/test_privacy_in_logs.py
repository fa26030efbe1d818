"""Logs carry ids and error kinds, never what people typed or who they are."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.local_chat import LocalChat
from bot.logs import configure_logging
from tests.flows.test_onboarding import onboard_by_buttons


async def test_no_personal_data_reaches_the_logs(
    person: Callable[..., LocalChat], caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG")  # the most talkative setting an operator can choose
    caplog.set_level(logging.DEBUG)
    chat = person(first_name="秀兰", last_name="张", phone="+8613912345678")
    await onboard_by_buttons(chat)
    await chat.say("我胸口有点闷，血压160/100，住在3栋2单元501")
    await chat.press("⚙️ 设置")
    await chat.press("我的资料")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("秀兰", "13912345678", "胸口", "160/100", "3栋2单元", "1948"):
        assert secret not in logged
