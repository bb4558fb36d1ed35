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

from flows.evaluation import goes_straight_through, routing_rates
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

    def passing_drop(self, thresholds: dict[str, float]) -> float | None:
        """The least amount by which all thresholds dropping together let this document go straight through
        (0 when it already does); None when not even thresholds of 0 would.

        Its route only changes where a lowered threshold meets one of its confidences, so those drops are the
        only candidates: the answer is exact, not limited to a grid.
        """
        values = thresholds.values()
        drops = sorted({0.0} | {t - c for t in values for c in self._confidences if c <= t})
        for drop in drops:
            # the nudge makes "lowered to exactly c" clear c despite float rounding
            lowered = {name: max(0.0, value - drop - 1e-9) for name, value in thresholds.items()}
            if goes_straight_through(self.route(lowered)):
                return round(drop, 4)
        return None


class Margins:
    """How far a setting sits above the thresholds at which a wrong document of the set goes straight through.

    The margin is the least amount by which all thresholds would have to drop together for some wrong document
    to go through (a wrong document that goes through at some thresholds does at any lower ones). None when no
    thresholds, however low, let one through: the data then sets no lower bound, and cannot vouch for low
    thresholds either.
    """

    def __init__(self, routers: Sequence[DocumentRouter], correct: Sequence[bool]) -> None:
        self._wrong = [router for router, right in zip(routers, correct, strict=True) if not right]

    def of(self, row: SweepRow) -> float | None:
        drops = [d for router in self._wrong if (d := router.passing_drop(row.thresholds)) is not None]
        return min(drops, default=None)

    def most(self, rows: Sequence[SweepRow]) -> SweepRow | None:
        """The row with the widest margin; between equal margins the one with the higher thresholds."""
        return max(rows, key=lambda row: (_or_infinite(self.of(row)), _threshold_sum(row)), default=None)


def _or_infinite(margin: float | None) -> float:
    return float("inf") if margin is None else margin


@dataclass
class Calibration:
    rows: list[SweepRow]
    current: SweepRow
    margins: Margins


def sweep(
    outcomes: Sequence[Outcome], correct: Sequence[bool], settings: Settings, values: Sequence[float] = DEFAULT_VALUES
) -> Calibration:
    """Every combination of `values` (plus the current value) for each threshold, the current setting's row, and
    the margins of any setting."""
    now = current_thresholds(settings)
    axes = [sorted({*values, now[name]}) for name in THRESHOLDS]
    routers = [DocumentRouter(outcome, settings) for outcome in outcomes]
    rows = []
    for combination in product(*axes):
        thresholds = dict(zip(THRESHOLDS, combination, strict=True))
        auto, undetected = routing_rates([r.route(thresholds) for r in routers], correct)
        rows.append(SweepRow(thresholds, len(outcomes), auto, undetected))
    current = next(row for row in rows if row.thresholds == now)
    return Calibration(rows, current, Margins(routers, correct))


def best_safe(rows: Sequence[SweepRow]) -> list[SweepRow]:
    """The settings with no undetected error and the highest auto rate among those."""
    safe = [row for row in rows if row.safe]
    top = max((row.auto_rate for row in safe), default=None)
    return [row for row in safe if row.auto_rate == top]


def _threshold_sum(row: SweepRow) -> tuple[float, tuple[float, ...]]:
    """Higher thresholds first: the same documents go through with the least room for a lower-confidence one."""
    return sum(row.thresholds.values()), tuple(row.thresholds.values())


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


def sweep_json(calibration: Calibration, extractor: str) -> str:
    rows, margins = calibration.rows, calibration.margins
    best = best_safe(rows)
    best_ids = {id(row) for row in best}
    chosen = margins.most(best)
    return json.dumps(
        {
            "documents": calibration.current.documents,
            "extractor": extractor,
            "settings": len(rows),
            "current": {**calibration.current.as_json(), "margin": margins.of(calibration.current)},
            "best_safe": {**chosen.as_json(), "margin": margins.of(chosen)} if chosen else None,
            "rows": [{**row.as_json(), "best_safe": id(row) in best_ids} for row in rows],
        },
        ensure_ascii=False,
    )
