"""Time's side of a contract: active contracts past their last day expire (the daily sweep
in flows/signing/jobs.py)."""

from __future__ import annotations

from flows.catalogue import N_
from flows.signing.context import SigningContext
from flows.signing.doctors import offer_freed_places
from flows.signing.lifecycle import move
from storage import contracts as q
from storage.models import ContractState


async def expire_ended(ctx: SigningContext) -> int:
    """Active contracts past their last day become expired; the household is told how to
    sign again and the places go to whoever waits. Returns how many expired."""
    now, today = ctx.clock.now(), ctx.today()
    expired = 0
    for ended in list(await q.ended_contracts(ctx.session, today)):
        await q.lock_household(ctx.session, ended.household_id)
        contract = await q.contract_by_id(ctx.session, ended.id)
        if contract is None or contract.state is not ContractState.ACTIVE:
            continue  # cancelled or renewed while the sweep ran
        expired += 1
        move(contract, ContractState.EXPIRED, by_user_id=None, at=now)
        await ctx.notices.withdraw(contract)
        await ctx.notices.ended(
            contract,
            contract.requested_by_user_id,
            N_("您的家庭医生签约已到期。想继续请重新签约，点下面的按钮就行。"),
            now,
        )
        await offer_freed_places(ctx, contract.staff_id, len(contract.members), now)
    await ctx.session.commit()
    return expired
