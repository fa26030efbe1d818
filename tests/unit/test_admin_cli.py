"""`familydoc admin …` as the centre's admin types it."""

from __future__ import annotations

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
