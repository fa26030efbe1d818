"""What several end-to-end tests do the same way: the onboarding walk by buttons, the menu it
ends on, and the check Person.wait_for uses to find a message."""

from __future__ import annotations

from collections.abc import Callable

from tests.e2e.client import BotMessage, Person, Screen

MAIN_MENU = ["📝 签约", "📅 预约", "💊 用药", "👩‍⚕️ 问医生", "📈 记录", "⚙️ 设置"]

ONBOARDING = [
    "🇨🇳 中文",
    "✅ 同意，继续",  # privacy notice
    "✅ 同意",  # health data
    "就叫我「张秀兰」",
    "📱 发送我的手机号",  # reply keyboard with request_contact: shares the contact
    "1940年代",
    "1948",
    "3月",
    "5",
    "👩 女",
    "幸福一社区",
    "跳过",  # address
    "高血压",
    "✔️ 选好了",
    "没有",  # disability
    "✅ 对，保存",
]


def message_with(text: str, after: int = 0) -> Callable[[Screen], BotMessage | None]:
    """A check for Person.wait_for: the first bot message past the first `after` containing
    `text`."""

    def check(screen: Screen) -> BotMessage | None:
        return next((m for m in screen.messages[after:] if text in m.text), None)

    return check


async def onboard(resident: Person) -> None:
    """/start and every onboarding button, until the welcome and the main menu."""
    await resident.say("/start")
    for label in ONBOARDING:
        await resident.press(label)
    await resident.wait_for(message_with("登记好了"), "the welcome after saving")
    screen = await resident.screen()
    assert screen.reply_keyboard == MAIN_MENU
    assert not any("出了点小问题" in t for t in screen.texts)  # the safety net's apology
