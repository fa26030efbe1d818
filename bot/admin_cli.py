"""Administration commands that talk to the database and print for a person to read."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import sys
import unicodedata
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import prepare_database
from bot.settings import Settings
from flows.admin.contracts_report import (
    CSV_COLUMNS,
    ContractLine,
    MemberRow,
    contract_lines,
    member_rows,
    state_counts,
)
from flows.admin.service import (
    Invite,
    NotAnAdmin,
    UnknownInvite,
    UnknownStaff,
    admin_lines,
    create_admin_invite,
    create_doctor_invite,
    invite_lines,
    remove_admin,
    remove_staff,
    revoke_invites,
)
from flows.clock import SystemClock
from storage.models import ContractState

_HEADINGS = ("id", "state", "doctor", "people", "term", "requested", "packages")
# What the operator asked for does not exist: one line on stderr, exit status 2.
_REFUSALS = (UnknownStaff, UnknownInvite, NotAnAdmin)


@asynccontextmanager
async def _centre_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """The centre's database (migrated, config.yml synced) for one command; what the block did
    is committed unless it raised."""
    db = await prepare_database(settings)
    try:
        async with db.sessionmaker() as session:
            yield session
            await session.commit()
    finally:
        await db.dispose()


def _refused(exc: Exception) -> int:
    print(f"familydoc: {exc}", file=sys.stderr)
    return 2


async def invite_doctor(settings: Settings, staff_id: str) -> int:
    try:
        async with _centre_session(settings) as session:
            invite = await create_doctor_invite(
                session, staff_id=staff_id, clock=SystemClock(), centre=settings.centre
            )
    except _REFUSALS as exc:
        return _refused(exc)
    await _print_invite(settings, invite, f"Invite for {invite.staff_name}")
    if invite.revoked_older:
        print(f"  (the {invite.revoked_older} older invite(s) for {staff_id} no longer work)")
    return 0


async def invite_admin(settings: Settings, label: str | None) -> int:
    async with _centre_session(settings) as session:
        invite = await create_admin_invite(
            session, label=label, clock=SystemClock(), centre=settings.centre
        )
    await _print_invite(settings, invite, f"Admin invite for {invite.staff_name}")
    return 0


async def _print_invite(settings: Settings, invite: Invite, heading: str) -> None:
    username = await _bot_username(settings)
    print(f"{heading} (one use, valid until {invite.expires_at_local}):")
    if username:
        print(f"  https://t.me/{username}?start={invite.code}")
    print(f"  or send the bot: /start {invite.code}")


async def list_invites(settings: Settings) -> int:
    async with _centre_session(settings) as session:
        lines = await invite_lines(session, SystemClock(), settings.centre)
    if not lines:
        print("no invites")
        return 0
    rows = [("id", "kind", "for", "created", "expires", "status", "user")]
    rows += [
        (str(i.id), i.kind.value, i.who or "-", i.created_local, i.expires_local, i.status,
         str(i.used_by_user_id or "-"))
        for i in lines
    ]  # fmt: skip
    for row in _table(rows, numeric=(0,)):
        print(row)
    return 0


async def revoke_invite(settings: Settings, target: str) -> int:
    try:
        async with _centre_session(settings) as session:
            count = await revoke_invites(session, target, SystemClock())
    except _REFUSALS as exc:
        return _refused(exc)
    print(f"revoked {count} invite{'s' if count != 1 else ''}")
    return 0


async def remove_staff_member(settings: Settings, staff_id: str) -> int:
    try:
        async with _centre_session(settings) as session:
            removal = await remove_staff(session, staff_id, SystemClock())
    except _REFUSALS as exc:
        return _refused(exc)
    if removal.removed_user_id is None:
        print(f"nobody holds {staff_id} ({removal.staff_name}): nothing to remove")
    else:
        print(
            f"removed account {removal.removed_user_id} from {staff_id} ({removal.staff_name}): "
            "no staff access from its next message; its pending team notices are withdrawn"
        )
    if removal.open_invites:
        print(
            f"  {removal.open_invites} open invite(s) for {staff_id} still work "
            f"(familydoc admin revoke-invite {staff_id} to stop them)"
        )
    return 0


async def list_admins(settings: Settings) -> int:
    async with _centre_session(settings) as session:
        lines = await admin_lines(session, settings.centre)
    if not lines:
        print("no admins (familydoc admin invite-admin makes one)")
        return 0
    header = ("user", "name", "since")
    rows = [(str(a.user_id), a.label or "-", a.joined_local) for a in lines]
    for row in _table([header, *rows], numeric=(0,)):
        print(row)
    return 0


async def remove_admin_account(settings: Settings, user_id: int) -> int:
    try:
        async with _centre_session(settings) as session:
            await remove_admin(session, user_id, SystemClock())
    except _REFUSALS as exc:
        return _refused(exc)
    print(f"account {user_id} is no longer an admin")
    return 0


async def _bot_username(settings: Settings) -> str | None:
    """The bot's @username for a clickable deep link, when a real token is configured."""
    if not settings.bot_token:
        return None
    from bot.app import make_bot

    bot = make_bot(settings)
    try:
        me = await bot.get_me()
        return me.username
    except Exception:
        return None
    finally:
        await bot.session.close()


