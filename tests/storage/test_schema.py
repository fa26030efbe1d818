"""The migrations build the schema the models describe, on SQLite and PostgreSQL; personal
data is encrypted at rest; times come back as aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage.database import Database, alembic_config
from storage.models import Base, Household, Resident, Sex, User


async def test_migrations_match_the_models(any_db: Database) -> None:
    def differences(sync_conn):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with any_db.engine.connect() as conn:
        diff = await conn.run_sync(differences)
    assert diff == []


async def test_upgrade_twice_is_harmless(any_db: Database) -> None:
    await any_db.upgrade()
    async with any_db.engine.connect() as conn:
        version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_personal_data_is_encrypted_at_rest(any_db: Database) -> None:
    now = datetime.now(UTC)
    async with any_db.sessionmaker() as session:
        user = User(telegram_id=77, created_at=now, last_seen_at=now)
        household = Household(community_id="xingfu-1", address="3栋2单元501", created_at=now)
        session.add(user)
        await session.flush()
        session.add(
            Resident(user_id=user.id, household=household, name="张秀兰", phone="+8613800138000",
                     birth_date=date(1948, 3, 5), sex=Sex.FEMALE, created_at=now, updated_at=now)
        )  # fmt: skip
        await session.commit()
    async with any_db.engine.connect() as conn:
        raw = (await conn.execute(text("SELECT name, phone FROM residents"))).one()
        address = await conn.scalar(text("SELECT address FROM households"))
    assert "张秀兰" not in raw.name and "13800138000" not in raw.phone
    assert "501" not in address
    async with any_db.sessionmaker() as session:
        resident = await session.get(Resident, 1)
        assert resident is not None and resident.name == "张秀兰"


async def test_times_are_stored_in_utc_and_come_back_aware(any_db: Database) -> None:
    shanghai_nine = datetime(2026, 11, 24, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    async with any_db.sessionmaker() as session:
        session.add(User(telegram_id=78, created_at=shanghai_nine, last_seen_at=shanghai_nine))
        await session.commit()
    async with any_db.sessionmaker() as session:
        user = await session.get(User, 1)
        assert user is not None
        assert user.created_at == shanghai_nine
        assert user.created_at.utcoffset() == timedelta(0)
        assert user.created_at.hour == 1
