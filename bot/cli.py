"""`familydoc`: run the bot, the terminal trial chat, and administration commands."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.logs import configure_logging
from bot.settings import ConfigError, Settings, load_settings
from storage.models.enums import ContractState


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.env_file)
        configure_logging(settings.log_level)
        return int(args.handler(args, settings) or 0)
    except ConfigError as exc:
        print(f"familydoc: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="familydoc", description=__doc__)
    parser.add_argument("--env-file", default=".env", help="settings file (default .env)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (the trial chat when BOT_TOKEN is unset)")
    run.set_defaults(handler=_run)

    chat = commands.add_parser("chat", help="talk to the bot in this terminal (trial mode)")
    chat.add_argument("--as", dest="role", choices=("resident", "doctor"), default="resident")
    chat.set_defaults(handler=_chat)

    db = commands.add_parser("db", help="database schema").add_subparsers(required=True)
    db.add_parser("upgrade", help="migrate the schema to the newest version").set_defaults(
        handler=_db_upgrade
    )

    nlu = commands.add_parser("nlu", help="language understanding (Rasa)").add_subparsers(
        required=True, metavar="ACTION"
    )
    nlu.add_parser("train", help="build the Rasa venv and model (cached)").set_defaults(
        handler=lambda a, s: _nlu().train(s)
    )
    nlu.add_parser("serve", help="run the Rasa server at NLU_URL").set_defaults(
        handler=lambda a, s: _nlu().serve(s)
    )
    nlu.add_parser("status", help="is the Rasa server answering?").set_defaults(
        handler=lambda a, s: _nlu().status(s)
    )
    parse = nlu.add_parser("parse", help="intent and normalised entities, one JSON per text")
    parse.add_argument("texts", nargs="*", metavar="TEXT")
    parse.add_argument("--file", help="one text per line ('-' for standard input)")
    parse.add_argument("--now", help="the reference time, ISO (default: now in the centre)")
    parse.set_defaults(handler=lambda a, s: _nlu().parse(s, a.texts, a.file, a.now))
    evaluate = nlu.add_parser("evaluate", help="cross-validated F1 per intent (rasa test nlu)")
    evaluate.add_argument("--folds", type=int, default=3)
    evaluate.set_defaults(handler=lambda a, s: _nlu().evaluate(s, a.folds))

    triage = commands.add_parser("triage", help="red-flag check, one JSON per text")
    triage.add_argument("texts", nargs="*", metavar="TEXT")
    triage.add_argument("--file", help="one text per line ('-' for standard input)")
    triage.set_defaults(handler=lambda a, s: _nlu().triage(s, a.texts, a.file))

    admin = commands.add_parser("admin", help="centre administration").add_subparsers(
        required=True, metavar="ACTION"
    )
    admin.add_parser("sync", help="load teams, doctors and packages from config.yml").set_defaults(
        handler=_admin_sync
    )
    invite = admin.add_parser("invite-doctor", help="one-time code for a staff member to join")
    invite.add_argument("staff_id", help="the staff id in config.yml, e.g. dr-wang")
    invite.set_defaults(handler=_admin_invite)
    invite_admin = admin.add_parser("invite-admin", help="one-time code to become a centre admin")
    invite_admin.add_argument("--name", metavar="LABEL", help="who it is for, shown in list-admins")
    invite_admin.set_defaults(handler=_admin_invite_admin)
    admin.add_parser("list-invites", help="invites and whether they are open").set_defaults(
        handler=_admin_list_invites
    )
    revoke = admin.add_parser("revoke-invite", help="stop an invite from working")
    revoke.add_argument(
        "target", metavar="ID", help="an invite id from list-invites, or a staff id"
    )
    revoke.set_defaults(handler=_admin_revoke_invite)
    remove = admin.add_parser("remove-staff", help="take staff access away from the post's account")
    remove.add_argument("staff_id", help="the staff id in config.yml, e.g. dr-wang")
    remove.set_defaults(handler=_admin_remove_staff)
    admin.add_parser("list-admins", help="the centre's admins").set_defaults(
        handler=_admin_list_admins
    )
    remove_admin = admin.add_parser("remove-admin", help="an admin account stops being one")
    remove_admin.add_argument("user_id", type=int, metavar="USER", help="the user from list-admins")
    remove_admin.set_defaults(handler=_admin_remove_admin)
    admin.add_parser("new-key", help="print a new PII_KEY for .env").set_defaults(
        handler=_admin_new_key
    )
    contracts = admin.add_parser("contracts", help="list contracts, one line each")
    contracts.add_argument("--state", choices=[s.value for s in ContractState])
    contracts.add_argument("--doctor", metavar="STAFF_ID", help="only this doctor's, e.g. dr-wang")
    contracts.set_defaults(handler=_admin_contracts)
    export = admin.add_parser("export-contracts", help="CSV, one row per contract member")
    export.add_argument("--out", default="-", metavar="FILE", help="default: standard output")
    export.set_defaults(handler=_admin_export_contracts)
    return parser


def _nlu():  # type: ignore[no-untyped-def]
    from bot import nlu_cli  # imported on use: it loads the NLU libraries

    return nlu_cli


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.bot_token:
        print("没有设置 BOT_TOKEN：打开终端试用聊天。 (No BOT_TOKEN: starting the trial chat.)")
        return _chat(argparse.Namespace(role="resident"), settings)
    from bot.runner import run_bot

    asyncio.run(run_bot(settings))
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.terminal_chat import run_terminal_chat

    logging.getLogger().setLevel(logging.WARNING)  # the terminal is the chat window
    asyncio.run(run_terminal_chat(settings, as_doctor=args.role == "doctor"))
    return 0


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime import prepare_database

    async def upgrade() -> None:
        db = await prepare_database(settings)
        await db.dispose()

    asyncio.run(upgrade())
    print("database is up to date")
    return 0


def _admin_sync(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime import prepare_database

    async def sync() -> None:
        db = await prepare_database(settings)  # syncs config.yml as part of preparing
        await db.dispose()

    asyncio.run(sync())
    centre = settings.centre
    staff = sum(len(t.members) for t in centre.teams)
    print(
        f"synced {len(centre.teams)} teams, {staff} staff, "
        f"{len(centre.communities)} communities, {len(centre.packages)} packages"
    )
    return 0


def _admin_invite(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin_cli import invite_doctor

    return asyncio.run(invite_doctor(settings, args.staff_id))


def _admin_invite_admin(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin_cli import invite_admin

    return asyncio.run(invite_admin(settings, args.name))


def _admin_list_invites(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin_cli import list_invites

    return asyncio.run(list_invites(settings))


def _admin_revoke_invite(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin_cli import revoke_invite

    return asyncio.run(revoke_invite(settings, args.target))


def _admin_remove_staff(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin_cli import remove_staff_member

    return asyncio.run(remove_staff_member(settings, args.staff_id))


def _admin_list_admins(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin_cli import list_admins

    return asyncio.run(list_admins(settings))


def _admin_remove_admin(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin_cli import remove_admin_account

    return asyncio.run(remove_admin_account(settings, args.user_id))


def _admin_contracts(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin_cli import list_contracts

    state = ContractState(args.state) if args.state else None
    return asyncio.run(list_contracts(settings, state, args.doctor))


def _admin_export_contracts(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin_cli import export_contracts

    return export_contracts(settings, args.out)


def _admin_new_key(args: argparse.Namespace, settings: Settings) -> int:
    from storage.types import new_pii_key

    print(new_pii_key())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
