"""End-to-end fixtures: the npm telegram-test-api emulator and the real bot, each its own
process, talking HTTP. The tests play residents through the emulator's client API.

Needs TELEGRAM_TEST_API_DIR (a directory with node_modules/telegram-test-api; `make test`
sets it after `make e2e-deps`) and node. Without them the tests skip, except in CI (CI=true),
where they fail: there they must run.

Two bots run, each its own process, database and token, through production's run_bot: one
long-polling (`bot_process`, `person`), one serving a webhook that the emulator POSTs updates
to (`webhook_bot`, `webhook_person`).

Readiness is waited for, never slept for: the emulator prints a line once it listens, once a
bot first calls getUpdates and whenever a bot sets a webhook (see emulator.mjs); the webhook
bot is ready once, besides, its port accepts connections. The processes live for the whole
session (starting a bot takes seconds); each test talks as a new user.
"""

from __future__ import annotations

import ctypes
import itertools
import json
import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import aiohttp
import pytest
import yaml

from tests.e2e.client import Person

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
IN_CI = os.environ.get("CI", "").lower() == "true"
BOT_TOKEN = "123456:e2e-test-token-AAAAAAAAAAAAAAAA"
WEBHOOK_BOT_TOKEN = "123457:e2e-webhook-token-AAAAAAAAAAAAA"
WEBHOOK_PATH = "/telegram/webhook"  # bot.runner.WEBHOOK_PATH: webhook_bot checks the bot agrees
START_TIMEOUT = 60.0  # importing aiogram and migrating a fresh database, on a busy machine
STOP_TIMEOUT = 10.0
# Settings the bot reads: the parent's values (a developer's .env exports) must not leak in.
BOT_SETTINGS = (
    "BOT_TOKEN", "DATABASE_URL", "REDIS_URL", "NLU_URL", "NLU_AUTOSTART", "TELEGRAM_API_URL",
    "WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_LISTEN", "PII_KEY", "THROTTLE_RATE", "LOG_LEVEL",
    "CONFIG_PATH",
)  # fmt: skip

_user_ids = itertools.count(700_001)  # one fresh resident per test: the bot outlives tests


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"end-to-end tests must run in CI: {reason}")
    pytest.skip(reason)


# ---- child processes ------------------------------------------------------------------------

# Looked up now, in the parent: the child between fork and exec should only make the call.
_prctl: Callable[..., int] | None = (
    ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
)


