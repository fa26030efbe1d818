"""The triage limits as the centre configures them (config.yml `triage:`), for tests that
call triage directly."""

from __future__ import annotations

from pathlib import Path

from bot.settings import load_centre

THRESHOLDS = load_centre(Path(__file__).resolve().parents[2] / "config.yml").triage
