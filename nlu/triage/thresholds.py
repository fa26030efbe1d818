"""The limits triage reads readings and ages against. The figures live in one place, config.yml
`triage:` (with their sources); `bot.settings` builds this from it through flows.centre, and
checks each against the sane bounds below, so a typo (1800 for 180) stops the start instead
of silencing alarms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from annotated_types import Interval


@dataclass(frozen=True, slots=True)
class TriageThresholds:
    """Alarm limits: blood pressure (mmHg), glucose (mmol/L), and the age in days under which
    any fever in an infant is a red flag."""

    systolic_high: Annotated[int, Interval(ge=120, le=300)]
    diastolic_high: Annotated[int, Interval(ge=70, le=200)]
    glucose_low: Annotated[float, Interval(gt=0, le=10)]
    glucose_high: Annotated[float, Interval(gt=5, le=50)]
    pregnancy_systolic_high: Annotated[int, Interval(ge=120, le=300)]
    pregnancy_diastolic_high: Annotated[int, Interval(ge=70, le=200)]
    young_infant_days: Annotated[int, Interval(ge=28, le=365)]
