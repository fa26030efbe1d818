"""`familydoc run` without BOT_TOKEN opens the terminal trial chat, and a new resident
completes onboarding by choosing numbered buttons, as a person at the terminal would. The
trial refuses to run beside a real bot: with BOT_TOKEN set, or on a database a real bot
has used."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.local_api import LocalBotApi
from bot.runtime import prepare_database, running
from bot.settings import ConfigError, Settings, settings_from_mapping
from bot.terminal_chat import PROMPT, TRIAL_RESIDENT_ID, run_terminal_chat
from flows.clock import FrozenClock
from storage.database import Database
from storage.models import User
from storage.users import load_or_create_user
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
        for label in ("1940年代", "1949", "10月", "1–7日", "1", "男", "玉林东社区", "跳过",
                      "高血压", "选好了", "有"):  # fmt: skip
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


# ---- the trial chat keeps away from a real bot's data ---------------------------------------


def trial_settings(tmp_path: Path, pii_key: str, **env: str) -> Settings:
    return settings_from_mapping({
        "CONFIG_PATH": str(ROOT / "config.yml"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'familydoc.db'}",
        "NLU_AUTOSTART": "false",
        "PII_KEY": pii_key,  # the session's key: other tests' data stays readable
        **env,
    })  # fmt: skip


async def count_users(settings: Settings) -> int:
    db = Database(settings.database_url)
    async with db.sessionmaker() as session:
        users = await session.scalar(select(func.count()).select_from(User)) or 0
    await db.dispose()
    return users


async def chat_then_quit(settings: Settings, *, as_doctor: bool = False) -> None:
    await run_terminal_chat(settings, as_doctor=as_doctor, stdin=io.StringIO("/quit\n"))


async def test_the_trial_chat_refuses_to_run_with_a_bot_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CONFIG_PATH")}
    env.update(CONFIG_PATH=str(ROOT / "config.yml"), NLU_AUTOSTART="false",
               BOT_TOKEN="123456:" + "A" * 30)  # fmt: skip
    done = subprocess.run(  # noqa: ASYNC221 - a short-lived CLI call, as the operator makes it
        [sys.executable, "-m", "bot.cli", "--env-file", str(tmp_path / "none.env"),
         "chat", "--as", "doctor"],
        cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("familydoc: BOT_TOKEN: is set")
    assert done.stderr.count("\n") == 1 and done.stdout == ""  # one clear line
    assert not (tmp_path / "data").exists()  # no database touched


async def test_the_trial_chat_refuses_a_database_a_real_bot_has_used(
    tmp_path: Path, pii_key: str
) -> None:
    live = trial_settings(tmp_path, pii_key, BOT_TOKEN="123456:" + "A" * 30)
    async with running(live, bot_session=LocalBotApi()):
        pass  # a real bot started on this database
    trial = replace(live, bot_token=None)

    with pytest.raises(ConfigError) as refused:
        await chat_then_quit(trial, as_doctor=True)
    assert str(refused.value).startswith("DATABASE_URL: this database belongs to a real bot")
    assert "\n" not in str(refused.value)
    assert await count_users(trial) == 0  # no trial doctor, no trial resident


async def test_the_trial_chat_refuses_a_database_with_people_it_did_not_make(
    tmp_path: Path, pii_key: str, clock: FrozenClock
) -> None:
    settings = trial_settings(tmp_path, pii_key)
    db = await prepare_database(settings)  # as a real bot's, from before the mark existed
    async with db.sessionmaker() as session:
        await load_or_create_user(session, 424242, clock.now())
        await session.commit()
    await db.dispose()

    with pytest.raises(ConfigError, match=r"^DATABASE_URL: this database belongs to a real bot"):
        await chat_then_quit(settings)
    assert await count_users(settings) == 1


async def test_an_older_trial_database_is_still_the_trials(
    tmp_path: Path, pii_key: str, clock: FrozenClock
) -> None:
    settings = trial_settings(tmp_path, pii_key)
    db = await prepare_database(settings)  # a trial's database from before the mark existed
    async with db.sessionmaker() as session:
        await load_or_create_user(session, TRIAL_RESIDENT_ID, clock.now())
        await session.commit()
    await db.dispose()

    await chat_then_quit(settings)
    assert await count_users(settings) == 1


async def test_the_trial_chat_comes_back_to_its_own_database(tmp_path: Path, pii_key: str) -> None:
    settings = trial_settings(tmp_path, pii_key)
    await chat_then_quit(settings)  # a fresh machine: the trial makes its database
    await chat_then_quit(settings, as_doctor=True)  # and is welcome back, with its people
    assert await count_users(settings) == 2
