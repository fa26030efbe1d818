"""What a contract holds is decided once (flows.packages.service.included_packages): the
agreement the resident confirms lists exactly what the request stores, also when a free
package has eligibility rules (it comes for whoever it fits, and for nobody else)."""

from __future__ import annotations

from datetime import date

import pytest

from flows.centre import CentreConfig
from flows.clock import FrozenClock
from storage.database import Database
from storage.models import Sex
from tests.signing.conftest import Account, Centre


@pytest.fixture
def free_elderly(db: Database, clock: FrozenClock, centre: CentreConfig) -> Centre:
    """config.yml, but the elderly package (65 and over) is free."""
    packages = tuple(
        p.model_copy(update={"price": 0.0}) if p.id == "elderly" else p for p in centre.packages
    )
    return Centre(db, clock, centre.model_copy(update={"packages": packages}))


async def _agreed_and_stored(world: Centre, account: Account, picked: list[str]) -> tuple:
    resident_id = await world.resident_id(account)
    async with world.update(account) as (signing, user):
        agreement = await signing.agreement(user, {resident_id: picked})
    shown = [p.id for p in agreement[0][1]]
    contract = await world.request(account, picked)
    stored = [p.package_id for p in contract.members[0].packages]
    return shown, stored


async def test_a_free_package_with_rules_comes_for_whom_it_fits(free_elderly: Centre) -> None:
    grandma = await free_elderly.resident("张秀兰", born=date(1948, 3, 5))
    shown, stored = await _agreed_and_stored(free_elderly, grandma, ["hypertension"])
    assert shown == stored
    assert set(stored) == {"basic", "elderly", "hypertension"}


async def test_a_free_package_with_rules_is_not_shown_to_whom_it_does_not_fit(
    free_elderly: Centre,
) -> None:
    son = await free_elderly.resident("王强", born=date(1980, 6, 1), sex=Sex.MALE)
    shown, stored = await _agreed_and_stored(free_elderly, son, ["hypertension"])
    assert shown == stored
    assert set(stored) == {"basic", "hypertension"}


async def test_the_basic_package_comes_without_being_picked(world: Centre) -> None:
    grandma = await world.resident("张秀兰", born=date(1948, 3, 5))
    shown, stored = await _agreed_and_stored(world, grandma, [])
    assert shown == stored == ["basic"]
