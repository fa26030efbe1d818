"""`familydoc admin contracts` and `export-contracts` over real contracts: what the centre's
admin reads in the terminal and opens in a spreadsheet."""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.cli import main
from flows.admin.contracts_report import MemberRow, contract_lines, member_rows, state_counts
from flows.admin.service import UnknownStaff
from flows.centre import CentreConfig
from flows.clock import FrozenClock
from flows.onboarding.service import OnboardingService, ProfileDraft
from flows.signing.service import FamilyMemberDraft, SigningService
from storage.database import Database
from storage.models import ConsentKind, ContractState, Relation, Role, Sex, User
from storage.users import find_user, load_or_create_user
from tests.conftest import ROOT, SHANGHAI


async def _household(
    db: Database,
    clock: FrozenClock,
    centre: CentreConfig,
    telegram_id: int,
    name: str,
    conditions: list[str],
) -> int:
    """A resident who agreed to health data and saved a profile; returns their resident id."""
    async with db.sessionmaker() as session:
        await load_or_create_user(session, telegram_id, clock.now())
        await session.commit()
    async with db.sessionmaker() as session:
        user = await find_user(session, telegram_id)  # with resident and household, as served
        assert user is not None
        onboarding = OnboardingService(session, clock, centre)
        await onboarding.record_consent(user, ConsentKind.HEALTH_DATA, granted=True)
        draft = ProfileDraft(
            name=name,
            birth_date=date(1958, 4, 2),
            sex=Sex.MALE,
            community_id="xingfu-1",
            health_consent=True,
            conditions=conditions,
        )
        resident = await onboarding.complete_profile(user, draft)
        return resident.id


@pytest.fixture
async def contracts(db: Database, clock: FrozenClock, centre: CentreConfig) -> dict[str, int]:
    """张伟 (hypertension) and his wife with dr-wang, approved; 王芳 waiting for dr-chen."""
    zhang = await _household(db, clock, centre, 101, "张伟", ["hypertension"])
    wang = await _household(db, clock, centre, 102, "王芳", [])
    async with db.sessionmaker() as session:
        signing = SigningService(session, clock, centre)
        user = await find_user(session, 101)
        assert user is not None
        wife = await signing.add_family_member(
            user,
            FamilyMemberDraft(
                relation=Relation.SPOUSE, name="李秀兰", birth_date=date(1960, 8, 9), sex=Sex.FEMALE
            ),
        )
        first = await signing.request(
            user, "dr-wang", {zhang: ["hypertension"], wife.id: []}, term_years=1
        )
        doctor = User(
            telegram_id=900,
            role=Role.STAFF,
            staff_id="dr-wang",
            created_at=clock.now(),
            last_seen_at=clock.now(),
        )
        session.add(doctor)
        await session.flush()
        await signing.approve(doctor, first.id)
        other = await find_user(session, 102)
        assert other is not None
        second = await signing.request(other, "dr-chen", {wang: []}, term_years=2)
    return {"active": first.id, "requested": second.id, "zhang": zhang, "wife": wife.id}


async def test_lines_show_each_contract_with_doctor_term_and_packages(
    db: Database, centre: CentreConfig, contracts: dict[str, int]
) -> None:
    async with db.sessionmaker() as session:
        lines = await contract_lines(session, centre)
        waiting = await contract_lines(session, centre, state=ContractState.REQUESTED)
        of_chen = await contract_lines(session, centre, doctor="dr-chen")
        with pytest.raises(UnknownStaff):
            await contract_lines(session, centre, doctor="dr-nobody")
    active, requested = lines
    assert (active.id, active.state, active.doctor_name, active.people) == (
        contracts["active"], ContractState.ACTIVE, "王建国", 2,
    )  # fmt: skip
    assert (active.starts_on, active.ends_on) == (date(2026, 11, 23), date(2027, 11, 22))
    assert active.packages == {"basic": 2, "hypertension": 1}
    assert (requested.state, requested.starts_on, requested.requested_on) == (
        ContractState.REQUESTED, None, date(2026, 11, 23),
    )  # fmt: skip
    assert state_counts(lines) == {ContractState.REQUESTED: 1, ContractState.ACTIVE: 1}
    assert [line.id for line in waiting] == [contracts["requested"]]
    assert [line.id for line in of_chen] == [contracts["requested"]]


async def test_member_rows_price_each_residents_packages(
    db: Database, centre: CentreConfig, contracts: dict[str, int]
) -> None:
    async with db.sessionmaker() as session:
        rows = await member_rows(session, centre)
    by_name = {r.resident_name: r for r in rows}
    assert len(rows) == 3
    assert by_name["张伟"].packages == ("basic", "hypertension")
    assert str(by_name["张伟"].own_share_yuan_per_year) == "120.00"  # 300 × (1 − 0.6)
    assert by_name["李秀兰"].packages == ("basic",)
    assert str(by_name["李秀兰"].own_share_yuan_per_year) == "0.00"
    assert by_name["李秀兰"].relation == "spouse"
    assert by_name["王芳"].team_id == "team-b"


