"""AWS components: Lambda, DynamoDB, S3 and Amplify Hosting.

Mechanisms (sources in data/pricing/aws.yaml):
- Lambda bills requests and GB-seconds (duration x memory), after an always-free allowance,
  with graduated duration tiers; concurrency = arrival rate x duration (Little's law).
- DynamoDB bills read units (4 KB each, half for eventually consistent reads) and write units
  (1 KB each, double in transactions) on the table and on every GSI a write touches.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import Field

from capkit.components.base import (
    Component,
    CostItem,
    Metric,
    NonNegativeOrAssumption,
    Params,
    PositiveOrAssumption,
    Quantity,
    cost_item,
    known_or,
    register,
    tiered,
)
from capkit.errors import InputError, StackError
from capkit.units import BYTES_PER_KB, KB_PER_GB, MB_PER_GB, MIB_PER_GIB, MS_PER_S, PER_MILLION, PER_THOUSAND, S_PER_DAY
from capkit.workload import Workload

SECONDS_PER_10S = 10.0


# --- Lambda -----------------------------------------------------------------------------------
def lambda_gb_seconds(invocations: np.ndarray, duration_ms: np.ndarray, memory_mb: np.ndarray):
    """Billed compute in GB-s: invocations x duration (s) x memory (GB of 1,024 MB).

    AWS Lambda pricing: "duration ... multiplied by the memory allocated", billed per 1 ms.
    """
    return invocations * (duration_ms / MS_PER_S) * (memory_mb / MIB_PER_GIB)


def lambda_concurrency(peak_rps: np.ndarray, duration_ms: np.ndarray) -> np.ndarray:
    """Concurrent executions at peak by Little's law: L = lambda x W (rate x time in system)."""
    return peak_rps * duration_ms / MS_PER_S


class LambdaParams(Params):
    architecture: Literal["x86_64", "arm64"] = Field("x86_64", description="arm64 (Graviton) GB-s cost less")
    concurrency_limit: float | None = Field(None, gt=0, description="account quota; catalog default")
    invocations_per_call: float = Field(1.0, ge=0, description="Lambda invocations per API call")


@register
class AwsLambda(Component):
    """AWS Lambda behind a function URL: one invocation per API call by default."""

    type = "aws_lambda"
    Params = LambdaParams
    requires = {
        "duration_ms": "ms per invocation (billed per 1 ms)",
        "memory_mb": "MB allocated (GB-seconds count 1,024 MB as 1 GB)",
    }

    #: Concurrency quotas the roadmap may ask AWS for (a quota request costs nothing).
    QUOTA_STEPS = (1000, 3000, 5000, 10_000, 20_000, 50_000, 100_000)

    def options(self) -> list[dict[str, Any]]:
        return [{"concurrency_limit": float(q)} for q in self.QUOTA_STEPS]

    def setup(self) -> None:
        p, arch = self.params, self.params.architecture
        self.request_price = self.price("aws.lambda.request_usd_per_million") / PER_MILLION
        self.tier_bounds = [self.price(f"aws.lambda.{arch}.tier1_gb_s"), self.price(f"aws.lambda.{arch}.tier2_gb_s")]
        self.tier_prices = [self.price(f"aws.lambda.{arch}.duration_tier{i}_usd_per_gb_s") for i in (1, 2, 3)]
        self.free_requests = self.price("aws.lambda.free_requests_per_month")
        self.free_gb_s = self.price("aws.lambda.free_gb_s_per_month")
        self.concurrency_limit = p.concurrency_limit or self.price("aws.lambda.concurrency_limit")
        self.rps_per_concurrency = self.price("aws.lambda.rps_per_concurrency")
        self.scaling_per_10s = self.price("aws.lambda.scaling_environments_per_10s")

    def invocations(self, wl: Workload) -> np.ndarray:
        return wl.requests_per_month() * self.params.invocations_per_call

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        peak = wl.peak_rps() * self.params.invocations_per_call
        conc = lambda_concurrency(peak, wl["duration_ms"])
        return [
            Metric(metric="concurrency", demand=conc, limit=self.concurrency_limit, unit="concurrent executions"),
            # Lambda's request-rate quota is 10 x the concurrency quota.
            Metric(
                metric="requests_per_s",
                demand=peak,
                limit=self.rps_per_concurrency * self.concurrency_limit,
                unit="requests/s",
            ),
        ]

    def notes(self, wl: Workload) -> list[str]:
        conc = float(lambda_concurrency(wl.peak_rps() * self.params.invocations_per_call, wl["duration_ms"])[0])
        ramp_s = conc / self.scaling_per_10s * SECONDS_PER_10S
        return [
            f"{self.id}: peak concurrency {conc:,.0f}; from cold, Lambda adds {self.scaling_per_10s:,.0f} "
            f"environments per 10 s, so a sudden peak takes about {ramp_s:,.1f} s to absorb."
        ]

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        inv = self.invocations(wl)
        gb_s = lambda_gb_seconds(inv, wl["duration_ms"], wl["memory_mb"])
        billable_gb_s = np.maximum(gb_s - self.free_gb_s, 0.0)
        compute = tiered(billable_gb_s, self.tier_bounds, self.tier_prices)
        return [
            cost_item("requests", "requests", inv, "requests", self.free_requests, self.request_price),
            CostItem(
                key="compute",
                item="compute",
                quantity=gb_s,
                unit="GB-s",
                free=self.free_gb_s,
                unit_price=self.tier_prices[0],
                cost_usd=compute,
            ),
        ]


