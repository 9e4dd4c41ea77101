"""What every component is: a small object that turns a workload into metrics and cost items.

A component is built from its stack entry (id, type, params) and the pricing catalog. It looks
its prices and limits up once, at construction, and then evaluates over arrays:
``metrics(wl)`` returns :class:`Metric` rows (demand against a limit) and ``costs(wl)`` returns
:class:`CostItem` rows (quantity, free allowance, unit price, monthly cost). The engine derives
utilization, status and max_users from them.

Every demand must be affine in ``users`` (a + b x users) with the rest of the workload fixed:
the engine finds max_users by evaluating the same functions at two user levels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from capkit.errors import StackError, first_error
from capkit.pricing import Catalog, PriceEntry
from capkit.workload import Workload

#: quota: a provider limit (throttling, errors); plan: what the chosen plan or size allows;
#: free_tier: where the free allowance ends and billing starts (never the bottleneck).
LimitKind = Literal["quota", "plan", "free_tier"]


@dataclass(frozen=True, kw_only=True)
class Metric:
    """One load figure: demand against a limit, both arrays (or scalars) in ``unit``.

    ``metric`` is its stable key (``read_units_per_s``), unique within the component: JSON,
    CSV, the labels file and tests name it by that key; data/labels.yaml gives its words."""

    metric: str
    demand: np.ndarray
    limit: np.ndarray | float
    unit: str
    kind: LimitKind = "quota"


@dataclass(frozen=True, kw_only=True)
class CostItem:
    """One billed item for a month: cost = max(quantity - free, 0) x unit_price unless tiered.

    ``key`` is stable and unique within the component (``put_requests``): exports, JSON and
    tests find an item by it. ``item`` is the words shown to people (``PUT requests``)."""

    key: str
    item: str
    quantity: np.ndarray | float
    unit: str
    free: np.ndarray | float
    unit_price: np.ndarray | float
    cost_usd: np.ndarray | float


@dataclass(frozen=True)
class QueueSpec:
    """An M/M/c view of a fixed-capacity pool, arrays over the workload: ``servers`` (count),
    ``service_rate_per_s`` (requests one server completes per second) and
    ``arrival_rate_per_s`` (peak arrivals per second)."""

    servers: np.ndarray
    service_rate_per_s: np.ndarray
    arrival_rate_per_s: np.ndarray


class Params(BaseModel):
    """Base for component parameters: unknown keys are errors, and no number is NaN or infinite
    (each field also states its own bounds)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


#: A size, share or count given as a number (above 0) or as the name of a declared assumption
#: (whose own range then bounds it).
PositiveOrAssumption = Annotated[float, Field(gt=0)] | str
#: The same, where 0 is allowed.
NonNegativeOrAssumption = Annotated[float, Field(ge=0)] | str


class Quantity(BaseModel):
    """A total you know from your dashboard or invoice, given instead of the per-call figures
    it would be derived from: ``{per_month: 300}`` (a fixed amount each month) or
    ``{per_user: 0.002}`` (per monthly active user each month). Either may name an assumption,
    which then becomes a slider with its own range."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    per_month: NonNegativeOrAssumption | None = Field(None, description="a fixed amount each month")
    per_user: NonNegativeOrAssumption | None = Field(None, description="per monthly active user each month")

    @model_validator(mode="after")
    def _one_of(self) -> Quantity:
        if (self.per_month is None) == (self.per_user is None):
            raise ValueError("give exactly one of per_month or per_user")
        return self

    def refs(self) -> list[str]:
        """The assumption it names, if any."""
        return [v for v in (self.per_month, self.per_user) if isinstance(v, str)]

    def monthly(self, wl: Workload) -> np.ndarray:
        """The amount each month, as an array of the workload's length (affine in users)."""
        if self.per_month is not None:
            value = wl[self.per_month] if isinstance(self.per_month, str) else self.per_month
            return full(value, wl.n)
        value = wl[self.per_user] if isinstance(self.per_user, str) else self.per_user
        return wl.monthly_active_users() * value


def known_or(quantity: Quantity | None, wl: Workload, derived: Callable[[], np.ndarray]) -> np.ndarray:
    """A stack's known total (``quantity``) if it gives one, else the figure derived from its
    per-call assumptions (called only then, so the assumptions it reads are not read)."""
    return quantity.monthly(wl) if quantity is not None else derived()


REGISTRY: dict[str, type[Component]] = {}


