"""One scenario for every face: stack, workload and sizing in; plan, sweep, charts, roadmap out.

The planner, the compare page, the analysis page, reports, case studies and the CLI all ask a
:class:`Scenario` (or :func:`compare`) instead of chaining evaluate, sweep and the chart
builders themselves. Every figure is computed on first use and kept, so a face that shows the
headline first pays for the charts only when it draws them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from capkit.engine import USER_LEVELS as ENGINE_USER_LEVELS
from capkit.engine import evaluate, sweep, sweep_table, user_levels
from capkit.errors import InputError
from capkit.labels import labeller
from capkit.plan import Plan
from capkit.sizing import check_sizing, right_size, right_sized_evaluation
from capkit.stack import Stack, load_stack, preset_names
from capkit.tables import configuration_text, count, metric_label, money, per_user, roadmap_shown, share
from capkit.workload import UNIVERSAL, Interval, Workload, check_range

if TYPE_CHECKING:
    import altair as alt

    from capkit.analysis.roadmap import Phase
    from capkit.growth import Growth

#: User levels the charts sweep over (engine.USER_LEVELS: 100 to 100,000,000, 20 a decade).
USER_LEVELS = ENGINE_USER_LEVELS

#: The business inputs compare holds equal for every stack; each keeps its technical ones.
BUSINESS = ("users", "calls_per_user", "conversion_rate", "price_usd", "payment_fee_rate", "payment_fee_usd", "dau_mau")


@dataclass
class Scenario:
    """A stack on a workload in one sizing (``right-sized`` or ``as-configured``); right-sized
    leaves out plans unfit for a paying product unless ``allow_hobby``."""

    stack: Stack
    workload: Workload
    sizing: str = "right-sized"
    allow_hobby: bool = False

    def __post_init__(self) -> None:
        check_sizing(self.sizing)
        if self.workload.n != 1:
            raise InputError(f"a scenario is one workload; this one has {self.workload.n} values")

    @classmethod
    def of(
        cls,
        stack: str | Path | Stack,
        values: Mapping[str, float] | None = None,
        sizing: str = "right-sized",
        root: Path | str | None = None,
        allow_hobby: bool = False,
    ) -> Scenario:
        """A scenario from a preset name or stack file and workload values (the rest: defaults)."""
        s = stack if isinstance(stack, Stack) else load_stack(stack, root=root)
        return cls(s, s.workload(**dict(values or {})), sizing, allow_hobby)

    @property
    def users(self) -> float:
        return float(self.workload.users[0])

    def adopt_sweeps(self, earlier: Scenario | None) -> None:
        """Reuse ``earlier``'s sweeps when only the users differ: they span the chart levels, so
        they do not depend on the users value (a users slider change then costs one plan)."""
        if (
            earlier is None
            or earlier.stack is not self.stack
            or earlier.sizing != self.sizing
            or earlier.allow_hobby != self.allow_hobby
            or {k: v for k, v in earlier.workload.scalars().items() if k != "users"}
            != {k: v for k, v in self.workload.scalars().items() if k != "users"}
        ):
            return
        for name in ("table", "configured_table", "labels"):
            if name in earlier.__dict__:
                self.__dict__[name] = earlier.__dict__[name]  # functools.cached_property's slot

    @functools.cached_property
    def plan(self) -> Plan:
        """The plan in this scenario's sizing."""
        if self.sizing == "right-sized":
            return right_size(self.stack, self.workload, self.allow_hobby)
        return self.as_configured

    @functools.cached_property
    def as_configured(self) -> Plan:
        """The stack as written, whatever the sizing (the planner's toggle, the dashed curve)."""
        return evaluate(self.stack, self.workload)

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """The sweep over the chart levels, in this scenario's sizing."""
        if self.sizing == "right-sized":
            return sweep_table(right_sized_evaluation(self.stack, self.workload, USER_LEVELS, self.allow_hobby))
        return self.configured_table

    @functools.cached_property
    def configured_table(self) -> pd.DataFrame:
        """The sweep of the stack as written."""
        return sweep(self.stack, self.workload, USER_LEVELS)

    @functools.cached_property
    def labels(self) -> dict[str, str]:
        """``component.metric`` -> its readable label, for every metric of the sweep."""
        names = labeller(self.stack)
        cols = [c.removeprefix("utilization:") for c in self.table.columns if c.startswith("utilization:")]
        return {c: names.metric(*c.split(".", 1)) for c in cols}

    def sweep(self, users: Sequence[float] | np.ndarray) -> pd.DataFrame:
        """The sweep table over ``users`` (levels above 0, within the users field's range), in
        this scenario's sizing; the bounds on the work (levels, options x levels) are checked
        before any is done."""
        levels = np.atleast_1d(np.asarray(users, dtype=float))
        if self.sizing == "as-configured":
            return sweep(self.stack, self.workload, levels)
        check_range("users", levels, UNIVERSAL["users"])
        if (levels <= 0).any():
            raise InputError("users: right-sizing needs user levels above 0")
        return sweep_table(right_sized_evaluation(self.stack, self.workload, levels, self.allow_hobby))

    def roadmap(self, levels: Sequence[float] | np.ndarray | None = None) -> list[Phase]:
        """The roadmap's phases over ``levels`` (default: a tenth of today's users to a thousand
        times, computed once per scenario: the analysis page shows it twice, table then chart)."""
        from capkit.analysis.roadmap import roadmap

        if levels is not None:
            return roadmap(self.stack, self.workload, levels, self.allow_hobby)
        return self._default_roadmap

    @functools.cached_property
    def _default_roadmap(self) -> list[Phase]:
        from capkit.analysis.roadmap import roadmap

        users = max(self.users, 100.0)
        levels = user_levels(max(100.0, users / 10), min(1e9, users * 1000))
        return roadmap(self.stack, self.workload, levels, self.allow_hobby)

    def band(self, draws: int = 300, seed: int = 0, ranges: Mapping[str, Interval] | None = None) -> pd.DataFrame:
        """The cost band over the chart levels (every other one): ``draws`` Monte Carlo draws of
        the ranged assumptions (``ranges``, else every one the stack declares a range for)."""
        from capkit.analysis.uncertainty import simulate_curve

        return simulate_curve(self.stack, self.workload, USER_LEVELS[::2], n=draws, seed=seed, ranges=ranges)

    def charts(self, band: pd.DataFrame | None = None) -> dict[str, alt.TopLevelMixin]:
        """The three planner charts: cost by component, cost and revenue, utilization."""
        from capkit import charts

        plan = self.plan
        configured = None
        if self.sizing == "right-sized":
            configured = self.configured_table
        return {
            "cost-by-component": charts.cost_by_component(plan),
            "cost-and-revenue": charts.cost_and_revenue(
                self.table,
                self.users,
                plan.summary["max_users"],
                band=band,
                as_configured=configured,
                cost_usd=plan.summary["monthly_cost_usd"],
            ),
            "utilization": charts.utilization(self.table, self.users, labels=self.labels),
        }


