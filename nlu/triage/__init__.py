"""Red-flag triage by clinical category: `assess(text, thresholds)` says whether a message
describes an emergency happening now and which published criteria it meets (categories.yml)."""

from nlu.triage.engine import TriageResult, assess, category_ids
from nlu.triage.table import load_table
from nlu.triage.thresholds import TriageThresholds

__all__ = ["TriageResult", "TriageThresholds", "assess", "category_ids", "load_table", "warm_up"]


def warm_up(thresholds: TriageThresholds) -> None:
    """Loads the table, the model and the character tables before the first message, so the
    first person to write does not wait for them (about a third of a second)."""
    assess("胸口疼 救命", thresholds)
