"""Vercel functions (Fluid compute): invocations, active CPU, provisioned memory, transfer,
edge requests; Hobby allowances are hard limits, Pro usage is billed after a monthly credit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field

from capkit.components.base import Component, CostItem, Metric, Params, cost_item, fixed_fee, register
from capkit.units import KB_PER_GB, MIB_PER_GIB, MS_PER_S, PER_MILLION, S_PER_HOUR
from capkit.workload import Workload


class VercelParams(Params):
    plan: Literal["hobby", "pro"] = Field("pro", description="Vercel plan")
    seats: int = Field(1, ge=1, description="paid team seats (Pro)")


@register
class Vercel(Component):
    """Vercel serverless functions serving every API call."""

    type = "vercel"
    Params = VercelParams
    requires = {
        "duration_ms": "ms per invocation (memory is billed for all of it)",
        "cpu_ms_per_call": "ms of active CPU per call",
        "memory_mb": "MB provisioned (GB-hours count 1,024 MB as 1 GB)",
        "response_kb": "KB sent per response (decimal), billed as transfer",
        "edge_requests_per_call": "edge requests per API call",
    }

    def options(self) -> list[dict[str, Any]]:
        return [{"plan": p} for p in self.catalog.plans("vercel", "price_usd_per_seat_month")]

    def plan_tables(self) -> dict[str, str]:
        return {"plan": "vercel"}

    def setup(self) -> None:
        plan = self.params.plan
        get = lambda field: self.price(f"vercel.{plan}.{field}")  # noqa: E731
        self.seat_price, self.credit = get("price_usd_per_seat_month"), get("usage_credit_usd")
        self.included = {
            "invocations": get("invocations_included"),
            "cpu_h": get("active_cpu_hours_included"),
            "mem_gb_h": get("memory_gb_hours_included"),
            "transfer_gb": get("transfer_gb_included"),
            "edge": get("edge_requests_included"),
        }
        self.prices = {
            "invocations": self.price("vercel.invocations_usd_per_million") / PER_MILLION,
            "cpu_h": self.price("vercel.active_cpu_usd_per_hour"),
            "mem_gb_h": self.price("vercel.memory_usd_per_gb_hour"),
            "transfer_gb": self.price("vercel.transfer_usd_per_gb"),
            "edge": self.price("vercel.edge_requests_usd_per_million") / PER_MILLION,
        }
        self.max_concurrency = self.price("vercel.max_concurrency")

    def usage(self, wl: Workload) -> dict[str, np.ndarray]:
        """Monthly usage: active CPU is CPU time only; memory is billed for the whole duration."""
        calls = wl.requests_per_month()
        return {
            "invocations": calls,
            "cpu_h": calls * wl.cpu_ms_per_call / MS_PER_S / S_PER_HOUR,
            "mem_gb_h": calls * wl.duration_ms / MS_PER_S / S_PER_HOUR * wl.memory_mb / MIB_PER_GIB,
            "transfer_gb": calls * wl.response_kb / KB_PER_GB,
            "edge": calls * wl.edge_requests_per_call,
        }

    def concurrency(self, wl: Workload) -> np.ndarray:
        """Concurrent invocations at peak (Little's law)."""
        return wl.peak_rps() * wl.duration_ms / MS_PER_S

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        rows = [
            Metric(
                metric="concurrency",
                demand=self.concurrency(wl),
                limit=self.max_concurrency,
                unit="concurrent invocations",
            )
        ]
        use = self.usage(wl)
        units = {
            "invocations": "invocations/month",
            "cpu_h": "CPU-hours/month",
            "mem_gb_h": "GB-hours/month",
            "transfer_gb": "GB/month",
            "edge": "edge requests/month",
        }
        names = {
            "invocations": "invocations",
            "cpu_h": "active_cpu_hours",
            "mem_gb_h": "memory_gb_hours",
            "transfer_gb": "transfer_gb",
            "edge": "edge_requests",
        }
        for key, included in self.included.items():
            if included > 0:
                kind = "quota" if self.params.plan == "hobby" else "free_tier"
                rows.append(Metric(metric=names[key], demand=use[key], limit=included, unit=units[key], kind=kind))
        return rows

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        use = self.usage(wl)
        labels = {  # usage -> (key, words, unit)
            "invocations": ("invocations", "function invocations", "invocations"),
            "cpu_h": ("active_cpu_hours", "active CPU", "CPU-hours"),
            "mem_gb_h": ("memory_gb_hours", "provisioned memory", "GB-hours"),
            "transfer_gb": ("transfer_gb", "fast data transfer", "GB"),
            "edge": ("edge_requests", "edge requests", "requests"),
        }
        items = [fixed_fee("seats", f"{self.params.plan} seats", self.params.seats, "seats", self.seat_price, wl.n)]
        if self.params.plan == "hobby":
            return items  # Hobby cannot buy usage: its allowances are limits, shown in metrics
        usage_items = [cost_item(*labels[k][:2], use[k], labels[k][2], self.included[k], self.prices[k]) for k in use]
        usage_total = sum((i.cost_usd for i in usage_items), start=np.zeros(wl.n))
        # The Pro plan's monthly usage credit pays usage first.
        credit = np.minimum(usage_total, self.credit)
        items += usage_items
        items.append(
            CostItem(
                key="usage_credit",
                item="usage credit",
                quantity=credit,
                unit="USD",
                free=0.0,
                unit_price=-1.0,
                cost_usd=-credit,
            )
        )
        return items

    def db_connections(self, wl: Workload) -> np.ndarray:
        """Each concurrent invocation holds one database (or pooler) connection."""
        return self.concurrency(wl)
