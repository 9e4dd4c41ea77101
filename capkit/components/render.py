"""Render.com web service: instance types, instance count, worker capacity, bandwidth.

Throughput follows Little's law: a pool of W workers each busy for S seconds per request serves
at most W / S requests per second. CPU caps it too: cores / CPU-seconds per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from capkit.components.base import (
    Component,
    CostItem,
    Metric,
    Params,
    Quantity,
    QueueSpec,
    cost_item,
    fixed_fee,
    full,
    known_or,
    register,
)
from capkit.units import KB_PER_GB, MS_PER_S, S_PER_MIN
from capkit.workload import Workload


def worker_capacity_rps(slots: float, service_time_ms: np.ndarray) -> np.ndarray:
    """Requests/s that ``slots`` concurrent request slots can serve.

    Little's law (L = lambda W): at most L requests in flight, each W seconds long, give a
    throughput of L / W.
    """
    return slots * MS_PER_S / service_time_ms


def free_tier_cold_start_share(average_rps: np.ndarray, idle_s: float) -> np.ndarray:
    """Share of requests that find a spun-down free instance.

    With Poisson arrivals at rate r, a request follows a gap longer than the idle timeout T
    with probability exp(-r T).
    """
    return np.exp(-average_rps * idle_s)


class RenderWebParams(Params):
    plan: str = Field("starter", description="a render.web plan in the catalog: free, starter, standard, pro...")
    instances: int = Field(1, ge=1, description="instances behind Render's load balancer")
    processes_per_instance: int = Field(1, ge=1, description="worker processes (gunicorn workers, node processes)")
    concurrency_per_process: int = Field(1, ge=1, description="requests in flight per process (1 for sync workers)")
    db_connections_per_process: float = Field(1.0, ge=0, description="persistent DB connections per process")
    bandwidth_gb: Quantity | None = Field(None, description="outbound GB a month if known (replaces response_kb)")

    @model_validator(mode="after")
    def _free_is_single(self) -> RenderWebParams:
        if self.plan == "free" and self.instances != 1:
            raise ValueError("the free plan runs a single instance")
        return self


@register
class RenderWeb(Component):
    """A Render web service of ``instances`` x ``plan``."""

    type = "render_web"
    Params = RenderWebParams
    requires = {
        "service_time_ms": "ms a request holds a worker slot (wall time)",
        "cpu_ms_per_call": "ms of CPU per API call",
        "response_kb": "KB sent per response (decimal), billed as bandwidth",
        "mb_per_worker": "MB of memory per worker process",
    }

    #: Worker processes per instance the roadmap tries (the memory limit rules out more
    #: processes than an instance holds).
    PROCESS_STEPS = (1, 2, 4, 8, 16)

    def options(self) -> list[dict[str, Any]]:
        """Every instance type: the free one alone (a single instance), the paid ones at 1 to
        the catalog's most instances of a service, each with every process step."""
        most = int(self.price("render.web.max_instances"))
        paid = [p for p in self.catalog.plans("render.web") if p != "free"]
        return [{"plan": "free", "instances": 1, "processes_per_instance": 1}] + [
            {"plan": p, "instances": n, "processes_per_instance": w}
            for p in paid
            for w in self.PROCESS_STEPS
            for n in range(1, most + 1)
        ]

    def plan_tables(self) -> dict[str, str]:
        return {"plan": "render.web"}

    def setup(self) -> None:
        plan = self.params.plan
        self.instance_price = self.plan_value("render.web", plan, "price_usd_per_month")
        self.cpu = self.plan_value("render.web", plan, "cpu")
        self.ram_mb = self.plan_value("render.web", plan, "ram_mb")
        self.bandwidth_price = self.price("render.bandwidth.usd_per_gb")
        self.included_gb = self.price("render.bandwidth.hobby_included_gb")
        if plan == "free":
            self.idle_s = self.price("render.free.spin_down_idle_s")
            self.free_hours = self.price("render.free.instance_hours_per_month")

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        p = self.params
        peak = wl.peak_rps()
        slots = p.instances * p.processes_per_instance * p.concurrency_per_process
        return [
            Metric(
                metric="requests_per_s",
                demand=peak,
                limit=worker_capacity_rps(slots, wl.service_time_ms),
                unit="requests/s",
                kind="plan",
            ),
            # CPU time per request over the cores of all instances.
            Metric(
                metric="cpu",
                demand=peak * wl.cpu_ms_per_call / MS_PER_S,
                limit=p.instances * self.cpu,
                unit="CPU cores busy",
                kind="plan",
            ),
            Metric(
                metric="memory_mb",
                demand=p.processes_per_instance * wl.mb_per_worker,
                limit=self.ram_mb,
                unit="MB per instance",
                kind="plan",
            ),
        ]

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        p = self.params
        out_gb = known_or(p.bandwidth_gb, wl, lambda: wl.requests_per_month() * wl.response_kb / KB_PER_GB)
        return [
            fixed_fee("instances", f"{p.plan} instances", p.instances, "instances", self.instance_price, wl.n),
            cost_item("bandwidth", "outbound bandwidth", out_gb, "GB", self.included_gb, self.bandwidth_price),
        ]

    def queue(self, wl: Workload) -> QueueSpec:
        """M/M/c view for latency: request slots, requests/s one slot serves, peak arrivals/s."""
        p = self.params
        slots = p.instances * p.processes_per_instance * p.concurrency_per_process
        return QueueSpec(
            np.full(wl.n, float(slots)), full(MS_PER_S / wl.service_time_ms, wl.n), full(wl.peak_rps(), wl.n)
        )

    def db_connections(self, wl: Workload) -> np.ndarray:
        p = self.params
        return np.full(wl.n, p.instances * p.processes_per_instance * p.db_connections_per_process)

    def notes(self, wl: Workload) -> list[str]:
        if self.params.plan != "free":
            return []
        share = float(free_tier_cold_start_share(wl.average_rps(), self.idle_s)[0])
        # Awake time: with Poisson arrivals the instance sleeps a share exp(-r T) of the month.
        hours = float(wl.hours_per_month()[0]) * (1.0 - share)
        return [
            f"{self.id}: the free instance sleeps after {self.idle_s / S_PER_MIN:.0f} min without traffic; "
            f"at this load {share:.1%} of requests wake it (a cold start of up to a minute).",
            f"{self.id}: it is awake about {hours:,.0f} of the {self.free_hours:,.0f} free instance-hours the "
            f"workspace gets a month; a second free service would share them.",
        ]
