"""The Rasa server beside the bot: built by nlu/build.sh (its own Python 3.10 venv and a
trained model, cached by input hash), started when nothing answers at NLU_URL yet, stopped
with the bot. Starting never blocks the bot: it works without NLU until Rasa is ready."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from nlu.client import NluClient

log = logging.getLogger(__name__)
BUILD_SCRIPT = Path(__file__).with_name("build.sh")
CACHE = Path(os.environ.get("FAMILYDOC_CACHE", Path.home() / ".cache" / "familydoc"))
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class NluUnavailable(RuntimeError):
    """The Rasa venv or model could not be built here."""


@dataclass(frozen=True)
class RasaBuild:
    venv: Path
    model: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def build() -> RasaBuild:
    """Runs nlu/build.sh (instant when cached; minutes the first time), progress on stderr."""
    done = subprocess.run(
        ["bash", str(BUILD_SCRIPT)], stdout=subprocess.PIPE, text=True, check=False
    )
    return _read_paths(done.stdout, done.returncode)


async def build_in_background() -> RasaBuild:
    """build() as a child process the bot can abandon: stopping the bot kills the build
    instead of waiting minutes for a training to finish."""
    process = await asyncio.create_subprocess_exec(
        "bash", str(BUILD_SCRIPT), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL, stdin=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        out, _ = await process.communicate()
    except asyncio.CancelledError:
        process.kill()
        raise
    return _read_paths(out.decode(), process.returncode)


def _read_paths(stdout: str, returncode: int | None) -> RasaBuild:
    paths = dict(line.split("=", 1) for line in stdout.splitlines() if line.startswith("RASA_"))
    if returncode != 0 or "RASA_VENV" not in paths or "RASA_MODEL" not in paths:
        raise NluUnavailable(f"nlu/build.sh failed (exit {returncode})")
    return RasaBuild(Path(paths["RASA_VENV"]), Path(paths["RASA_MODEL"]))


def rasa_command(built: RasaBuild, url: str) -> list[str]:
    parts = urlsplit(url)
    return [
        str(built.python), "-m", "rasa", "run", "--enable-api", "-m", str(built.model),
        "-i", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5005),
    ]  # fmt: skip


def rasa_environment() -> dict[str, str]:
    # Rasa caches trained components in ./.rasa by default (hundreds of MB in the clone).
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_CACHE_DIRECTORY": os.environ.get(
            "RASA_CACHE_DIRECTORY", str(CACHE / "rasa-train-cache")
        ),
    }


class RasaServer:
    """Starts `rasa run` for a local NLU_URL when nothing answers there, and stops it again."""

    def __init__(self, url: str, client: NluClient) -> None:
        self.url, self._client = url, client
        self._process: subprocess.Popen[bytes] | None = None

    def is_local(self) -> bool:
        return urlsplit(self.url).hostname in LOCAL_HOSTS

    async def start_if_needed(self) -> None:
        if not self.is_local() or await self._client.ready():
            return
        try:
            built = await build_in_background()
        except NluUnavailable as exc:
            log.warning("NLU not available (%s): free text will offer the menu and the doctor", exc)
            return
        log_file = CACHE / "logs" / "rasa-server.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("ab") as sink:
            self._process = subprocess.Popen(  # noqa: ASYNC220 - spawning returns at once
                rasa_command(built, self.url), env=rasa_environment(), stdout=sink,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        log.info("started the NLU server (pid %s); log: %s", self._process.pid, log_file)

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 15)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)
