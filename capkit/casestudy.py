"""Case studies: a seed analysis's own figures beside capkit's computation of them.

A case study file (capkit/casestudies/*.yaml) holds only what the document says: its
assumptions, its prices and its figures, each with the section it comes from, plus the
simplifications its arithmetic makes (traffic spread over 24 hours, one DynamoDB unit per
read, no GSIs...). Everything else is computed here:

* the **document's method**: the preset stack with the document's simplifications, priced
  with the document's prices, on the document's assumptions;
* **factors**: the things the document left out, added one at a time (cumulatively) until the
  last step is capkit's full model on the current pricing catalog;
* every figure evaluated under every step: one engine call per step over all the figures'
  user levels at once.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from capkit import charts
from capkit.engine import Evaluation, evaluate_arrays
from capkit.errors import InputError, StackError, first_error, shown
from capkit.pricing import default_catalog
from capkit.stack import Stack, build_stack, load_stack, stack_source
from capkit.tables import count, money
from capkit.workload import Workload
from capkit.yamlfile import read_yaml

#: A document figure within this share of capkit's recomputation of its method agrees with it.
AGREE_WITHIN = 0.10


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Setting(_Model):
    field: str
    value: float = Field(allow_inf_nan=False)
    section: str = Field(min_length=1)


class DocumentPrice(_Model):
    key: str
    value: float = Field(allow_inf_nan=False, ge=0)
    section: str = Field(min_length=1)


class Simplification(_Model):
    """One way the document's arithmetic differs from the provider's rules."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    settings: dict[str, float] = {}
    prices: dict[str, float] = {}
    patches: dict[str, Any] = {}
    section: str = Field(min_length=1)


class Factor(_Model):
    """A step from the document's method towards capkit's model: what the document left out."""

    label: str
    why: str
    undo: list[str] = []  # simplification ids this step removes
    settings: dict[str, float] = {}
    current_prices: bool = False  # drop the document's prices: the current catalog from here on


