"""PostgreSQL: Render Postgres and Supabase (plan, compute size, pooler, disk, egress, MAU).

Connections: every client process holds its own (instances x workers), or the pooler holds a
fixed pool and the clients count against the pooler's limit instead. Query capacity: each core
runs one query at a time, so cores / query time queries per second. Storage grows with rows per
user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from capkit.components.base import (
    Component,
    CostItem,
    Metric,
    NonNegativeOrAssumption,
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


def busiest_instance_share(read_query_share: np.ndarray | float, replicas: np.ndarray | float) -> np.ndarray:
    """Share of a database's queries that its busiest instance runs when ``replicas`` read
    replicas take reads: writes stay on the primary and reads (``read_query_share`` of the
    queries, a fraction) split evenly over the primary and the replicas, so the primary runs
    (1 - s) + s / (replicas + 1) of them and each replica s / (replicas + 1)."""
    return (1.0 - read_query_share) + read_query_share / (np.asarray(replicas, dtype=float) + 1.0)


def database_queries_per_s(wl: Workload) -> np.ndarray:
    """Peak queries/s reaching the database: peak calls/s x database queries per call."""
    return wl.peak_rps() * database_queries_per_call(wl)


def disk_sizes(step_gb: float, most_gb: float, ratio: float = 1.5) -> list[float]:
    """Disk sizes for the roadmap to try: multiples of the provider's step, each about
    ``ratio`` times the one before, from one step up to the largest disk ``most_gb``."""
    sizes = {step_gb * max(1, round(x / step_gb)) for x in np.geomspace(step_gb, most_gb, 64)}
    out: list[float] = []
    for size in sorted(sizes):
        if not out or size >= out[-1] * ratio or size == most_gb:
            out.append(float(size))
    return out


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
    """A Postgres database: its clients' connections, and queries against its ``cores``; with
    read replicas, the busiest instance's share of the queries (:func:`busiest_instance_share`).

    Connections are counted on the primary: every client process keeps its connection there
    for writes, and a replica receives at most as many."""

    cores: float

    def read_share(self, wl: Workload) -> np.ndarray | float:
        """The share of queries that are reads (0 where the stack names none: no replicas)."""
        share = self.params.read_query_share
        if share is None:
            return 0.0
        return wl[share] if isinstance(share, str) else float(share)

    def query_load(self, wl: Workload) -> Metric:
        """Peak queries/s that reach the busiest instance against what its ``cores`` can run."""
        per_instance = busiest_instance_share(self.read_share(wl), self.params.read_replicas)
        return Metric(
            metric="queries_per_s",
            demand=database_queries_per_s(wl) * per_instance,
            limit=query_capacity_per_s(self.cores, wl.query_ms),
            unit="queries/s",
            kind="plan",
        )

    @property
    def assumption_refs(self) -> list[str]:
        share = self.params.read_query_share
        return [*super().assumption_refs, *([share] if isinstance(share, str) else [])]

    def replica_counts(self, most: float) -> range:
        """Read replica counts the roadmap tries: 0 only where the stack names no read share."""
        return range(int(most) + 1) if self.params.read_query_share is not None else range(1)


class DatabaseParams(Params):
    """Params every database has: the components that connect to it, and its size if known."""

    clients: list[str] = Field([], description="ids of the components that open database connections")
    database_gb: Quantity | None = Field(None, description="database GB if known (replaces rows_per_user x row_kb)")

    read_replicas: int = Field(0, ge=0, description="read replicas (the provider bounds how many)")
    read_query_share: NonNegativeOrAssumption | None = Field(
        None, description="share of queries that are reads a replica may take (a fraction, or an assumption)"
    )

    @model_validator(mode="after")
    def _replicas_need_reads(self) -> DatabaseParams:
        if isinstance(self.read_query_share, float) and self.read_query_share > 1:
            raise ValueError(f"read_query_share {self.read_query_share} is a fraction: 0 to 1")
        if self.read_replicas and self.read_query_share is None:
            raise ValueError("read_replicas needs read_query_share: the share of queries a replica may take")
        return self

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
    LIMIT_FIELDS = {"connections": "max_connections", "queries_per_s": "cpu"}

    def options(self) -> list[dict[str, Any]]:
        """Every instance type, with disks from one step to the largest (about 1.5x apart, in
        the provider's steps) and, where the stack names a read share, 0 to 5 read replicas on
        the instance types and disks that allow them (all from the catalog)."""
        plans = self.catalog.plans("render.postgres")
        disks = disk_sizes(self.price("render.postgres.disk_step_gb"), self.price("render.postgres.max_disk_gb"))
        replica_disk = self.price("render.postgres.read_replicas_min_disk_gb")
        out: list[dict[str, Any]] = []
        for plan in plans:
            if self.catalog_has(plan, "storage_gb"):  # a fixed disk (the free instance)
                fixed = self.plan_value("render.postgres", plan, "storage_gb")
                out.append({"plan": plan, "read_replicas": 0, "disk_gb": fixed})
                continue
            most = self.plan_value_or("render.postgres", plan, "read_replicas_max", self.default_replicas_max)
            out += [
                {"plan": plan, "read_replicas": r, "disk_gb": float(d)}
                for r in self.replica_counts(most)
                for d in disks
                if r == 0 or d >= replica_disk
            ]
        return out

    def plan_tables(self) -> dict[str, str]:
        return {"plan": "render.postgres"}

    def catalog_has(self, plan: str, field: str) -> bool:
        return f"render.postgres.{plan}.{field}" in self.catalog

    def configuration(self) -> dict[str, Any]:
        """The options' params as written; a fixed-disk plan (free) shows its own disk."""
        out = super().configuration()
        if self.catalog_has(self.params.plan, "storage_gb"):
            out["disk_gb"] = float(self.disk_gb)
        return out

    def monotone(self, option: Mapping[str, Any]) -> dict[str, float]:
        """Render moves a database to a larger instance type, never a smaller one, and its disk
        never shrinks (the catalog's ``downgrade_allowed`` and ``disk_shrink_allowed``)."""
        plan = option.get("plan", self.params.plan)
        out = {}
        if not self.price("render.postgres.downgrade_allowed"):
            out["memory_gb"] = self.plan_value("render.postgres", plan, "memory_gb")
        if not self.price("render.postgres.disk_shrink_allowed"):
            fixed = self.catalog_has(plan, "storage_gb")
            disk = self.plan_value("render.postgres", plan, "storage_gb") if fixed else option.get("disk_gb")
            out["disk_gb"] = float(disk if disk is not None else self.params.disk_gb)
        return out

    def setup(self) -> None:
        plan, replicas = self.params.plan, self.params.read_replicas
        self.plan_price = self.plan_value("render.postgres", plan, "price_usd_per_month")
        self.cores = self.plan_value("render.postgres", plan, "cpu")
        self.max_connections = self.plan_value("render.postgres", plan, "max_connections")
        self.default_replicas_max = self.price("render.postgres.read_replicas_max")
        most = self.plan_value_or("render.postgres", plan, "read_replicas_max", self.default_replicas_max)
        if self.catalog_has(plan, "storage_gb"):
            self.disk_gb, self.disk_price = self.plan_value("render.postgres", plan, "storage_gb"), 0.0
        else:
            self.disk_gb, self.disk_price = self.params.disk_gb, self.price("render.postgres.storage_usd_per_gb_month")
        if np.any(np.asarray(replicas) > most):
            raise StackError(f"{self.where}: read_replicas {replicas}: plan {plan} allows at most {most:.0f}")
        least = self.price("render.postgres.read_replicas_min_disk_gb")
        if np.any((np.asarray(replicas) > 0) & (np.asarray(self.disk_gb) < least)):
            raise StackError(f"{self.where}: read replicas need a disk of at least {least:.0f} GB")

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        return [
            Metric(
                metric="connections",
                demand=self.client_connections(wl),
                limit=self.max_connections,
                unit="connections",
                kind="plan",
            ),
            self.query_load(wl),
            Metric(metric="storage_gb", demand=self.params.size_gb(wl), limit=self.disk_gb, unit="GB", kind="plan"),
        ]

    def queue(self, wl: Workload) -> QueueSpec:
        return database_queue(self.cores, wl)

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        # A read replica has the primary's instance type and storage and is billed the same.
        instances = 1 + np.asarray(self.params.read_replicas, dtype=float)
        return [
            fixed_fee("plan", f"{self.params.plan} instances", instances, "instances", self.plan_price, wl.n),
            fixed_fee("disk", "disk", instances * self.disk_gb, "GB-month", self.disk_price, wl.n),
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
        """Compute sizes on the stack's plan (a free plan: Nano, or Pro with any paid size),
        each with 0 to the size's most read replicas where the stack names a read share."""
        sizes = self.catalog.plans("supabase.compute", "usd_per_hour")
        free_compute = [s for s in sizes if not self.plan_value("supabase.compute", s, "usd_per_hour")]
        paid = [s for s in sizes if s not in free_compute]
        on_paid = [
            {"compute": s, "read_replicas": r}
            for s in paid
            for r in self.replica_counts(self.plan_value_or("supabase.compute", s, "read_replicas_max", 0))
        ]
        if self.plan_value("supabase.plan", self.params.plan, "price_usd_per_month"):
            return on_paid
        # A free organisation runs the free compute; upgrading it means the Pro plan.
        return [{"plan": self.params.plan, "compute": s, "read_replicas": 0} for s in free_compute] + [
            {"plan": "pro", **o} for o in on_paid
        ]

    def plan_tables(self) -> dict[str, str]:
        return {"plan": "supabase.plan"}

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
        self.replica_disk_factor = self.price("supabase.read_replica_disk_factor")
        most = self.plan_value_or("supabase.compute", p.compute, "read_replicas_max", 0)
        if np.any(np.asarray(p.read_replicas) > most):
            raise StackError(
                f"{self.where}: read_replicas {p.read_replicas}: compute {p.compute} allows at most {most:.0f}"
            )
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
        rows = [
            Metric(
                metric="connections",
                demand=direct,
                limit=self.max_connections,
                unit="database connections",
                kind="plan",
            )
        ]
        if self.params.pooler:
            rows.append(
                Metric(
                    metric="pooler_clients",
                    demand=clients,
                    limit=self.pooler_max,
                    unit="client connections",
                    kind="plan",
                )
            )
        mau = wl.monthly_active_users()
        db_gb = self.params.size_gb(wl)
        uncached, cached = self._egress_gb(wl)
        return rows + [
            self.query_load(wl),
            Metric(metric="database_gb", demand=db_gb, limit=self.max_db_gb, unit="GB", kind="plan"),
            Metric(metric="disk_gb", demand=db_gb, limit=self.disk_included, unit="GB", kind=self.allowance_kind),
            Metric(
                metric="monthly_active_users", demand=mau, limit=self.mau_included, unit="MAU", kind=self.allowance_kind
            ),
            Metric(
                metric="egress_gb",
                demand=uncached,
                limit=self.egress_included,
                unit="GB per month",
                kind=self.allowance_kind,
            ),
            Metric(
                metric="cached_egress_gb",
                demand=cached,
                limit=self.cached_included,
                unit="GB per month",
                kind=self.allowance_kind,
            ),
        ]

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        hours = wl.hours_per_month()
        compute = self.compute_hour * hours
        uncached, cached = self._egress_gb(wl)
        replicas = np.asarray(self.params.read_replicas, dtype=float)
        db_gb = self.params.size_gb(wl)
        # A replica runs the primary's compute size, billed by the hour without compute credits,
        # on a disk 1.25 times the primary's provisioned one (at least the plan's included disk).
        replica_disk = replicas * self.replica_disk_factor * np.maximum(db_gb, self.disk_included)
        return (
            [
                fixed_fee("plan", f"{self.params.plan} plan", 1, "organisation", self.plan_price, wl.n),
                CostItem(
                    key="compute",
                    item=f"{self.params.compute} compute (after credit)",
                    quantity=hours,
                    unit="hours",
                    free=self.credit / self.compute_hour if self.compute_hour else 0.0,
                    unit_price=self.compute_hour,
                    cost_usd=np.maximum(compute - self.credit, 0.0),
                ),
                cost_item("disk", "disk", db_gb, "GB-month", self.disk_included, self.disk_price),
            ]
            + (self._replica_costs(replicas, hours, replica_disk) if np.any(replicas > 0) else [])
            + [
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
        )

    def _replica_costs(self, replicas: np.ndarray, hours: np.ndarray, disk_gb: np.ndarray) -> list[CostItem]:
        """Read replicas' compute hours (the primary's size) and disk."""
        return [
            CostItem(
                key="replica_compute",
                item=f"{self.params.compute} read replica compute",
                quantity=replicas * hours,
                unit="hours",
                free=0.0,
                unit_price=self.compute_hour,
                cost_usd=replicas * hours * self.compute_hour,
            ),
            cost_item("replica_disk", "read replica disk", disk_gb, "GB-month", 0.0, self.disk_price),
        ]
