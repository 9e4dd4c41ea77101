"""Batch jobs: a scheduled job over every user must finish inside its window."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import Field

from capkit.components.base import Component, CostItem, Metric, Params, register
from capkit.units import S_PER_MIN
from capkit.workload import Workload


def batch_duration_min(users: np.ndarray, s_per_user: np.ndarray, parallelism: np.ndarray) -> np.ndarray:
    """Job duration: users x seconds per user / parallel workers, in minutes."""
    return users * s_per_user / parallelism / S_PER_MIN


class BatchParams(Params):
    window_min: float = Field(60, gt=0, description="time the run must fit in")
    runner: str = Field("", description="what runs it (informational)")


@register
class BatchJob(Component):
    """A job that processes every monthly active user once per run; runs on existing compute."""

    type = "batch_job"
    Params = BatchParams
    requires = {
        "batch_s_per_user": "seconds of job time per monthly active user",
        "batch_parallelism": "users the job processes at once",
    }

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        minutes = batch_duration_min(wl.monthly_active_users(), wl.batch_s_per_user, wl.batch_parallelism)
        return [
            Metric(
                metric="duration_min", demand=minutes, limit=self.params.window_min, unit="minutes per run", kind="plan"
            )
        ]

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        return []