async def list_contracts(
    settings: Settings, state: ContractState | None = None, doctor: str | None = None
) -> int:
    try:
        async with _centre_session(settings) as session:
            lines = await contract_lines(session, settings.centre, state=state, doctor=doctor)
    except _REFUSALS as exc:
        return _refused(exc)
    if not lines:
        asked = [f"state {state.value}" if state else "", f"doctor {doctor}" if doctor else ""]
        filters = ", ".join(a for a in asked if a)
        print(f"no contracts ({filters})" if filters else "no contracts")
        return 0
    for row in _table([_HEADINGS, *(_cells(line) for line in lines)]):
        print(row)
    counts = ", ".join(f"{s.value} {n}" for s, n in state_counts(lines).items())
    print(f"{len(lines)} contract{'s' if len(lines) != 1 else ''}: {counts}")
    return 0


def _cells(line: ContractLine) -> tuple[str, ...]:
    term = (
        f"{line.starts_on.isoformat()}–{line.ends_on.isoformat()}"
        if line.starts_on and line.ends_on
        else "-"
    )
    return (
        str(line.id),
        line.state.value,
        f"{line.doctor_id} {line.doctor_name}".strip(),
        str(line.people),
        term,
        line.requested_on.isoformat(),
        " ".join(f"{p}×{n}" for p, n in line.packages.items()),
    )


def _table(rows: Sequence[Sequence[str]], numeric: Collection[int] = (0, 3)) -> list[str]:
    """Columns padded to the widest cell as a terminal shows it (a Chinese character takes two
    columns); numbers right-aligned, the last column left ragged."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    out: list[str] = []
    for row in rows:
        cells = [
            " " * (w - _width(cell)) + cell if i in numeric else cell + " " * (w - _width(cell))
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return out


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def export_contracts(settings: Settings, out: str = "-") -> int:
    """CSV, one row per contract member. A file is made readable by its owner only (it holds
    names) with a BOM so that Excel reads the Chinese; standard output gets plain UTF-8."""
    rows = asyncio.run(_member_rows(settings))
    text = _csv_text(rows)
    if out == "-":
        _write_stdout(text)
        return 0
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(out, 0o600)  # an existing file keeps its old mode through os.open
    with open(fd, "w", encoding="utf-8-sig", newline="") as handle:
        handle.write(text)
    print(f"exported {len(rows)} rows to {out}", file=sys.stderr)
    return 0


async def _member_rows(settings: Settings) -> list[MemberRow]:
    async with _centre_session(settings) as session:
        return await member_rows(session, settings.centre)


def _csv_text(rows: Sequence[MemberRow]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(row.csv_record() for row in rows)
    return buffer.getvalue()


def _write_stdout(text: str) -> None:
    """UTF-8 whatever the terminal's locale says, so a pipe into a file is always UTF-8."""
    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:
        sys.stdout.write(text)
        return
    binary.write(text.encode("utf-8"))
    binary.flush()
