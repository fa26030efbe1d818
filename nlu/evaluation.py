"""Cross-validated intent quality of the Rasa model (`rasa test nlu --cross-validation`).

The run takes 1-3.5 minutes on 2 cores (three trainings and three test passes), so its report
is cached under the model's own input hash (training data, pipeline, Rasa venv): it is
measured once per change of data or config, and CI holds the bar against that measurement.
Rasa shuffles the folds with numpy's global random state and offers no seed, so unseeded runs
on the same data differ by about ±0.02 weighted and ±0.05 for one intent. The run here seeds
that state first: the same data and pipeline always give the same figures, and a change to
either is judged on its own merit, not on the luck of the split."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from nlu.server import CACHE, RasaBuild, build, rasa_environment

ROOT = Path(__file__).resolve().parents[1]
# The bars the model must clear; tests/nlu/test_intent_quality.py holds CI to them.
WEIGHTED_F1_MIN = 0.92
INTENT_F1_MIN = 0.85
FOLD_SEED = 0
# `rasa test` with numpy's global random state seeded, so the folds are the same every run.
SEEDED_RASA = (
    "import sys, numpy; numpy.random.seed(int(sys.argv.pop(1))); "
    "from rasa.__main__ import main; main()"
)
SUMMARY_ROWS = {"accuracy", "macro avg", "weighted avg", "micro avg"}

Report = dict[str, dict[str, float]]


def cross_validate(
    folds: int = 3, built: RasaBuild | None = None
) -> tuple[Report, list[dict[str, object]]]:
    """Rasa's intent report and its misclassified examples, from the cache when it has them.
    `built` is the build to measure; without it, nlu/build.sh is asked for the current one."""
    built = built or build()
    model_key = built.model.name.removesuffix(".tar.gz")
    cached = CACHE / "evaluations" / f"{model_key}-folds{folds}-seed{FOLD_SEED}.json"
    cached.parent.mkdir(parents=True, exist_ok=True)
    # One evaluation at a time per model: a second caller waits, then reads the first's.
    with (cached.parent / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cached.is_file():
            _evaluate(built, folds, cached)
    saved = json.loads(cached.read_text(encoding="utf-8"))
    return saved["report"], saved["errors"]


def _evaluate(built: RasaBuild, folds: int, cached: Path) -> None:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [str(built.python), "-c", SEEDED_RASA, str(FOLD_SEED), "test", "nlu",
             "--nlu", "nlu/rasa/data",
             "--config", "nlu/rasa/config.yml", "--cross-validation", "--folds", str(folds),
             "--out", out],
            cwd=ROOT, env=rasa_environment(), check=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        report = json.loads((Path(out) / "intent_report.json").read_text(encoding="utf-8"))
        errors_file = Path(out) / "intent_errors.json"  # absent when nothing was wrong
        errors = []
        if errors_file.is_file():
            errors = json.loads(errors_file.read_text(encoding="utf-8"))
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps({"report": report, "errors": errors}, ensure_ascii=False))
    partial.replace(cached)


def intent_scores(report: Report) -> dict[str, float]:
    """Per-intent F1 from Rasa's intent_report.json (its summary rows left out)."""
    return {
        name: row["f1-score"]
        for name, row in report.items()
        if name not in SUMMARY_ROWS and isinstance(row, dict) and "f1-score" in row
    }


def weakest_confusions(errors: list[dict[str, object]], top: int = 15) -> list[tuple[str, int]]:
    """The most frequent `true -> predicted` mix-ups, to show where the data needs work."""
    pairs = Counter(
        f"{error['intent']} -> {error['intent_prediction']['name']}"  # type: ignore[index]
        for error in errors
    )
    return pairs.most_common(top)
