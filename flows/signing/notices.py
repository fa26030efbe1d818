"""What signing tells people later, as rows of the outbox: the doctor's new request, the
resident's answer, escalation of requests nobody answered, renewal notices, expiry.

Texts are catalogue ids rendered in each recipient's language when sent; buttons carry a
neutral action (flows/actions.py) that flows/action_buttons.py turns into callback data."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from flows.actions import Action, ActionKind
from flows.catalogue import N_
from flows.centre import CentreConfig
from flows.person import unlinkable
from flows.signing.reasons import REJECT_REASONS
from storage.contracts import cancel_pending_messages, staff_users
from storage.models import Contract, Priority, Role, User
from storage.outbox import schedule_message
from storage.users import users_with_role

OPEN_CARD = Action(ActionKind.OPEN_CARD)
RENEW = Action(ActionKind.RENEW_CONTRACT)
START_SIGNING = Action(ActionKind.START_SIGNING)
NOTICE_HOUR = time(9, 0)  # renewal notices go out at 9:00 local time


def contract_key(contract_id: int) -> str:
    """Every pending notice about a contract starts with this, so a change withdraws them."""
    return f"contract:{contract_id}:"


def _payload(text: str, buttons: list[tuple[str, Action]] | None = None, **values: Any) -> dict:
    payload: dict[str, Any] = {"text": text, "values": values}
    if buttons:
        payload["buttons"] = [[{"text": label, **action.as_payload()}] for label, action in buttons]
    return payload


class SigningNotices:
    def __init__(self, session: AsyncSession, centre: CentreConfig) -> None:
        self._session, self._centre = session, centre

    async def _send(
        self,
        users: list[User],
        kind: str,
        due_at: datetime,
        payload: dict[str, Any],
        now: datetime,
        key: str | None = None,
        priority: Priority = Priority.NORMAL,
    ) -> None:
        for user in users:
            await schedule_message(
                self._session,
                kind=kind,
                recipient_user_id=user.id,
                due_at=due_at,
                payload=payload,
                now=now,
                priority=priority,
                dedupe_key=f"{key}{user.id}" if key else None,
            )

    async def _team(self, staff_id: str) -> list[User]:
        team = self._centre.team_of(staff_id)
        members = [m.id for m in team.members] if team else [staff_id]
        return list(await staff_users(self._session, members))

    async def request_received(
        self, contract: Contract, applicant: str, people: int, now: datetime
    ) -> None:
        """The doctor and the team hear of a new request at once; if nobody has answered
        when the escalation time is up, the team and the centre's admins hear again and the
        resident is told where the request stands. The applicant's name goes in so that
        Telegram cannot make a link of it (plain text is auto-linked too)."""
        applicant = unlinkable(applicant)
        team = await self._team(contract.staff_id)
        review = [(N_("📝 查看申请"), Action(ActionKind.REVIEW_CONTRACT, contract.id))]
        await self._send(
            team,
            "signing_request",
            now,
            _payload(N_("新的签约申请：{name} 等 {people} 人。"), review, name=applicant,
                     people=people),
            now,
            key=contract_key(contract.id) + "new:",
        )  # fmt: skip
        hours = self._centre.contract.approval_escalate_after_hours
        later = now + timedelta(hours=hours)
        admins = list(await users_with_role(self._session, Role.ADMIN))
        await self._send(
            team + [a for a in admins if a not in team],
            "signing_escalation",
            later,
            _payload(N_("⏰ 催办：{name} 的签约申请已等了 {hours} 小时，还没有处理。"), review,
                     name=applicant, hours=hours),
            now,
            key=contract_key(contract.id) + "escalate:",
            priority=Priority.URGENT,
        )  # fmt: skip
        resident = await self._session.get(User, contract.requested_by_user_id)
        if resident is not None:
            await self._send(
                [resident],
                "signing_waiting",
                later,
                _payload(
                    N_(
                        "您的签约申请还在等医生审核，我们已经催办了。着急的话可以打中心电话：{phone}"
                    ),
                    [(N_("📋 看申请进度"), OPEN_CARD)],
                    phone=self._centre.centre.phone,
                ),
                now,
                key=contract_key(contract.id) + "waiting:",
            )

    async def decided(self, contract: Contract, doctor: str, now: datetime) -> None:
        """The resident hears the doctor's answer; reminders about the request stop."""
        await cancel_pending_messages(self._session, contract_key(contract.id) + "escalate:")
        await cancel_pending_messages(self._session, contract_key(contract.id) + "waiting:")
        resident = await self._session.get(User, contract.requested_by_user_id)
        if resident is None:
            return
        if contract.reason is None:
            payload = _payload(
                N_("🎉 签约成功！{doctor} 医生已同意，从今天起就是您的家庭医生。"),
                [(N_("📇 看签约卡"), OPEN_CARD)],
                doctor=doctor,
            )
        else:
            written = contract.reason_note  # the doctor's own words go as they wrote them
            payload = _payload(
                N_("很抱歉，{doctor} 医生这次没能同意您的签约申请。\n原因：{reason}"),
                [(N_("📝 重新签约"), START_SIGNING)],
                doctor=doctor,
                reason=written or REJECT_REASONS.label(contract.reason),
            )
            if not written:
                payload["translate"] = ["reason"]
        await self._send([resident], "signing_decided", now, payload, now)

    async def plan_renewal(self, contract: Contract, user_id: int, now: datetime) -> None:
        """Renewal notices N days before the last day (config: contract.renewal_notice_days)."""
        assert contract.ends_on is not None
        user = await self._session.get(User, user_id)
        if user is None:
            return
        for days in self._centre.contract.renewal_notice_days:
            day = contract.ends_on - timedelta(days=days)
            due = datetime.combine(day, NOTICE_HOUR, tzinfo=self._centre.zone)
            if due <= now:
                continue
            payload = _payload(
                N_("您的家庭医生签约 {end} 到期。点下面的按钮，一键续约，服务包不变。"),
                [(N_("🔄 一键续约"), RENEW)],
                end=contract.ends_on.isoformat(),
            )
            payload["dates"] = ["end"]
            await self._send(
                [user],
                "renewal_notice",
                due,
                payload,
                now,
                key=contract_key(contract.id) + f"renew{days}:",
            )

    async def withdraw(self, contract: Contract) -> None:
        await cancel_pending_messages(self._session, contract_key(contract.id))

    async def ended(self, contract: Contract, user_id: int, text: str, now: datetime) -> None:
        user = await self._session.get(User, user_id)
        if user is not None:
            await self._send(
                [user],
                "contract_ended",
                now,
                _payload(text, [(N_("📝 重新签约"), START_SIGNING)]),
                now,
            )

    async def tell_doctor(
        self, staff_id: str, text: str, now: datetime, dates: tuple[str, ...] = (), **values: Any
    ) -> None:
        users = list(await staff_users(self._session, [staff_id]))
        payload = _payload(text, **values)
        if dates:
            payload["dates"] = list(dates)
        await self._send(users, "contract_changed", now, payload, now)

    async def place_free(self, user: User, now: datetime, key: str) -> None:
        await self._send(
            [user],
            "waitlist_place",
            now,
            _payload(
                N_("好消息：家庭医生有空位了，现在可以签约。"), [(N_("📝 去签约"), START_SIGNING)]
            ),
            now,
            key=key,
        )
