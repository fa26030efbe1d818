"""`familydoc run` without BOT_TOKEN opens the terminal trial chat, and a new resident
completes onboarding by choosing numbered buttons, as a person at the terminal would."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.terminal_chat import PROMPT
from tests.conftest import ROOT

BUTTON = re.compile(r"\[(\d+)\] ([^\[]+?)(?=\s{3}\[|$)")


class Terminal:
    """The person at the keyboard. A plain Popen (not asyncio's subprocess): Python 3.11's
    asyncio child watcher can lose the exit status and report 255."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.seen: list[str] = []

    async def screen(self) -> list[str]:
        """Reads until the prompt; returns the lines shown since the last prompt."""
        assert self.process.stdout is not None
        lines: list[str] = []
        while True:
            raw = await asyncio.wait_for(
                asyncio.to_thread(self.process.stdout.readline), timeout=60
            )
            if not raw:
                raise EOFError("the trial chat ended:\n" + "\n".join(self.seen[-20:]))
            line = raw.decode().rstrip("\n")
            self.seen.append(line)
            if line == PROMPT:
                return lines
            lines.append(line)

    async def choose(self, lines: list[str], label: str, *then: str) -> list[str]:
        """Types the number of the button labelled `label` (and any answers that follow)."""
        buttons = {text.strip(): n for row in lines for n, text in BUTTON.findall(row)}
        number = buttons.get(label) or next(
            (n for text, n in buttons.items() if label in text), None
        )
        assert number is not None, f"no button {label!r} in {buttons}"
        return await self.type(number, *then)

    async def type(self, *answers: str) -> list[str]:
        assert self.process.stdin is not None
        self.process.stdin.write("".join(f"{a}\n" for a in answers).encode())
        self.process.stdin.flush()
        return await self.screen()


async def test_make_run_without_a_token_onboards_a_resident_by_numbers(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}
    # Rasa is left out here (its own tests cover it): this is about the chat and the buttons.
    env.update(CONFIG_PATH=str(ROOT / "config.yml"), PYTHONUNBUFFERED="1", NLU_AUTOSTART="false")
    process = subprocess.Popen(  # noqa: ASYNC220 - see Terminal: asyncio's would lose the status
        [sys.executable, "-m", "bot.cli", "--env-file", str(tmp_path / "none.env"), "run"],
        cwd=tmp_path, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    terminal = Terminal(process)
    try:
        lines = await terminal.screen()
        assert any("试用聊天" in line for line in lines)
        for label in ("中文", "同意，继续", "✅ 同意", "就叫我"):
            lines = await terminal.choose(lines, label)
        # Sharing the contact asks which number to share: Enter accepts the offered one.
        lines = await terminal.choose(lines, "发送我的手机号", "")
        for label in ("1940年代", "1949", "10月", "1", "男", "玉林东社区", "跳过", "高血压",
                      "选好了", "有"):  # fmt: skip
            lines = await terminal.choose(lines, label)
        assert any("优先签约" in line for line in lines)
        lines = await terminal.choose(lines, "对，保存")
        shown = "\n".join(lines)
        assert "登记好了" in shown
        assert "📝 签约" in shown and "⚙️ 设置" in shown
        lines = await terminal.type("/quit")
    except EOFError:
        pass  # /quit ends the program: expected after the last step
    finally:
        if process.poll() is None and process.stdin is not None:
            process.stdin.close()  # end of input also ends the chat
        process.wait(timeout=30)
    assert process.returncode == 0, "\n".join(terminal.seen[-15:])
    assert (tmp_path / "data" / "familydoc.db").exists()
    assert "登记好了" in "\n".join(terminal.seen)
