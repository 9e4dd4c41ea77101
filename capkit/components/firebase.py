"""Firebase: Firestore (daily free quota, then per-operation prices), Authentication (MAU tiers,
SMS per verification) and Cloud Storage for Firebase."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import Field

from capkit.components.base import (
    Component,
    CostItem,
    Metric,
    Params,
    Quantity,
    cache_misses,
    cost_item,
    known_or,
    register,
    tiered,
)
from capkit.units import KIB_PER_GIB, MB_PER_GB, PER_100K
from capkit.workload import Workload


def daily_quota_billed(per_day: np.ndarray, free_per_day: float, days: np.ndarray) -> np.ndarray:
    """Operations billed a month under a daily free quota: max(daily - free, 0) x days."""
    return np.maximum(per_day - free_per_day, 0.0) * days


def daily_quota_item(
    key: str, item: str, per_day: np.ndarray, unit: str, free_per_day: float, days: np.ndarray, unit_price: float
) -> CostItem:
    """A cost item under a daily free quota (Firestore operations, Identity Platform SMS): the
    month's quantity and allowance, and :func:`daily_quota_billed` at ``unit_price`` USD."""
    return CostItem(
        key=key,
        item=item,
        quantity=per_day * days,
        unit=unit,
        free=free_per_day * days,
        unit_price=unit_price,
        cost_usd=daily_quota_billed(per_day, free_per_day, days) * unit_price,
    )


class FirestoreParams(Params):
    location: Literal["nam5", "regional"] = Field("nam5", description="multi-region nam5 or a regional location")
    stored_gib: Quantity | None = Field(None, description="stored GiB if known (replaces docs_per_user x doc_kb)")
    egress_gib: Quantity | None = Field(None, description="outbound GiB a month if known (replaces egress_kb_per_call)")


