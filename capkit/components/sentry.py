"""Sentry error tracking: errors a month against the plan, graduated overage on paid plans."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import Field

from capkit.components.base import Component, CostItem, Metric, Params, fixed_fee, register, tiered
from capkit.workload import Workload


def errors_per_month(wl: Workload) -> np.ndarray:
    """Errors reported a month: API calls x share of calls that raise an error."""
    return wl.requests_per_month() * wl.error_rate


class SentryParams(Params):
    plan: str = Field("developer", description="developer, team or business")


@register
class Sentry(Component):
    """A Sentry plan; the Developer plan drops events over its quota instead of billing them."""

    type = "sentry"
    Params = SentryParams
    requires = {"error_rate": "errors reported per API call"}

    def options(self) -> list[dict[str, Any]]:
        return [{"plan": p} for p in self.catalog.plans("sentry")]

    def plan_tables(self) -> dict[str, str]:
        return {"plan": "sentry"}

    def setup(self) -> None:
        plan = self.params.plan
        self.plan_price = self.plan_value("sentry", plan, "price_usd_per_month")
        self.included = self.plan_value("sentry", plan, "errors_included")
        self.capped = plan == "developer"
        if not self.capped:
            self.bounds = [self.price("sentry.overage.tier1_end"), self.price("sentry.overage.tier2_end")]
            self.prices = [self.price(f"sentry.overage.tier{i}_usd") for i in (1, 2, 3)]

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        kind = "quota" if self.capped else "free_tier"
        return [
            Metric(
                metric="errors_per_month",
                demand=errors_per_month(wl),
                limit=self.included,
                unit="errors/month",
                kind=kind,
            )
        ]

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        items = [fixed_fee("plan", f"{self.params.plan} plan", 1, "plan", self.plan_price, wl.n)]
        if not self.capped:
            errors = errors_per_month(wl)
            # Graduated overage from the included volume: tiers start at 50K, 100K, 500K errors.
            over = tiered(errors, self.bounds, self.prices) - tiered(
                np.minimum(errors, self.included), self.bounds, self.prices
            )
            items.append(
                CostItem(
                    key="errors_over_plan",
                    item="errors over the plan",
                    quantity=errors,
                    unit="errors",
                    free=self.included,
                    unit_price=self.prices[0],
                    cost_usd=over,
                )
            )
        return items
