"""The limits triage reads readings and ages against (config.yml `triage:`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TriageThresholds:
    """Alarm limits; the defaults follow the national hypertension and diabetes guidelines,
    the obstetric warning signs and NICE's fever in under-5s (config.yml `triage:`)."""

    systolic_high: int = 180
    diastolic_high: int = 110
    glucose_low: float = 3.9
    glucose_high: float = 16.7
    pregnancy_systolic_high: int = 160
    pregnancy_diastolic_high: int = 110
    young_infant_days: int = 90


DEFAULT_THRESHOLDS = TriageThresholds()
