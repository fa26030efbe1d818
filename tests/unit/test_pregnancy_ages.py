"""Pregnancy is asked about, and maternal packages offered, only at the ages config.yml gives."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from flows.centre import CentreConfig, PriorityRules
from flows.person import may_be_pregnant
from storage.models import Sex

TODAY = date(2026, 12, 3)


def _born(age: int) -> date:
    return date(TODAY.year - age, 1, 1)


def test_the_configured_ages_decide(centre: CentreConfig) -> None:
    rules = centre.priority
    youngest, oldest = rules.childbearing_ages
    assert may_be_pregnant(Sex.FEMALE, _born(youngest), TODAY, rules)
    assert may_be_pregnant(Sex.FEMALE, _born(oldest), TODAY, rules)
    assert not may_be_pregnant(Sex.FEMALE, _born(oldest + 1), TODAY, rules)
    assert not may_be_pregnant(Sex.FEMALE, _born(youngest - 1), TODAY, rules)
    assert not may_be_pregnant(Sex.MALE, _born(30), TODAY, rules)
    assert not may_be_pregnant(Sex.FEMALE, None, TODAY, rules)


def test_a_centre_may_set_other_ages(centre: CentreConfig) -> None:
    narrower = centre.priority.model_copy(update={"childbearing_ages": (15, 49)})
    assert may_be_pregnant(Sex.FEMALE, _born(52), TODAY, centre.priority)
    assert not may_be_pregnant(Sex.FEMALE, _born(52), TODAY, narrower)


def test_ages_the_wrong_way_round_are_refused() -> None:
    with pytest.raises(ValidationError, match="youngest"):
        PriorityRules(childbearing_ages=(55, 14))