class DocFigure(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    section: str = Field(min_length=1)
    users: float = Field(gt=0)
    value: float = Field(allow_inf_nan=False)
    unit: str
    measure: str
    scale: float = 1.0  # figure = measure x scale (60 for a per-minute figure from a per-second one)
    note: str = ""


class CaseStudyFile(_Model):
    seed: str
    title: str
    product: str
    date: str
    stack: str
    summary: str
    #: Patches to the preset that describe the document's own configuration (kept in every step).
    configuration: dict[str, Any] = {}
    assumptions: list[Setting]
    prices: list[DocumentPrice] = []
    simplifications: list[Simplification] = []
    factors: list[Factor] = Field(min_length=1)
    figures: list[DocFigure] = Field(min_length=1)
    scales: list[float] = Field(min_length=1)


def casestudies_dir() -> Path:
    """The folder of the bundled case study files."""
    return Path(str(resources.files("capkit") / "casestudies"))


def case_study_names() -> list[str]:
    return sorted(p.stem for p in casestudies_dir().glob("*.yaml"))


# --- stack patches ----------------------------------------------------------------------------
def _step_into(node: Any, part: str, where: str) -> Any:
    """One path step: a mapping key, a list index, or the list item whose id or name is ``part``."""
    if isinstance(node, Mapping):
        if part not in node:
            raise StackError(f"{where}: no key {part!r}; has {', '.join(map(str, node))}")
        return node[part]
    if isinstance(node, list):
        if part.isdigit():
            return node[int(part)]
        for item in node:
            if isinstance(item, Mapping) and part in (item.get("id"), item.get("name")):
                return item
        raise StackError(f"{where}: no list item with id or name {part!r}")
    raise StackError(f"{where}: cannot step into {type(node).__name__} with {part!r}")


def patch_stack(raw: Mapping[str, Any], patches: Mapping[str, Any], where: str = "patch") -> dict[str, Any]:
    """A copy of a parsed stack file with ``patches`` applied.

    A patch path is dotted: ``components.dynamodb.params.tables.stj_subscribers.gsis``; list
    items are found by index or by their ``id`` / ``name``.
    """
    out = copy.deepcopy(dict(raw))
    for path, value in patches.items():
        *parents, last = path.split(".")
        node: Any = out
        for part in parents:
            node = _step_into(node, part, f"{where} {path}")
        if isinstance(node, list):
            node[node.index(_step_into(node, last, f"{where} {path}"))] = copy.deepcopy(value)
        elif isinstance(node, dict):
            node[last] = copy.deepcopy(value)
        else:
            raise StackError(f"{where} {path}: cannot set {last!r} on {type(node).__name__}")
    return out


# --- measures ---------------------------------------------------------------------------------
def measure(ev: Evaluation, spec: str) -> np.ndarray:
    """One figure from an evaluation, named by ``spec``.

    ``cost`` (USD/month), ``cost:<component>``, ``cost:<component>:<key>[+<key>...]`` (the sum of
    the named cost items, by their stable keys),
    ``max_users:<component>.<metric>``, ``demand:<component>.<metric>``, ``bottleneck_users``,
    ``revenue`` (USD/month after fees), ``margin`` (fraction), ``cost_per_user[:<component>]``
    (USD per daily active user per month); a ``/day`` suffix divides a monthly figure by the
    days in the month.
    """
    if spec.endswith("/day"):  # a monthly figure per day of the billing month
        return measure(ev, spec.removesuffix("/day")) / ev.workload.days_per_month
    kind, _, arg = spec.partition(":")
    if kind == "cost" and not arg:
        return ev.monthly_cost_usd()
    if kind == "cost":
        comp, _, item = arg.partition(":")
        if not item:
            return ev.component_cost_usd(comp)
        keys = {c.item.key: c.cost_usd for c in ev.costs if c.component == comp}
        unknown = [k for k in item.split("+") if k not in keys]
        if unknown:
            raise InputError(f"measure {spec!r}: {comp} has no cost item {unknown[0]!r}; its items: {', '.join(keys)}")
        return functools.reduce(np.add, (keys[k] for k in item.split("+")))
    if kind in ("max_users", "demand"):
        for m in ev.metrics:
            if f"{m.component}.{m.metric}" == arg:
                return m.max_users if kind == "max_users" else m.demand
        raise InputError(f"measure {spec!r}: no metric {arg!r}")
    if kind == "cost_per_user":  # monthly cost (of one component, or all) over daily active users
        return (ev.component_cost_usd(arg) if arg else ev.monthly_cost_usd()) / np.maximum(ev.users, 1.0)
    simple = ("bottleneck_users", "revenue", "margin")
    if kind in simple and not arg:
        s = ev.summary()
        return {"bottleneck_users": s["max_users"], "revenue": s["revenue_usd"], "margin": s["margin"]}[kind]
    raise InputError(f"measure {spec!r}: expected cost[:component[:item]], max_users:, demand:, {', '.join(simple)}")


def fmt(value: float, unit: str) -> str:
    """A figure as the tables show it."""
    if not np.isfinite(value):
        return "never" if unit == "users" else "n/a"
    if unit.startswith("USD"):
        return money(value) if abs(value) >= 0.01 or value == 0 else f"${value:.2g}"
    if unit == "fraction":
        return f"{value:.2%}"
    return count(value)


def _without_users(settings: Mapping[str, float]) -> dict[str, float]:
    """Settings for an evaluation at given user levels: the figures set users themselves."""
    return {k: v for k, v in settings.items() if k != "users"}


# --- the case study ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    label: str
    why: str
    stack: Stack
    settings: dict[str, float]
    values: np.ndarray  # one per figure


class CaseStudy:
    """A seed document reproduced: the document's method, the factors, the figures under each."""

    def __init__(self, spec: CaseStudyFile, path: Path, settings: Mapping[str, float] | None = None):
        self.spec = spec
        self.path = path
        self.extra = dict(settings or {})
        self.raw = read_yaml(*stack_source(spec.stack), StackError)
        self.steps = self._run()

    # -- scenarios
    def _stack(self, active: Sequence[Simplification], current: bool, settings: Mapping[str, float]) -> Stack:
        prices: dict[str, float] = {} if current else {p.key: p.value for p in self.spec.prices}
        patches: dict[str, Any] = dict(self.spec.configuration)
        for s in active:
            patches.update(s.patches)
            prices.update(s.prices)
        catalog = default_catalog()
        if prices:
            catalog = catalog.with_values(prices, f"the document's price ({self.spec.seed})")
        raw = patch_stack(self.raw, patches, where=f"{self.path.name}")
        return build_stack(raw, self.path, catalog)

    def _run(self) -> list[Step]:
        users = np.array([f.users for f in self.spec.figures])
        active = list(self.spec.simplifications)
        known = {s.id for s in active}
        settings = {a.field: a.value for a in self.spec.assumptions}
        for s in active:
            settings.update(s.settings)
        current = False
        labels: list[tuple[str, str]] = [("the document's method", "its assumptions, prices and simplifications")]
        scenarios = [(list(active), current, dict(settings))]
        for factor in self.spec.factors:
            unknown = set(factor.undo) - known
            if unknown:
                raise StackError(f"{self.path.name}: factor {factor.label!r} undoes unknown {sorted(unknown)}")
            for s in active:
                if s.id in factor.undo:
                    for key in s.settings:  # back to the document's assumption, else the preset default
                        settings.pop(key, None)
                        settings.update({a.field: a.value for a in self.spec.assumptions if a.field == key})
            active = [s for s in active if s.id not in factor.undo]
            settings.update(factor.settings)
            current = current or factor.current_prices
            labels.append((factor.label, factor.why))
            scenarios.append((list(active), current, dict(settings)))
        if active or not current:
            raise StackError(f"{self.path.name}: the factors must undo every simplification and end on current prices")
        if self.extra:
            labels.append(("Your settings", ", ".join(f"{k} = {v:g}" for k, v in self.extra.items())))
            scenarios.append((active, current, {**settings, **self.extra}))
        steps = []
        for (label, why), (act, cur, sets) in zip(labels, scenarios, strict=True):
            stack = self._stack(act, cur, sets)
            ev = evaluate_arrays(stack, stack.workload(**_without_users(sets), users=users))
            values = np.array([measure(ev, f.measure)[j] * f.scale for j, f in enumerate(self.spec.figures)])
            steps.append(Step(label, why, stack, sets, values))
        return steps

    def workload(self) -> Workload:
        """capkit's final workload: the document's assumptions with the corrections, at its users."""
        return self.capkit.stack.workload(**self.capkit.settings)

    def chart(self, figure: str) -> alt.Chart:
        """One figure after each step, as bars, with the document's figure as a rule."""
        f = self.figure(figure)
        return charts.factor_steps(self.values()[figure], f.label, f.value)

    def figure(self, id: str) -> DocFigure:
        for f in self.spec.figures:
            if f.id == id:
                return f
        raise InputError(f"figure {id!r}: not in {self.path.name}; it has {', '.join(f.id for f in self.spec.figures)}")

    @property
    def method(self) -> Step:
        return self.steps[0]

    @property
    def capkit(self) -> Step:
        return self.steps[-1]

    # -- tables
    def assumptions_table(self) -> pd.DataFrame:
        """The document's assumptions as capkit workload fields, with the section they come from."""
        specs = self.capkit.stack.specs
        return pd.DataFrame(
            [
                {"field": a.field, "value": a.value, "unit": specs[a.field].unit, "section": a.section}
                for a in self.spec.assumptions
            ]
        )

    def prices_table(self) -> pd.DataFrame:
        """The document's prices next to the current catalog's."""
        cat = default_catalog()
        rows = []
        for p in self.spec.prices:
            e = cat.entry(p.key)
            rows.append(
                {
                    "price": p.key,
                    "unit": e.unit,
                    "document": p.value,
                    "catalog": e.value,
                    "catalog as of": e.as_of.isoformat(),
                    "section": p.section,
                }
            )
        return pd.DataFrame(rows)

    def simplifications_table(self) -> pd.DataFrame:
        """What the document's arithmetic does that the providers' rules do not."""
        rows = []
        for s in self.spec.simplifications:
            what = [f"{k} = {v:g}" for k, v in s.settings.items()]
            what += [f"{k} priced {v:g}" for k, v in s.prices.items()]
            what += [f"{k}: {v!r}" for k, v in s.patches.items()]
            rows.append({"simplification": s.id, "as capkit inputs": "; ".join(what), "section": s.section})
        return pd.DataFrame(rows)

    def figures_table(self) -> pd.DataFrame:
        """Each document figure, capkit's recomputation of the document's method, and capkit's answer."""
        rows = []
        agreement = self.agreement()
        for j, f in enumerate(self.spec.figures):
            method, final = self.method.values[j], self.capkit.values[j]
            diff = f.value - method
            agree = agreement.iloc[j]
            ratio = f.value / method if method else np.inf
            sign = "-" if diff < 0 else "+"
            rows.append(
                {
                    "section": f.section,
                    "figure": f.label,
                    "users": count(f.users),
                    "document": fmt(f.value, f.unit),
                    "document's method, recomputed": fmt(method, f.unit),
                    "arithmetic": "agrees" if agree else f"off by {sign}{fmt(abs(diff), f.unit)} ({ratio:.3g}x)",
                    "capkit, current catalog": fmt(final, f.unit),
                    "capkit / document": f"{final / f.value:.3g}x" if f.value else "n/a",
                    "note": f.note,
                }
            )
        return pd.DataFrame(rows)

    def agreement(self) -> pd.Series:
        """True where the document's figure agrees with its own method, recomputed."""
        doc = np.array([f.value for f in self.spec.figures])
        method = self.method.values
        ok = np.abs(doc - method) <= AGREE_WITHIN * np.maximum(np.abs(doc), np.abs(method))
        return pd.Series(ok, index=[f.id for f in self.spec.figures])

    def factors_table(self, figures: Sequence[str] | None = None) -> pd.DataFrame:
        """The waterfall: each figure after each step, the document's method first."""
        ids = list(figures or [f.id for f in self.spec.figures])
        index = {f.id: j for j, f in enumerate(self.spec.figures)}
        missing = [i for i in ids if i not in index]
        if missing:
            raise InputError(f"figures {missing}: not in {self.path.name}; it has {', '.join(index)}")
        rows = []
        for step in self.steps:
            row: dict[str, str] = {"step": step.label}
            for fid in ids:
                f = self.spec.figures[index[fid]]
                row[f.label] = fmt(step.values[index[fid]], f.unit)
            row["why"] = step.why
            rows.append(row)
        return pd.DataFrame(rows)

    def values(self) -> pd.DataFrame:
        """Every figure under every step, as numbers (rows: steps; columns: figure ids)."""
        ids = [f.id for f in self.spec.figures]
        return pd.DataFrame([s.values for s in self.steps], index=[s.label for s in self.steps], columns=ids)

    def scales_table(self) -> pd.DataFrame:
        """At each scale the document discusses: cost and bottleneck, its method against capkit."""
        levels = np.asarray(self.spec.scales, dtype=float)
        rows: dict[str, list[str]] = {"users": [count(u) for u in levels]}
        for name, step in (("document's method", self.method), ("capkit", self.capkit)):
            wl = step.stack.workload(**_without_users(step.settings), users=levels)
            ev = evaluate_arrays(step.stack, wl)
            bidx = ev.bottleneck_index()
            cost = ev.monthly_cost_usd()
            rows[f"cost, {name}"] = [money(c) for c in cost]
            rows[f"bottleneck, {name}"] = [
                "none" if b < 0 else f"{m.component}.{m.metric} at {count(m.max_users[k])}"
                for k, (b, m) in enumerate((b, ev.metrics[b]) for b in bidx)
            ]
        return pd.DataFrame(rows)

    def roadmap(self, users: Sequence[float] | None = None) -> pd.DataFrame:
        """capkit's roadmap for the product: the corrected workload on the current catalog."""
        from capkit.analysis.roadmap import roadmap, roadmap_table
        from capkit.engine import user_levels
        from capkit.labels import component_names
        from capkit.scenario import roadmap_shown

        # From the preset as the product runs it today: the roadmap chooses every plan itself.
        stack = load_stack(self.spec.stack)
        top = max(self.spec.scales) * 10
        levels = user_levels(100, top) if users is None else np.asarray(users)
        phases = roadmap(stack, stack.workload(**self.capkit.settings), levels)
        return roadmap_shown(roadmap_table(phases, component_names(stack)))

    def findings(self) -> list[str]:
        """One sentence per figure: what the document says, what capkit computes, and why."""
        out = []
        agreement = self.agreement()
        for j, f in enumerate(self.spec.figures):
            doc, method, final = f.value, self.method.values[j], self.capkit.values[j]
            moves = [(s.label, s.values[j] - p.values[j]) for p, s in zip(self.steps, self.steps[1:], strict=False)]
            big = max(moves, key=lambda m: abs(m[1]) if np.isfinite(m[1]) else np.inf)
            arithmetic = "" if agreement.iloc[j] else f" (its own method gives {fmt(method, f.unit)})"
            cause = f"the largest change: {big[0]}" if big[1] != 0 else "no factor changes it"
            out.append(
                f"{f.label} ({f.section}): the document says {fmt(doc, f.unit)}{arithmetic}; capkit computes "
                f"{fmt(final, f.unit)}; {cause}."
            )
        return out


def load_case_study(name_or_path: str | Path, settings: Mapping[str, float] | None = None) -> CaseStudy:
    """A bundled case study by name (``000-screen-time-capacity``) or a case study file by path."""
    path = casestudies_dir() / f"{name_or_path}.yaml"
    if str(name_or_path) not in case_study_names():
        path = Path(name_or_path)
        try:
            found = path.suffix in (".yaml", ".yml") and path.is_file()
        except (OSError, ValueError):  # a name too long, a NUL byte
            found = False
        if not found:
            raise InputError(f"unknown case study {shown(str(name_or_path))}; bundled: {', '.join(case_study_names())}")
    try:
        spec = CaseStudyFile.model_validate(read_yaml(path, str(path), StackError))
    except ValidationError as exc:
        raise StackError(f"{path}: {first_error(exc, CaseStudyFile)}") from None
    return CaseStudy(spec, path, settings)