def roadmap_from_today(table: pd.DataFrame, growth: Growth) -> pd.DataFrame:
    """A roadmap table as displayed from today's users (``growth.users``): the phases that end
    below them fold into one row ("behind today"), the phase they fall in begins "now", and
    each later phase begins on the date ``growth`` reaches its first level (or "never")."""
    from capkit.growth import date_after, months_until

    behind = table[table["users_to"] < growth.users]
    ahead = table[table["users_to"] >= growth.users]
    rows = []
    if len(behind):
        rows.append(
            {
                "begins": f"behind today ({len(behind)} phase{'s' if len(behind) != 1 else ''})",
                "users_from": count(behind["users_from"].iloc[0]),
                "users_to": count(behind["users_to"].iloc[-1]),
                "cost_from_usd": money(behind["cost_from_usd"].iloc[0]),
                "cost_to_usd": money(behind["cost_to_usd"].iloc[-1]),
                "actions": "",
                "configuration": "",
                "fits": "",
            }
        )
    shown = roadmap_shown(ahead)
    for (_, r), users_from in zip(shown.iterrows(), ahead["users_from"], strict=True):
        if users_from <= growth.users:
            begins = "now (today's users)"
        else:
            day = date_after(growth.as_of, months_until(users_from, growth.users, growth.rate_monthly))
            begins = "never at this growth" if day is None else day.isoformat()
        rows.append({"begins": begins, **r.to_dict()})
    return pd.DataFrame(rows, columns=["begins", *shown.columns])


# --- compare --------------------------------------------------------------------------------
def business_values(values: Mapping[str, float] | None = None) -> dict[str, float]:
    """The business workload compare gives every stack: capkit's defaults, then ``values``."""
    values = dict(values or {})
    out = {k: UNIVERSAL[k].default for k in BUSINESS}
    out.update(values)
    return out