# --- DynamoDB ---------------------------------------------------------------------------------
def read_units(
    item_kb: np.ndarray, strong_share: np.ndarray, unit_kb: float, transact_share: np.ndarray | float = 0.0
) -> np.ndarray:
    """Read units per read: ceil(size / 4 KB) for a strongly consistent read, half that for an
    eventually consistent one, twice that inside a transaction (TransactGetItems).

    ``item_kb`` and ``unit_kb`` (4) in KB; ``strong_share`` and ``transact_share`` the
    fractions (0 to 1, summing to at most 1) read strongly consistent and in transactions; the
    rest is eventually consistent."""
    units = np.ceil(item_kb / unit_kb)
    eventual = 1.0 - strong_share - transact_share
    return units * (0.5 * eventual + strong_share + 2.0 * transact_share)


def write_units(item_kb: np.ndarray, transact_share: np.ndarray, unit_kb: float) -> np.ndarray:
    """Write units per base-table write: ceil(size / 1 KB), x 2 inside a transaction.

    ``item_kb`` and ``unit_kb`` (1) in KB; ``transact_share`` the fraction (0 to 1) of writes
    made in transactions."""
    return np.ceil(item_kb / unit_kb) * (1.0 + transact_share)


def _largest(values) -> np.ndarray:
    """Elementwise maximum over tables (pairwise: no stacking of full-length arrays)."""
    return functools.reduce(np.maximum, values)


def _total(values) -> np.ndarray:
    """Elementwise sum over tables."""
    return functools.reduce(np.add, values)


@dataclass(frozen=True)
class TableLoad:
    """One DynamoDB table's load, arrays over the workload: request units per API call (4 KB
    read units, 1 KB write units; GSI writes apart, as DynamoDB bills them to the index) and
    stored GB with its indexes."""

    table: str
    item_kb: np.ndarray | float
    #: Read units one read of an item costs (ceil(item / 4 KB), halved when eventually consistent).
    read_units_per_read: np.ndarray
    hot_reads_per_call: np.ndarray | float
    read_units_per_call: np.ndarray
    write_units_per_call: np.ndarray
    gsi_write_units_per_call: np.ndarray | float
    storage_gb: np.ndarray


class GsiParams(Params):
    name: str = Field(description="index name")
    projection: Literal["ALL", "KEYS_ONLY", "INCLUDE"] = Field(
        description="ALL copies the whole item into the index; KEYS_ONLY and INCLUDE copy projected_kb"
    )
    projected_kb: float | None = Field(None, gt=0, description="index item size for INCLUDE/KEYS_ONLY")
    touch_share: float = Field(1.0, ge=0, le=1, description="share of table writes that change the index")


