"""The rules of signing (签约), as residents and doctors meet them: who may choose which
package, the request and the doctor's answer, what everyone is told and when, renewal,
change of doctor, cancellation, expiry, and who may see which contract."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest

from flows.action_buttons import button_data
from flows.centre import CentreConfig
from flows.packages.service import NotEligible, Price, package_by_id, price_of
from flows.signing.callbacks import Review
from flows.signing.cards import build_card
from flows.signing.lifecycle import IllegalTransition, move, service_year, term_end
from flows.signing.reasons import REJECT_REASONS
from flows.signing.service import (
    AlreadyCovered,
    ChangeLimit,
    FamilyMemberDraft,
    NotAllowed,
    NotOffered,
    NotYetRenewable,
    SigningService,
    StateChanged,
)
from storage import contracts as q
from storage.models import (
    Contract,
    ContractState,
    MessageState,
    Priority,
    Relation,
    ServiceDelivery,
    Sex,
    Staff,
)
from storage.users import find_user
from tests.conftest import SHANGHAI
from tests.signing.conftest import Centre

TODAY = date(2026, 11, 23)  # the clock fixture's day
ONE_YEAR_LAST_DAY = date(2027, 11, 22)


def eligible(offers: list) -> list[str]:  # type: ignore[type-arg]
    return [o.package.id for o in offers if o.eligible]


def refusals(offers: list) -> dict[str, NotEligible | None]:  # type: ignore[type-arg]
    return {o.package.id: o.refusal for o in offers}


def packages_of(contract: Contract) -> dict[int, set[str]]:
    return {m.resident_id: {p.package_id for p in m.packages} for m in contract.members}


def move_to(world: Centre, day: date, hour: int = 9) -> None:
    world.clock.set(datetime.combine(day, time(hour), tzinfo=SHANGHAI))


# ---- eligibility and prices ------------------------------------------------------------------


async def test_a_78_year_old_with_hypertension_is_offered_what_fits_her(world: Centre) -> None:
    grandma = await world.resident(born=date(1948, 3, 5), conditions=["hypertension"])
    async with world.update(grandma) as (signing, user):
        [me] = await signing.members(user)
    assert eligible(me.offers) == ["basic", "elderly", "hypertension", "tcm", "home_care"]
    refused = refusals(me.offers)
    assert refused["diabetes"] is NotEligible.CONDITION
    assert refused["child"] is NotEligible.TOO_OLD
    assert refused["maternal"] is NotEligible.PREGNANCY
    assert refused["disability"] is NotEligible.DISABILITY
    assert not me.covered


async def test_pregnancy_packages_need_consent_only_when_pregnancy_can_apply(
    world: Centre,
) -> None:
    young = await world.resident("李婷", born=date(1996, 5, 1), health_consent=False)
    man = await world.resident("王伟", born=date(1996, 5, 1), sex=Sex.MALE, health_consent=False)
    refused = []
    for who in (young, man):
        async with world.update(who) as (signing, user):
            [me] = await signing.members(user)
        refused.append(refusals(me.offers)["maternal"])
    # Hers perhaps (we cannot tell without consent); never his, whatever his health.
    assert refused == [NotEligible.HEALTH_UNKNOWN, NotEligible.PREGNANCY]


async def test_without_health_consent_condition_packages_are_not_guessed(world: Centre) -> None:
    grandma = await world.resident(born=date(1948, 3, 5), health_consent=False)
    async with world.update(grandma) as (signing, user):
        [me] = await signing.members(user)
    assert eligible(me.offers) == ["basic", "elderly", "tcm", "home_care"]
    refused = refusals(me.offers)
    for package_id in ("hypertension", "diabetes", "disability"):
        assert refused[package_id] is NotEligible.HEALTH_UNKNOWN, package_id
    # Her age alone says a pregnancy package is not hers: no consent is needed to know it.
    assert refused["maternal"] is NotEligible.PREGNANCY
    assert refused["child"] is NotEligible.TOO_OLD  # age needs no health data
    with pytest.raises(NotOffered):
        await world.request(grandma, ["hypertension"])


def test_the_hypertension_package_costs_120_of_300_after_insurance(centre: CentreConfig) -> None:
    hypertension = package_by_id(centre, "hypertension")
    assert hypertension is not None
    assert price_of(hypertension) == Price(full=300, insurance=180, own=120)
    basic = package_by_id(centre, "basic")
    assert basic is not None and price_of(basic) == Price(full=0, insurance=0, own=0)


# ---- the request ------------------------------------------------------------------------------


async def test_a_request_waits_for_the_doctor_with_the_basic_package_included(
    world: Centre,
) -> None:
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    requested = await world.request(grandma, ["hypertension"])

    contract = await world.contract(requested.id)
    assert contract.state is ContractState.REQUESTED
    assert (contract.staff_id, contract.term_years) == ("dr-wang", 1)
    assert contract.starts_on is None and contract.ends_on is None
    assert packages_of(contract) == {await world.resident_id(grandma): {"basic", "hypertension"}}
    async with world.update(grandma) as (signing, user):
        current = await signing.current(user)
        [me] = await signing.members(user)
    assert current is not None and current.id == requested.id
    assert me.covered
    async with world.update(doctor) as (signing, user):
        queue = await signing.review_queue(user)
    assert [c.id for c in queue] == [requested.id]


async def test_only_the_basic_package_is_a_valid_choice_too(world: Centre) -> None:
    grandma = await world.resident()
    requested = await world.request(grandma, [])
    contract = await world.contract(requested.id)
    assert packages_of(contract) == {await world.resident_id(grandma): {"basic"}}


@pytest.mark.parametrize(
    ("packages", "staff_id", "term_years"),
    [
        (["diabetes"], "dr-wang", 1),  # she has no diabetes
        (["child"], "dr-wang", 1),  # she is 78
        (["no-such-package"], "dr-wang", 1),
        (["hypertension"], "dr-wang", 5),  # terms are 1, 2 or 3 years
        (["hypertension"], "nurse-li", 1),  # a nurse holds no contracts
        (["hypertension"], "dr-nobody", 1),
    ],
)
async def test_what_is_not_offered_cannot_be_requested(
    world: Centre, packages: list[str], staff_id: str, term_years: int
) -> None:
    grandma = await world.resident()
    with pytest.raises(NotOffered):
        await world.request(grandma, packages, staff_id=staff_id, term_years=term_years)
    assert await world.contracts() == []


async def test_nobody_is_covered_twice(world: Centre) -> None:
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    requested = await world.request(grandma)
    with pytest.raises(AlreadyCovered):  # a second request while one is pending
        await world.request(grandma, ["tcm"])
    with pytest.raises(AlreadyCovered):  # …or with another doctor
        await world.request(grandma, staff_id="dr-chen")
    await world.approve(doctor, requested.id)
    with pytest.raises(AlreadyCovered):  # already covered by an active contract
        await world.request(grandma)
    assert [c.id for c in await world.contracts()] == [requested.id]


async def test_a_household_holds_one_contract_a_later_member_cannot_open_a_second(
    world: Centre,
) -> None:
    grandma = await world.resident()
    await world.request(grandma)
    async with world.update(grandma) as (signing, user):
        spouse = await signing.add_family_member(
            user,
            FamilyMemberDraft(relation=Relation.SPOUSE, name="李国强",
                              birth_date=date(1950, 6, 1), sex=Sex.MALE),
        )  # fmt: skip
    async with world.update(grandma) as (signing, user):
        with pytest.raises(AlreadyCovered):
            await signing.request(user, "dr-chen", {spouse.id: []}, 1)
    assert len(await world.contracts()) == 1


async def test_a_household_cannot_sign_for_someone_of_another_household(world: Centre) -> None:
    grandma = await world.resident()
    neighbour = await world.resident(name="刘德华", sex=Sex.MALE)
    neighbour_id = await world.resident_id(neighbour)
    async with world.update(grandma) as (signing, user):
        assert user.resident is not None
        with pytest.raises(NotAllowed):
            await signing.request(user, "dr-wang", {neighbour_id: []}, 1)
        with pytest.raises(NotAllowed):  # not even together with herself
            await signing.request(user, "dr-wang", {user.resident.id: [], neighbour_id: []}, 1)
    assert await world.contracts() == []


@pytest.mark.parametrize("staff_id", ["dr-chen", "nurse-li", None], ids=["gp", "nurse", "admin"])
async def test_staff_cannot_sign(world: Centre, staff_id: str | None) -> None:
    grandma = await world.resident()
    staff = await world.admin() if staff_id is None else await world.staff(staff_id)
    async with world.update(staff) as (signing, user):
        with pytest.raises(NotAllowed):
            await signing.request(user, "dr-wang", {await world.resident_id(grandma): []}, 1)
        with pytest.raises(NotAllowed):
            await signing.members(user)
        with pytest.raises(NotAllowed):
            await signing.current(user)


# ---- the household -----------------------------------------------------------------------------


async def test_a_couple_signs_together_each_with_their_own_packages(world: Centre) -> None:
    doctor = await world.staff("dr-wang")
    grandma = await world.resident(born=date(1948, 3, 5), conditions=["hypertension"])
    async with world.update(grandma) as (signing, user):
        agreed = await signing.agree_member_health(user)  # he agreed to his health facts
        spouse = await signing.add_family_member(
            user,
            FamilyMemberDraft(
                relation=Relation.SPOUSE, name=" 李国强 ", birth_date=date(1950, 6, 1),
                sex=Sex.MALE, conditions=["diabetes", "stroke"], consent_id=agreed,
            ),
        )  # fmt: skip
    assert spouse.name == "李国强"
    async with world.update(grandma) as (signing, user):
        me, him = await signing.members(user)
    assert him.resident.id == spouse.id and him.resident.relation is Relation.SPOUSE
    assert eligible(him.offers) == ["basic", "elderly", "diabetes", "tcm", "home_care"]
    assert refusals(him.offers)["hypertension"] is NotEligible.CONDITION

    async with world.update(grandma) as (signing, user):
        requested = await signing.request(
            user, "dr-wang", {me.resident.id: ["hypertension"], spouse.id: ["diabetes", "elderly"]},
            term_years=2,
        )  # fmt: skip
    contract = await world.contract(requested.id)
    assert packages_of(contract) == {
        me.resident.id: {"basic", "hypertension"},
        spouse.id: {"basic", "diabetes", "elderly"},
    }
    assert await world.places_taken("dr-wang") == 2
    approved = await world.approve(doctor, requested.id)
    assert (approved.starts_on, approved.ends_on) == (TODAY, date(2028, 11, 22))
    async with world.update(doctor) as (signing, user):
        mine = await signing.my_residents(user)
    assert sorted(r.name for r, _ in mine) == sorted(["张秀兰", "李国强"])


async def test_a_family_member_needs_a_name_and_a_birth_date_in_the_past(world: Centre) -> None:
    grandma = await world.resident()
    for draft in (
        FamilyMemberDraft(Relation.SON, "   ", date(1975, 1, 1), Sex.MALE),
        FamilyMemberDraft(Relation.SON, "王小明", TODAY + timedelta(days=1), Sex.MALE),
        FamilyMemberDraft(Relation.SELF, "王小明", date(1975, 1, 1), Sex.MALE),
    ):
        async with world.update(grandma) as (signing, user):
            with pytest.raises(NotOffered):
                await signing.add_family_member(user, draft)
    async with world.update(grandma) as (signing, user):
        assert len(await signing.members(user)) == 1


# ---- the state machine -------------------------------------------------------------------------


async def test_approval_starts_a_one_year_contract_today_and_records_who_and_when(
    world: Centre,
) -> None:
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    requested_at = world.clock.now()
    requested = await world.request(grandma)
    world.clock.advance(timedelta(hours=3))
    approved_at = world.clock.now()
    await world.approve(doctor, requested.id)

    contract = await world.contract(requested.id)
    assert contract.state is ContractState.ACTIVE
    assert (contract.starts_on, contract.ends_on) == (TODAY, ONE_YEAR_LAST_DAY)
    assert [(t.from_state, t.to_state, t.by_user_id, t.at) for t in contract.transitions] == [
        (None, ContractState.REQUESTED, grandma.user_id, requested_at),
        (ContractState.REQUESTED, ContractState.ACTIVE, doctor.user_id, approved_at),
    ]
    with pytest.raises(StateChanged):
        await world.approve(doctor, requested.id)
    assert len((await world.contract(requested.id)).transitions) == 2


async def test_only_the_chosen_family_doctor_decides(world: Centre) -> None:
    await world.staff("dr-wang")
    nurse = await world.staff("nurse-li")
    other_doctor = await world.staff("dr-chen")
    grandma = await world.resident()
    requested = await world.request(grandma)
    for outsider in (nurse, other_doctor):
        async with world.update(outsider) as (signing, user):
            with pytest.raises(NotAllowed):
                await signing.approve(user, requested.id)
            with pytest.raises(NotAllowed):
                await signing.reject(user, requested.id, "full")
    async with world.update(grandma) as (signing, user):  # nor the resident herself
        with pytest.raises(NotAllowed):
            await signing.approve(user, requested.id)
    assert (await world.contract(requested.id)).state is ContractState.REQUESTED


async def test_a_rejection_gives_a_reason_and_frees_the_resident_to_ask_again(
    world: Centre,
) -> None:
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    requested = await world.request(grandma)
    async with world.update(doctor) as (signing, user):
        with pytest.raises(NotOffered):
            await signing.reject(user, requested.id, "I don't like them")
        await signing.reject(user, requested.id, "outside_area")
    contract = await world.contract(requested.id)
    assert (contract.state, contract.reason) == (ContractState.REJECTED, "outside_area")
    last = contract.transitions[-1]
    assert (last.to_state, last.by_user_id, last.note) == (
        ContractState.REJECTED, doctor.user_id, "outside_area",
    )  # fmt: skip
    async with world.update(doctor) as (signing, user):
        with pytest.raises(StateChanged):
            await signing.approve(user, requested.id)
    [told] = await world.messages("signing_decided", to=grandma)
    assert told.payload["values"]["reason"] == REJECT_REASONS.label("outside_area")
    async with world.update(grandma) as (signing, user):
        assert await signing.current(user) is None
    again = await world.request(grandma, staff_id="dr-chen")
    assert again.state is ContractState.REQUESTED


LEGAL = {
    (None, ContractState.REQUESTED),
    (None, ContractState.ACTIVE),  # a renewal is born active
    (ContractState.REQUESTED, ContractState.ACTIVE),
    (ContractState.REQUESTED, ContractState.REJECTED),
    (ContractState.ACTIVE, ContractState.EXPIRED),
    (ContractState.ACTIVE, ContractState.CANCELLED),
    (ContractState.ACTIVE, ContractState.RENEWED),
}
ALL_PAIRS = set(itertools.product([None, *ContractState], ContractState))
AT = datetime(2026, 11, 23, 1, 0, tzinfo=SHANGHAI)


def _contract_in(state: ContractState | None) -> Contract:
    return Contract(state=state, transitions=[])


async def test_withdrawn_is_never_the_doctors_and_written_needs_the_doctors_words(
    world: Centre,
) -> None:
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    requested = await world.request(grandma)
    assert "withdrawn" not in REJECT_REASONS.offered and "written" not in REJECT_REASONS.offered
    async with world.update(doctor) as (signing, user):
        for reason, note in (("withdrawn", None), ("written", None), ("written", "  "),
                             ("written", "/start"), ("written", "太长" * 151)):  # fmt: skip
            with pytest.raises(NotOffered):
                await signing.reject(user, requested.id, reason, note)
        assert (await world.contract(requested.id)).state is ContractState.REQUESTED
        await signing.reject(user, requested.id, "written", " 请先到中心量一次血压。 ")
    contract = await world.contract(requested.id)
    assert (contract.reason, contract.reason_note) == ("written", "请先到中心量一次血压。")
    [told] = await world.messages("signing_decided", to=grandma)
    assert told.payload["values"]["reason"] == "请先到中心量一次血压。"


@pytest.mark.parametrize(
    ("from_state", "to_state"), sorted(ALL_PAIRS - LEGAL, key=lambda p: (str(p[0]), p[1]))
)
def test_illegal_moves_are_refused_and_leave_no_trace(
    from_state: ContractState | None, to_state: ContractState
) -> None:
    contract = _contract_in(from_state)
    with pytest.raises(IllegalTransition) as refused:
        move(contract, to_state, by_user_id=7, at=AT)
    assert (refused.value.from_state, refused.value.to_state) == (from_state, to_state)
    assert contract.state == from_state and contract.transitions == []


@pytest.mark.parametrize(("from_state", "to_state"), sorted(LEGAL, key=lambda p: str(p)))
def test_legal_moves_are_recorded(
    from_state: ContractState | None, to_state: ContractState
) -> None:
    contract = _contract_in(from_state)
    move(contract, to_state, by_user_id=7, at=AT, note="why")
    assert contract.state is to_state
    [t] = contract.transitions
    assert (t.from_state, t.to_state, t.by_user_id, t.at, t.note) == (
        from_state, to_state, 7, AT, "why",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("starts_on", "years", "last_day"),
    [
        (date(2026, 11, 23), 1, date(2027, 11, 22)),
        (date(2026, 12, 1), 1, date(2027, 11, 30)),
        (date(2026, 1, 1), 3, date(2028, 12, 31)),
    ],
)
def test_a_term_ends_the_day_before_its_anniversary(
    starts_on: date, years: int, last_day: date
) -> None:
    assert term_end(starts_on, years) == last_day


def test_the_service_year_is_counted_from_the_contract_start() -> None:
    start = date(2026, 11, 23)
    assert service_year(start, date(2026, 11, 23)) == (start, date(2027, 11, 23))
    assert service_year(start, date(2027, 11, 22)) == (start, date(2027, 11, 23))
    assert service_year(start, date(2028, 1, 5)) == (date(2027, 11, 23), date(2028, 11, 23))
    # A renewal starts after today: its card counts the year just before.
    assert service_year(date(2027, 11, 23), date(2027, 11, 1)) == (start, date(2027, 11, 23))


# ---- what everyone is told (the outbox) ------------------------------------------------------


async def test_a_request_tells_the_team_now_and_escalates_after_72_hours(world: Centre) -> None:
    doctor = await world.staff("dr-wang")
    nurse = await world.staff("nurse-li")
    other_team = await world.staff("dr-chen")
    admin = await world.admin()
    grandma = await world.resident()
    now = world.clock.now()
    requested = await world.request(grandma, ["hypertension"])

    new = await world.messages("signing_request")
    assert {m.recipient_user_id for m in new} == {doctor.user_id, nurse.user_id}
    assert all(m.due_at == now and m.state is MessageState.PENDING for m in new)
    assert new[0].payload["values"] == {"name": "张秀兰", "people": 1}
    [[button]] = new[0].payload["buttons"]
    assert button["text"] == "📝 查看申请"
    assert button_data(button) == Review(contract_id=requested.id).pack()

    later = now + timedelta(hours=72)
    escalations = await world.messages("signing_escalation")
    assert {m.recipient_user_id for m in escalations} == {
        doctor.user_id, nurse.user_id, admin.user_id,
    }  # fmt: skip
    assert all(m.due_at == later and m.priority is Priority.URGENT for m in escalations)
    [waiting] = await world.messages("signing_waiting")
    assert (waiting.recipient_user_id, waiting.due_at) == (grandma.user_id, later)
    assert await world.messages(to=other_team) == []


async def test_approval_stops_the_reminders_and_plans_the_renewal_notices(world: Centre) -> None:
    doctor = await world.staff("dr-wang")
    await world.admin()
    grandma = await world.resident()
    requested = await world.request(grandma)
    world.clock.advance(timedelta(hours=5))
    await world.approve(doctor, requested.id)

    for kind in ("signing_escalation", "signing_waiting"):
        rows = await world.messages(kind)
        assert rows and all(m.state is MessageState.CANCELLED for m in rows), kind
    [decided] = await world.messages("signing_decided", to=grandma)
    assert decided.state is MessageState.PENDING and decided.due_at == world.clock.now()
    assert decided.payload["values"] == {"doctor": "王建国"}
    notices = await world.messages("renewal_notice", to=grandma)
    assert [m.due_at for m in notices] == [
        datetime(2027, 10, 23, 9, 0, tzinfo=SHANGHAI),  # 30 days before the last day
        datetime(2027, 11, 15, 9, 0, tzinfo=SHANGHAI),  # 7 days before
    ]
    assert all(m.state is MessageState.PENDING for m in notices)
    assert notices[0].payload["values"] == {"end": "2027-11-22"}


async def test_a_rejection_also_stops_the_reminders(world: Centre) -> None:
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    requested = await world.request(grandma)
    async with world.update(doctor) as (signing, user):
        await signing.reject(user, requested.id, "incomplete")
    reminders = await world.messages("signing_escalation") + await world.messages("signing_waiting")
    assert reminders and all(m.state is MessageState.CANCELLED for m in reminders)
    assert await world.messages("renewal_notice") == []


# ---- renewal -----------------------------------------------------------------------------------


async def test_renewal_opens_30_days_before_the_end_and_continues_seamlessly(
    world: Centre,
) -> None:
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    old = await world.signed(grandma, doctor, ["hypertension", "tcm"])

    move_to(world, date(2027, 10, 22))  # 31 days before the last day
    async with world.update(grandma) as (signing, user):
        with pytest.raises(NotYetRenewable):
            await signing.renew(user)
    move_to(world, date(2027, 10, 23))
    async with world.update(grandma) as (signing, user):
        new = await signing.renew(user)

    renewed = await world.contract(new.id)
    assert renewed.state is ContractState.ACTIVE
    assert (renewed.staff_id, renewed.term_years, renewed.renewed_from_id) == (
        "dr-wang", 1, old.id,
    )  # fmt: skip
    assert (renewed.starts_on, renewed.ends_on) == (date(2027, 11, 23), date(2028, 11, 22))
    assert packages_of(renewed) == packages_of(await world.contract(old.id))
    assert (await world.contract(old.id)).state is ContractState.RENEWED
    assert [c.id for c in await world.contracts(ContractState.ACTIVE)] == [new.id]
    async with world.update(grandma) as (signing, user):
        current = await signing.current(user)
        with pytest.raises(NotYetRenewable):  # the new term is not renewable yet
            await signing.renew(user)
    assert current is not None and current.id == new.id
    assert await world.places_taken("dr-wang") == 1
    # The old term's last notice is withdrawn; the new term has its own.
    notices = await world.messages("renewal_notice", to=grandma)
    pending = [m.due_at.date() for m in notices if m.state is MessageState.PENDING]
    assert pending == [date(2028, 10, 23), date(2028, 11, 15)]
    # The old term's end does not expire the renewed household.
    move_to(world, date(2027, 11, 23))
    async with world.update(grandma) as (signing, _user):
        assert await signing.expire_ended() == 0


# ---- change of doctor (改签) -------------------------------------------------------------------


async def test_a_change_of_doctor_takes_effect_when_the_new_doctor_agrees(world: Centre) -> None:
    wang = await world.staff("dr-wang")
    chen = await world.staff("dr-chen")
    grandma = await world.resident()
    old = await world.approve(wang, (await world.request(grandma, term_years=2)).id)

    world.clock.advance(timedelta(days=40))
    async with world.update(grandma) as (signing, user):
        with pytest.raises(NotOffered):  # the same doctor again is no change
            await signing.request_change(user, "dr-wang")
        change = await signing.request_change(user, "dr-chen")
    assert (change.state, change.staff_id, change.replaces_id) == (
        ContractState.REQUESTED, "dr-chen", old.id,
    )  # fmt: skip
    assert (await world.contract(old.id)).state is ContractState.ACTIVE  # still covered
    async with world.update(grandma) as (signing, user):
        current = await signing.current(user)
        assert current is not None and current.id == old.id
        pending = await signing.pending_change(current)
        assert pending is not None and pending.id == change.id
        with pytest.raises(StateChanged):  # one change at a time
            await signing.request_change(user, "dr-chen")

    approved = await world.approve(chen, change.id)
    assert approved.state is ContractState.ACTIVE
    assert (approved.starts_on, approved.ends_on, approved.term_years) == (
        TODAY + timedelta(days=40), term_end(TODAY + timedelta(days=40), 2), 2,
    )  # fmt: skip
    replaced = await world.contract(old.id)
    assert (replaced.state, replaced.reason) == (ContractState.CANCELLED, "changed_doctor")
    assert replaced.transitions[-1].by_user_id == chen.user_id
    assert await world.places_taken("dr-wang") == 0
    assert await world.places_taken("dr-chen") == 1
    assert [c.id for c in await world.contracts(ContractState.ACTIVE)] == [change.id]
    assert all(
        m.state is MessageState.CANCELLED
        for m in await world.messages("renewal_notice")
        if m.dedupe_key and m.dedupe_key.startswith(f"contract:{old.id}:")
    )

    world.clock.advance(timedelta(days=100))
    async with world.update(grandma) as (signing, user):
        with pytest.raises(ChangeLimit):  # one change a year
            await signing.request_change(user, "dr-wang")
    world.clock.advance(timedelta(days=266))  # a year after the change was asked for
    async with world.update(grandma) as (signing, user):
        again = await signing.request_change(user, "dr-wang")
    assert again.replaces_id == change.id


async def test_a_refused_change_keeps_the_old_doctor_and_does_not_count(world: Centre) -> None:
    wang = await world.staff("dr-wang")
    chen = await world.staff("dr-chen")
    grandma = await world.resident()
    old = await world.signed(grandma, wang)
    async with world.update(grandma) as (signing, user):
        change = await signing.request_change(user, "dr-chen")
    async with world.update(chen) as (signing, user):
        await signing.reject(user, change.id, "full")
    assert (await world.contract(old.id)).state is ContractState.ACTIVE
    assert await world.places_taken("dr-chen") == 0
    async with world.update(grandma) as (signing, user):
        second = await signing.request_change(user, "dr-chen")
    assert second.state is ContractState.REQUESTED


# ---- cancellation ------------------------------------------------------------------------------


async def test_cancelling_records_the_reason_and_the_household_may_sign_again(
    world: Centre,
) -> None:
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    contract = await world.signed(grandma, doctor)
    async with world.update(grandma) as (signing, user):
        with pytest.raises(NotOffered):
            await signing.cancel(user, "bored")
        await signing.cancel(user, "moved")
    cancelled = await world.contract(contract.id)
    assert (cancelled.state, cancelled.reason) == (ContractState.CANCELLED, "moved")
    last = cancelled.transitions[-1]
    assert (last.by_user_id, last.note) == (grandma.user_id, "moved")
    assert all(m.state is MessageState.CANCELLED for m in await world.messages("renewal_notice"))
    [told] = await world.messages("contract_changed", to=doctor)
    assert told.payload["values"] == {"count": 1}
    async with world.update(grandma) as (signing, user):
        assert await signing.current(user) is None
        with pytest.raises(StateChanged):  # nothing left to cancel
            await signing.cancel(user, "moved")
    again = await world.request(grandma)
    assert again.state is ContractState.REQUESTED


async def test_cancelling_during_a_change_of_doctor_withdraws_the_change(world: Centre) -> None:
    wang = await world.staff("dr-wang")
    await world.staff("dr-chen")
    grandma = await world.resident()
    old = await world.signed(grandma, wang)
    async with world.update(grandma) as (signing, user):
        change = await signing.request_change(user, "dr-chen")
    async with world.update(grandma) as (signing, user):
        await signing.cancel(user, "other_centre")
    assert (await world.contract(old.id)).state is ContractState.CANCELLED
    withdrawn = await world.contract(change.id)
    assert (withdrawn.state, withdrawn.reason) == (ContractState.REJECTED, "withdrawn")
    assert await world.places_taken("dr-wang") == await world.places_taken("dr-chen") == 0


# ---- expiry ------------------------------------------------------------------------------------


async def test_a_contract_expires_after_its_last_day_and_the_household_is_told(
    world: Centre,
) -> None:
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    contract = await world.signed(grandma, doctor)

    move_to(world, ONE_YEAR_LAST_DAY, hour=23)  # the last day is still covered
    async with world.update(grandma) as (signing, _user):
        assert await signing.expire_ended() == 0
    move_to(world, ONE_YEAR_LAST_DAY + timedelta(days=1), hour=0)
    async with world.update(grandma) as (signing, _user):
        assert await signing.expire_ended() == 1
    expired = await world.contract(contract.id)
    assert expired.state is ContractState.EXPIRED
    assert expired.transitions[-1].by_user_id is None  # the system, not a person
    [ended] = await world.messages("contract_ended", to=grandma)
    assert ended.state is MessageState.PENDING and ended.due_at == world.clock.now()
    assert await world.places_taken("dr-wang") == 0
    async with world.update(grandma) as (signing, user):
        assert await signing.expire_ended() == 0  # once only
        assert await signing.current(user) is None
        with pytest.raises(StateChanged):
            await signing.renew(user)
    assert (await world.request(grandma)).state is ContractState.REQUESTED


# ---- who sees what, and the card --------------------------------------------------------------


async def test_a_doctor_sees_only_their_own_residents_contracts(world: Centre) -> None:
    wang = await world.staff("dr-wang")
    chen = await world.staff("dr-chen")
    nurse_b = await world.staff("nurse-zhou")
    grandma = await world.resident()
    contract = await world.signed(grandma, wang)
    for outsider in (chen, nurse_b):
        async with world.update(outsider) as (signing, user):
            with pytest.raises(NotAllowed):
                await signing.contract_for_staff(user, contract.id)
            assert await signing.review_queue(user) == []
            assert await signing.my_residents(user) == []
    async with world.update(wang) as (signing, user):
        with pytest.raises(NotAllowed):
            await signing.contract_for_staff(user, contract.id + 1000)
        seen = await signing.contract_for_staff(user, contract.id)
        assert seen.id == contract.id
        assert [r.name for r, _ in await signing.my_residents(user)] == ["张秀兰"]


async def test_a_household_sees_only_its_own_contract(world: Centre) -> None:
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    neighbour = await world.resident(name="刘德华", sex=Sex.MALE, conditions=[])
    hers = await world.signed(grandma, doctor)
    async with world.update(neighbour) as (signing, user):
        assert await signing.current(user) is None
        [him] = await signing.members(user)
        assert him.resident.name == "刘德华" and not him.covered
        with pytest.raises(StateChanged):  # her contract is not his to cancel or renew
            await signing.cancel(user, "moved")
    his = await world.request(neighbour, [])
    async with world.update(neighbour) as (signing, user):
        current = await signing.current(user)
    assert current is not None and current.id == his.id != hers.id
    async with world.update(grandma) as (signing, user):
        current = await signing.current(user)
    assert current is not None and current.id == hers.id


async def _deliver_first_item(world: Centre, contract: Contract, package_id: str) -> None:
    async with world.db.sessionmaker() as session:
        items = await q.package_item_ids(session, [package_id])
        [member] = contract.members
        session.add(
            ServiceDelivery(
                contract_id=contract.id, resident_id=member.resident_id,
                package_item_id=items[(package_id, 0)], delivered_at=world.clock.now(),
            )
        )  # fmt: skip
        await session.commit()


async def test_the_card_is_the_same_for_the_resident_and_the_doctor(world: Centre) -> None:
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    contract = await world.signed(grandma, doctor, ["hypertension"])
    world.clock.advance(timedelta(days=10))
    await _deliver_first_item(world, await world.contract(contract.id), "hypertension")
    today = TODAY + timedelta(days=10)

    async with world.db.sessionmaker() as session:
        user = await find_user(session, grandma.telegram_id)
        assert user is not None
        current = await SigningService(session, world.clock, world.config).current(user)
        assert current is not None
        residents_card = await build_card(session, world.config, current, today)
    async with world.db.sessionmaker() as session:
        user = await find_user(session, doctor.telegram_id)
        assert user is not None
        seen = await SigningService(session, world.clock, world.config).contract_for_staff(
            user, contract.id
        )
        doctors_card = await build_card(session, world.config, seen, today)

    assert residents_card == doctors_card
    card = residents_card
    assert (card.doctor_name, card.doctor_title) == ("王建国", "主治医师")
    assert card.room == "二楼 205 诊室"
    assert card.team_name == "全科一团队"
    assert [(m.name, m.role) for m in card.team] == [
        ("王建国", "gp"), ("李秀英", "nurse"), ("赵敏", "public_health"),
    ]  # fmt: skip
    assert (card.hours[0].weekday, card.hours[0].start, card.hours[0].end) == (
        0, time(8, 30), time(11, 30),
    )  # fmt: skip
    assert len(card.hours) == 5
    assert (card.state, card.starts_on, card.ends_on) == (
        ContractState.ACTIVE, TODAY, ONE_YEAR_LAST_DAY,
    )  # fmt: skip
    [member] = card.members
    assert (member.name, member.relation) == ("张秀兰", Relation.SELF)
    uses = {use.package.id: use for use in member.packages}
    assert set(uses) == {"basic", "hypertension"}
    assert [(e.item.name, e.included, e.used) for e in uses["hypertension"].entitlements] == [
        ("随访", 4, 1), ("血压测量", 12, 0), ("用药指导", 4, 0),
    ]  # fmt: skip
    assert card.own_share_per_year == 120


async def test_the_doctor_sees_the_card_right_after_approving(world: Centre) -> None:
    """In one update the doctor (whose own staff row the update already loaded, say to
    greet them) approves and is shown the card: it must not depend on what the session
    happens to hold."""
    doctor = await world.staff("dr-wang")
    grandma = await world.resident()
    requested = await world.request(grandma)
    async with world.db.sessionmaker() as session:
        user = await find_user(session, doctor.telegram_id)
        assert user is not None
        me = await session.get(Staff, "dr-wang")
        assert me is not None and me.name == "王建国"
        signing = SigningService(session, world.clock, world.config)
        approved = await signing.approve(user, requested.id)
        card = await build_card(session, world.config, approved, signing.today())
    assert card.doctor_name == "王建国" and len(card.hours) == 5 and len(card.team) == 3
    uses = {use.package.id: use for use in card.members[0].packages}
    first = uses["hypertension"].entitlements[0]
    assert (first.item.name, first.included, first.used) == ("随访", 4, 0)


async def test_a_request_has_a_card_without_dates(world: Centre) -> None:
    grandma = await world.resident()
    requested = await world.request(grandma, ["hypertension", "elderly"])
    async with world.db.sessionmaker() as session:
        contract = await q.contract_by_id(session, requested.id)
        assert contract is not None
        card = await build_card(session, world.config, contract, TODAY)
    assert card.state is ContractState.REQUESTED
    assert card.starts_on is None and card.ends_on is None
    assert card.own_share_per_year == 120 + 150