def _die_with_parent() -> None:
    """Runs in the child before exec: if pytest is killed outright, take the child along."""
    if _prctl is not None:
        _prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Emulator:
    """The node process; its stdout lines are JSON events, read by a thread into a queue."""

    def __init__(self, package_dir: Path, log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            ["node", str(HERE / "emulator.mjs")],
            cwd=HERE,
            env={**os.environ, "TELEGRAM_TEST_API_DIR": str(package_dir)},
            stdin=subprocess.PIPE,  # closing it (or our death) stops the emulator
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            preexec_fn=_die_with_parent,
        )
        self._events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        self.url = ""

    def wait_listening(self) -> None:
        self.url = str(self.wait_event("listening", deadline=time.monotonic() + 15)["url"])

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            try:
                self._events.put(json.loads(line))
            except ValueError:
                continue
        self._events.put(None)  # the emulator exited

    def wait_event(
        self, name: str, deadline: float, also_alive: subprocess.Popen[Any] | None = None
    ) -> dict[str, Any]:
        """Blocks until the emulator reports `name`; fails if it, or `also_alive`, exits."""
        while True:
            if also_alive is not None and also_alive.poll() is not None:
                raise RuntimeError(f"the bot exited with {also_alive.returncode}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"the emulator did not report {name!r} in time")
            try:
                event = self._events.get(timeout=min(left, 0.2))
            except queue.Empty:
                continue
            if event is None:
                raise RuntimeError(f"the emulator exited: {self.log_path.read_text()[-2000:]}")
            if event.get("event") == name:
                return event

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        _stop(self.process)
        self._log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_accepting(port: int, deadline: float, process: subprocess.Popen[Any]) -> None:
    """Blocks until 127.0.0.1:port accepts a connection; fails if `process` exits."""
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the bot exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                # Not a TCP self-connect, which repeated tries at a free ephemeral port can hit.
                if sock.getsockname() != sock.getpeername():
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing accepted connections on port {port} in time")
        time.sleep(0.05)


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    log_path: Path
    token: str
    api_url: str
    database_url: str  # the bot's own database, for what an administrator does (invites)
    webhook_url: str | None = None  # where the bot takes updates, when it serves a webhook
    webhook_secret: str | None = None

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")


# ---- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def emulator_package() -> Path:
    configured = os.environ.get("TELEGRAM_TEST_API_DIR")
    if not configured:
        _unavailable("TELEGRAM_TEST_API_DIR is not set (make test sets it; make e2e-deps)")
    package_dir = Path(configured or "")
    if not (package_dir / "node_modules" / "telegram-test-api" / "package.json").is_file():
        _unavailable(f"no node_modules/telegram-test-api in {package_dir} (run make e2e-deps)")
    if shutil.which("node") is None:
        _unavailable("node is not on PATH")
    return package_dir


@pytest.fixture(scope="session")
def emulator(
    emulator_package: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Emulator]:
    logs = tmp_path_factory.mktemp("e2e-emulator")
    server = Emulator(emulator_package, logs / "emulator.log")
    try:
        server.wait_listening()
        yield server
    finally:
        server.stop()


def _config_without_quiet_hours(workdir: Path) -> Path:
    """config.yml, but with no quiet hours. Notices (a doctor's new request, a resident's
    answer) wait out the centre's quiet hours, 21:30–07:30 in Shanghai, i.e. 13:30–23:30 UTC:
    the suite must pass whatever the hour it runs at. start = end is an empty window."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    config["quiet_hours"] = {"start": "00:00", "end": "00:00"}
    path = workdir / "config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def _start_bot(
    emulator: Emulator, workdir: Path, token: str, **settings: str
) -> tuple[BotProcess, float]:
    """Starts `python -m tests.e2e.run_bot` with a fresh SQLite database in `workdir`; returns
    the bot and the deadline for it to get ready."""
    env = {key: value for key, value in os.environ.items() if key not in BOT_SETTINGS}
    database_url = f"sqlite+aiosqlite:///{workdir / 'familydoc.db'}"
    env.update(
        BOT_TOKEN=token,
        TELEGRAM_API_URL=emulator.url,
        DATABASE_URL=database_url,
        CONFIG_PATH=str(_config_without_quiet_hours(workdir)),
        THROTTLE_RATE="1000/second",  # tests press buttons faster than people do
        NLU_URL="http://127.0.0.1:9",  # nothing listens: the bot must cope without NLU
        NLU_AUTOSTART="false",  # and must not start a Rasa server of its own
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        **settings,
    )
    log_path = workdir / "bot.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.run_bot"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
    bot = BotProcess(process, log_path, token, emulator.url, database_url)
    return bot, time.monotonic() + START_TIMEOUT


@pytest.fixture(scope="session")
def bot_process(
    emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    """The long-polling bot (no WEBHOOK_URL)."""
    bot, deadline = _start_bot(emulator, tmp_path_factory.mktemp("e2e-bot"), BOT_TOKEN)
    try:
        try:
            emulator.wait_event("polled", deadline, also_alive=bot.process)
        except (RuntimeError, TimeoutError) as exc:
            pytest.fail(f"the bot did not start polling: {exc}\n{bot.log_since(0)[-3000:]}")
        yield bot
    finally:
        _stop(bot.process)


@pytest.fixture(scope="session")
def webhook_bot(
    emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    """The bot serving a webhook on a free local port, guarded by a random secret. Ready once
    the emulator has its webhook and the port accepts connections."""
    port = _free_port()  # free now; should another process take it first, the bot exits
    base_url = f"http://127.0.0.1:{port}"
    secret = secrets.token_urlsafe(24)
    bot, deadline = _start_bot(
        emulator,
        tmp_path_factory.mktemp("e2e-webhook-bot"),
        WEBHOOK_BOT_TOKEN,
        WEBHOOK_URL=base_url,
        WEBHOOK_LISTEN=f"127.0.0.1:{port}",
        WEBHOOK_SECRET=secret,
    )
    bot.webhook_url, bot.webhook_secret = base_url + WEBHOOK_PATH, secret
    try:
        try:
            while True:
                event = emulator.wait_event("webhook", deadline, also_alive=bot.process)
                if event.get("token") == WEBHOOK_BOT_TOKEN:
                    break
            assert event.get("url") == bot.webhook_url, event
            _wait_accepting(port, deadline, bot.process)  # set_webhook comes before listening
        except (RuntimeError, TimeoutError) as exc:
            pytest.fail(f"the webhook bot did not start: {exc}\n{bot.log_since(0)[-3000:]}")
        yield bot
    finally:
        _stop(bot.process)


@asynccontextmanager
async def _people(bot: BotProcess) -> AsyncIterator[Callable[..., Person]]:
    """Makes residents who chat with `bot`; afterwards its log must show no error (a handler
    that crashed was caught by the safety net, which users barely notice)."""
    offset = bot.log_size()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:

        def make(first_name: str = "秀兰", last_name: str | None = "张") -> Person:
            return Person(
                http,
                bot.api_url,
                bot.token,
                user_id=next(_user_ids),
                first_name=first_name,
                last_name=last_name,
            )

        yield make
    assert bot.process.poll() is None, "the bot process died during the test"
    log = bot.log_since(offset)
    problems = [line for line in log.splitlines() if " ERROR " in line or "Traceback" in line]
    assert not problems, "the bot logged errors:\n" + log[-4000:]


@pytest.fixture
async def person(bot_process: BotProcess) -> AsyncIterator[Callable[..., Person]]:
    """Residents of the long-polling bot."""
    async with _people(bot_process) as make:
        yield make


@pytest.fixture
async def webhook_person(webhook_bot: BotProcess) -> AsyncIterator[Callable[..., Person]]:
    """Residents of the webhook bot: the emulator POSTs what they do to its webhook."""
    async with _people(webhook_bot) as make:
        yield make