class TableParams(Params):
    name: str = Field(description="table name")
    item_kb: PositiveOrAssumption = Field(description="item size in KB (above 0), or the name of an assumption")
    items_per_user: float = Field(0.0, ge=0, description="items stored per monthly active user")
    items_fixed: float = Field(0.0, ge=0, description="items stored whatever the users (configuration)")
    read_share: float = Field(0.0, ge=0, le=1, description="share of reads_per_call on this table")
    write_share: float = Field(0.0, ge=0, le=1, description="share of writes_per_call on this table")
    hot_reads_per_call: NonNegativeOrAssumption = Field(0.0, description="reads of one hot item per call")
    stored_gb: Quantity | None = Field(None, description="table and index GB if known (replaces items x size)")
    gsis: list[GsiParams] = Field([], description="global secondary indexes (GsiParams)")


class DynamoParams(Params):
    mode: Literal["on_demand", "provisioned"] = Field("on_demand", description="per request, or provisioned RCU/WCU")
    target_utilization: float = Field(0.7, gt=0, le=1, description="provisioned auto scaling target")
    pitr: bool = Field(False, description="point-in-time recovery (billed per GB-month)")
    tables: list[TableParams] = Field(
        min_length=1, description="tables: name, item_kb, items_per_user, read_share, write_share, gsis..."
    )


