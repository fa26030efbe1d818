"""A wrong setting stops the program with one line naming the key and the problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.settings import ConfigError, settings_from_mapping
from tests.conftest import ROOT


def _config_with(tmp_path: Path, change: dict[str, object]) -> str:
    raw = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for dotted, value in change.items():
        target = raw
        *parents, last = dotted.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN: does not look like a Telegram bot token"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL: use sqlite+aiosqlite"),
        ({"NLU_URL": "localhost:5005"}, "NLU_URL: 'localhost:5005' is not a http/https URL"),
        ({"WEBHOOK_URL": "https://bot.example.org"}, "WEBHOOK_URL: set BOT_TOKEN too"),
        (
            {"WEBHOOK_URL": "https://bot.example.org", "BOT_TOKEN": "123456:" + "A" * 30},
            "WEBHOOK_SECRET: required with WEBHOOK_URL",
        ),
        (
            {
                "WEBHOOK_URL": "https://bot.example.org",
                "BOT_TOKEN": "123456:" + "A" * 30,
                "WEBHOOK_SECRET": "x",  # guessable: anyone could post updates as anyone
            },
            "WEBHOOK_SECRET: 16–256 characters",
        ),
        ({"WEBHOOK_SECRET": "a" * 15}, "WEBHOOK_SECRET: 16–256 characters"),
        ({"PII_KEY": "short"}, "PII_KEY: must be a Fernet key"),
        ({"THROTTLE_RATE": "lots"}, "THROTTLE_RATE: use a rate like 60/minute"),
        ({"THROTTLE_RATE": "0/minute"}, "THROTTLE_RATE: use a rate like 60/minute"),
        ({"THROTTLE_BURST": "many"}, "THROTTLE_BURST: use a whole number"),
        ({"WEBHOOK_LISTEN": "8080"}, "WEBHOOK_LISTEN: use host:port"),
        ({"CONFIG_PATH": "/nowhere/config.yml"}, "CONFIG_PATH: /nowhere/config.yml does not exist"),
    ],
)
def test_wrong_environment_values_are_named(env: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping({"CONFIG_PATH": str(ROOT / "config.yml"), **env})
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"centre.timezone": "Mars/Olympus"}, "centre.timezone: unknown time zone 'Mars/Olympus'"),
        ({"centre.default_language": "fr"}, "centre.default_language: unsupported language"),
        (
            {"teams.0.members.0.schedule.mon": ["8-11"]},
            "teams.0.members.0.schedule: mon: clinic hours '8-11' must look like 08:30-11:30",
        ),
        ({"communities.0.team": "team-x"}, "community xingfu-1 names unknown team 'team-x'"),
        ({"packages.1.insurance_share": 1.5}, "packages.1.insurance_share"),
        ({"triage.systolic_high": 90}, "triage.systolic_high"),
        ({"contract.default_term_years": 5}, "contract.default_term_years"),
    ],
)
def test_wrong_config_values_are_named(
    tmp_path: Path, change: dict[str, object], expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping({"CONFIG_PATH": _config_with(tmp_path, change)})
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def _clean_env() -> dict[str, str]:
    """The environment without any of our settings: only the .env file speaks."""
    ours = {"BOT_TOKEN", "DATABASE_URL", "LOG_LEVEL", "CONFIG_PATH", "PII_KEY", "REDIS_URL"}
    return {k: v for k, v in os.environ.items() if k not in ours}


def test_the_program_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"CONFIG_PATH={ROOT / 'config.yml'}\nLOG_LEVEL=LOUD\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--env-file", str(env_file), "db", "upgrade"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60, env=_clean_env(),
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == "familydoc: LOG_LEVEL: use one of DEBUG, INFO, WARNING, ERROR"
    assert "Traceback" not in done.stderr
