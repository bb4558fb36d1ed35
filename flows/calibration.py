"""Threshold calibration on a labelled set: extract once, then re-decide over a grid of thresholds.

Extraction and pricing do not depend on the thresholds; only `pricing.decision.decide` does. So each document
is extracted once (`flows.evaluation.predict`) and the sweep re-runs `decide` with `Settings` varied, scoring
each setting with the same matching of predictions to labels as `intake eval` (`flows.evaluation`).
How the defaults were chosen with it: docs/thresholds.md.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np

from flows.evaluation import routing_rates
from flows.stages import Outcome
from pricing.decision import decide
from schemas.review import Route
from schemas.settings import Settings

THRESHOLDS = ("kind", "customer", "sku", "quantity", "invoice")
DEFAULT_VALUES = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


@dataclass(frozen=True)
class SweepRow:
    thresholds: dict[str, float]  # in THRESHOLDS order
    documents: int
    auto_rate: float
    undetected_error_rate: float

    @property
    def safe(self) -> bool:
        return self.undetected_error_rate == 0

    def as_json(self) -> dict[str, object]:
        return {
            "thresholds": self.thresholds,
            "auto_rate": self.auto_rate,
            "undetected_error_rate": self.undetected_error_rate,
        }


def current_thresholds(settings: Settings) -> dict[str, float]:
    return {name: getattr(settings, f"threshold_{name}") for name in THRESHOLDS}


class DocumentRouter:
    """One document's route under any thresholds, calling `decide` once per distinct outcome of its comparisons.

    `decide` only compares field confidences with thresholds (`confidence < threshold`); which of those
    comparisons hold is fixed by where each threshold falls among the document's own confidences, so that
    position is a sound cache key. It makes a grid of tens of thousands of settings take seconds.
    """

    def __init__(self, outcome: Outcome, settings: Settings) -> None:
        self._outcome, self._settings = outcome, settings
        ex = outcome.extraction
        self._confidences = sorted(set(ex.field_confidences().values())) if ex else []
        self._routes: dict[tuple[int, ...], Route] = {}

    def route(self, thresholds: dict[str, float]) -> Route:
        ex = self._outcome.extraction
        if ex is None:  # unreadable: failed before any decision
            return self._outcome.decision.route
        key = tuple(bisect.bisect_left(self._confidences, value) for value in thresholds.values())
        if key not in self._routes:
            update = {f"threshold_{name}": value for name, value in thresholds.items()}
            self._routes[key] = decide(ex, self._outcome.quote, self._settings.model_copy(update=update)).route
        return self._routes[key]


def sweep(
    outcomes: Sequence[Outcome], correct: Sequence[bool], settings: Settings, values: Sequence[float] = DEFAULT_VALUES
) -> tuple[list[SweepRow], SweepRow]:
    """Every combination of `values` (plus the current value) for each threshold, and the current setting's row."""
    now = current_thresholds(settings)
    axes = [sorted({*values, now[name]}) for name in THRESHOLDS]
    routers = [DocumentRouter(outcome, settings) for outcome in outcomes]
    rows = []
    for combination in product(*axes):
        thresholds = dict(zip(THRESHOLDS, combination, strict=True))
        auto, undetected = routing_rates([r.route(thresholds) for r in routers], correct)
        rows.append(SweepRow(thresholds, len(outcomes), auto, undetected))
    current = next(row for row in rows if row.thresholds == now)
    return rows, current


def best_safe(rows: Sequence[SweepRow]) -> list[SweepRow]:
    """The settings with no undetected error and the highest auto rate among those."""
    safe = [row for row in rows if row.safe]
    top = max((row.auto_rate for row in safe), default=None)
    return [row for row in safe if row.auto_rate == top]


def _threshold_sum(row: SweepRow) -> tuple[float, tuple[float, ...]]:
    """Higher thresholds first: the same documents go through with the least room for a lower-confidence one."""
    return sum(row.thresholds.values()), tuple(row.thresholds.values())


class Margins:
    """How far settings sit above the settings on the grid that let a wrong document through.

    A wrong document that goes through at some thresholds goes through at any lower ones too, so the margin of a
    setting is the least amount by which every threshold would have to drop together (the largest single drop,
    L-infinity) to reach such a setting. None when no setting on the grid lets one through: the data then sets
    no lower bound and cannot vouch for low thresholds either.
    """

    def __init__(self, rows: Sequence[SweepRow]) -> None:
        unsafe = [list(row.thresholds.values()) for row in rows if not row.safe]
        self._unsafe = np.array(unsafe, dtype=float).reshape(-1, len(THRESHOLDS))

    def of(self, row: SweepRow) -> float | None:
        if not len(self._unsafe):
            return None
        drops = np.clip(np.array(list(row.thresholds.values())) - self._unsafe, 0.0, None)
        return round(float(drops.max(axis=1).min()), 4)

    def most(self, rows: Sequence[SweepRow]) -> SweepRow | None:
        """The row with the widest margin; between equal margins the one with the higher thresholds."""
        return max(rows, key=lambda row: (self.of(row) or 0.0, _threshold_sum(row)), default=None)


def frontier(rows: Sequence[SweepRow]) -> list[SweepRow]:
    """Per auto rate reached: the setting with the fewest undetected errors, then the highest thresholds."""
    by_rate: dict[float, list[SweepRow]] = {}
    for row in rows:
        by_rate.setdefault(row.auto_rate, []).append(row)
    chosen = []
    for rate in sorted(by_rate):
        fewest = min(row.undetected_error_rate for row in by_rate[rate])
        chosen.append(max((r for r in by_rate[rate] if r.undetected_error_rate == fewest), key=_threshold_sum))
    return chosen


def one_at_a_time(rows: Sequence[SweepRow], current: SweepRow) -> Iterator[tuple[str, float, SweepRow]]:
    """Each threshold over its values with the others as they are now."""
    by_setting = {tuple(row.thresholds.values()): row for row in rows}
    for name in THRESHOLDS:
        values = sorted({row.thresholds[name] for row in rows})
        for value in values:
            setting = {**current.thresholds, name: value}
            yield name, value, by_setting[tuple(setting.values())]


def sweep_json(rows: Sequence[SweepRow], current: SweepRow, extractor: str) -> str:
    best = best_safe(rows)
    best_ids = {id(row) for row in best}
    margins = Margins(rows)
    chosen = margins.most(best)
    return json.dumps(
        {
            "documents": current.documents,
            "extractor": extractor,
            "settings": len(rows),
            "current": {**current.as_json(), "margin": margins.of(current)},
            "best_safe": {**chosen.as_json(), "margin": margins.of(chosen)} if chosen else None,
            "rows": [{**row.as_json(), "best_safe": id(row) in best_ids} for row in rows],
        },
        ensure_ascii=False,
    )