@register
class AwsDynamoDB(Component):
    """DynamoDB tables with their GSIs, in on-demand or provisioned mode."""

    type = "aws_dynamodb"
    Params = DynamoParams
    requires = {
        "reads_per_call": "item reads per API call",
        "writes_per_call": "item writes per API call",
        "strong_read_share": "fraction of reads strongly consistent (1 unit per 4 KB, not 0.5)",
        "transact_write_share": "fraction of writes in transactions (2 units per 1 KB)",
        "transact_read_share": "fraction of reads in transactions (TransactGetItems: 2 units per 4 KB)",
    }

    def options(self) -> list[dict[str, Any]]:
        return [{"mode": "on_demand"}, {"mode": "provisioned"}]

    def setup(self) -> None:
        p = self.params
        for t in p.tables:
            for g in t.gsis:
                if g.projection != "ALL" and g.projected_kb is None:
                    raise StackError(
                        f"{self.where}: table {t.name} index {g.name}: projected_kb is required for {g.projection}"
                    )
        self.rkb = self.price("aws.dynamodb.read_unit_kb")
        self.wkb = self.price("aws.dynamodb.write_unit_kb")
        self.overhead_kb = self.price("aws.dynamodb.item_overhead_bytes") / BYTES_PER_KB
        self.table_read_limit = self.price("aws.dynamodb.table_read_units_per_s")
        self.table_write_limit = self.price("aws.dynamodb.table_write_units_per_s")
        self.partition_read_limit = self.price("aws.dynamodb.partition_read_units_per_s")
        self.partition_write_limit = self.price("aws.dynamodb.partition_write_units_per_s")
        self.item_kb_max = self.price("aws.dynamodb.item_kb_max")
        self.storage_price = self.price("aws.dynamodb.storage_usd_per_gb_month")
        self.free_storage = self.price("aws.dynamodb.free_storage_gb")
        if p.pitr:
            self.pitr_price = self.price("aws.dynamodb.pitr_usd_per_gb_month")
        if p.mode == "on_demand":
            self.rru_price = self.price("aws.dynamodb.on_demand.read_usd_per_million") / PER_MILLION
            self.wru_price = self.price("aws.dynamodb.on_demand.write_usd_per_million") / PER_MILLION
        else:
            self.rcu_hour = self.price("aws.dynamodb.provisioned.rcu_usd_per_hour")
            self.wcu_hour = self.price("aws.dynamodb.provisioned.wcu_usd_per_hour")
            self.free_rcu = self.price("aws.dynamodb.free_provisioned_rcu")
            self.free_wcu = self.price("aws.dynamodb.free_provisioned_wcu")

    @property
    def assumption_refs(self) -> list[str]:
        """Assumption names used inside table params (checked by the stack loader)."""
        named = [v for t in self.params.tables for v in (t.item_kb, t.hot_reads_per_call) if isinstance(v, str)]
        return named + [r for t in self.params.tables if t.stored_gb is not None for r in t.stored_gb.refs()]

    def _val(self, wl: Workload, v: float | str) -> np.ndarray | float:
        return wl[v] if isinstance(v, str) else float(v)

    def _table_load(self, wl: Workload, t: TableParams) -> TableLoad:
        """One table's request units per API call and its stored GB."""
        item_kb = self._val(wl, t.item_kb)
        strong = wl.strong_read_share
        transact = wl.transact_write_share
        transact_read = wl.transact_read_share
        both = np.asarray(strong + transact_read)
        if (both > 1.0).any():
            raise InputError(
                f"strong_read_share + transact_read_share = {both.max():g} is not allowed: "
                "they are shares of the same reads, so together at most 1"
            )
        rru = read_units(item_kb, strong, self.rkb, transact_read)
        wru = write_units(item_kb, transact, self.wkb)
        # Each GSI write is sized by its projection; GSI writes are not doubled by transactions.
        gsi_wru = sum(
            (
                np.ceil((item_kb if g.projection == "ALL" else g.projected_kb) / self.wkb) * g.touch_share
                for g in t.gsis
            ),
            start=0.0,
        )
        reads_call = wl.reads_per_call * t.read_share
        writes_call = wl.writes_per_call * t.write_share
        hot_call = self._val(wl, t.hot_reads_per_call)
        return TableLoad(
            table=t.name,
            item_kb=item_kb,
            read_units_per_read=rru,
            hot_reads_per_call=hot_call,
            read_units_per_call=reads_call * rru + hot_call * rru,
            write_units_per_call=writes_call * wru,
            gsi_write_units_per_call=writes_call * gsi_wru,
            storage_gb=self._storage_gb(wl, t, item_kb),
        )

    def _storage_gb(self, wl: Workload, t: TableParams, item_kb: np.ndarray) -> np.ndarray:
        """Table plus index storage: items x (size + 100 B overhead), per index too; or the
        stack's known total for the table."""
        if t.stored_gb is not None:
            return t.stored_gb.monthly(wl)
        items = wl.monthly_active_users() * t.items_per_user + t.items_fixed
        per_item = item_kb + self.overhead_kb
        for g in t.gsis:
            per_item = per_item + (item_kb if g.projection == "ALL" else g.projected_kb) + self.overhead_kb
        return items * per_item / KB_PER_GB

    def table_loads(self, wl: Workload) -> list[TableLoad]:
        """Every table's request units per call and stored GB, in stack order."""
        return [self._table_load(wl, t) for t in self.params.tables]

    def table_usage(self, wl: Workload) -> list[dict[str, object]]:
        """Per table, for a month: read and write request units (GSI writes included, as DynamoDB
        bills them to the table's indexes) and stored GB including indexes."""
        calls = wl.requests_per_month()
        return [
            {
                "table": t.table,
                "read_units": calls * t.read_units_per_call,
                "write_units": calls * (t.write_units_per_call + t.gsi_write_units_per_call),
                "storage_gb": t.storage_gb,
            }
            for t in self.table_loads(wl)
        ]

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        peak, tables = wl.peak_rps(), self.table_loads(wl)
        # Table quota applies per table: report the busiest table.
        read_ps = peak * _largest(t.read_units_per_call for t in tables)
        write_ps = peak * _largest(t.write_units_per_call for t in tables)
        hot_ps = peak * _largest(t.hot_reads_per_call * t.read_units_per_read for t in tables)
        item_kb = _largest(t.item_kb for t in tables)
        storage = _total(t.storage_gb for t in tables)
        return [
            Metric(metric="read_units_per_s", demand=read_ps, limit=self.table_read_limit, unit="read units/s"),
            Metric(metric="write_units_per_s", demand=write_ps, limit=self.table_write_limit, unit="write units/s"),
            # A hot item (a config row read on every call) lives in one partition: 3,000 RRU/s.
            Metric(
                metric="hot_partition_read_units_per_s",
                demand=hot_ps,
                limit=self.partition_read_limit,
                unit="read units/s on one item",
            ),
            Metric(metric="item_kb", demand=item_kb, limit=self.item_kb_max, unit="KB"),
            Metric(
                metric="storage_gb", demand=storage, limit=self.free_storage, unit="GB incl. indexes", kind="free_tier"
            ),
        ]

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        tables = self.table_loads(wl)
        calls = wl.requests_per_month()
        reads = calls * _total(t.read_units_per_call for t in tables)
        writes_base = calls * _total(t.write_units_per_call for t in tables)
        writes_gsi = calls * _total(t.gsi_write_units_per_call for t in tables)
        storage = _total(t.storage_gb for t in tables)
        items: list[CostItem] = []
        if self.params.mode == "on_demand":
            items += [
                cost_item("read_request_units", "read request units", reads, "RRU", 0.0, self.rru_price),
                cost_item(
                    "write_request_units_tables",
                    "write request units (tables)",
                    writes_base,
                    "WRU",
                    0.0,
                    self.wru_price,
                ),
                cost_item(
                    "write_request_units_gsis", "write request units (GSIs)", writes_gsi, "WRU", 0.0, self.wru_price
                ),
            ]
        else:
            # Auto scaling keeps provisioned capacity at demand / target utilization as traffic
            # moves through the day, so the month's average is the average rate over the target.
            hours = wl.hours_per_month()
            avg = wl.average_rps()
            rcu = np.ceil(avg * _total(t.read_units_per_call for t in tables) / self.params.target_utilization)
            wcu = np.ceil(
                avg
                * _total(t.write_units_per_call + t.gsi_write_units_per_call for t in tables)
                / self.params.target_utilization
            )
            # Provisioned capacity is billed per unit-hour past the free units: a month's hours each.
            items += [
                cost_item("provisioned_rcu", "provisioned RCU", rcu, "RCU", self.free_rcu, self.rcu_hour * hours),
                cost_item("provisioned_wcu", "provisioned WCU", wcu, "WCU", self.free_wcu, self.wcu_hour * hours),
            ]
        items.append(cost_item("storage", "storage", storage, "GB-month", self.free_storage, self.storage_price))
        if self.params.pitr:
            items.append(cost_item("pitr_storage", "point-in-time recovery", storage, "GB-month", 0.0, self.pitr_price))
        return items


