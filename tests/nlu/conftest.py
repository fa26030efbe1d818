"""A real Rasa server for the NLU tests: built by nlu/build.sh (cached), started once per
session on a free port. In CI a missing Rasa fails; locally it skips with the reason."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from nlu.client import NluClient
from nlu.server import NluUnavailable, RasaBuild, build, rasa_command, rasa_environment
from tests.conftest import IN_CI, ROOT

READY_WITHIN = 180  # seconds: TensorFlow and the model load slowly on 2 cores


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"Rasa must be testable in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def rasa_build() -> RasaBuild:
    try:
        return build()
    except NluUnavailable as exc:
        _unavailable(str(exc))
        raise


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def rasa_url(rasa_build: RasaBuild, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"http://127.0.0.1:{_free_port()}"
    log = tmp_path_factory.mktemp("rasa") / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            rasa_command(rasa_build, url), env=rasa_environment(), cwd=ROOT, stdout=sink,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        if not asyncio.run(_wait_ready(url, process)):
            tail = log.read_text(errors="replace")[-2000:]
            _unavailable(f"Rasa did not become ready in {READY_WITHIN}s:\n{tail}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


async def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> bool:
    client = NluClient(url)
    deadline = time.monotonic() + READY_WITHIN
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if await client.ready():
                return True
            await asyncio.sleep(0.5)  # polling a condition with a deadline, not a fixed wait
        return False
    finally:
        await client.close()


@pytest.fixture
async def nlu(rasa_url: str) -> AsyncIterator[NluClient]:
    client = NluClient(rasa_url)
    yield client
    await client.close()