@dataclass(frozen=True)
class SharedWorkload:
    """The business workload compare gives every stack: each value with where it comes from
    (capkit's default, the stack it is taken from, or set by the user), and each value a stack
    declared for itself that the shared one replaces."""

    values: dict[str, float]
    sources: dict[str, str]
    replaced: list[str]

    def lines(self) -> list[str]:
        """A line per business value ("calls_per_user 10 calls/user/day (capkit's default)"),
        then one per value a stack's own replaced."""
        out = [
            f"{k} {self.values[k]:,.6g} {UNIVERSAL[k].unit} ({self.sources[k]})" for k in BUSINESS if k in self.values
        ]
        return out + [f"replaces {r}" for r in self.replaced]

    def table(self) -> pd.DataFrame:
        """The values as a table for people: input, value, unit, from where."""
        return pd.DataFrame(
            {
                "business input": list(self.values),
                "value": [f"{v:,.6g}" for v in self.values.values()],
                "unit": [UNIVERSAL[k].unit for k in self.values],
                "from": [self.sources[k] for k in self.values],
            }
        )


def _declares(stack: Stack, key: str) -> bool:
    """Whether ``stack``'s file declares its own default for the universal field ``key`` (its
    ``defaults`` section)."""
    return key in stack.spec.defaults


def shared_workload(
    stacks: Sequence[Stack], values: Mapping[str, float] | None = None, workload_from: str | None = None
) -> SharedWorkload:
    """The business workload for ``stacks``: capkit's defaults, then the defaults of the stack
    named ``workload_from`` (one of them), then ``values`` (set by the user)."""
    by_name = {s.name: s for s in stacks}
    if workload_from is not None and workload_from not in by_name:
        raise InputError(
            f"not one of the stacks compared; allowed: {', '.join(by_name)}",
            what="workload_from",
            name=repr(workload_from),
        )
    given = {k: v for k, v in (values or {}).items() if k in BUSINESS}
    shared, sources = {}, {}
    for k in BUSINESS:
        if k in given:
            shared[k], sources[k] = float(given[k]), "set"
        elif workload_from is not None:
            spec = by_name[workload_from].specs[k]
            shared[k] = spec.default
            sources[k] = f"{workload_from}'s" if _declares(by_name[workload_from], k) else "capkit's default"
        else:
            shared[k], sources[k] = UNIVERSAL[k].default, "capkit's default"
    replaced = [
        f"{s.name}'s own {k} {s.specs[k].default:,.6g}"
        for s in stacks
        for k in BUSINESS
        if _declares(s, k) and s.specs[k].default != shared[k] and k not in given
    ]
    return SharedWorkload(shared, sources, replaced)


def check_stacks(names: Sequence[str]) -> list[str]:
    """Two to four distinct stack names (presets or files), else an InputError naming them."""
    names = [n.strip() for n in names if n.strip()]
    if not 2 <= len(names) <= 4:
        raise InputError(
            f"give two to four stacks separated by commas, got {len(names)} "
            f"({', '.join(names) or 'none'}); presets: {', '.join(preset_names())}",
            what="stacks",
            allowed="two to four stacks",
        )
    if len(set(names)) != len(names):
        raise InputError(f"{', '.join(names)} names a stack twice", what="stacks")
    return names


@dataclass
class Comparison:
    """Two to four scenarios on one business workload, and that workload with its sources."""

    scenarios: dict[str, Scenario]
    workload: SharedWorkload

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        """The compare rows (see :func:`compare_row`), one per stack."""
        return compare_frame(self.scenarios)


