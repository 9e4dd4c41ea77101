"""A generic metered service: any third-party API billed per unit (SMS, payments, AI tokens, maps).

Units a month come from a driver: per API call, per monthly active user, per paying user, or a
fixed number per month, times ``units_per_driver`` (a number or the name of an assumption). The
bill is a monthly fee plus the units above a free allowance (monthly, and daily like Firebase's
SMS quota) at a unit price. Optional limits (units per second at the peak hour, per day, per
month) are provider quotas, so they take part in the bottleneck.

A price is either a catalog key (``price_usd_per_unit: firebase.auth.sms_usd``) or written in the
stack file with its source URL and the date it was read: a price without both is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from capkit.components.base import (
    Component,
    CostItem,
    Metric,
    NonNegativeOrAssumption,
    Params,
    fixed_fee,
    register,
)
from capkit.errors import StackError
from capkit.pricing import PriceEntry
from capkit.units import S_PER_DAY
from capkit.workload import Workload

Driver = Literal["call", "active_user", "paying_user", "month"]


class OwnPrice(BaseModel):
    """A price written in the stack file: value, where it was read, and when."""

    model_config = ConfigDict(extra="forbid")
    value: float = Field(ge=0, allow_inf_nan=False, description="USD")
    source: HttpUrl = Field(description="the provider's pricing page")
    as_of: dt.date = Field(description="when the price was read, YYYY-MM-DD")
    confidence: Literal["high", "medium", "low"] = Field("medium", description="how sure the price is")


class MeteredParams(Params):
    unit: str = Field("unit", min_length=1, description="what is counted: SMS, request, token, map load")
    driver: Driver = Field(
        description="call: per API call; active_user: per monthly active user per month; "
        "paying_user: per paying user per month; month: a fixed number per month"
    )
    units_per_driver: NonNegativeOrAssumption = Field(
        1.0, description="units per driver (0 or more), or the name of an assumption"
    )
    price_usd_per_unit: OwnPrice | str = Field(description="USD per unit: {value, source, as_of} or a catalog key")
    monthly_fee_usd: OwnPrice | str | None = Field(None, description="a flat monthly fee, same forms")
    free_units_per_month: float = Field(0.0, ge=0, description="units a month included free")
    free_units_per_day: float = Field(0.0, ge=0, description="units a day included free (a daily quota)")
    max_units_per_s: float | None = Field(None, gt=0, description="provider limit at the peak hour")
    max_units_per_day: float | None = Field(None, gt=0, description="provider limit per day")
    max_units_per_month: float | None = Field(None, gt=0, description="provider limit per month")


def units_per_month(driver: str, units_per_driver: np.ndarray, wl: Workload) -> np.ndarray:
    """Units a month for a driver: calls a month, monthly active users, paying users, or 1."""
    base = {
        "call": wl.requests_per_month,
        "active_user": wl.monthly_active_users,
        "paying_user": lambda: wl.monthly_active_users() * wl.conversion_rate,
        "month": lambda: np.ones(wl.n),
    }[driver]()
    return base * units_per_driver


def billed_units(monthly: np.ndarray, days: np.ndarray, free_month: float, free_day: float) -> np.ndarray:
    """Units billed: each day's units above the daily quota, summed over the month, less the monthly
    allowance (days are taken as equal, as for Firestore's daily free quota)."""
    over_daily = np.maximum(monthly / days - free_day, 0.0) * days
    return np.maximum(over_daily - free_month, 0.0)


@register
class Metered(Component):
    """Any service billed per unit, with optional quotas: see the module docstring."""

    type = "metered"
    Params = MeteredParams

    @property
    def assumption_refs(self) -> list[str]:
        return [self.params.units_per_driver] if isinstance(self.params.units_per_driver, str) else []

    def setup(self) -> None:
        self.unit_price = self._price(
            self.params.price_usd_per_unit, "price_usd_per_unit", f"USD per {self.params.unit}"
        )
        fee = self.params.monthly_fee_usd
        self.monthly_fee = 0.0 if fee is None else self._price(fee, "monthly_fee_usd", "USD per month")

    def _price(self, spec: OwnPrice | str, field: str, unit: str) -> float:
        if isinstance(spec, str):
            if spec not in self.catalog:
                raise StackError(
                    f"{self.where}: params.{field}: {spec!r} is not a pricing catalog key (capkit pricing lists them)"
                )
            return self.price(spec)
        key = f"{self.id}.{field}"
        self.own_prices[key] = PriceEntry(
            value=spec.value, unit=unit, source=spec.source, as_of=spec.as_of, confidence=spec.confidence
        )
        return spec.value

    def _monthly(self, wl: Workload) -> np.ndarray:
        k = self.params.units_per_driver
        return units_per_month(self.params.driver, wl[k] if isinstance(k, str) else np.asarray(float(k)), wl)

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        p, monthly = self.params, self._monthly(wl)
        daily = monthly / wl.days_per_month
        rows = []
        if p.max_units_per_s is not None:
            # Peak hour: the daily average rate x peak_factor.
            rows.append(
                Metric(
                    metric="units_per_s",
                    demand=daily / S_PER_DAY * wl.peak_factor,
                    limit=p.max_units_per_s,
                    unit=f"{p.unit}/s",
                )
            )
        if p.max_units_per_day is not None:
            rows.append(Metric(metric="units_per_day", demand=daily, limit=p.max_units_per_day, unit=f"{p.unit}/day"))
        if p.max_units_per_month is not None:
            rows.append(
                Metric(metric="units_per_month", demand=monthly, limit=p.max_units_per_month, unit=f"{p.unit}/month")
            )
        if p.free_units_per_day > 0:
            rows.append(
                Metric(
                    metric="free_units_per_day",
                    demand=daily,
                    limit=p.free_units_per_day,
                    unit=f"{p.unit}/day",
                    kind="free_tier",
                )
            )
        if p.free_units_per_month > 0:
            rows.append(
                Metric(
                    metric="free_units_per_month",
                    demand=monthly,
                    limit=p.free_units_per_month,
                    unit=f"{p.unit}/month",
                    kind="free_tier",
                )
            )
        return rows

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        p, monthly = self.params, self._monthly(wl)
        days = wl.days_per_month
        free = p.free_units_per_month + p.free_units_per_day * days
        cost = billed_units(monthly, days, p.free_units_per_month, p.free_units_per_day) * self.unit_price
        items = [
            CostItem(
                key="usage",
                item=p.unit,
                quantity=monthly,
                unit=p.unit,
                free=free,
                unit_price=self.unit_price,
                cost_usd=cost,
            )
        ]
        if self.monthly_fee:
            items.append(fixed_fee("monthly_fee", "monthly fee", 1, "month", self.monthly_fee, wl.n))
        return items
