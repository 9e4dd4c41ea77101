"""PostgreSQL: Render Postgres and Supabase (plan, compute size, pooler, disk, egress, MAU).

Connections: every client process holds its own (instances x workers), or the pooler holds a
fixed pool and the clients count against the pooler's limit instead. Query capacity: each core
runs one query at a time, so cores / query time queries per second. Storage grows with rows per
user.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import Field

from capkit.components.base import (
    Component,
    CostItem,
    Metric,
    Params,
    Quantity,
    QueueSpec,
    cache_misses,
    cost_item,
    fixed_fee,
    full,
    known_or,
    register,
)
from capkit.errors import StackError
from capkit.units import KB_PER_GB, MS_PER_S
from capkit.workload import Workload

#: What a Postgres database reads, with the unit it reads each in.
DATABASE_READS = {
    "db_queries_per_call": "queries per API call",
    "cache_hit_rate": "fraction of queries answered by a cache (never reach the database)",
    "query_ms": "ms of one core per query",
    "rows_per_user": "rows per monthly active user",
    "row_kb": "KB per row (decimal: 10^6 KB = 1 GB)",
}


def query_capacity_per_s(cores: float, query_ms: np.ndarray) -> np.ndarray:
    """Queries/s a database can run: cores / seconds per query (one query per core at a time)."""
    return cores * MS_PER_S / query_ms


def database_queries_per_call(wl: Workload) -> np.ndarray:
    """Queries per API call that reach the database (queries/call) after the cache."""
    return cache_misses(wl.db_queries_per_call, wl.cache_hit_rate)


def database_queries_per_s(wl: Workload) -> np.ndarray:
    """Peak queries/s reaching the database: peak calls/s x database queries per call."""
    return wl.peak_rps() * database_queries_per_call(wl)


def database_gb(wl: Workload) -> np.ndarray:
    """Database size: monthly active users x rows per user x row size."""
    return wl.monthly_active_users() * wl.rows_per_user * wl.row_kb / KB_PER_GB


def database_queue(cores: float, wl: Workload) -> QueueSpec:
    """M/M/c view of a database for latency: servers, queries/s each, peak queries/s.

    Whole cores are servers; a fractional share (0.1 CPU) is one server at that share of the
    speed, so total capacity stays cores / query time.
    """
    servers = max(1, int(cores))
    return QueueSpec(
        np.full(wl.n, float(servers)),
        full(query_capacity_per_s(cores, wl.query_ms) / servers, wl.n),
        full(database_queries_per_s(wl), wl.n),
    )


class ClientsMixin(Component):
    """A database or cache whose connection count is the sum over its client components."""

    def client_ids(self) -> list[str]:
        return list(self.params.clients)

    def client_connections(self, wl: Workload) -> np.ndarray:
        total = np.zeros(wl.n)
        for cid in self.client_ids():
            if cid not in self.peers:
                raise StackError(f"{self.where}: clients: no component {cid!r} in the stack")
            total = total + self.peers[cid].db_connections(wl)
        return total


class PostgresDatabase(ClientsMixin):
    """A Postgres database: its clients' connections, and queries against its ``cores``."""

    cores: float

    def query_load(self, wl: Workload) -> Metric:
        """Peak queries/s that reach the database against what its ``cores`` can run."""
        return Metric(
            "queries_per_s",
            database_queries_per_s(wl),
            query_capacity_per_s(self.cores, wl.query_ms),
            "queries/s",
            "plan",
        )


class DatabaseParams(Params):
    """Params every database has: the components that connect to it, and its size if known."""

    clients: list[str] = Field([], description="ids of the components that open database connections")
    database_gb: Quantity | None = Field(None, description="database GB if known (replaces rows_per_user x row_kb)")

    def size_gb(self, wl: Workload) -> np.ndarray:
        """Database GB: the stack's known size, else monthly active users x rows x row size."""
        return known_or(self.database_gb, wl, lambda: database_gb(wl))


class RenderPostgresParams(DatabaseParams):
    plan: str = Field("basic_1gb", description="a render.postgres plan in the catalog: free, basic_256mb, pro_4gb...")
    disk_gb: float = Field(5, gt=0, description="provisioned disk (paid plans)")


@register
class RenderPostgres(PostgresDatabase):
    """Render Postgres: connections against the plan limit, queries against cores, disk."""

    type = "render_postgres"
    Params = RenderPostgresParams
    requires = DATABASE_READS

    #: Disk sizes the roadmap tries (Render grows disks in 5 GB steps and never shrinks them).
    DISK_STEPS_GB = (5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000)

    def options(self) -> list[dict[str, Any]]:
        paid = [p for p in self.catalog.plans("render.postgres") if p != "free"]
        return [{"plan": "free"}] + [{"plan": p, "disk_gb": float(d)} for p in paid for d in self.DISK_STEPS_GB]

    def setup(self) -> None:
        plan = self.params.plan
        self.plan_price = self.plan_value("render.postgres", plan, "price_usd_per_month")
        self.cores = self.plan_value("render.postgres", plan, "cpu")
        self.max_connections = self.plan_value("render.postgres", plan, "max_connections")
        if plan == "free":
            self.disk_gb, self.disk_price = self.plan_value("render.postgres", plan, "storage_gb"), 0.0
        else:
            self.disk_gb, self.disk_price = self.params.disk_gb, self.price("render.postgres.storage_usd_per_gb_month")

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        return [
            Metric("connections", self.client_connections(wl), self.max_connections, "connections", "plan"),
            self.query_load(wl),
            Metric("storage_gb", self.params.size_gb(wl), self.disk_gb, "GB", "plan"),
        ]

    def queue(self, wl: Workload) -> QueueSpec:
        return database_queue(self.cores, wl)

    def notes(self, wl: Workload) -> list[str]:
        if self.params.plan != "free":
            return []
        return [f"{self.id}: Render's free Postgres expires 30 days after creation (14 days' grace to upgrade)."]

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        return [
            fixed_fee("plan", f"{self.params.plan} plan", 1, "instance", self.plan_price, wl.n),
            fixed_fee("disk", "disk", self.disk_gb, "GB-month", self.disk_price, wl.n),
        ]


