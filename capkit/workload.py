"""Workload: the assumptions of one plan (or many, as arrays), validated against their specs.

A workload is a set of named numpy arrays of one common length: a single plan has length 1,
a sweep over users or a Monte Carlo run has length n, and the engine treats them alike.
The universal fields (users, calls per user, conversion, prices, peak factor...) are defined
here; each stack declares its own extra assumptions with the same kind of spec.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from capkit.errors import InputError
from capkit.units import HOURS_PER_DAY, S_PER_DAY


class Interval(NamedTuple):
    """A ranged value: low, likely and high, in its assumption's unit (a triangular draw's
    ends and mode). The one type for a range across the library, the CLI and the pages."""

    low: float
    likely: float
    high: float


class AssumptionSpec(BaseModel):
    """What one workload field means: default, unit, allowed range, meaning and origin."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: float = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1)
    min: float = Field(allow_inf_nan=False)
    max: float = Field(allow_inf_nan=False)
    meaning: str = Field(min_length=1)
    source: str = ""
    #: Optional uncertainty range (low, default as the likely value, high), for simulate and
    #: sensitivity; without it capkit uses half and one and a half times the default.
    low: float | None = Field(None, allow_inf_nan=False)
    high: float | None = Field(None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _default_in_range(self) -> AssumptionSpec:
        if not self.min <= self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        if not self.min <= self.default <= self.max:
            raise ValueError(f"default {self.default} is outside [{self.min}, {self.max}]")
        low = self.min if self.low is None else self.low
        high = self.max if self.high is None else self.high
        if not self.min <= low <= self.default <= high <= self.max:
            raise ValueError(f"low {self.low} and high {self.high} must bracket the default within [min, max]")
        return self

    def spread(self, likely: float) -> Interval:
        """(low, likely, high) around ``likely``: the declared range, else x0.5 and x1.5, within [min, max]."""
        low = self.low if self.low is not None else likely * 0.5
        high = self.high if self.high is not None else likely * 1.5
        return Interval(min(max(low, self.min), likely), likely, max(min(high, self.max), likely))


def _spec(default: float, unit: str, lo: float, hi: float, meaning: str, source: str = ""):
    return AssumptionSpec(default=default, unit=unit, min=lo, max=hi, meaning=meaning, source=source)


#: The fields every stack has. A stack may change their defaults, not their ranges or units.
UNIVERSAL: dict[str, AssumptionSpec] = {
    "users": _spec(10_000, "daily active users", 0, 1e10, "People who use the app on a given day."),
    "calls_per_user": _spec(10, "calls/user/day", 0, 1e6, "API calls per user per day."),
    "conversion_rate": _spec(0.05, "fraction", 0, 1, "Share of monthly active users who pay."),
    "price_usd": _spec(4.99, "USD/month", 0, 1e5, "Monthly price per paying user."),
    "payment_fee_rate": _spec(
        0.029,
        "fraction",
        0,
        1,
        "Store or card fee as a share of each payment.",
        "card rate, see data/pricing/payments.yaml (payments.card.fee_rate)",
    ),
    "payment_fee_usd": _spec(
        0.30,
        "USD/payment",
        0,
        1e3,
        "Fixed fee per payment.",
        "card rate, see data/pricing/payments.yaml (payments.card.fee_usd)",
    ),
    "peak_factor": _spec(
        3.0,
        "x daily average",
        1,
        100,
        "Peak-hour request rate over the daily average rate.",
        "capkit default: a peak hour carrying 12.5% of the day's traffic is 3x the average",
    ),
    "dau_mau": _spec(0.5, "fraction", 0.01, 1, "Daily active users over monthly active users."),
    "days_per_month": _spec(30.4, "days", 28, 31, "Days in a billing month (365/12 = 30.4)."),
}


class Workload:
    """Validated workload values as float arrays of one common length.

    Read fields as attributes (``wl.users``) or items (``wl["duration_ms"]``).
    Derived traffic figures are methods so that components share one definition.
    """

    __slots__ = ("_values", "specs", "n")

    def __init__(self, values: Mapping[str, np.ndarray], specs: Mapping[str, AssumptionSpec], n: int | None = None):
        self._values = dict(values)
        self.specs = dict(specs)
        self.n = n if n is not None else max((v.size for v in self._values.values()), default=1)

    @classmethod
    def build(
        cls,
        specs: Mapping[str, AssumptionSpec],
        overrides: Mapping[str, object] | None = None,
        context: str = "workload",
    ) -> Workload:
        """Defaults from ``specs``, replaced by ``overrides``; every value checked."""
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(specs))
        if unknown:
            raise InputError(f"unknown assumption {unknown[0]!r} for {context}; allowed: {', '.join(specs)}")
        raw = {k: overrides.get(k, s.default) for k, s in specs.items()}
        arrays = {k: _as_array(k, v) for k, v in raw.items()}
        n = max(a.size for a in arrays.values())
        for key, arr in arrays.items():
            if arr.size not in (1, n):
                raise InputError(f"{key}: has {arr.size} values but others have {n}")
            check_range(key, arr, specs[key])
        values = {k: np.broadcast_to(a, (n,)).astype(float) for k, a in arrays.items()}
        return cls(values, specs)

    def replace(self, **changes: object) -> Workload:
        """A new workload with some fields changed (validated like the originals)."""
        merged: dict[str, object] = dict(self._values)
        merged.update(changes)
        return Workload.build(self.specs, merged)

    def with_users(self, users: np.ndarray) -> Workload:
        """The same workload at other user levels, skipping validation (engine internal).

        Fields that do not vary stay length-1 arrays: numpy broadcasting then computes only
        what depends on users at full length, which keeps a million-level sweep fast.
        """
        users = np.asarray(users, dtype=float)
        n = users.size
        values = {k: (v if v.size == n else v[:1]) for k, v in self._values.items()}
        values["users"] = users
        return Workload(values, self.specs, n)

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._values[name]
        except KeyError:
            raise InputError(f"assumption {name!r} is not declared; declared: {', '.join(self._values)}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def scalars(self) -> dict[str, float]:
        """The first value of every field, for reports of a single plan."""
        return {k: float(v[0]) for k, v in self._values.items()}

    def recording(self) -> ReadRecorder:
        """The same values, noting every field read (to check what a component reads)."""
        return ReadRecorder(self._values, self.specs, self.n)

    # Derived traffic. Every component reads these instead of recomputing them.
    def requests_per_day(self) -> np.ndarray:
        """API calls per day: users x calls per user."""
        return self.users * self.calls_per_user

    def requests_per_month(self) -> np.ndarray:
        """API calls per billing month: daily calls x days per month."""
        return self.requests_per_day() * self.days_per_month

    def average_rps(self) -> np.ndarray:
        """Average requests per second over the day."""
        return self.requests_per_day() / S_PER_DAY

    def peak_rps(self) -> np.ndarray:
        """Peak-hour requests per second: the daily average times the peak factor."""
        return self.average_rps() * self.peak_factor

    def monthly_active_users(self) -> np.ndarray:
        """Monthly active users: daily actives over the DAU/MAU ratio."""
        return self.users / self.dau_mau

    def hours_per_month(self) -> np.ndarray:
        """Hours in the billing month."""
        return self.days_per_month * HOURS_PER_DAY


def _as_array(key: str, value: object) -> np.ndarray:
    try:
        arr = np.atleast_1d(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        raise InputError(f"{key}: {value!r} is not a number") from None
    if arr.ndim != 1 or arr.size == 0:
        raise InputError(f"{key}: expected a number or a 1-D array, got shape {arr.shape}")
    return arr


def _fmt(x: float) -> str:
    return f"{x:,.10g}" if math.isfinite(x) else str(x)


def check_range(key: str, arr: np.ndarray, spec: AssumptionSpec) -> None:
    """Raise InputError naming the field, the value and the allowed range."""
    bad = ~np.isfinite(arr) | (arr < spec.min) | (arr > spec.max)
    if bad.any():
        value = float(arr[np.argmax(bad)])
        # The unit, then the meaning unless it only repeats the unit.
        said = spec.unit if spec.meaning.rstrip(".").lower() == spec.unit.lower() else f"{spec.unit}; {spec.meaning}"
        raise InputError(
            f"{key} = {_fmt(value)} is not allowed: must be a number from {_fmt(spec.min)} to {_fmt(spec.max)} ({said})"
        )


def parse_value(key: str, text: str) -> tuple[float, Interval | None]:
    """One value as typed: a number, or a range ``low:likely:high`` (then the likely value and
    the range). Shared by the CLI's --set, the planner's boxes and its links."""
    parts = text.strip().replace("_", "").split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise InputError(f"{key}={text!r}: the value must be a number or low:likely:high") from None
    if len(numbers) == 1:
        return numbers[0], None
    if len(numbers) == 3 and numbers[0] <= numbers[1] <= numbers[2]:
        return numbers[1], Interval(numbers[0], numbers[1], numbers[2])
    raise InputError(f"{key}={text!r}: a range is low:likely:high with low <= likely <= high")


def parse_settings(items: Iterable[str]) -> tuple[dict[str, float], dict[str, Interval]]:
    """Parse CLI ``key=value`` and ``key=low:likely:high`` strings.

    Returns the values (a range contributes its likely value) and the ranges.
    """
    values: dict[str, float] = {}
    ranges: dict[str, Interval] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(
                "expected key=value or key=low:likely:high, e.g. users=100000", what="setting", name=repr(item)
            )
        try:
            values[key], spread = parse_value(key, text)
        except InputError as exc:
            raise InputError(str(exc), what="setting") from None
        if spread is not None:
            ranges[key] = spread
    return values, ranges


def parse_assignments(items: Iterable[str]) -> dict[str, float]:
    """Parse CLI ``key=value`` strings (a ``low:likely:high`` range gives its likely value)."""
    return parse_settings(items)[0]


class ReadRecorder(Workload):
    """A workload that notes in ``reads`` the name of every field read, directly or through a
    derived figure (``peak_rps`` reads users, calls_per_user and peak_factor)."""

    __slots__ = ("reads",)

    def __init__(self, values: Mapping[str, np.ndarray], specs: Mapping[str, AssumptionSpec], n: int | None = None):
        super().__init__(values, specs, n)
        self.reads: set[str] = set()

    def __getattr__(self, name: str) -> np.ndarray:
        value = Workload.__getattr__(self, name)
        self.reads.add(name)
        return value

    def __getitem__(self, name: str) -> np.ndarray:
        value = Workload.__getitem__(self, name)
        self.reads.add(name)
        return value