def register(cls: type[Component]) -> type[Component]:
    """Class decorator: make a component type available to stack files by its ``type`` name,
    after checking its contract: a new lowercase ``type``, a ``Params`` model of its own, a
    unit for every read in ``requires``, and a catalog-free ``LIMIT_FIELDS`` of strings."""
    problems = []
    if not cls.type or not cls.type.replace("_", "").isalnum() or cls.type != cls.type.lower():
        problems.append(f"type {cls.type!r} is not a lowercase name")
    if cls.type in REGISTRY and REGISTRY[cls.type] is not cls:
        problems.append(f"type {cls.type!r} is already registered by {REGISTRY[cls.type].__name__}")
    if not (isinstance(cls.Params, type) and issubclass(cls.Params, Params)):
        problems.append("Params is not a capkit Params model")
    problems += [f"requires[{k!r}] names no unit" for k, unit in cls.requires.items() if not str(unit).strip()]
    problems += [f"LIMIT_FIELDS[{k!r}] is not a field name" for k, f in cls.LIMIT_FIELDS.items() if not f]
    if problems:
        raise TypeError(f"component {cls.__name__}: {'; '.join(problems)}")
    REGISTRY[cls.type] = cls
    return cls


class Component:
    """Base class. Subclasses set ``type``, ``Params`` and ``requires`` and implement
    ``metrics`` and ``costs``."""

    type: ClassVar[str] = ""
    Params: ClassVar[type[Params]] = Params
    #: Every assumption (stack workload field, universal ones aside) the component reads, with
    #: the unit it reads it in. A stack must declare each; ``capkit stack check`` verifies that
    #: the component reads nothing else (:func:`capkit.stack.undeclared_reads`).
    requires: ClassVar[Mapping[str, str]] = {}
    #: Metric key -> the field of the plan's catalog table that is its limit (where it is one).
    LIMIT_FIELDS: ClassVar[Mapping[str, str]] = {}

    def __init__(self, id: str, params: Mapping[str, Any], catalog: Catalog, where: str = ""):
        self.id = id
        self.where = where or f"component {id}"
        try:
            self.params = self.Params.model_validate(dict(params))
        except ValidationError as exc:
            raise StackError(f"{self.where}: params.{first_error(exc, self.Params)}") from None
        self.catalog = catalog
        self.price_keys: list[str] = []
        #: Prices written in the stack file itself (with source and date), by ``<id>.<field>``.
        self.own_prices: dict[str, PriceEntry] = {}
        self.peers: dict[str, Component] = {}
        self.setup()

    def with_params(self, **changes: Any) -> Component:
        """The same component (type, id, catalog) with some params changed, validated like a
        stack file's: the one way the sizing and the roadmap rebuild a component. The params its
        options choose among are the same however it is configured, so they are kept."""
        rebuilt = REGISTRY[self.type](self.id, {**self.params.model_dump(), **changes}, self.catalog, self.where)
        if "_option_keys" in self.__dict__:
            rebuilt._option_keys = self._option_keys
        return rebuilt

    # --- construction helpers -------------------------------------------------------------
    def setup(self) -> None:
        """Look up prices and limits; called once at construction."""

    def price(self, key: str) -> float:
        """A catalog value, remembering the key so reports can list the sources used."""
        if key not in self.price_keys:
            self.price_keys.append(key)
        return self.catalog.value(key)

    def plan_value(self, prefix: str, plan: str, field: str) -> float:
        """``<prefix>.<plan>.<field>`` from the catalog; a StackError lists the plans."""
        plans = self.catalog.plans(prefix, "usd_per_hour" if prefix.endswith(".compute") else "price_usd_per_month")
        if plan not in plans:
            raise StackError(f"{self.where}: plan {plan!r} is not one of: {', '.join(plans)}")
        return self.price(f"{prefix}.{plan}.{field}")

    def plan_value_or(self, prefix: str, plan: str, field: str, default: float) -> float:
        """Like :meth:`plan_value`, with ``default`` where the plan has no such field."""
        key = f"{prefix}.{plan}.{field}"
        if key in self.catalog:
            return self.plan_value(prefix, plan, field)
        self.plan_value(prefix, plan, "price_usd_per_month")  # validates the plan name
        return default

    def bind(self, components: Mapping[str, Component]) -> None:
        """Give the component the stack's other components (for connection counts)."""
        self.peers = dict(components)

    # --- evaluation -----------------------------------------------------------------------
    def metrics(self, wl: Workload) -> Sequence[Metric]:
        raise NotImplementedError

    def costs(self, wl: Workload) -> Sequence[CostItem]:
        raise NotImplementedError

    def notes(self, wl: Workload) -> list[str]:
        """Plain-language remarks on a single plan (first workload value); none by default."""
        return []

    def options(self) -> list[dict[str, Any]]:
        """Other configurations the roadmap may choose (params to change); none by default."""
        return []

    def plan_tables(self) -> dict[str, str]:
        """Param -> the catalog table its value names (``{"plan": "render.web"}``): where the
        catalog says whether that plan is fit for a product that takes money."""
        return {}

    def limit_key(self, metric: str, option: Mapping[str, Any] | None = None) -> str | None:
        """The catalog key the limit of ``metric`` comes from, for ``option`` (default: the
        plan as written), such as a plan table's ``max_connections``; None where the limit is
        not one catalog entry."""
        field = self.LIMIT_FIELDS.get(metric)
        if field is None or not self.plan_tables():
            return None
        param, table = next(iter(self.plan_tables().items()))
        plan = {**dict(self.params), **(option or {})}[param]
        key = f"{table}.{plan}.{field}"
        return key if key in self.catalog else None

    def monotone(self, option: Mapping[str, Any]) -> dict[str, float]:
        """Figures of an option (its params over the ones as written) that the provider never
        lets decrease, such as an instance type's memory or a disk; the roadmap moves only to
        options where each is at least as large. None by default."""
        return {}

    def unfit(self, option: Mapping[str, Any] | None = None) -> str | None:
        """Why the component, with ``option``'s params (default: as written), is unfit for a
        product that takes money (a plan that sleeps, expires, pauses or is non-commercial,
        from the catalog's ``production`` entries), or None where it is fit."""
        params = {**self.params.model_dump(), **(option or {})}
        for param, prefix in self.plan_tables().items():
            reason = self.catalog.unfit_reason(prefix, params.get(param))
            if reason is not None:
                return f"{params.get(param)}: {reason}"
        return None

    def configuration(self) -> dict[str, Any]:
        """The params its options choose among (plan, instances...), at their current values."""
        keys = self.__dict__.get("_option_keys")
        if keys is None:  # the options depend on params and catalog only: list them once
            keys = self._option_keys = list(dict.fromkeys(k for option in self.options() for k in option))
        params = self.params.model_dump()
        # A param left to the catalog's default (Lambda's concurrency quota) shows that default.
        return {k: params[k] if params.get(k) is not None else getattr(self, k, None) for k in keys}

    def db_connections(self, wl: Workload) -> np.ndarray:
        """Database connections this component opens (clients of a database override this)."""
        return np.zeros(wl.n)

    # --- optional capabilities (a component that has one overrides it) ----------------------
    @property
    def assumption_refs(self) -> list[str]:
        """Assumptions named inside params (a table's ``item_kb: event_kb``, a known
        quantity's ``per_month: egress_gb``), read besides ``requires``."""
        return [r for v in dict(self.params).values() if isinstance(v, Quantity) for r in v.refs()]

    def client_ids(self) -> list[str]:
        """Ids of the components whose connections this one receives (a database's clients)."""
        return []

    def queue(self, wl: Workload) -> QueueSpec | None:
        """The pool's M/M/c view for latency, or None for a component with no fixed pool."""
        return None


