"""Start-up settings: deployment values from the environment (.env) and the centre from
config.yml. Anything wrong stops the program with one line naming the key and the problem."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from dotenv import load_dotenv
from pydantic import ValidationError

from flows.centre import CentreConfig

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/familydoc.db"
DEFAULT_NLU_URL = "http://127.0.0.1:5005"
_RATE = re.compile(r"^\d+\s*/\s*\d*\s*(second|minute|hour)s?$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """A setting is wrong; str() is the one line shown to the operator."""


@dataclass(frozen=True)
class Settings:
    centre: CentreConfig
    bot_token: str | None
    database_url: str
    redis_url: str | None
    nlu_url: str
    nlu_autostart: bool
    telegram_api_url: str | None
    webhook_url: str | None
    webhook_secret: str | None
    webhook_listen_host: str
    webhook_listen_port: int
    pii_key: str | None
    throttle_rate: str
    throttle_burst: int
    log_level: str
    config_path: Path


def load_settings(env_file: str | Path | None = ".env", *, override_env: bool = False) -> Settings:
    """Reads .env (if present) into the environment, then validates everything."""
    if env_file is not None and Path(env_file).is_file():
        load_dotenv(env_file, override=override_env)
    return settings_from_mapping(os.environ)


def settings_from_mapping(env: os._Environ[str] | dict[str, str]) -> Settings:
    def get(key: str, default: str | None = None) -> str | None:
        value = env.get(key, "")
        value = value.strip() if value else ""
        return value or default

    config_path = Path(get("CONFIG_PATH", "config.yml") or "config.yml")
    token = get("BOT_TOKEN")
    if token is not None and not re.fullmatch(r"\d+:[A-Za-z0-9_-]{20,}", token):
        raise ConfigError("BOT_TOKEN: does not look like a Telegram bot token (123456:ABC…)")

    database_url = get("DATABASE_URL", DEFAULT_DATABASE_URL) or DEFAULT_DATABASE_URL
    if not database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ConfigError(
            "DATABASE_URL: use sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db"
        )
    redis_url = get("REDIS_URL")
    if redis_url is not None:
        _require_url("REDIS_URL", redis_url, ("redis", "rediss", "unix"))
    nlu_url = get("NLU_URL", DEFAULT_NLU_URL) or DEFAULT_NLU_URL
    _require_url("NLU_URL", nlu_url, ("http", "https"))
    api_url = get("TELEGRAM_API_URL")
    if api_url is not None:
        _require_url("TELEGRAM_API_URL", api_url, ("http", "https"))
    webhook_url = get("WEBHOOK_URL")
    if webhook_url is not None:
        _require_url("WEBHOOK_URL", webhook_url, ("https", "http"))
        if token is None:
            raise ConfigError("WEBHOOK_URL: set BOT_TOKEN too; webhooks need a real bot")
    secret = get("WEBHOOK_SECRET")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
        # Short secrets can be guessed, and the secret is all that stands between the
        # webhook URL and anyone posting updates as any user.
        raise ConfigError(
            "WEBHOOK_SECRET: 16–256 characters of A–Z, a–z, 0–9, _ and - "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(24))'`)"
        )
    if webhook_url is not None and secret is None:
        # Without it, anyone who finds the URL can post updates as any user.
        raise ConfigError("WEBHOOK_SECRET: required with WEBHOOK_URL (16+ random characters)")
    host, port = _listen_address(get("WEBHOOK_LISTEN", "0.0.0.0:8080") or "0.0.0.0:8080")
    pii_key = get("PII_KEY")
    if pii_key is not None and not _looks_like_fernet_key(pii_key):
        raise ConfigError(
            "PII_KEY: must be a Fernet key (44 characters of url-safe base64); "
            "make one with `familydoc admin new-key`"
        )
    throttle = get("THROTTLE_RATE", "60/minute") or "60/minute"
    if not _RATE.match(throttle) or int(throttle.split("/")[0]) == 0:
        raise ConfigError("THROTTLE_RATE: use a rate like 60/minute or 1/second")
    # By default as many at once as the rate allows per period: "60/minute" → 60 in hand.
    burst = get("THROTTLE_BURST") or throttle.split("/")[0].strip()
    if not burst.isdigit() or int(burst) == 0:
        raise ConfigError("THROTTLE_BURST: use a whole number of updates, like 30")
    autostart = (get("NLU_AUTOSTART", "true") or "true").lower()
    if autostart not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError("NLU_AUTOSTART: use true or false")
    log_level = (get("LOG_LEVEL", "INFO") or "INFO").upper()
    if log_level not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL: use one of {', '.join(_LOG_LEVELS)}")

    return Settings(
        centre=load_centre(config_path),
        bot_token=token,
        database_url=database_url,
        redis_url=redis_url,
        nlu_url=nlu_url.rstrip("/"),
        nlu_autostart=autostart in ("true", "1", "yes"),
        telegram_api_url=api_url.rstrip("/") if api_url else None,
        webhook_url=webhook_url,
        webhook_secret=secret,
        webhook_listen_host=host,
        webhook_listen_port=port,
        pii_key=pii_key,
        throttle_rate=throttle.replace(" ", ""),
        throttle_burst=int(burst),
        log_level=log_level,
        config_path=config_path,
    )


def load_centre(path: Path) -> CentreConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"CONFIG_PATH: {path} does not exist") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{where} is not valid YAML") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: must be a mapping of sections (centre, teams, packages…)")
    try:
        return CentreConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_first_problem(exc)}") from None


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    return f"{key}: {message}" if key else message


def _require_url(key: str, value: str, schemes: tuple[str, ...]) -> None:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not (parts.netloc or parts.scheme == "unix"):
        raise ConfigError(f"{key}: {value!r} is not a {'/'.join(schemes)} URL")


def _listen_address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError("WEBHOOK_LISTEN: use host:port, e.g. 0.0.0.0:8080")
    return host, int(port)


def _looks_like_fernet_key(value: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_-]{43}=", value))
