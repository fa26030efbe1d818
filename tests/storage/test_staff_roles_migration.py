"""Migration 0007 on rows written before it: staff accounts (role doctor, nurse…) become
'staff' with their post kept on the staff row; old spellings of a post are normalised, so
every row loads as a StaffRole; and the downgrade gives accounts their old roles back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from storage.database import Database, alembic_config
from storage.models import Role, Staff, StaffRole, User
from tests.conftest import _fresh_postgres, postgres_url

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _to(revision: str, down: bool = False) -> object:
    def run(connection: Connection) -> None:
        config = alembic_config(connection)
        if down:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)

    return run


@pytest.fixture(params=["sqlite", "postgres"])
async def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "postgres":
        return await _fresh_postgres(postgres_url() or "")
    return Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")


_STAFF = [("dr-wang", "gp"), ("dr-old", " Doctor "), ("nurse-li", "nurse"),
          ("ph-zhao", "public_health")]  # fmt: skip
_USERS = [(1, "doctor", "dr-wang"), (2, "doctor", "dr-old"), (3, "nurse", "nurse-li"),
          (4, "public_health", "ph-zhao"), (5, "resident", None), (6, "admin", None)]  # fmt: skip


async def test_staff_accounts_keep_their_posts_through_the_migration(old_db: Database) -> None:
    async with old_db.engine.begin() as conn:
        await conn.run_sync(_to("0006"))
        await conn.execute(text("INSERT INTO teams (id, name, name_en, active)"
                                " VALUES ('team-a', 'A', 'A', true)"))  # fmt: skip
        for staff_id, role in _STAFF:
            await conn.execute(
                text("INSERT INTO staff (id, team_id, name, role, title, room, max_residents,"
                     " active) VALUES (:id, 'team-a', :id, :role, '', '', 100, true)"),
                {"id": staff_id, "role": role},
            )  # fmt: skip
        for telegram_id, role, staff_id in _USERS:
            await conn.execute(
                text("INSERT INTO users (telegram_id, role, staff_id, created_at, last_seen_at)"
                     " VALUES (:tg, :role, :staff, :at, :at)"),
                {"tg": telegram_id, "role": role, "staff": staff_id, "at": NOW},
            )  # fmt: skip

    await old_db.upgrade()
    async with old_db.sessionmaker() as session:
        users = {u.telegram_id: (u.role, u.staff_id) for u in await session.scalars(select(User))}
        posts = {s.id: s.role for s in await session.scalars(select(Staff))}
    assert users == {1: (Role.STAFF, "dr-wang"), 2: (Role.STAFF, "dr-old"),
                     3: (Role.STAFF, "nurse-li"), 4: (Role.STAFF, "ph-zhao"),
                     5: (Role.RESIDENT, None), 6: (Role.ADMIN, None)}  # fmt: skip
    assert posts == {"dr-wang": StaffRole.GP, "dr-old": StaffRole.GP,
                     "nurse-li": StaffRole.NURSE, "ph-zhao": StaffRole.PUBLIC_HEALTH}  # fmt: skip

    async with old_db.engine.begin() as conn:
        await conn.run_sync(_to("0006", down=True))
        rows = await conn.execute(text("SELECT telegram_id, role FROM users ORDER BY telegram_id"))
        assert [tuple(r) for r in rows] == [(t, role) for t, role, _ in _USERS]
    await old_db.dispose()


async def test_a_post_nobody_knows_stops_the_upgrade(old_db: Database) -> None:
    async with old_db.engine.begin() as conn:
        await conn.run_sync(_to("0006"))
        await conn.execute(text("INSERT INTO teams (id, name, name_en, active)"
                                " VALUES ('team-a', 'A', 'A', true)"))  # fmt: skip
        await conn.execute(text("INSERT INTO staff (id, team_id, name, role, title, room,"
                                " max_residents, active) VALUES ('x', 'team-a', 'x', 'janitor',"
                                " '', '', 1, true)"))  # fmt: skip
    with pytest.raises(RuntimeError, match="janitor"):
        await old_db.upgrade()
    await old_db.dispose()
