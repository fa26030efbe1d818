"""The contract's states and the only moves between them, each recorded with who and when:

requested → active | rejected
active    → expired | cancelled | renewed
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from storage.models import Contract, ContractState, ContractTransition

ALLOWED: dict[ContractState | None, frozenset[ContractState]] = {
    None: frozenset({ContractState.REQUESTED, ContractState.ACTIVE}),  # created (renewal: active)
    ContractState.REQUESTED: frozenset({ContractState.ACTIVE, ContractState.REJECTED}),
    ContractState.ACTIVE: frozenset(
        {ContractState.EXPIRED, ContractState.CANCELLED, ContractState.RENEWED}
    ),
}


class IllegalTransition(Exception):
    def __init__(self, from_state: ContractState | None, to_state: ContractState) -> None:
        super().__init__(f"{from_state} → {to_state} is not a contract transition")
        self.from_state, self.to_state = from_state, to_state


def move(
    contract: Contract,
    to_state: ContractState,
    *,
    by_user_id: int | None,
    at: datetime,
    note: str | None = None,
) -> None:
    """Moves `contract` to `to_state` and records the move; raises IllegalTransition."""
    from_state = contract.state  # None while the contract is being created
    if to_state not in ALLOWED.get(from_state, frozenset()):
        raise IllegalTransition(from_state, to_state)
    contract.state = to_state
    contract.transitions.append(
        ContractTransition(
            from_state=from_state, to_state=to_state, by_user_id=by_user_id, at=at, note=note
        )
    )


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def term_end(starts_on: date, term_years: int) -> date:
    """A one-year term starting 1 December 2026 ends on 30 November 2027; one starting on
    29 February ends on 28 February."""
    if (starts_on.month, starts_on.day) == (2, 29):
        return date(starts_on.year + term_years, 2, 28)
    return add_years(starts_on, term_years) - timedelta(days=1)


def service_year(starts_on: date, today: date) -> tuple[date, date]:
    """The contract year holding `today` ([start, end)), counted from the contract's start
    day; before the start (a renewal signed early) it is the year just before."""
    years = today.year - starts_on.year
    start = add_years(starts_on, years)
    if start > today:
        start = add_years(starts_on, years - 1)
    return start, add_years(start, 1)