@register
class Firestore(Component):
    """Cloud Firestore (Standard edition)."""

    type = "firestore"
    Params = FirestoreParams
    requires = {
        "reads_per_call": "document reads per API call",
        "writes_per_call": "document writes per API call",
        "deletes_per_call": "document deletes per API call",
        "cache_hit_rate": "fraction of reads served by a cache (never reach Firestore)",
        "docs_per_user": "documents stored per monthly active user",
        "doc_kb": "KiB per document (Firestore bills binary GiB)",
        "sequential_write_share": "fraction of writes to sequential keys (500/s hotspot limit)",
        "egress_kb_per_call": "KiB sent to clients per API call (network egress, billed per GiB)",
    }

    def setup(self) -> None:
        loc = self.params.location
        self.read_price = self.price(f"firebase.firestore.{loc}.read_usd_per_100k") / PER_100K
        self.write_price = self.price(f"firebase.firestore.{loc}.write_usd_per_100k") / PER_100K
        self.delete_price = self.price(f"firebase.firestore.{loc}.delete_usd_per_100k") / PER_100K
        self.storage_price = self.price(f"firebase.firestore.{loc}.storage_usd_per_gib_month")
        self.free_reads = self.price("firebase.firestore.free_reads_per_day")
        self.free_writes = self.price("firebase.firestore.free_writes_per_day")
        self.free_deletes = self.price("firebase.firestore.free_deletes_per_day")
        self.free_storage = self.price("firebase.firestore.free_storage_gib")
        self.seq_limit = self.price("firebase.firestore.sequential_index_writes_per_s")
        self.egress_price = self.price("firebase.firestore.egress_usd_per_gib")
        self.free_egress = self.price("firebase.firestore.free_egress_gib_per_month")

    def per_day(self, wl: Workload) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Document reads, writes and deletes a day; cache hits (if any) save reads."""
        calls = wl.requests_per_day()
        reads = cache_misses(calls * wl.reads_per_call, wl.cache_hit_rate)  # hits never reach Firestore
        return reads, calls * wl.writes_per_call, calls * wl.deletes_per_call

    def storage_gib(self, wl: Workload) -> np.ndarray:
        """Stored GiB: monthly active users x documents each x KiB each (or the stack's known total)."""
        derived = lambda: wl.monthly_active_users() * wl.docs_per_user * wl.doc_kb / KIB_PER_GIB  # noqa: E731
        return known_or(self.params.stored_gib, wl, derived)

    def egress_gib(self, wl: Workload) -> np.ndarray:
        """Outbound GiB a month: API calls a month x KiB each (or the stack's known total)."""
        return known_or(
            self.params.egress_gib, wl, lambda: wl.requests_per_month() * wl.egress_kb_per_call / KIB_PER_GIB
        )

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        reads, writes, _ = self.per_day(wl)
        seq = wl.peak_rps() * wl.writes_per_call * wl.sequential_write_share
        return [
            Metric(
                metric="sequential_index_writes_per_s",
                demand=seq,
                limit=self.seq_limit,
                unit="writes/s to one time-indexed collection",
            ),
            Metric(
                metric="reads_per_day", demand=reads, limit=self.free_reads, unit="document reads/day", kind="free_tier"
            ),
            Metric(
                metric="writes_per_day",
                demand=writes,
                limit=self.free_writes,
                unit="document writes/day",
                kind="free_tier",
            ),
            Metric(
                metric="egress_gib",
                demand=self.egress_gib(wl),
                limit=self.free_egress,
                unit="GiB/month",
                kind="free_tier",
            ),
        ]

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        reads, writes, deletes = self.per_day(wl)
        days = wl.days_per_month
        return [
            daily_quota_item("reads", "document reads", reads, "reads", self.free_reads, days, self.read_price),
            daily_quota_item("writes", "document writes", writes, "writes", self.free_writes, days, self.write_price),
            daily_quota_item(
                "deletes", "document deletes", deletes, "deletes", self.free_deletes, days, self.delete_price
            ),
            cost_item(
                "stored_data", "stored data", self.storage_gib(wl), "GiB-month", self.free_storage, self.storage_price
            ),
            # Outbound data transfer, billed per GiB past the free 10 GiB a month.
            cost_item("egress", "network egress", self.egress_gib(wl), "GiB", self.free_egress, self.egress_price),
        ]


class FirebaseAuthParams(Params):
    pass


@register
class FirebaseAuth(Component):
    """Firebase Authentication on Identity Platform: Tier 1 MAU bands and phone SMS."""

    type = "firebase_auth"
    Params = FirebaseAuthParams
    requires = {"sms_per_user_month": "verification SMS per monthly active user per month"}

    def setup(self) -> None:
        self.free_mau = self.price("firebase.auth.mau_free")
        self.bounds = [self.free_mau] + [self.price(f"firebase.auth.mau_tier{i}_start") for i in (2, 3, 4)]
        self.prices = [0.0] + [self.price(f"firebase.auth.mau_tier{i}_usd") for i in (1, 2, 3, 4)]
        self.sms_price = self.price("firebase.auth.sms_usd")
        self.sms_free_day = self.price("firebase.auth.sms_free_per_day")
        self.sms_cap = self.price("firebase.auth.sms_per_day_cap")

    def sms_per_day(self, wl: Workload) -> np.ndarray:
        return wl.monthly_active_users() * wl.sms_per_user_month / wl.days_per_month

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        return [
            Metric(metric="sms_per_day", demand=self.sms_per_day(wl), limit=self.sms_cap, unit="SMS/day"),
            Metric(
                metric="monthly_active_users",
                demand=wl.monthly_active_users(),
                limit=self.free_mau,
                unit="MAU",
                kind="free_tier",
            ),
        ]

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        mau = wl.monthly_active_users()
        sms_day = self.sms_per_day(wl)
        days = wl.days_per_month
        return [
            # Graduated MAU bands: 0-49,999 free, then 0.0055, 0.0046, 0.0032, 0.0025 USD.
            CostItem(
                key="monthly_active_users",
                item="monthly active users",
                quantity=mau,
                unit="MAU",
                free=self.free_mau,
                unit_price=self.prices[1],
                cost_usd=tiered(mau, self.bounds, self.prices),
            ),
            daily_quota_item(
                "phone_sms", "phone verification SMS", sms_day, "SMS", self.sms_free_day, days, self.sms_price
            ),
        ]


class FirebaseStorageParams(Params):
    always_free: bool = Field(False, description="bucket in US-CENTRAL1, US-EAST1 or US-WEST1")
    stored_gb: Quantity | None = Field(None, description="GB stored if known (replaces storage_mb_per_user)")
    downloaded_gb: Quantity | None = Field(None, description="GB downloaded a month if known")


@register
class FirebaseStorage(Component):
    """Cloud Storage for Firebase (Blaze): stored GB and downloads."""

    type = "firebase_storage"
    Params = FirebaseStorageParams
    requires = {
        "storage_mb_per_user": "MB of files per monthly active user (decimal: 1,000 MB = 1 GB)",
        "download_mb_per_user_day": "MB downloaded per daily user per day (decimal)",
    }

    def setup(self) -> None:
        self.storage_price = self.price("firebase.storage.usd_per_gb_month")
        self.egress_price = self.price("firebase.storage.egress_usd_per_gb")
        always = self.params.always_free
        self.free_gb = self.price("firebase.storage.free_gb") if always else 0.0
        self.free_egress = self.price("firebase.storage.free_egress_gb") if always else 0.0

    def metrics(self, wl: Workload) -> Sequence[Metric]:
        return []

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        p = self.params
        stored = known_or(p.stored_gb, wl, lambda: wl.monthly_active_users() * wl.storage_mb_per_user / MB_PER_GB)
        egress = known_or(
            p.downloaded_gb, wl, lambda: wl.users * wl.download_mb_per_user_day * wl.days_per_month / MB_PER_GB
        )
        return [
            cost_item("stored_files", "stored files", stored, "GB-month", self.free_gb, self.storage_price),
            cost_item("downloads", "downloads", egress, "GB", self.free_egress, self.egress_price),
        ]