# --- S3 ---------------------------------------------------------------------------------------
class S3Params(Params):
    """Each storage class has its storage and request prices; the infrequent ones add a per-GB
    retrieval fee, a minimum billable object size (128 KB) and a minimum duration."""

    prefixes: int = Field(1, ge=1, description="key prefixes the GET traffic spreads over")
    storage_class: Literal["standard", "standard_ia", "one_zone_ia", "glacier_ir"] = Field(
        "standard", description="S3 Standard, Standard-IA, One Zone-IA or Glacier Instant Retrieval"
    )
    stored_gb: Quantity | None = Field(None, description="GB stored if known (replaces storage_mb_per_user)")
    downloaded_gb: Quantity | None = Field(None, description="GB downloaded a month if known (replaces GETs x size)")


@register
class AwsS3(Component):
    """S3: storage in one storage class, GETs that each download one object, PUTs."""

    type = "aws_s3"
    Params = S3Params
    requires = {
        "storage_mb_per_user": "MB stored per monthly active user (decimal: 1,000 MB = 1 GB)",
        "s3_gets_per_user_day": "GET requests per daily user per day",
        "s3_object_kb": "KB per downloaded object (decimal)",
        "s3_puts_per_user_month": "PUT requests per monthly active user per month",
    }

    def setup(self) -> None:
        cls = self.params.storage_class
        prefix = "aws.s3" if cls == "standard" else f"aws.s3.{cls}"
        self.storage_price = self.price(f"{prefix}.storage_usd_per_gb_month")
        self.get_price = self.price(f"{prefix}.get_usd_per_1000") / PER_THOUSAND
        self.put_price = self.price(f"{prefix}.put_usd_per_1000") / PER_THOUSAND
        if cls == "standard":
            self.retrieval_price, self.min_object_kb, self.min_days = 0.0, 0.0, 0.0
        else:
            self.retrieval_price = self.price(f"aws.s3.{cls}.retrieval_usd_per_gb")
            self.min_object_kb = self.price("aws.s3.infrequent.min_object_kb")
            self.min_days = self.price(f"aws.s3.{cls}.min_days")
        self.out_price = self.price("aws.transfer.out_usd_per_gb")
        self.free_out = self.price("aws.transfer.free_out_gb_per_month")
        self.get_limit = self.price("aws.s3.prefix_get_per_s") * self.params.prefixes
        self.put_limit = self.price("aws.s3.prefix_put_per_s") * self.params.prefixes

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        gets_ps = wl.users * wl.s3_gets_per_user_day / S_PER_DAY * wl.peak_factor
        return [Metric(metric="get_requests_per_s", demand=gets_ps, limit=self.get_limit, unit="GET/s")]

    def stored_gb(self, wl: Workload) -> np.ndarray:
        """GB stored: every monthly active user's files (not only today's), or the known total."""
        return known_or(
            self.params.stored_gb, wl, lambda: wl.monthly_active_users() * wl.storage_mb_per_user / MB_PER_GB
        )

    def downloaded_gb(self, wl: Workload) -> np.ndarray:
        """GB downloaded a month: GETs x object size, or the known total."""
        gets = lambda: wl.users * wl.s3_gets_per_user_day * wl.days_per_month * wl.s3_object_kb / KB_PER_GB  # noqa: E731
        return known_or(self.params.downloaded_gb, wl, gets)

    def billed_storage_gb(self, wl: Workload) -> np.ndarray:
        """Stored GB as billed: the infrequent classes charge each object as at least 128 KB."""
        if self.min_object_kb <= 0:
            return self.stored_gb(wl)
        return self.stored_gb(wl) * np.maximum(1.0, self.min_object_kb / wl.s3_object_kb)

    def notes(self, wl: Workload) -> list[str]:
        if self.min_days <= 0:
            return []
        return [
            f"{self.id}: {self.params.storage_class} bills each object for at least {self.min_days:g} days and "
            f"{self.min_object_kb:g} KB; objects deleted sooner are charged as if kept."
        ]

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        gets = wl.users * wl.s3_gets_per_user_day * wl.days_per_month
        puts = wl.monthly_active_users() * wl.s3_puts_per_user_month
        out_gb = self.downloaded_gb(wl)
        items = [
            cost_item("storage", "storage", self.billed_storage_gb(wl), "GB-month", 0.0, self.storage_price),
            cost_item("get_requests", "GET requests", gets, "requests", 0.0, self.get_price),
            cost_item("put_requests", "PUT requests", puts, "requests", 0.0, self.put_price),
            cost_item("transfer_out", "data transfer out", out_gb, "GB", self.free_out, self.out_price),
        ]
        if self.retrieval_price:
            # The infrequent classes bill every GB read back, on top of transfer out.
            items.append(cost_item("retrieval", "data retrieval", out_gb, "GB", 0.0, self.retrieval_price))
        return items