# --- shared formula helpers -------------------------------------------------------------------
def full(values: np.ndarray | float, n: int) -> np.ndarray:
    """``values`` as a float array of length ``n`` (broadcast only when it is not one already)."""
    array = np.asarray(values, dtype=float)
    return array if array.shape == (n,) else np.broadcast_to(array, (n,))


def cache_misses(requests: np.ndarray | float, cache_hit_rate: np.ndarray | float) -> np.ndarray:
    """Requests (any count or rate) that get past a cache to the store behind it: the cache
    answers ``cache_hit_rate`` of them (a fraction, 0 to 1)."""
    return requests * (1.0 - cache_hit_rate)


def billed(quantity: np.ndarray, free: np.ndarray | float, unit_price: float) -> np.ndarray:
    """Pay-as-you-go with a free allowance: max(quantity - free, 0) x unit price, in USD.

    ``quantity`` and ``free`` in the item's billing unit (requests, GB-month...), ``unit_price``
    in USD per that unit."""
    return np.maximum(quantity - free, 0.0) * unit_price


def tiered(quantity: np.ndarray, bounds: Sequence[float], prices: Sequence[float]) -> np.ndarray:
    """Graduated pricing in USD: each slice of ``quantity`` pays its own tier's price.

    ``bounds`` are the cumulative upper ends of all tiers but the last (which is open), in the
    quantity's unit; ``prices`` are USD per unit, one per tier.
    Example: Lambda x86 duration, 6B GB-s at tier 1, the next 9B at tier 2, the rest at tier 3.
    """
    edges = [0.0, *bounds, np.inf]
    total = np.zeros_like(np.asarray(quantity, dtype=float))
    for lo, hi, price in zip(edges[:-1], edges[1:], prices, strict=True):
        total = total + np.clip(quantity - lo, 0.0, hi - lo) * price
    return total


def cost_item(
    key: str, item: str, quantity: np.ndarray, unit: str, free: np.ndarray | float, unit_price: float
) -> CostItem:
    """A pay-as-you-go item billed by :func:`billed`."""
    return CostItem(
        key=key,
        item=item,
        quantity=quantity,
        unit=unit,
        free=free,
        unit_price=unit_price,
        cost_usd=billed(quantity, free, unit_price),
    )


def fixed_fee(key: str, item: str, count: float | np.ndarray, unit: str, price: float, n: int) -> CostItem:
    """A flat monthly fee (plan, instance): count x price."""
    count = np.broadcast_to(np.asarray(count, dtype=float), (n,))
    return CostItem(key=key, item=item, quantity=count, unit=unit, free=0.0, unit_price=price, cost_usd=count * price)
