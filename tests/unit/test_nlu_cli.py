"""`familydoc nlu parse` when no NLU server is running: scripts still get a line per text."""

from __future__ import annotations

import json
import socket

import pytest

from bot.cli import main


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_parse_without_a_server_says_how_to_start_one(
    env_file: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("NLU_URL", url)
    code = main(["--env-file", env_file, "nlu", "parse", "--now", "2026-11-23T09:00",
                 "高压150低压95", "明天上午九点"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 3
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["intent"] is None
    assert (first["entities"]["systolic"], first["entities"]["diastolic"]) == (150, 95)
    assert second["entities"]["time"] == "2026-11-24T09:00"
    assert url in err
    assert "familydoc nlu serve" in err
