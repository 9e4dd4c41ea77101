"""Transactional email: Gmail SMTP, SendGrid and Amazon SES plans.

A plan has a daily sending cap, a monthly volume with an overage price, or both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import Field

from capkit.components.base import Component, CostItem, Metric, Params, cost_item, fixed_fee, register
from capkit.workload import Workload


def emails_per_month(wl: Workload) -> np.ndarray:
    """Emails a month: monthly active users x emails per user per month."""
    return wl.monthly_active_users() * wl.emails_per_user_month


class EmailParams(Params):
    plan: str = Field(description="a catalog email plan: gmail_consumer, sendgrid_pro_100k, ses_essentials...")


@register
class Email(Component):
    """An email plan from data/pricing/email.yaml."""

    type = "email"
    Params = EmailParams
    requires = {"emails_per_user_month": "emails per monthly active user per month"}

    def options(self) -> list[dict[str, Any]]:
        return [{"plan": p} for p in self.catalog.plans("email")]

    def plan_tables(self) -> dict[str, str]:
        return {"plan": "email"}

    def setup(self) -> None:
        plan = self.params.plan
        self.plan_price = self.plan_value("email", plan, "price_usd_per_month")
        self.daily_cap = self.plan_value_or("email", plan, "emails_per_day", np.inf)
        self.included = self.plan_value_or("email", plan, "included_per_month", np.inf)
        self.overage = self.plan_value_or("email", plan, "overage_usd", 0.0)

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        monthly = emails_per_month(wl)
        rows = []
        if np.isfinite(self.daily_cap):
            rows.append(
                Metric(
                    metric="emails_per_day", demand=monthly / wl.days_per_month, limit=self.daily_cap, unit="emails/day"
                )
            )
        if np.isfinite(self.included) and self.included > 0:
            rows.append(
                Metric(
                    metric="emails_per_month",
                    demand=monthly,
                    limit=self.included,
                    unit="emails/month",
                    kind="free_tier",
                )
            )
        return rows

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        items = [fixed_fee("plan", f"{self.params.plan} plan", 1, "plan", self.plan_price, wl.n)]
        if self.overage:
            items.append(
                cost_item(
                    "emails_over_plan",
                    "emails over the plan",
                    emails_per_month(wl),
                    "emails",
                    self.included,
                    self.overage,
                )
            )
        return items
