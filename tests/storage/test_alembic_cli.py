"""`alembic upgrade head`, as an operator types it, builds the schema on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from storage.database import Database
from storage.models import Base
from tests.conftest import ROOT, _fresh_postgres, postgres_url


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_alembic_upgrade_head_builds_every_table(kind: str, tmp_path: Path) -> None:
    if kind == "postgres":
        url = postgres_url() or ""
        await (await _fresh_postgres(url)).dispose()
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    alembic = str(Path(sys.executable).with_name("alembic"))
    done = await asyncio.to_thread(
        subprocess.run, [alembic, "upgrade", "head"], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={**os.environ, "DATABASE_URL": url},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    db = Database(url)
    async with db.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    await db.dispose()
    assert set(Base.metadata.tables) <= tables
