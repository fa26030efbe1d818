"""Migration 0005 on data recorded before it: a family member's health facts recorded while
the resident's own consent stands get a consent for that member; facts with no consent to
rest on are removed (their age tags stay)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from storage.database import Database, alembic_config
from storage.models import (
    Consent,
    ConsentKind,
    Household,
    Relation,
    Resident,
    ResidentCondition,
    ResidentTag,
    Sex,
    TagSource,
    User,
)
from tests.conftest import _fresh_postgres, postgres_url

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _to(revision: str) -> object:
    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    return run


def _member(household: Household, creator: User, name: str, **health: object) -> Resident:
    return Resident(
        household=household, relation=Relation.SPOUSE, name=name, birth_date=date(1946, 7, 12),
        sex=Sex.MALE, created_by_user_id=creator.id, created_at=NOW, updated_at=NOW,
        conditions=[ResidentCondition(code="hypertension", recorded_at=NOW)],
        tags=[ResidentTag(tag=t, source=TagSource.DERIVED, added_at=NOW)
              for t in ("elderly", "hypertension", "disability")],
        **health,
    )  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
async def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "postgres":
        return await _fresh_postgres(postgres_url() or "")
    return Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")


async def test_members_facts_get_a_consent_or_are_removed(old_db: Database) -> None:
    async with old_db.engine.begin() as conn:
        await conn.run_sync(_to("0002"))
    async with old_db.sessionmaker() as session:
        consenting = User(telegram_id=1, created_at=NOW, last_seen_at=NOW)
        withdrawn = User(telegram_id=2, created_at=NOW, last_seen_at=NOW)
        session.add_all([consenting, withdrawn])
        await session.flush()
        for user, granted in ((consenting, True), (withdrawn, False)):
            await session.execute(
                text(
                    "INSERT INTO consents (user_id, kind, text_version, granted, decided_at)"
                    " VALUES (:user, 'health_data', 'v1', :granted, :at)"
                ),
                {"user": user.id, "granted": granted, "at": NOW},
            )
        first, second = Household(created_at=NOW), Household(created_at=NOW)
        kept = _member(first, consenting, "老伴一", disability=True)
        dropped = _member(second, withdrawn, "老伴二", disability=True)
        session.add_all([kept, dropped])
        await session.commit()
        kept_id, dropped_id = kept.id, dropped.id
    await old_db.upgrade()

    async with old_db.sessionmaker() as session:
        [consent] = await session.scalars(
            select(Consent).where(Consent.kind == ConsentKind.MEMBER_HEALTH_DATA)
        )
        assert consent.subject_resident_id == kept_id and consent.granted
        kept = await session.get(Resident, kept_id)
        dropped = await session.get(Resident, dropped_id)
        assert kept is not None and dropped is not None
        assert [c.code for c in kept.conditions] == ["hypertension"] and kept.disability
        assert dropped.conditions == [] and dropped.disability is None
        assert [t.tag for t in dropped.tags] == ["elderly"]
    await old_db.dispose()
