"""Red-flag triage by clinical category: `assess(text)` says whether a message describes an
emergency happening now and which published criteria it meets (categories.yml)."""

from nlu.triage.engine import TriageResult, TriageThresholds, assess, category_ids
from nlu.triage.table import load_table

__all__ = ["TriageResult", "TriageThresholds", "assess", "category_ids", "load_table"]
