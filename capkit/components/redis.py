"""Redis caches: Render Key Value, Upstash and Redis Cloud plans.

Memory holds the cached share of users; every API call issues some commands; a hit served from
the cache is a query the database does not run (the database components read cache_hit_rate).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field

from capkit.components.base import CostItem, Metric, Params, cost_item, fixed_fee, register
from capkit.components.postgres import ClientsMixin
from capkit.units import KB_PER_MB, MB_PER_GB, PER_100K
from capkit.workload import Workload

#: Where each provider's plans live in the catalog.
PLAN_PREFIX = {"upstash": "upstash", "render_keyvalue": "render.keyvalue", "rediscloud": "rediscloud"}


def cache_memory_mb(wl: Workload) -> np.ndarray:
    """Cache memory: monthly active users x cached share x KB per cached user."""
    return wl.monthly_active_users() * wl.cached_user_share * wl.cached_kb_per_user / KB_PER_MB


class RedisParams(Params):
    provider: Literal["upstash", "render_keyvalue", "rediscloud"] = Field(description="who runs the Redis")
    plan: str = Field(description="a plan of the provider in the catalog (capkit pricing): free, payg, fixed_1gb...")
    clients: list[str] = Field([], description="components holding connections (none for Upstash REST)")


@register
class Redis(ClientsMixin):
    """A Redis-compatible cache on a named provider plan."""

    type = "redis"
    Params = RedisParams
    requires = {
        "cache_ops_per_call": "cache commands per API call",
        "cached_kb_per_user": "KB held per cached user (decimal)",
        "cached_user_share": "fraction of monthly active users the cache holds",
    }

    def options(self) -> list[dict[str, Any]]:
        return [{"plan": p} for p in self.catalog.plans(PLAN_PREFIX[self.params.provider])]

    def plan_tables(self) -> dict[str, str]:
        return {"plan": PLAN_PREFIX[self.params.provider]}

    def setup(self) -> None:
        p = self.params
        prefix = PLAN_PREFIX[p.provider]
        self.plan_price = self.plan_value(prefix, p.plan, "price_usd_per_month")
        self.memory_mb = self.plan_value(prefix, p.plan, "memory_mb")
        self.max_connections = self.plan_value_or(prefix, p.plan, "max_connections", np.inf)
        self.max_cmds = self.plan_value_or(prefix, p.plan, "max_commands_per_s", np.inf)
        self.cmds_month_cap = self.plan_value_or(prefix, p.plan, "commands_per_month", np.inf)
        self.payg = p.provider == "upstash" and p.plan == "payg"
        if self.payg:
            self.cmd_price = self.price("upstash.payg.command_usd_per_100k") / PER_100K
            self.storage_price = self.price("upstash.payg.storage_usd_per_gb_month")
            self.free_storage_gb = self.price("upstash.payg.free_storage_gb")

    def commands_per_month(self, wl: Workload) -> np.ndarray:
        return wl.requests_per_month() * wl.cache_ops_per_call

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        rows = [
            Metric(metric="memory_mb", demand=cache_memory_mb(wl), limit=self.memory_mb, unit="MB", kind="plan"),
            Metric(
                metric="commands_per_s",
                demand=wl.peak_rps() * wl.cache_ops_per_call,
                limit=self.max_cmds,
                unit="commands/s",
                kind="plan",
            ),
            Metric(
                metric="connections",
                demand=self.client_connections(wl),
                limit=self.max_connections,
                unit="connections",
                kind="plan",
            ),
        ]
        if np.isfinite(self.cmds_month_cap):
            rows.append(
                Metric(
                    metric="commands_per_month",
                    demand=self.commands_per_month(wl),
                    limit=self.cmds_month_cap,
                    unit="commands",
                    kind="plan",
                )
            )
        return [m for m in rows if np.all(np.isfinite(m.limit))]

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        items = [fixed_fee("plan", f"{self.params.plan} plan", 1, "database", self.plan_price, wl.n)]
        if self.payg:
            items += [
                cost_item("commands", "commands", self.commands_per_month(wl), "commands", 0.0, self.cmd_price),
                cost_item(
                    "storage",
                    "storage",
                    cache_memory_mb(wl) / MB_PER_GB,
                    "GB-month",
                    self.free_storage_gb,
                    self.storage_price,
                ),
            ]
        return items
