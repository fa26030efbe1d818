"""`familydoc admin …` as the centre's admin types it."""

from __future__ import annotations

import asyncio

import pytest

from bot.cli import main


def test_invite_doctor_prints_a_one_time_start_code(
    env_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--env-file", env_file, "admin", "invite-doctor", "dr-chen"]) == 0
    out = capsys.readouterr().out
    assert "Invite for 陈静" in out
    assert "/start doc_" in out


def test_unknown_staff_is_one_line_and_exit_2(
    env_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--env-file", env_file, "admin", "invite-doctor", "dr-nobody"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("familydoc: no active staff member 'dr-nobody'; known: ")
    assert "dr-wang" in err and "\n" not in err


def test_sync_reports_what_it_loaded(env_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--env-file", env_file, "admin", "sync"]) == 0
    assert capsys.readouterr().out.strip() == ("synced 2 teams, 6 staff, 4 communities, 9 packages")


def _code(out: str) -> str:
    return next(w for line in out.splitlines() if "/start " in line for w in line.split()
                if w.startswith(("doc_", "adm_")))  # fmt: skip


async def _redeem(env_file: str, telegram_id: int, code: str) -> str:
    """The person behind `telegram_id` sends /start <code> (the database of the .env)."""
    from bot.runtime import prepare_database
    from bot.settings import load_settings
    from flows.clock import SystemClock
    from flows.onboarding.service import InviteInvalid, OnboardingService
    from storage.users import load_or_create_user

    settings = load_settings(env_file)
    db = await prepare_database(settings)
    try:
        async with db.sessionmaker() as session:
            user = await load_or_create_user(session, telegram_id, SystemClock().now())
            await session.commit()
            service = OnboardingService(session, SystemClock(), settings.centre)
            try:
                await service.redeem_invite(user, code)
            except InviteInvalid:
                return "invalid"
            # a staff member's post is the staff row's (nurse-li is a nurse in config.yml)
            return user.staff_id or user.role.value
    finally:
        await db.dispose()


def test_a_new_invite_makes_the_older_one_useless_and_list_invites_shows_it(
    env_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--env-file", env_file, "admin", "invite-doctor", "dr-wang"]) == 0
    old = _code(capsys.readouterr().out)
    assert main(["--env-file", env_file, "admin", "invite-doctor", "dr-wang"]) == 0
    out = capsys.readouterr().out
    assert "the 1 older invite(s) for dr-wang no longer work" in out
    assert asyncio.run(_redeem(env_file, 11, old)) == "invalid"

    assert main(["--env-file", env_file, "admin", "list-invites"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows[0][:3] == ["id", "kind", "for"]
    assert [(r[0], r[1], r[2], r[-2]) for r in rows[1:]] == [
        ("1", "staff", "dr-wang", "revoked"),
        ("2", "staff", "dr-wang", "open"),
    ]
    assert main(["--env-file", env_file, "admin", "revoke-invite", "2"]) == 0
    assert capsys.readouterr().out.strip() == "revoked 1 invite"
    assert main(["--env-file", env_file, "admin", "revoke-invite", "2"]) == 2
    assert capsys.readouterr().err.strip() == "familydoc: no open invite number 2"


def test_remove_staff_frees_the_post_for_a_new_account(
    env_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--env-file", env_file, "admin", "invite-doctor", "nurse-li"]) == 0
    assert asyncio.run(_redeem(env_file, 21, _code(capsys.readouterr().out))) == "nurse-li"
    assert main(["--env-file", env_file, "admin", "remove-staff", "nurse-li"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("removed account 1 from nurse-li (李秀英)")
    assert main(["--env-file", env_file, "admin", "remove-staff", "nurse-li"]) == 0
    assert "nobody holds nurse-li" in capsys.readouterr().out
    assert main(["--env-file", env_file, "admin", "invite-doctor", "nurse-li"]) == 0
    assert asyncio.run(_redeem(env_file, 22, _code(capsys.readouterr().out))) == "nurse-li"


def test_invite_admin_list_admins_and_remove_admin(
    env_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--env-file", env_file, "admin", "list-admins"]) == 0
    assert "no admins" in capsys.readouterr().out
    assert main(["--env-file", env_file, "admin", "invite-admin", "--name", "李主任"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Admin invite for 李主任 (one use, valid until ")
    assert asyncio.run(_redeem(env_file, 31, _code(out))) == "admin"

    assert main(["--env-file", env_file, "admin", "list-admins"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows[0] == ["user", "name", "since"] and rows[1][:2] == ["1", "李主任"]
    assert main(["--env-file", env_file, "admin", "remove-admin", "1"]) == 0
    assert capsys.readouterr().out.strip() == "account 1 is no longer an admin"
    assert main(["--env-file", env_file, "admin", "remove-admin", "1"]) == 2
    assert "is not an admin" in capsys.readouterr().err