# --- Amplify ----------------------------------------------------------------------------------
class AmplifyParams(Params):
    build_minutes_per_deploy: float = Field(5, ge=0, description="build minutes per deploy")
    app_mb: float = Field(1.0, ge=0, description="size of the deployed front end")


@register
class AwsAmplify(Component):
    """Amplify Hosting: data served per page load and build minutes per deploy."""

    type = "aws_amplify"
    Params = AmplifyParams
    requires = {
        "page_kb": "KB served per page load (decimal)",
        "page_loads_per_user_day": "page loads per daily user per day",
        "deploys_per_month": "builds per month",
    }

    def setup(self) -> None:
        self.served_price = self.price("aws.amplify.served_usd_per_gb")
        self.build_price = self.price("aws.amplify.build_usd_per_minute")
        self.stored_price = self.price("aws.amplify.stored_usd_per_gb_month")

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        return []

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        served_gb = wl.users * wl.page_loads_per_user_day * wl.days_per_month * wl.page_kb / KB_PER_GB
        minutes = wl.deploys_per_month * self.params.build_minutes_per_deploy
        stored = np.full(wl.n, self.params.app_mb / MB_PER_GB)
        return [
            cost_item("data_served", "data served", served_gb, "GB", 0.0, self.served_price),
            cost_item("build_minutes", "build minutes", minutes, "minutes", 0.0, self.build_price),
            cost_item("hosting_storage", "hosting storage", stored, "GB-month", 0.0, self.stored_price),
        ]