class SupabaseParams(DatabaseParams):
    plan: str = Field("pro", description="organisation plan: free, pro, team")
    compute: str = Field("micro", description="compute size in the catalog: nano, micro, small, medium, large, xl...")
    pooler: bool = Field(True, description="clients connect through Supavisor (transaction mode)")
    pool_size: float = Field(15, gt=0, description="server connections the pooler keeps open")
    egress_gb: Quantity | None = Field(None, description="egress GB a month if known (replaces db_response_kb)")


@register
class Supabase(PostgresDatabase):
    """Supabase: plan fee, compute size billed hourly, Supavisor pooler, disk, egress, MAU."""

    type = "supabase"
    Params = SupabaseParams
    requires = {
        **DATABASE_READS,
        "db_response_kb": "KB sent back per query (decimal), billed as egress",
        "cached_egress_share": "fraction of egress served from the CDN cache (its own quota and price)",
    }

    def options(self) -> list[dict[str, Any]]:
        sizes = self.catalog.plans("supabase.compute", "usd_per_hour")
        return [{"compute": s} for s in sizes if (s == "nano") == (self.params.plan == "free")]

    def setup(self) -> None:
        p = self.params
        self.plan_price = self.plan_value("supabase.plan", p.plan, "price_usd_per_month")
        self.credit = self.plan_value("supabase.plan", p.plan, "compute_credit_usd")
        self.disk_included = self.plan_value("supabase.plan", p.plan, "disk_included_gb")
        self.egress_included = self.plan_value("supabase.plan", p.plan, "egress_included_gb")
        self.mau_included = self.plan_value("supabase.plan", p.plan, "mau_included")
        self.compute_hour = self.plan_value("supabase.compute", p.compute, "usd_per_hour")
        self.cores = self.plan_value("supabase.compute", p.compute, "cores")
        self.max_connections = self.plan_value("supabase.compute", p.compute, "max_connections")
        self.pooler_max = self.plan_value("supabase.compute", p.compute, "pooler_max_clients")
        self.max_db_gb = self.plan_value("supabase.compute", p.compute, "max_db_gb")
        self.disk_price = self.price("supabase.disk_usd_per_gb_month")
        self.egress_price = self.price("supabase.egress_usd_per_gb")
        self.cached_included = self.plan_value("supabase.plan", p.plan, "cached_egress_included_gb")
        self.cached_price = self.price("supabase.cached_egress_usd_per_gb")
        self.mau_price = self.price("supabase.mau_usd")
        # On the free plan the allowances are hard limits; on paid plans usage beyond is billed.
        self.allowance_kind = "quota" if p.plan == "free" else "free_tier"

    def queue(self, wl: Workload) -> QueueSpec:
        return database_queue(self.cores, wl)

    def _egress_gb(self, wl: Workload) -> tuple[np.ndarray, np.ndarray]:
        """Uncached and cached egress GB a month: all of it (queries x KB sent back, or the
        stack's known total) split by the share the CDN serves from cache."""

        def derived() -> np.ndarray:
            return wl.requests_per_month() * database_queries_per_call(wl) * wl.db_response_kb / KB_PER_GB

        total = known_or(self.params.egress_gb, wl, derived)
        return total * (1.0 - wl.cached_egress_share), total * wl.cached_egress_share

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        clients = self.client_connections(wl)
        direct = np.full(wl.n, self.params.pool_size) if self.params.pooler else clients
        rows = [Metric("connections", direct, self.max_connections, "database connections", "plan")]
        if self.params.pooler:
            rows.append(Metric("pooler_clients", clients, self.pooler_max, "client connections", "plan"))
        mau = wl.monthly_active_users()
        db_gb = self.params.size_gb(wl)
        uncached, cached = self._egress_gb(wl)
        return rows + [
            self.query_load(wl),
            Metric("database_gb", db_gb, self.max_db_gb, "GB", "plan"),
            Metric("disk_gb", db_gb, self.disk_included, "GB", self.allowance_kind),
            Metric("monthly_active_users", mau, self.mau_included, "MAU", self.allowance_kind),
            Metric("egress_gb", uncached, self.egress_included, "GB per month", self.allowance_kind),
            Metric("cached_egress_gb", cached, self.cached_included, "GB per month", self.allowance_kind),
        ]

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        hours = wl.hours_per_month()
        compute = self.compute_hour * hours
        uncached, cached = self._egress_gb(wl)
        return [
            fixed_fee("plan", f"{self.params.plan} plan", 1, "organisation", self.plan_price, wl.n),
            CostItem(
                "compute",
                f"{self.params.compute} compute (after credit)",
                hours,
                "hours",
                self.credit / self.compute_hour if self.compute_hour else 0.0,
                self.compute_hour,
                np.maximum(compute - self.credit, 0.0),
            ),
            cost_item("disk", "disk", self.params.size_gb(wl), "GB-month", self.disk_included, self.disk_price),
            # Uncached and cached egress have independent quotas and prices (Supabase egress docs).
            cost_item("egress", "egress", uncached, "GB", self.egress_included, self.egress_price),
            cost_item("cached_egress", "cached egress", cached, "GB", self.cached_included, self.cached_price),
            cost_item(
                "monthly_active_users",
                "monthly active users",
                wl.monthly_active_users(),
                "MAU",
                self.mau_included,
                self.mau_price,
            ),
        ]