def test_a_name_a_spreadsheet_would_run_is_exported_as_text() -> None:
    row = MemberRow(
        contract_id=1, state=ContractState.ACTIVE, doctor_id="dr-wang", doctor_name="王建国",
        team_id="team-a", term_years=1, starts_on=None, ends_on=None,
        requested_at=datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI), resident_id=1,
        resident_name='=HYPERLINK("http://x","张伟")', relation="self", packages=("basic",),
        own_share_yuan_per_year=None,
    )  # fmt: skip
    record = row.csv_record()
    assert record["resident_name"] == '\'=HYPERLINK("http://x","张伟")'
    assert record["doctor_name"] == "王建国"
    assert record["own_share_yuan_per_year"] == ""  # a package no longer priced in config.yml


# ---- through the `familydoc` command, as the admin types it ---------------------------------


@pytest.fixture
def env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Database, pii_key: str
) -> Iterator[str]:
    work = tmp_path / "admin"
    work.mkdir()
    monkeypatch.chdir(work)
    path = work / ".env"
    path.write_text(
        f"CONFIG_PATH={ROOT / 'config.yml'}\nDATABASE_URL={db.url}\n"
        f"PII_KEY={pii_key}\nLOG_LEVEL=WARNING\n"
    )
    saved = dict(os.environ)
    yield str(path)
    os.environ.clear()
    os.environ.update(saved)


def test_listing_shows_contracts_and_counts(
    contracts: dict[str, int], env_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--env-file", env_file, "admin", "contracts"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["id", "state", "doctor", "people", "term", "requested", "packages"]
    active = next(line for line in out if "active" in line)
    assert "dr-wang 王建国" in active
    assert "2026-11-23–2027-11-22" in active
    assert "basic×2 hypertension×1" in active
    requested = next(line for line in out if "requested" in line and "dr-chen" in line)
    assert " - " in requested and "basic×1" in requested
    assert out[-1] == "2 contracts: requested 1, active 1"


def test_listing_filters_by_state_and_says_when_empty(
    contracts: dict[str, int], env_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--env-file", env_file, "admin", "contracts", "--state", "active"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and "dr-wang" in out[1] and out[-1] == "1 contract: active 1"

    assert main(["--env-file", env_file, "admin", "contracts", "--state", "expired"]) == 0
    assert capsys.readouterr().out.strip() == "no contracts (state expired)"

    assert main(["--env-file", env_file, "admin", "contracts", "--doctor", "dr-who"]) == 2
    assert capsys.readouterr().err.startswith("familydoc: no staff member 'dr-who'; doctors: ")


def test_no_contracts_at_all(env_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--env-file", env_file, "admin", "contracts"]) == 0
    assert capsys.readouterr().out.strip() == "no contracts"


def test_export_to_a_file_is_private_and_opens_in_excel(
    contracts: dict[str, int], env_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = Path(env_file).parent / "contracts.csv"
    target.write_text("old, world-readable\n")
    target.chmod(0o644)
    assert main(["--env-file", env_file, "admin", "export-contracts", "--out", str(target)]) == 0
    assert capsys.readouterr().err.strip() == f"exported 3 rows to {target}"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3
    zhang = next(r for r in rows if r["resident_name"] == "张伟")
    assert zhang["contract_id"] == str(contracts["active"])
    assert zhang["state"] == "active"
    assert (zhang["doctor_id"], zhang["doctor_name"], zhang["team_id"]) == (
        "dr-wang", "王建国", "team-a",
    )  # fmt: skip
    assert (zhang["starts_on"], zhang["ends_on"]) == ("2026-11-23", "2027-11-22")
    assert zhang["requested_at"] == "2026-11-23T09:00:00+08:00"
    assert zhang["packages"] == "basic+hypertension"
    assert zhang["own_share_yuan_per_year"] == "120.00"
    wife = next(r for r in rows if r["resident_name"] == "李秀兰")
    assert (wife["relation"], wife["packages"], wife["own_share_yuan_per_year"]) == (
        "spouse", "basic", "0.00",
    )  # fmt: skip
    waiting = next(r for r in rows if r["resident_name"] == "王芳")
    assert (waiting["state"], waiting["starts_on"], waiting["term_years"]) == ("requested", "", "2")


def test_export_to_stdout_is_plain_utf8(
    contracts: dict[str, int], env_file: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["--env-file", env_file, "admin", "export-contracts"]) == 0
    raw = capsysbinary.readouterr().out
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    assert [r["resident_name"] for r in rows] == ["张伟", "李秀兰", "王芳"]
