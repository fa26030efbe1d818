"""Shared fixtures for the command-line tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture
def env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / ".env"
    path.write_text(f"CONFIG_PATH={ROOT / 'config.yml'}\nLOG_LEVEL=WARNING\n")
    saved = dict(os.environ)
    yield str(path)
    # main() loads the .env into os.environ, as it should: undo that for later tests.
    os.environ.clear()
    os.environ.update(saved)
