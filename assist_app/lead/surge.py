"""Intent surge detection for the team-lead statistics (问答统计). Pure: timestamps are passed in.

An intent *surges* when its count in the recent window (default 30 min) is well above what its own
recent baseline predicts. One noisy message must never be a surge, and a morning rush that lifts every
intent alike is not a surge of any one of them, so all of these must hold:

1. at least ``min_count`` messages of that intent in the window (absolute floor);
2. enough history: the baseline span before the window is at least ``min_baseline_s`` long;
3. rate ratio: recent count ≥ ``min_ratio`` × expected, where expected = smoothed baseline rate × window
   (``prior_count`` pseudo-messages keep a never-seen intent from giving an infinite ratio);
4. share ratio: the intent's share of all messages in the window ≥ ``min_share_ratio`` × its smoothed
   baseline share (robust to overall traffic going up);
5. significance: P(X ≥ recent | Poisson(expected)) ≤ ``max_p``, so small counts need a big jump.

The reported increase is ``recent / expected - 1`` (e.g. +300 % = four times the baseline rate).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class SurgeConfig:
    window_s: float = 30 * 60
    baseline_s: float = 3 * 3600  # how far back before the window the baseline reaches
    min_baseline_s: float = 30 * 60
    min_count: int = 5
    min_ratio: float = 2.0  # +100 % at least
    min_share_ratio: float = 1.5
    max_p: float = 0.01
    prior_count: float = 1.0

    def scaled(self, speed: float) -> SurgeConfig:
        """The same rule on a clock running `speed` times faster (the sped-up demo stamps wall-clock times)."""
        from dataclasses import replace

        return replace(self, window_s=self.window_s / speed, baseline_s=self.baseline_s / speed,
                       min_baseline_s=self.min_baseline_s / speed)

    def __post_init__(self) -> None:
        if self.window_s <= 0 or self.baseline_s <= 0 or self.min_count < 1 or self.prior_count <= 0:
            raise ValueError(f"invalid SurgeConfig: {self}")


@dataclass(frozen=True)
class Surge:
    intent: str
    recent_count: int
    expected: float  # messages the baseline predicts for one window
    increase_pct: int  # (recent / expected - 1) * 100, rounded
    p_value: float
    window_s: float


def poisson_sf(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam), summed in log space so large lam does not underflow."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    log_lam = math.log(lam)
    # P(X >= k) = 1 - sum_{i<k} pmf(i); for k far above lam sum the upper tail directly (more accurate)
    if k > lam:
        total = 0.0
        i = k
        while True:
            term = math.exp(i * log_lam - lam - math.lgamma(i + 1))
            total += term
            if term < total * 1e-15 or i > k + 10_000:
                break
            i += 1
        return min(1.0, total)
    lower = sum(math.exp(i * log_lam - lam - math.lgamma(i + 1)) for i in range(k))
    return max(0.0, 1.0 - lower)


class IntentRates:
    """Per-intent sorted timestamps of customer messages, trimmed to the span surge detection needs."""

    def __init__(self, config: SurgeConfig | None = None, start: float | None = None) -> None:
        self.config = config or SurgeConfig()
        self._times: dict[str, list[float]] = {}
        self._start = start  # first moment we were watching (limits the baseline span)

    def add(self, intent: str, ts: float) -> None:
        if self._start is None or ts < self._start:
            self._start = ts
        times = self._times.setdefault(intent, [])
        if times and ts < times[-1]:
            bisect.insort(times, ts)  # a late event; rare
        else:
            times.append(ts)

    def _trim(self, now: float) -> None:
        horizon = now - self.config.window_s - self.config.baseline_s
        for times in self._times.values():
            cut = bisect.bisect_left(times, horizon)
            if cut:
                del times[:cut]

    def counts(self, now: float) -> tuple[dict[str, int], dict[str, int], float]:
        """(recent counts, baseline counts, baseline span in seconds) at ``now``."""
        self._trim(now)
        cfg = self.config
        w_start = now - cfg.window_s
        b_start = max(now - cfg.window_s - cfg.baseline_s, self._start if self._start is not None else now)
        span = max(0.0, w_start - b_start)
        recent: dict[str, int] = {}
        base: dict[str, int] = {}
        for intent, times in self._times.items():
            i_b = bisect.bisect_left(times, b_start)
            i_w = bisect.bisect_left(times, w_start)
            i_now = bisect.bisect_right(times, now)
            if i_now > i_w:
                recent[intent] = i_now - i_w
            if i_w > i_b:
                base[intent] = i_w - i_b
        return recent, base, span

    def surges(self, now: float) -> list[Surge]:
        """Intents surging at ``now``, strongest increase first."""
        cfg = self.config
        recent, base, span = self.counts(now)
        if span < cfg.min_baseline_s:
            return []
        recent_total = sum(recent.values())
        base_total = sum(base.values())
        n_intents = max(1, len(set(recent) | set(base)))
        out: list[Surge] = []
        for intent, r in recent.items():
            if r < cfg.min_count:
                continue
            b = base.get(intent, 0)
            expected = (b + cfg.prior_count) / span * cfg.window_s
            if r < cfg.min_ratio * expected:
                continue
            share_recent = r / recent_total
            share_base = (b + cfg.prior_count) / (base_total + cfg.prior_count * n_intents)
            if share_recent < cfg.min_share_ratio * share_base:
                continue
            p = poisson_sf(r, expected)
            if p > cfg.max_p:
                continue
            out.append(Surge(intent, r, expected, round((r / expected - 1) * 100), p, cfg.window_s))
        out.sort(key=lambda s: (-s.increase_pct, s.intent))
        return out