def comparison(
    stacks: Sequence[str | Stack],
    values: Mapping[str, float] | None = None,
    sizing: str = "right-sized",
    root: Path | str | None = None,
    allow_hobby: bool = False,
    workload_from: str | None = None,
) -> Comparison:
    """One scenario per stack on one business workload (each stack keeps its technical inputs).

    ``values`` may set business inputs (users, calls per user, conversion, price, fees,
    DAU/MAU) and any technical assumption; a technical one applies to the stacks that declare
    it and must be declared by at least one. The business inputs not set are capkit's defaults,
    or those of the stack ``workload_from`` names (as given in ``stacks``; see
    :func:`shared_workload`).
    """
    names = check_stacks([s if isinstance(s, str) else s.name for s in stacks])
    loaded = [s if isinstance(s, Stack) else load_stack(s, root=root) for s in stacks]
    values = dict(values or {})
    named = dict(zip(names, loaded, strict=True))
    if workload_from is not None and workload_from not in named:
        raise InputError(
            f"not one of the stacks compared ({', '.join(names)})", what="workload_from", name=repr(workload_from)
        )
    shared = shared_workload(loaded, values, None if workload_from is None else named[workload_from].name)
    technical = {k: v for k, v in values.items() if k not in BUSINESS}
    declared = {k for s in loaded for k in s.specs}
    unknown = sorted(set(technical) - declared)
    if unknown:
        raise InputError(
            f"no stack of {', '.join(names)} declares it; business inputs: {', '.join(BUSINESS)}",
            what="setting",
            name=unknown[0],
        )
    out = {}
    for name, s in zip(names, loaded, strict=True):
        own = {k: v for k, v in technical.items() if k in s.specs}
        out[name] = Scenario(s, s.workload(**shared.values, **own), sizing, allow_hobby)
    return Comparison(out, shared)


def compare_row(name: str, sc: Scenario) -> dict[str, Any]:
    """One stack's row: cost, cost per user, revenue, margin, configuration, the next limit."""
    p = sc.plan
    s = p.summary
    b = s["bottleneck"]
    label = None if b is None else metric_label(p, b["component"], b["metric"])
    return {
        "stack": name,
        "sizing": p.sizing,
        "users": sc.users,
        "monthly_cost_usd": s["monthly_cost_usd"],
        "cost_per_user_usd": s["cost_per_user_usd"],
        "revenue_usd": s["revenue_usd"],
        "margin": s["margin"],
        "configuration": p.configuration,
        "configuration_text": configuration_text(p.configuration, p.names),
        "actions": list(p.actions),
        "fits": p.fits,
        "next_limit": None if b is None else f"{b['component']}.{b['metric']}",
        "next_limit_label": label,
        "next_limit_users": s["max_users"],
        "no_fit": [limit["label"] for limit in p.limits],
    }


def compare(
    stacks: Sequence[str | Stack],
    values: Mapping[str, float] | None = None,
    sizing: str = "right-sized",
    root: Path | str | None = None,
    allow_hobby: bool = False,
    workload_from: str | None = None,
) -> pd.DataFrame:
    """Two to four stacks on one business workload, each right-sized (or as written).

    Parameters
    ----------
    stacks : sequence of str or Stack
        Preset names, stack file paths or stacks.
    values : mapping, optional
        Business inputs every stack shares (users in daily active users, calls_per_user a
        day, conversion_rate and dau_mau as shares, price_usd a month, payment fees) and any
        technical assumption (applied to the stacks that declare it), each in its unit.
    sizing : {"right-sized", "as-configured"}, default "right-sized"
    root : path, optional
        The folder stack files must lie under (the app's), or anywhere when None.
    allow_hobby : bool, default False
        Let right-sizing choose plans unfit for a paying product.
    workload_from : str, optional
        One of ``stacks``: its own business values are the shared ones (default: capkit's).

    Returns
    -------
    DataFrame
        One row per stack (see :func:`compare_row`); :func:`comparison` also gives the shared
        workload and where each value comes from.
    """
    return comparison(stacks, values, sizing, root, allow_hobby, workload_from).frame


def compare_frame(scenarios: Mapping[str, Scenario]) -> pd.DataFrame:
    """The compare rows of named scenarios (see :func:`compare_row`), one per stack."""
    return pd.DataFrame([compare_row(n, sc) for n, sc in scenarios.items()])


def compare_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The compare rows as displayed (money, counts, the configuration in words)."""
    return pd.DataFrame(
        {
            "stack": frame["stack"],
            "monthly cost": frame["monthly_cost_usd"].map(money),
            "per user": frame["cost_per_user_usd"].map(lambda x: per_user(None if pd.isna(x) else x)),
            "revenue": frame["revenue_usd"].map(money),
            "margin": frame["margin"].map(lambda x: share(None if pd.isna(x) else x)),
            "configuration": frame["configuration_text"],
            "next limit": [
                "none" if lab is None else f"{lab} at {count(u)} users"
                for lab, u in zip(frame["next_limit_label"], frame["next_limit_users"], strict=True)
            ],
            "fits": [
                "yes" if ok else "no option fits: " + "; ".join(no)
                for ok, no in zip(frame["fits"], frame["no_fit"], strict=True)
            ],
        }
    )
