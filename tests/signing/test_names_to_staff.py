"""A name stored before names were checked for links (here: a profile saved without going
through clean_name) reaches staff in a form Telegram cannot make a link of: in the new
request notice, its escalation, and the request summary the doctor opens."""

from __future__ import annotations

import re

from bot.app import make_i18n
from flows.signing.texts import person_label, request_summary
from storage import contracts as q
from tests.signing.conftest import Centre

LINKISH = re.compile(r"[@/:]|[.。．｡]\S")


async def test_a_stored_link_name_reaches_staff_unlinked(world: Centre) -> None:
    doctor = await world.staff("dr-wang")
    resident = await world.resident(name="t.me/evil @bob")
    requested = await world.request(resident)
    notices = await world.messages("signing_request", to=doctor)
    notices += await world.messages("signing_escalation", to=doctor)
    assert len(notices) == 2
    for notice in notices:
        name = notice.payload["values"]["name"]
        assert "evil" in name and "bob" in name and not LINKISH.search(name)

    async with world.db.sessionmaker() as session:
        contract = await q.contract_by_id(session, requested.id)
        assert contract is not None
        residents = await q.residents_by_id(session, [m.resident_id for m in contract.members])
        i18n = make_i18n("zh_CN")
        with i18n.context(), i18n.use_locale("zh_CN"):
            summary = request_summary(contract, residents, world.config, world.clock.now().date())
            [shown] = [person_label(r) for r in residents.values()]
    assert shown in summary and "evil" in shown and not LINKISH.search(shown)
